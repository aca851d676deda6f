"""Load scene and product images as upright 8-bit RGB or straight-alpha RGBA numpy arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from studio.core.errors import BadInput

MAX_PIXELS = 50_000_000
MIN_SIDE = 64

_WIDE_INT_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N")


def load_rgb(path) -> np.ndarray:
    """The image at path as RGB uint8 (H, W, 3), EXIF-upright; any alpha is dropped."""
    return _load(path)[..., :3].copy()


def load_rgba(path) -> np.ndarray:
    """The image at path as straight-alpha RGBA uint8 (H, W, 4); alpha is 255 when the file has none."""
    return _load(path)


def _load(path) -> np.ndarray:
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"Image not found: {path}. Check the path and try again.")
    try:
        with Image.open(path) as im:
            _check_size(path, im.size)  # from the header, before any pixels are decoded
            im = ImageOps.exif_transpose(im)
            return _to_rgba(im)
    except Image.DecompressionBombError as exc:
        raise BadInput(f"{path.name} is too large to open ({exc}). Use an image of at most {MAX_PIXELS // 1_000_000} MP.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BadInput(f"{path.name} is not an image we can read ({exc}). Save it as JPEG or PNG and try again.") from exc


def _check_size(path: Path, size: tuple[int, int]) -> None:
    w, h = size
    if w * h > MAX_PIXELS:
        raise BadInput(
            f"{path.name} is {w}×{h} ({w * h / 1e6:.0f} MP), over the {MAX_PIXELS // 1_000_000} MP limit. "
            "Downscale it and try again."
        )
    if min(w, h) < MIN_SIDE:
        raise BadInput(f"{path.name} is {w}×{h}, too small: both sides need at least {MIN_SIDE} px. Use a larger image.")


def _to_rgba(im: Image.Image) -> np.ndarray:
    if im.mode in _WIDE_INT_MODES:
        # 16-bit (or 32-bit int) grey: scale the value range down to 8 bits.
        values = np.asarray(im, dtype=np.float64)
        top = 65535.0 if values.max() > 255 else 255.0
        grey = np.clip(np.rint(values * (255.0 / top)), 0, 255).astype(np.uint8)
        im = Image.fromarray(grey, "L")
    # Pillow converts CMYK, YCbCr, palette (with its transparency), LA and L itself.
    return np.ascontiguousarray(np.asarray(im.convert("RGBA"), dtype=np.uint8))
