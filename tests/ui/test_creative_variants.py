"""Aspect variants in the Creative workspace: the switcher in the top bar, adding a variant by
smart reframing (a job) and deleting one as undoable steps, the viewer and the inspector
following the variant shown, layout edits going to the variant's override, and the last
variant shown remembered per composition."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize, Qt

from studio.core.timeline import variants
from studio.core.timeline.store import load_composition
from studio.ui.workspaces.creative.variant_bar import describe
from studio.ui.workspaces.creative.viewer import evaluator_class
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    WAIT_MS, assets, clip_by_id, creative, new_comp, undo_and_wait,
)


def menu_action(bar, text: str):
    """An action of the variant menu as the user sees it when opening it."""
    bar._fill_menu()
    actions = bar.menu.actions() + [a for m in bar.menu.findChildren(type(bar.menu)) for a in m.actions()]
    return next(a for a in actions if a.text().startswith(text))


def add_variant(qtbot, view, name: str) -> None:
    """Add ▸ name from the menu; the reframing job runs, then the variant shows."""
    menu_action(view.variant_bar, describe(name)).trigger()
    qtbot.waitUntil(lambda: view.controller.variant == name, timeout=WAIT_MS)


def saved(ctx, view):
    return load_composition(ctx.lib, view.controller.composition_id)


def test_switching_variants_changes_the_canvas_and_add_is_one_undoable_step(qtbot, creative, ctx):
    new_comp(creative)
    c, bar, viewer = creative.controller, creative.variant_bar, creative.viewer
    assert list(bar.buttons) == ["9x16"] and bar.buttons["9x16"].isChecked()
    assert bar.buttons["9x16"].text() == "9:16"
    assert not menu_action(bar, "9:16").isEnabled()  # the main layout is there already
    add_variant(qtbot, creative, "1x1")
    assert bar.busy_label.text() == ""
    assert list(bar.buttons) == ["9x16", "1x1"] and bar.buttons["1x1"].isChecked()
    assert viewer.canvas.canvas_size == QSize(1080, 1080)
    assert creative.info_label.text().startswith("1080×1080")
    assert saved(ctx, creative).variant_names() == ["9x16", "1x1"]
    add_variant(qtbot, creative, "4x5")
    assert list(bar.buttons) == ["9x16", "1x1", "4x5"]

    qtbot.mouseClick(bar.buttons["9x16"], Qt.LeftButton)
    assert (c.variant, viewer.canvas.canvas_size) == (None, QSize(1080, 1920))
    qtbot.mouseClick(bar.buttons["1x1"], Qt.LeftButton)
    assert (c.variant, viewer.canvas.canvas_size) == ("1x1", QSize(1080, 1080))
    if evaluator_class() is not None:  # the viewer renders the square layout
        qtbot.waitUntil(lambda: viewer.canvas.image is not None and not viewer.property("rendering"), timeout=WAIT_MS)
        assert viewer.canvas.image.width() == viewer.canvas.image.height()

    # Edit ▸ Undo takes the 4:5 variant back; the switcher and the viewer follow
    qtbot.mouseClick(bar.buttons["4x5"], Qt.LeftButton)
    undo_and_wait(qtbot, creative, ctx, lambda: list(bar.buttons) == ["9x16", "1x1"])
    assert c.variant is None and bar.buttons["9x16"].isChecked()
    assert viewer.canvas.canvas_size == QSize(1080, 1920)


def test_delete_variant_from_the_menu_is_one_undoable_step(qtbot, creative, ctx):
    new_comp(creative)
    messages = []
    ctx.bus.notification.connect(lambda level, text: messages.append(text))
    bar = creative.variant_bar
    assert not menu_action(bar, "Delete").isEnabled()  # the main layout cannot be deleted
    add_variant(qtbot, creative, "16x9")
    delete = menu_action(bar, "Delete 16:9 variant")
    assert delete.isEnabled()
    delete.trigger()
    assert saved(ctx, creative).variant_names() == ["9x16"]
    assert list(bar.buttons) == ["9x16"] and creative.controller.variant is None
    assert messages[-1] == "Deleted the 16:9 variant (Edit ▸ Undo brings it back)"
    undo_and_wait(qtbot, creative, ctx, lambda: list(bar.buttons) == ["9x16", "16x9"])
    assert saved(ctx, creative).variant_names() == ["9x16", "16x9"]


def test_layout_edits_go_to_the_variant_and_timing_stays_shared(qtbot, creative, ctx):
    new_comp(creative)
    c, ins = creative.controller, creative.inspector
    clip_id = c.add_text("Fresh roast")
    add_variant(qtbot, creative, "1x1")
    c.select([clip_id])
    assert ins.variant_banner.isVisible() and ins.variant_title.text() == "Layout in 1:1"
    main_before = clip_by_id(creative, clip_id).transform
    square_before = variants.laid_out(saved(ctx, creative), "1x1", clip_id).transform

    ins.pos_x.setValue(30)
    ins.pos_x.setValue(31)  # typing on: the same step
    ins.opacity.setValue(60)
    comp = saved(ctx, creative)
    assert comp.find_clip(clip_id)[1].transform == main_before  # the main layout is untouched
    square = variants.laid_out(comp, "1x1", clip_id)
    assert square.transform.position.value[0] == pytest.approx(0.31)
    assert square.transform.opacity.value == pytest.approx(0.6)
    assert ins.layout_labels["position"].text() == "● Position" and ins.layout_labels["rotation"].text() == "Rotation"
    assert ins.reset_button.isEnabled()

    ins.wrap_width.setValue(50)
    ins.crop["left"].setValue(10)
    square = variants.laid_out(saved(ctx, creative), "1x1", clip_id)
    assert (square.wrap_width, square.transform.crop[0]) == (pytest.approx(0.5), pytest.approx(0.1))
    assert clip_by_id(creative, clip_id).wrap_width == 0.8 and clip_by_id(creative, clip_id).transform.crop == (0, 0, 0, 0)

    # timing edits apply to every variant
    ins.duration_edit.setText("00:00:01:00")
    ins.duration_edit.editingFinished.emit()
    assert clip_by_id(creative, clip_id).duration == 30
    assert variants.laid_out(saved(ctx, creative), "1x1", clip_id).duration == 30

    # Undo steps back through the edits: duration, crop, wrap width, opacity, then both position changes at once
    for gone in ("duration", "crop", "wrap", "opacity"):
        assert ctx.lib.undo.undo() is not None, gone
    undo_and_wait(qtbot, creative, ctx, lambda: variants.laid_out(c.composition, "1x1", clip_id).transform == square_before)

    # Reset to main layout drops the override, as one undoable step
    ins.pos_x.setValue(20)
    qtbot.mouseClick(ins.reset_button, Qt.LeftButton)
    assert clip_id not in variants.find_variant(saved(ctx, creative), "1x1").overrides
    assert not ins.reset_button.isEnabled() and ins.layout_labels["position"].text() == "Position"
    undo_and_wait(qtbot, creative, ctx, lambda: clip_id in variants.find_variant(c.composition, "1x1").overrides)

    # back on the main layout, the same fields edit the clip itself
    qtbot.mouseClick(creative.variant_bar.buttons["9x16"], Qt.LeftButton)
    assert not ins.variant_banner.isVisible()
    ins.pos_x.setValue(70)
    assert clip_by_id(creative, clip_id).transform.position.value[0] == pytest.approx(0.7)
    assert variants.laid_out(saved(ctx, creative), "1x1", clip_id).transform.position.value[0] == pytest.approx(0.2)


def test_fit_and_keyframes_in_a_variant(qtbot, creative, ctx, assets):
    new_comp(creative)
    c, ins = creative.controller, creative.inspector
    placed = c.add_assets([assets["still"].id], None, 0)
    add_variant(qtbot, creative, "1x1")
    c.select(placed)
    assert ins.fit.currentText() == "cover"
    ins.fit.setCurrentText("contain")
    assert clip_by_id(creative, placed[0]).fit == "cover"
    assert variants.laid_out(saved(ctx, creative), "1x1", placed[0]).fit == "contain"
    assert ins.layout_labels["fit"].text() == "● Fit"
    c.set_playhead(10)
    qtbot.mouseClick(ins.key_buttons["scale"], Qt.LeftButton)  # the diamond keys the variant's scale
    assert [k.frame for k in variants.laid_out(saved(ctx, creative), "1x1", placed[0]).transform.scale.keyframes] == [10]
    assert clip_by_id(creative, placed[0]).transform.scale.keyframes == []


def test_the_last_variant_shown_is_remembered_per_composition(qtbot, creative, ctx):
    first = new_comp(creative)
    add_variant(qtbot, creative, "1x1")
    second = new_comp(creative)
    assert creative.controller.variant is None and list(creative.variant_bar.buttons) == ["9x16"]
    creative.open_composition(first)
    assert creative.controller.variant == "1x1" and creative.variant_bar.buttons["1x1"].isChecked()
    assert creative.viewer.canvas.canvas_size == QSize(1080, 1080)
    creative.open_composition(second)
    assert creative.controller.variant is None

    from studio.ui.workspaces.creative.view import CreativeView

    again = CreativeView(ctx)  # the next session opens the first composition as it was left
    qtbot.addWidget(again)
    try:
        assert again.controller.composition_id == first
        assert again.controller.variant == "1x1"
    finally:
        again.viewer.shutdown()
