"""Saved placements: the library's Kata recipes. Double-click or Enter reopens one, Delete
removes it (Edit ▸ Undo brings it back), F2 renames it, and a drag carries its id onto the
Creative timeline (KATA_RECIPE_MIME, the id as ASCII text). A rename names the recipe's row version
the list showed: if a colleague saved the recipe since, the window asks whose to keep."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import ConflictError, StudioError
from studio.core.ops import kata as kata_ops
from studio.core.ops.tx import edited_from, row_versions
from studio.ui.context import KATA_RECIPE_MIME
from studio.ui.shell.parts import PanelHeader
from studio.ui.shell.theme import theme
from studio.ui.widgets.latest_only import LatestOnly

EMPTY_HINT = "Placements you make are kept here"


class RecipeListWidget(QListWidget):
    """Drags carry the recipe id under KATA_RECIPE_MIME."""

    def mimeTypes(self) -> list[str]:
        return [KATA_RECIPE_MIME]

    def mimeData(self, items) -> QMimeData:
        mime = QMimeData()
        if items:
            mime.setData(KATA_RECIPE_MIME, str(items[0].data(Qt.UserRole)).encode("ascii"))
            mime.setText(items[0].text())
        return mime


class RecipeList(QWidget):
    recipe_chosen = Signal(int)  # open this recipe

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.seen: dict = {}  # the recipes' row versions as the list shows them (row_versions)
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.list = RecipeListWidget()
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QAbstractItemView.DragOnly)
        self.list.setEditTriggers(QAbstractItemView.EditKeyPressed)  # F2; a double-click opens
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # long names are elided, in full in the tooltip
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.setToolTip("Double-click (or Enter) to reopen a placement · F2 renames · Delete removes · "
                             "drag one onto the Creative timeline")
        self.list.itemActivated.connect(lambda item: item.data(Qt.UserRole) and self.recipe_chosen.emit(item.data(Qt.UserRole)))
        self.list.itemChanged.connect(self._on_item_renamed)
        delete = QShortcut(QKeySequence.Delete, self.list, self.delete_selected, context=Qt.WidgetShortcut)
        QShortcut(QKeySequence(Qt.Key_Backspace), self.list, delete.activated.emit, context=Qt.WidgetShortcut)
        header = PanelHeader("Saved placements")
        header.add_button("mdi6.delete-outline", "Delete the selected placement (Delete)", self.delete_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.list, 1)
        self._loader = LatestOnly(self)
        self._loader.finished.connect(self._on_loaded)
        ctx.bus.changed.connect(lambda result: "kata_recipes" in result.changes and self.refresh())
        self.refresh()

    def refresh(self) -> None:
        lib = self.ctx.lib
        self._loader.submit(lambda: _versions_and_recipes(lib))

    def ids(self) -> list[int]:
        return [self.list.item(i).data(Qt.UserRole) for i in range(self.list.count()) if self.list.item(i).data(Qt.UserRole)]

    def select(self, recipe_id: int | None) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.UserRole) == recipe_id:
                return self.list.setCurrentRow(i)
        self.list.clearSelection()

    def _on_loaded(self, loaded: tuple[dict, list]) -> None:
        self.seen, recipes = loaded
        current = self.list.currentItem().data(Qt.UserRole) if self.list.currentItem() else None
        self.list.blockSignals(True)  # filling the list is not a rename
        self.list.clear()
        icon = theme().icon("mdi6.image-filter-center-focus-weak")
        for info in recipes:
            item = QListWidgetItem(icon, info.name)
            item.setData(Qt.UserRole, info.id)
            item.setToolTip(info.name)
            item.setFlags(item.flags() | Qt.ItemIsEditable | Qt.ItemIsDragEnabled)
            self.list.addItem(item)
        if not recipes:
            hint = QListWidgetItem(EMPTY_HINT)
            hint.setFlags(Qt.NoItemFlags)
            self.list.addItem(hint)
        self.list.blockSignals(False)
        self.select(current)

    def delete_selected(self) -> None:
        item = self.list.currentItem()
        if item is None or not item.data(Qt.UserRole):
            return
        try:
            kata_ops.delete_recipe(self.ctx.lib, item.data(Qt.UserRole))
        except StudioError as exc:
            return self.ctx.notify(str(exc), "warning")
        self.ctx.notify(f"Deleted the placement “{item.text()}”. Edit ▸ Undo brings it back.")

    def _on_item_renamed(self, item: QListWidgetItem) -> None:
        recipe_id, name = item.data(Qt.UserRole), item.text().strip()
        if not name:
            self.ctx.notify("A placement needs a name: type one, or press Esc to keep the old one.", "warning")
            return self.refresh()
        try:
            recipe = kata_ops.load_recipe(self.ctx.lib, recipe_id)
            if name != recipe.name:
                with edited_from(self.seen):
                    kata_ops.save_recipe(self.ctx.lib, recipe_id, recipe.model_copy(update={"name": name}), "Rename Kata recipe")
        except ConflictError:  # the window asks whose name to keep; the list shows it once stored
            pass
        except StudioError as exc:
            self.ctx.notify(str(exc), "warning")
            self.refresh()


def _versions_and_recipes(lib) -> tuple[dict, list]:
    """The recipes with their row versions, read first: a save slipping in between makes a
    needless question on rename, never a lost change (off the GUI thread)."""
    ids = [info.id for info in kata_ops.list_recipes(lib)]
    return row_versions(lib, *(("kata_recipes", i) for i in ids)), kata_ops.list_recipes(lib)
