"""Scene analysis: `analyze(image)` finds faces, saliency, texture, text, the horizon and
vanishing points, support surfaces, depth and the light direction, at a bounded working
resolution so a 12 MP photo takes well under a second and a half."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from studio.core.errors import BadInput
from studio.kata.images import load_rgb

from .depth import geometric_depth, load_depth_model
from .faces import detect_faces
from .geometry import colour_segments, line_segments, vanishing_points
from .saliency import edge_density, saliency_map, text_mask
from .scene import Face, SceneAnalysis, Surface
from .surfaces import find_surfaces, plain_band

__all__ = ["Face", "SceneAnalysis", "Surface", "analyze", "analyze_path"]

WORK_LONG_SIDE = 1024
HORIZON_PRIOR = 0.4  # of the image height, when no vanishing point is found
CAMERA_HEIGHT_PRIOR_M = 1.5
FACE_HEIGHT_M = 0.23
EYE_LEVEL_M = 1.6
DEFAULT_LIGHT = (-0.5, -0.8)


def analyze_path(path, **kw) -> SceneAnalysis:
    return analyze(load_rgb(path), **kw)


def analyze(image_rgb: np.ndarray, *, depth_model: Path | None = None, face_model: Path | None = None,
            saliency: str = "spectral") -> SceneAnalysis:
    """saliency: "spectral", "fine" (fine-grained) or "both" (the mean of the two maps). Spectral
    is the default: fine-grained also lights up a plain table top, which zones would then avoid."""
    if image_rgb.ndim != 3 or image_rgb.shape[2] != 3 or image_rgb.dtype != np.uint8:
        raise BadInput(f"analyze needs an RGB uint8 image (H, W, 3); got {image_rgb.dtype} {image_rgb.shape}. Load it with studio.kata.images.load_rgb.")
    h, w = image_rgb.shape[:2]
    scale = min(1.0, WORK_LONG_SIDE / max(w, h))
    small = cv2.resize(image_rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else image_rgb
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    notes = []

    faces = detect_faces(small, scale, face_model)
    segments = line_segments(gray, min_length=0.02 * max(small.shape))
    vps = vanishing_points(segments, small.shape[1::-1])
    if vps:
        # Level camera: the horizon is the row through the vanishing points, weighted by support.
        support = np.array([segments.length[idx].sum() for _, idx in vps])
        horizon_work = float(np.average([p[1] for p, _ in vps], weights=support))
        inliers = np.concatenate([idx for _, idx in vps])
        ends = np.concatenate([segments.p[inliers, 1], segments.q[inliers, 1]])
        floor_top_work = float(np.percentile(ends[ends > horizon_work], 3)) if (ends > horizon_work).any() else None
    else:
        horizon_work, floor_top_work = HORIZON_PRIOR * small.shape[0], None
        notes.append("no converging lines: horizon and camera height are guesses")
    camera_height = _camera_height(faces, horizon_work / scale, bool(vps))

    surfaces = []
    edges = edge_density(gray)
    if floor_top_work is not None:
        edges_both = segments + colour_segments(small, min_length=0.02 * max(small.shape))
        surfaces = find_surfaces(small, edges_both, horizon_work, floor_top_work, camera_height, scale)
    if not surfaces:
        surfaces = plain_band(small, edges, horizon_work, scale)
        if surfaces:
            notes.append("no floor or table edges: the plain lower part of the picture is taken for the floor")
    if depth_model is not None:
        model = load_depth_model(depth_model)
        depth, depth_source = model.predict(small), f"onnx:{Path(depth_model).name}"
    else:
        depth = geometric_depth(gray.shape, horizon_work, camera_height, floor_top_work, surfaces)
        depth_source = "geometric"

    return SceneAnalysis(
        size=(w, h), work_scale=scale, faces=faces,
        saliency=saliency_map(small, saliency), edges=edges, text_mask=text_mask(gray),
        horizon_y=horizon_work / scale,
        vanishing_points=[(float(p[0] / scale), float(p[1] / scale)) for p, _ in vps],
        camera_height_m=camera_height, surfaces=surfaces, depth=depth, depth_source=depth_source,
        light_dir=_light_direction(gray), notes=notes,
    )


def _camera_height(faces: list[Face], horizon_y: float, horizon_known: bool) -> float:
    """From the most confident face when the horizon is known: the face gives px/m at its
    depth, and a standing adult's eyes sit about EYE_LEVEL_M above the floor."""
    if not (horizon_known and faces):
        return CAMERA_HEIGHT_PRIOR_M
    face = max(faces, key=lambda f: f.score)
    _, y, _, fh = face.box
    px_per_m = fh / FACE_HEIGHT_M
    eye_y = y + 0.45 * fh
    return float(np.clip(EYE_LEVEL_M + (eye_y - horizon_y) / px_per_m, 0.5, 3.0))


def _light_direction(gray: np.ndarray) -> tuple[float, float]:
    """Unit vector towards where light comes from: the offset of the bright mass from the
    centre, kept coming from above (cast shadows fall down and away)."""
    lum = cv2.resize(gray, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32)
    weight = np.maximum(lum - lum.mean(), 0)
    if weight.sum() < 1e-3:
        return DEFAULT_LIGHT
    ys, xs = np.mgrid[0:64, 0:64] + 0.5
    dx = float((weight * (xs - 32)).sum() / weight.sum()) / 32
    dy = min(float((weight * (ys - 32)).sum() / weight.sum()) / 32, -0.3)
    norm = float(np.hypot(dx, dy))
    return (dx / norm, dy / norm)
