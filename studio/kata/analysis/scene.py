"""What Kata knows about a scene photo: faces, saliency, geometry, support surfaces, depth.

Maps (saliency, edges, text_mask, depth, surface masks) are at analysis scale: the image
scaled by `work_scale`. Boxes, points and the horizon are in full-resolution pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DEFAULT_HEIGHTS_M = {"floor": 0.0, "table": 0.75, "shelf": 1.0}


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
