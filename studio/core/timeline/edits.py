"""Edits on a Composition that every front end shares: splitting and trimming clips (their
source and keyframes follow), overwriting what a placed clip covers, overlapping two clips
for a transition, and keyframe changes. Each changes the document in place; none knows Qt.

Clips that come from a file need to know how long their source lasts. The caller says so with
a `SourceSeconds` function: the source's length in seconds, math.inf when it has time but its
length is unknown, or None when it has no source time at all (a still, a text, a shape).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from studio.core.timeline.model import (
    Animated, Composition, Easing, KataClip, Keyframe, MediaClip, Track, Transition, new_id,
)

SourceSeconds = Callable[[object], float | None]
TRANSFORM_PROPS = ("position", "scale", "rotation", "opacity")
DEFAULT_TRANSITION_SECONDS = 0.5


def no_source(_clip) -> None:
    return None


# ---- keyframed properties -----------------------------------------------------------------------
def animated(clip, prop: str) -> Animated | None:
    """A clip's animated property by name (transform props, or "volume"); None if it has none."""
    if prop == "volume":
        return clip.volume if isinstance(clip, MediaClip) else None
    return getattr(clip.transform, prop) if prop in TRANSFORM_PROPS else None


def set_animated(clip, prop: str, value: Animated) -> None:
    if prop == "volume":
        clip.volume = value
    else:
        setattr(clip.transform, prop, value)


def animated_props(clip) -> tuple[str, ...]:
    return TRANSFORM_PROPS + (("volume",) if isinstance(clip, MediaClip) else ())


def split_animated(prop: Animated, offset: int) -> tuple[Animated, Animated]:
    """The property before and after `offset` frames, each keeping the value it had at the cut."""
    if not prop.keyframes:
        return prop.model_copy(deep=True), prop.model_copy(deep=True)
    at = prop.at(offset)
    left = [k.model_copy() for k in prop.keyframes if k.frame < offset]
    right = [k.model_copy(update={"frame": k.frame - offset}) for k in prop.keyframes if k.frame > offset]
    if prop.keyframes[-1].frame >= offset:
        left.append(Keyframe(frame=offset, value=at))
    if prop.keyframes[0].frame <= offset:
        right.insert(0, Keyframe(frame=0, value=at))
    return Animated(value=prop.value, keyframes=left), Animated(value=prop.value, keyframes=right)


def add_keyframe(clip, prop: str, frame: int) -> bool:
    """A keyframe at `frame` (from the clip's start) holding the value the property has there."""
    anim = animated(clip, prop)
    if anim is None or not 0 <= frame < clip.duration or any(k.frame == frame for k in anim.keyframes):
        return False
    set_animated(clip, prop, Animated(value=anim.value, keyframes=[*anim.keyframes, Keyframe(frame=frame, value=anim.at(frame))]))
    return True


def remove_keyframe(clip, prop: str, frame: int) -> bool:
    anim = animated(clip, prop)
    if anim is None or not any(k.frame == frame for k in anim.keyframes):
        return False
    keys = [k for k in anim.keyframes if k.frame != frame]
    # the last keyframe going: the property keeps the value it had there
    set_animated(clip, prop, Animated(value=anim.value if keys else anim.at(frame), keyframes=keys))
    return True


def retime_keyframe(clip, prop: str, frame: int, to: int) -> int:
    """Move the keyframe at `frame` to `to`, kept between its neighbours and inside the clip;
    returns the frame it lands on."""
    anim = animated(clip, prop)
    keys = list(anim.keyframes)
    i = next(n for n, k in enumerate(keys) if k.frame == frame)
    low = keys[i - 1].frame + 1 if i > 0 else 0
    high = keys[i + 1].frame - 1 if i + 1 < len(keys) else max(frame, clip.duration - 1)
    to = max(low, min(high, to))
    keys[i] = keys[i].model_copy(update={"frame": to})
    set_animated(clip, prop, Animated(value=anim.value, keyframes=keys))
    return to


def set_easing(clip, prop: str, frame: int, easing: Easing) -> bool:
    anim = animated(clip, prop)
    keys = [k.model_copy(update={"easing": easing, "bezier": None}) if k.frame == frame else k for k in anim.keyframes]
    if keys == anim.keyframes:
        return False
    set_animated(clip, prop, Animated(value=anim.value, keyframes=keys))
    return True


# ---- clip edges ---------------------------------------------------------------------------------
def source_frames(comp: Composition, clip: MediaClip, seconds: float) -> int:
    """The most frames the clip can last from its source_in, for a source of `seconds`."""
    left = max(0.0, seconds - clip.source_in)
    return max(1, math.floor(left / clip.speed * comp.rate + 1e-6))


def head_room(comp: Composition, clip, source_seconds: SourceSeconds = no_source) -> int:
    """How many frames the clip's start can move earlier (its source's first frame, frame 0)."""
    if source_seconds(clip) is None:
        return clip.start
    return min(clip.start, math.floor(clip.source_in / clip.speed * comp.rate + 1e-6))


def tail_room(comp: Composition, clip, source_seconds: SourceSeconds = no_source) -> int | None:
    """How many frames the clip's end can move later (None: as many as wanted)."""
    seconds = source_seconds(clip)
    if seconds is None or math.isinf(seconds):
        return None
    return max(0, source_frames(comp, clip, seconds) - clip.duration)


def trim_head(comp: Composition, clip, start: int, source_seconds: SourceSeconds = no_source) -> None:
    """Move the clip's start to `start`, keeping its end; what it shows stays where it was on
    the timeline (its source_in and keyframes follow)."""
    moved = start - clip.start
    if moved == 0:
        return
    if not start < clip.end:
        raise ValueError("a clip must last at least one frame")
    if source_seconds(clip) is not None:
        clip.source_in = max(0.0, clip.source_in + comp.seconds(moved) * clip.speed)
    for prop in animated_props(clip):
        anim = animated(clip, prop)
        if not anim.keyframes:
            continue
        if moved > 0:
            set_animated(clip, prop, split_animated(anim, moved)[1])
        else:
            keys = [k.model_copy(update={"frame": k.frame - moved}) for k in anim.keyframes]
            set_animated(clip, prop, Animated(value=anim.value, keyframes=keys))
    end = clip.end
    clip.start = start
    clip.duration = end - start


def split_clip(comp: Composition, track: Track, clip, frame: int) -> str | None:
    """Cut clip at a timeline frame; returns the new right-hand clip's id (None: not inside)."""
    if not clip.start < frame < clip.end:
        return None
    offset = frame - clip.start
    right = type(clip).model_validate({**clip.model_dump(), "id": new_id(), "start": frame, "duration": clip.end - frame})
    left = type(clip).model_validate({**clip.model_dump(), "duration": offset})
    for prop in animated_props(clip):
        a, b = split_animated(animated(clip, prop), offset)
        set_animated(left, prop, a)
        set_animated(right, prop, b)
    if isinstance(clip, MediaClip):
        right.source_in = clip.source_in + comp.seconds(offset) * clip.speed
        left.fade_out, right.fade_in = 0.0, 0.0
    elif isinstance(clip, KataClip):  # a tracked placement plays its video on from where the cut is
        right.source_in = clip.source_in + comp.seconds(offset)
    clips = []
    for c in track.clips:
        clips.extend([left, right] if c.id == clip.id else [c])
    track.clips = clips
    track.transitions = [tr.model_copy(update={"a": right.id}) if tr.a == clip.id else tr for tr in track.transitions]
    return right.id


# ---- overlaps -------------------------------------------------------------------------------------
def fix_transitions(comp: Composition) -> None:
    """After an edit, transitions follow their clips' overlap, or go where the clips no longer
    overlap as a transition needs (b starting inside a and ending after it)."""
    for track in comp.tracks:
        clips = {c.id: c for c in track.clips}
        kept = []
        for tr in track.transitions:
            a, b = clips.get(tr.a), clips.get(tr.b)
            if a is None or b is None or not a.start < b.start < a.end < b.end:
                continue
            if a.end - b.start != tr.duration:
                tr = tr.model_copy(update={"duration": a.end - b.start})
            kept.append(tr)
        if kept != list(track.transitions):
            track.transitions = kept


def overwrite(comp: Composition, placed: Iterable[str], source_seconds: SourceSeconds = no_source) -> None:
    """Overwrite mode, as in a professional NLE: each placed clip (moved, trimmed, dropped)
    takes the frames it covers on its track; the clips there are trimmed, split or removed.
    Two clips a transition joins may overlap by the transition's length."""
    placed = set(placed)
    fix_transitions(comp)
    for track in comp.tracks:
        winners = sorted((c for c in track.clips if c.id in placed), key=lambda c: c.start)
        if not winners or track.locked:
            continue
        joined = {frozenset((tr.a, tr.b)) for tr in track.transitions}
        for w in winners:
            for other in list(track.clips):
                if other.id in placed or frozenset((w.id, other.id)) in joined or other.end <= w.start or other.start >= w.end:
                    continue
                if w.start <= other.start and other.end <= w.end:
                    track.clips = [c for c in track.clips if c.id != other.id]
                    continue
                if other.start < w.start and w.end < other.end:  # inside: keep both ends
                    split_clip(comp, track, other, w.end)
                    other = next(c for c in track.clips if c.id == other.id)
                if other.start < w.start:
                    other.duration = w.start - other.start
                else:
                    trim_head(comp, other, w.end, source_seconds)
        track.clips = sorted(track.clips, key=lambda c: c.start)
    fix_transitions(comp)


def is_free(track: Track, start: int, end: int) -> bool:
    return all(c.end <= start or c.start >= end for c in track.clips)


# ---- transitions --------------------------------------------------------------------------------------
def transition_between(track: Track, a_id: str, b_id: str) -> Transition | None:
    return next((tr for tr in track.transitions if {tr.a, tr.b} == {a_id, b_id}), None)


def neighbours(track: Track, clip) -> tuple[object | None, object | None]:
    """The clips that meet `clip` at a cut (touching or overlapping it) with no transition yet:
    (the one before, the one after)."""
    before = after = None
    for other in track.clips:
        if other.id == clip.id or transition_between(track, other.id, clip.id):
            continue
        if other.start < clip.start <= other.end < clip.end:
            before = other
        elif clip.start < other.start <= clip.end < other.end:
            after = other
    return before, after


def _region_edges(track: Track, a, b) -> tuple[int, int]:
    """How far b's start may go back and a's end forward without entering the transitions at
    a's start and b's end (three clips never blend at once)."""
    clips = {c.id: c for c in track.clips}
    floor = max([clips[tr.a].end for tr in track.transitions if tr.b == a.id and tr.a in clips] + [a.start + 1])
    ceiling = min([clips[tr.b].start for tr in track.transitions if tr.a == b.id and tr.b in clips] + [b.end - 1])
    return floor, ceiling


def set_overlap(comp: Composition, track: Track, a, b, frames: int, source_seconds: SourceSeconds = no_source) -> int:
    """Make b (the later clip) overlap a by `frames`, or as near as the clips and their sources
    allow, moving both sides of the cut evenly; returns the overlap reached."""
    current = max(0, a.end - b.start)
    change = frames - current
    floor, ceiling = _region_edges(track, a, b)
    if change > 0:
        spare = tail_room(comp, a, source_seconds)
        a_room = min(ceiling - a.end, math.inf if spare is None else spare)
        b_room = min(b.start - floor, head_room(comp, b, source_seconds))
        b_take = min(b_room, change // 2)
        a_take = min(a_room, change - b_take)
        b_take = min(b_room, change - a_take)  # b gives what a could not
        a.duration = a.duration + max(0, a_take)
        trim_head(comp, b, b.start - max(0, b_take), source_seconds)
    elif change < 0:
        shrink = -change
        a_give = min(a.duration - 1, shrink // 2)
        b_give = min(b.duration - 1, shrink - a_give)
        a.duration = a.duration - a_give
        trim_head(comp, b, b.start + b_give, source_seconds)
    return max(0, a.end - b.start)


def add_transition(comp: Composition, track: Track, a, b, kind: str, frames: int,
                   source_seconds: SourceSeconds = no_source) -> Transition:
    """A transition from a into b: b comes to overlap a by `frames` (fewer where the clips or
    their media run out). ValueError when there is no room at all."""
    if track.locked:
        raise ValueError(f"the track {track.name or track.kind} is locked")
    if not (a.start < b.start <= a.end < b.end) or transition_between(track, a.id, b.id):
        raise ValueError("a transition needs two clips that meet at a cut on one track")
    reached = set_overlap(comp, track, a, b, frames, source_seconds)
    if reached <= 0:
        raise ValueError("the clips have no spare media at this cut; trim their ends to make room for a transition")
    transition = Transition(a=a.id, b=b.id, kind=kind, duration=reached)
    track.transitions = [*track.transitions, transition]
    return transition


def find_track(comp: Composition, track_id: str) -> Track:
    track = next((t for t in comp.tracks if t.id == track_id), None)
    if track is None:
        raise ValueError("that track is no longer in the composition")
    return track
