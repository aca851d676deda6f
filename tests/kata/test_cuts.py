"""Shot-cut detection: real cuts found, camera motion, blur, exposure and occluders ignored."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.kata.track.cuts import MIN_SCORE, CutDetector, cut_score
from tests.kata.clips import camera_clip


def small(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def detected(clip) -> list[int]:
    detector = CutDetector()
    found = [i for i, frame in enumerate(clip.frames()) if detector.feed(small(frame))]
    assert found == detector.cuts
    return found


def f1(found: list[int], truth: list[int]) -> float:
    hits = len(set(found) & set(truth))
    if not found and not truth:
        return 1.0
    return 2 * hits / (len(found) + len(truth))


@pytest.fixture(scope="module")
def table():
    clip = camera_clip(n=8, anchor=0)
    return [small(clip.frame(i)) for i in range(len(clip))]


def test_scores_motion_low_and_another_picture_high(table):
    other = small(camera_clip(n=16, anchor=0, cut=(8, 16)).frame(10))  # the cat
    assert cut_score(table[0], table[0]) < 0.02
    assert cut_score(table[3], table[4]) < 0.2  # hand-held motion, blur, noise
    assert cut_score(table[4], other) > 1.5 * MIN_SCORE


def test_exposure_jump_and_a_flash_are_not_a_different_picture(table):
    darker = np.clip(table[4] * 0.55, 0, 255).astype(np.uint8)
    flash = np.clip(table[4] * 1.7 + 30, 0, 255).astype(np.uint8)
    assert cut_score(table[4], darker) < 0.2 and cut_score(table[4], flash) < 0.2


@pytest.mark.parametrize(("clip", "truth"), [
    (camera_clip("cut away and back", n=40, anchor=4, cut=(14, 26)), [14, 26]),
    (camera_clip("fast shaky pan", n=40, anchor=4, shake=0.012, seed=3), []),
    (camera_clip("coat passes the lens", n=40, anchor=4, cover=(18, 24), seed=1), []),
], ids=["cut", "shake", "occluder"])
def test_detector_finds_every_cut_and_nothing_else(clip, truth):
    assert f1(detected(clip), truth) == 1.0


def test_a_cut_to_black_and_back_counts():
    clip = camera_clip(n=24, anchor=0)
    frames = [small(clip.frame(i)) for i in range(24)]
    frames[10:16] = [np.full_like(frames[0], 4)] * 6
    detector = CutDetector()
    assert [i for i, f in enumerate(frames) if detector.feed(f)] == [10, 16]
