"""The Kata workspace over a real library: open a scene, drop a product asset, see it snap,
scored; heat map, sliders, before/after, undo, save as asset, batch."""

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
from studio.core.queries import AssetFilter, list_assets
from studio.ui.context import ASSET_IDS_MIME
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


def test_a_scene_that_cannot_be_read_is_explained(view, qtbot, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    with qtbot.waitSignal(view.ctx.bus.notification, timeout=WAIT_MS) as blocker:
        view.open_scene(str(broken))
    assert blocker.args[0] == "warning" and "broken.jpg" in blocker.args[1]


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

    from studio.core.ops.kata import list_recipes

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
