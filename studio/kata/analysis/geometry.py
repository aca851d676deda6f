"""Horizon and vanishing points from line segments (level camera, no roll assumed).

Lines on the ground plane, on table tops and along walls converge at vanishing points on
the horizon. We find up to two such points by RANSAC over the intersections of oblique
segments; the horizon is the row through them. Nearly horizontal and nearly vertical
segments are left out: they meet at infinity or at the vertical vanishing point.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_MIN_ANGLE_DEG, _MAX_ANGLE_DEG = 8.0, 80.0
_INLIER_DEG = 1.5
_MIN_SUPPORT = 4  # segments that must agree on a vanishing point


@dataclass
class Segments:
    p: np.ndarray  # (N, 2) first endpoints
    q: np.ndarray  # (N, 2) second endpoints

    @property
    def length(self) -> np.ndarray:
        return np.linalg.norm(self.q - self.p, axis=1)

    @property
    def angle_deg(self) -> np.ndarray:
        d = self.q - self.p
        return np.degrees(np.arctan2(np.abs(d[:, 1]), np.abs(d[:, 0])))

    def subset(self, keep: np.ndarray) -> Segments:
        return Segments(self.p[keep], self.q[keep])

    def __add__(self, other: Segments) -> Segments:
        return Segments(np.concatenate([self.p, other.p]), np.concatenate([self.q, other.q]))


def line_segments(gray: np.ndarray, min_length: float) -> Segments:
    lines = cv2.createLineSegmentDetector().detect(gray)[0]
    if lines is None:
        return Segments(np.zeros((0, 2)), np.zeros((0, 2)))
    lines = lines.reshape(-1, 4).astype(np.float64)
    segments = Segments(lines[:, :2], lines[:, 2:])
    return segments.subset(segments.length >= min_length)


def colour_segments(rgb: np.ndarray, min_length: float) -> Segments:
    """Segments of the yellow-blue channel: edges between surfaces of equal brightness
    (a wooden top against a beige wall) that grey-level detection misses."""
    b = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)[..., 2]
    return line_segments(cv2.normalize(b, None, 0, 255, cv2.NORM_MINMAX), min_length)


def _angular_residual_deg(segments: Segments, points: np.ndarray) -> np.ndarray:
    """(P, N): angle between each segment and the ray from its midpoint to each point."""
    mid = (segments.p + segments.q) / 2
    d = (segments.q - segments.p) / segments.length[:, None]
    r = points[:, None, :] - mid[None]
    cos = np.abs((r * d[None]).sum(-1)) / (np.linalg.norm(r, axis=-1) + 1e-9)
    return np.degrees(np.arccos(np.clip(cos, 0, 1)))


def vanishing_points(segments: Segments, size: tuple[int, int], *, tries: int = 400, seed: int = 0):
    """Up to two (point, indices of its inlier segments) pairs, strongest first. size is (w, h)."""
    w, h = size
    oblique = (segments.angle_deg > _MIN_ANGLE_DEG) & (segments.angle_deg < _MAX_ANGLE_DEG)
    remaining = np.flatnonzero(oblique)
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(2):
        if remaining.size < _MIN_SUPPORT:
            break
        pool = segments.subset(remaining)
        weight = pool.length
        lines = np.cross(np.c_[pool.p, np.ones(len(weight))], np.c_[pool.q, np.ones(len(weight))])
        i = rng.choice(remaining.size, tries, p=weight / weight.sum())
        j = rng.choice(remaining.size, tries, p=weight / weight.sum())
        x = np.cross(lines[i], lines[j])
        ok = (i != j) & (np.abs(x[:, 2]) > 1e-9)
        points = x[ok, :2] / x[ok, 2:]
        # Far-away points are numerically unstable and say little about the horizon.
        near = (points[:, 0] > -3 * w) & (points[:, 0] < 4 * w) & (points[:, 1] > -2 * h) & (points[:, 1] < 3 * h)
        points = points[near]
        if not len(points):
            break
        inliers = _angular_residual_deg(pool, points) < _INLIER_DEG
        best = int(np.argmax(inliers @ weight))
        if inliers[best].sum() < _MIN_SUPPORT:
            break
        found.append((_refine(pool.subset(inliers[best]), points[best]), remaining[inliers[best]]))
        remaining = remaining[~inliers[best]]
    return found


def _refine(segments: Segments, point: np.ndarray) -> np.ndarray:
    """Least-squares point closest to all inlier lines (weighted by length)."""
    d = segments.q - segments.p
    n = np.stack([-d[:, 1], d[:, 0]], 1) / segments.length[:, None]
    c = (n * segments.p).sum(1)
    wts = segments.length
    a = (n * wts[:, None]).T @ n
    b = (n * wts[:, None]).T @ c
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        return point
