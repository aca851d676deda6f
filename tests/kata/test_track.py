"""The plane tracker on synthetic camera-motion clips made from a real photo with known homographies.

Accuracy is measured as in the issue: corner error (mean, 95th percentile) against the truth
and jitter (second differences of the corner paths) against the truth's. Frames are 480x270
except one short 1080p clip, where the issue's goal (mean < 2 px, p95 < 6 px) applies as is;
at 480x270 the same goal is a quarter of it.
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.kata.track.model import LOST, OTHER_SHOT, TRACKED
from studio.kata.track.smooth import smooth_corners
from studio.kata.track.tracker import Featureless, fixed_track, quad_around, track_clip
from tests.kata.clips import camera_clip, flat_clip


def corner_errors(track, clip, frames=None) -> np.ndarray:
    """Distances (pixels) of the tracked corners from the true ones on the given (default: tracked) frames."""
    frames = np.flatnonzero(track.state == TRACKED) if frames is None else frames
    return np.linalg.norm(track.corners()[frames] - clip.truth_corners()[frames], axis=2).ravel()


def jitter(corners: np.ndarray) -> float:
    """RMS second difference of the corner paths (pixels per frame squared)."""
    return float(np.sqrt(np.nanmean(np.sum(np.diff(corners, 2, axis=0) ** 2, axis=-1))))


@pytest.fixture(scope="module")
def handheld():
    clip = camera_clip("handheld", n=48, anchor=16)
    return clip, track_clip(clip.frames(), clip.anchor, clip.quad, frame_count=len(clip))


@pytest.fixture(scope="module")
def cut():
    clip = camera_clip("cut", n=40, anchor=8, cut=(14, 24))
    return clip, track_clip(clip.frames(), clip.anchor, clip.quad)


def test_handheld_clip_is_tracked_on_every_frame_within_the_goal(handheld):
    clip, track = handheld
    assert (track.state == TRACKED).all() and track.cuts == []
    errors = corner_errors(track, clip)
    assert errors.mean() < 0.5 and np.percentile(errors, 95) < 1.5, (errors.mean(), np.percentile(errors, 95))
    assert np.allclose(track.corners()[clip.anchor], clip.quad, atol=0.02)  # where it was put


def test_tracked_corners_are_as_steady_as_the_camera(handheld):
    """Jitter: the track's paths shake no more than the true ones (hand-held shake included,
    which the placement must follow), and what it adds is a small part of it."""
    clip, track = handheld
    truth = clip.truth_corners()
    assert jitter(track.corners()) < 1.1 * jitter(truth)
    assert jitter(track.corners() - truth) < 0.25 * jitter(truth)


def test_1080p_clip_meets_the_issue_goal():
    clip = camera_clip("handheld 1080p", size=(1920, 1080), n=10, anchor=3, seed=2)
    track = track_clip(clip.frames(), clip.anchor, clip.quad)
    assert (track.state == TRACKED).all()
    errors = corner_errors(track, clip)
    assert errors.mean() < 2 and np.percentile(errors, 95) < 6, (errors.mean(), np.percentile(errors, 95))
    assert track.size == (1920, 1080)


def test_cut_away_and_back_other_shot_then_reacquired(cut):
    """The cut to another photo and back is found (F1 = 1); the other shot gets no placement;
    back on the table (another viewpoint), matching against the anchor finds the surface again."""
    clip, track = cut
    assert track.cuts == clip.cuts == [14, 24]
    assert (track.state[14:24] == OTHER_SHOT).all()
    assert (track.state[:14] == TRACKED).all() and (track.state[24:] == TRACKED).all()
    after = np.arange(24, 40)
    errors = corner_errors(track, clip, after)
    assert errors.mean() < 0.5 and errors.max() < 2.0, (errors.mean(), errors.max())


def test_surface_covered_is_lost_then_reacquired():
    clip = camera_clip("covered", n=44, anchor=10, cover=(22, 28), seed=1)
    track = track_clip(clip.frames(), clip.anchor, clip.quad)
    assert clip.covered.sum() >= 6
    assert (track.state[clip.covered] == LOST).all()
    assert track.cuts == []  # a coat passing in front of the lens is not a cut
    assert (track.state[:18] == TRACKED).all() and (track.state[38:] == TRACKED).all()
    # Never a wrong placement: every frame shown is where the surface is, even half covered.
    assert corner_errors(track, clip).max() < 1.5


def test_featureless_scene_offers_a_fixed_placement():
    clip = flat_clip(n=8)
    with pytest.raises(Featureless, match="too little texture.*fixed placement") as caught:
        track_clip(clip.frames(), clip.anchor, clip.quad)
    assert caught.value.frame_count == 8 and caught.value.cuts == []
    fixed = fixed_track(caught.value.frame_count, clip.anchor, clip.quad, clip.size, caught.value.cuts)
    assert (fixed.state == TRACKED).all() and np.allclose(fixed.corners(), clip.quad)


def test_fixed_placement_holds_through_the_anchors_shot_only():
    quad = quad_around((100, 100), 40, (320, 180))
    track = fixed_track(30, 12, quad, (320, 180), [10, 20])
    assert [track.visible(i) for i in (9, 10, 19, 20)] == [False, True, True, False]
    assert track.state[0] == OTHER_SHOT and track.homography(0) is None


def test_quad_around_stays_in_the_frame_and_is_wider_than_deep():
    quad = quad_around((240, 200), 80, (480, 270))
    assert quad.shape == (4, 2) and (quad >= 0).all() and (quad[:, 0] <= 479).all() and (quad[:, 1] <= 269).all()
    width, depth = np.ptp(quad[:, 0]), np.ptp(quad[:, 1])
    assert width > depth > 0
    assert quad[:, 1].min() < 200 < quad[:, 1].max()  # around the base: behind it and in front
    edge = quad_around((470, 265), 80, (480, 270))
    assert edge[:, 0].max() == 479 and edge[:, 1].max() == 269
    with pytest.raises(BadInput, match="outside the 480x270 frame"):
        quad_around((500, 100), 80, (480, 270))


def test_bad_anchor_and_quad_say_what_to_do(handheld):
    clip, _ = handheld
    frames = [clip.frame(i) for i in range(4)]
    with pytest.raises(BadInput, match=r"Frame 9 is not in the clip \(frames 0 to 3\)"):
        track_clip(iter(frames), 9, clip.quad, frame_count=4)
    with pytest.raises(BadInput, match=r"Frame 4 is not in the clip \(frames 0 to 3\)"):
        track_clip(iter(frames), 4, clip.quad)  # no frame count: found out once read
    with pytest.raises(BadInput, match="reaches outside the 480x270 frame"):
        track_clip(iter(frames), 1, clip.quad + (200, 0))
    with pytest.raises(BadInput, match="four"):
        track_clip(iter(frames), 1, [[0, 0], [1, 1]])
    with pytest.raises(BadInput, match="one size"):
        track_clip(iter([frames[0], frames[1][:200]]), 0, clip.quad)
    with pytest.raises(BadInput, match="RGB"):
        track_clip(iter([frames[0][..., 0]]), 0, clip.quad)
    with pytest.raises(BadInput, match="no frames"):
        track_clip(iter([]), 0, clip.quad)


def test_progress_reaches_the_end_and_cancel_stops_the_tracking(handheld):
    clip, _ = handheld
    frames = [clip.frame(i) for i in range(12)]
    seen = []
    state = JobState(lambda: seen.append(state.progress))
    track_clip(iter(frames), 4, clip.quad, frame_count=12, state=state)
    assert seen[-1] == 1.0 and any(0 < p < 1 for p in seen) and seen == sorted(seen)

    cancelling = JobState()

    def frames_then_cancel():
        for i, frame in enumerate(frames):
            if i == 6:
                cancelling.cancel()
            yield frame

    read = []
    with pytest.raises(Cancelled):
        track_clip((read.append(i) or f for i, f in enumerate(frames_then_cancel())), 4, clip.quad, state=cancelling)
    assert len(read) < 12  # stopped while reading, not after the whole clip


def test_smoothing_removes_noise_without_lag():
    """A pan that starts suddenly plus tracker noise: the smoothed path is closer to the truth
    than the noisy one, its jitter is the truth's, and it does not trail the pan."""
    rng = np.random.default_rng(0)
    n = 60
    x = 100.0 + 0.5 * np.maximum(np.arange(n) - 30, 0) ** 1.5  # at rest, then pans away
    truth = np.stack([np.c_[x + dx, np.full(n, 50.0 + dy)] for dx, dy in ((0, 0), (80, 0), (80, 40), (0, 40))], axis=1)
    noisy = truth + rng.normal(0, 0.3, truth.shape)
    smooth = smooth_corners(noisy, [], noise_px=0.3)
    error = np.abs(smooth - truth).mean()
    assert error < 0.6 * np.abs(noisy - truth).mean()
    assert jitter(smooth - truth) < 0.4 * jitter(noisy - truth)
    lag = (smooth - truth)[35:, :, 0].mean()  # trailing the pan would show as a negative bias
    assert abs(lag) < 0.15


def test_smoothing_keeps_gaps_and_does_not_cross_cuts():
    n = 20
    corners = np.zeros((n, 4, 2))
    corners[:, :, 0] = np.where(np.arange(n) < 10, 10.0, 300.0)[:, None]  # a jump at the cut
    corners[5] = np.nan
    smooth = smooth_corners(corners, [10], noise_px=0.3)
    assert np.isnan(smooth[5]).all() and not np.isnan(np.delete(smooth, 5, axis=0)).any()
    assert np.allclose(np.delete(smooth[:10, :, 0], 5, axis=0), 10.0) and np.allclose(smooth[10:, :, 0], 300.0)


def test_a_one_frame_clip_is_its_anchor(handheld):
    clip, _ = handheld
    track = track_clip(iter([clip.frame(clip.anchor)]), 0, clip.quad)
    assert len(track) == 1 and track.visible(0) and np.allclose(track.corners()[0], clip.quad)
