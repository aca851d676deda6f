"""What the workspace computes off the GUI thread: opening a scene (load + analysis + a
preview-sized copy), finding zones for a product, and the live preview with its score.
Plain functions over numpy; the view runs them on worker threads."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.images import load_rgb
from studio.kata.placement import find_zones, placement_for, snap
from studio.kata.score import score

PREVIEW_MAX_SIDE = 1280  # live previews are composited at most this big; "Save as asset" renders full size
FALLBACK_HEIGHT = 0.25  # of the scene's height, for a product dropped where perspective gives no scale


@dataclass
class OpenScene:
    rgb: np.ndarray  # full resolution
    preview: np.ndarray  # at most PREVIEW_MAX_SIDE
    scale: float  # preview pixels per scene pixel
    analysis: object  # SceneAnalysis

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


@dataclass
class Coverage:
    """The product's box and coverage mask at full resolution: what score() reads of a composite."""

    box: tuple[int, int, int, int]
    mask: np.ndarray


@dataclass
class Preview:
    image: np.ndarray  # the composite at preview size
    box: tuple[int, int, int, int]  # the product's box in scene pixels
    score: object  # Score


def open_scene(path) -> OpenScene:
    rgb = load_rgb(path)
    scale = min(1.0, PREVIEW_MAX_SIDE / max(rgb.shape[:2]))
    return OpenScene(rgb, _resized(rgb, scale), scale, analyze(rgb))


def zones_for(scene: OpenScene, product) -> tuple[list, np.ndarray]:
    return find_zones(scene.analysis, product)


def drop_placement(scene: OpenScene, zones: list, product, x: float, y: float, snap_to_zone: bool = True):
    """Where a product dropped at (x, y) goes: the best zone nearby, else right there at the
    scale perspective gives that spot. Returns (Placement, Zone | None)."""
    zone = snap(zones, x, y) if snap_to_zone else None
    if zone is not None:
        return placement_for(zone, product), zone
    height = scene.analysis.px_per_metre(x, y) * product.height_m or FALLBACK_HEIGHT * scene.size[1]
    return Placement(x=x, y=y, height_px=height), None


def preview(scene: OpenScene, product, placement, params: dict) -> Preview:
    s = scene.scale
    small = Placement(x=placement.x * s, y=placement.y * s, height_px=placement.height_px * s, rotation_deg=placement.rotation_deg)
    a = scene.analysis
    result = composite(scene.preview, product, small, ComposeParams(**params), depth=a.depth, light_dir=a.light_dir)
    box = tuple(round(v / s) for v in result.box)
    w, h = scene.size
    coverage = Coverage(box, cv2.resize(result.mask, (w, h), interpolation=cv2.INTER_LINEAR))
    return Preview(result.image, box, score(a, product, placement, coverage))


def _resized(rgb: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return rgb
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
