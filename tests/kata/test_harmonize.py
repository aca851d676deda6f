"""Colour harmonization. Match mode, iHarmony4-style: undo a colour cast on a region of a real
photo. Product mode (the default): a coloured product keeps its colour and takes the room's light."""

from __future__ import annotations

import numpy as np

import pytest

from studio.kata.compose import ComposeParams, Placement, composite, harmonize
from studio.kata.compose.backends import NumpyOps, TorchOps
from studio.kata.compose.harmonize import harmonize_on
from studio.kata.images import load_rgb
from studio.kata.product import analyze_product

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

    fixed = harmonize(shifted, fg_mask, photo, ring, strength=1.0, mode="match")

    assert mse(fixed, photo[region]) < 0.5 * mse(shifted, photo[region])


def test_strength_moves_between_none_and_full():
    photo, region, ring, shifted = cast_region()
    fg_mask = np.ones(shifted.shape[:2], np.float32)

    untouched = harmonize(shifted, fg_mask, photo, ring, strength=0.0, mode="match")
    half = mse(harmonize(shifted, fg_mask, photo, ring, strength=0.5, mode="match"), photo[region])
    full = mse(harmonize(shifted, fg_mask, photo, ring, strength=1.0, mode="match"), photo[region])

    assert np.array_equal(untouched, shifted)
    assert full < half < mse(shifted, photo[region])


def test_white_balance_follows_a_warm_room():
    """A neutral grey product in a warm-lit scene picks up the warmth (red above blue)."""
    scene = np.full((120, 120, 3), (200, 150, 100), np.uint8)
    ring = np.ones((120, 120), bool)
    grey = np.full((40, 40, 3), 128, np.uint8)

    warmed = harmonize(grey, np.ones((40, 40)), scene, ring).reshape(-1, 3).mean(0)

    assert warmed[0] > warmed[1] > warmed[2]


@pytest.mark.parametrize("mode", ["product", "match"])
def test_numpy_and_torch_transfers_agree(mode):
    photo, _region, ring, shifted = cast_region()
    results = []
    for ops in (NumpyOps(), TorchOps("cpu")):
        fg = ops.array(shifted) / 255
        out = harmonize_on(ops, fg, ops.array(shifted.reshape(-1, 3)) / 255, ops.array(photo[ring]) / 255, 1.0, mode)
        results.append(np.clip(ops.numpy(out) * 255 + 0.5, 0, 255).astype(np.int16))

    assert np.abs(results[0] - results[1]).max() <= 3


GREEN = (40, 140, 60)
BEIGE = (215, 190, 150)


def lab_mean(rgb) -> np.ndarray:
    import cv2

    return cv2.cvtColor(np.asarray(rgb, np.uint8).reshape(1, -1, 3), cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(float).mean(0)


def hue_and_chroma(lab) -> tuple[float, float]:
    a, b = lab[1] - 128, lab[2] - 128
    return float(np.degrees(np.arctan2(b, a))), float(np.hypot(a, b))


def test_a_coloured_product_keeps_its_colour_and_takes_the_rooms_light():
    """The default mode: a green bottle on a beige table stays green (hue within 12 degrees,
    most of its chroma), gets lighter toward the room and a little warmer; match mode, by
    contrast, pulls it most of the way to beige."""
    scene = np.full((120, 120, 3), BEIGE, np.uint8)
    ring = np.ones((120, 120), bool)
    product = np.full((40, 40, 3), GREEN, np.uint8)
    hue0, chroma0 = hue_and_chroma(lab_mean(product))

    kept = lab_mean(harmonize(product, np.ones((40, 40)), scene, ring))
    matched = lab_mean(harmonize(product, np.ones((40, 40)), scene, ring, mode="match"))

    hue, chroma = hue_and_chroma(kept)
    assert abs(hue - hue0) < 12 and chroma > 0.75 * chroma0
    assert kept[0] > lab_mean(product)[0] + 5  # lit like the brighter room
    assert kept[2] > lab_mean(product)[2]  # the room's warm cast (b toward yellow)
    assert abs(hue_and_chroma(matched)[0] - hue_and_chroma(lab_mean(scene))[0]) < 30  # match mode: the room's hue


def test_the_default_composite_keeps_a_green_product_green():
    """End to end with default parameters: the product's pixels in the result are still green."""
    rgba = np.zeros((240, 80, 4), np.uint8)
    rgba[20:, 10:70] = (*GREEN, 255)
    product = analyze_product(rgba, height_m=0.3)
    scene = np.full((480, 640, 3), BEIGE, np.uint8)

    out = composite(scene, product, Placement(320, 420, 200), ComposeParams())

    inside = out.image[out.mask > 0.99].astype(int).mean(0)
    assert inside[1] > inside[0] + 60 and inside[1] > inside[2] + 40
    matched = composite(scene, product, Placement(320, 420, 200), ComposeParams(harmonize_mode="match"))
    r, g, b = matched.image[matched.mask > 0.99].astype(int).mean(0)
    assert r > g > b  # the transfer mode turns it the room's beige: the switch matters


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="harmonization mode"):
        harmonize(np.zeros((8, 8, 3), np.uint8), np.ones((8, 8)), np.zeros((8, 8, 3), np.uint8), np.ones((8, 8), bool), mode="x")
