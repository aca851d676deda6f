"""Occlusion over time: what passes in front of a tracked product, frame by frame.

Everything here works on patches of the support plane aligned to the anchor frame (the caller
warps each frame's plane region there with the track's homography, and divides out the frame's
light gains). The clean plate is the per-pixel temporal median of such patches from frames spread
over the clip: an occluder, present at any one place for a minority of the frames (the anchor frame
included), does not survive the median. The per-pixel spread of the patches around the plate (a
robust MAD) says how much a pixel varies anyway (parallax off the plane, moving leaves, resampling of
fine texture), so such pixels need a larger difference before they count as an occluder.

A frame's occlusion is where its patch differs from the plate beyond the noise, with hysteresis
in space (weak differences count only when connected to strong ones) and in time (a pixel covered
in the previous frame stays covered on a weak difference); its edge pixels are kept only where the
occluder covers more than half of them (the blur spreads a difference a pixel beyond the true edge);
then it is cleaned up morphologically and given a soft edge. The occluder's leading edge is found at
the strong threshold right away, so the mask does not lag behind a moving hand; its inside does not
flicker on noise.
"""

from __future__ import annotations

import cv2
import numpy as np

NOISE_FLOOR = 16.0  # grey levels a plane pixel may differ from the plate by noise and resampling alone
SPREAD_WEIGHT = 2.5  # ... plus this many of its own robust spreads
HIGH, LOW = 1.0, 0.55  # hysteresis, in units of the pixel's threshold
BLUR_SIGMA = 0.7  # patches and plate are compared slightly blurred: fine texture resamples differently
MIN_AREA_SHARE = 0.002  # occluders smaller than this share of the patch are noise
SOFT_EDGE_SIGMA = 1.0


def clean_plate(samples: list[np.ndarray], valid: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(plate (h, w, 3) float32, spread (h, w) float32) from light-normalised patches (h, w, 3) and their
    bool validity masks (False where the frame did not cover the patch). Pixels no patch covered get an
    infinite spread: nothing is ever found in front of them."""
    if not samples:
        raise ValueError("a clean plate needs at least one patch")
    stack = np.stack([np.asarray(s, np.float32) for s in samples])
    seen = np.stack(valid)
    unseen = ~seen.any(0)
    median = np.median
    if not seen.all():
        stack[~seen] = np.nan
        stack[:, unseen] = 0  # no all-NaN pixels: nanmedian would warn
        median = np.nanmedian
    plate = median(stack, axis=0)
    grey = stack.mean(3)
    spread = median(np.abs(grey - median(grey, axis=0)), axis=0)
    spread[unseen] = np.inf
    plate = cv2.GaussianBlur(plate.astype(np.float32), (0, 0), BLUR_SIGMA)
    return plate, (1.4826 * spread).astype(np.float32)


def threshold(spread: np.ndarray) -> np.ndarray:
    """The per-pixel difference (grey levels) that counts as a full-strength occluder."""
    return (NOISE_FLOOR + SPREAD_WEIGHT * spread).astype(np.float32)


def occluded(patch: np.ndarray, valid: np.ndarray, plate: np.ndarray, limit: np.ndarray,
             previous: np.ndarray | None = None) -> np.ndarray:
    """Bool (h, w): where something stands in front of the plane in this light-normalised patch.

    limit is threshold(spread); previous is the last frame's result (same grid) for temporal hysteresis.
    """
    channels = cv2.split(cv2.absdiff(cv2.GaussianBlur(np.asarray(patch, np.float32), (0, 0), BLUR_SIGMA), plate))
    diff = np.maximum(np.maximum(channels[0], channels[1]), channels[2])
    score = diff / limit
    score[~valid] = 0
    weak = score > LOW
    seeds = score > HIGH
    if previous is not None:
        seeds |= previous & weak
    return _cleaned(_half_covered(_grown(weak, seeds), diff))


def visibility(mask: np.ndarray) -> np.ndarray:
    """float32 (h, w): 1 where the product shows, 0 behind an occluder, with a soft edge."""
    if not mask.any():
        return np.ones(mask.shape, np.float32)
    return 1 - cv2.GaussianBlur(mask.astype(np.float32), (0, 0), SOFT_EDGE_SIGMA)


def _grown(weak: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The connected parts of weak that hold a seed."""
    if not seeds.any():
        return seeds
    count, labels = cv2.connectedComponents(weak.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[seeds & weak])] = True
    keep[0] = False
    return keep[labels]


def _half_covered(mask: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """mask without the edge pixels the occluder covers less than half of. The blur and resampling spread
    any difference a pixel or so beyond the occluder's true edge; an edge pixel's share of the occluder is
    its difference over the full difference the occluder makes nearby."""
    if not mask.any():
        return mask
    m = mask.astype(np.uint8)
    edge = mask & (cv2.erode(m, np.ones((5, 5), np.uint8)) == 0)
    nearby = cv2.dilate(np.where(mask, diff, 0).astype(np.float32), np.ones((7, 7), np.uint8))
    return mask & ~(edge & (diff < 0.5 * nearby))


def _cleaned(mask: np.ndarray) -> np.ndarray:
    """Specks removed, holes and notches closed, fragments too small to be a hand dropped."""
    if not mask.any():
        return mask
    m = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= MIN_AREA_SHARE * mask.size
    big[0] = False
    return big[labels]
