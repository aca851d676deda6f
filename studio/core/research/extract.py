"""What a brand's web page says and how it looks: clean text, title, description, headings,
links, and the colours and font families its CSS uses. Pure functions over strings."""

from __future__ import annotations

import colorsys
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

# Page furniture that is not the brand's words.
_DROP_TAGS = "script, style, noscript, template, svg, iframe, nav, footer, aside, form, button"
# Cookie and consent banners: by id or class, as their libraries name them.
_BANNER = re.compile(r"cookie|consent|gdpr|onetrust|cmp-", re.IGNORECASE)
_BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, blockquote, figcaption, dt, dd, td, th"
_HEADINGS = ("h1", "h2", "h3")
_GENERIC_FONTS = {
    "serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif", "ui-sans-serif",
    "ui-monospace", "ui-rounded", "emoji", "math", "fangsong", "inherit", "initial", "unset", "revert",
    "-apple-system", "blinkmacsystemfont",
}
_SPACE = re.compile(r"\s+")


@dataclass
class PageContent:
    title: str = ""
    description: str = ""
    headings: list[str] = field(default_factory=list)
    text: str = ""
    links: list[str] = field(default_factory=list)  # absolute, without fragments, in page order
    images: list[str] = field(default_factory=list)  # absolute <img> and og:image addresses
    stylesheets: list[str] = field(default_factory=list)  # absolute <link rel=stylesheet> addresses
    colours: list[str] = field(default_factory=list)  # "#rrggbb", one per use in inline and <style> CSS
    fonts: list[str] = field(default_factory=list)  # family names, one per use


def decode(data: bytes, charset: str | None = None) -> str:
    """Text from bytes: in the charset the server named, else UTF-8 (with or without a byte-order
    mark), else the Windows code page most old pages and files use."""
    if charset:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:  # a charset name Python does not know
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def parse_html(html: str | bytes, url: str = "") -> PageContent:
    """The page's content; relative addresses are resolved against url (or its <base>)."""
    tree = HTMLParser(html)
    base = tree.css_first("base[href]")
    base_url = urljoin(url, base.attributes.get("href") or "") if base else url
    page = PageContent()
    title = tree.css_first("title")
    page.title = _clean(title.text()) if title else ""
    for selector in ('meta[name="description"]', 'meta[property="og:description"]'):
        meta = tree.css_first(selector)
        if meta and (meta.attributes.get("content") or "").strip():
            page.description = _clean(meta.attributes["content"])
            break

    css = [node.text() for node in tree.css("style")]
    css += [node.attributes.get("style") or "" for node in tree.css("[style]")]
    page.colours = [c for block in css for c in css_colours(block)]
    page.fonts = [f for block in css for f in css_fonts(block)]
    for link in tree.css("link[href]"):
        rel = (link.attributes.get("rel") or "").lower()
        href = urljoin(base_url, link.attributes.get("href") or "")
        if "stylesheet" not in rel:
            continue
        if urlsplit(href).hostname in ("fonts.googleapis.com", "fonts.bunny.net"):
            page.fonts += google_fonts(href)
        else:
            page.stylesheets.append(href)
    og_image = tree.css_first('meta[property="og:image"]')
    image_refs = [og_image.attributes.get("content")] if og_image else []
    image_refs += [img.attributes.get("src") for img in tree.css("img[src]")]
    page.images = _unique(urljoin(base_url, ref) for ref in image_refs if ref and not ref.startswith("data:"))
    page.links = _unique(
        urljoin(base_url, a.attributes.get("href") or "").split("#")[0]
        for a in tree.css("a[href]")
        if not (a.attributes.get("href") or "").startswith(("#", "mailto:", "tel:", "javascript:"))
    )

    banners = [n for n in tree.css("[id], [class]") if _BANNER.search(f"{n.attributes.get('id')} {n.attributes.get('class')}")]
    _remove(tree.css(_DROP_TAGS) + banners)
    page.headings = [t for node in tree.css(", ".join(_HEADINGS)) if (t := _clean(node.text()))]
    page.text = _body_text(tree)
    return page


def _remove(nodes) -> None:
    """Decompose the outermost of nodes (a node inside one already gone must not be touched)."""
    doomed = {n.mem_id for n in nodes}
    for node in nodes:
        parent, inside = node.parent, False
        while parent is not None and not inside:
            inside, parent = parent.mem_id in doomed, parent.parent
        if not inside:
            node.decompose()


def _body_text(tree: HTMLParser) -> str:
    """Headings and paragraphs in page order, one per line; a block that holds other blocks
    (a list item wrapping a paragraph) gives way to them so nothing is said twice."""
    lines = []
    for node in tree.css(_BLOCKS):
        if len(node.css(_BLOCKS)) > 1:  # lexbor's css() includes the node itself
            continue
        if text := _clean(node.text(separator=" ")):
            lines.append(text)
    if not lines and tree.body is not None:  # a page without block markup: its plain text
        lines = [_clean(tree.body.text(separator=" "))]
    return "\n".join(line for line in lines if line)


def _unique(items) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


# --- CSS ------------------------------------------------------------------------------------

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_BLOCK = re.compile(r"\{([^{}]*)\}")  # innermost blocks hold declarations, even inside @media
_HEX = re.compile(r"#([0-9a-f]{8}|[0-9a-f]{6}|[0-9a-f]{3,4})\b", re.IGNORECASE)
_FUNC = re.compile(r"\b(rgba?|hsla?)\(([^)]*)\)", re.IGNORECASE)
_FONT_SHORTHAND = re.compile(r"[\d.]+(?:px|pt|em|rem|%|vw|vh)(?:\s*/\s*\S+)?\s+(.+)$", re.IGNORECASE)
_URL = re.compile(r"url\([^)]*\)", re.IGNORECASE)
_MIN_ALPHA = 0.1  # fainter than this, a colour is not part of the look


def _declarations(css: str) -> list[tuple[str, str]]:
    css = _COMMENT.sub("", css)
    bodies = _BLOCK.findall(css) if "{" in css else [css]  # an inline style is a bare list
    pairs = []
    for body in bodies:
        for declaration in body.split(";"):
            name, sep, value = declaration.partition(":")
            if sep:
                pairs.append((name.strip().lower(), value.strip()))
    return pairs


def css_colours(css: str) -> list[str]:
    """Every opaque enough colour used in the declarations, as "#rrggbb"."""
    colours = []
    for name, value in _declarations(css):
        value = _URL.sub("", value)  # url(#id) and file names are not colours
        for match in _HEX.finditer(value):
            digits = match.group(1)
            if len(digits) in (3, 4):
                digits = "".join(ch * 2 for ch in digits)
            if len(digits) == 8 and int(digits[6:], 16) / 255 < _MIN_ALPHA:
                continue
            colours.append("#" + digits[:6].lower())
        for func, args in _FUNC.findall(value):
            if (hex_colour := _functional(func.lower(), args)) is not None:
                colours.append(hex_colour)
    return colours


def _functional(func: str, args: str) -> str | None:
    """rgb()/rgba()/hsl()/hsla() in comma or space syntax; None when unreadable or near transparent."""
    parts = [p for p in re.split(r"[\s,/]+", args.strip()) if p]
    if len(parts) < 3 or any(p.startswith("var(") for p in parts):
        return None
    try:
        alpha = _number(parts[3], 1.0) if len(parts) > 3 else 1.0
        if alpha < _MIN_ALPHA:
            return None
        if func.startswith("rgb"):
            rgb = [_number(p, 255.0) for p in parts[:3]]
        else:
            hue = float(parts[0].removesuffix("deg"))
            r, g, b = colorsys.hls_to_rgb((hue % 360) / 360, _number(parts[2], 1.0), _number(parts[1], 1.0))
            rgb = [r * 255, g * 255, b * 255]
    except ValueError:
        return None
    return "#" + "".join(f"{int(min(max(v, 0), 255) + 0.5):02x}" for v in rgb)  # halves up, as browsers round


def _number(text: str, scale: float) -> float:
    """A CSS number; a percentage is a share of scale; a bare alpha or lightness is already 0..1."""
    if text.endswith("%"):
        return float(text[:-1]) / 100 * scale
    return float(text)


def css_fonts(css: str) -> list[str]:
    """Font families named in font-family and font declarations (@font-face included),
    without the generic ones (serif, sans-serif, ...)."""
    fonts = []
    for name, value in _declarations(css):
        if name == "font":
            match = _FONT_SHORTHAND.search(value)
            value = match.group(1) if match else ""
        elif name != "font-family":
            continue
        for family in value.split(","):
            family = family.replace("!important", "").strip().strip("'\"").strip()
            if family and family.lower() not in _GENERIC_FONTS and not family.startswith("var("):
                fonts.append(family)
    return fonts


def google_fonts(href: str) -> list[str]:
    """The families a Google Fonts stylesheet link asks for (css and css2 styles)."""
    families = []
    for spec in parse_qs(urlsplit(href).query).get("family", []):
        for family in spec.split("|"):  # the old API joins several with |
            name = family.split(":")[0].replace("+", " ").strip()
            if name:
                families.append(name)
    return families


def most_used(items: list[str], limit: int | None = None) -> list[str]:
    """Distinct items, most used first (ties in first-seen order)."""
    return [item for item, _ in Counter(items).most_common(limit)]
