"""A campaign's compliance report, as an HTML page and a PDF: the findings by severity and item
(each span quoted), the waivers with who accepted what and why, and the campaign's part of the
audit trail with the trail's verification result.

    paths = write_report(lib, "Spring Sale", Path("reports"))
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from studio.core import audit
from studio.core.compliance.store import (
    StoredFinding,
    campaign_findings,
    campaign_targets,
    describe_target,
    unchecked_targets,
)
from studio.core.db.models import AuditEvent
from studio.core.export.contact_sheet import (
    BAD,
    INK,
    MARGIN,
    MUTED,
    OK,
    PAGE,
    WARN,
    page_font,
)
from studio.core.export.plan import find_campaign
from studio.core.names import slug

AUDIT_EXCERPT = 200  # the campaign's newest events shown


@dataclass
class Item:
    head: str
    lines: list[str] = field(default_factory=list)
    colour: tuple[int, int, int] = INK


@dataclass
class Section:
    title: str
    items: list[Item]
    empty: str  # shown when there are no items


def write_report(lib, campaign: str | int, out: Path) -> list[Path]:
    """Writes <campaign>-compliance-report.html and .pdf into out; returns their paths."""
    campaign_id, name = find_campaign(lib, campaign)
    title = f"{name}: compliance report"
    sections = _sections(lib, campaign_id)
    out = Path(out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{slug(name)}-compliance-report"
    page, pdf = stem.with_suffix(".html"), stem.with_suffix(".pdf")
    page.write_text(_html(title, sections), encoding="utf-8", newline="\n")
    _pdf(pdf, title, sections)
    return [page, pdf]


def _where(f: StoredFinding) -> str:
    d = f.finding
    if d.span is not None:
        where = f"«{d.excerpt}» at characters {d.span[0]}–{d.span[1]}"
    elif d.box is not None:
        where = f"«{d.excerpt}» in the box ({d.box[0]}, {d.box[1]})–({d.box[2]}, {d.box[3]})" + (f" of frame {d.frame}" if d.frame is not None else "")
    else:
        where = f"«{d.excerpt}»" if d.excerpt else ""
    scope = " · ".join(x for x in (d.platform, (d.field or "").replace("_", " ")) if x)
    return " — ".join(x for x in (scope, where) if x)


def _finding_item(f: StoredFinding, label: str) -> Item:
    d = f.finding
    lines = [label, d.message, _where(f), f"Fix: {d.hint}"]
    if f.waiver:
        lines.append(f"Waived by {f.waiver.name} on {f.waiver.created_at:%Y-%m-%d}: {f.waiver.reason}")
    colour = MUTED if f.waived else BAD if d.severity == "error" else WARN
    return Item(f"{d.severity.upper()}{' (waived)' if f.waived else ''} · {d.rule_id}", [x for x in lines if x], colour)


def _sections(lib, campaign_id: int) -> list[Section]:
    findings = campaign_findings(lib, campaign_id)
    targets = campaign_targets(lib, campaign_id)
    labels = {t: describe_target(lib, t) for t in targets}
    unchecked = unchecked_targets(lib, targets)
    blocking = [f for f in findings if f.blocking]
    errors = sum(f.finding.severity == "error" for f in findings)
    count, problems = audit.verify(lib)
    summary = [Item(f"{len(targets)} item(s) checked against the rules" if not unchecked else
                    f"{len(targets) - len(unchecked)} of {len(targets)} item(s) checked; not checked yet: "
                    + ", ".join(labels[t] for t in unchecked[:10]), colour=WARN if unchecked else INK),
               Item(f"{len(blocking)} error(s) to fix, {errors - len(blocking)} waived, "
                    f"{len(findings) - errors} warning(s)", colour=BAD if blocking else OK),
               Item(f"Audit trail: {count} event(s), " + ("whole (verified)" if not problems else f"{len(problems)} problem(s) found"),
                    [p.message for p in problems], BAD if problems else OK),
               Item(f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", colour=MUTED)]
    ordered = sorted(findings, key=lambda f: (f.target, f.finding.rule_id, f.finding.span or (0, 0)))
    waivers = [f for f in ordered if f.waived]
    return [
        Section("Summary", summary, ""),
        Section("Errors", [_finding_item(f, labels.get(f.target, f.target)) for f in ordered if f.finding.severity == "error"],
                "No errors."),
        Section("Warnings", [_finding_item(f, labels.get(f.target, f.target)) for f in ordered if f.finding.severity == "warning"],
                "No warnings."),
        Section("Waivers", [Item(f"{f.waiver.name}, {f.waiver.created_at:%Y-%m-%d %H:%M} UTC · {f.finding.rule_id}",
                                 [labels.get(f.target, f.target), f"Reason: {f.waiver.reason}"]) for f in waivers], "No waivers."),
        Section("Audit trail", _events(lib, campaign_id), "No events for this campaign yet."),
    ]


def _events(lib, campaign_id: int) -> list[Item]:
    table = AuditEvent.__table__
    with lib.read() as conn:
        rows = conn.execute(select(table).where(table.c.details["campaign_id"].as_integer() == campaign_id)
                            .order_by(table.c.id.desc()).limit(AUDIT_EXCERPT)).mappings().all()
    items = []
    for row in reversed(rows):
        details = {k: v for k, v in row["details"].items() if k not in ("campaign_id", "tables", "fingerprint", "rechecked", "dropped")}
        shown = "; ".join(f"{k}: {v}" for k, v in details.items())
        items.append(Item(f"#{row['id']} {row['at']:%Y-%m-%d %H:%M:%S} · {row['actor']} · {row['action']}",
                          [shown, f"hash {row['hash'][:16]}…"] if shown else [f"hash {row['hash'][:16]}…"], MUTED))
    return items


def _html(title: str, sections: list[Section]) -> str:
    e = html.escape
    body = []
    for section in sections:
        items = "".join(f'<div class="item"><b style="color:rgb{item.colour}">{e(item.head)}</b>'
                        + "".join(f"<br>{e(line)}" for line in item.lines) + "</div>" for item in section.items)
        body.append(f"<h2>{e(section.title)}</h2>{items or f'<p>{e(section.empty)}</p>'}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;color:#1e1e22;margin:40px;max-width:960px}}
h1{{font-weight:600}} .item{{border-left:3px solid #ddd;padding:4px 12px;margin:10px 0}}
</style></head><body>
<h1>{e(title)}</h1>
{''.join(body)}
</body></html>
"""


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return lines + [line]


def _pdf(path: Path, title: str, sections: list[Section]) -> None:
    heading, bold, body = page_font(32, True), page_font(19, True), page_font(17)
    width, bottom = PAGE[0] - 2 * MARGIN, PAGE[1] - MARGIN
    pages: list[Image.Image] = []
    y = 0

    def new_page() -> None:
        nonlocal y
        pages.append(Image.new("RGB", PAGE, "white"))
        ImageDraw.Draw(pages[-1]).text((MARGIN, MARGIN - 40), title, font=heading, fill=INK)
        y = MARGIN + 20

    def line(text: str, font, colour, step: int, indent: int = 0) -> None:
        nonlocal y
        for part in _wrap(ImageDraw.Draw(pages[-1]), text, font, width - indent):
            if y + step > bottom:
                new_page()
            ImageDraw.Draw(pages[-1]).text((MARGIN + indent, y), part, font=font, fill=colour)
            y += step

    new_page()
    for section in sections:
        y += 16
        line(section.title, bold, INK, 34)
        for item in section.items or [Item(section.empty, colour=MUTED)]:
            line(item.head, bold, item.colour, 26)
            for text in item.lines:
                line(text, body, INK, 24, indent=16)
            y += 8
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150.0, title=title)
