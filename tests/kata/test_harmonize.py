"""Colour harmonization, iHarmony4-style: undo a colour cast on a region of a real photo."""

from __future__ import annotations

import numpy as np

from studio.kata.compose import harmonize
from studio.kata.compose.backends import NumpyOps, TorchOps
from studio.kata.compose.harmonize import harmonize_on
from studio.kata.images import load_rgb

ASTRONAUT = "tests/data/astronaut-wide.jpg"


def cast_region():
    """(photo, region slices, ring mask, the region with a colour cast): the cast as in iHarmony4's composites."""
    photo = load_rgb(ASTRONAUT)
    h, w = photo.shape[:2]
    y0, y1, x0, x1 = h // 3, h // 3 + h // 4, w // 2, w // 2 + w // 6
    region = (slice(y0, y1), slice(x0, x1))
    ring = np.zeros((h, w), bool)
    pad = max(8, (y1 - y0) // 6)
    ring[y0 - pad:y1 + pad, x0 - pad:x1 + pad] = True
    ring[region] = False
    shifted = np.clip(photo[region].astype(np.float32) * (1.25, 0.9, 0.8) + 15, 0, 255).astype(np.uint8)
    return photo, region, ring, shifted


def mse(a, b) -> float:
    return float(((a.astype(np.float32) - b.astype(np.float32)) ** 2).mean())


def test_harmonizing_a_cast_region_brings_it_back_towards_the_original():
    photo, region, ring, shifted = cast_region()
    fg_mask = np.ones(shifted.shape[:2], np.float32)

    fixed = harmonize(shifted, fg_mask, photo, ring, strength=1.0)

    assert mse(fixed, photo[region]) < 0.5 * mse(shifted, photo[region])


def test_strength_moves_between_none_and_full():
    photo, region, ring, shifted = cast_region()
    fg_mask = np.ones(shifted.shape[:2], np.float32)

    untouched = harmonize(shifted, fg_mask, photo, ring, strength=0.0)
    half = mse(harmonize(shifted, fg_mask, photo, ring, strength=0.5), photo[region])
    full = mse(harmonize(shifted, fg_mask, photo, ring, strength=1.0), photo[region])

    assert np.array_equal(untouched, shifted)
    assert full < half < mse(shifted, photo[region])


def test_white_balance_follows_a_warm_room():
    """A neutral grey product in a warm-lit scene picks up the warmth (red above blue)."""
    scene = np.full((120, 120, 3), (200, 150, 100), np.uint8)
    ring = np.ones((120, 120), bool)
    grey = np.full((40, 40, 3), 128, np.uint8)

    warmed = harmonize(grey, np.ones((40, 40)), scene, ring).reshape(-1, 3).mean(0)

    assert warmed[0] > warmed[1] > warmed[2]


def test_numpy_and_torch_transfers_agree():
    photo, _region, ring, shifted = cast_region()
    results = []
    for ops in (NumpyOps(), TorchOps("cpu")):
        fg = ops.array(shifted) / 255
        out = harmonize_on(ops, fg, ops.array(shifted.reshape(-1, 3)) / 255, ops.array(photo[ring]) / 255, 1.0)
        results.append(np.clip(ops.numpy(out) * 255 + 0.5, 0, 255).astype(np.int16))

    assert np.abs(results[0] - results[1]).max() <= 3
