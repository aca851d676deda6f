"""`studio brief` as a user runs it: list, new, show and export, and the messages for bad input."""

from __future__ import annotations

import json

import docx
from pypdf import PdfReader

from studio.core.library import Library
from studio.core.ops import briefs, organize
from tests.cli.test_cli import studio


def _library(root):
    with Library.open(root) as lib:
        brand = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Roast").value
        campaign = organize.create_campaign(lib, brand, "Autumn").value
    return brand, campaign


def test_new_list_show_and_export(tmp_path):
    lib = tmp_path / "lib"
    brand, campaign = _library(lib)
    made = studio("brief", "new", "--brand", "roast", "--title", "Autumn launch", "--campaign", campaign, "--library", lib, "--json")
    assert made.returncode == 0, made.stderr
    brief_id = json.loads(made.stdout)["id"]
    with Library.open(lib) as opened:
        briefs.save_section(opened, brief_id, "objective", "Make **students** pick Roast.\n\n- Mornings\n- Exams")
        briefs.set_deliverables(opened, brief_id, [{"spec_id": "meta.reels", "count": 2, "notes": "hero"}])

    listed = json.loads(studio("brief", "list", "--library", lib, "--json").stdout)
    assert [(b["id"], b["title"], b["status"], b["brand"], b["campaign"]) for b in listed] == [(brief_id, "Autumn launch", "draft", "Roast", "Autumn")]
    assert "Draft      Roast / Autumn: Autumn launch" in studio("brief", "list", "--brand", brand, "--library", lib).stdout

    shown = json.loads(studio("brief", "show", brief_id, "--library", lib, "--json").stdout)
    assert shown["sections"]["objective"].startswith("Make **students**") and shown["deliverables"] == [{"spec_id": "meta.reels", "count": 2, "notes": "hero"}]
    text = studio("brief", "show", brief_id, "--library", lib).stdout
    assert "## Objective" in text and "meta.reels × 2: hero" in text and "## Tone" not in text

    for fmt in ("md", "docx", "pdf"):
        out = studio("brief", "export", brief_id, "--format", fmt, "--out", tmp_path / f"brief.{fmt}", "--library", lib, "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == {"brief_id": brief_id, "format": fmt, "out": str(tmp_path / f"brief.{fmt}")}
    assert "## Objective" in (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert "Exams" in [p.text for p in docx.Document(str(tmp_path / "brief.docx")).paragraphs]
    assert "Meta Reels" in PdfReader(str(tmp_path / "brief.pdf")).pages[0].extract_text()


def test_bad_brief_input_gets_a_message(tmp_path):
    lib = tmp_path / "lib"
    _library(lib)
    assert "No briefs yet" in studio("brief", "list", "--library", lib).stdout
    out = studio("brief", "new", "--brand", "Nobody", "--title", "X", "--library", lib)
    assert out.returncode == 2 and out.stderr.startswith("error: There is no brand 'Nobody'. The brands are: 1 Roast.")
    out = studio("brief", "new", "--brand", "Roast", "--title", "X", "--campaign", "9", "--library", lib)
    assert out.returncode == 2 and "There is no campaign 9" in out.stderr
    out = studio("brief", "show", "7", "--library", lib)
    assert out.returncode == 2 and out.stderr == "error: There is no brief 7; `studio brief list` shows the briefs there are.\n"
    out = studio("brief", "export", "7", "--format", "rtf", "--out", tmp_path / "b.rtf", "--library", lib)
    assert out.returncode == 2 and "invalid choice: 'rtf'" in out.stderr
    assert studio("brief", "new", "--brand", "Roast", "--title", "X", "--library", lib).returncode == 0
    out = studio("brief", "export", "1", "--format", "pdf", "--out", tmp_path / "none" / "b.pdf", "--library", lib)
    assert out.returncode == 2 and "does not exist; create it" in out.stderr
    assert not (tmp_path / "none").exists() and not (tmp_path / "b.rtf").exists()
