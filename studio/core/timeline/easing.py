"""Keyframe easing: how a value travels from one keyframe to the next."""

from __future__ import annotations

EASINGS = ("linear", "ease_in", "ease_out", "ease_in_out", "hold", "bezier")


def _cubic_bezier(x1: float, y1: float, x2: float, y2: float, u: float) -> float:
    """CSS-style cubic-bezier(x1, y1, x2, y2): solve x(s) = u for s (Newton, then bisection), return y(s)."""

    def coord(a, b, s):
        return 3 * a * s * (1 - s) ** 2 + 3 * b * s * s * (1 - s) + s**3

    s = u
    for _ in range(8):
        x = coord(x1, x2, s) - u
        dx = 3 * x1 * (1 - s) ** 2 + 6 * (x2 - x1) * s * (1 - s) + 3 * (1 - x2) * s * s
        if abs(x) < 1e-6 or dx == 0:
            break
        s = min(1.0, max(0.0, s - x / dx))
    else:
        lo, hi = 0.0, 1.0
        for _ in range(30):
            s = (lo + hi) / 2
            lo, hi = (s, hi) if coord(x1, x2, s) < u else (lo, s)
    return coord(y1, y2, s)


def ease(kind: str, u: float, bezier: tuple[float, float, float, float] | None = None) -> float:
    """Progress 0..1 along a segment whose time progress is u (0..1)."""
    u = min(1.0, max(0.0, u))
    if kind == "linear":
        return u
    if kind == "hold":
        return 0.0 if u < 1.0 else 1.0
    if kind == "ease_in":
        return _cubic_bezier(0.42, 0.0, 1.0, 1.0, u)
    if kind == "ease_out":
        return _cubic_bezier(0.0, 0.0, 0.58, 1.0, u)
    if kind == "ease_in_out":
        return _cubic_bezier(0.42, 0.0, 0.58, 1.0, u)
    if kind == "bezier":
        return _cubic_bezier(*(bezier or (0.25, 0.1, 0.25, 1.0)), u)
    raise ValueError(f"unknown easing {kind!r}")
