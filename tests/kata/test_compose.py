"""Compositing a product into a scene: geometry, shadows, occlusion, edges, grain, backends."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.core.errors import BadInput
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.compose.effects import noise_sigma
from studio.kata.images import load_rgb
from studio.kata.product import analyze_product

ASTRONAUT = "tests/data/astronaut-wide.jpg"
PLAIN = ComposeParams(shadow=False, harmonize=False, match_grain=False, blend="none", occlusion=False)


def bottle(width=80, height=240):
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[height // 4:, :] = (40, 130, 70, 255)
    rgba[:height // 4, width // 3:2 * width // 3] = (210, 210, 210, 255)
    return analyze_product(rgba, height_m=0.3)


def grey_scene(w=640, h=480, level=180):
    return np.full((h, w, 3), level, np.uint8)


def rows_and_cols(mask):
    ys, xs = np.nonzero(mask > 0.5)
    return ys.min(), ys.max() + 1, xs.min(), xs.max() + 1


@pytest.mark.parametrize("height_px", [60.0, 137.5, 400.0])
def test_the_base_lands_on_the_contact_point_at_the_asked_height(height_px):
    result = composite(grey_scene(), bottle(), Placement(x=300.0, y=440.0, height_px=height_px), PLAIN)

    top, bottom, left, right = rows_and_cols(result.mask)
    assert abs(bottom - 440) <= 1
    assert abs((bottom - top) - height_px) <= 2
    assert abs((left + right) / 2 - 300) <= 1
    assert result.box[3] == pytest.approx(440, abs=1)
    assert result.image.shape == (480, 640, 3) and result.image.dtype == np.uint8


def test_the_product_replaces_the_scene_where_it_stands():
    result = composite(grey_scene(), bottle(), Placement(300, 440, 200), PLAIN)

    assert tuple(result.image[400, 300]) == (40, 130, 70)  # body
    assert tuple(result.image[100, 300]) == (180, 180, 180)  # above it: the scene


def test_rotation_turns_the_product_about_its_contact_point():
    result = composite(grey_scene(), bottle(), Placement(300, 300, 200, rotation_deg=90), PLAIN)

    _top, _bottom, left, right = rows_and_cols(result.mask)
    assert abs((right - left) - 200) <= 2  # lying on its side, to the left of the contact point
    assert abs(right - 300) <= 41


def test_perspective_narrows_the_top():
    params = PLAIN.model_copy(update={"perspective": True})
    result = composite(grey_scene(), bottle(80, 240), Placement(300, 440, 240), params)

    covered = result.mask > 0.5
    assert covered[430].sum() > covered[260].sum() + 2  # body row near the base vs near the shoulder


def test_contact_shadow_darkens_just_below_the_base_and_fades_with_distance():
    params = ComposeParams(harmonize=False, match_grain=False, cast_shadow=False, shadow_strength=0.8)
    scene = grey_scene()

    result = composite(scene, bottle(), Placement(300, 400, 200), params)

    column = result.image[:, 300, 0].astype(int)
    assert column[401] < 180 - 40  # dark core right under the base
    assert column[401] < column[404] < column[410] <= 180
    assert column[460] == 180  # far away: untouched
    assert result.shadow_mask[401, 300] > result.shadow_mask[410, 300] > 0


def test_no_shadow_when_shadows_are_off():
    result = composite(grey_scene(), bottle(), Placement(300, 400, 200), PLAIN)

    assert result.shadow_mask.max() == 0
    assert result.image[401:, :, :].min() == 180


def test_cast_shadow_falls_away_from_the_light():
    params = ComposeParams(harmonize=False, match_grain=False)
    place = Placement(320, 400, 200)

    from_left = composite(grey_scene(), bottle(), place, params, light_dir=(-0.9, -0.4)).shadow_mask
    from_right = composite(grey_scene(), bottle(), place, params, light_dir=(0.9, -0.4)).shadow_mask

    assert from_left[:, 380:].sum() > 3 * from_left[:, :260].sum()
    assert from_right[:, :260].sum() > 3 * from_right[:, 380:].sum()


def test_occlusion_hides_the_product_where_the_scene_is_nearer():
    scene = grey_scene()
    depth = np.full((240, 320), 0.6, np.float32)  # analysis scale: half the scene's size
    depth[:175, :150] = 0.2  # something near the camera covering the product's upper left
    params = PLAIN.model_copy(update={"occlusion": True})

    result = composite(scene, bottle(), Placement(300, 420, 200), params, depth=depth)

    assert result.mask[300, 280] == 0  # behind the near thing
    assert tuple(result.image[300, 280]) == (180, 180, 180)
    assert result.mask[300, 320] == 1  # beside it: in view
    assert result.mask[400, 280] == 1  # below it: in view


def test_depth_is_ignored_when_occlusion_is_off():
    depth = np.zeros((240, 320), np.float32)
    depth[210:] = 0.9

    result = composite(grey_scene(), bottle(), Placement(300, 440, 200), PLAIN, depth=depth)

    assert result.mask[300, 300] == 1


@pytest.mark.parametrize("blend", ["feather", "laplacian", "poisson"])
def test_edges_are_softened_but_the_body_is_kept(blend):
    params = PLAIN.model_copy(update={"blend": blend, "feather_px": 2.0})
    hard = composite(grey_scene(), bottle(), Placement(300, 440, 200), PLAIN).image
    soft = composite(grey_scene(), bottle(), Placement(300, 440, 200), params).image

    edge_column = 300 - 33  # the body's left edge is at x = 300 - 33.3
    assert not np.array_equal(hard[350, edge_column - 2:edge_column + 3], soft[350, edge_column - 2:edge_column + 3])
    assert np.abs(hard[350, 290:310].astype(int) - soft[350, 290:310]).max() <= 2


def test_grain_matches_a_noisy_scene():
    rng = np.random.default_rng(5)
    scene = np.clip(180 + rng.normal(0, 8, (480, 640, 3)), 0, 255).astype(np.uint8)
    params = ComposeParams(shadow=False, harmonize=False, blend="none")

    result = composite(scene, bottle(), Placement(300, 440, 200), params)

    body = np.zeros(scene.shape[:2], bool)
    body[340:420, 280:320] = True
    assert 5 < noise_sigma(result.image, body) < 11
    flat = composite(scene, bottle(), Placement(300, 440, 200), params.model_copy(update={"match_grain": False}))
    assert noise_sigma(flat.image, body) < 1


def test_a_sharp_product_is_softened_in_a_soft_scene():
    rng = np.random.default_rng(6)
    scene = cv2.GaussianBlur(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8), (0, 0), 3)
    rgba = np.zeros((240, 100, 4), np.uint8)
    rgba[:, 10:90, 3] = 255
    rgba[::8, 10:90, :3] = 255  # hard stripes on black
    product = analyze_product(rgba, height_m=0.3)
    params = ComposeParams(shadow=False, harmonize=False, blend="none")

    soft = composite(scene, product, Placement(300, 440, 240), params).image
    sharp = composite(scene, product, Placement(300, 440, 240), params.model_copy(update={"match_grain": False})).image

    assert np.abs(np.diff(soft[300:400, 300, 0].astype(int))).max() < np.abs(np.diff(sharp[300:400, 300, 0].astype(int))).max()


@pytest.mark.parametrize("blend", ["feather", "laplacian", "poisson"])
def test_numpy_and_torch_backends_agree(blend):
    scene = load_rgb(ASTRONAUT)
    h, w = scene.shape[:2]
    depth = np.linspace(0, 1, h // 2, dtype=np.float32)[::-1, None].repeat(w // 2, 1).copy()
    params = ComposeParams(blend=blend, perspective=True)
    place = Placement(w * 0.3, h * 0.9, h * 0.5, rotation_deg=5)

    on_numpy = composite(scene, bottle(), place, params, depth=depth, backend="cpu")
    on_torch = composite(scene, bottle(), place, params, depth=depth, backend="torch")

    assert np.abs(on_numpy.image.astype(int) - on_torch.image).max() <= 3
    assert not np.array_equal(on_numpy.image, scene)


def test_params_round_trip_through_json():
    params = ComposeParams(blend="poisson", feather_px=3.5, cast_shadow=False)

    assert ComposeParams.model_validate_json(params.model_dump_json()) == params


def test_a_placement_outside_the_scene_is_refused():
    with pytest.raises(BadInput, match="outside the 640×480 scene"):
        composite(grey_scene(), bottle(), Placement(2000, 3000, 100), PLAIN)


def test_a_depth_map_of_the_wrong_shape_is_refused():
    params = PLAIN.model_copy(update={"occlusion": True})
    with pytest.raises(BadInput, match="depth map must be a 2-D array"):
        composite(grey_scene(), bottle(), Placement(300, 300, 100), params, depth=np.zeros((10, 10, 3)))


def test_a_tiny_height_is_refused():
    with pytest.raises(BadInput, match="too small to place"):
        composite(grey_scene(), bottle(), Placement(300, 300, 0.5), PLAIN)


def test_a_non_image_scene_is_refused():
    with pytest.raises(BadInput, match="8-bit RGB"):
        composite(np.zeros((100, 100), np.float32), bottle(), Placement(50, 50, 20), PLAIN)
