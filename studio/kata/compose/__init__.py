"""Put a product into a scene photo so it looks like it was there: scale, light, shadow, edges.

Everything happens inside a working region (the product, its cast shadow and a margin),
so a 4K scene costs little more than a small one. The per-pixel heavy steps (colour
transfer, shadowing, the final blend) run on numpy or torch; masks and warps use OpenCV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from pydantic import BaseModel, Field

from studio.core.errors import BadInput
from studio.kata.compose import blend, effects, shadow
from studio.kata.compose.backends import make_ops
from studio.kata.compose.harmonize import harmonize, harmonize_on
from studio.kata.product import Product

__all__ = ["ComposeParams", "Composite", "Placement", "composite", "harmonize"]

KEYSTONE = 0.03  # with perspective on and no scene geometry: share of the width the top narrows by, per side
OCCLUSION_MARGIN = 0.02  # depth units (0..1) the scene must be nearer than the contact to hide the product
OCCLUSION_SOFTNESS = 0.01
SHADOW_CAST_DARKNESS = 0.7


class ComposeParams(BaseModel):
    shadow: bool = True
    shadow_strength: float = Field(0.6, ge=0, le=1)
    cast_shadow: bool = True
    harmonize: bool = True
    harmonize_strength: float = Field(1.0, ge=0, le=1)
    harmonize_mode: Literal["product", "match"] = "product"  # keep the product's colours, or match the ring's
    blend: Literal["feather", "laplacian", "poisson", "none"] = "feather"
    feather_px: float = Field(2.0, ge=0, le=50)
    occlusion: bool = True
    match_grain: bool = True
    perspective: bool = False


@dataclass
class Placement:
    x: float  # the contact point: centre of the product's base on the surface, scene pixels
    y: float
    height_px: float  # the product's full height in the scene
    rotation_deg: float = 0.0  # counter-clockwise, about the contact point


@dataclass
class Composite:
    image: np.ndarray  # RGB uint8, the scene's size
    mask: np.ndarray  # float32 0..1: the product's coverage in image
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the product in image
    shadow_mask: np.ndarray  # float32 0..1: how much each pixel was darkened by shadow (1 = fully)


def composite(scene_rgb: np.ndarray, product: Product, placement: Placement, params: ComposeParams, *,
              depth: np.ndarray | None = None, light_dir=(-0.5, -0.8), backend: str = "auto",
              vertical_vp: tuple[float, float] | None = None) -> Composite:
    """The scene with the product standing at placement (see the module docstring). With
    params.perspective, the product's verticals converge on vertical_vp
    (SceneAnalysis.vertical_vanishing_point()); without it, a fixed slight keystone."""
    scene_rgb = _check_inputs(scene_rgb, placement)
    sh, sw = scene_rgb.shape[:2]
    rgba, to_scene = _scaled_product(product, placement, params.perspective, vertical_vp)
    corners = _apply(to_scene, _corners(rgba.shape))
    box = _clip_box(corners.min(0), corners.max(0), sw, sh)
    if box is None:
        raise BadInput(f"The placement ({placement.x:.0f}, {placement.y:.0f}) puts the product outside the "
                       f"{sw}×{sh} scene. Place it inside the picture.")
    ring_px = max(6, round(placement.height_px * 0.12))
    reach = _apply(shadow.cast_matrix((placement.x, placement.y), light_dir), corners) if params.cast_shadow else corners
    # Room for the background ring and for the cast shadow's widest blur (2 sigma).
    pad = max(ring_px, math.ceil(placement.height_px * 0.12)) + math.ceil(3 * params.feather_px) + 4
    everything = np.vstack([corners, reach])
    region = _clip_box(everything.min(0) - pad, everything.max(0) + pad, sw, sh)
    rx0, ry0, rx1, ry1 = region
    # The product's own pixels only change inside its box (plus the feathered edge): work there.
    edge_px = max(2, round(params.feather_px * 2))
    win = _window(box, region, edge_px + math.ceil(3 * params.feather_px) + 2)
    win_origin = (rx0 + win[1].start, ry0 + win[0].start)
    win_size = (win[1].stop - win[1].start, win[0].stop - win[0].start)

    warped = cv2.warpPerspective(_premultiplied(rgba), _pixel_centres(to_scene, win_origin), win_size,
                                 flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    alpha = np.zeros((ry1 - ry0, rx1 - rx0), np.float32)
    alpha[win] = np.clip(warped[..., 3], 0, 1)
    fg = np.clip(warped[..., :3] / np.maximum(alpha[win], 1e-4)[..., None], 0, 255)
    bg = scene_rgb[ry0:ry1, rx0:rx1]
    hard = (alpha > 0.5).astype(np.uint8)
    ring = _ring(hard, ring_px)
    interior = cv2.erode(hard, np.ones((3, 3), np.uint8)) > 0
    contact = (placement.x - rx0, placement.y - ry0)

    noise = None
    if params.match_grain:
        fg = effects.match_blur(fg, interior[win], bg, ring)
        noise = effects.grain(fg.shape, fg, interior[win], bg, ring)
    shadow_mask = _shadows(params, alpha, contact, product, light_dir, placement.height_px)
    if params.occlusion and depth is not None:
        alpha = alpha * _visible(depth, (sw, sh), region, contact)
    coverage = alpha
    if params.blend == "feather":
        coverage[win] = blend.feather(alpha[win], params.feather_px)

    ops = make_ops(backend)
    shaded_t = ops.array(bg) / 255 * (1 - ops.array(shadow_mask)[..., None])
    fg_t = ops.array(fg) / 255
    if params.harmonize:
        fg_t = harmonize_on(ops, fg_t, ops.array(fg[interior[win]]) / 255, ops.array(bg[ring]) / 255,
                            params.harmonize_strength, params.harmonize_mode)
    if noise is not None:
        fg_t = fg_t + ops.array(noise)[..., None]
    fg_t = ops.clip(fg_t, 0, 1)
    a = ops.array(coverage[win])[..., None]
    out = _to_u8(ops.numpy(shaded_t))
    out[win] = _to_u8(ops.numpy(fg_t * a + shaded_t[win] * (1 - a)))

    if params.blend in ("laplacian", "poisson"):
        out[win] = _blend_edges(params.blend, out[win], ops.numpy(fg_t), ops.numpy(shaded_t[win]), coverage[win],
                                edge_px)

    image = scene_rgb.copy()
    image[ry0:ry1, rx0:rx1] = out
    return Composite(image=image, mask=_full(coverage, region, (sh, sw)), box=box,
                     shadow_mask=_full(shadow_mask, region, (sh, sw)))


def _check_inputs(scene_rgb, placement: Placement) -> np.ndarray:
    scene_rgb = np.asarray(scene_rgb)
    if scene_rgb.dtype != np.uint8 or scene_rgb.ndim != 3 or scene_rgb.shape[2] not in (3, 4):
        raise BadInput("The scene must be an 8-bit RGB image. Load it with studio.kata.images.load_rgb.")
    if not (placement.height_px >= 2 and math.isfinite(placement.height_px)):
        raise BadInput(f"The product would be {placement.height_px} px tall: too small to place. "
                       "Give a height of at least 2 px.")
    return np.ascontiguousarray(scene_rgb[..., :3])


def _scaled_product(product: Product, placement: Placement, perspective: bool, vertical_vp=None):
    """(rgba, 3×3 matrix from rgba's continuous coordinates to the scene's)."""
    rgba = product.rgba
    h, w = rgba.shape[:2]
    scale = placement.height_px / h
    pre = np.eye(3)
    if scale < 0.8:  # shrink with area averaging first: a perspective warp alone would alias
        rw, rh = max(1, round(w * scale)), max(1, round(h * scale))
        rgba = cv2.resize(rgba, (rw, rh), interpolation=cv2.INTER_AREA)
        pre = np.diag([w / rw, h / rh, 1.0])
    base = np.array([(product.base_span[0] + product.base_span[1]) / 2, product.base_y])
    angle = math.radians(placement.rotation_deg)
    c, s = math.cos(angle), math.sin(angle)
    m = (_translate(placement.x, placement.y) @ np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])
         @ np.diag([scale, scale, 1.0]) @ _translate(-base[0], -base[1]))
    if perspective and vertical_vp is not None:
        placed = _apply(m, _corners((h, w)))
        m = _homography(placed, _converge(placed, placement.y, vertical_vp)) @ m
    elif perspective:  # no scene geometry: a slight keystone, the top receding
        src = _corners((h, w))
        dst = src.copy()
        dst[0, 0] += KEYSTONE * w
        dst[1, 0] -= KEYSTONE * w
        m = m @ _homography(src, dst)
    return rgba, m @ pre


def _converge(corners: np.ndarray, base_y: float, vp) -> np.ndarray:
    """corners moved along their rows so that the product's verticals run to the vertical
    vanishing point vp: the x offset from vp scales with the row's distance from it, so a
    top nearer vp than the base narrows (camera looking up) and one farther widens (looking
    down). The more of the distance to vp the product spans, the stronger the effect."""
    vx, vy = vp
    if not math.isfinite(vy) or abs(vy - base_y) < 1:
        return corners
    out = corners.copy()
    out[:, 0] = vx + (corners[:, 0] - vx) * (vy - corners[:, 1]) / (vy - base_y)
    return out


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    return cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32)).astype(np.float64)


def _shadows(params, alpha, contact, product, light_dir, height_px) -> np.ndarray:
    if not params.shadow:
        return np.zeros_like(alpha)
    half_width = height_px / product.rgba.shape[0] * (product.base_span[1] - product.base_span[0]) / 2
    dark = shadow.contact_shadow(alpha.shape, contact, half_width)
    if params.cast_shadow:
        cast = shadow.cast_shadow(alpha, contact, light_dir, height_px) * SHADOW_CAST_DARKNESS
        dark = 1 - (1 - dark) * (1 - cast)
    return (dark * params.shadow_strength).astype(np.float32)


def _visible(depth: np.ndarray, scene_size, region, contact) -> np.ndarray:
    """1 where the product shows, 0 where the scene (per depth, 1 = farthest) is nearer than the contact point."""
    (sw, sh), (rx0, ry0, rx1, ry1) = scene_size, region
    depth = np.asarray(depth, np.float32)
    if depth.ndim != 2 or min(depth.shape) < 2:
        raise BadInput(f"The depth map must be a 2-D array (got shape {depth.shape}). "
                       "Pass SceneAnalysis.depth, or turn occlusion off.")
    sx, sy = depth.shape[1] / sw, depth.shape[0] / sh
    to_depth = np.array([[sx, 0, (rx0 + 0.5) * sx - 0.5], [0, sy, (ry0 + 0.5) * sy - 0.5]])
    local = cv2.warpAffine(depth, to_depth, (rx1 - rx0, ry1 - ry0), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REPLICATE)
    cx = min(max(int(contact[0]), 0), local.shape[1] - 1)
    cy = min(max(int(contact[1]), 0), local.shape[0] - 1)
    at_contact = float(np.median(local[max(0, cy - 1):cy + 2, max(0, cx - 1):cx + 2]))
    return 1 - np.clip((at_contact - OCCLUSION_MARGIN - local) / OCCLUSION_SOFTNESS, 0, 1)


def _blend_edges(kind, out, fg, shaded, alpha, band_px) -> np.ndarray:
    """out with its silhouette's edge band replaced by a multiband or a Poisson blend."""
    band = blend.edge_band(alpha, band_px)
    if kind == "laplacian":
        blended = _to_u8(blend.laplacian(fg, shaded, alpha))
    else:
        blended = blend.poisson(_to_u8(fg), _to_u8(shaded), alpha)
        if blended is None:
            return out
    out[band] = blended[band]
    return out


def _ring(hard: np.ndarray, ring_px: int) -> np.ndarray:
    """Bool ring of background around the silhouette, a small gap away from its edge."""
    distance = cv2.distanceTransform(1 - hard, cv2.DIST_L2, 3)
    return (distance > max(2, ring_px // 4)) & (distance <= ring_px)


def _window(box, region, margin: int) -> tuple[slice, slice]:
    """Slices of the region covering box grown by margin."""
    rx0, ry0, rx1, ry1 = region
    return (slice(max(box[1] - margin, ry0) - ry0, min(box[3] + margin, ry1) - ry0),
            slice(max(box[0] - margin, rx0) - rx0, min(box[2] + margin, rx1) - rx0))


def _to_u8(a: np.ndarray) -> np.ndarray:
    """float 0..1 -> uint8, rounded."""
    return np.clip(a * 255 + 0.5, 0, 255).astype(np.uint8)


def _premultiplied(rgba: np.ndarray) -> np.ndarray:
    """float32 RGBA with colour premultiplied (colour 0..255, alpha 0..1), so warps do not fringe."""
    alpha = rgba[..., 3:].astype(np.float32) / 255
    return np.concatenate([rgba[..., :3].astype(np.float32) * alpha, alpha], axis=2)


def _full(local: np.ndarray, region, shape) -> np.ndarray:
    full = np.zeros(shape, np.float32)
    full[region[1]:region[3], region[0]:region[2]] = local
    return full


def _translate(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def _corners(shape) -> np.ndarray:
    h, w = shape[:2]
    return np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64)


def _apply(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    p = np.c_[points, np.ones(len(points))] @ m.T
    return p[:, :2] / p[:, 2:]


def _clip_box(lo, hi, w: int, h: int):
    x0, y0 = max(math.floor(lo[0]), 0), max(math.floor(lo[1]), 0)
    x1, y1 = min(math.ceil(hi[0]), w), min(math.ceil(hi[1]), h)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _pixel_centres(m: np.ndarray, origin) -> np.ndarray:
    """m (continuous coordinates, a pixel spans [i, i+1)) as OpenCV applies it, into a region at origin."""
    return _translate(-0.5 - origin[0], -0.5 - origin[1]) @ m @ _translate(0.5, 0.5)
