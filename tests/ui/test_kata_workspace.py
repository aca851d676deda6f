"""The Kata workspace over a real library: open a scene, drop a product asset, see it snap,
scored; heat map, sliders, before/after, undo, save as asset, batch; the product's real
height, the harmonization mode, saved placements (reopen, rename, delete, drag) and the
analysis as a cancellable job."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QToolBar

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.ops.kata import list_recipes, load_recipe
from studio.core.queries import AssetFilter, list_assets
from studio.ui.context import ASSET_IDS_MIME, KATA_RECIPE_MIME
from studio.ui.workspaces.kata.view import HOLD_MS, KataView
from tests.kata.scenes import floor_scene

WAIT_MS = 60_000  # analysis and compositing on a busy 2-core machine


def _bottle(height=240, width=96) -> np.ndarray:
    """A green bottle cut-out: a body and a neck on a transparent background."""
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[height // 3:, 4:width - 4] = (30, 140, 60, 255)
    rgba[:height // 3, width // 2 - 8:width // 2 + 8] = (30, 120, 50, 255)
    return rgba


@pytest.fixture
def assets(lib, tmp_path):
    scene_rgb, truth = floor_scene((800, 600), horizon_y=240.0)
    scene_path, product_path = tmp_path / "room.jpg", tmp_path / "bottle.png"
    Image.fromarray(scene_rgb).save(scene_path, quality=95)
    Image.fromarray(_bottle()).save(product_path)
    report = importer.run(importer.ImportParams(str(lib.root), [str(scene_path), str(product_path)]), JobState(), lib=lib)
    ids = {item["name"].split(".")[0]: item["id"] for item in report.imported}
    return ids["room"], ids["bottle"], truth


@pytest.fixture
def view(ctx, qtbot, assets):
    widget = KataView(ctx)
    widget.messages = []  # what the user was told: shown when a test fails
    ctx.bus.notification.connect(lambda level, text: widget.messages.append(text))
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    with qtbot.waitSignal(widget.scene_ready, timeout=WAIT_MS):
        widget.open_scene(assets[0])
    return widget


def _drop_asset(view, asset_id: int, x: float, y: float) -> None:
    mime = QMimeData()
    mime.setData(ASSET_IDS_MIME, json.dumps([asset_id]).encode())
    pos = QPointF(view.canvas.mapFromScene(QPointF(x, y)))
    event = QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    view.canvas.dropEvent(event)


@pytest.fixture
def placed(view, qtbot, assets):
    x, y = view.zones[0].contact
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS, raising=False) as blocker:
        _drop_asset(view, assets[1], x + 15, y - 10)  # a little off: it must snap
    assert blocker.signal_triggered, view.messages
    return view


def _asset_count(lib) -> int:
    return len(list_assets(lib, AssetFilter(kinds=("image",))))


def test_dropping_a_product_asset_snaps_it_onto_the_floor_and_shows_a_score(placed, assets):
    view, truth = placed, assets[2]
    assert view.zone_id is not None
    zone = next(z for z in view.zones if z.id == view.zone_id)
    assert (view.placement.x, view.placement.y) == pytest.approx(zone.contact)
    assert truth.floor_mask[int(view.placement.y), int(view.placement.x)]
    assert 0 <= view.last_preview.score.total <= 100
    assert view.panel.total.text() == f"{view.last_preview.score.total:.0f}"
    assert view.panel.bars.rowCount() == len(view.last_preview.score.parts)
    assert not np.array_equal(view.last_preview.image, view.scene.preview)  # the product is in the picture


def test_the_heat_map_toggle_shows_the_heat_map_and_numbered_zones(view):
    assert view.zones, "a floor scene has zones"
    assert not view.canvas.heat_item.isVisible()
    view.heat_action.trigger()
    assert view.canvas.heat_item.isVisible()
    assert len(view.canvas.zone_items) == len(view.zones)
    assert all(item.isVisible() for item in view.canvas.zone_items)
    view.heat_action.trigger()
    assert not view.canvas.heat_item.isVisible()


def test_the_sliders_change_the_preview(placed, qtbot):
    view = placed
    before = view.last_preview.image.copy()
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        view.panel.harmonize.setChecked(False)
        view.panel.shadow_strength.setValue(0)
    assert not np.array_equal(before, view.last_preview.image)
    assert view.recipe().params["shadow_strength"] == 0


def test_before_after_shows_the_scene_without_the_product(placed):
    view = placed

    def shown() -> np.ndarray:
        buffer = QBuffer()
        buffer.open(QIODevice.WriteOnly)
        view.canvas.image_item.pixmap().save(buffer, "PNG")
        return np.asarray(Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB"))

    assert np.array_equal(shown(), view.last_preview.image)
    view.before_action.trigger()
    assert np.array_equal(shown(), view.scene.preview)
    assert not view.canvas.frame.isVisible()
    view.before_action.trigger()
    assert np.array_equal(shown(), view.last_preview.image)


def test_a_move_is_one_undo_step(placed, qtbot, ctx):
    view = placed
    start = (view.placement.x, view.placement.y)
    view._on_moved(start[0] + 40, start[1] + 20, True)  # Alt held: no snap
    assert (view.placement.x, view.placement.y) == (start[0] + 40, start[1] + 20)
    assert ctx.lib.undo.undo_label() == "Move product"
    ctx.lib.undo.undo()
    qtbot.waitUntil(lambda: (view.placement.x, view.placement.y) == pytest.approx(start), timeout=WAIT_MS)


def test_save_as_asset_adds_one_asset_in_one_undo_step(placed, qtbot, ctx):
    view = placed
    count = _asset_count(ctx.lib)
    job = view.save_as_asset()
    qtbot.waitUntil(lambda: job.finished, timeout=WAIT_MS)
    assert job.status == "done", job.error
    assert _asset_count(ctx.lib) == count + 1
    ctx.lib.undo.undo()
    assert _asset_count(ctx.lib) == count


def test_the_batch_job_writes_a_contact_sheet(view, qtbot, tmp_path, assets):
    dialog = view.open_batch()
    for widget, asset_id in ((dialog.scenes, assets[0]), (dialog.products, assets[1])):
        for i in range(widget.count()):
            widget.item(i).setCheckState(Qt.Checked if widget.item(i).data(Qt.UserRole) == asset_id else Qt.Unchecked)
    dialog.out_dir.setText(str(tmp_path / "batch"))
    job = dialog.run()
    qtbot.waitUntil(lambda: job.finished, timeout=WAIT_MS)
    assert job.status == "done", job.error
    assert (tmp_path / "batch" / "contact_sheet.png").is_file()
    assert len(job.result["pairs"]) == 1 and job.result["pairs"][0]["path"]


def test_the_batch_dialog_asks_for_a_product_and_a_scene(view):
    dialog = view.open_batch()
    for widget in (dialog.scenes, dialog.products):
        for i in range(widget.count()):
            widget.item(i).setCheckState(Qt.Unchecked)
    assert dialog.run() is None
    assert "Tick at least one product and one scene" in dialog.error.text()


def test_a_scene_with_no_place_says_so_and_keeps_the_product_where_it_was_dropped(ctx, qtbot, tmp_path, assets):
    noise = np.random.default_rng(0).normal(128, 60, (300, 400, 3)).clip(0, 255).astype(np.uint8)
    Image.fromarray(noise).save(tmp_path / "noise.png")
    view = KataView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.scene_ready, timeout=WAIT_MS):
        view.open_scene(str(tmp_path / "noise.png"))  # a file, not an asset
    assert view.zones == []
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        _drop_asset(view, assets[1], 200, 250)
    assert (view.placement.x, view.placement.y) == pytest.approx((200, 250), abs=1)
    assert view.zone_id is None
    assert "No place for a product in this scene" in view.status.text()


def test_a_scene_that_cannot_be_read_is_explained_and_the_open_scene_stays(view, qtbot, tmp_path):
    scene = view.scene
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    job = view.open_scene(str(broken))
    qtbot.waitUntil(lambda: job.finished and not view.jobs.busy, timeout=WAIT_MS)
    assert job.status == "failed" and "broken.jpg is not an image we can read" in job.error
    assert "broken.jpg" in view.status.text()
    assert view.scene is scene and view.stack.currentWidget() is view.canvas
    assert not view.canvas.busy.isVisible()


def test_dragging_the_handle_scales_the_product_in_one_undo_step(placed, qtbot, ctx):
    view = placed
    height = view.placement.height_px
    handle = view.canvas.mapFromScene(view.canvas.frame.rect().topRight())
    above = view.canvas.mapFromScene(view.canvas.frame.rect().topRight() - QPointF(0, height / 2))
    viewport = view.canvas.viewport()
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        qtbot.mousePress(viewport, Qt.LeftButton, pos=handle)
        qtbot.mouseMove(viewport, above)
        qtbot.mouseRelease(viewport, Qt.LeftButton, pos=above)
    assert view.placement.height_px == pytest.approx(height * 1.5, rel=0.1)
    assert ctx.lib.undo.undo_label() == "Scale product"


def test_holding_before_after_peeks_and_a_click_toggles(placed, qtbot):
    view = placed
    button = view.findChild(QToolBar).widgetForAction(view.before_action)
    qtbot.mousePress(button, Qt.LeftButton)
    assert view.showing_before  # shown while held
    qtbot.wait(HOLD_MS + 100)
    qtbot.mouseRelease(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not view.showing_before)
    assert not view.before_action.isChecked()
    qtbot.mouseClick(button, Qt.LeftButton)
    assert view.before_action.isChecked() and view.showing_before


def test_save_recipe_names_the_stored_placement(placed, ctx, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Summer bottle", True))  # the user types a name
    placed.save_recipe()
    assert [r.name for r in list_recipes(ctx.lib)] == ["Summer bottle"]
    assert ctx.lib.undo.undo_label() == "Rename Kata recipe"


def test_a_photo_dropped_on_the_empty_workspace_opens_as_the_scene(ctx, qtbot, tmp_path):
    rgb, _truth = floor_scene((640, 480))
    Image.fromarray(rgb).save(tmp_path / "hall.png")
    view = KataView(ctx)
    qtbot.addWidget(view)
    assert view.stack.currentWidget() is view.empty
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "hall.png"))])
    with qtbot.waitSignal(view.scene_ready, timeout=WAIT_MS):
        view.dropEvent(QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    assert view.stack.currentWidget() is view.canvas
    assert view.scene.size == (640, 480)


def test_dragging_the_turn_handle_rotates_the_product_in_one_undo_step(placed, qtbot, ctx):
    view = placed
    contact = QPointF(view.placement.x, view.placement.y)
    turn = view.canvas.mapFromScene(view.canvas.turn.scenePos()) + view.canvas.turn.rect().center().toPoint()
    left_of_contact = view.canvas.mapFromScene(contact + QPointF(-100, -100))  # 45° counter-clockwise
    viewport = view.canvas.viewport()
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        qtbot.mousePress(viewport, Qt.LeftButton, pos=turn)
        qtbot.mouseMove(viewport, left_of_contact)
        qtbot.mouseRelease(viewport, Qt.LeftButton, pos=left_of_contact)
    assert view.placement.rotation_deg == pytest.approx(45, abs=2)
    assert view.panel.rotation.value() == pytest.approx(45, abs=2)
    assert ctx.lib.undo.undo_label() == "Rotate product"


# ---- product size, harmonization mode, saved placements, analysis jobs -------------------------
def _new_view(ctx, qtbot) -> KataView:
    widget = KataView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    return widget


def _recipe_rows(view) -> list[str]:
    return [view.recipes.list.item(i).text() for i in range(view.recipes.list.count()) if view.recipes.list.item(i).data(Qt.UserRole)]


def _box_height(view) -> int:
    _x0, y0, _x1, y1 = view.last_preview.box
    return y1 - y0


def test_typing_a_real_height_rescales_the_placed_product_and_is_stored(placed, qtbot, ctx):
    view = placed
    assert view.panel.height_cm.isEnabled() and view.panel.height_cm.value() == pytest.approx(25)  # a bottle
    before = _box_height(view)
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        view.panel.height_cm.setValue(50)
    assert _box_height(view) == pytest.approx(2 * before, rel=0.08)
    assert load_recipe(ctx.lib, view.recipe_id).height_m == pytest.approx(0.5)
    assert ctx.lib.undo.undo_label() == "Change product size"
    qtbot.waitUntil(lambda: not view.jobs.busy, timeout=WAIT_MS)  # zones for the new size, as a job
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        ctx.lib.undo.undo()
    assert _box_height(view) == pytest.approx(before, abs=2)
    assert view.panel.height_cm.value() == pytest.approx(25)


def test_a_category_brings_its_usual_height_and_the_product_remembers_it(placed, qtbot, ctx, assets):
    view = placed
    before = _box_height(view)
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        view.panel.category.setCurrentText("Can")
    assert view.panel.height_cm.value() == pytest.approx(12)
    assert _box_height(view) == pytest.approx(before * 12 / 25, rel=0.1)
    assert load_recipe(ctx.lib, view.recipe_id).category == "can"
    qtbot.waitUntil(lambda: not view.jobs.busy, timeout=WAIT_MS)
    again = _new_view(ctx, qtbot)  # the same product dropped anew keeps the size the user gave it
    with qtbot.waitSignal(again.scene_ready, timeout=WAIT_MS):
        again.open_scene(assets[0])
    with qtbot.waitSignal(again.preview_ready, timeout=WAIT_MS):
        _drop_asset(again, assets[1], *again.zones[0].contact)
    assert (again.product.category, again.product.height_m) == ("can", pytest.approx(0.12))
    assert again.panel.category.currentText() == "Can"


def test_match_surroundings_moves_a_green_product_toward_a_beige_room(ctx, qtbot, tmp_path, assets):
    rng = np.random.default_rng(1)
    beige = (np.array([222, 205, 170]) + rng.normal(0, 3, (600, 800, 3))).clip(0, 255).astype(np.uint8)
    Image.fromarray(beige).save(tmp_path / "beige.png")
    view = _new_view(ctx, qtbot)
    with qtbot.waitSignal(view.scene_ready, timeout=WAIT_MS):
        view.open_scene(str(tmp_path / "beige.png"))
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        _drop_asset(view, assets[1], 400, 450)
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        view._change(height_px=240, label="Scale product")  # big enough to judge its colour

    def greenness() -> float:
        x0, y0, x1, y1 = view.last_preview.box
        body = view.last_preview.image[y0 + (y1 - y0) // 2:y1 - 4, x0 + 6:x1 - 6].astype(float)  # the bottle's body
        return float((body[..., 1] - body[..., 0]).mean())

    kept = greenness()
    assert view.panel.harmonize_mode.currentText() == "Keep product colours"
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        view.panel.harmonize_mode.setCurrentText("Match surroundings")
    assert kept > 60 and greenness() < kept / 2  # the green is kept; matched, it leans to the beige
    assert load_recipe(ctx.lib, view.recipe_id).params["harmonize_mode"] == "match"
    view.panel.harmonize.setChecked(False)
    assert not view.panel.harmonize_mode.isEnabled()


def test_a_saved_placement_reopens_where_it_was(placed, qtbot, ctx):
    view = placed
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        view._on_moved(view.placement.x - 30, view.placement.y + 12, True)  # off the zone, Alt held
        view.panel.height_cm.setValue(40)
        view.panel.shadow_strength.setValue(20)  # stored once the slider settles
    qtbot.waitUntil(lambda: not view.jobs.busy and load_recipe(ctx.lib, view.recipe_id).params["shadow_strength"] == 0.2, timeout=WAIT_MS)
    saved = load_recipe(ctx.lib, view.recipe_id)
    other = _new_view(ctx, qtbot)
    qtbot.waitUntil(lambda: _recipe_rows(other) == [saved.name], timeout=WAIT_MS)
    other.recipes.list.setCurrentRow(0)
    with qtbot.waitSignal(other.preview_ready, timeout=WAIT_MS):
        qtbot.keyClick(other.recipes.list, Qt.Key_Return)
    assert other.recipe_id == view.recipe_id
    assert (other.placement.x, other.placement.y, other.placement.height_px) == pytest.approx(
        (saved.placement.x, saved.placement.y, saved.placement.height_px))
    assert other.panel.height_cm.value() == pytest.approx(40)
    assert other.panel.shadow_strength.value() == 20
    assert other.recipe().to_document() == saved.to_document()
    assert other.last_preview.box == view.last_preview.box


def test_the_last_open_placement_reopens_when_the_workspace_is_shown_again(placed, qtbot, ctx):
    recipe_id = placed.recipe_id
    other = KataView(ctx)
    qtbot.addWidget(other)
    assert other.scene is None
    with qtbot.waitSignal(other.preview_ready, timeout=WAIT_MS):
        other.show()
    assert other.recipe_id == recipe_id


def test_delete_removes_a_saved_placement_and_undo_brings_it_back(placed, qtbot, ctx):
    view = placed
    name = load_recipe(ctx.lib, view.recipe_id).name
    qtbot.waitUntil(lambda: _recipe_rows(view) == [name], timeout=WAIT_MS)
    view.recipes.list.setCurrentRow(0)
    view.recipes.list.setFocus()
    qtbot.keyClick(view.recipes.list, Qt.Key_Delete)
    qtbot.waitUntil(lambda: _recipe_rows(view) == [], timeout=WAIT_MS)
    assert list_recipes(ctx.lib) == []
    assert view.recipe_id is None and not view.canvas.frame.isVisible()  # the open placement went with it
    assert "Placements you make are kept here" in view.recipes.list.item(0).text()
    ctx.lib.undo.undo()
    qtbot.waitUntil(lambda: _recipe_rows(view) == [name], timeout=WAIT_MS)


def test_renaming_in_the_list_renames_the_recipe_in_one_undo_step(placed, qtbot, ctx):
    view = placed
    qtbot.waitUntil(lambda: len(_recipe_rows(view)) == 1, timeout=WAIT_MS)
    view.recipes.list.item(0).setText("Hero bottle")  # what the inline editor commits
    assert [r.name for r in list_recipes(ctx.lib)] == ["Hero bottle"]
    assert ctx.lib.undo.undo_label() == "Rename Kata recipe"
    qtbot.waitUntil(lambda: view.recipe().name == "Hero bottle", timeout=WAIT_MS)  # the open placement follows
    view.recipes.list.item(0).setText("  ")
    qtbot.waitUntil(lambda: _recipe_rows(view) == ["Hero bottle"], timeout=WAIT_MS)


def test_a_dragged_placement_carries_its_recipe_id(placed, qtbot):
    view = placed
    qtbot.waitUntil(lambda: len(_recipe_rows(view)) == 1, timeout=WAIT_MS)
    mime = view.recipes.list.mimeData([view.recipes.list.item(0)])
    assert mime.hasFormat(KATA_RECIPE_MIME)
    assert bytes(mime.data(KATA_RECIPE_MIME)).decode("ascii") == str(view.recipe_id)
    assert view.recipes.list.dragEnabled()


def test_analysis_runs_as_a_job_that_can_be_cancelled(view, qtbot, ctx, assets):
    scene = view.scene
    job = view.open_scene(assets[0])
    assert ctx.runner.jobs[job.id] is job and job.title == "Analyse room"
    assert view.canvas.busy.isVisibleTo(view) and view.canvas.property("rendering")
    job.cancel()  # what Cancel in the jobs panel does
    qtbot.waitUntil(lambda: job.finished and not view.jobs.busy, timeout=WAIT_MS)
    assert job.status == "cancelled"
    assert view.scene is scene and "cancelled" in view.status.text()
    assert not view.canvas.busy.isVisibleTo(view) and not view.canvas.property("rendering")
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):  # still usable
        _drop_asset(view, assets[1], *view.zones[0].contact)


def test_cancel_on_the_canvas_stops_the_analysis_at_once(view, qtbot, assets):
    scene = view.scene
    job = view.open_scene(assets[0])
    qtbot.mouseClick(view.canvas.busy.cancel, Qt.LeftButton)
    assert job.state.cancelled and not view.jobs.busy and not view.canvas.busy.isVisibleTo(view)
    assert "cancelled" in view.status.text()
    qtbot.waitUntil(lambda: job.finished, timeout=WAIT_MS)
    qtbot.wait(50)
    assert view.scene is scene  # its answer, if any, is dropped


def test_a_newer_request_supersedes_an_older_one(view, qtbot, tmp_path, assets):
    Image.fromarray(np.full((300, 400, 3), 90, np.uint8)).save(tmp_path / "grey.png")
    first = view.open_scene(str(tmp_path / "grey.png"))
    with qtbot.waitSignal(view.scene_ready, timeout=WAIT_MS):
        second = view.open_scene(assets[0])
    assert first.state.cancelled and second.status == "done"
    assert view.scene_ref == assets[0] and view.scene.size == (800, 600)
    qtbot.waitUntil(lambda: first.finished, timeout=WAIT_MS)
    qtbot.wait(50)
    assert view.scene_ref == assets[0]  # the older answer, arriving late, changes nothing
