"""Editing aspect variants: a clip's layout in one variant (its ClipOverride), resetting it to
the main layout, adding a variant by smart reframing, deleting one. The edits change the
Composition in place; none knows Qt.

Only layout differs between variants (position, scale, rotation, opacity, crop, fit, text wrap
width); timing and content (start, duration, trims, text, colours) are shared by all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import BadInput
from studio.core.timeline.model import ClipOverride, Composition, MediaClip, TextClip, Variant
from studio.core.timeline.reframe import SIZES, add_variant

TRANSFORM_FIELDS = ("position", "scale", "rotation", "opacity", "crop")
LAYOUT_FIELDS = (*TRANSFORM_FIELDS, "fit", "wrap_width")
_CLIP_LAYOUT = {"transform", "fit", "wrap_width"}  # the clip fields a ClipOverride can hold


def label(name: str) -> str:
    """"1x1" -> "1:1", as people write aspects."""
    return name.replace("x", ":")


def find_variant(comp: Composition, name: str) -> Variant:
    """The variant (in the composition, for editing in place); BadInput if there is none."""
    for variant in comp.variants:
        if variant.name == name and name != comp.aspect:
            return variant
    raise BadInput(f"{comp.name!r} has no {label(name)} variant; it has {', '.join(map(label, comp.variant_names()))}.")


def laid_out(comp: Composition, name: str, clip_id: str):
    """A copy of the clip as the variant lays it out (None: no such clip)."""
    find_variant(comp, name)
    return comp.for_variant(name).find_clip(clip_id)[1]


def change_layout(comp: Composition, name: str, clip_id: str, change: Callable[[object], object]) -> bool:
    """Let change() edit the clip as the variant lays it out (False: nothing to do) and keep the
    layout it leaves as the clip's override there: only the parts that differ from the main
    layout, and no override at all when nothing does. Changing anything but layout is refused."""
    variant = find_variant(comp, name)
    _track, main = comp.find_clip(clip_id)
    if main is None:
        raise BadInput(f"{comp.name!r} has no clip {clip_id}.")
    clip = laid_out(comp, name, clip_id)
    if change(clip) is False:
        return False
    if clip.model_dump(exclude=_CLIP_LAYOUT) != main.model_dump(exclude=_CLIP_LAYOUT):
        raise ValueError(f"only the layout differs between variants; change {main.name or 'the clip'}'s timing and content in the main layout")
    override = ClipOverride(
        transform=clip.transform if clip.transform != main.transform else None,
        fit=clip.fit if isinstance(clip, MediaClip) and clip.fit != main.fit else None,
        wrap_width=clip.wrap_width if isinstance(clip, TextClip) and clip.wrap_width != main.wrap_width else None,
    )
    overrides = {k: v for k, v in variant.overrides.items() if k != clip_id}
    if override != ClipOverride():
        overrides[clip_id] = override
    if overrides == variant.overrides:
        return False
    variant.overrides = overrides
    return True


def reset_layout(comp: Composition, name: str, clip_id: str) -> bool:
    """Drop the clip's override: it takes the main layout again (False: it had none)."""
    variant = find_variant(comp, name)
    if clip_id not in variant.overrides:
        return False
    variant.overrides = {k: v for k, v in variant.overrides.items() if k != clip_id}
    return True


def overridden(main, laid) -> set[str]:
    """The layout fields (LAYOUT_FIELDS) in which a variant lays a clip out (laid) differently from the main layout."""
    found = {f for f in TRANSFORM_FIELDS if getattr(main.transform, f) != getattr(laid.transform, f)}
    return found | {f for f in ("fit", "wrap_width") if getattr(main, f, None) != getattr(laid, f, None)}


def put_variant(comp: Composition, variant: Variant) -> None:
    """Add a variant (replacing one of its name), keeping only overrides of clips the composition has."""
    if variant.name == comp.aspect:
        raise BadInput(f"{comp.name!r} is already {label(variant.name)}; its own layout is that variant.")
    ids = {c.id for _t, c in comp.clips()}
    variant = variant.model_copy(update={"overrides": {k: v for k, v in variant.overrides.items() if k in ids}})
    comp.variants = [v for v in comp.variants if v.name != variant.name] + [variant]


def delete_variant(comp: Composition, name: str) -> None:
    if name == comp.aspect:
        raise BadInput(f"{label(name)} is {comp.name!r}'s own layout; only the other variants can be deleted.")
    find_variant(comp, name)
    comp.variants = [v for v in comp.variants if v.name != name]


def addable(comp: Composition) -> list[str]:
    """The aspects a new variant can have (those the composition does not have yet)."""
    return [name for name in SIZES if name not in comp.variant_names()]


# ---- the reframing job ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReframeParams:
    composition: Composition
    name: str  # the new variant's aspect, e.g. "1x1"
    paths: dict[str, Path | None]  # media clip id -> its file (resolved on the caller's side)


def reframe(params: ReframeParams, state) -> Variant:
    """Job: the variant laid out by smart reframing (`studio compositions variant` does the same).
    Reads a frame of each piece of media, so it takes a moment on long videos."""
    state.set_status(f"Reframing for {label(params.name)}")
    composition = add_variant(params.composition, params.name, lambda clip: params.paths.get(clip.id))
    state.check()
    return next(v for v in composition.variants if v.name == params.name)
