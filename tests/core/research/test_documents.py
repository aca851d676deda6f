"""Offline document import on real files built in the test."""

from __future__ import annotations

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from studio.core.errors import BadInput
from studio.core.research.documents import read_document


def make_pdf(path, pages, title=None):
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        for i, line in enumerate(lines):
            pdf.drawString(72, 760 - 18 * i, line)
        pdf.showPage()
    pdf.save()
    return path


def encrypt(source, target, user_password):
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner")
    with open(target, "wb") as out:
        writer.write(out)
    return target


def test_pdf(tmp_path):
    path = make_pdf(tmp_path / "guide.pdf", [["Brand guide", "Our voice is warm."], ["Colours: ember red."]], title="Acme Brand Guide")
    doc = read_document(path)
    assert doc.kind == "pdf" and doc.title == "Acme Brand Guide" and doc.source == str(path.resolve())
    assert "Our voice is warm." in doc.text and "Colours: ember red." in doc.text
    assert doc.text.index("warm") < doc.text.index("ember")


def test_pdf_without_title_takes_its_first_line(tmp_path):
    assert read_document(make_pdf(tmp_path / "notes.pdf", [["Launch notes", "Spring."]])).title == "Launch notes"


def test_pdf_locked_only_for_editing_is_read(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", [["Open to read."]])
    assert "Open to read." in read_document(encrypt(plain, tmp_path / "locked.pdf", "")).text


def test_password_protected_pdf(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", [["Secret plans."]])
    with pytest.raises(BadInput, match="password-protected.*save a copy without the password"):
        read_document(encrypt(plain, tmp_path / "secret.pdf", "hunter2"))


@pytest.mark.parametrize("content", [b"%PDF-1.7\n1 0 obj << /Type /Catalog", b"PK\x03\x04 this is a zip, not a PDF"])
def test_corrupt_pdf(tmp_path, content):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(BadInput, match="could not be read as a PDF.*export it again"):
        read_document(path)


def test_pdf_without_text_layer(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [[]])
    with pytest.raises(BadInput, match="no text to import.*OCR"):
        read_document(path)


def test_docx(tmp_path):
    document = docx.Document()
    document.add_heading("Tone of voice", level=1)
    document.add_paragraph("We speak plainly.")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Do", "Don't"), ("Warm", "Pushy")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    path = tmp_path / "voice.docx"
    document.save(path)
    doc = read_document(path)
    assert doc.kind == "docx" and doc.title == "Tone of voice"
    assert doc.text.splitlines() == ["Tone of voice", "We speak plainly.", "Do | Don't", "Warm | Pushy"]


def test_corrupt_docx(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(BadInput, match="could not be read as a Word document.*save it again as .docx"):
        read_document(path)


def test_markdown(tmp_path):
    path = tmp_path / "messages.md"
    path.write_text("# Key messages\n\n- **Built to last**: see [our story](https://acme.example/story)\n"
                    "- Made by `hand`\n\n![Logo](logo.png)\n\n---\n> Quality first\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.kind == "markdown" and doc.title == "Key messages"
    assert [line for line in doc.text.splitlines() if line] == [
        "Key messages", "Built to last: see our story", "Made by hand", "Logo", "Quality first"]


def test_saved_html(tmp_path):
    path = tmp_path / "about.html"
    path.write_text("<html><head><title>About Acme</title><style>p{color:red}</style></head><body><nav>Menu</nav>"
                    "<h1>About</h1><p>Family firm.</p></body></html>", encoding="utf-8")
    doc = read_document(path)
    assert (doc.kind, doc.title, doc.text) == ("html", "About Acme", "About\nFamily firm.")


def test_plain_text_in_an_old_code_page(tmp_path):
    path = tmp_path / "Claims.TXT"
    path.write_bytes("Caf\u00e9 cr\u00e8me \u2013 since 1921".encode("cp1252"))
    doc = read_document(path)
    assert (doc.kind, doc.title, doc.text) == ("text", "Claims", "Caf\u00e9 cr\u00e8me \u2013 since 1921")


@pytest.mark.parametrize("name", ["slides.pptx", "old.doc", "README"])
def test_unsupported_extension(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"something")
    with pytest.raises(BadInput, match="cannot be imported. Save it as one of .*\\.docx.*\\.pdf"):
        read_document(path)


@pytest.mark.parametrize("name, content", [("empty.pdf", b""), ("empty.docx", b""), ("blank.txt", b" \n\t\n"), ("empty.md", b"")])
def test_empty_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadInput, match="empty|no text to import"):
        read_document(path)


def test_missing_file(tmp_path):
    with pytest.raises(BadInput, match="was not found"):
        read_document(tmp_path / "gone.pdf")
