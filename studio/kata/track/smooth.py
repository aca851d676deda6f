"""Offline smoothing of tracked corner paths: jitter out, no lag.

Each corner coordinate is a constant-velocity Kalman filter run forward and then smoothed
backward (Rauch-Tung-Striebel), so every frame is estimated from the frames on both sides
and real motion is not delayed, as a causal filter would delay it. How much to trust the
motion model comes from the path itself: its second differences hold the real acceleration
plus 6 times the measurement noise's variance, so a shaky hand-held shot keeps its shake
(the placement must follow it) while a steady one is smoothed more (never as if all its
motion were noise).
Paths are smoothed per stretch: a cut or a gap (frames where the placement is hidden) ends one.
"""

from __future__ import annotations

import numpy as np

_F = np.array([[1.0, 1.0], [0.0, 1.0]])
_Q_SHAPE = np.array([[0.25, 0.5], [0.5, 1.0]])  # white-noise acceleration, one frame per step


def smooth_corners(corners: np.ndarray, cuts, noise_px=0.3) -> np.ndarray:
    """corners (n, 4, 2), NaN where the placement is hidden; cuts: first frames of shots.
    noise_px: the tracker's noise (standard deviation, pixels), one for all frames or one per
    frame (a frame known exactly, as the anchor is, stays where it is). Returns the smoothed
    corners, NaN where the input was."""
    corners = np.asarray(corners, np.float64)
    noise = np.broadcast_to(np.asarray(noise_px, np.float64), len(corners))
    out = np.full_like(corners, np.nan)
    for start, stop in _stretches(~np.isnan(corners).any(axis=(1, 2)), cuts):
        out[start:stop] = _rts(corners[start:stop].reshape(stop - start, -1), noise[start:stop]).reshape(-1, 4, 2)
    return out


def _stretches(valid: np.ndarray, cuts) -> list[tuple[int, int]]:
    """(start, stop) of every run of valid frames that no cut crosses."""
    cuts = set(cuts)
    runs, start = [], None
    for i, ok in enumerate(valid):
        if start is not None and (not ok or i in cuts):
            runs.append((start, i))
            start = None
        if ok and start is None:
            start = i
    if start is not None:
        runs.append((start, len(valid)))
    return runs


def _rts(z: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """z (n, m): m independent series; noise (n,). Forward Kalman filter, backward RTS pass."""
    n, m = z.shape
    if n < 3:
        return z.copy()
    rs = np.maximum(noise, 1e-4) ** 2
    r = float(np.median(rs))
    # The path's acceleration, steady part included (robust to a stray frame), less the noise's share.
    accel = 1.4826 * np.median(np.abs(np.diff(z, 2, axis=0)), axis=0)
    q = np.maximum(accel ** 2 - 6 * r, 0.25 * accel ** 2)  # (m,) never all noise: keeps real motion
    Q = q[:, None, None] * _Q_SHAPE  # (m, 2, 2)
    x = np.stack([z[0], np.zeros(m)], axis=1)  # (m, 2)
    P = np.tile(np.diag([rs[0], 1e4]), (m, 1, 1))
    xs_pred, Ps_pred, xs, Ps = (np.empty((n, m, 2)), np.empty((n, m, 2, 2)), np.empty((n, m, 2)), np.empty((n, m, 2, 2)))
    for i in range(n):
        if i:
            x = x @ _F.T
            P = _F @ P @ _F.T + Q
        xs_pred[i], Ps_pred[i] = x, P
        gain = P[:, :, 0] / (P[:, 0, 0] + rs[i])[:, None]  # (m, 2)
        x = x + gain * (z[i] - x[:, 0])[:, None]
        P = P - gain[:, :, None] * P[:, None, 0, :]
        xs[i], Ps[i] = x, P
    for i in range(n - 2, -1, -1):
        C = Ps[i] @ _F.T @ np.linalg.inv(Ps_pred[i + 1])
        xs[i] = xs[i] + np.einsum("mij,mj->mi", C, xs[i + 1] - xs_pred[i + 1])
        Ps[i] = Ps[i] + C @ (Ps[i + 1] - Ps_pred[i + 1]) @ np.transpose(C, (0, 2, 1))
    return xs[:, :, 0]
