"""Keyframe lanes: shown with a track's disclosure triangle or U; in a lane a double-click adds
a keyframe, a click selects one and moves the playhead there, a drag retimes it (one undo
step), Delete removes it, and its menu sets its easing."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from studio.core.timeline.model import Animated, Keyframe
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    assets, clip_by_id, creative, new_comp, track_of, undo_and_wait,
)
from tests.ui.timeline_helpers import drag, right_click, undo_count


def lane_point(view, track_id, prop, frame) -> QPoint:
    tl = view.timeline
    row = tl._rows[tl.row_of_track(track_id)]
    k = row.lanes.index(prop)
    return QPoint(round(tl.x_of(frame)), round(tl.lane_rect(row, k).center().y()))


def keys(view, clip_id, prop="opacity") -> list[tuple[int, object, str]]:
    anim = getattr(clip_by_id(view, clip_id).transform, prop) if prop != "volume" else clip_by_id(view, clip_id).volume
    return [(k.frame, k.value, k.easing) for k in anim.keyframes]


def animated_still(view, assets) -> tuple[str, str]:
    """A still on the video track (frames 0-149) fading in: opacity keyframes at 0 and 60."""
    c = view.controller
    video = track_of(view, "video")
    [clip_id] = c.add_assets([assets["still"].id], video.id, 0)

    def fade(_comp, _track, clip):
        clip.transform.opacity = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.0), Keyframe(frame=60, value=1.0)])

    c.update_clip(clip_id, fade, "Fade in")
    view.timeline.set_ppf(4.0)
    view.timeline.set_snapping(False)
    return video.id, clip_id


def test_the_disclosure_triangle_and_u_show_a_tracks_keyframe_lanes(qtbot, creative, ctx, assets):
    new_comp(creative)
    video_id, clip_id = animated_still(creative, assets)
    tl = creative.timeline
    i = tl.row_of_track(video_id)
    assert tl._rows[i].lanes == ()
    triangle = tl.disclosure_rect(i).center().toPoint()
    assert tl.tooltip_at(QPointF(triangle)) == "Show keyframe lanes (U)"
    qtbot.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, triangle)
    assert tl._rows[i].lanes == ("position", "scale", "rotation", "opacity", "volume")
    below = tl._rows[i + 1]
    assert below.top >= tl._rows[i].top + tl._rows[i].height + 5 * 22  # the rows below make room
    assert tl.keyframe_at(QPointF(lane_point(creative, video_id, "opacity", 60)))[2] == 60
    qtbot.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, triangle)
    assert tl._rows[i].lanes == ()
    creative.controller.select([clip_id])
    creative.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is creative)
    tl.setFocus()
    qtbot.keyClick(tl, Qt.Key_U)  # the selected clip's track
    assert tl._rows[tl.row_of_track(video_id)].lanes and not tl._rows[tl.row_of_track(track_of(creative, "audio").id)].lanes
    audio = track_of(creative, "audio")
    tl.toggle_lanes({audio.id})
    assert tl._rows[tl.row_of_track(audio.id)].lanes == ("volume",)  # audio clips: their volume


def test_double_click_in_a_lane_adds_a_keyframe_holding_the_current_value(qtbot, creative, ctx, assets):
    new_comp(creative)
    video_id, clip_id = animated_still(creative, assets)
    c, tl = creative.controller, creative.timeline
    c.set_animated(clip_id, "scale", 1.5)
    tl.toggle_lanes({video_id})
    before = undo_count(ctx)
    qtbot.mouseDClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, lane_point(creative, video_id, "scale", 30))
    assert keys(creative, clip_id, "scale") == [(30, 1.5, "linear")]
    qtbot.mouseDClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, lane_point(creative, video_id, "opacity", 30))
    assert keys(creative, clip_id) == [(0, 0.0, "linear"), (30, 0.5, "linear"), (60, 1.0, "linear")]  # halfway up the fade
    assert undo_count(ctx) == before + 2
    assert tl.selected_key == (clip_id, "opacity", 30) and c.playhead == 30
    qtbot.mouseDClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, lane_point(creative, video_id, "opacity", 400))
    assert len(keys(creative, clip_id)) == 3 and undo_count(ctx) == before + 2  # past the clip: nothing to key


def test_click_a_diamond_then_drag_it_to_retime_it_in_one_step_and_delete_it(qtbot, creative, ctx, assets):
    new_comp(creative)
    video_id, clip_id = animated_still(creative, assets)
    c, tl = creative.controller, creative.timeline
    tl.toggle_lanes({video_id})
    c.set_playhead(100)
    qtbot.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, lane_point(creative, video_id, "opacity", 60))
    assert tl.selected_key == (clip_id, "opacity", 60) and c.playhead == 60 and c.selected == [clip_id]
    before = undo_count(ctx)
    start = lane_point(creative, video_id, "opacity", 60)
    drag(creative, start, start + QPoint(round(25 * tl.ppf), 0), steps=8)
    assert keys(creative, clip_id) == [(0, 0.0, "linear"), (85, 1.0, "linear")]
    assert undo_count(ctx) == before + 1  # eight moves, one step
    assert tl.selected_key == (clip_id, "opacity", 85) and c.playhead == 85
    start = lane_point(creative, video_id, "opacity", 85)
    drag(creative, start, start - QPoint(round(200 * tl.ppf), 0))  # not past the keyframe before it
    assert [k[0] for k in keys(creative, clip_id)] == [0, 1]
    undo_and_wait(qtbot, creative, ctx, lambda: [k[0] for k in keys(creative, clip_id)] == [0, 85])
    qtbot.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, lane_point(creative, video_id, "opacity", 0))
    creative.actions.delete.trigger()  # Delete takes the keyframe, not the clip
    assert keys(creative, clip_id) == [(85, 1.0, "linear")] and clip_by_id(creative, clip_id) is not None
    assert tl.selected_key is None


def test_right_click_a_diamond_sets_its_easing(qtbot, creative, ctx, assets):
    new_comp(creative)
    video_id, clip_id = animated_still(creative, assets)
    tl = creative.timeline
    tl.toggle_lanes({video_id})
    before = undo_count(ctx)
    right_click(qtbot, creative, lane_point(creative, video_id, "opacity", 0), "Ease in/out")
    assert keys(creative, clip_id)[0] == (0, 0.0, "ease_in_out")
    right_click(qtbot, creative, lane_point(creative, video_id, "opacity", 0), "Hold")
    assert keys(creative, clip_id)[0][2] == "hold"
    assert undo_count(ctx) == before + 2
    assert "Hold" in tl.tooltip_at(QPointF(lane_point(creative, video_id, "opacity", 0)))
    right_click(qtbot, creative, lane_point(creative, video_id, "opacity", 60), "Delete keyframe")
    assert keys(creative, clip_id) == [(0, 0.0, "hold")]


def test_a_locked_tracks_keyframes_can_be_selected_but_not_changed(qtbot, creative, ctx, assets):
    new_comp(creative)
    video_id, clip_id = animated_still(creative, assets)
    c, tl = creative.controller, creative.timeline
    tl.toggle_lanes({video_id})
    c.set_track_flag(video_id, "locked", True)
    before = undo_count(ctx)
    start = lane_point(creative, video_id, "opacity", 60)
    qtbot.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, start)
    assert tl.selected_key == (clip_id, "opacity", 60) and c.playhead == 60
    drag(creative, start, start + QPoint(80, 0))
    qtbot.mouseDClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, lane_point(creative, video_id, "opacity", 100))
    assert keys(creative, clip_id) == [(0, 0.0, "linear"), (60, 1.0, "linear")] and undo_count(ctx) == before
