"""The workspace sidebar and its shortcuts, remembered window state, help dialogs."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel

from studio.core.ops import organize
from studio.ui.shell.registry import WorkspaceSpec


class NotesView(QLabel):
    """A tiny real view for the tests' own workspaces."""

    def __init__(self, ctx, text):
        super().__init__(text)
        self.ctx = ctx


def specs():
    return [
        WorkspaceSpec("media", "Media", "mdi6.image-multiple", lambda ctx: NotesView(ctx, "media view"), order=10),
        WorkspaceSpec("briefs", "Briefs", "mdi6.file-document-outline", lambda ctx: NotesView(ctx, "briefs view"), order=20),
    ]


def test_sidebar_and_ctrl_number_switch_workspaces(qtbot, make_window):
    window = make_window(specs())
    assert list(window.sidebar.buttons) == ["media", "briefs"]
    assert window.current_workspace == "media"
    assert window.stack.currentWidget().text() == "media view"

    qtbot.mouseClick(window.sidebar.buttons["briefs"], Qt.LeftButton)
    assert window.current_workspace == "briefs"
    assert window.stack.currentWidget().text() == "briefs view"
    assert window.sidebar.buttons["briefs"].isChecked() and not window.sidebar.buttons["media"].isChecked()

    qtbot.keyClick(window, Qt.Key_1, Qt.ControlModifier)
    assert window.current_workspace == "media"
    assert window.sidebar.buttons["media"].isChecked()
    qtbot.keyClick(window, Qt.Key_2, Qt.ControlModifier)
    assert window.stack.currentWidget().text() == "briefs view"


def test_no_workspaces_shows_a_friendly_empty_state(window):
    assert window.sidebar.buttons == {}
    assert window.stack.currentWidget() is window.empty_workspaces
    assert window.empty_workspaces.title_label.text() == "No workspaces installed"


def test_unknown_initial_workspace_falls_back_with_a_message(qtbot, make_window):
    window = make_window(specs(), initial_workspace="calendar")
    assert window.current_workspace == "media"
    qtbot.waitUntil(lambda: any("calendar" in text for _, text in window.toasts.history))


def test_window_state_round_trips(qtbot, make_window, ctx, lib):
    client = organize.create_client(lib, "Acme").value
    brand = organize.create_brand(lib, client, "Sparkle").value
    campaign = organize.create_campaign(lib, brand, "Summer").value
    window = make_window(specs())
    window.navigator.reload()
    window.resize(760, 560)  # within the offscreen screen (800x600)
    window.show_workspace("briefs")
    window.navigator.select("campaign", campaign)
    window.jobs_dock.show()
    qtbot.waitUntil(lambda: window.jobs_dock.width() > 100)
    QApplication.processEvents()
    window.splitter.setSizes([200, 250])
    sizes = window.splitter.sizes()
    window.close()
    assert QSettings().value("workspace/last") == "briefs"

    ctx.set_campaign(None)
    again = make_window(specs())
    assert again.current_workspace == "briefs"
    assert ctx.current_campaign_id == campaign
    assert again.navigator.current() == ("campaign", campaign)

    qtbot.waitUntil(lambda: again.splitter.sizes() == sizes)
    assert (again.width(), again.height()) == (760, 560)
    assert again.jobs_dock.isVisible()


def test_shortcut_cheat_sheet_lists_the_window_shortcuts(qtbot, make_window):
    window = make_window(specs())
    dialog = window.show_shortcuts()
    rows = {(dialog.table.item(r, 1).text(), dialog.table.item(r, 2).text()) for r in range(dialog.table.rowCount())}
    assert any(action == "Undo" and keys.startswith("Ctrl+Z") for action, keys in rows)
    assert ("Settings", "Ctrl+,") in rows
    assert ("Media", "Ctrl+1") in rows and ("Briefs", "Ctrl+2") in rows
    assert ("Keyboard Shortcuts", "Ctrl+/") in rows
