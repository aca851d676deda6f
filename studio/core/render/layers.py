"""Rasterizing text, shapes and the media-offline slate into premultiplied RGBA layers.

Sizes in the model are canvas pixels (text size, stroke, padding, radius, shadow) or
canvas fractions (shape size, wrap width, fit box); `scale` is the preview scale, so a
half-size preview rasterizes text at half the font size rather than shrinking pixels.
"""

from __future__ import annotations

import functools
import math
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from studio.core.timeline.model import ShapeClip, TextClip

MIN_FIT_SIZE = 6.0  # px: auto-fit never shrinks text below this
SLATE_COLOUR = (90, 14, 20, 255)


def rgba(colour: str) -> tuple[int, int, int, int]:
    """'#RRGGBB' or '#RRGGBBAA' as an (r, g, b, a) tuple."""
    values = [int(colour[i:i + 2], 16) for i in range(1, len(colour), 2)]
    return tuple(values + [255] * (4 - len(values)))


def premultiply(pixels: np.ndarray) -> np.ndarray:
    """Straight RGBA uint8 → premultiplied (a copy; opaque images come back as they are)."""
    alpha = pixels[..., 3:4]
    if alpha.min() == 255:
        return pixels
    out = pixels.copy()
    out[..., :3] = (pixels[..., :3].astype(np.uint16) * alpha + 127) // 255
    return out


# ---- fonts ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def find_font(family: str, bold: bool) -> tuple[str | None, str | None]:
    """(font file, warning). A font file path is taken as is; otherwise fontconfig is asked,
    then Pillow's own search by file name. A family that is not installed gets the nearest
    substitute (or Pillow's bundled font) and a warning for the user."""
    if Path(family).suffix.lower() in (".ttf", ".otf", ".ttc") and Path(family).is_file():
        return family, None
    substitute = None
    if fc_match := shutil.which("fc-match"):
        try:
            out = subprocess.run([fc_match, "-f", "%{family}\n%{file}", f"{family}:{'bold' if bold else 'regular'}"],
                                 capture_output=True, text=True, timeout=5)
            families, _, file = out.stdout.partition("\n")
            if out.returncode == 0 and file:
                if family.lower() in (f.strip().lower() for f in families.split(",")):
                    return file, None
                substitute = file
        except (OSError, subprocess.SubprocessError):
            pass
    stem = family.replace(" ", "")
    for name in ([f"{stem}-Bold.ttf"] if bold else []) + [f"{stem}.ttf"]:
        try:
            ImageFont.truetype(name, 10)
            return name, None
        except OSError:
            pass
    return substitute, f'The font "{family}" is not installed, so a fallback font is used.'


def load_font(family: str, bold: bool, size: float) -> tuple[ImageFont.FreeTypeFont, str | None]:
    path, warning = find_font(family, bold)
    if path:
        try:
            return ImageFont.truetype(path, size), warning
        except OSError:
            warning = f'The font "{family}" could not be loaded, so a fallback font is used.'
    return ImageFont.load_default(size), warning


# ---- text -------------------------------------------------------------------------------
def _wrap(text: str, font, max_width: float) -> str:
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and font.getlength(trial) > max_width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return "\n".join(lines)


def text_layer(clip: TextClip, canvas: tuple[int, int], scale: float = 1.0) -> tuple[np.ndarray, list[str]]:
    """The text block (box, shadow, stroke, fill) as premultiplied RGBA, and any warnings.
    canvas is the output size (w, h): the composition size times scale."""
    W, H = canvas
    bold = clip.weight == "bold"
    pad = clip.box.padding * scale if clip.box else 0.0
    max_width = clip.wrap_width * W
    if clip.fit_box:
        max_width = min(max_width, clip.fit_box[0] * W)
    size = clip.size * scale
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    while True:
        font, warning = load_font(clip.font, bold, size)
        stroke = math.ceil(clip.stroke.width * size / clip.size)  # shrinks with the text, never to nothing
        wrapped = _wrap(clip.text, font, max_width - 2 * pad - 2 * stroke)
        spacing = round(size * 0.2)
        box = probe.multiline_textbbox((0, 0), wrapped, font=font, spacing=spacing, align=clip.align, stroke_width=stroke)
        block = (box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad)
        if not clip.fit_box or size <= MIN_FIT_SIZE:
            break
        room = min(clip.fit_box[0] * W / block[0], clip.fit_box[1] * H / block[1])
        if room >= 1:
            break
        size = max(MIN_FIT_SIZE, size * min(max(room, 0.5), 0.95))

    shadow = clip.shadow
    margin = math.ceil(shadow.blur * scale * 1.5 + max(map(abs, shadow.offset)) * scale) if shadow else 0
    bw, bh = max(1, math.ceil(block[0])), max(1, math.ceil(block[1]))  # empty text: an empty layer
    layer = Image.new("RGBA", (bw + 2 * margin, bh + 2 * margin))
    if clip.box:
        ImageDraw.Draw(layer).rounded_rectangle((margin, margin, margin + bw - 1, margin + bh - 1),
                                                radius=clip.box.radius * scale, fill=rgba(clip.box.colour))
    text = Image.new("RGBA", layer.size)
    ImageDraw.Draw(text).multiline_text(
        (margin + pad - box[0], margin + pad - box[1]), wrapped, font=font, fill=rgba(clip.colour), spacing=spacing,
        align=clip.align, stroke_width=stroke, stroke_fill=rgba(clip.stroke.colour))
    layer = Image.alpha_composite(layer, text)
    pixels = premultiply(np.asarray(layer))
    if shadow:
        pixels = _with_shadow(pixels, rgba(shadow.colour), (shadow.offset[0] * scale, shadow.offset[1] * scale), shadow.blur * scale)
    return pixels, [warning] if warning else []


def _with_shadow(pixels: np.ndarray, colour, offset, blur: float) -> np.ndarray:
    alpha = pixels[..., 3].astype(np.float32) * (colour[3] / 255)
    shift = np.float32([[1, 0, offset[0]], [0, 1, offset[1]]])
    alpha = cv2.warpAffine(alpha, shift, (alpha.shape[1], alpha.shape[0]))
    if blur > 0:
        alpha = cv2.GaussianBlur(alpha, (0, 0), blur / 2)
    shade = np.empty_like(pixels)
    for i in range(3):
        shade[..., i] = np.rint(alpha * (colour[i] / 255))
    shade[..., 3] = np.rint(alpha)
    return over(pixels, shade)


def over(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Premultiplied top over bottom, same size."""
    keep = 255 - top[..., 3:4].astype(np.uint16)
    return (top + (bottom * keep + 127) // 255).astype(np.uint8)


# ---- shapes and the slate ---------------------------------------------------------------
def shape_layer(clip: ShapeClip, size: tuple[int, int], scale: float = 1.0) -> np.ndarray:
    """The shape filling size (w, h) output pixels, anti-aliased by 4× supersampling."""
    w, h = size
    colour = np.array(rgba(clip.fill), np.float32)
    if clip.shape == "rectangle":
        mask = np.full((h, w), 255, np.uint8)
    else:
        ss = max(1, min(4, 8192 // max(w, h)))
        big = Image.new("L", (w * ss, h * ss), 0)
        draw = ImageDraw.Draw(big)
        if clip.shape == "ellipse":
            draw.ellipse((0, 0, w * ss - 1, h * ss - 1), fill=255)
        else:
            draw.rounded_rectangle((0, 0, w * ss - 1, h * ss - 1), radius=min(clip.radius * scale, w / 2, h / 2) * ss, fill=255)
        mask = np.asarray(big.reduce(ss))
    a = mask.astype(np.float32) * (colour[3] / 255)
    out = np.empty((h, w, 4), np.uint8)
    for i in range(3):
        out[..., i] = np.rint(a * (colour[i] / 255))
    out[..., 3] = np.rint(a)
    return out


def slate(size: tuple[int, int], name: str) -> np.ndarray:
    """The "media offline" card shown in place of a clip whose media cannot be read."""
    w, h = size
    img = Image.new("RGBA", size, SLATE_COLOUR)
    draw = ImageDraw.Draw(img)
    big, _ = load_font("DejaVu Sans", True, max(8, min(w, h) / 10))
    small, _ = load_font("DejaVu Sans", False, max(6, min(w, h) / 20))
    draw.text((w / 2, h / 2), "MEDIA OFFLINE", font=big, fill="white", anchor="md")
    draw.text((w / 2, h / 2 + h / 40), _wrap(name, small, w * 0.9), font=small, fill=(255, 255, 255, 200), anchor="ma", align="center")
    return np.asarray(img).copy()
