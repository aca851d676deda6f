"""Colour harmonization: make the product look lit like the place it stands in.

Reinhard et al. colour transfer in Lab: the product's mean and spread of lightness and of
the two colour axes move to those of a ring of background around it. Moving the means
matches luminance and white balance; the spread ratio is bounded so a plain background
cannot flatten the product's own shading.
"""

from __future__ import annotations

import numpy as np

from studio.kata.compose.backends import NumpyOps, lab_to_rgb, rgb_to_lab

SPREAD_RATIO = (0.6, 1.6)


MAX_SAMPLES = 20_000  # pixels each statistic is taken from; more changes nothing but time


def harmonize(fg_rgb: np.ndarray, fg_mask: np.ndarray, scene_rgb: np.ndarray, ring_mask: np.ndarray,
              strength: float = 1.0) -> np.ndarray:
    """fg_rgb (uint8 RGB) recoloured to match scene_rgb's pixels under ring_mask; the product is where fg_mask > 0.5.

    fg_rgb and scene_rgb may differ in size: each mask goes with its own image.
    """
    ops = NumpyOps()
    fg = ops.array(fg_rgb) / 255
    out = harmonize_on(ops, fg, fg[np.asarray(fg_mask) > 0.5], ops.array(scene_rgb)[np.asarray(ring_mask) > 0.5] / 255,
                       strength)
    return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)


def harmonize_on(ops, fg, fg_pixels, ring_pixels, strength: float):
    """The transfer on a backend's float arrays: fg (H, W, 3) RGB 0..1 moved from the statistics of
    fg_pixels (N, 3) to those of ring_pixels (M, 3). Returns float RGB 0..1."""
    if strength <= 0 or len(fg_pixels) < 4 or len(ring_pixels) < 4:
        return fg
    fg_mean, fg_std = _stats(rgb_to_lab(ops, _sample(fg_pixels)))
    ring_mean, ring_std = _stats(rgb_to_lab(ops, _sample(ring_pixels)))
    ratio = ops.clip(ring_std / (fg_std + 1e-3), *SPREAD_RATIO)
    fg_lab = rgb_to_lab(ops, fg)
    moved = (fg_lab - fg_mean) * ratio + ring_mean
    return lab_to_rgb(ops, fg_lab + (moved - fg_lab) * strength)


def _sample(pixels):
    step = max(1, len(pixels) // MAX_SAMPLES)
    return pixels[::step]


def _stats(lab):
    mean = lab.mean(0)
    return mean, ((lab - mean) ** 2).mean(0) ** 0.5
