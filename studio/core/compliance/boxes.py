"""Boxes on pictures: (x0, y0, x1, y1) in pixels, x1 and y1 exclusive."""

from __future__ import annotations


def area(box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def overlap(a, b) -> int:
    """The area two boxes share."""
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def iou(a, b) -> float:
    """Intersection over union: 1 for the same box, 0 for boxes apart."""
    inter = overlap(a, b)
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0
