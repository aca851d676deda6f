"""Timeline tracks: add (toolbar drop-down, header menu), rename (double-click, menu), delete
(asking first when the track has clips), reorder (menu, header drag). One undo step each."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QToolButton

from studio.core.timeline.store import load_composition
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    assets, creative, new_comp, row_y, track_of, undo_and_wait,
)
from tests.ui.timeline_helpers import (
    DialogAnswerer, choose, click_button, drag, header_point, menu_entries, right_click, undo_count,
)


def shown(view) -> list[str]:
    """Track names top to bottom, as the timeline shows them."""
    return [row.track.name for row in view.timeline._rows]


def track_named(view, name):
    return next(t for t in view.controller.composition.tracks if t.name == name)


def test_add_tracks_from_the_toolbar_drop_down_and_a_header_menu(qtbot, creative, ctx):
    comp_id = new_comp(creative)
    assert shown(creative) == ["Text 1", "Overlay 1", "Video 1", "Audio 1"]
    button = creative.timeline_tools.widgetForAction(creative.actions.add_track)
    assert button.popupMode() == QToolButton.InstantPopup and button.text() == "Add track"
    assert [a.text() for a in creative.actions.add_track.menu().actions()] == [
        "Add video track", "Add overlay track", "Add text track", "Add audio track"]
    before = undo_count(ctx)
    choose(qtbot, lambda: qtbot.mouseClick(button, Qt.LeftButton), "Add audio track")
    assert shown(creative) == ["Text 1", "Overlay 1", "Video 1", "Audio 1", "Audio 2"]  # audio goes at the bottom
    right_click(qtbot, creative, header_point(creative, track_named(creative, "Video 1").id), "Add text track")
    assert shown(creative) == ["Text 2", "Text 1", "Overlay 1", "Video 1", "Audio 1", "Audio 2"]  # pictures on top
    assert undo_count(ctx) == before + 2
    assert [t.name for t in load_composition(ctx.lib, comp_id).tracks][-1] == "Audio 2"
    undo_and_wait(qtbot, creative, ctx, lambda: "Text 2" not in shown(creative))


def test_rename_a_track_by_double_clicking_its_name_or_from_its_menu(qtbot, creative, ctx):
    new_comp(creative)
    tl = creative.timeline
    video = track_of(creative, "video")
    qtbot.mouseDClick(tl.viewport(), Qt.LeftButton, Qt.NoModifier, header_point(creative, video.id))
    editor = tl.name_editor
    assert editor is not None and editor.isVisible() and editor.text() == "Video 1"
    editor.selectAll()
    qtbot.keyClicks(editor, "Hero shots")
    qtbot.keyClick(editor, Qt.Key_Return)
    assert track_of(creative, "video").name == "Hero shots"
    assert tl.name_editor is None

    before = undo_count(ctx)
    right_click(qtbot, creative, header_point(creative, video.id), "Rename…")
    editor = tl.name_editor
    qtbot.keyClicks(editor, "Never mind")
    qtbot.keyClick(editor, Qt.Key_Escape)  # Esc keeps the name
    assert track_of(creative, "video").name == "Hero shots" and undo_count(ctx) == before
    right_click(qtbot, creative, header_point(creative, video.id), "Rename…")
    tl.name_editor.clear()
    qtbot.keyClick(tl.name_editor, Qt.Key_Return)  # an empty name changes nothing
    assert track_of(creative, "video").name == "Hero shots" and undo_count(ctx) == before
    undo_and_wait(qtbot, creative, ctx, lambda: track_of(creative, "video").name == "Video 1")


def test_delete_an_empty_track_at_once_and_one_with_clips_after_asking(qtbot, creative, ctx, assets):
    new_comp(creative)
    c = creative.controller
    overlay, video = track_of(creative, "overlay"), track_of(creative, "video")
    c.add_assets([assets["still"].id], video.id, 0)
    answers = DialogAnswerer(click_button("Cancel"))
    right_click(qtbot, creative, header_point(creative, overlay.id), "Delete track")
    assert "Overlay 1" not in shown(creative) and answers.seen == []  # empty: no question

    right_click(qtbot, creative, header_point(creative, video.id), "Delete track")
    assert answers.seen == ["Delete track"] and "Video 1" in shown(creative)  # Cancel keeps it
    answers.answer = click_button("Delete track")
    before = undo_count(ctx)
    right_click(qtbot, creative, header_point(creative, video.id), "Delete track")
    answers.stop()
    assert shown(creative) == ["Text 1", "Audio 1"] and undo_count(ctx) == before + 1
    undo_and_wait(qtbot, creative, ctx, lambda: "Video 1" in shown(creative))
    assert len(track_of(creative, "video").clips) == 1  # with its clip


def test_a_locked_track_cannot_be_deleted(qtbot, creative, ctx):
    new_comp(creative)
    c = creative.controller
    video = track_of(creative, "video")
    c.set_track_flag(video.id, "locked", True)
    assert menu_entries(creative, header_point(creative, video.id))["Delete track"] is False
    messages = []
    ctx.bus.notification.connect(lambda level, text: messages.append(text))
    assert not c.delete_track(video.id)
    assert "Video 1" in shown(creative) and "locked" in messages[-1]


def test_move_tracks_up_and_down_within_their_group(qtbot, creative, ctx):
    new_comp(creative)
    creative.timeline.add_track("audio")
    video, audio = track_named(creative, "Video 1"), track_named(creative, "Audio 1")
    before = undo_count(ctx)
    right_click(qtbot, creative, header_point(creative, video.id), "Move up")
    assert shown(creative) == ["Text 1", "Video 1", "Overlay 1", "Audio 1", "Audio 2"]
    # the top picture row is the top layer: the composition's tracks stack bottom to top
    assert [t.name for t in creative.controller.composition.tracks if t.kind != "audio"] == ["Overlay 1", "Video 1", "Text 1"]
    right_click(qtbot, creative, header_point(creative, audio.id), "Move down")
    assert shown(creative) == ["Text 1", "Video 1", "Overlay 1", "Audio 2", "Audio 1"]
    assert undo_count(ctx) == before + 2
    top_audio = menu_entries(creative, header_point(creative, track_named(creative, "Audio 2").id))
    assert top_audio["Move up"] is False and top_audio["Move down"] is True  # audio never goes among pictures
    creative.timeline.verticalScrollBar().setValue(0)
    assert menu_entries(creative, header_point(creative, track_named(creative, "Text 1").id))["Move up"] is False
    undo_and_wait(qtbot, creative, ctx, lambda: shown(creative)[3:] == ["Audio 1", "Audio 2"])


def test_drag_a_track_header_to_reorder(qtbot, creative, ctx):
    new_comp(creative)
    tl = creative.timeline
    video, text, audio = (track_of(creative, k) for k in ("video", "text", "audio"))
    before = undo_count(ctx)
    start = header_point(creative, video.id)
    drag(creative, start, QPoint(start.x(), row_y(creative, text.id) - 8))
    assert shown(creative) == ["Video 1", "Text 1", "Overlay 1", "Audio 1"]
    assert undo_count(ctx) == before + 1
    assert tl.track_drop_y() is None  # the drop line is gone with the drag
    start = header_point(creative, audio.id)
    drag(creative, start, QPoint(start.x(), row_y(creative, text.id)))  # audio stays below the pictures
    assert shown(creative) == ["Video 1", "Text 1", "Overlay 1", "Audio 1"] and undo_count(ctx) == before + 1
