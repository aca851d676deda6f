"""A tracked placement rendered through a clip: geometry, light over time, frame edges, bad input.

The clips are made here from a real photo with known homographies (the truth), so the tests do
not depend on the tracker. Frames are small (320×240) to keep the suite fast.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.images import load_rgb
from studio.kata.product import analyze_product
from studio.kata.track.layer import Measurements, TrackedLayer, render_frames
from studio.kata.track.model import LOST, OTHER_SHOT, TRACKED, Track

WORLD = "resources/demo/scene-coffee-table.jpg"
SIZE = (320, 240)
PLACEMENT = Placement(x=200.0, y=190.0, height_px=110.0)
PARAMS = ComposeParams(match_grain=False)


def bottle():
    rgba = np.zeros((200, 70, 4), np.uint8)
    rgba[50:, :] = (40, 150, 70, 255)
    rgba[:50, 23:47] = (215, 215, 215, 255)
    return analyze_product(rgba, height_m=0.3)


def view(cx: float, cy: float, zoom: float = 1.0, angle_deg: float = 0.0, size=SIZE) -> np.ndarray:
    """The world -> frame homography of a camera looking at world point (cx, cy)."""
    a = math.radians(angle_deg)
    turn = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    tilt = np.array([[1, 0, 0], [0, 1, 0], [0.0002, 0.0001, 1]])  # a little perspective
    return translate(size[0] / 2, size[1] / 2) @ tilt @ turn @ np.diag([zoom, zoom, 1]) @ translate(-cx, -cy)


def translate(dx, dy):
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


@dataclass
class Clip:
    frames: list[np.ndarray]
    track: Track
    occluder: list[np.ndarray]  # bool per frame: where the occluder really is


def make_clip(views: list[np.ndarray], *, anchor: int = 0, exposure: Callable[[int], float] = lambda i: 1.0,
              occluder_at: Callable[[int], tuple[float, float] | None] = lambda i: None, state=None,
              cuts=(), noise: float = 2.0, size=SIZE) -> Clip:
    """Frames of the world photo seen through views (world -> frame homographies), lit by exposure(i),
    with a person-like occluder standing at occluder_at(i) (its feet, frame pixels) in front of everything."""
    world = load_rgb(WORLD).astype(np.float32)
    rng = np.random.default_rng(7)
    frames, masks = [], []
    for i, v in enumerate(views):
        image = cv2.warpPerspective(world, v, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        mask = np.zeros(size[::-1], bool)
        if (at := occluder_at(i)) is not None:
            image, mask = person(image, at)
        image = image * exposure(i) + rng.normal(0, noise, image.shape)
        frames.append(np.clip(image + 0.5, 0, 255).astype(np.uint8))
        masks.append(mask)
    homographies = np.array([v @ np.linalg.inv(views[anchor]) for v in views])
    states = np.full(len(views), TRACKED, np.uint8) if state is None else np.asarray(state, np.uint8)
    homographies[states != TRACKED] = np.nan
    quad = np.array([[60, 120], [300, 120], [310, 235], [50, 235]], np.float64)  # the table top around the product
    return Clip(frames, Track(anchor=anchor, size=size, quad=quad, homographies=homographies, state=states,
                              cuts=list(cuts)), masks)


def person(image: np.ndarray, feet: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """A striped blue body and a head, 150 px tall, standing at feet."""
    h, w = image.shape[:2]
    shape = np.zeros((h, w), np.uint8)
    x, y = round(feet[0]), round(feet[1])
    cv2.rectangle(shape, (x - 24, y - 120), (x + 24, y), 1, -1)
    cv2.circle(shape, (x, y - 136), 16, 1, -1)
    mask = shape > 0
    yy, xx = np.mgrid[0:h, 0:w]
    stripes = ((xx + yy) // 6) % 2
    cloth = np.where(stripes[..., None] == 1, (40.0, 60.0, 150.0), (70.0, 95.0, 190.0))
    out = image.copy()
    out[mask] = cloth[mask]
    return out, mask


def still_clip(n: int, **kw) -> Clip:
    return make_clip([view(420, 260)] * n, **kw)


@pytest.fixture(scope="module")
def product():
    return bottle()


def prepared(clip: Clip, product, params=PARAMS) -> TrackedLayer:
    return TrackedLayer.prepare(clip.frames[clip.track.anchor], product, PLACEMENT, params)


def product_pixels(memory, at_least: float = 0.5) -> np.ndarray:
    """Bool frame mask of where the product shows with at least this opacity, from the render's memory."""
    mask = np.zeros(SIZE[::-1], bool)
    if memory.box is not None:
        x0, y0, x1, y1 = memory.box
        mask[y0:y1, x0:x1] = memory.coverage >= at_least
    return mask


# --- geometry ---------------------------------------------------------------------------------


def test_the_anchor_frame_renders_as_the_still_compositor_does(product):
    clip = make_clip([view(420 + 3 * i, 260) for i in range(5)], anchor=2)
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)

    image, _ = layer.render(2, clip.frames[2], clip.track, measurements)

    still = composite(clip.frames[2], product, PLACEMENT, PARAMS)
    assert np.abs(image.astype(int) - still.image.astype(int)).max() <= 2


def test_the_product_follows_the_plane_through_camera_motion(product):
    views = [view(420 + 6 * i, 260 - 2 * i, zoom=1 + 0.03 * i, angle_deg=1.5 * i) for i in range(6)]
    clip = make_clip(views)
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)
    anchor_mask = composite(clip.frames[0], product, PLACEMENT, PARAMS).mask

    for i in (1, 5):
        _, memory = layer.render(i, clip.frames[i], clip.track, measurements)
        truth = cv2.warpPerspective(anchor_mask, clip.track.homographies[i], SIZE) > 0.5
        shown = product_pixels(memory)
        assert (shown & truth).sum() / (shown | truth).sum() > 0.9
        assert np.allclose(np.argwhere(shown).mean(0), np.argwhere(truth).mean(0), atol=0.7)


def product_axis(memory) -> tuple[np.ndarray, float, float]:
    """(base point, length along its axis, axis angle in degrees from upright) of the product shown in memory."""
    ys, xs = np.nonzero(product_pixels(memory))
    points = np.c_[xs, ys].astype(np.float64) + 0.5  # continuous coordinates, as placements are
    centre = points.mean(0)
    _, vectors = np.linalg.eigh(np.cov((points - centre).T))
    axis = vectors[:, 1] * np.sign(vectors[1, 1])  # the long axis, pointing down
    along = (points - centre) @ axis
    return centre + axis * along.max(), along.max() - along.min(), math.degrees(math.atan2(-axis[0], axis[1]))


def about(point, m):
    return translate(*point) @ m @ translate(-point[0], -point[1])


@pytest.mark.parametrize(("plane", "height", "angle"), [
    (np.diag([1.0, 0.6, 1]), 110, 0),  # the camera tilts down: the ground foreshortens, the bottle does not
    (np.array([[1.0, 0.3, 0], [0, 1, 0], [0, 0, 1]]), 110, 0),  # the ground shears: the bottle stays upright
    (np.diag([1.25, 1.25, 1]), 137.5, 0),  # zoom
    (np.array([[math.cos(0.35), -math.sin(0.35), 0], [math.sin(0.35), math.cos(0.35), 0], [0, 0, 1]]), 110, 20.05),
])
def test_the_product_stands_upright_on_the_moving_plane(product, plane, height, angle):
    """The contact point follows the plane exactly; the product scales and turns like the plane's horizontal
    there (zoom, camera roll) but is not foreshortened or sheared with the ground."""
    contact = (PLACEMENT.x, PLACEMENT.y)
    views = [view(420, 260), about(contact, plane) @ view(420, 260)]
    clip = make_clip(views)
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)

    _, memory = layer.render(1, clip.frames[1], clip.track, measurements)

    base, length, turned = product_axis(memory)
    assert np.allclose(base, contact, atol=1.5)
    assert length == pytest.approx(height, abs=2.5)
    assert turned == pytest.approx(angle, abs=1.0)


# --- light over time --------------------------------------------------------------------------


def body_colour(layer, clip, measurements, i) -> np.ndarray:
    image, memory = layer.render(i, clip.frames[i], clip.track, measurements)
    inner = cv2.erode(product_pixels(memory, 0.99).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    inner[:round(PLACEMENT.y - 0.6 * PLACEMENT.height_px)] = False  # the body, below the neck
    return image[inner].mean(0)


def test_an_exposure_ramp_brightens_and_darkens_the_product_with_the_scene(product):
    ramp = np.linspace(0.75, 1.25, 11)
    clip = make_clip([view(420 + 2 * i, 260) for i in range(11)], anchor=5, exposure=lambda i: ramp[i])
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)

    assert np.allclose(measurements.gains.mean(1), ramp / ramp[5], atol=0.02)
    at_anchor = body_colour(layer, clip, measurements, 5)
    for i in (0, 10):
        ratio = body_colour(layer, clip, measurements, i) / at_anchor
        assert np.allclose(ratio, ramp[i] / ramp[5], atol=0.04)


def test_frame_to_frame_noise_in_the_light_is_smoothed_away():
    n = 30
    truth = np.linspace(0.9, 1.1, n)
    jitter = np.random.default_rng(3).normal(0, 0.03, n)
    clip = make_clip([view(420, 260)] * n, anchor=15, exposure=lambda i: truth[i] * (1 + jitter[i]))
    layer = prepared(clip, bottle())
    measurements = layer.measure(clip.frames, clip.track)

    anchor_light = truth[15] * (1 + jitter[15])
    raw = measurements.raw_gains.mean(1) * anchor_light
    smooth = measurements.gains.mean(1) * anchor_light
    assert np.abs(raw - truth * (1 + jitter)).max() < 0.01  # each frame's light is measured right...
    assert rms(smooth - truth) < 0.5 * rms(raw - truth)  # ...but the flicker is not followed, the ramp is
    assert np.abs(np.diff(smooth, 2)).max() < 0.25 * np.abs(np.diff(raw, 2)).max()


def rms(a) -> float:
    return float(np.sqrt((a ** 2).mean()))


def test_a_person_walking_past_is_not_taken_for_a_change_of_light(product):
    clip = make_clip([view(420 + 2 * i, 260) for i in range(12)], occluder_at=lambda i: (60 + 20 * i, 230))
    layer = prepared(clip, product)

    raw = layer.measure(clip.frames, clip.track).raw_gains

    assert np.abs(raw - 1).max() < 0.01


def test_a_change_of_light_at_a_cut_does_not_bleed_across_it(product):
    views = [view(420, 260)] * 10 + [view(380, 250, zoom=1.1)] * 10
    clip = make_clip(views, anchor=3, exposure=lambda i: 1.0 if i < 10 else 1.5, cuts=[10])
    layer = prepared(clip, product)

    gains = layer.measure(clip.frames, clip.track).gains.mean(1)

    assert np.allclose(gains[:10], 1.0, atol=0.02)
    assert np.allclose(gains[10:], 1.5, atol=0.03)


# --- frame edges and hidden frames ------------------------------------------------------------


def test_a_placement_leaving_the_frame_fades_out_instead_of_smearing(product):
    # The camera pans right: the product (at x = 200 on the anchor) slides off the left edge.
    views = [view(420 + 18 * i, 260) for i in range(16)]
    clip = make_clip(views)
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)
    anchor_mask = composite(clip.frames[0], product, PLACEMENT, PARAMS).mask

    opacities, inside = [], []
    for i in range(16):
        image, memory = layer.render(i, clip.frames[i], clip.track, measurements)
        to_wide = translate(1000, 0) @ clip.track.homographies[i]  # a canvas 1000 px wider on each side
        wide = cv2.warpPerspective(anchor_mask, to_wide, (SIZE[0] + 2000, SIZE[1]))
        inside.append(wide[:, 1000:1000 + SIZE[0]].sum() / wide.sum())  # the share of the footprint in the frame
        opacities.append(0.0 if memory.coverage is None else float(memory.coverage.max()))
        if memory.coverage is None:
            assert np.array_equal(image, clip.frames[i])  # nothing smeared along the edge
    inside, opacities = np.array(inside), np.array(opacities)
    assert np.all(opacities[inside > 0.95] > 0.99)
    assert np.all(np.diff(opacities) <= 1e-6)  # it only ever fades
    assert np.any((opacities > 0.05) & (opacities < 0.95))  # gradually
    assert np.all(opacities[inside < 0.4] == 0) and np.any((inside > 0) & (inside < 0.4))


@pytest.mark.parametrize("hidden_state", [LOST, OTHER_SHOT])
def test_frames_the_track_lost_or_of_another_shot_show_the_plain_frame(product, hidden_state):
    clip = make_clip([view(420, 260)] * 4, state=[TRACKED, hidden_state, hidden_state, TRACKED])
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)

    images = list(render_frames(layer, clip.frames, clip.track, measurements))

    assert np.array_equal(images[1], clip.frames[1]) and np.array_equal(images[2], clip.frames[2])
    assert not np.array_equal(images[3], clip.frames[3])


# --- measurements, progress, cancel -----------------------------------------------------------


def test_measurements_go_through_json_and_render_the_same_with_their_cache(product):
    clip = still_clip(6, occluder_at=lambda i: (60 + 40 * i, 225))
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)

    restored = Measurements.from_document(json.loads(json.dumps(measurements.to_document())))
    cached = restored.with_cache(measurements.cache())

    assert np.allclose(restored.gains, measurements.gains, atol=1e-4, equal_nan=True)
    want, _ = layer.render(3, clip.frames[3], clip.track, measurements)
    assert np.abs(layer.render(3, clip.frames[3], clip.track, cached)[0].astype(int) - want).max() <= 1
    # Without the cache the plate is the anchor frame's own patch: as good here, the person being elsewhere then.
    without_cache, _ = layer.render(3, clip.frames[3], clip.track, restored)
    assert np.abs(without_cache.astype(int) - want).mean() < 0.2
    with pytest.raises(BadInput, match="does not fit this placement"):
        layer.render(3, clip.frames[3], clip.track, restored.with_cache({"plate": np.zeros((4, 4, 3)),
                                                                         "spread": np.zeros((4, 4))}))


def test_measure_and_render_report_progress_and_stop_on_cancel(product):
    clip = still_clip(6)
    layer = prepared(clip, product)
    state = JobState()
    measurements = layer.measure(clip.frames, clip.track, state=state)
    assert state.progress == 1.0

    state = JobState()
    images = render_frames(layer, clip.frames, clip.track, measurements, state=state)
    next(images)
    state.cancel()
    with pytest.raises(Cancelled):
        next(images)
    assert 0 < state.progress < 1

    state = JobState()
    state.cancel()
    with pytest.raises(Cancelled):
        layer.measure(clip.frames, clip.track, state=state)


# --- bad input --------------------------------------------------------------------------------


def test_frames_of_another_size_are_refused(product):
    clip = still_clip(3)
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)
    small = cv2.resize(clip.frames[1], (160, 120))

    with pytest.raises(BadInput, match="160×120 but the track's frames are 320×240"):
        layer.render(1, small, clip.track, measurements)
    with pytest.raises(BadInput, match="160×120"):
        layer.measure([clip.frames[0], small, clip.frames[2]], clip.track)


def test_a_track_made_from_another_anchor_frame_is_refused(product):
    clip = make_clip([view(420 + 25 * i, 260) for i in range(4)], anchor=0)
    layer = TrackedLayer.prepare(clip.frames[2], product, PLACEMENT, PARAMS)  # placed on frame 2, tracked from 0

    with pytest.raises(BadInput, match="Prepare the placement on frame 0"):
        layer.measure(clip.frames, clip.track)


def test_a_track_of_another_frame_size_or_clip_length_is_refused(product):
    clip = still_clip(4)
    layer = prepared(clip, product)
    measurements = layer.measure(clip.frames, clip.track)

    with pytest.raises(BadInput, match="clip gave 3 frames but its track has 4"):
        layer.measure(clip.frames[:3], clip.track)
    other = make_clip([view(420, 260, size=(400, 300))] * 2, size=(400, 300))
    with pytest.raises(BadInput, match="prepared on a 320×240 frame"):
        layer.render(0, other.frames[0], other.track, measurements)
    longer = still_clip(5)
    with pytest.raises(BadInput, match="measure the clip again"):
        layer.render(0, longer.frames[0], longer.track, measurements)


def test_unreadable_measurements_are_refused():
    with pytest.raises(BadInput, match="measure the clip again"):
        Measurements.from_document({"region": [0, 0, 1], "gains": "x"})
