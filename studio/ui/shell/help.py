"""Help ▸ Keyboard Shortcuts (built from the window's own actions, so it never goes stale)
and Help ▸ About."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QMessageBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(group, action, keys) for every action of the window that has a shortcut."""
    rows = []
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.NativeText) for k in action.shortcuts() if not k.isEmpty()][:2]  # the usual ones
        if keys and action.text():
            group = action.property("group") or "General"
            rows.append((group, action.text().replace("&", "").rstrip("…").strip(), ", ".join(dict.fromkeys(keys))))
    return sorted(set(rows))


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(520, 560)
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Area", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.NoSelection)
        self.table.setShowGrid(False)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(QDialogButtonBox(QDialogButtonBox.Close, rejected=self.reject))


def version() -> str:
    try:
        return metadata.version("conext-studio")
    except metadata.PackageNotFoundError:
        return "development"


def show_about(parent: QWidget, library_root) -> None:
    QMessageBox.about(
        parent,
        "About Conext Studio",
        f"<h3>Conext Studio {version()}</h3>"
        "<p>Research, briefs, creative editing, compliance, publishing and analytics for ad agencies, "
        "on one workstation.</p>"
        f"<p>Library: {library_root}</p>",
    )
