"""Offline import of a brand's documents: saved web pages, PDF, Word (DOCX), Markdown and
plain text, each read into a title and clean text for the knowledge base."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import BadInput
from studio.core.research.extract import decode, parse_html

KINDS = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx",
         ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}


@dataclass(frozen=True)
class Document:
    title: str
    text: str
    kind: str  # html | pdf | docx | markdown | text
    source: str  # the file's absolute path


def read_document(path: str | Path) -> Document:
    """The document's title and text. Raises BadInput for a missing, empty, unsupported,
    encrypted or damaged file, saying what to do about it."""
    path = Path(path)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(KINDS))
        raise BadInput(f"{path.name}: {path.suffix or 'files without an extension'} cannot be imported. "
                       f"Save it as one of {supported} and import that.")
    if not path.is_file():
        raise BadInput(f"{path} was not found. Check the path, or pick the file again.")
    if path.stat().st_size == 0:
        raise BadInput(f"{path.name} is empty: there is nothing to import. Check you picked the right file.")
    title, text = _READERS[kind](path)
    text = text.strip()
    if not text:
        raise BadInput(f"{path.name} has no text to import" + (
            " (a scanned PDF holds pictures of pages: run it through OCR first)" if kind == "pdf" else
            ". Check you picked the right file."))
    return Document(title.strip() or path.stem, text, kind, str(path.resolve()))


def _read_html(path: Path) -> tuple[str, str]:
    page = parse_html(decode(path.read_bytes()), path.resolve().as_uri())
    return page.title or (page.headings[0] if page.headings else ""), page.text


def _read_pdf(path: Path) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):  # some PDFs lock editing, not reading
            raise FileNotDecryptedError
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except FileNotDecryptedError:
        raise BadInput(f"{path.name} is password-protected. Open it in a PDF reader, save a copy "
                       "without the password, and import that.") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadInput(f"{path.name} could not be read as a PDF ({exc or 'damaged'}). It may be damaged or not "
                       "really a PDF: export it again from the program that made it.") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if title.strip().lower() in ("untitled", "untitled document"):  # a PDF maker's default, not a title
        title = ""
    return title or _first_line(text), text


def _read_docx(path: Path) -> tuple[str, str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadInput(f"{path.name} could not be read as a Word document ({exc or 'damaged'}). Open it in Word "
                       "and save it again as .docx (not .doc), then import that.") from None
    lines = [p.text.strip() for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(dict.fromkeys(cell.text.strip() for cell in row.cells)))
    heading = next((p.text for p in document.paragraphs if p.style.name in ("Title", "Heading 1") and p.text.strip()), "")
    return document.core_properties.title or heading, "\n".join(line for line in lines if line)


_MD_RULES = [
    (re.compile(r"^```.*$|^~~~.*$", re.MULTILINE), ""),  # code fences (their content stays)
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: their words
    (re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", re.MULTILINE), ""),  # headings, quotes, list marks
    (re.compile(r"(\*\*|__|\*|_|`)(\S(?:.*?\S)?)\1"), r"\2"),  # emphasis and code spans
    (re.compile(r"^\s*([-*_]\s*){3,}$", re.MULTILINE), ""),  # rules
]


def _read_markdown(path: Path) -> tuple[str, str]:
    source = decode(path.read_bytes())
    heading = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", source, re.MULTILINE)
    text = source
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return heading.group(1) if heading else "", re.sub(r"\n{3,}", "\n\n", text)


def _read_text(path: Path) -> tuple[str, str]:
    return "", decode(path.read_bytes())


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:120]


_READERS = {"html": _read_html, "pdf": _read_pdf, "docx": _read_docx, "markdown": _read_markdown, "text": _read_text}
