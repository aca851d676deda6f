""""Create compositions from deliverables": an empty composition of each placement's size (and, for
video, a length the placement accepts) in the brief's campaign, all as one undoable step."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.briefs.sections import get_brief
from studio.core.db.models import utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult
from studio.core.specs.model import Spec
from studio.core.timeline.model import Composition

DEFAULT_SECONDS = 15.0
FPS = (30, 1)
TRACK_KINDS = ("video", "overlay", "text", "audio")  # what a new composition starts with, as in the Creative workspace


@dataclass(frozen=True)
class CreatedCompositions:
    ids: tuple[int, ...]
    skipped: tuple[tuple[str, str], ...]  # (spec id, why no composition was made)


def placement_canvas(spec: Spec) -> tuple[int, int] | None:
    """The size to design a placement at: its first shape's recommended size (else its minimum), even-sided."""
    for ratio in spec.ratios:
        size = ratio.recommended or ratio.min_size
        if size:
            return tuple(max(16, round(side / 2) * 2) for side in size)
    return None


def placement_seconds(spec: Spec) -> float:
    if spec.media != "video" or spec.duration_s is None:
        return DEFAULT_SECONDS
    low, high = spec.duration_s
    return min(max(DEFAULT_SECONDS, low), high)


def empty_composition(name: str, spec: Spec, size: tuple[int, int]) -> Composition:
    composition = Composition(name=name[:200], width=size[0], height=size[1], fps=FPS,
                              duration=max(1, round(placement_seconds(spec) * FPS[0] / FPS[1])))
    for kind in TRACK_KINDS:
        composition.add_track(kind)
    return composition


def create_compositions_from_deliverables(lib, brief_id: int) -> OpResult:
    """One composition per piece a deliverable asks for (count of them), named after the brief and the
    placement. Placements without a picture size (text ads) are skipped and said so. Value: CreatedCompositions."""
    from studio.core.specs.catalog import load_catalog

    brief = get_brief(lib, brief_id)
    if brief.summary.campaign_id is None:
        raise BadInput(f"{brief.title!r} has no campaign, and compositions live in a campaign; set the brief's campaign first.")
    if not brief.deliverables:
        raise BadInput(f"{brief.title!r} has no deliverables yet; add placements to its Deliverables section first.")
    catalog = load_catalog(lib)
    planned, skipped = [], []
    for d in brief.deliverables:
        spec = catalog.entries.get(d.spec_id)
        size = placement_canvas(spec) if spec else None
        if size is None:
            skipped.append((d.spec_id, "no longer in the spec catalog" if spec is None else f"{spec.name} has no picture size (a {spec.media} placement)"))
            continue
        for n in range(1, d.count + 1):
            name = f"{brief.title} — {spec.name}" + (f" #{n}" if d.count > 1 else "")
            planned.append(empty_composition(name, spec, size))
    if not planned:
        raise BadInput("None of the deliverables has a placement with a picture size: " + "; ".join(f"{s}: {why}" for s, why in skipped) + ".")
    label = f"New compositions for {brief.title}" if len(planned) > 1 else f"New composition {planned[0].name}"
    with lib.write(label) as tx:
        now = utcnow()
        ids = tuple(tx.insert("compositions", name=c.name, campaign_id=brief.summary.campaign_id, schema_version=c.schema_version,
                              document=c.to_document(), created_at=now, updated_at=now) for c in planned)
        tx.value = CreatedCompositions(ids, tuple(skipped))
        tx.note(brief=brief_id, compositions=list(ids))
    return tx.result
