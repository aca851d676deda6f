"""Placement zones: on the supporting surface, at the size the perspective gives, never over
a face; none in a scene with nowhere to stand; snapping to the best zone near a drop."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.errors import BadInput
from studio.kata.analysis import analyze
from studio.kata.analysis.scene import Face, SceneAnalysis, Surface
from studio.kata.images import load_rgb
from studio.kata.placement import (
    OFF_SURFACE_HEAT,
    find_zones,
    placement_for,
    snap,
    stand_in,
)
from studio.kata.product import analyze_product
from tests.kata import scenes

ASTRONAUT = "tests/data/astronaut-wide.jpg"
W, H, SCALE = 960, 640, 0.5
HORIZON, CAMERA_M = 220.0, 1.6


def bottle(height_m=0.25):
    """A cut-out bottle: body, shoulder and neck on transparent ground."""
    rgba = np.zeros((150, 60, 4), np.uint8)
    rgba[40:150, 5:55] = (30, 120, 60, 255)
    rgba[15:40, 20:40] = (30, 120, 60, 255)
    rgba[0:15, 24:36] = (200, 200, 200, 255)
    return analyze_product(rgba, height_m=height_m)


def mask(box):
    """A surface mask at analysis scale from a full-res box."""
    m = np.zeros((int(H * SCALE), int(W * SCALE)), bool)
    x0, y0, x1, y1 = (int(v * SCALE) for v in box)
    m[y0:y1, x0:x1] = True
    return m


def scene(surfaces=(), faces=(), saliency=None) -> SceneAnalysis:
    shape = (int(H * SCALE), int(W * SCALE))
    depth = np.tile(np.linspace(1, 0, shape[0], dtype=np.float32)[:, None], (1, shape[1]))
    return SceneAnalysis(
        size=(W, H), work_scale=SCALE, faces=list(faces),
        saliency=np.zeros(shape, np.float32) if saliency is None else saliency,
        edges=np.zeros(shape, np.float32), text_mask=np.zeros(shape, bool), horizon_y=HORIZON,
        vanishing_points=[], camera_height_m=CAMERA_M, surfaces=list(surfaces), depth=depth,
        depth_source="geometric", light_dir=(-0.5, -0.8),
    )


def floor():
    box = (0, int(HORIZON) + 2, W, H)
    return Surface("floor", box, 0.0, mask(box))


def true_height(zone, product, surface_height_m):
    return product.height_m * (zone.contact[1] - HORIZON) / (CAMERA_M - surface_height_m)


def test_floor_zones_stand_on_the_floor_at_the_perspective_height():
    product = bottle()
    analysis = scene([floor()])
    zones, heat = find_zones(analysis, product)
    assert zones and heat.shape == analysis.saliency.shape and heat.max() > 0.5
    assert [z.id for z in zones] == list(range(1, len(zones) + 1))
    assert [z.score for z in zones] == sorted((z.score for z in zones), reverse=True)
    for zone in zones:
        assert zone.surface == "floor" and analysis.surface_at(*zone.contact).kind == "floor"
        assert zone.height_px == pytest.approx(true_height(zone, product, 0.0), rel=0.15)
        assert zone.box[3] - zone.box[1] == pytest.approx(zone.height_px, abs=2)


def test_table_zones_use_the_table_height_for_scale():
    product = bottle()
    top = (300, 400, 660, 460)
    analysis = scene([floor(), Surface("table", top, 0.75, mask(top))])
    zones, _heat = find_zones(analysis, product)
    on_table = [z for z in zones if z.surface == "table"]
    assert on_table
    for zone in on_table:
        assert top[0] <= zone.contact[0] <= top[2] and top[1] <= zone.contact[1] <= top[3]
        assert zone.height_px == pytest.approx(true_height(zone, product, 0.75), rel=0.15)


def test_a_wall_with_no_surface_gives_no_zone_and_only_a_faint_heat_map():
    zones, heat = find_zones(scene([]), bottle())
    assert zones == []
    assert heat.max() <= OFF_SURFACE_HEAT + 1e-6


def test_no_zone_covers_a_face_and_the_heat_is_zero_there():
    face = Face((440, 420, 80, 80), 0.9)
    analysis = scene([floor()], faces=[face])
    zones, heat = find_zones(analysis, bottle())
    assert zones
    assert all(analysis.face_overlap(z.box) == 0 for z in zones)
    x, y, w, h = (int(v * SCALE) for v in face.box)
    assert heat[y + h // 2, x + w // 2] == 0


def test_zones_avoid_the_salient_subject():
    saliency = np.zeros((int(H * SCALE), int(W * SCALE)), np.float32)
    saliency[:, : saliency.shape[1] // 2] = 1.0  # the left half is the subject
    zones, _heat = find_zones(scene([floor()], saliency=saliency), bottle())
    assert zones[0].contact[0] > W / 2 and zones[0].parts["subject"] > 0.9


def test_snap_picks_the_best_zone_near_the_drop_point_or_none():
    product = bottle()
    zones, _heat = find_zones(scene([floor()]), product)
    target = zones[-1]
    snapped = snap(zones, target.contact[0] + 5, target.contact[1] - 5)
    near = [z for z in zones if np.hypot(z.contact[0] - target.contact[0] - 5, z.contact[1] - target.contact[1] + 5) <= 0.08 * np.hypot(W, H)]
    assert snapped is max(near, key=lambda z: z.score)
    assert snap(zones, target.contact[0], 0, radius_px=10) is None
    assert snap([], 10, 10) is None
    placement = placement_for(snapped, product)
    assert (placement.x, placement.y, placement.height_px) == (snapped.contact[0], snapped.contact[1], snapped.height_px)


def test_a_stand_in_needs_a_known_category_or_a_height():
    assert stand_in("can").height_m == pytest.approx(0.12)
    assert stand_in("widget", 0.3).height_m == 0.3
    with pytest.raises(BadInput, match="Unknown product category 'widget'"):
        stand_in("widget")


def test_no_zone_overlaps_a_face_on_a_real_photo():
    analysis = analyze(load_rgb(ASTRONAUT))
    assert analysis.faces, "the astronaut's face should be detected"
    zones, _heat = find_zones(analysis, bottle())
    for zone in zones:
        assert analysis.face_overlap(zone.box) == 0


def test_on_a_rendered_floor_the_chosen_zone_is_on_the_floor_at_the_true_height():
    image, truth = scenes.floor_scene()
    zones, _heat = find_zones(analyze(image), bottle())
    best = zones[0]
    assert best.surface == "floor" and truth.floor_mask[int(best.contact[1]), int(best.contact[0])]
    assert best.height_px == pytest.approx(0.25 * truth.px_per_metre(best.contact[1]), rel=0.15)


def test_on_a_rendered_table_scene_every_zone_is_on_its_surface_at_the_true_height():
    image, truth = scenes.table_scene()
    zones, _heat = find_zones(analyze(image), bottle())
    assert zones[0].surface == "table"  # a bottle belongs on the table rather than the floor
    for zone in zones:
        x, y = int(zone.contact[0]), int(zone.contact[1])
        on_table = zone.surface == "table"
        assert (truth.table_top_mask if on_table else truth.floor_mask)[y, x], zone
        expected = 0.25 * truth.px_per_metre(zone.contact[1], truth.table_height_m if on_table else 0.0)
        assert zone.height_px == pytest.approx(expected, rel=0.15)


def test_a_rendered_brick_wall_gives_no_zone():
    image, _truth = scenes.wall_scene()
    assert find_zones(analyze(image), bottle())[0] == []
