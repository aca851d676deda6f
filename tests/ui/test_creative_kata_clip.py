"""A saved Kata placement dragged onto the Creative timeline: it lands where it is dropped as
one undo step, is drawn in its own colour with the recipe's name, the Inspector lays it out
like a still, it goes offline when its recipe is deleted, and a drop naming a recipe that is gone says so and adds nothing."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint
from PySide6.QtGui import QColor

from studio.core.ops.kata import create_recipe, delete_recipe
from studio.core.timeline.model import KataClip
from studio.ui.context import KATA_RECIPE_MIME
from studio.ui.workspaces.creative.timeline_paint import LABEL_H, ROLE_COLOURS
from tests.core.timeline.test_kata_clip import bottle_file, recipe, scene_file
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    WAIT_MS,
    creative,
    drag_and_drop,
    new_comp,
    row_y,
    track_of,
    undo_and_wait,
)
from tests.ui.timeline_helpers import undo_count


def drop_recipe(view, payload: bytes, pos: QPoint) -> None:
    """What a drag from the Kata workspace's saved placements delivers: enter, move, drop."""
    mime = QMimeData()
    mime.setData(KATA_RECIPE_MIME, payload)
    drag_and_drop(view.timeline.viewport(), mime, pos)


def test_dropping_a_recipe_adds_a_kata_clip_in_one_undo_step(qtbot, creative, ctx, tmp_path):
    rec = recipe(str(scene_file(tmp_path / "room.png")), str(bottle_file(tmp_path / "bottle.png")))
    recipe_id = create_recipe(ctx.lib, rec).value
    new_comp(creative)
    tl, video = creative.timeline, track_of(creative, "video")
    before = undo_count(ctx)

    drop_recipe(creative, str(recipe_id).encode(), QPoint(round(tl.x_of(30)), row_y(creative, video.id)))
    (clip,) = track_of(creative, "video").clips
    assert isinstance(clip, KataClip) and (clip.recipe_id, clip.start, clip.duration) == (recipe_id, 30, 150)
    assert creative.controller.selected == [clip.id] and undo_count(ctx) == before + 1
    assert ctx.lib.undo.undo_label() == "Add Bottle on the floor"

    rect = tl.clip_rect(clip, tl.row_of_track(video.id))
    shot = tl.viewport().grab().toImage()
    band = shot.pixelColor(round(rect.right()) - 12, round(rect.top()) + LABEL_H // 2)
    kata = QColor(ROLE_COLOURS["kata"])
    assert max(abs(band.red() - kata.red()), abs(band.green() - kata.green()), abs(band.blue() - kata.blue())) <= 3
    assert tl.tooltip_at(rect.center()).startswith("Bottle on the floor")

    inspector = creative.inspector
    assert inspector.kind_label.text().startswith("Kata placement · Bottle on the floor")
    assert inspector.transform_box.isVisible() and inspector.fit.isEnabled() and inspector.fit.currentText() == "cover"
    assert not inspector.source_in.isEnabled() and not inspector.speed.isEnabled()

    # the recipe deleted in the Kata workspace: the clip goes offline in the timeline and the viewer
    delete_recipe(ctx.lib, recipe_id)
    qtbot.waitUntil(lambda: clip.id in tl.offline and creative.viewer.canvas.offline == ["Bottle on the floor"], timeout=WAIT_MS)
    assert tl.offline[clip.id]["reason"] == "the Kata recipe is no longer in the library"
    undo_and_wait(qtbot, creative, ctx, lambda: clip.id not in tl.offline and creative.viewer.canvas.offline == [])

    undo_and_wait(qtbot, creative, ctx, lambda: track_of(creative, "video").clips == [])
    assert undo_count(ctx) == before


def test_a_drop_naming_a_deleted_recipe_says_so_and_adds_nothing(qtbot, creative, ctx, tmp_path):
    recipe_id = create_recipe(ctx.lib, recipe(str(tmp_path / "room.png"), str(tmp_path / "bottle.png"))).value
    delete_recipe(ctx.lib, recipe_id)
    new_comp(creative)
    tl, overlay = creative.timeline, track_of(creative, "overlay")
    before = undo_count(ctx)
    with qtbot.waitSignal(ctx.bus.notification, timeout=WAIT_MS) as told:
        drop_recipe(creative, str(recipe_id).encode(), QPoint(round(tl.x_of(10)), row_y(creative, overlay.id)))
    assert told.args == ["error", f"There is no Kata recipe {recipe_id}; list the recipes to see their ids."]
    assert all(t.clips == [] for t in creative.controller.composition.tracks) and undo_count(ctx) == before
