"""Transitions on the timeline: added from a clip's menu or Ctrl+D at a cut, drawn over the
overlap, selected by a click, changed from their menu and keys, removed. One undo step each."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from studio.core.timeline.store import load_composition
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    assets, clip_by_id, creative, new_comp, track_of, undo_and_wait,
)
from tests.ui.timeline_helpers import DialogAnswerer, clip_point, menu_entries, right_click, undo_count


def two_stills(view, assets) -> tuple[str, str]:
    """Two stills meeting at a cut at frame 150 on the video track."""
    view.timeline.set_snapping(False)
    a, b = view.controller.add_assets([assets["still"].id] * 2, track_of(view, "video").id, 0)
    return a, b


def near_end(view, clip_id) -> QPoint:
    p = clip_point(view, clip_id, "right")
    return p - QPoint(20, 0)


def band_point(view, a_id, b_id) -> QPoint:
    tl = view.timeline
    track, a = view.controller.composition.find_clip(a_id)
    b = clip_by_id(view, b_id)
    return tl.transition_rect(tl.row_of_track(track.id), a, b).center().toPoint()


def activate(qtbot, view):
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    view.timeline.setFocus()


def test_a_clips_menu_adds_a_crossfade_at_its_cut(qtbot, creative, ctx, assets):
    comp_id = new_comp(creative)
    a, b = two_stills(creative, assets)
    creative.timeline.set_ppf(3.0)
    before = undo_count(ctx)
    right_click(qtbot, creative, near_end(creative, a), "Add transition", "Crossfade")
    [tr] = track_of(creative, "video").transitions
    clip_a, clip_b = clip_by_id(creative, a), clip_by_id(creative, b)
    assert (tr.a, tr.b, tr.kind, tr.duration) == (a, b, "crossfade", 15)  # 0.5 s at 30 fps
    assert (clip_a.end, clip_b.start) == (158, 143)  # the overlap is centred on the old cut
    assert undo_count(ctx) == before + 1
    assert load_composition(ctx.lib, comp_id).tracks[0].transitions == [tr]
    tl = creative.timeline
    assert tl.selected_transition == (a, b)  # a new transition is selected, ready to change
    hit = tl.transition_at(QPointF(band_point(creative, a, b)))
    assert hit is not None and hit[1] == tr
    assert "Crossfade · 0.50 s (15 frames)" in tl.tooltip_at(QPointF(band_point(creative, a, b)))
    undo_and_wait(qtbot, creative, ctx, lambda: not track_of(creative, "video").transitions)
    assert (clip_by_id(creative, a).end, clip_by_id(creative, b).start) == (150, 150)


def test_only_clips_that_meet_at_a_cut_offer_a_transition(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    [alone] = c.add_assets([assets["still"].id], track_of(creative, "overlay").id, 0)
    c.set_playhead(0)
    entries = menu_entries(creative, clip_point(creative, alone))
    assert entries["Add transition"] is False
    messages = []
    ctx.bus.notification.connect(lambda level, text: messages.append((level, text)))
    c.select([alone])
    creative.actions.add_transition.trigger()  # Ctrl+D
    assert not track_of(creative, "overlay").transitions
    assert messages[-1][0] == "warning" and "meets another clip at a cut" in messages[-1][1]


def test_a_transition_takes_only_the_spare_media_the_clips_have(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    a, b = c.add_assets([assets["spot"].id] * 2, track_of(creative, "video").id, 0)  # 2 s each, all of their source
    messages = []
    ctx.bus.notification.connect(lambda level, text: messages.append((level, text)))
    assert not c.add_transition(a, b, "dip")
    assert "no spare media" in messages[-1][1] and not track_of(creative, "video").transitions

    def trimmed(_comp, _track, clip):  # b starts 10 frames into its source: 10 frames to spare
        clip.source_in, clip.duration = 10 / 30, 50

    c.update_clip(b, trimmed, "Trim")
    creative.timeline.set_ppf(4.0)
    right_click(qtbot, creative, near_end(creative, a), "Add transition", "Dip to black")
    [tr] = track_of(creative, "video").transitions
    assert (tr.kind, tr.duration) == ("dip", 10)
    assert clip_by_id(creative, b).source_in == 0.0 and clip_by_id(creative, a).end == 60
    assert "lasts 10 frames, not 15" in messages[-1][1]


def test_click_selects_a_transition_and_its_menu_changes_kind_direction_and_duration(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    a, b = two_stills(creative, assets)
    c.add_transition(a, b, "crossfade")
    tl = creative.timeline
    tl.set_ppf(4.0)
    tl._select_part()
    c.select([a])
    qtbot.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, band_point(creative, a, b))
    assert tl.selected_transition == (a, b) and c.selected == []
    assert creative.actions.delete.isEnabled()
    before = undo_count(ctx)
    assert menu_entries(creative, band_point(creative, a, b))["Direction"] is False  # a crossfade has none
    right_click(qtbot, creative, band_point(creative, a, b), "Wipe")
    right_click(qtbot, creative, band_point(creative, a, b), "Direction", "↑  Up")
    [tr] = track_of(creative, "video").transitions
    assert (tr.kind, tr.direction) == ("wipe", "up")
    answers = DialogAnswerer(lambda dialog: (dialog.setDoubleValue(1.0), dialog.accept()))
    right_click(qtbot, creative, band_point(creative, a, b), "Duration…")
    answers.stop()
    assert answers.seen == ["Transition duration"]
    [tr] = track_of(creative, "video").transitions
    assert tr.duration == 30 and clip_by_id(creative, a).end - clip_by_id(creative, b).start == 30
    assert undo_count(ctx) == before + 3
    undo_and_wait(qtbot, creative, ctx, lambda: track_of(creative, "video").transitions[0].duration == 15)


def test_keys_lengthen_shorten_and_delete_the_selected_transition(qtbot, creative, ctx, assets):
    new_comp(creative)
    a, b = two_stills(creative, assets)
    assert creative.timeline.add_transition((a, b), "slide")
    activate(qtbot, creative)
    tl = creative.timeline
    assert tl.selected_transition == (a, b)
    before = undo_count(ctx)
    qtbot.keyClick(tl, Qt.Key_BracketRight)
    qtbot.keyClick(tl, Qt.Key_BracketRight)
    assert track_of(creative, "video").transitions[0].duration == 17
    qtbot.keyClick(tl, Qt.Key_BracketLeft)
    assert track_of(creative, "video").transitions[0].duration == 16
    assert undo_count(ctx) == before + 1  # key presses in a row are one step
    qtbot.keyClick(tl, Qt.Key_Delete)
    video = track_of(creative, "video")
    assert video.transitions == [] and [x.id for x in video.clips] == [a, b]
    assert clip_by_id(creative, a).end == clip_by_id(creative, b).start  # the clips meet at a cut again
    assert tl.selected_transition is None


def test_ctrl_d_adds_a_crossfade_at_the_selected_clips_cut_nearest_the_playhead(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    ids = c.add_assets([assets["still"].id] * 3, track_of(creative, "video").id, 0)  # cuts at 150 and 300
    c.select([ids[1]])
    c.set_playhead(280)
    activate(qtbot, creative)
    qtbot.keyClick(creative.timeline, Qt.Key_D, Qt.ControlModifier)
    [tr] = track_of(creative, "video").transitions
    assert (tr.a, tr.b, tr.kind) == (ids[1], ids[2], "crossfade")
