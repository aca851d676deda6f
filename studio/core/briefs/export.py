"""A brief as Markdown, DOCX (python-docx) or PDF (reportlab). Section Markdown is parsed once with
markdown-it into simple blocks (headings, paragraphs, list items, code) with bold/italic runs that
both the DOCX and the PDF writer lay out. Files are written to a temporary name and renamed, so a
failure leaves nothing half-written."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from markdown_it import MarkdownIt

from studio.core.briefs.sections import SECTIONS, STATUSES, Brief, get_brief
from studio.core.errors import BadInput

FORMATS = ("md", "docx", "pdf")
_MD = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass
class Block:
    kind: str  # heading | paragraph | item | code
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # heading level, or list depth (1 = top)
    marker: str = ""  # a list item's bullet or number ("•", "2.")


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lists: list[list] = []  # per open list: [ordered, next number]
    pending: Block | None = None
    for tok in _MD.parse(text or ""):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([tok.type == "ordered_list_open", int(tok.attrGet("start") or 1)])
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif tok.type == "list_item_open":
            ordered, number = lists[-1]
            pending = Block("item", level=len(lists), marker=f"{number}." if ordered else "•")
            lists[-1][1] += 1
        elif tok.type == "heading_open":
            pending = Block("heading", level=int(tok.tag[1]))
        elif tok.type == "paragraph_open" and pending is None:
            pending = Block("paragraph")
        elif tok.type == "inline":
            block = pending or Block("paragraph")
            block.runs = _runs(tok.children or [])
            blocks.append(block)
            pending = None
        elif tok.type in ("fence", "code_block", "html_block"):
            blocks.append(Block("code", [Run(tok.content.rstrip("\n"), code=True)]))
    return blocks


def _runs(children) -> list[Run]:
    runs, bold, italic = [], 0, 0
    for child in children:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic -= 1
        elif child.type in ("text", "code_inline", "softbreak", "hardbreak", "image", "html_inline"):  # typed tags stay as text
            text = {"softbreak": " ", "hardbreak": "\n"}.get(child.type, child.content)
            runs.append(Run(text, bold > 0, italic > 0, child.type == "code_inline"))
    return runs


# ---- what every format shows ------------------------------------------------------------------
def _facts(brief: Brief) -> list[tuple[str, str]]:
    s = brief.summary
    facts = [("Brand", s.brand), ("Campaign", s.campaign or "none"), ("Status", STATUSES.get(s.status, s.status)),
             ("Updated", s.updated_at.strftime("%Y-%m-%d %H:%M UTC"))]
    approved = [a for a in brief.approvals if a.decision == "approved"]
    if s.status == "approved" and approved:
        facts.append(("Approved by", ", ".join(f"{a.approver} ({a.at:%Y-%m-%d})" for a in approved)))
    return facts


def _deliverable_rows(lib, brief: Brief) -> list[tuple[str, str, str, str]]:
    from studio.core.specs.catalog import load_catalog

    entries = load_catalog(lib).entries
    return [(entries[d.spec_id].name if d.spec_id in entries else "(no longer in the spec catalog)", d.spec_id, str(d.count), d.notes)
            for d in brief.deliverables]


def _sections(brief: Brief, rows) -> list[tuple[str, str, bool]]:
    """(key, title, has a deliverables table) of the sections with something in them."""
    return [(key, title, key == "deliverables" and bool(rows)) for key, title in SECTIONS.items()
            if brief.sections[key].strip() or (key == "deliverables" and rows)]


DELIVERABLE_HEADERS = ("Placement", "Spec", "Count", "Notes")


# ---- writers ------------------------------------------------------------------------------------
def _markdown(brief: Brief, rows, path: Path) -> None:
    lines = [f"# {brief.title}", "", *(f"- **{k}:** {v}" for k, v in _facts(brief)), ""]
    for key, title, table in _sections(brief, rows):
        lines += [f"## {title}", ""]
        if brief.sections[key].strip():
            lines += [brief.sections[key].strip(), ""]
        if table:
            lines += ["| " + " | ".join(DELIVERABLE_HEADERS) + " |", "|" + "---|" * len(DELIVERABLE_HEADERS)]
            lines += ["| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows]
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _docx(brief: Brief, rows, path: Path) -> None:
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    doc.core_properties.title = brief.title
    doc.add_heading(brief.title, 0)
    for name, value in _facts(brief):
        p = doc.add_paragraph()
        p.add_run(f"{name}: ").bold = True
        p.add_run(value)
    for key, title, table in _sections(brief, rows):
        doc.add_heading(title, 1)
        for block in markdown_blocks(brief.sections[key]):
            if block.kind == "heading":
                p = doc.add_heading(level=min(block.level + 1, 9))
            elif block.kind == "item":
                style = "List Number" if block.marker[:-1].isdigit() else "List Bullet"
                p = doc.add_paragraph(style=style if block.level == 1 else f"{style} {min(block.level, 3)}")
            else:
                p = doc.add_paragraph()
            for run in block.runs:
                r = p.add_run(run.text)
                r.bold, r.italic = run.bold or None, run.italic or None
                if run.code:
                    r.font.name, r.font.size = "Courier New", Pt(9)
        if table:
            grid = doc.add_table(rows=1, cols=len(DELIVERABLE_HEADERS))
            grid.style = "Table Grid"
            for cell, header in zip(grid.rows[0].cells, DELIVERABLE_HEADERS):
                cell.paragraphs[0].add_run(header).bold = True
            for row in rows:
                for cell, value in zip(grid.add_row().cells, row):
                    cell.text = value
    doc.save(str(path))


def _pdf(brief: Brief, rows, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph,
        Preformatted,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font, bold_font = _pdf_fonts(brief, rows)
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if hasattr(style, "fontName") and "Courier" not in style.fontName:
            style.fontName = bold_font if "Bold" in style.fontName or style.name.startswith(("Heading", "Title")) else font
    body, small = styles["BodyText"], ParagraphStyle("small", parent=styles["BodyText"], fontSize=9, leading=11)
    story = [Paragraph(escape(brief.title), styles["Title"]),
             Table([[Paragraph(f"<b>{escape(k)}</b>", body), Paragraph(escape(v), body)] for k, v in _facts(brief)],
                   colWidths=[35 * mm, None], hAlign="LEFT"),
             Spacer(1, 8 * mm)]
    for key, title, table in _sections(brief, rows):
        story.append(Paragraph(escape(title), styles["Heading1"]))
        for block in markdown_blocks(brief.sections[key]):
            if block.kind == "code":
                story.append(Preformatted(block.runs[0].text, styles["Code"]))
            elif block.kind == "heading":
                story.append(Paragraph(_markup(block.runs), styles[f"Heading{min(block.level + 1, 6)}"]))
            elif block.kind == "item":
                indent = ParagraphStyle(f"item{block.level}", parent=body, leftIndent=6 * mm * block.level, bulletIndent=6 * mm * (block.level - 1) + 1 * mm)
                story.append(Paragraph(_markup(block.runs), indent, bulletText=block.marker))
            else:
                story.append(Paragraph(_markup(block.runs), body))
        if table:
            cells = [[Paragraph(f"<b>{h}</b>", small) for h in DELIVERABLE_HEADERS]]
            cells += [[Paragraph(escape(v), small) for v in row] for row in rows]
            grid = Table(cells, colWidths=[50 * mm, 40 * mm, 15 * mm, None], repeatRows=1, hAlign="LEFT")
            grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                                      ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(grid)
    SimpleDocTemplate(str(path), pagesize=A4, title=brief.title, author=brief.summary.brand,
                      leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm).build(story)


def _markup(runs: list[Run]) -> str:
    """Runs as reportlab's paragraph markup."""
    out = []
    for run in runs:
        text = escape(run.text).replace("\n", "<br/>")
        if run.code:
            text = f'<font face="Courier">{text}</font>'
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)


def _pdf_fonts(brief: Brief, rows) -> tuple[str, str]:
    """Helvetica while the text fits its character set; DejaVu Sans (when installed) for the rest,
    so Greek, Cyrillic and the like do not print as boxes."""
    everything = " ".join([brief.title, *brief.sections.values(), *(" ".join(r) for r in rows), *(v for _, v in _facts(brief))])
    try:
        everything.encode("cp1252")
        return "Helvetica", "Helvetica-Bold"
    except UnicodeEncodeError:
        pass
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from studio.core.render.layers import find_font

    files = [find_font("DejaVu Sans", bold)[0] for bold in (False, True)]
    if not all(f and os.path.isabs(f) and f.lower().endswith(".ttf") for f in files):
        return "Helvetica", "Helvetica-Bold"
    for name, file in zip(("BriefSans", "BriefSans-Bold"), files):
        pdfmetrics.registerFont(TTFont(name, file))
    for bold, italic, name in ((0, 0, "BriefSans"), (0, 1, "BriefSans"), (1, 0, "BriefSans-Bold"), (1, 1, "BriefSans-Bold")):
        addMapping("BriefSans", bold, italic, name)
    return "BriefSans", "BriefSans-Bold"


WRITERS = {"md": _markdown, "docx": _docx, "pdf": _pdf}


def export_brief(lib, brief_id: int, out: Path | str, fmt: str | None = None) -> Path:
    """Write the brief to `out` as md, docx or pdf (by default, from the file's extension)."""
    out = Path(out).expanduser()
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in WRITERS:
        raise BadInput(f"{fmt or 'no format'!r} is not a brief export format; use one of: {', '.join(FORMATS)}.")
    brief = get_brief(lib, brief_id)
    if not out.parent.is_dir():
        raise BadInput(f"The folder {out.parent} does not exist; create it or choose another place for the file.")
    if out.is_dir():
        raise BadInput(f"{out} is a folder; give the name of the file to write.")
    rows = _deliverable_rows(lib, brief)
    tmp = out.with_name(f".{out.name}.partial")
    try:
        WRITERS[fmt](brief, rows, tmp)
        tmp.replace(out)
    except PermissionError:
        raise BadInput(f"Cannot write in {out.parent}: permission denied. Choose a folder you can write to.") from None
    except OSError as exc:
        raise BadInput(f"Cannot write {out}: {exc.strerror or exc}. Choose another place for the file.") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out
