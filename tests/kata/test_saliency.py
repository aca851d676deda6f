"""Saliency: fine-grained saliency fills a plain-ground object that spectral residual only outlines."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.core.errors import BadInput
from studio.kata.analysis import analyze
from studio.kata.analysis.saliency import saliency_map


def disc_on_plain_ground():
    rng = np.random.default_rng(0)
    rgb = (np.full((480, 640, 3), (120, 130, 140)) + rng.integers(0, 6, (480, 640, 3))).astype(np.uint8)
    cv2.circle(rgb, (450, 200), 70, (200, 40, 40), -1)
    disc, core = np.zeros((480, 640), np.uint8), np.zeros((480, 640), np.uint8)
    cv2.circle(disc, (450, 200), 70, 1, -1)
    cv2.circle(core, (450, 200), 40, 1, -1)
    return rgb, disc > 0, core > 0


def test_fine_grained_saliency_highlights_the_whole_object_on_a_plain_ground():
    rgb, disc, core = disc_on_plain_ground()
    fine, spectral, both = (saliency_map(rgb, m) for m in ("fine", "spectral", "both"))
    for s in (fine, spectral, both):
        assert s.dtype == np.float32 and s.shape == disc.shape and s.min() == 0 and s.max() == pytest.approx(1)
    assert fine[disc].mean() > 8 * fine[~disc].mean()
    assert fine[core].mean() > 0.3  # the inside of the object, not only its outline
    assert spectral[core].mean() < 0.1  # spectral residual sees the rim alone
    assert spectral[core].mean() < both[core].mean() < fine[core].mean()
    y, x = np.unravel_index(both.argmax(), both.shape)
    assert disc[y, x]


def test_analyze_takes_the_saliency_method_and_refuses_an_unknown_one():
    rgb, _disc, core = disc_on_plain_ground()
    assert analyze(rgb, saliency="fine").saliency[core].mean() > 0.3
    with pytest.raises(BadInput, match="Unknown saliency method 'deep'; use one of spectral, fine, both"):
        analyze(rgb, saliency="deep")
