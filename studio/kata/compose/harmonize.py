"""Colour harmonization: make the product look lit like the place it stands in.

Two modes, both in Lab against a ring of background around the product:

- "product" (the default) keeps the product's own colours, as a real object keeps its
  paint under new light: its lightness moves part of the way to the ring's, and it takes
  on a bounded share of the ring's colour cast (the light's white balance). A green bottle
  on a beige table stays green, only lit like the room.
- "match" is Reinhard et al. colour transfer: the mean and spread of lightness and of both
  colour axes move to the ring's. Right for a region whose colour was shifted (iHarmony4
  style), wrong for a coloured product, which it pulls to the surroundings' colour. The
  spread ratio is bounded so a plain background cannot flatten the product's shading.
"""

from __future__ import annotations

import numpy as np

from studio.kata.compose.backends import NumpyOps, lab_to_rgb, rgb_to_lab

SPREAD_RATIO = (0.6, 1.6)
MODES = ("product", "match")
LIGHT_SHARE = 0.5  # product mode: the share of the lightness gap to the ring that is closed
LIGHT_LIMIT = 25.0  # ... at most this many L units
CAST_SHARE = 0.35  # the share of the ring's mean colour taken as the light's cast (the rest is its paint)
CAST_LIMIT = 10.0  # ... at most this many a/b units


MAX_SAMPLES = 20_000  # pixels each statistic is taken from; more changes nothing but time


def harmonize(fg_rgb: np.ndarray, fg_mask: np.ndarray, scene_rgb: np.ndarray, ring_mask: np.ndarray,
              strength: float = 1.0, mode: str = "product") -> np.ndarray:
    """fg_rgb (uint8 RGB) recoloured to match scene_rgb's pixels under ring_mask; the product is where fg_mask > 0.5.

    fg_rgb and scene_rgb may differ in size: each mask goes with its own image.
    """
    ops = NumpyOps()
    fg = ops.array(fg_rgb) / 255
    out = harmonize_on(ops, fg, fg[np.asarray(fg_mask) > 0.5], ops.array(scene_rgb)[np.asarray(ring_mask) > 0.5] / 255,
                       strength, mode)
    return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)


def harmonize_on(ops, fg, fg_pixels, ring_pixels, strength: float, mode: str = "product"):
    """The harmonization on a backend's float arrays: fg (H, W, 3) RGB 0..1, whose product pixels
    are fg_pixels (N, 3), lit like ring_pixels (M, 3). Returns float RGB 0..1."""
    if mode not in MODES:
        raise ValueError(f"unknown harmonization mode {mode!r}; choose one of {', '.join(MODES)}")
    if strength <= 0 or len(fg_pixels) < 4 or len(ring_pixels) < 4:
        return fg
    fg_mean, fg_std = _stats(rgb_to_lab(ops, _sample(fg_pixels)))
    ring_mean, ring_std = _stats(rgb_to_lab(ops, _sample(ring_pixels)))
    fg_lab = rgb_to_lab(ops, fg)
    if mode == "match":
        ratio = ops.clip(ring_std / (fg_std + 1e-3), *SPREAD_RATIO)
        moved = (fg_lab - fg_mean) * ratio + ring_mean
    else:
        moved = fg_lab + ops.array(_light_offset(ops.numpy(fg_mean), ops.numpy(ring_mean)))
    return lab_to_rgb(ops, fg_lab + (moved - fg_lab) * strength)


def _light_offset(fg_mean: np.ndarray, ring_mean: np.ndarray) -> np.ndarray:
    """The Lab shift that relights the product: part of the lightness gap, a bounded share of the ring's cast."""
    light = np.clip((ring_mean[0] - fg_mean[0]) * LIGHT_SHARE, -LIGHT_LIMIT, LIGHT_LIMIT)
    cast = np.clip(ring_mean[1:] * CAST_SHARE, -CAST_LIMIT, CAST_LIMIT)
    return np.array([light, *cast], np.float32)


def _sample(pixels):
    step = max(1, len(pixels) // MAX_SAMPLES)
    return pixels[::step]


def _stats(lab):
    mean = lab.mean(0)
    return mean, ((lab - mean) ** 2).mean(0) ** 0.5
