"""Shadow masks (float 0..1, 1 = fully shadowed) for a product standing at a contact point.

Coordinates are those of the working region. The contact shadow is a dark core along the
contact line that grows softer and lighter away from it; the cast shadow is the product's
silhouette laid down on the ground plane away from the light, blurred more the farther it
falls from the contact (a penumbra widens with distance from the occluder).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

CAST_LENGTH = 0.9  # shadow length on the ground per unit of product height, light at 45 degrees
GROUND_SQUASH = 0.3  # foreshortening of the ground plane seen from a standing camera
MIN_GROUND_SLOPE = 0.12
WORK_HEIGHT_PX = 160  # cast shadows of taller products are computed at this scale


def contact_shadow(shape, contact, half_width: float) -> np.ndarray:
    """A dark core under the contact line plus a wider, fainter halo."""
    h, w = shape
    half_width = max(half_width, 1.0)
    out = np.zeros((h, w), np.float32)
    # Drawn in a patch around the contact: the halo reaches 1.25 half-widths, its blur a little more.
    r = math.ceil(half_width * 1.6) + 4
    x0, y0 = max(0, round(contact[0]) - r), max(0, round(contact[1]) - r)
    patch = out[y0:round(contact[1]) + r, x0:round(contact[0]) + r]
    centre = (round(contact[0]) - x0, round(contact[1]) - y0)
    for reach, height, darkness in ((0.95, 0.05, 1.0), (1.25, 0.16, 0.55)):
        layer = np.zeros_like(patch)
        axes = (max(1, round(half_width * reach)), max(1, round(half_width * height)))
        cv2.ellipse(layer, centre, axes, 0, 0, 360, darkness, -1, cv2.LINE_AA)
        np.maximum(patch, cv2.GaussianBlur(layer, (0, 0), max(0.6, axes[1] * 0.8)), out=patch)
    return out


def cast_matrix(contact, light_dir) -> np.ndarray:
    """3×3 matrix laying a point at height (contact_y - y) down on the ground, away from the light."""
    lx, ly = light_dir
    norm = float(np.hypot(lx, ly)) or 1.0
    dx = -lx / norm * CAST_LENGTH
    dy = -ly / norm * CAST_LENGTH * GROUND_SQUASH
    dy = dy if abs(dy) >= MIN_GROUND_SLOPE else np.copysign(MIN_GROUND_SLOPE, dy or 1.0)
    cy = contact[1]
    # x' = x + dx * (cy - y),  y' = cy + dy * (cy - y)
    return np.array([[1.0, -dx, dx * cy], [0.0, -dy, cy * (1 + dy)], [0.0, 0.0, 1.0]])


def cast_shadow(alpha: np.ndarray, contact, light_dir, height_px: float) -> np.ndarray:
    """The silhouette alpha (region coordinates) laid on the ground; sharp at the contact, soft and light far away.

    Worked out at a reduced scale for tall products: the shadow is soft, and full-size blurs are slow.
    """
    h, w = alpha.shape
    f = min(1.0, WORK_HEIGHT_PX / max(height_px, 1.0))
    sw, sh = max(1, round(w * f)), max(1, round(h * f))
    fx, fy = sw / w, sh / h
    small_contact = (contact[0] * fx, contact[1] * fy)
    small_height = height_px * fy
    small = cv2.resize(alpha, (sw, sh), interpolation=cv2.INTER_AREA) if f < 1 else alpha
    flat = cv2.warpAffine(small, _pixel_centres(cast_matrix(small_contact, light_dir))[:2], (sw, sh),
                          flags=cv2.INTER_LINEAR, borderValue=0)
    near = cv2.GaussianBlur(flat, (0, 0), max(0.8, small_height * 0.01))
    far = cv2.GaussianBlur(flat, (0, 0), max(2.0, small_height * 0.06))
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    reach = max(1.0, small_height * CAST_LENGTH)
    t = np.clip(np.hypot(xx - small_contact[0], (yy - small_contact[1]) / GROUND_SQUASH) / reach, 0, 1)
    shadow = (near + (far - near) * t) * (1 - 0.7 * t)
    return cv2.resize(shadow, (w, h), interpolation=cv2.INTER_LINEAR) if f < 1 else shadow


def _pixel_centres(m: np.ndarray) -> np.ndarray:
    """m (continuous coordinates, a pixel spans [i, i+1)) as OpenCV applies it (pixel centres)."""
    shift = np.array([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]])
    unshift = np.array([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]])
    return unshift @ m @ shift
