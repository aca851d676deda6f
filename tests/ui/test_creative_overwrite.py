"""No two clips on one spot of a track: a clip moved, trimmed or dropped onto occupied frames
overwrites them (trims, splits or removes the clips there), as a professional NLE does, except
where a transition joins two clips; a clip added with no place named goes where there is room."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPoint, Qt

from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    assets, clip_by_id, creative, drop_assets, new_comp, row_y, track_of, undo_and_wait,
)
from tests.ui.timeline_helpers import clip_point, drag, undo_count


def spans(view, kind="video", n=0) -> list[tuple[int, int]]:
    return [(c.start, c.end) for c in sorted(track_of(view, kind, n).clips, key=lambda c: c.start)]


def no_overlaps(view) -> bool:
    for track in view.controller.composition.tracks:
        clips = sorted(track.clips, key=lambda c: c.start)
        joined = {frozenset((tr.a, tr.b)) for tr in track.transitions}
        if any(a.end > b.start and frozenset((a.id, b.id)) not in joined for a, b in pairwise(clips)):
            return False
    return True


def stills(view, assets, *starts) -> list[str]:
    c = view.controller
    view.timeline.set_snapping(False)
    view.timeline.set_ppf(2.0)
    return [c.add_assets([assets["still"].id], track_of(view, "video").id, s)[0] for s in starts]  # 150 frames each


def test_moving_a_clip_over_another_trims_the_one_it_covers_in_one_step(qtbot, creative, ctx, assets):
    new_comp(creative)
    a, b = stills(creative, assets, 0, 200)
    before = undo_count(ctx)
    start = clip_point(creative, b)
    drag(creative, start, start - QPoint(round(100 * creative.timeline.ppf), 0))
    assert spans(creative) == [(0, 100), (100, 250)]
    assert clip_by_id(creative, a).duration == 100 and undo_count(ctx) == before + 1
    undo_and_wait(qtbot, creative, ctx, lambda: spans(creative) == [(0, 150), (200, 350)])


def test_a_short_clip_moved_into_a_long_one_splits_it(qtbot, creative, ctx, assets):
    new_comp(creative)
    a, b = stills(creative, assets, 0, 300)
    creative.controller.update_clip(b, lambda _c, _t, clip: setattr(clip, "duration", 30), "Trim")
    start = clip_point(creative, b)
    drag(creative, start, start - QPoint(round(240 * creative.timeline.ppf), 0))
    assert spans(creative) == [(0, 60), (60, 90), (90, 150)]
    pieces = sorted(track_of(creative, "video").clips, key=lambda c: c.start)
    assert pieces[0].id == a and pieces[1].id == b and pieces[2].id not in (a, b)


def test_trimming_a_clip_into_its_neighbour_overwrites_the_neighbours_head(qtbot, creative, ctx, assets):
    new_comp(creative)
    a, b = stills(creative, assets, 0, 150)
    p = clip_point(creative, a, "right")
    drag(creative, p, p + QPoint(round(30 * creative.timeline.ppf), 0))
    assert spans(creative) == [(0, 180), (180, 300)]
    p = clip_point(creative, b, "left")
    drag(creative, p, p - QPoint(round(60 * creative.timeline.ppf), 0))
    assert spans(creative) == [(0, 120), (120, 300)] and no_overlaps(creative)


def test_dropping_onto_occupied_frames_overwrites_them(qtbot, creative, ctx, assets):
    new_comp(creative)
    [a] = stills(creative, assets, 0)
    tl = creative.timeline
    video = track_of(creative, "video")
    drop_assets(creative, [assets["still"].id], QPoint(round(tl.x_of(75)), row_y(creative, video.id)))
    assert spans(creative) == [(0, 75), (75, 225)] and clip_by_id(creative, a).end == 75


def test_clips_a_transition_joins_keep_their_overlap_when_one_moves(qtbot, creative, ctx, assets):
    new_comp(creative)
    a, b = stills(creative, assets, 0, 150)
    creative.controller.add_transition(a, b, "crossfade")  # a ends at 158, b starts at 143
    start = clip_point(creative, b)
    drag(creative, start, start - QPoint(round(5 * creative.timeline.ppf), 0))
    assert spans(creative) == [(0, 158), (138, 295)]
    assert track_of(creative, "video").transitions[0].duration == 20 and no_overlaps(creative)


def test_a_clip_added_with_no_place_named_goes_where_there_is_room(qtbot, creative, ctx):
    new_comp(creative)
    c = creative.controller
    c.set_playhead(30)
    for _ in range(3):
        creative.actions.add_text.trigger()
    # the text track, then the overlay track (texts may sit there too), then a new text track
    assert [len(t.clips) for t in c.composition.tracks if t.kind in ("text", "overlay")] == [1, 1, 1]
    assert sum(1 for t in c.composition.tracks if t.kind == "text") == 2 and no_overlaps(creative)


def test_a_start_typed_in_the_inspector_overwrites_as_a_drag_does(qtbot, creative, ctx, assets):
    new_comp(creative)
    a, b = stills(creative, assets, 0, 200)
    creative.controller.select([b])
    field = creative.inspector.start_edit
    field.selectAll()
    qtbot.keyClicks(field, "100")
    qtbot.keyClick(field, Qt.Key_Return)
    assert spans(creative) == [(0, 100), (100, 250)] and clip_by_id(creative, a).end == 100
