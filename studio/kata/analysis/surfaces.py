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
_COLOURS = 6  # k-means colours of the floor area
_FLOOR_SPREAD = 0.3  # a floor colour shows in at least this share of the floor's columns
_MIN_OBJECT = 0.002  # of the floor area: smaller foreign blobs are noise or a stain
_PLAIN = 0.15  # edge density under which a patch reads as an even floor or table top
_PLAIN_MIN_AREA = 0.05  # of the image: a plain band smaller than this is no floor
_PLAIN_MIN_BOTTOM = 0.3  # of the bottom row the plain band must reach (a floor runs out of the frame)


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
    floor &= ~objects_on(lab, floor)
    if floor[-1].mean() > 0.5 and floor.mean() > 0.08:
        rows, cols = np.nonzero(floor)
        box = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
        surfaces.append(Surface("floor", _full_res(box, scale), 0.0, floor))
    return surfaces


def plain_band(rgb: np.ndarray, edges: np.ndarray, horizon_y: float, scale: float) -> list[Surface]:
    """With no surface found from lines: the even, untextured part of the picture under the
    horizon that runs out of the frame at the bottom, less what stands on it, taken for the
    floor (a studio sweep, a table top filling the foreground). Empty when there is none."""
    h, w = edges.shape
    band = np.zeros((h, w), bool)
    band[min(h, int(np.ceil(horizon_y)) + 2):] = True
    plain = cv2.morphologyEx((band & (edges < _PLAIN)).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, blobs = cv2.connectedComponents(plain)
    grounded = [k for k in range(1, count) if (blobs[-1] == k).any()]
    floor = np.isin(blobs, grounded)
    lab = cv2.cvtColor(cv2.GaussianBlur(rgb, (5, 5), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    floor &= ~objects_on(lab, floor)
    if floor[-1].mean() < _PLAIN_MIN_BOTTOM or floor.mean() < _PLAIN_MIN_AREA:
        return []
    rows, cols = np.nonzero(floor)
    box = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
    return [Surface("floor", _full_res(box, scale), 0.0, floor)]


def objects_on(lab: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Things standing on a support (a chair, a plant, a box): blobs of colours that are local
    to them. The support's own colours (tiles, wood grain, the light falling across it) run
    across most of its width; an object's colours show in a few columns only."""
    full_shape = support.shape
    lab, support = lab[::2, ::2], support[::2, ::2]  # colours are blobs, half resolution finds them
    out = np.zeros(support.shape, bool)
    pixels = lab[support]
    if len(pixels) < 100 * _COLOURS:
        return np.zeros(full_shape, bool)
    sample = pixels[np.random.default_rng(0).choice(len(pixels), min(len(pixels), 20000), replace=False)]
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(0)
    _, _, centres = cv2.kmeans(sample, _COLOURS, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    labels = np.full(support.shape, -1, np.int32)
    labels[support] = np.argmin(((pixels[:, None, :] - centres[None]) ** 2).sum(-1, dtype=np.float32), axis=1)
    columns = support.any(0)
    for k in range(_COLOURS):
        in_column = (labels == k).sum(0) >= max(2, 0.02 * support.sum(0).max())
        if in_column.sum() < _FLOOR_SPREAD * columns.sum():
            out |= labels == k
    out = cv2.morphologyEx(out.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    _, blobs, stats, _ = cv2.connectedComponentsWithStats(out)
    keep = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= _MIN_OBJECT * support.sum())
    out = np.isin(blobs, keep[keep > 0])
    # A product standing just beside an object would touch it: leave a margin.
    out = cv2.dilate(out.astype(np.uint8), np.ones((4, 4), np.uint8))
    return cv2.resize(out, full_shape[::-1], interpolation=cv2.INTER_NEAREST) > 0


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
