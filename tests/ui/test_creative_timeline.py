"""The Creative workspace's timeline: drops, drags, trims, splits, ripple, snapping, zoom."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from studio.core.timeline.model import MediaClip
from studio.core.timeline.store import list_compositions, load_composition
from studio.ui.workspaces.creative.timeline import compute_peaks
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    WAIT_MS, assets, clip_by_id, creative, drop_assets, new_comp, row_y, track_of, undo_and_wait,
)
from tests.ui.timeline_helpers import clip_point, drag, undo_count


def test_new_composition_from_the_empty_state_then_undo(qtbot, creative, ctx):
    assert creative.pages.currentWidget() is creative.empty
    qtbot.mouseClick(creative.empty_buttons[0], Qt.LeftButton)
    infos = list_compositions(ctx.lib)
    assert [(i.width, i.height, i.fps, i.duration_s) for i in infos] == [(1080, 1920, 30.0, 15.0)]
    assert creative.pages.currentWidget() is creative.main_split
    assert [t.kind for t in creative.controller.composition.tracks] == ["video", "overlay", "text", "audio"]
    undo_and_wait(qtbot, creative, ctx, lambda: creative.pages.currentWidget() is creative.empty)
    assert list_compositions(ctx.lib) == []


def test_rename_and_delete_are_undoable(qtbot, creative, ctx):
    comp_id = new_comp(creative)
    assert creative.controller.rename("Autumn story")
    assert load_composition(ctx.lib, comp_id).name == "Autumn story"
    assert creative.controller.delete()
    assert list_compositions(ctx.lib) == []
    undo_and_wait(qtbot, creative, ctx, lambda: creative.controller.composition_id == comp_id)
    assert creative.comp_combo.currentData() == comp_id


def test_drop_assets_onto_a_track_at_the_drop_frame(qtbot, creative, ctx, assets):
    new_comp(creative)
    tl = creative.timeline
    tl.set_snapping(False)
    video = track_of(creative, "video")
    drop_assets(creative, [assets["spot"].id], QPoint(round(tl.x_of(37)), row_y(creative, video.id)))
    clip = track_of(creative, "video").clips[0]
    assert (clip.start, clip.asset_id) == (37, assets["spot"].id)
    assert clip.duration == 60  # the source's 2 s at 30 fps
    # audio dropped on a picture track lands on an audio track; a still lasts 5 s
    drop_assets(creative, [assets["jingle"].id, assets["still"].id], QPoint(round(tl.x_of(100)), row_y(creative, video.id)))
    audio = track_of(creative, "audio").clips
    assert [(c.start, c.duration) for c in audio] == [(100, 60)]
    stills = [c for c in track_of(creative, "video").clips if c.asset_id == assets["still"].id]
    assert [(c.start, c.duration) for c in stills] == [(160, 150)]
    saved = load_composition(ctx.lib, creative.controller.composition_id)
    assert sum(1 for _ in saved.clips()) == 3


def test_move_by_mouse_drag_is_one_undo_step(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    [clip_id] = c.add_assets([assets["still"].id], track_of(creative, "video").id, 0)
    creative.timeline.set_snapping(False)
    before = undo_count(ctx)
    start = clip_point(creative, clip_id)
    frames = 40
    drag(creative, start, start + QPoint(round(frames * creative.timeline.ppf), 0), steps=10)
    assert clip_by_id(creative, clip_id).start == frames
    assert load_composition(ctx.lib, c.composition_id).find_clip(clip_id)[1].start == frames
    assert undo_count(ctx) == before + 1  # ten mouse moves, one step
    undo_and_wait(qtbot, creative, ctx, lambda: clip_by_id(creative, clip_id).start == 0)


def test_drag_to_another_compatible_track(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    [clip_id] = c.add_assets([assets["still"].id], track_of(creative, "video").id, 0)
    overlay, audio = track_of(creative, "overlay"), track_of(creative, "audio")
    start = clip_point(creative, clip_id)
    drag(creative, start, QPoint(start.x(), row_y(creative, audio.id)))  # incompatible: stays
    assert c.composition.find_clip(clip_id)[0].kind == "video"
    drag(creative, start, QPoint(start.x(), row_y(creative, overlay.id)))
    assert c.composition.find_clip(clip_id)[0].id == overlay.id


def test_trim_edges_and_media_cannot_outlast_its_source(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    tl = creative.timeline
    tl.set_snapping(False)
    tl.set_ppf(6.0)
    [clip_id] = c.add_assets([assets["spot"].id], track_of(creative, "video").id, 30)
    p = clip_point(creative, clip_id, "right")
    drag(creative, p, p - QPoint(round(15 * tl.ppf), 0))
    assert (clip_by_id(creative, clip_id).start, clip_by_id(creative, clip_id).duration) == (30, 45)
    p = clip_point(creative, clip_id, "right")
    drag(creative, p, p + QPoint(round(60 * tl.ppf), 0))
    assert clip_by_id(creative, clip_id).duration == 60  # 2 s of source, no more
    p = clip_point(creative, clip_id, "left")
    drag(creative, p, p + QPoint(round(15 * tl.ppf), 0))
    clip = clip_by_id(creative, clip_id)
    assert (clip.start, clip.duration, clip.end) == (45, 45, 90)
    assert abs(clip.source_in - 0.5) < 1e-6  # the left trim moved into the source
    p = clip_point(creative, clip_id, "left")
    drag(creative, p, p - QPoint(round(40 * tl.ppf), 0))
    clip = clip_by_id(creative, clip_id)
    assert (clip.start, clip.source_in) == (30, 0.0)  # not before the source's first frame


def test_slip_moves_the_source_in(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    tl = creative.timeline
    tl.set_snapping(False)
    [clip_id] = c.add_assets([assets["spot"].id], track_of(creative, "video").id, 0)
    c.update_clip(clip_id, lambda comp, t, clip: setattr(clip, "duration", 30), "Trim")
    p = clip_point(creative, clip_id)
    drag(creative, p, p - QPoint(round(15 * tl.ppf), 0), modifiers=Qt.AltModifier)
    clip = clip_by_id(creative, clip_id)
    assert (clip.start, clip.duration) == (0, 30)
    assert abs(clip.source_in - 0.5) < 1e-6


def test_split_at_playhead(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    [clip_id] = c.add_assets([assets["spot"].id], track_of(creative, "video").id, 0)
    c.set_playhead(20)
    creative.actions.split.trigger()
    clips = sorted(track_of(creative, "video").clips, key=lambda x: x.start)
    assert [(x.start, x.duration) for x in clips] == [(0, 20), (20, 40)]
    assert clips[0].id == clip_id and abs(clips[1].source_in - 20 / 30) < 1e-6
    assert set(c.selected) == {x.id for x in clips}


def test_delete_and_ripple_delete(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    ids = c.add_assets([assets["still"].id] * 3, track_of(creative, "video").id, 0)
    assert [clip_by_id(creative, i).start for i in ids] == [0, 150, 300]
    c.select([ids[1]])
    creative.actions.ripple_delete.trigger()
    assert [(x.start, x.id) for x in track_of(creative, "video").clips] == [(0, ids[0]), (150, ids[2])]
    c.select([ids[0]])
    creative.actions.delete.trigger()
    assert [(x.start, x.id) for x in track_of(creative, "video").clips] == [(150, ids[2])]  # a gap stays
    undo_and_wait(qtbot, creative, ctx, lambda: len(track_of(creative, "video").clips) == 2)


def test_snapping_to_a_clip_edge_and_the_n_toggle(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    tl = creative.timeline
    tl.set_ppf(4.0)
    video, overlay = track_of(creative, "video"), track_of(creative, "overlay")
    [a] = c.add_assets([assets["spot"].id], video.id, 0)  # ends at 60
    [b] = c.add_assets([assets["still"].id], overlay.id, 100)
    c.set_playhead(400)  # out of the way (the view follows it: scroll back)
    tl.horizontalScrollBar().setValue(0)
    p = clip_point(creative, b)
    drag(creative, p, p - QPoint(round(38 * tl.ppf), 0))  # would land on 62: 8 px from the edge at 60
    assert clip_by_id(creative, b).start == 60
    creative.actions.snapping.trigger()  # N
    assert not tl.snapping
    p = clip_point(creative, b)
    drag(creative, p, p + QPoint(round(2 * tl.ppf), 0))
    assert clip_by_id(creative, b).start == 62


def test_zoom_changes_pixels_per_frame(qtbot, creative, ctx, assets):
    new_comp(creative)
    tl = creative.timeline
    tl.set_ppf(2.0)
    creative.actions.zoom_in.trigger()
    assert tl.ppf > 2.0
    tl.set_ppf(8.0)
    tl.horizontalScrollBar().setValue(500)
    before = tl.ppf
    pos = QPointF(tl.x_of(100), 60)
    event = QWheelEvent(pos, tl.viewport().mapToGlobal(pos), QPoint(), QPoint(0, -120), Qt.NoButton, Qt.ControlModifier,
                        Qt.NoScrollPhase, False)
    QApplication.sendEvent(tl.viewport(), event)
    assert tl.ppf < before
    assert abs(tl.x_of(100) - pos.x()) < 1.0  # zooms around the cursor
    creative.actions.fit.trigger()
    assert tl.x_of(creative.controller.end_frame()) <= tl.viewport().width()


def test_ruler_scrub_markers_and_track_lock(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    tl = creative.timeline
    QTest.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(round(tl.x_of(90)), 12))
    assert c.playhead == 90
    creative.actions.marker.trigger()
    assert [m.frame for m in c.composition.markers] == [90]
    video = track_of(creative, "video")
    i = tl.row_of_track(video.id)
    lock = dict(tl._toggle_rects(i))["locked"]
    QTest.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, lock.center().toPoint())
    assert track_of(creative, "video").locked
    undo_and_wait(qtbot, creative, ctx, lambda: not track_of(creative, "video").locked)


def test_rubber_band_and_shift_click_select(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    tl = creative.timeline
    ids = c.add_assets([assets["still"].id] * 2, track_of(creative, "video").id, 0)
    c.select([])
    QTest.mouseClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, clip_point(creative, ids[0]))
    assert c.selected == [ids[0]]
    QTest.mouseClick(tl.viewport(), Qt.LeftButton, Qt.ShiftModifier, clip_point(creative, ids[1]))
    assert set(c.selected) == set(ids)
    c.select([])
    y = row_y(creative, track_of(creative, "video").id)
    drag(creative, QPoint(round(tl.x_of(0)) + 5, 40 + 1), QPoint(round(tl.x_of(200)), y))  # from empty lane space
    assert set(c.selected) >= {ids[0], ids[1]} or set(c.selected) == set(ids)


def test_waveform_peaks_come_from_the_audio(qtbot, creative, ctx, assets, tmp_path):
    peaks = compute_peaks(str(ctx.lib.media_path(assets["jingle"].sha256, assets["jingle"].ext)))
    assert 110 <= len(peaks) <= 130 and abs(float(peaks.max()) - 1.0) < 1e-6
    assert peaks[:10].mean() < peaks[-10:].mean()  # the test tone gets louder
    new_comp(creative)
    [clip_id] = creative.controller.add_assets([assets["jingle"].id], None, 0)
    assert track_of(creative, "audio").clips[0].id == clip_id
    path = str(ctx.lib.media_path(assets["jingle"].sha256, assets["jingle"].ext))
    creative.timeline.viewport().repaint()
    qtbot.waitUntil(lambda: creative.timeline.waveforms.peaks(path) is not None, timeout=WAIT_MS)


def test_add_text_and_shape_at_the_playhead(qtbot, creative, ctx):
    new_comp(creative)
    c = creative.controller
    c.set_playhead(45)
    creative.actions.add_text.trigger()
    creative.actions.add_shape.trigger()
    text = track_of(creative, "text").clips[0]
    shape = next(x for _t, x in c.composition.clips() if x.kind == "shape")
    assert (text.start, shape.start) == (45, 45)
    assert not isinstance(text, MediaClip)
