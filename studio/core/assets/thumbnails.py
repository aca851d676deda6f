"""Thumbnails: a downscaled image, or a video's poster frame."""

from __future__ import annotations

import os
from pathlib import Path

import av
from PIL import Image

THUMB_SIZE = 320


def poster_frame(path: Path, duration: float | None) -> Image.Image:
    """A frame a tenth of the way in (past fades from black), at most 1 s in."""
    at = min(1.0, (duration or 0) * 0.1)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if at > 0:
            container.seek(int(at / stream.time_base), stream=stream)
        for frame in container.decode(stream):
            if frame.time is None or frame.time >= at - 1e-3:
                return frame.to_image()
    raise ValueError("no frame")


def save_thumbnail(img: Image.Image, dest_stem: Path) -> Path:
    """Writes dest_stem.jpg (or .png when the image has transparency) atomically.
    Shrinks img in place: callers hand over an image they no longer need."""
    img.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.BICUBIC, reducing_gap=2.0)
    alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    if alpha:
        img, ext, fmt = img.convert("RGBA"), ".png", "PNG"
    else:
        img, ext, fmt = img.convert("RGB"), ".jpg", "JPEG"
    dest = dest_stem.with_suffix(ext)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    img.save(tmp, fmt, quality=85)
    os.replace(tmp, dest)
    return dest
