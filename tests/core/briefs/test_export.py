"""A brief exported to Markdown, DOCX and PDF, read back with python-docx and pypdf; bad input gets a
clear message and leaves no file behind."""

from __future__ import annotations

import docx
import pytest
from pypdf import PdfReader

from studio.core.briefs.export import export_brief, markdown_blocks
from studio.core.errors import BadInput
from studio.core.ops import briefs as ops

OBJECTIVE = "Make **students** pick *Roast* first.\n\n- Morning ritual\n- Exam **nights**\n\n1. Awareness\n2. Trial"


@pytest.fixture
def brief_id(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Autumn launch", place.campaign_id).value
    ops.save_section(lib, brief_id, "objective", OBJECTIVE)
    ops.save_section(lib, brief_id, "tone", "Warm, never *smug*.")
    ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "count": 2, "notes": "hero cut"}, {"spec_id": "google.rda"}])
    ops.set_brief_status(lib, brief_id, "approved", approvers=["Dana Reyes"])
    return brief_id


def test_markdown_blocks_keep_structure_and_emphasis():
    blocks = markdown_blocks(OBJECTIVE + "\n\n### Note\n\n```\ncode here\n```\n\nUnder <5% & <b>tags</b> stay")
    assert [(b.kind, b.level, b.marker) for b in blocks] == [
        ("paragraph", 0, ""), ("item", 1, "•"), ("item", 1, "•"), ("item", 1, "1."), ("item", 1, "2."), ("heading", 3, ""), ("code", 0, ""),
        ("paragraph", 0, "")]
    assert [(r.text, r.bold, r.italic) for r in blocks[0].runs] == [
        ("Make ", False, False), ("students", True, False), (" pick ", False, False), ("Roast", False, True), (" first.", False, False)]
    assert blocks[-2].runs[0].text == "code here"
    assert "".join(r.text for r in blocks[-1].runs) == "Under <5% & <b>tags</b> stay"  # what was typed is kept


def test_markdown_export(lib, brief_id, tmp_path):
    out = export_brief(lib, brief_id, tmp_path / "brief.md", "md")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Autumn launch\n\n- **Brand:** Roast\n- **Campaign:** Autumn\n- **Status:** Approved\n")
    assert "- **Approved by:** Dana Reyes (" in text
    assert "## Objective\n\n" + OBJECTIVE in text and "## Tone\n\nWarm, never *smug*." in text
    assert "| Meta Reels | meta.reels | 2 | hero cut |" in text
    assert "## Audience" not in text  # empty sections are left out
    assert not list(tmp_path.glob(".*partial"))


def test_docx_export_has_headings_bullets_emphasis_and_the_deliverables_table(lib, brief_id, tmp_path):
    out = export_brief(lib, brief_id, tmp_path / "brief.docx")  # the format from the extension
    doc = docx.Document(str(out))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paragraphs[0] == ("Title", "Autumn launch")
    assert ("Heading 1", "Objective") in paragraphs and ("Heading 1", "Deliverables") in paragraphs
    assert ("List Bullet", "Exam nights") in paragraphs and ("List Number", "Trial") in paragraphs
    objective = next(p for p in doc.paragraphs if p.text.startswith("Make "))
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in objective.runs] == [
        ("Make ", False, False), ("students", True, False), (" pick ", False, False), ("Roast", False, True), (" first.", False, False)]
    table = doc.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Placement", "Spec", "Count", "Notes"], ["Meta Reels", "meta.reels", "2", "hero cut"],
        ["Google responsive display ad", "google.rda", "1", ""]]
    assert "Approved by: Dana Reyes" in "\n".join(t for _, t in paragraphs)


def test_pdf_export_has_title_sections_and_deliverables(lib, brief_id, tmp_path):
    out = export_brief(lib, brief_id, tmp_path / "brief.pdf", "pdf")
    reader = PdfReader(str(out))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert reader.metadata.title == "Autumn launch"
    for expected in ("Autumn launch", "Approved by", "Dana Reyes", "Objective", "Make students pick Roast first.",
                     "Morning ritual", "Exam nights", "Tone", "Meta Reels", "meta.reels", "hero cut", "google.rda"):
        assert expected in text, expected
    assert text.index("Objective") < text.index("Tone") < text.index("Deliverables")


def test_pdf_export_of_text_outside_latin1(lib, place, tmp_path):
    brief_id = ops.create_brief(lib, place.brand_id, "Ζεστός καφές").value
    ops.save_section(lib, brief_id, "audience", "Студенты и **преподаватели**")
    text = PdfReader(str(export_brief(lib, brief_id, tmp_path / "greek.pdf"))).pages[0].extract_text()
    assert "Ζεστός καφές" in text and "Студенты и преподаватели" in text


def test_bad_exports_are_refused_and_leave_nothing(lib, brief_id, tmp_path, read_only_dir):
    (tmp_path / "keep.pdf").write_bytes(b"old")
    cases = [
        (lambda: export_brief(lib, 404, tmp_path / "keep.pdf"), "There is no brief 404"),
        (lambda: export_brief(lib, brief_id, tmp_path / "keep.pdf", "rtf"), "'rtf' is not a brief export format; use one of: md, docx, pdf"),
        (lambda: export_brief(lib, brief_id, tmp_path / "brief"), "no format"),
        (lambda: export_brief(lib, brief_id, tmp_path / "missing" / "b.pdf"), "does not exist; create it"),
        (lambda: export_brief(lib, brief_id, tmp_path, "pdf"), "is a folder"),
        (lambda: export_brief(lib, brief_id, read_only_dir / "b.pdf"), "Cannot write in .*permission denied"),
        (lambda: export_brief(lib, brief_id, read_only_dir / "b.docx"), "Cannot write in .*permission denied"),
    ]
    for call, message in cases:
        with pytest.raises(BadInput, match=message):
            call()
    assert (tmp_path / "keep.pdf").read_bytes() == b"old"
    assert list(read_only_dir.iterdir()) == [] and not list(tmp_path.glob(".*partial"))
