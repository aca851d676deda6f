"""Support surfaces beyond clean geometry: objects standing on the floor are not floor, and a
photo whose lines give no surface still offers its plain lower band, never over a face."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from studio.kata.analysis import analyze
from studio.kata.images import load_rgb
from studio.kata.placement import find_zones
from studio.kata.product import analyze_product

from .scenes import floor_scene, wall_scene

ASTRONAUT = Path(__file__).parents[1] / "data" / "astronaut-wide.jpg"


def bottle(height_m=0.25):
    rgba = np.zeros((150, 60, 4), np.uint8)
    rgba[40:150, 5:55] = (30, 120, 60, 255)
    rgba[15:40, 20:40] = (30, 120, 60, 255)
    return analyze_product(rgba, height_m=height_m)


def base_line(zone, product):
    """The full-res pixels under the product's base: where it stands on the floor."""
    s = (zone.box[2] - zone.box[0]) / product.rgba.shape[1]
    x0, x1 = (round(zone.box[0] + v * s) for v in product.base_span)
    return slice(int(zone.contact[1]) - 2, int(zone.contact[1]) + 1), slice(x0, x1 + 1)


def test_a_plant_standing_on_the_floor_is_cut_out_of_the_floor_and_no_zone_stands_on_it():
    rgb, truth = floor_scene()
    plant = np.zeros(rgb.shape[:2], np.uint8)
    cv2.fillPoly(plant, [np.array([[330, 640], [430, 640], [450, 540], [310, 540]])], 1)  # the pot
    cv2.circle(plant, (380, 470), 95, 2, -1)  # the leaves
    rgb[plant == 1], rgb[plant == 2] = (170, 80, 50), (50, 120, 40)
    scene = analyze(rgb)
    floor = next(s for s in scene.surfaces if s.kind == "floor")
    full = cv2.resize(floor.mask.astype(np.uint8), truth.size, interpolation=cv2.INTER_NEAREST) > 0
    assert not full[plant > 0].any()
    assert full[truth.floor_mask & (plant == 0)].mean() > 0.95  # the bare floor is kept
    product = bottle()
    zones, _heat = find_zones(scene, product)
    assert len(zones) >= 4
    for zone in zones:
        assert not plant[base_line(zone, product)].any(), zone


def test_a_plain_floor_band_keeps_all_its_floor():
    rgb, truth = floor_scene(size=(800, 600), horizon_y=200.0, yaw_deg=30.0)
    floor = next(s for s in analyze(rgb).surfaces if s.kind == "floor")
    full = cv2.resize(floor.mask.astype(np.uint8), truth.size, interpolation=cv2.INTER_NEAREST) > 0
    assert full[truth.floor_mask].mean() > 0.95


def backdrop(h=768, w=1024):
    """A plain studio sweep, darkening towards the bottom, with sensor noise."""
    shade = 1 - 0.25 * np.linspace(0, 1, h)[:, None, None]
    return (np.array([200, 196, 188]) * shade + np.random.default_rng(0).normal(0, 2, (h, w, 3))).clip(0, 255).astype(np.uint8)


def test_without_converging_lines_the_plain_lower_band_offers_zones_never_over_the_face():
    """The astronaut's real head before a plain sweep: no line converges anywhere."""
    rgb = backdrop()
    head = load_rgb(ASTRONAUT)[35:222, 158:345]
    rgb[100:100 + head.shape[0], 300:300 + head.shape[1]] = head
    scene = analyze(rgb)
    assert scene.vanishing_points == [] and scene.faces
    assert any("plain lower part" in n for n in scene.notes)
    assert [s.kind for s in scene.surfaces] == ["floor"]
    zones, _heat = find_zones(scene, bottle())
    assert zones
    for zone in zones:
        assert scene.face_overlap(zone.box) == 0
        assert zone.box[1] > scene.horizon_y - 1  # standing under the guessed horizon


def test_a_person_standing_before_a_sweep_is_no_floor_for_a_product():
    """The astronaut photo's left part down to the frame's bottom: a real face and body."""
    astronaut = load_rgb(ASTRONAUT)
    rgb = backdrop()
    person = (100, rgb.shape[0] - astronaut.shape[0], 420, rgb.shape[0])  # x0, y0, x1, y1
    rgb[person[1]:, person[0]:person[2]] = astronaut[:, 100:420]
    scene = analyze(rgb)
    zones, _heat = find_zones(scene, bottle())
    assert scene.faces and zones
    for zone in zones:
        x0, _, x1, _ = zone.box
        assert scene.face_overlap(zone.box) == 0 and (x1 <= person[0] or x0 >= person[2]), zone


def test_a_real_photo_offers_zones_and_none_covers_the_face():
    scene = analyze(load_rgb(ASTRONAUT))
    zones, _heat = find_zones(scene, bottle())
    assert scene.faces and zones
    assert all(scene.face_overlap(z.box) == 0 for z in zones)


def test_a_textured_wall_is_no_plain_band():
    scene = analyze(wall_scene()[0])
    assert scene.surfaces == [] and not any("plain lower part" in n for n in scene.notes)
