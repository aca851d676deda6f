"""Shot-cut detection on small grayscale frames, streaming.

A cut changes the whole picture at once; camera motion, blur, exposure changes and things
passing in front of the lens do not. So two consecutive frames are shrunk to thumbnails and
cut into blocks; each block is compared, after normalising its own brightness and contrast
(exposure and flashes do not count), with the previous frame shifted by the camera's motion
(phase correlation). The score is the median textured block's difference: an occluder
changes some blocks, a cut nearly all. A cut is a score well above the shot's
recent scores (an adaptive threshold: a shaky, blurry shot has a noisier baseline than a
locked-off one) and above an absolute floor.
"""

from __future__ import annotations

from collections import deque

import cv2
import numpy as np

_THUMB = (80, 45)  # a whole factor of the usual small sizes (640, 480 wide): a fast resize
_GRID = (6, 4)  # blocks across, down
_NUDGE = 1  # thumbnail pixels tried either side of the camera's shift
_MAX_SHIFT = 24  # thumbnail pixels: the most camera motion between two frames that is compensated
_FLAT = 8.0  # grey levels: a block's contrast counts only above this (noise does not)
MIN_SCORE = 0.45  # never a cut below this (0: the same picture; about 0.1 within a shot, 0.7 unrelated pictures)
_CONTRAST = 8.0  # a cut stands this many robust deviations above the shot's recent scores
_HISTORY = 24
_WINDOW = cv2.createHanningWindow(_THUMB, cv2.CV_32F)


def _thumb(gray_small: np.ndarray) -> np.ndarray:
    return cv2.resize(gray_small, _THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)


def _blocks(thumbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """thumbs (..., h, w) -> blocks (..., blocks, pixels) each with its mean removed and divided
    by its contrast, and (..., blocks) whether the block is flat (no texture to compare)."""
    cols, rows = _GRID
    bh, bw = thumbs.shape[-2] // rows, thumbs.shape[-1] // cols
    lead = thumbs.shape[:-2]
    b = thumbs[..., :bh * rows, :bw * cols].reshape(*lead, rows, bh, cols, bw)
    b = np.moveaxis(b, -2, -3).reshape(*lead, rows * cols, bh * bw)
    std = b.std(axis=-1, keepdims=True)
    return (b - b.mean(axis=-1, keepdims=True)) / (std + _FLAT), std[..., 0] < _FLAT / 2


def _score(prev_thumb: np.ndarray, thumb: np.ndarray) -> float:
    (dx, dy), _response = cv2.phaseCorrelate(prev_thumb.copy(), thumb.copy(), _WINDOW)  # it windows them in place
    # Each block is matched with the previous frame shifted by the camera's motion give or take a
    # little (the phase correlation may follow a big occluder instead), or not shifted: its best match.
    h, w = thumb.shape
    cx, cy = (int(np.clip(round(v), -_MAX_SHIFT, _MAX_SHIFT)) for v in (dx, dy))
    pad = _MAX_SHIFT + _NUDGE
    padded = cv2.copyMakeBorder(prev_thumb, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    shifts = [(0, 0)] + [(cx + i, cy + j) for i in range(-_NUDGE, _NUDGE + 1) for j in range(-_NUDGE, _NUDGE + 1)]
    shifted = np.stack([padded[pad - sy:pad - sy + h, pad - sx:pad - sx + w] for sx, sy in shifts])
    (prev_blocks, prev_flat), (blocks, flat) = _blocks(shifted), _blocks(thumb)
    best = np.abs(prev_blocks - blocks).mean(axis=-1).min(axis=0)
    prev_flat = prev_flat[0]
    # Flat blocks (a plain wall, a dark coat in front of the lens) have nothing to compare; but
    # a picture that turns blank (or comes out of black) all at once changed completely.
    textured = ~(flat | prev_flat)
    differ = float(np.median(best[textured])) if textured.sum() >= 4 else 0.0
    return max(differ, abs(float(flat.mean()) - float(prev_flat.mean())))


def cut_score(prev_gray_small: np.ndarray, gray_small: np.ndarray) -> float:
    """How unlike two consecutive frames are once the camera's motion is taken out: about 0.1
    within a shot, 0.7 and more across a cut; exposure changes do not count."""
    return _score(_thumb(prev_gray_small), _thumb(gray_small))


class CutDetector:
    """Feed the frames in order; `feed` says whether this frame starts a new shot, and `cuts`
    lists every such frame's index."""

    def __init__(self):
        self._prev: np.ndarray | None = None
        self._recent: deque[float] = deque(maxlen=_HISTORY)
        self.cuts: list[int] = []
        self._index = -1

    def feed(self, gray_small: np.ndarray) -> bool:
        self._index += 1
        thumb = _thumb(gray_small)
        prev, self._prev = self._prev, thumb
        if prev is None:
            return False
        score = _score(prev, thumb)
        if self._is_cut(score):
            self.cuts.append(self._index)
            self._recent.clear()  # the new shot sets its own baseline
            return True
        self._recent.append(score)
        return False

    def _is_cut(self, score: float) -> bool:
        if score < MIN_SCORE:
            return False
        if len(self._recent) < 3:  # too early in the shot for a baseline: the floor decides
            return True
        recent = np.array(self._recent)
        median = float(np.median(recent))
        spread = 1.4826 * float(np.median(np.abs(recent - median))) + 0.01
        return score > median + _CONTRAST * spread
