"""Help ▸ Ad spec browser…: every placement's rules with their sources, searchable; a library
can override a shipped entry or add its own (checked as a whole before it is saved, undoable).
An entry saved over one a colleague changed since the browser read it is refused (ConflictError):
the JSON stays in the editor and the main window asks whose values to keep."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput, ConflictError, StudioError
from studio.core.ops.tx import edited_from
from studio.core.specs.catalog import (
    entry_versions,
    load_catalog,
    parse_entry,
    remove_entry,
    save_entry,
)
from studio.core.specs.model import Spec
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.export.spec_text import spec_html
from studio.ui.shell.theme import theme

ID_ROLE = Qt.UserRole
MARKS = {"library": "library", "library override": "override"}


class SpecEntryEditor(QDialog):
    """A spec entry as JSON; Save checks it whole and saves it in the library, or says what is wrong."""

    saved = Signal(str)  # the spec id

    def __init__(self, ctx, spec: Spec, seen: dict, parent=None):
        """seen: the versions of the library's entries when spec was read (entry_versions)."""
        super().__init__(parent)
        self.ctx, self.seen = ctx, seen
        self.setWindowTitle(f"Library entry for {spec.id}")
        self.editor = QPlainTextEdit(accessibleName="Spec entry JSON")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.editor.setPlainText(json.dumps(spec.model_dump(mode="json", exclude_unset=True), indent=2, ensure_ascii=False))
        self.error = QLabel(wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
        self.error.setProperty("state", "bad")
        hint = QLabel("Change the values this library should use. Keep the id to override the shipped entry, "
                      "or give a new id (platform.placement) to add a placement. Every value needs a source.",
                      objectName="Muted", wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.Save)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(640, 720)

    def save(self) -> Spec | None:
        try:
            spec = parse_entry(self.editor.toPlainText())
        except BadInput as exc:
            self.error.setText(str(exc))
            return None
        try:
            with edited_from(self.seen):
                save_entry(self.ctx.lib, spec)
        except ConflictError:  # the main window asks whose values to keep; the JSON stays here
            self.error.setText("Not saved: someone else changed this entry since you opened it; choose whose values to keep.")
            return None
        except StudioError as exc:
            self.error.setText(str(exc))
            return None
        self.saved.emit(spec.id)
        self.accept()
        return spec


class SpecBrowser(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.seen = entry_versions(ctx.lib)  # before the entries they version
        self.catalog = load_catalog(ctx.lib)
        self.editor: SpecEntryEditor | None = None
        self.setWindowTitle("Ad spec browser")
        self.search = QLineEdit(placeholderText="Search placements", clearButtonEnabled=True, accessibleName="Search placements")
        self.search.addAction(theme().icon("mdi6.magnify"), QLineEdit.LeadingPosition)
        self.search.textChanged.connect(self._apply_filter)
        self.tree = QTreeWidget(headerHidden=True, columnCount=2, accessibleName="Placements")
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, self.tree.header().ResizeMode.Stretch)
        self.tree.currentItemChanged.connect(self._on_tree_current_changed)
        self.details = QTextBrowser(openExternalLinks=True, accessibleName="Spec details")
        self.override_button = QPushButton("Override in library…", clicked=self.edit_entry)
        self.remove_button = QPushButton("Remove library entry", clicked=self.remove_library_entry)
        self.remove_button.setProperty("danger", True)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.tree, 1)
        split = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        split.addWidget(left)
        split.addWidget(self.details)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 700])
        buttons = QHBoxLayout()
        buttons.addWidget(self.override_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Close", clicked=self.close))
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(1040, 720)
        self._fill()
        ctx.bus.changed.connect(self._on_bus_changed)

    def _fill(self) -> None:
        current = self.current_spec_id()
        self.tree.clear()
        tops = {}
        for spec in self.catalog.entries.values():
            if spec.platform not in tops:
                tops[spec.platform] = QTreeWidgetItem(self.tree, [PLATFORM_NAMES[spec.platform]])
                tops[spec.platform].setFlags(Qt.ItemIsEnabled)
            item = QTreeWidgetItem(tops[spec.platform], [spec.name, MARKS.get(self.catalog.origins[spec.id], "")])
            item.setData(0, ID_ROLE, spec.id)
            item.setToolTip(0, spec.id)
            item.setForeground(1, QColor(theme().colors.accent))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(1)
        self._apply_filter(self.search.text())
        if not (current and self.select(current)):
            self.select(next(iter(self.catalog.entries)))

    def items(self) -> list[QTreeWidgetItem]:
        return [top.child(i) for top in (self.tree.topLevelItem(n) for n in range(self.tree.topLevelItemCount()))
                for i in range(top.childCount())]

    def current_spec_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item is not None else None

    def select(self, spec_id: str) -> bool:
        for item in self.items():
            if item.data(0, ID_ROLE) == spec_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def _apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        for n in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(n)
            for i in range(top.childCount()):
                child = top.child(i)
                spec = self.catalog.entries[child.data(0, ID_ROLE)]
                haystack = f"{spec.id} {spec.name} {PLATFORM_NAMES[spec.platform]} {spec.media}".casefold()
                child.setHidden(not all(w in haystack for w in words))
            top.setHidden(all(top.child(i).isHidden() for i in range(top.childCount())))

    def _on_tree_current_changed(self, current, _previous) -> None:
        spec_id = current.data(0, ID_ROLE) if current is not None else None
        if spec_id is None:
            self.details.clear()
            self.override_button.setEnabled(False)
            self.remove_button.setEnabled(False)
            return
        origin = self.catalog.origins[spec_id]
        self.details.setHtml(spec_html(self.catalog.entries[spec_id], origin, theme().colors))
        self.override_button.setEnabled(True)
        self.override_button.setText("Override in library…" if origin == "shipped" else "Edit library entry…")
        self.remove_button.setEnabled(origin != "shipped")

    def edit_entry(self) -> SpecEntryEditor | None:
        spec_id = self.current_spec_id()
        if spec_id is None:
            return None
        self.editor = SpecEntryEditor(self.ctx, self.catalog.entries[spec_id], self.seen, self)
        self.editor.saved.connect(self._reload)
        self.editor.open()
        return self.editor

    def remove_library_entry(self) -> None:
        spec_id = self.current_spec_id()
        if spec_id is not None:
            remove_entry(self.ctx.lib, spec_id)

    def _reload(self, select: str | None = None) -> None:
        self.seen = entry_versions(self.ctx.lib)
        self.catalog = load_catalog(self.ctx.lib)
        self._fill()
        if select:
            self.select(select)

    def _on_bus_changed(self, result) -> None:
        if "spec_entries" in result.changes:  # saved, removed, undone or redone
            self._reload()
