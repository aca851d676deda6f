"""How believable and how safe a finished composite is: a 0..100 score, its parts, reasons
in plain language with numbers, and hard flags (a face covered, a product on a person)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.kata.analysis.scene import SceneAnalysis
from studio.kata.placement import assess, person_box, scale_at, surface_fit, total

SCALE_TOLERANCE = 0.15  # size off the perspective by more than this is worth saying
FLAGGED_CAP = 20.0  # a flagged composite never scores above this


@dataclass
class Score:
    total: float
    parts: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"total": round(self.total, 1), "parts": {k: round(v, 3) for k, v in self.parts.items()},
                "reasons": self.reasons, "flags": self.flags}


def score(analysis: SceneAnalysis, product, placement, composite) -> Score:
    contact = (placement.x, placement.y)
    surface = analysis.surface_at(*contact)
    ppm, geometric = scale_at(analysis, *contact, surface.height_m if surface else 0.0)
    parts = assess(analysis, product, composite.box, contact, surface, geometric)
    reasons: list[str] = []
    flags: list[str] = []
    covered = composite.mask > 0.5

    face_cover = max((_fraction(covered, _xywh_to_box(f.box)) for f in analysis.faces), default=0.0)
    if face_cover > 0:
        flags.append("overlaps a face")
        reasons.append(f"covers {_pct(face_cover)} % of a face")
    on_person = max((_fraction(covered, person_box(f.box, analysis.size), of_mask=True) for f in analysis.faces), default=0.0)
    if on_person > 0.25:
        flags.append("placed on a person")
        reasons.append(f"{_pct(on_person)} % of the product lies over a person's body")

    if surface is None:
        gap = _gap_to_surface(analysis, contact)
        reasons.append(f"product floats {gap} px above the surface" if gap else "product stands on no detected surface")
    else:
        fit = surface_fit(surface, product)
        if parts["support"] < fit:
            reasons.append(f"{_pct(1 - parts['support'] / fit)} % of the product's base hangs off the {surface.kind}")
        if fit < 1:
            reasons.append("a small product on the floor looks dropped; a table or shelf suits it better")
    if ppm > 0:
        ratio = placement.height_px / (product.height_m * ppm)
        if abs(ratio - 1) > SCALE_TOLERANCE:
            word = "larger" if ratio > 1 else "smaller"
            reasons.append(f"is {_pct(abs(ratio - 1))} % {word} than the {surface.kind if surface else 'scene'}'s perspective allows")
            parts["size"] *= max(0.0, 1 - abs(ratio - 1))
    else:
        reasons.append("stands above the horizon, where nothing can rest on a visible surface")
    if not geometric and ppm > 0:
        reasons.append("scale comes from a face's size, not the scene's geometry")
    outside = 1 - _inside_fraction(composite.box, analysis.size)
    if outside > 0.01:
        reasons.append(f"{_pct(outside)} % of the product is outside the frame")
    if parts["subject"] < 0.6 or parts["free_space"] < 0.5:
        reasons.append("sits on a busy, salient area")
    if parts["occlusion"] < 0.6:
        reasons.append("crosses strong edges or nearer objects: something in the scene may belong in front of it")
    if parts["text"] < 1:
        reasons.append(f"covers {_pct((1 - parts['text']) / 3)} % text or graphics")

    value = total(parts)
    if flags:
        value = min(value, FLAGGED_CAP)
    return Score(value, parts, reasons, flags)


def _xywh_to_box(b) -> tuple[int, int, int, int]:
    return b[0], b[1], b[0] + b[2], b[1] + b[3]


def _fraction(covered: np.ndarray, box, of_mask: bool = False) -> float:
    """How much of box the product covers (or, with of_mask, how much of the product lies in box)."""
    h, w = covered.shape
    x0, y0, x1, y1 = (int(np.clip(v, 0, lim)) for v, lim in zip(box, (w, h, w, h)))
    inside = int(covered[y0:y1, x0:x1].sum())
    whole = int(covered.sum()) if of_mask else (x1 - x0) * (y1 - y0)
    return inside / whole if whole else 0.0


def _inside_fraction(box, size) -> float:
    x0, y0, x1, y1 = box
    area = max(1, (x1 - x0) * (y1 - y0))
    return max(0, min(x1, size[0]) - max(x0, 0)) * max(0, min(y1, size[1]) - max(y0, 0)) / area


def _gap_to_surface(analysis: SceneAnalysis, contact) -> int:
    """Full-res pixels from the contact point down to the nearest surface in its column (0: none below)."""
    col = int(contact[0] * analysis.work_scale)
    row = int(contact[1] * analysis.work_scale)
    below = []
    for surface in analysis.surfaces:
        if 0 <= col < surface.mask.shape[1]:
            rows = np.flatnonzero(surface.mask[max(0, row):, col])
            if rows.size:
                below.append(rows[0])
    return round(min(below) / analysis.work_scale) if below else 0


def _pct(fraction: float) -> int:
    return round(100 * fraction)
