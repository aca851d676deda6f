"""Perspective from the scene: the camera's pitch (read from where the horizon sits against the
image centre) sets where verticals converge, and the product's sides follow them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.product import analyze_product

from .scenes import floor_scene, wall_scene

PLAIN = ComposeParams(shadow=False, harmonize=False, match_grain=False, blend="none", occlusion=False, perspective=True)


def block(width=100, height=200):
    rgba = np.zeros((height, width + 4, 4), np.uint8)  # a transparent margin left and right
    rgba[:, 2:-2] = (40, 130, 70, 255)
    return analyze_product(rgba, height_m=0.3)


def widths(mask, top, bottom):
    """The product's width a little below its top and a little above its base."""
    covered = mask > 0.5
    span = bottom - top
    return covered[round(top + 0.1 * span)].sum(), covered[round(bottom - 0.1 * span)].sum()


def test_two_vanishing_points_give_the_focal_length_and_the_horizon_gives_the_vertical_one():
    rgb, truth = floor_scene(yaw_deg=45.0, horizon_y=300.0)
    scene = analyze(rgb)
    assert scene.focal_px() == pytest.approx(truth.focal_px, rel=0.05)
    vx, vy = scene.vertical_vanishing_point()
    # Horizon above the centre: the camera looks down, so verticals meet below the picture,
    # at f² / (centre - horizon) under the centre.
    assert vx == 512 and vy == pytest.approx(384 + scene.focal_px() ** 2 / (384 - scene.horizon_y))
    assert vy > rgb.shape[0]


def test_a_level_camera_keeps_verticals_parallel_and_a_guessed_horizon_gives_nothing():
    level = analyze(floor_scene(horizon_y=384.0)[0])
    assert level.vertical_vanishing_point()[1] == math.inf
    assert analyze(wall_scene()[0]).vertical_vanishing_point() is None


def test_looking_up_narrows_the_top_more_the_further_below_the_horizon():
    """vp above the picture (camera tilted up). A product's height is proportional to its base's
    drop below the horizon, so one standing far below spans more of the way to vp than one
    just under the horizon: its top narrows more."""
    scene = np.full((800, 1000, 3), 180, np.uint8)
    horizon, vp, px_per_drop = 450.0, (500.0, -1500.0), 0.8
    ratios = []
    for base_y in (520.0, 780.0):
        height = px_per_drop * (base_y - horizon)
        result = composite(scene, block(), Placement(400, base_y, height), PLAIN, vertical_vp=vp)
        top_w, base_w = widths(result.mask, base_y - height, base_y)
        # The truth: widths scale with the distance to vp.
        expected = (base_y - 0.9 * height - vp[1]) / (base_y - 0.1 * height - vp[1])
        assert top_w / base_w == pytest.approx(expected, abs=0.03)
        ratios.append(top_w / base_w)
    assert ratios[0] > ratios[1] and ratios[1] < 0.97


def test_looking_down_widens_the_top_and_level_or_unknown_geometry_does_what_it_says():
    scene = np.full((800, 1000, 3), 180, np.uint8)
    place = Placement(400, 700, 300)
    down = composite(scene, block(), place, PLAIN, vertical_vp=(500.0, 3000.0))
    top_w, base_w = widths(down.mask, 400, 700)
    assert top_w > base_w + 4
    level = composite(scene, block(), place, PLAIN, vertical_vp=(500.0, math.inf))
    top_w, base_w = widths(level.mask, 400, 700)
    assert abs(top_w - base_w) <= 1
    fallback = composite(scene, block(), place, PLAIN)  # no geometry: the fixed slight keystone
    top_w, base_w = widths(fallback.mask, 400, 700)
    assert base_w - top_w > 5
