"""Edge treatments for the product's silhouette. All work on the small working region."""

from __future__ import annotations

import cv2
import numpy as np

BLENDS = ("feather", "laplacian", "poisson", "none")
PYRAMID_LEVELS = 4


def feather(alpha: np.ndarray, feather_px: float) -> np.ndarray:
    """The alpha softened by a Gaussian of feather_px, never spreading beyond the original silhouette's reach."""
    if feather_px <= 0:
        return alpha
    return cv2.GaussianBlur(alpha, (0, 0), feather_px) * np.minimum(1.0, alpha * 4 + (alpha > 0))


def edge_band(alpha: np.ndarray, width_px: int) -> np.ndarray:
    """Bool mask of the pixels within width_px of the silhouette's edge."""
    hard = (alpha > 0.5).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width_px + 1, 2 * width_px + 1))
    return cv2.dilate(hard, kernel) != cv2.erode(hard, kernel)


def laplacian(fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Burt–Adelson multiband blend of float RGB fg over bg with mask alpha (float32 arrays)."""
    levels = min(PYRAMID_LEVELS, int(np.log2(max(2, min(alpha.shape)))) - 2)
    gauss = [alpha]
    for _ in range(levels):
        gauss.append(cv2.pyrDown(gauss[-1]))
    fg_l, bg_l = _laplacian_pyramid(fg, levels), _laplacian_pyramid(bg, levels)
    bands = [f * g[..., None] + b * (1 - g[..., None]) for f, b, g in zip(fg_l, bg_l, gauss)]
    out = bands[-1]
    for band in reversed(bands[:-1]):
        out = cv2.pyrUp(out, dstsize=band.shape[1::-1]) + band
    return out


def _laplacian_pyramid(img: np.ndarray, levels: int) -> list[np.ndarray]:
    pyramid, current = [], img
    for _ in range(levels):
        down = cv2.pyrDown(current)
        pyramid.append(current - cv2.pyrUp(down, dstsize=current.shape[1::-1]))
        current = down
    return pyramid + [current]


def poisson(fg_u8: np.ndarray, bg_u8: np.ndarray, alpha: np.ndarray) -> np.ndarray | None:
    """cv2.seamlessClone of fg into bg under the silhouette (uint8 RGB), or None when the mask is too small."""
    hard = (alpha > 0.5).astype(np.uint8) * 255
    ys, xs = np.nonzero(hard)
    h, w = hard.shape
    if ys.size < 16 or ys.min() == 0 or xs.min() == 0 or ys.max() == h - 1 or xs.max() == w - 1:
        return None
    centre = ((xs.min() + xs.max() + 1) // 2, (ys.min() + ys.max() + 1) // 2)
    return cv2.seamlessClone(fg_u8, bg_u8, hard, centre, cv2.NORMAL_CLONE)
