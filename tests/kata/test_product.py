"""Product analysis: cut-out PNGs, GrabCut on plain backgrounds, contact line, heights."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from studio.core.errors import BadInput
from studio.kata.images import load_rgb
from studio.kata.product import (
    CATEGORY_HEIGHTS_M,
    analyze_product,
    cut_out,
    load_product,
)

ASTRONAUT = "tests/data/astronaut-wide.jpg"


def bottle_rgba() -> np.ndarray:
    """A bottle on transparent ground with margins, and a stray faint pixel well below it."""
    rgba = np.zeros((300, 200, 4), np.uint8)
    rgba[80:250, 60:140] = (30, 120, 60, 255)  # body: rows 80..249, cols 60..139
    rgba[40:80, 85:115] = (200, 200, 200, 255)  # neck
    rgba[270, 100] = (0, 0, 0, 60)  # a stray semi-transparent speck
    return rgba


def test_png_product_is_cropped_tight_with_its_base_on_the_lowest_opaque_row(tmp_path):
    path = tmp_path / "bottle.png"
    Image.fromarray(bottle_rgba()).save(path)

    product = load_product(path, category="bottle")

    assert product.rgba.shape == (210, 80, 4)  # rows 40..249, cols 60..139
    assert product.base_y == 210  # the bottom edge of the body, not the speck
    assert product.base_span == (0, 80)
    assert product.height_m == CATEGORY_HEIGHTS_M["bottle"]
    assert not product.cut_out


def test_a_thin_faint_trail_under_the_product_is_not_its_base():
    rgba = bottle_rgba()
    rgba[250:256, 99:101] = (0, 0, 0, 200)  # a 2-px drip below a 80-px body

    product = analyze_product(rgba)

    assert product.base_y == product.rgba.shape[0] - 6


def test_given_height_wins_over_the_category():
    assert analyze_product(bottle_rgba(), height_m=0.33, category="can").height_m == 0.33
    assert analyze_product(bottle_rgba(), category="can").height_m == CATEGORY_HEIGHTS_M["can"]


def test_unknown_category_is_refused_with_the_list():
    with pytest.raises(BadInput, match="Unknown product category 'rocket'.*bottle.*chair"):
        analyze_product(bottle_rgba(), category="rocket")


def test_non_positive_height_is_refused():
    with pytest.raises(BadInput, match="height must be more than 0"):
        analyze_product(bottle_rgba(), height_m=0)


def test_fully_transparent_png_is_refused():
    with pytest.raises(BadInput, match="fully transparent"):
        analyze_product(np.zeros((100, 100, 4), np.uint8))


def drawn_product() -> tuple[np.ndarray, np.ndarray]:
    """A shaded mug-like object on a plain, slightly noisy light background, and its true mask."""
    rng = np.random.default_rng(3)
    h, w = 240, 200
    truth = np.zeros((h, w), np.uint8)
    cv2.rectangle(truth, (60, 70), (140, 200), 1, -1)
    cv2.ellipse(truth, (100, 200), (40, 12), 0, 0, 180, 1, -1)
    cv2.ellipse(truth, (150, 130), (22, 30), 0, 0, 360, 1, 12)  # a handle (ring)
    shade = np.linspace(0.6, 1.0, w, dtype=np.float32)[None, :, None]
    product = (np.array([170, 40, 50], np.float32) * shade).repeat(h, 0)
    background = np.full((h, w, 3), (236, 234, 230), np.float32)
    rgb = np.where(truth[..., None] > 0, product, background) + rng.normal(0, 2.0, (h, w, 3))
    return np.clip(rgb, 0, 255).astype(np.uint8), truth > 0


def test_grabcut_recovers_a_product_drawn_on_a_plain_background():
    rgb, truth = drawn_product()

    mask = cut_out(rgb)[..., 3] >= 128

    iou = (mask & truth).sum() / (mask | truth).sum()
    assert iou > 0.9


def test_a_photo_on_a_plain_background_is_cut_out_and_cropped():
    rgb, truth = drawn_product()
    ys, xs = np.nonzero(truth)

    product = analyze_product(rgb, category="cup")

    assert product.cut_out
    assert abs(product.rgba.shape[0] - (ys.max() + 1 - ys.min())) <= 2
    assert abs(product.rgba.shape[1] - (xs.max() + 1 - xs.min())) <= 2
    assert abs(product.base_y - product.rgba.shape[0]) <= 2


def test_a_photo_on_a_busy_background_is_refused():
    photo = load_rgb(ASTRONAUT)

    with pytest.raises(BadInput, match="no transparency and its background is busy: use a cut-out PNG"):
        analyze_product(photo)
