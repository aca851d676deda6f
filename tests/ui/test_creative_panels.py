"""The Creative workspace's inspector, viewer, playback clock and media bin."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from studio.core.timeline.store import load_composition
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.workspaces.creative.viewer import SAFE_ZONES, evaluator_class
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    WAIT_MS, assets, clip_by_id, creative, new_comp, track_of, undo_and_wait,
)


def test_inspector_opacity_edits_merge_and_the_diamond_adds_a_keyframe(qtbot, creative, ctx):
    new_comp(creative)
    c = creative.controller
    c.set_playhead(10)
    clip_id = c.add_text("Hello")
    assert creative.inspector.stack.currentWidget() is creative.inspector.scroll
    assert creative.inspector.name_edit.text() == "Text"
    spin = creative.inspector.opacity
    spin.setValue(50)
    spin.setValue(40)  # a second change to the same field merges into the same step
    assert clip_by_id(creative, clip_id).transform.opacity.value == pytest.approx(0.4)
    assert load_composition(ctx.lib, c.composition_id).find_clip(clip_id)[1].transform.opacity.value == pytest.approx(0.4)
    undo_and_wait(qtbot, creative, ctx, lambda: clip_by_id(creative, clip_id).transform.opacity.value == 1.0)
    assert spin.value() == 100
    c.set_playhead(25)
    key = creative.inspector.key_buttons["opacity"]
    assert key.isEnabled()
    qtbot.mouseClick(key, Qt.LeftButton)
    keys = clip_by_id(creative, clip_id).transform.opacity.keyframes
    assert [(k.frame, k.value) for k in keys] == [(15, 1.0)]  # frames from the clip's start
    assert key.state == (True, True)
    # with keyframes, a change at the playhead sets that keyframe's value
    c.set_playhead(40)
    qtbot.mouseClick(key, Qt.LeftButton)
    spin.setValue(20)
    keys = clip_by_id(creative, clip_id).transform.opacity.keyframes
    assert [(k.frame, round(k.value, 3)) for k in keys] == [(15, 1.0), (30, 0.2)]
    qtbot.mouseClick(key, Qt.LeftButton)  # the diamond on a keyframe removes it
    assert [k.frame for k in clip_by_id(creative, clip_id).transform.opacity.keyframes] == [15]


def test_inspector_text_fields(qtbot, creative, ctx):
    new_comp(creative)
    clip_id = creative.controller.add_text("Hello")
    ins = creative.inspector
    ins.size.setValue(96)
    ins.box_check.setChecked(True)
    ins.align.setCurrentText("left")
    ins.text_edit.setPlainText("Fresh roast")
    qtbot.waitUntil(lambda: clip_by_id(creative, clip_id).text == "Fresh roast", timeout=WAIT_MS)
    clip = clip_by_id(creative, clip_id)
    assert (clip.size, clip.box is not None, clip.align) == (96, True, "left")
    ins.duration_edit.setText("00:00:01:00")
    ins.duration_edit.editingFinished.emit()
    assert clip_by_id(creative, clip_id).duration == 30


def test_inspector_empty_state_without_a_selection(qtbot, creative, ctx):
    new_comp(creative)
    assert creative.inspector.stack.currentWidget() is creative.inspector.empty


@pytest.mark.skipif(evaluator_class() is None, reason="the frame evaluator is not installed")
def test_viewer_shows_the_frame_at_the_playhead(qtbot, creative, ctx):
    new_comp(creative)
    c = creative.controller
    c.set_playhead(5)
    shape_id = c.add_shape()
    c.update_clip(shape_id, lambda comp, t, clip: (setattr(clip, "fill", "#FF0000"), setattr(clip, "size", (1.0, 1.0))), "Fill")
    c.set_playhead(12)
    viewer = creative.viewer
    qtbot.waitUntil(lambda: viewer.shown_frame == 12 and viewer.canvas.image is not None, timeout=WAIT_MS)
    image = viewer.canvas.image
    assert image.height() / image.width() == pytest.approx(1920 / 1080, rel=0.02)
    centre = QColor(image.pixel(image.width() // 2, image.height() // 2))
    assert (centre.red(), centre.green(), centre.blue()) == (255, 0, 0)
    assert viewer.time_label.text() == "00:00:00:12"


def test_playback_follows_the_clock_drops_frames_and_loops(qtbot, creative, ctx):
    new_comp(creative)
    c = creative.controller
    pb = creative.viewer.playback
    creative.viewer.set_sound(False)  # the timer's clock under test, even where a sound device exists
    now = [100.0]
    pb.clock = lambda: now[0]
    pb.play()
    now[0] += 1.0
    pb._tick()
    assert c.playhead == 30  # one second at 30 fps, whatever the timer managed
    now[0] += 0.5
    pb._tick()
    assert c.playhead == 45
    pb.shuttle(1)  # L while playing forwards: twice as fast
    assert pb.rate == 2
    now[0] += 0.5
    pb._tick()
    assert c.playhead == 75
    pb.shuttle(0)  # K
    assert not pb.playing
    # loop between I and O
    c.set_playhead(60)
    creative.actions.mark_in.trigger()
    c.set_playhead(89)
    creative.actions.mark_out.trigger()
    assert (c.in_point, c.out_point) == (60, 89)
    creative.actions.loop.trigger()
    pb.play()
    assert c.playhead == 60  # started from the in mark
    now[0] += 1.5  # 45 frames: past the out mark, wraps
    pb._tick()
    assert c.playhead == 60 + 45 % 30
    pb.stop()
    # past the end without a loop: stops on the last frame
    creative.actions.loop.trigger()
    c.set_playhead(440)
    pb.play()
    now[0] += 2
    pb._tick()
    assert (c.playhead, pb.playing) == (449, False)


def test_frame_step_and_home_end(qtbot, creative, ctx):
    new_comp(creative)
    c = creative.controller
    creative.actions.next_frame.trigger()
    creative.actions.next_frame.trigger()
    assert c.playhead == 2
    creative.actions.prev_frame.trigger()
    assert c.playhead == 1
    creative.actions.go_end.trigger()
    assert c.playhead == 449
    creative.actions.go_start.trigger()
    assert c.playhead == 0


def test_safe_zone_overlay_choice(qtbot, creative, ctx):
    new_comp(creative)
    creative.viewer.safe_combo.setCurrentText("Reels")
    assert creative.viewer.canvas.safe_zone == "Reels" and SAFE_ZONES["Reels"][1] == 0.35
    creative.viewer.canvas.grab()  # paints the bands without error


def test_bin_lists_assets_and_drags_their_ids(qtbot, creative, ctx, assets):
    creative.bin.refresh()
    qtbot.waitUntil(lambda: creative.bin.model.rowCount() == 3, timeout=WAIT_MS)
    model = creative.bin.model
    mime = model.mimeData([model.index(0), model.index(2)])
    ids = json.loads(bytes(mime.data(ASSET_IDS_MIME)).decode())
    assert set(ids) == {model.assets[0].id, model.assets[2].id}
    creative.bin.kind.setCurrentIndex(3)  # Audio
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=WAIT_MS)
    assert model.assets[0].kind == "audio"


def test_export_renders_the_saved_composition_as_a_job(qtbot, creative, ctx, tmp_path):
    import av

    from studio.core.ops.compositions import create_composition
    from studio.core.timeline.model import Composition, TextClip, Track

    tiny = Composition(name="Tiny spot", width=160, height=284, duration=15,
                       tracks=[Track(kind="text", clips=[TextClip(text="Hi", start=0, duration=15, size=30)])])
    creative.controller.load(create_composition(ctx.lib, tiny).value)
    creative.exporter._fill_menu()
    assert [a.text() for a in creative.exporter.menu.actions()] == ["9x16 · Fast (veryfast, CRF 21)…", "9x16 · Quality (medium, CRF 18)…"]
    messages = []
    ctx.bus.notification.connect(lambda level, text: messages.append(text))
    job = creative.exporter.start(tmp_path / "spot.mp4")
    assert job.lane == "cpu"
    qtbot.waitUntil(lambda: job.finished and bool(messages), timeout=WAIT_MS * 2)
    assert job.status == "done", job.error
    assert messages[-1].startswith("Rendered spot.mp4: 160×284, 0.5 s")
    with av.open(str(tmp_path / "spot.mp4")) as container:
        assert container.streams.video[0].frames == 15
