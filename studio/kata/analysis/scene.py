"""What Kata knows about a scene photo: faces, saliency, geometry, support surfaces, depth.

Maps (saliency, edges, text_mask, depth, surface masks) are at analysis scale: the image
scaled by `work_scale`. Boxes, points and the horizon are in full-resolution pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

DEFAULT_HEIGHTS_M = {"floor": 0.0, "table": 0.75, "shelf": 1.0}
LEVEL_TOLERANCE = 0.01  # of the height: a horizon this close to the centre is within detection noise of level
FOCAL_PRIOR = 0.9  # focal length in image widths (about a 58° field of view) when vanishing points do not give it


@dataclass
class Face:
    box: tuple[int, int, int, int]  # x, y, w, h
    score: float


@dataclass
class Surface:
    kind: str  # "floor" | "table" | "shelf"
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the usable top area
    height_m: float
    mask: np.ndarray  # bool, analysis scale


@dataclass
class SceneAnalysis:
    size: tuple[int, int]  # full-res (w, h)
    work_scale: float
    faces: list[Face]
    saliency: np.ndarray
    edges: np.ndarray
    text_mask: np.ndarray
    horizon_y: float
    vanishing_points: list[tuple[float, float]]
    camera_height_m: float
    surfaces: list[Surface]
    depth: np.ndarray
    depth_source: str
    light_dir: tuple[float, float]
    notes: list[str] = field(default_factory=list)  # plain-language caveats (e.g. "horizon from prior")

    def px_per_metre(self, x: float, y: float, surface_height_m: float = 0.0) -> float:
        """Image pixels per metre for an object standing at row y (Hoiem et al. 2006):
        the distance to the horizon spans the camera's height above the supporting plane."""
        drop = self.camera_height_m - surface_height_m
        if y <= self.horizon_y or drop <= 0:
            return 0.0
        return (y - self.horizon_y) / drop

    def focal_px(self) -> float:
        """The focal length in pixels: from two vanishing points of perpendicular ground
        directions (their offsets from the image centre have dot product -f²), else a prior."""
        cx, cy = self.size[0] / 2, self.size[1] / 2
        if len(self.vanishing_points) == 2:
            (x1, y1), (x2, y2) = self.vanishing_points
            f2 = -((x1 - cx) * (x2 - cx) + (y1 - cy) * (y2 - cy))
            if f2 > 0:
                return math.sqrt(f2)
        return FOCAL_PRIOR * self.size[0]

    def vertical_vanishing_point(self) -> tuple[float, float] | None:
        """Where vertical edges meet; None when the horizon is only a guess. A camera pitched
        down by φ puts the horizon f·tan φ above the image centre and the vertical vanishing
        point f/tan φ below it (up: the other way round); level, verticals stay parallel (y inf)."""
        if not self.vanishing_points:
            return None
        cx, cy = self.size[0] / 2, self.size[1] / 2
        offset = cy - self.horizon_y
        if abs(offset) < LEVEL_TOLERANCE * self.size[1]:
            return (cx, math.inf)
        return (cx, cy + self.focal_px() ** 2 / offset)

    def to_work(self, x: float, y: float) -> tuple[float, float]:
        return x * self.work_scale, y * self.work_scale

    def surface_at(self, x: float, y: float) -> Surface | None:
        """The surface whose top holds the full-res point, preferring raised ones over the floor."""
        wx, wy = self.to_work(x, y)
        col, row = int(wx), int(wy)
        for surface in sorted(self.surfaces, key=lambda s: -s.height_m):
            h, w = surface.mask.shape
            if 0 <= row < h and 0 <= col < w and surface.mask[row, col]:
                return surface
        return None

    def face_overlap(self, box: tuple[int, int, int, int]) -> float:
        """The fraction of the most-covered face's area that box (x0, y0, x1, y1) covers."""
        best = 0.0
        for face in self.faces:
            fx, fy, fw, fh = face.box
            ix = max(0, min(box[2], fx + fw) - max(box[0], fx))
            iy = max(0, min(box[3], fy + fh) - max(box[1], fy))
            if fw > 0 and fh > 0:
                best = max(best, ix * iy / (fw * fh))
        return best
