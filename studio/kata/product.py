"""A product shot ready to place: cut out, cropped tight, with its contact line and real height."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.core.errors import BadInput
from studio.kata.images import load_rgba

CATEGORY_HEIGHTS_M = {
    "bottle": 0.25, "can": 0.12, "cup": 0.10, "mug": 0.10, "glass": 0.15, "jar": 0.15, "box": 0.20,
    "bag": 0.30, "shoe": 0.12, "plant": 0.45, "chair": 0.90, "lamp": 0.50, "vase": 0.30,
    "book": 0.24, "phone": 0.15, "laptop": 0.25, "speaker": 0.20, "tube": 0.15, "perfume": 0.12,
}
OPAQUE = 128  # alpha at or above this counts as part of the product
# A row is part of the base only when this share of the product's widest row is opaque there,
# so a stray semi-transparent pixel or a thin shadow left below does not become the contact.
BASE_MIN_SHARE = 0.05
BORDER_PX = 4
BUSY_BORDER_STD = 18.0  # grey-level std of the border ring above which the background is "busy"


@dataclass
class Product:
    rgba: np.ndarray  # straight-alpha RGBA uint8, cropped tight to the alpha
    base_y: int  # the contact line: the bottom edge of the lowest robustly opaque row
    base_span: tuple[int, int]  # x0, x1 (exclusive) of the opaque pixels on the contact row
    height_m: float
    category: str
    cut_out: bool  # True when we cut it out of a plain background ourselves


def load_product(path, **kw) -> Product:
    """The product in the image at path (see analyze_product for the keywords)."""
    return analyze_product(load_rgba(path), **kw)


def analyze_product(image: np.ndarray, *, height_m: float | None = None, category: str = "bottle") -> Product:
    """Cut out (when the image has no useful alpha), crop tight and find the contact line."""
    if category not in CATEGORY_HEIGHTS_M:
        raise BadInput(f"Unknown product category {category!r}. Use one of: {', '.join(sorted(CATEGORY_HEIGHTS_M))}, "
                       "or give the product's height in metres.")
    if height_m is not None and not height_m > 0:
        raise BadInput(f"The product height must be more than 0 m (got {height_m}). Give its real height in metres.")
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise BadInput("The product image must be 8-bit RGB or RGBA. Save it as PNG or JPEG and try again.")
    has_alpha = image.shape[2] == 4 and (image[..., 3] < 250).mean() > 0.01
    rgba = image if has_alpha else cut_out(image[..., :3])
    rgba = _crop_to_alpha(rgba)
    base_y, base_span = _contact(rgba[..., 3])
    return Product(rgba=rgba, base_y=base_y, base_span=base_span,
                   height_m=float(height_m if height_m is not None else CATEGORY_HEIGHTS_M[category]),
                   category=category, cut_out=not has_alpha)


def cut_out(rgb: np.ndarray) -> np.ndarray:
    """RGBA: the object on a plain background, by GrabCut seeded from the border, edge refined by a guided filter."""
    h, w = rgb.shape[:2]
    border = np.concatenate([rgb[:BORDER_PX].reshape(-1, 3), rgb[-BORDER_PX:].reshape(-1, 3),
                             rgb[:, :BORDER_PX].reshape(-1, 3), rgb[:, -BORDER_PX:].reshape(-1, 3)]).astype(np.float32)
    if border.std(axis=0).max() > BUSY_BORDER_STD:
        raise BadInput("The product image has no transparency and its background is busy: use a cut-out PNG "
                       "(transparent background) or a photo on a plain background.")
    # Pixels far from the border colour are probably the object; the rest probably background.
    distance = np.linalg.norm(rgb.astype(np.float32) - np.median(border, axis=0), axis=2)
    threshold = max(25.0, 4.0 * float(np.linalg.norm(border.std(axis=0))))
    mask = np.where(distance > threshold, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    mask[:BORDER_PX], mask[-BORDER_PX:], mask[:, :BORDER_PX], mask[:, -BORDER_PX:] = (cv2.GC_BGD,) * 4
    if not (mask == cv2.GC_PR_FGD).any():
        raise BadInput("No product stands out from the plain background of this image. "
                       "Use a cut-out PNG (transparent background) or a photo with more contrast.")
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(rgb, mask, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
    hard = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
    radius = max(2, round(min(h, w) / 200))
    alpha = cv2.ximgproc.guidedFilter(rgb, hard, radius, 1e-3)
    return np.dstack([rgb, np.clip(alpha * 255 + 0.5, 0, 255).astype(np.uint8)])


def _crop_to_alpha(rgba: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(rgba[..., 3] >= OPAQUE)
    if ys.size == 0:
        raise BadInput("The product image is fully transparent. Use a PNG where the product itself is opaque.")
    return np.ascontiguousarray(rgba[ys.min():ys.max() + 1, xs.min():xs.max() + 1])


def _contact(alpha: np.ndarray) -> tuple[int, tuple[int, int]]:
    opaque = alpha >= OPAQUE
    counts = opaque.sum(axis=1)
    rows = np.flatnonzero(counts >= max(1, BASE_MIN_SHARE * counts.max()))
    row = int(rows[-1])
    cols = np.flatnonzero(opaque[row])
    return row + 1, (int(cols[0]), int(cols[-1]) + 1)
