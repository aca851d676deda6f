"""Occlusion over time: a person walking in front of a tracked product hides it, steadily, frame by frame.

The truth: the product's footprint is the anchor composite's mask carried by the known homography;
the occluder's mask is drawn into each frame. Hidden = in the footprint and shown at under half opacity.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.kata.compose import composite
from studio.kata.track.layer import TrackedLayer
from studio.kata.track.occlusion import BLUR_SIGMA, clean_plate
from tests.kata.test_track_layer import (
    PARAMS,
    PLACEMENT,
    SIZE,
    bottle,
    make_clip,
    product_pixels,
    view,
)


@pytest.fixture(scope="module")
def product():
    return bottle()


def walk(x0: float, step: float, pause: range = range(0)):
    """The occluder's feet at frame i: walking right from x0, standing still during pause."""
    def at(i):
        moved = i - sum(1 for k in pause if k < i)
        return x0 + step * moved, 225.0
    return at


def footprints(clip, product):
    anchor_mask = composite(clip.frames[clip.track.anchor], product, PLACEMENT, PARAMS).mask
    return [cv2.warpPerspective(anchor_mask, h, SIZE) > 0.5 for h in clip.track.homographies]


def hidden_masks(layer, clip, measurements, footprint, *, sequential=True):
    memory, out = None, []
    for i, frame in enumerate(clip.frames):
        image, memory = layer.render(i, frame, clip.track, measurements, previous=memory if sequential else None)
        out.append((footprint[i] & ~product_pixels(memory), image))
    return out


def iou(a, b) -> float:
    return (a & b).sum() / max(1, (a | b).sum())


def dilated(mask, px):
    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * px + 1, 2 * px + 1), np.uint8)) > 0


@pytest.fixture(scope="module")
def crossing(product):
    """A slow pan while a person walks across the product, and its render, frame by frame."""
    clip = make_clip([view(420 + 2 * i, 260 - i) for i in range(18)], occluder_at=walk(40, 16))
    layer = TrackedLayer.prepare(clip.frames[0], product, PLACEMENT, PARAMS)
    measurements = layer.measure(clip.frames, clip.track)
    footprint = footprints(clip, product)
    return clip, layer, measurements, footprint, hidden_masks(layer, clip, measurements, footprint)


def test_a_person_walking_in_front_hides_the_product_where_they_are(crossing):
    clip, _, _, footprint, rendered = crossing
    checked = 0
    for i, (hidden, image) in enumerate(rendered):
        truth = footprint[i] & clip.occluder[i]
        if truth.sum() > 100:
            checked += 1
            assert iou(hidden, truth) >= 0.85, f"frame {i}"
            inner = cv2.erode(truth.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0  # off the soft edge
            assert np.abs(image[inner].astype(int) - clip.frames[i][inner]).max(initial=0) <= 2  # the person shows
        assert (hidden & ~dilated(clip.occluder[i], 2)).sum() <= 0.02 * footprint[i].sum(), f"frame {i}"
    assert checked >= 4


def test_any_frame_alone_is_occluded_as_in_the_sequence(crossing):
    clip, layer, measurements, footprint, _ = crossing
    alone = hidden_masks(layer, clip, measurements, footprint, sequential=False)
    for i, (hidden, _) in enumerate(alone):
        truth = footprint[i] & clip.occluder[i]
        if truth.sum() > 100:
            assert iou(hidden, truth) >= 0.85, f"frame {i}"


def test_the_mask_changes_only_where_the_person_moves(product):
    # A still camera: the person walks in, stands in front of the product for four frames, walks on.
    clip = make_clip([view(420, 260)] * 28, occluder_at=walk(30, 14, pause=range(12, 16)))
    layer = TrackedLayer.prepare(clip.frames[0], product, PLACEMENT, PARAMS)
    measurements = layer.measure(clip.frames, clip.track)
    footprint = footprints(clip, product)
    hidden = [h for h, _ in hidden_masks(layer, clip, measurements, footprint)]

    for i in range(1, len(hidden)):
        changed = hidden[i] ^ hidden[i - 1]
        moved = dilated(clip.occluder[i] ^ clip.occluder[i - 1], 2)
        assert (changed & ~moved).sum() <= 0.005 * footprint[i].sum(), f"frame {i}"
    standing = [h for i, h in enumerate(hidden) if 12 <= i <= 15]
    assert standing[0].sum() > 100 and all(np.array_equal(standing[0], h) for h in standing)


def test_a_person_in_front_on_the_anchor_frame_stays_out_of_the_clean_plate(product):
    # Placed on frame 5, where the person already stands in front of the product.
    views = [view(420 + 2 * i, 260) for i in range(14)]
    clip = make_clip(views, anchor=5, occluder_at=walk(120, 16))
    layer = TrackedLayer.prepare(clip.frames[5], product, PLACEMENT, PARAMS)
    measurements = layer.measure(clip.frames, clip.track)
    footprint = footprints(clip, product)
    clean = make_clip(views, anchor=5)

    hidden, _ = hidden_masks(layer, clip, measurements, footprint)[5]

    truth = footprint[5] & clip.occluder[5]
    assert truth.sum() > 300 and iou(hidden, truth) >= 0.85
    x0, y0, x1, y1 = layer.region  # the occlusion grid is the region at full scale here
    assert measurements.plate.shape[:2] == (y1 - y0, x1 - x0)
    plane = cv2.GaussianBlur(clean.frames[5][y0:y1, x0:x1].astype(np.float32), (0, 0), BLUR_SIGMA)
    error = np.abs(measurements.plate - plane).max(2)  # resampling a moving camera's frames blurs fine texture a little
    person = clip.occluder[5][y0:y1, x0:x1]
    assert np.median(error[person]) < 1.3 * np.median(error[~person])  # where the person stood: as clean as elsewhere


def test_turning_occlusion_off_draws_the_product_over_the_person(product):
    clip = make_clip([view(420, 260)] * 8, occluder_at=walk(100, 14))
    layer = TrackedLayer.prepare(clip.frames[0], product, PLACEMENT, PARAMS.model_copy(update={"occlusion": False}))
    measurements = layer.measure(clip.frames, clip.track)
    footprint = footprints(clip, product)

    assert sum((f & o).sum() for f, o in zip(footprint, clip.occluder)) > 1000  # the person does pass in front
    for hidden, _ in hidden_masks(layer, clip, measurements, footprint):
        assert hidden.sum() <= 2  # an edge pixel or two: the footprint's truth and the render round apart


def test_what_the_depth_map_puts_in_front_stays_in_front_as_the_camera_moves(product):
    clip = make_clip([view(420 + 4 * i, 260) for i in range(6)])
    depth = np.full(SIZE[::-1], 0.6, np.float32)
    depth[:, 165:195] = 0.2  # a post, nearer than the product, over its left half
    layer = TrackedLayer.prepare(clip.frames[0], product, PLACEMENT, PARAMS, depth=depth)
    measurements = layer.measure(clip.frames, clip.track)
    post = np.zeros(SIZE[::-1], np.float32)
    post[:, 165:195] = 1

    full = footprints(clip, product)  # the composite without depth: the whole product
    for i in (0, 5):
        _, memory = layer.render(i, clip.frames[i], clip.track, measurements)
        truth = full[i] & (cv2.warpPerspective(post, clip.track.homographies[i], SIZE) > 0.5)
        hidden = full[i] & ~product_pixels(memory)
        assert iou(hidden, truth) >= 0.85


def test_the_clean_plate_is_the_median_of_the_patches_it_saw():
    rng = np.random.default_rng(0)
    background = rng.uniform(40, 200, (20, 30, 3)).astype(np.float32)
    samples = [background + rng.normal(0, 1, background.shape).astype(np.float32) for _ in range(7)]
    for k in range(3):  # a dark hand over a different part of three of the seven
        samples[k][:, 10 * k:10 * k + 10] = 5
    valid = [np.ones((20, 30), bool) for _ in samples]
    valid[6][:5] = False  # the seventh frame did not cover the top rows

    plate, spread = clean_plate(samples, valid)

    assert np.abs(plate - cv2.GaussianBlur(background, (0, 0), BLUR_SIGMA)).max() < 4
    assert np.all(spread < 5)
    _, unseen = clean_plate(samples[:1], [np.zeros((20, 30), bool)])
    assert np.isinf(unseen).all()
