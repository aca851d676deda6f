"""Light over time: how bright (per channel) the product's surroundings are in each frame, against the anchor.

A frame's gains compare the support plane around the product with the same plane pixels on the
anchor frame (both given by the caller, already aligned), robustly, so a person walking through
or a highlight does not count as a change of light. The per-frame gains are then smoothed along
time, each shot on its own: measurement noise is removed (the product does not flicker) while a
ramp (an exposure change, a cloud) is followed without lag, and a jump at a cut stays at the cut.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import savgol_filter

GAIN_RANGE = (0.1, 10.0)
MIN_PIXELS = 24  # fewer usable pixels than this: the frame's light is not measured
DARK, BRIGHT = 6.0, 250.0  # anchor pixels darker than DARK, or any pixel at BRIGHT or above, carry no ratio
OUTLIER_SPREAD = 3.0  # pixels whose relative misfit is beyond this many robust spreads are dropped...
OUTLIER_FLOOR = 0.04  # ... but never those within 4 %
MEDIAN_FRAMES = 5  # a spike (a flash) shorter than half of this is removed first
SMOOTH_FRAMES = 9  # then a local line is fitted over this many frames


def frame_gain(anchor_px: np.ndarray, frame_px: np.ndarray) -> np.ndarray | None:
    """Per-channel gains (3,) carrying anchor_px to frame_px ((N, 3) the same plane points, 0..255), or None."""
    a = np.asarray(anchor_px, np.float32)
    f = np.asarray(frame_px, np.float32)
    usable = (a.min(1) >= DARK) & (a.max(1) < BRIGHT) & (f.max(1) < BRIGHT)
    a, f = a[usable], f[usable]
    if len(a) < MIN_PIXELS:
        return None
    # A robust first guess (the per-channel median ratio stands up to anything covering less than half the
    # plane), the pixels that do not fit it dropped (a blue coat on brown wood, a highlight: judged per
    # channel), then the precise fit on the rest.
    gain = np.median(f / a, axis=0)
    misfit = np.abs(f / (a * gain) - 1).max(1)
    keep = misfit <= max(OUTLIER_FLOOR, OUTLIER_SPREAD * 1.4826 * float(np.median(misfit)))
    if keep.sum() < MIN_PIXELS:
        return None
    return np.clip(f[keep].sum(0) / a[keep].sum(0), *GAIN_RANGE)


def smooth_gains(raw: np.ndarray, shown: np.ndarray, cuts) -> np.ndarray:
    """Smoothed gains (n, 3) from raw (n, 3) (NaN where not measured), for the frames where shown (bool (n,)).

    Each shot (cuts: the first frame of each shot after the first) is smoothed on its own, in log
    space; shown frames without a measurement take their shot's neighbours' light. Frames not shown
    are NaN; a shot with no measurement keeps the anchor's light (1, 1, 1).
    """
    raw = np.asarray(raw, np.float64)
    out = np.full(raw.shape, np.nan)
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(raw)), len(raw)]
    for start, stop in pairwise(bounds):
        frames = np.flatnonzero(shown[start:stop]) + start
        if not len(frames):
            continue
        measured = frames[np.isfinite(raw[frames]).all(1)]
        if not len(measured):
            out[frames] = 1.0
            continue
        logs = _smooth(np.log(raw[measured]))
        for c in range(3):
            out[frames, c] = np.exp(np.interp(frames, measured, logs[:, c]))
    return out


def _smooth(logs: np.ndarray) -> np.ndarray:
    """A median over a few frames (removes spikes, keeps ramps and steps), then a local line fit (removes noise)."""
    n = len(logs)
    logs = median_filter(logs, size=(min(MEDIAN_FRAMES, n), 1), mode="nearest")
    window = min(SMOOTH_FRAMES, n if n % 2 else n - 1)
    if window < 3:
        return logs
    return savgol_filter(logs, window, polyorder=1, axis=0, mode="interp")
