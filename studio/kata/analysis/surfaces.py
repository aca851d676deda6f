"""Support surfaces: the floor, and table tops or shelves seen from the front.

Works at analysis scale on line segments. A table top is a band below the horizon bounded
above and below by long near-horizontal edges, of even colour inside (a tiled floor's bands
alternate), with a differently coloured front face under it. Its height comes from where
that front face meets the floor: at one depth, rows below the horizon scale with the drop
from the camera, so (top - horizon) / (foot - horizon) = (camera - top height) / camera.
"""

from __future__ import annotations

import cv2
import numpy as np

from .geometry import Segments
from .scene import DEFAULT_HEIGHTS_M, Surface

_FLAT_DEG = 3.0
_EVEN_STD = 18.0  # max Lab spread inside a table top
_DIFFERENT = 20.0  # min Lab distance between a top and its front face
_MIN_WIDTH = 0.08  # of the image width
_MIN_TOP_M = 0.45  # a "top" narrower than this at table height is more likely a floor tile or a step


def find_surfaces(rgb: np.ndarray, segments: Segments, horizon_y: float, floor_top_y: float,
                  camera_height_m: float, scale: float) -> list[Surface]:
    """Surfaces in the analysis-scale image; masks at that scale, boxes in full-res pixels."""
    h, w = rgb.shape[:2]
    lab = cv2.cvtColor(cv2.GaussianBlur(rgb, (5, 5), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    flat = segments.subset((segments.angle_deg < _FLAT_DEG) & (segments.length > _MIN_WIDTH * w))
    flat = flat.subset(np.minimum(flat.p[:, 1], flat.q[:, 1]) > horizon_y)
    surfaces, taken = [], np.zeros((h, w), bool)
    for top in _table_tops(lab, flat, horizon_y, camera_height_m):
        x0, y0, x1, y1, front_y1, height_m, (fx0, fx1) = top
        if taken[y0:y1, x0:x1].any():
            continue
        mask = np.zeros((h, w), bool)
        mask[y0:y1, x0:x1] = True
        # Top and front face are not floor; the face is as wide as the top's near edge (wider
        # than the box above, which is cut to the far edge that perspective makes narrower).
        taken[y0:y1, x0:x1] = True
        taken[y1:front_y1, max(fx0 - 2, 0):fx1 + 2] = True
        kind = "shelf" if height_m > 0.95 else "table"
        surfaces.append(Surface(kind, _full_res((x0, y0, x1, y1), scale), height_m, mask))
    floor = np.zeros((h, w), bool)
    floor[int(np.ceil(floor_top_y)):] = True
    floor &= ~taken
    if floor[-1].mean() > 0.5 and floor.mean() > 0.08:
        rows, cols = np.nonzero(floor)
        box = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
        surfaces.append(Surface("floor", _full_res(box, scale), 0.0, floor))
    return surfaces


def _table_tops(lab, flat: Segments, horizon_y: float, camera_height_m: float):
    """Candidate tops (x0, y0, x1, y1, foot_row, height_m, near edge's (x0, x1)) at analysis scale."""
    h = lab.shape[0]
    ys = (flat.p[:, 1] + flat.q[:, 1]) / 2
    xs = np.sort(np.stack([flat.p[:, 0], flat.q[:, 0]], 1), axis=1)
    order = np.argsort(ys)
    found = []
    for a_i, upper in enumerate(order):
        for lower in order[a_i + 1:]:
            x0, x1 = max(xs[upper, 0], xs[lower, 0]), min(xs[upper, 1], xs[lower, 1])
            shorter = min(xs[upper, 1] - xs[upper, 0], xs[lower, 1] - xs[lower, 0])
            y0, y1 = int(np.ceil(ys[upper])) + 1, int(ys[lower]) - 1
            if x1 - x0 < 0.7 * shorter or y1 - y0 < 4 or y1 + 3 + (y1 - y0) > h:
                continue
            ix0, ix1 = int(np.ceil(x0)) + 2, int(x1) - 2
            px_per_m = (ys[lower] - horizon_y) / (camera_height_m - DEFAULT_HEIGHTS_M["table"])
            if (ix1 - ix0) < _MIN_TOP_M * px_per_m:
                continue
            band = lab[y0:y1, ix0:ix1].reshape(-1, 3)
            below = lab[y1 + 3: y1 + 3 + (y1 - y0), ix0:ix1].reshape(-1, 3)
            # Under a table top hangs an even front face; under a floor tile, slivers of its neighbours.
            if band.size == 0 or below.size == 0 or max(band.std(0).max(), below.std(0).max()) > _EVEN_STD:
                continue
            if np.linalg.norm(band.mean(0) - below.mean(0)) < _DIFFERENT:
                continue
            foot = _foot_row(ys, xs, y1, ix0, ix1)
            height = DEFAULT_HEIGHTS_M["table"]
            if foot is not None:
                measured = camera_height_m * (1 - (ys[lower] - horizon_y) / (foot - horizon_y))
                height = measured if 0.3 <= measured <= 1.4 else height
            near = (int(np.floor(xs[lower, 0])), int(np.ceil(xs[lower, 1])))
            found.append((ix0, y0, ix1, y1, int(foot) if foot else h, round(float(height), 3), near))
            break  # the nearest lower edge closes this top
    # Farthest first, so a top claims its own front face before that face can pass for a top.
    return sorted(found, key=lambda t: t[1])


def _foot_row(ys, xs, below_y, x0, x1):
    """The first row under the front face where flat edges cover most of its width: the floor
    contact (a tiled floor breaks that edge into pieces, so pieces on one row are summed)."""
    for y in np.sort(ys[ys > below_y + 4]):
        on_row = np.abs(ys - y) <= 2
        covered = np.clip(np.minimum(xs[on_row, 1], x1) - np.maximum(xs[on_row, 0], x0), 0, None).sum()
        if covered >= 0.6 * (x1 - x0):
            return float(y)
    return None


def _full_res(box, scale: float) -> tuple[int, int, int, int]:
    return tuple(round(v / scale) for v in box)
