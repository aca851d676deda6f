"""Shared timeline edits: overwrite (no two clips on one spot of a track), trims that keep the
picture in place, transitions made from a cut, keyframe changes."""

from __future__ import annotations

import math

import pytest

from studio.core.timeline import edits
from studio.core.timeline.model import Animated, Composition, Keyframe, MediaClip, TextClip, Track, Transition

FOUR_SECONDS = {"a.mp4": 4.0, "b.mp4": 4.0}


def seconds(clip):
    """Sources: a.mp4 and b.mp4 last 4 s (120 frames at 30 fps); texts have no source time."""
    return FOUR_SECONDS.get(clip.path) if isinstance(clip, MediaClip) else None


def video(*clips, transitions=()) -> tuple[Composition, Track]:
    track = Track(kind="video", clips=list(clips), transitions=list(transitions))
    comp = Composition(duration=300, tracks=[track])
    return comp, comp.tracks[0]


def spans(track: Track) -> list[tuple[str, int, int]]:
    return [(c.name, c.start, c.end) for c in track.clips]


def clip(name, start, duration, source_in=0.0, path="a.mp4", **kw) -> MediaClip:
    return MediaClip(name=name, path=path, start=start, duration=duration, source_in=source_in, **kw)


# ---- overwrite ---------------------------------------------------------------------------------------
def test_a_placed_clip_trims_the_clips_it_covers_at_either_end():
    placed = clip("placed", 50, 30)
    comp, track = video(clip("left", 0, 60), placed, clip("right", 70, 40, source_in=1.0))
    edits.overwrite(comp, [placed.id], seconds)
    assert spans(track) == [("left", 0, 50), ("placed", 50, 80), ("right", 80, 110)]
    right = track.clips[2]
    assert math.isclose(right.source_in, 1.0 + 10 / 30)  # its picture stays where it was on the timeline


def test_a_placed_clip_inside_another_splits_it_and_one_it_covers_goes():
    placed = clip("placed", 40, 30)
    comp, track = video(clip("long", 0, 110), clip("short", 200, 10), placed)
    covered = clip("covered", 45, 10)
    track.clips = [*track.clips, covered]
    edits.overwrite(comp, [placed.id], seconds)
    assert spans(track) == [("long", 0, 40), ("placed", 40, 70), ("long", 70, 110), ("short", 200, 210)]
    left, right = track.clips[0], track.clips[2]
    assert left.id != right.id and math.isclose(right.source_in, 70 / 30)


def test_clips_a_transition_joins_keep_their_overlap():
    a, b = clip("a", 0, 60), clip("b", 45, 60, path="b.mp4")
    comp, track = video(a, b, transitions=[Transition(a=a.id, b=b.id, duration=15)])
    b.start = 40  # b moved 5 frames left: the crossfade grows with the overlap
    edits.overwrite(comp, [b.id], seconds)
    assert spans(track) == [("a", 0, 60), ("b", 40, 100)]
    assert track.transitions[0].duration == 20


def test_overwrite_leaves_other_tracks_and_locked_tracks_alone():
    placed = clip("placed", 0, 50)
    comp, track = video(clip("under", 10, 20), placed)
    comp.tracks = [*comp.tracks, Track(kind="overlay", clips=[clip("elsewhere", 0, 50)])]
    track.locked = True
    edits.overwrite(comp, [placed.id], seconds)
    assert spans(track) == [("under", 10, 30), ("placed", 0, 50)]
    track.locked = False
    edits.overwrite(comp, [placed.id], seconds)
    assert spans(track) == [("placed", 0, 50)]
    assert spans(comp.tracks[1]) == [("elsewhere", 0, 50)]


def test_trim_head_keeps_keyframes_on_their_timeline_frames():
    fade = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.0), Keyframe(frame=20, value=1.0)])
    text = TextClip(text="Hi", start=10, duration=40)
    text.transform.opacity = fade
    comp, _track = video(text)
    edits.trim_head(comp, text, 20, seconds)  # 10 frames later: halfway through the fade
    assert (text.start, text.duration) == (20, 30)
    assert [(k.frame, k.value) for k in text.transform.opacity.keyframes] == [(0, 0.5), (10, 1.0)]
    edits.trim_head(comp, text, 15, seconds)  # and back 5: the keyframes move with the picture
    assert [k.frame for k in text.transform.opacity.keyframes] == [5, 15]


def test_head_and_tail_room_come_from_the_source():
    c = clip("c", 30, 60, source_in=1.0)  # 1 s used before, 4 - 1 - 2 = 1 s spare after
    comp, _track = video(c)
    assert edits.head_room(comp, c, seconds) == 30
    assert edits.tail_room(comp, c, seconds) == 30
    text = TextClip(text="x", start=12, duration=10)
    assert edits.head_room(comp, text, seconds) == 12 and edits.tail_room(comp, text, seconds) is None


# ---- transitions -----------------------------------------------------------------------------------------
def test_a_transition_at_a_cut_takes_spare_media_from_both_sides():
    a, b = clip("a", 0, 60), clip("b", 60, 60, source_in=1.0, path="b.mp4")
    comp, track = video(a, b)
    assert edits.neighbours(track, a) == (None, b) and edits.neighbours(track, b) == (a, None)
    tr = edits.add_transition(comp, track, a, b, "wipe", 15, seconds)
    assert (tr.a, tr.b, tr.kind, tr.duration) == (a.id, b.id, "wipe", 15)
    assert (a.end, b.start) == (68, 53)  # the cut's centre stays put: 8 frames from a, 7 from b
    assert math.isclose(b.source_in, 1.0 - 7 / 30)
    Composition.model_validate(comp.to_document())  # b.start == a.end - duration
    assert edits.neighbours(track, a) == (None, None)


def test_a_transition_uses_what_one_side_has_when_the_other_has_none():
    a, b = clip("a", 0, 120), clip("b", 120, 60, source_in=2.0, path="b.mp4")  # a uses all of its source
    comp, track = video(a, b)
    tr = edits.add_transition(comp, track, a, b, "crossfade", 15, seconds)
    assert (tr.duration, a.end, b.start) == (15, 120, 105)


def test_a_transition_with_no_spare_media_is_refused_clearly():
    a, b = clip("a", 0, 120), clip("b", 120, 120, path="b.mp4")
    comp, track = video(a, b)
    with pytest.raises(ValueError, match="no spare media"):
        edits.add_transition(comp, track, a, b, "crossfade", 15, seconds)
    assert spans(track) == [("a", 0, 120), ("b", 120, 240)] and track.transitions == []


def test_transition_length_is_clamped_to_the_clips():
    a, b = TextClip(name="a", text="a", start=0, duration=6), TextClip(name="b", text="b", start=6, duration=4)
    comp, track = video(a, b)
    tr = edits.add_transition(comp, track, a, b, "dip", 15, seconds)
    assert a.start < b.start < a.end < b.end and tr.duration == a.end - b.start
    assert edits.set_overlap(comp, track, a, b, 2, seconds) == 2  # shorter again, both sides give back
    edits.fix_transitions(comp)
    assert track.transitions[0].duration == 2


def test_clips_that_do_not_meet_get_no_transition():
    a, b = clip("a", 0, 30), clip("b", 40, 30)
    comp, track = video(a, b)
    assert edits.neighbours(track, a) == (None, None)
    with pytest.raises(ValueError, match="meet at a cut"):
        edits.add_transition(comp, track, a, b, "crossfade", 15, seconds)


# ---- keyframes ------------------------------------------------------------------------------------------
def test_keyframes_add_retime_ease_and_remove():
    c = clip("c", 0, 60)
    assert edits.add_keyframe(c, "opacity", 0) and edits.add_keyframe(c, "opacity", 30)
    assert not edits.add_keyframe(c, "opacity", 30)  # one per frame
    assert edits.add_keyframe(c, "volume", 10) and not edits.add_keyframe(TextClip(text="t", start=0, duration=5), "volume", 1)
    assert edits.retime_keyframe(c, "opacity", 30, 90) == 59  # kept inside the clip
    assert edits.retime_keyframe(c, "opacity", 59, -5) == 1  # and after the keyframe before it
    assert edits.set_easing(c, "opacity", 1, "hold")
    assert [(k.frame, k.easing) for k in c.transform.opacity.keyframes] == [(0, "linear"), (1, "hold")]
    c.transform.opacity = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.25)])
    assert edits.remove_keyframe(c, "opacity", 0)
    assert c.transform.opacity == Animated(value=0.25)  # the last one going leaves its value
