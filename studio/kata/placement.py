"""Where a product could stand in a scene: ranked zones and a heat map.

Candidate contact points lie on a grid over the detected support surfaces. Each gets score
parts that follow the failure modes of object placement (OPA: wrong size, no support, bad
occlusion, wrong perspective) plus what an ad must not cover (faces, the subject, text).
Points off every surface only tint the heat map weakly; they never become zones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.core.errors import BadInput
from studio.kata.analysis.scene import SceneAnalysis, Surface
from studio.kata.compose import Placement
from studio.kata.product import CATEGORY_HEIGHTS_M, Product

FACE_HEIGHT_M = 0.23  # a head, chin to crown: the reference height when the horizon gives none
WEIGHTS = {"size": 0.15, "support": 0.25, "occlusion": 0.12, "perspective": 0.1, "face": 0.1,
           "subject": 0.1, "text": 0.08, "free_space": 0.1}
MIN_SCORE = 40.0
GRID = 32  # candidate rows and columns over the scene
OFF_SURFACE_HEAT = 0.35  # how strongly a point off every surface shows on the heat map
SNAP_RADIUS = 0.08  # of the image diagonal
# Small products (a bottle, a cup) are shown on tables and shelves; on the floor they read as dropped.
SMALL_PRODUCT_M = 0.4
FLOOR_FOR_SMALL = 0.85


@dataclass
class Zone:
    id: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 where the product would stand
    contact: tuple[float, float]
    surface: str
    px_per_metre: float
    height_px: float
    free_space: float
    parts: dict[str, float]
    score: float
    scene_size: tuple[int, int] = (0, 0)  # (w, h): snap's default radius is a fraction of its diagonal

    def as_dict(self) -> dict:
        return {"id": self.id, "box": list(self.box), "contact": [round(v, 1) for v in self.contact],
                "surface": self.surface, "px_per_metre": round(self.px_per_metre, 2),
                "height_px": round(self.height_px, 1), "free_space": round(self.free_space, 3),
                "parts": {k: round(v, 3) for k, v in self.parts.items()}, "score": round(self.score, 1)}


@dataclass
class _Maps:
    """Integral images of the analysis maps, so a box's mean costs four lookups."""

    edges: np.ndarray
    saliency: np.ndarray
    text: np.ndarray
    busy: np.ndarray
    person: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def of(cls, analysis: SceneAnalysis) -> _Maps:
        edges, saliency = analysis.edges.astype(np.float64), analysis.saliency.astype(np.float64)
        busy = ((edges > 0.25) | (saliency > 0.5)).astype(np.float64)
        return cls(_integral(edges), _integral(saliency), _integral(analysis.text_mask.astype(np.float64)),
                   _integral(busy), _integral(person_mask(analysis).astype(np.float64)), edges.shape)

    def mean(self, table: np.ndarray, box: tuple[int, int, int, int]) -> float:
        x0, y0, x1, y1 = box
        area = (x1 - x0) * (y1 - y0)
        if area <= 0:
            return 0.0
        return float(table[y1, x1] - table[y0, x1] - table[y1, x0] + table[y0, x0]) / area


def _integral(a: np.ndarray) -> np.ndarray:
    out = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
    out[1:, 1:] = a.cumsum(0).cumsum(1)
    return out


def person_box(face_box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where the body under a face is likely to be: about 3 face-widths wide, down to the image bottom."""
    x, y, w, h = face_box
    cx = x + w / 2
    return int(max(0, cx - 1.5 * w)), int(y + h), int(min(size[0], cx + 1.5 * w)), int(size[1])


def person_mask(analysis: SceneAnalysis) -> np.ndarray:
    mask = np.zeros(analysis.saliency.shape, bool)
    for face in analysis.faces:
        x0, y0, x1, y1 = _work_box(analysis, person_box(face.box, analysis.size), mask.shape)
        mask[y0:y1, x0:x1] = True
    return mask


def _work_box(analysis: SceneAnalysis, box, shape) -> tuple[int, int, int, int]:
    s, (h, w) = analysis.work_scale, shape
    return (int(np.clip(np.floor(box[0] * s), 0, w)), int(np.clip(np.floor(box[1] * s), 0, h)),
            int(np.clip(np.ceil(box[2] * s), 0, w)), int(np.clip(np.ceil(box[3] * s), 0, h)))


def product_box(product, x: float, y: float, height_px: float) -> tuple[int, int, int, int]:
    """The box the product occupies when its base centre stands at (x, y) and its picture is height_px tall."""
    h, w = product.rgba.shape[:2]
    s = height_px / h
    base_cx = (product.base_span[0] + product.base_span[1]) / 2
    x0, y0 = x - base_cx * s, y - product.base_y * s
    return round(x0), round(y0), round(x0 + w * s), round(y0 + h * s)


def scale_at(analysis: SceneAnalysis, x: float, y: float, surface_height_m: float) -> tuple[float, bool]:
    """Pixels per metre at a contact point, and whether it comes from the scene's geometry.
    Above the horizon geometry gives nothing; a detected face then gives a reference height."""
    ppm = analysis.px_per_metre(x, y, surface_height_m)
    if ppm > 0:
        return ppm, True
    if analysis.faces:
        return float(np.median([f.box[3] for f in analysis.faces])) / FACE_HEIGHT_M, False
    return 0.0, False


def assess(analysis: SceneAnalysis, product, box, contact, surface: Surface | None, geometric: bool,
           maps: _Maps | None = None) -> dict[str, float]:
    """Score parts (each 0..1, 1 = no problem) of the product standing in box with its base at contact."""
    maps = maps or _Maps.of(analysis)
    w, h = analysis.size
    x0, y0, x1, y1 = box
    area = max(1, (x1 - x0) * (y1 - y0))
    inside = max(0, min(x1, w) - max(x0, 0)) * max(0, min(y1, h) - max(y0, 0)) / area
    height = y1 - y0
    # readable in an ad: rises to full marks at 6 % of the frame height, fades out past 60 %
    size_ok = min(1.0, max(0.0, height - 12) / max(12.0, 0.06 * h - 12)) * float(np.clip((0.9 * h - height) / (0.3 * h), 0, 1))
    wbox = _work_box(analysis, box, maps.shape)
    nearer = _nearer_fraction(analysis, wbox, contact)
    face = analysis.face_overlap(box)
    pad = 0.15 * (x1 - x0)
    near_face = analysis.face_overlap((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    return {
        "size": inside * size_ok,
        "support": _support(analysis, product, box, contact, surface),
        "occlusion": 1.0 - max(min(1.0, 2.5 * maps.mean(maps.edges, wbox)), nearer),
        "perspective": (1.0 if geometric else 0.5) if height > 0 else 0.0,
        "face": 0.0 if face > 0 else (1.0 - near_face) * (1.0 - maps.mean(maps.person, wbox)),
        "subject": 1.0 - maps.mean(maps.saliency, wbox),
        "text": 1.0 - min(1.0, 3.0 * maps.mean(maps.text, wbox)),
        "free_space": 1.0 - maps.mean(maps.busy, wbox),
    }


def total(parts: dict[str, float]) -> float:
    return 100.0 * sum(WEIGHTS[k] * float(np.clip(v, 0, 1)) for k, v in parts.items())


def surface_fit(surface: Surface, product) -> float:
    """How well the kind of surface suits the product (1 = as well as any)."""
    return FLOOR_FOR_SMALL if surface.height_m == 0 and product.height_m < SMALL_PRODUCT_M else 1.0


def _support(analysis: SceneAnalysis, product, box, contact, surface: Surface | None) -> float:
    """The fraction of the product's base that rests on the surface mask (a row of tolerance),
    less for a small product on the floor."""
    if surface is None:
        return 0.0
    s = (box[2] - box[0]) / product.rgba.shape[1]
    xs = np.linspace(box[0] + product.base_span[0] * s, box[0] + product.base_span[1] * s, 7)
    mh, mw = surface.mask.shape
    row = int(contact[1] * analysis.work_scale)
    hits = 0
    for x in xs:
        col = int(x * analysis.work_scale)
        if 0 <= col < mw and surface.mask[max(0, row - 1):min(mh, row + 2), col].any():
            hits += 1
    return surface_fit(surface, product) * hits / len(xs)


def _nearer_fraction(analysis: SceneAnalysis, wbox, contact) -> float:
    """The fraction of the box where the scene is clearly nearer than the contact point (it would hide the product)."""
    x0, y0, x1, y1 = wbox
    if x1 <= x0 or y1 <= y0:
        return 0.0
    dh, dw = analysis.depth.shape
    cx, cy = analysis.to_work(*contact)
    here = analysis.depth[int(np.clip(cy - 1, 0, dh - 1)), int(np.clip(cx, 0, dw - 1))]
    return float((analysis.depth[y0:y1, x0:x1] < here - 0.08).mean())


def find_zones(analysis: SceneAnalysis, product, *, limit: int = 8) -> tuple[list[Zone], np.ndarray]:
    """Ranked zones (best first; empty when none is plausible) and a heat map 0..1 at analysis scale."""
    maps = _Maps.of(analysis)
    w, h = analysis.size
    heat = np.zeros(maps.shape, np.float32)
    cell_w, cell_h = w / GRID, h / GRID
    candidates: list[Zone] = []
    for gy in range(GRID):
        for gx in range(GRID):
            x, y = (gx + 0.5) * cell_w, (gy + 0.5) * cell_h
            surface = analysis.surface_at(x, y)
            ppm, geometric = scale_at(analysis, x, y, surface.height_m if surface else 0.0)
            if ppm <= 0:
                continue
            height_px = product.height_m * ppm
            box = product_box(product, x, y, height_px)
            parts = assess(analysis, product, box, (x, y), surface, geometric, maps)
            value = total(parts) if parts["face"] > 0 else 0.0
            weight = 1.0 if surface else OFF_SURFACE_HEAT
            cell = _work_box(analysis, (gx * cell_w, gy * cell_h, (gx + 1) * cell_w, (gy + 1) * cell_h), maps.shape)
            heat[cell[1]:cell[3], cell[0]:cell[2]] = weight * value / 100.0
            if surface and value >= MIN_SCORE and parts["support"] >= 0.6 and parts["size"] > 0.3:
                candidates.append(Zone(0, box, (x, y), surface.kind, ppm, height_px, parts["free_space"], parts, value, (w, h)))
    ranked = sorted(candidates, key=lambda z: (-round(z.score, 1), abs(z.contact[0] - w / 2)))  # ties: nearer the middle
    zones = _suppress(ranked, limit, SNAP_RADIUS * float(np.hypot(w, h)))
    for i, zone in enumerate(zones, 1):
        zone.id = i
    return zones, heat


def _suppress(ranked: list[Zone], limit: int, min_gap: float) -> list[Zone]:
    """Non-maximum suppression: keep a zone only if it stands apart from every better one."""
    kept: list[Zone] = []
    for zone in ranked:
        if all(np.hypot(zone.contact[0] - k.contact[0], zone.contact[1] - k.contact[1]) >= max(min_gap, k.box[2] - k.box[0]) for k in kept):
            kept.append(zone)
            if len(kept) == limit:
                break
    return kept


def snap(zones: list[Zone], x: float, y: float, radius_px: float | None = None) -> Zone | None:
    """The best zone whose contact lies within radius_px of the drop point (default 8 % of the image diagonal)."""
    if not zones:
        return None
    if radius_px is None:
        w, h = zones[0].scene_size
        radius_px = SNAP_RADIUS * float(np.hypot(w, h))
    near = [z for z in zones if np.hypot(z.contact[0] - x, z.contact[1] - y) <= radius_px]
    return max(near, key=lambda z: z.score, default=None)


def placement_for(zone: Zone, product: Product) -> Placement:
    return Placement(x=zone.contact[0], y=zone.contact[1], height_px=zone.height_px)


def stand_in(category: str = "bottle", height_m: float | None = None) -> Product:
    """A plain upright silhouette of a category's usual size: zones for a product not chosen yet."""
    if height_m is None and category not in CATEGORY_HEIGHTS_M:
        raise BadInput(f"Unknown product category {category!r}; use one of {', '.join(sorted(CATEGORY_HEIGHTS_M))} or give --height-m.")
    rgba = np.full((100, 40, 4), 255, np.uint8)
    return Product(rgba=rgba, base_y=99, base_span=(0, 39), height_m=height_m or CATEGORY_HEIGHTS_M[category], category=category, cut_out=False)
