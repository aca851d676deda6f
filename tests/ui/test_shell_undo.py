"""Undo/redo through the Edit menu and the standard shortcuts, on ops made in the navigator."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from studio.core import queries
from studio.ui.shell.navigator import KIND_ROLE


def _names(window):
    model = window.navigator.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def _type_into_editor(qtbot, window, text):
    """Type into the inline editor the navigator opened, then Enter."""
    tree = window.navigator.tree
    qtbot.waitUntil(lambda: tree.indexWidget(tree.currentIndex()) is not None)
    editor = tree.indexWidget(tree.currentIndex())
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key_Return)


def _new_client(qtbot, window, name):
    window.navigator.new_client_action.trigger()
    _type_into_editor(qtbot, window, name)
    qtbot.waitUntil(lambda: name in _names(window))


def test_undo_redo_actions_and_shortcuts_reverse_navigator_ops(qtbot, window, lib):
    assert not window.undo_action.isEnabled()
    assert window.undo_action.shortcuts()[0] == QKeySequence(QKeySequence.Undo).keyBindings(QKeySequence.Undo)[0]

    _new_client(qtbot, window, "Acme")
    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Rename client to Acme")
    assert window.undo_action.isEnabled()
    assert [c.name for c in queries.client_tree(lib)] == ["Acme"]

    # Edit ▸ Undo (the menu's action) reverses the rename...
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert window.undo_action in edit_menu.actions()
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _names(window) == ["New client"])
    assert window.redo_action.text() == "Redo Rename client to Acme"

    # ...and Ctrl+Z the creation.
    window.navigator.tree.setFocus()
    qtbot.keyClick(window.navigator.tree, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: _names(window) == [])
    assert queries.client_tree(lib) == []
    assert window.navigator.stack.currentIndex() == 0  # the empty state again
    assert not window.undo_action.isEnabled()

    # Redo by shortcut, then by the menu action.
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: _names(window) == ["New client"])
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: _names(window) == ["Acme"])
    assert [c.name for c in queries.client_tree(lib)] == ["Acme"]
    assert not window.redo_action.isEnabled()


def test_window_modified_follows_the_undo_stack(qtbot, window, ctx):
    assert "[*]" in window.windowTitle()
    assert not window.isWindowModified()
    _new_client(qtbot, window, "Globex")
    qtbot.waitUntil(window.isWindowModified)
    window.undo()
    window.undo()
    qtbot.waitUntil(lambda: not window.isWindowModified())
    window.redo()
    qtbot.waitUntil(window.isWindowModified)


def test_navigator_adds_brand_and_campaign_and_exposes_the_campaign(qtbot, window, ctx, lib):
    _new_client(qtbot, window, "Acme")
    window.navigator.new_brand_action.trigger()
    _type_into_editor(qtbot, window, "Sparkle")
    qtbot.waitUntil(lambda: queries.client_tree(lib)[0].brands and queries.client_tree(lib)[0].brands[0].name == "Sparkle")
    assert window.navigator.new_campaign_action.isEnabled()
    with qtbot.waitSignal(ctx.bus.campaign_changed) as picked:
        window.navigator.new_campaign_action.trigger()
    _type_into_editor(qtbot, window, "Summer 2026")
    campaign = queries.client_tree(lib)[0].brands[0].campaigns[0]
    qtbot.waitUntil(lambda: campaign.name == "New campaign" and queries.client_tree(lib)[0].brands[0].campaigns[0].name == "Summer 2026")
    assert picked.args == [campaign.id]
    assert ctx.current_campaign_id == campaign.id
    assert window.navigator.tree.currentIndex().data(KIND_ROLE) == "campaign"

    # Selecting the brand clears the campaign filter.
    with qtbot.waitSignal(ctx.bus.campaign_changed) as cleared:
        window.navigator.select("brand", campaign.brand_id)
    assert cleared.args == [None]


def test_rename_to_an_empty_name_is_refused_with_a_message(qtbot, window, lib):
    _new_client(qtbot, window, "Acme")
    window.navigator.rename_current()
    _type_into_editor(qtbot, window, "   ")
    qtbot.waitUntil(lambda: any("needs a name" in text for _, text in window.toasts.history))
    assert [c.name for c in queries.client_tree(lib)] == ["Acme"]


def test_assets_dropped_on_a_campaign_move_into_it_undoably(qtbot, window, lib):
    import json

    from PySide6.QtCore import QMimeData

    from studio.core.ops import organize
    from studio.ui.context import ASSET_IDS_MIME

    client = organize.create_client(lib, "Acme").value
    brand = organize.create_brand(lib, client, "Sparkle").value
    campaign = organize.create_campaign(lib, brand, "Launch").value
    with lib.write("Add asset") as tx:
        asset = tx.insert("assets", sha256="ab" * 32, kind="image", name="shot.jpg", ext=".jpg", size_bytes=1, has_alpha=False)
    model = window.navigator.model
    qtbot.waitUntil(lambda: model.find("campaign", campaign).isValid())
    target, brand_index = model.find("campaign", campaign), model.find("brand", brand)
    mime = QMimeData()
    mime.setData(ASSET_IDS_MIME, json.dumps([asset]).encode())
    assert model.flags(target) & Qt.ItemIsDropEnabled and not model.flags(brand_index) & Qt.ItemIsDropEnabled
    assert not model.canDropMimeData(mime, Qt.MoveAction, -1, -1, brand_index)
    assert model.dropMimeData(mime, Qt.MoveAction, -1, -1, target)
    assert queries.get_asset(lib, asset).campaign_id == campaign
    window.undo_action.trigger()
    assert queries.get_asset(lib, asset).campaign_id is None
