"""The realism and safety score of real composites: reasons with numbers, hard flags."""

from __future__ import annotations

import re

import numpy as np
import pytest

from studio.kata.analysis.scene import Face, Surface
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.placement import find_zones, placement_for
from studio.kata.score import FLAGGED_CAP, score
from tests.kata.test_placement import (
    CAMERA_M,
    HORIZON,
    H,
    W,
    bottle,
    floor,
    mask,
    scene,
)


def photo() -> np.ndarray:
    """A plain room: pale wall above the horizon, a slightly textured floor below."""
    rng = np.random.default_rng(3)
    image = np.empty((H, W, 3), np.uint8)
    image[: int(HORIZON)] = (205, 200, 190)
    image[int(HORIZON):] = (150, 120, 90)
    return np.clip(image + rng.normal(0, 3, image.shape), 0, 255).astype(np.uint8)


def rate(analysis, product, placement):
    result = composite(photo(), product, placement, ComposeParams(), depth=analysis.depth, light_dir=analysis.light_dir)
    return score(analysis, product, placement, result)


def floor_height(product, y):
    return product.height_m * (y - HORIZON) / CAMERA_M


def test_the_best_zone_scores_well_without_flags():
    product, analysis = bottle(), scene([floor()])
    zone = find_zones(analysis, product)[0][0]
    rating = rate(analysis, product, placement_for(zone, product))
    assert rating.total > 80 and rating.flags == []
    assert not any("floats" in r or "larger" in r or "smaller" in r for r in rating.reasons)
    assert set(rating.parts) == {"size", "support", "occlusion", "perspective", "face", "subject", "text", "free_space"}


def test_a_product_above_the_table_floats_by_the_gap():
    product = bottle()
    top = (300, 450, 660, 520)
    analysis = scene([Surface("table", top, 0.75, mask(top))])
    y = 420.0  # 30 px above the table top
    rating = rate(analysis, product, Placement(x=480, y=y, height_px=product.height_m * (y - HORIZON) / (CAMERA_M - 0.75)))
    floats = [r for r in rating.reasons if r.startswith("product floats")]
    assert floats and abs(int(re.search(r"(\d+) px", floats[0]).group(1)) - 30) <= 2
    assert rating.parts["support"] == 0


@pytest.mark.parametrize("factor, word", [(1.4, "larger"), (0.6, "smaller")])
def test_a_product_off_the_perspective_size_says_by_how_much(factor, word):
    product, analysis = bottle(), scene([floor()])
    y = 560.0
    rating = rate(analysis, product, Placement(x=480, y=y, height_px=factor * floor_height(product, y)))
    assert f"is 40 % {word} than the floor's perspective allows" in rating.reasons
    right = rate(analysis, product, Placement(x=480, y=y, height_px=floor_height(product, y)))
    assert rating.total < right.total


def test_covering_a_face_is_a_hard_flag_with_the_share_covered():
    product = bottle()
    analysis = scene([floor()], faces=[Face((470, 440, 40, 40), 0.9)])
    y = 480.0  # the bottle's top half covers the lower face
    rating = rate(analysis, product, Placement(x=490, y=y, height_px=floor_height(product, y)))
    assert "overlaps a face" in rating.flags and rating.total <= FLAGGED_CAP
    covered = [r for r in rating.reasons if r.startswith("covers") and "face" in r]
    assert covered and 10 <= int(re.search(r"(\d+) %", covered[0]).group(1)) <= 100


def test_a_product_on_a_body_below_a_face_is_placed_on_a_person():
    product = bottle()
    analysis = scene([floor()], faces=[Face((450, 240, 60, 60), 0.9)])
    y = 600.0
    rating = rate(analysis, product, Placement(x=480, y=y, height_px=floor_height(product, y)))
    assert "placed on a person" in rating.flags and "overlaps a face" not in rating.flags
    away = rate(analysis, product, Placement(x=120, y=y, height_px=floor_height(product, y)))
    assert away.flags == [] and away.total > rating.total


def test_a_busy_salient_spot_is_named():
    product = bottle()
    saliency = np.ones((int(H * 0.5), int(W * 0.5)), np.float32)
    analysis = scene([floor()], saliency=saliency)
    y = 560.0
    rating = rate(analysis, product, Placement(x=480, y=y, height_px=floor_height(product, y)))
    assert "sits on a busy, salient area" in rating.reasons and rating.parts["subject"] == 0
