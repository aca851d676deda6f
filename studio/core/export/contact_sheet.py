"""The contact sheet a client reviews: every rendition as a thumbnail with its placement, size,
length and check result, and the copy per platform; as an HTML page and as a PDF.

Both come out byte for byte the same for the same package (the PDF carries no dates), so the
manifest stays reproducible.
"""

from __future__ import annotations

import html
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

from studio.core.render.layers import find_font

THUMB = 320  # long side, pixels
PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN, COLUMNS, GAP = 80, 3, 30
INK, MUTED, OK, WARN, BAD = (30, 30, 34), (110, 110, 120), (30, 130, 70), (190, 120, 0), (190, 40, 40)


def thumbnail(path: Path, media: str) -> Image.Image:
    if media == "image":
        with Image.open(path) as img:
            picture = img.convert("RGB")
    else:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            third = int((stream.duration or 0) / 3)
            container.seek(third, stream=stream)
            picture = next(container.decode(stream)).to_image()
    picture.thumbnail((THUMB, THUMB), Image.LANCZOS)
    return picture


def write_contact_sheet(folder: Path, title: str, items: list[dict], copy: dict[str, dict[str, list[str]]]) -> list[Path]:
    """items: {"path" (in the package), "file" (absolute), "media", "spec" (the placement's name), "source",
    "size", "duration_s", "errors", "warnings"}.
    Writes contact-sheet.html, contact-sheet.pdf and thumbs/ into folder; returns the files written."""
    thumbs = folder / "thumbs"
    thumbs.mkdir(parents=True, exist_ok=True)
    written = []
    for item in items:
        item["thumb"] = thumbs / (Path(item["path"]).stem + ".jpg")
        item["picture"] = thumbnail(item["file"], item["media"])
        item["picture"].save(item["thumb"], quality=85)
        written.append(item["thumb"])
    (folder / "contact-sheet.html").write_text(_html(title, items, copy), encoding="utf-8", newline="\n")
    _pdf(folder / "contact-sheet.pdf", title, items, copy)
    return written + [folder / "contact-sheet.html", folder / "contact-sheet.pdf"]


def _status(item) -> tuple[str, tuple[int, int, int]]:
    if item["errors"]:
        return f"{item['errors']} error(s)", BAD
    if item["warnings"]:
        return f"passes, {item['warnings']} warning(s)", WARN
    return "passes its spec", OK


def _facts(item) -> str:
    w, h = item["size"]
    length = f" · {item['duration_s']:.1f} s" if item.get("duration_s") else ""
    return f"{w}×{h}{length}"


def _html(title: str, items: list[dict], copy) -> str:
    e = html.escape
    cards = []
    for item in items:
        status, colour = _status(item)
        cards.append(
            f'<figure><img src="thumbs/{e(item["thumb"].name)}" alt="">'
            f'<figcaption><b>{e(item["spec"])}</b><br>{e(item["source"])}<br>{e(_facts(item))}<br>'
            f'<span style="color:rgb{colour}">{e(status)}</span><br><small>{e(item["path"])}</small></figcaption></figure>')
    copy_blocks = []
    for platform, fields in copy.items():
        rows = "".join(f"<tr><th>{e(name.replace('_', ' '))}</th><td>{'<br>'.join(map(e, texts))}</td></tr>" for name, texts in sorted(fields.items()))
        if rows:
            copy_blocks.append(f"<h3>{e(platform.title())}</h3><table>{rows}</table>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;color:#1e1e22;margin:40px}}
h1{{font-weight:600}} .grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:24px}}
figure{{margin:0;border:1px solid #ddd;border-radius:8px;padding:12px;background:#fafafa}}
img{{max-width:100%;max-height:320px;display:block;margin:0 auto 8px}}
small{{color:#6e6e78}} table{{border-collapse:collapse}} th{{text-align:left;padding:4px 12px 4px 0;vertical-align:top;color:#6e6e78}}
</style></head><body>
<h1>{e(title)}</h1>
<h2>Renditions</h2><div class="grid">{''.join(cards)}</div>
<h2>Copy</h2>{''.join(copy_blocks) or '<p>No copy in this package.</p>'}
</body></html>
"""


def _fit(draw, text: str, font, width: int) -> str:
    """text, cut with an ellipsis to fit width pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def page_font(size: int, bold: bool = False):
    """DejaVu Sans at size pixels for PDF pages (Pillow's own font where it is missing)."""
    file, _warning = find_font("DejaVu Sans", bold)
    try:
        return ImageFont.truetype(file, size) if file else ImageFont.load_default(size)
    except OSError:
        return ImageFont.load_default(size)


def _pdf(path: Path, title: str, items: list[dict], copy) -> None:
    heading, bold, body = page_font(36, True), page_font(20, True), page_font(18)
    pages, page, y = [], None, 0
    cell = (PAGE[0] - 2 * MARGIN - (COLUMNS - 1) * GAP) // COLUMNS

    def new_page():
        nonlocal page, y
        page = Image.new("RGB", PAGE, "white")
        pages.append(page)
        ImageDraw.Draw(page).text((MARGIN, MARGIN - 40), title, font=heading, fill=INK)
        y = MARGIN + 30

    new_page()
    for row in range(0, len(items), COLUMNS):
        if y + cell + 140 > PAGE[1] - MARGIN:
            new_page()
        draw = ImageDraw.Draw(page)
        for col, item in enumerate(items[row:row + COLUMNS]):
            x = MARGIN + col * (cell + GAP)
            picture = item["picture"].copy()
            picture.thumbnail((cell, cell))
            page.paste(picture, (x + (cell - picture.width) // 2, y + (cell - picture.height) // 2))
            status, colour = _status(item)
            draw.text((x, y + cell + 10), _fit(draw, item["spec"], bold, cell), font=bold, fill=INK)
            draw.text((x, y + cell + 36), _fit(draw, item["source"], body, cell), font=body, fill=MUTED)
            draw.text((x, y + cell + 60), _facts(item), font=body, fill=MUTED)
            draw.text((x, y + cell + 84), status, font=body, fill=colour)
        y += cell + 140
    for platform, fields in copy.items():
        lines = [f"{name.replace('_', ' ')}: {text}" for name, texts in sorted(fields.items()) for text in texts]
        if not lines:
            continue
        if y + 40 + 28 * min(len(lines), 5) > PAGE[1] - MARGIN:
            new_page()
        draw = ImageDraw.Draw(page)
        draw.text((MARGIN, y), f"{platform.title()} copy", font=bold, fill=INK)
        y += 34
        for line in lines:
            if y + 28 > PAGE[1] - MARGIN:
                new_page()
                draw = ImageDraw.Draw(page)
            draw.text((MARGIN, y), line[:110], font=body, fill=INK)
            y += 28
        y += 20
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150.0, title=title,
                  creationDate=None, modDate=None)  # no dates: the same package gives the same bytes
