"""The clients ▸ brands ▸ campaigns navigator. Every edit goes through a core op (undoable);
the tree reloads from queries.client_tree when the bus says those tables changed. A rename is
checked against the row version read as its editor opened (then the names are reloaded, so the
editor starts from that version's name): a colleague's rename since is not overwritten, the main
window asks whose name to keep."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QMenu, QPushButton, QTreeView, QWidget

import json

from studio.core import queries
from studio.core.errors import ConflictError, StudioError
from studio.core.ops import assets as asset_ops
from studio.core.ops import organize
from studio.core.ops.tx import edited_from, row_versions
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.shell.parts import EmptyState, PanelHeader
from studio.ui.shell.theme import theme
from studio.ui.widgets.workspace_frame import stack_under

KIND_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole + 2
TABLES = {"client": "clients", "brand": "brands", "campaign": "campaigns"}
TREE_TABLES = set(TABLES.values())
ICONS = {"client": "mdi6.domain", "brand": "mdi6.star-four-points-outline", "campaign": "mdi6.bullhorn-outline"}
RENAME = {"client": organize.rename_client, "brand": organize.rename_brand, "campaign": organize.rename_campaign}


class CampaignTreeModel(QStandardItemModel):
    """Clients, their brands and the brands' campaigns. Renaming an item renames it in the library."""

    error = Signal(str)  # a message for the user when an op refused

    def __init__(self, lib, parent=None):
        super().__init__(parent)
        self._lib = lib
        self._snapshot = None
        self.seen: dict = {}  # the row version of the item being renamed (read_version)
        self.reload()

    def reload(self) -> bool:
        """Rebuild from the library; False (and nothing touched) when nothing changed."""
        tree = queries.client_tree(self._lib)
        if tree == self._snapshot:
            return False
        self._snapshot = tree
        self.clear()
        root = self.invisibleRootItem()
        for client in tree:
            c_item = self._item("client", client.id, client.name)
            for brand in client.brands:
                b_item = self._item("brand", brand.id, brand.name)
                for campaign in brand.campaigns:
                    b_item.appendRow(self._item("campaign", campaign.id, campaign.name))
                c_item.appendRow(b_item)
            root.appendRow(c_item)
        return True

    def read_version(self, kind: str, item_id: int) -> None:
        """As a rename editor opens, before the names are reloaded for it: its rename is checked against this."""
        self.seen = row_versions(self._lib, (TABLES[kind], item_id))

    def forget(self) -> None:
        self._snapshot = None

    def _item(self, kind: str, item_id: int, name: str) -> QStandardItem:
        item = QStandardItem(theme().icon(ICONS[kind]), name)
        item.setData(kind, KIND_ROLE)
        item.setData(item_id, ID_ROLE)
        item.setToolTip(f"{kind.title()} {name}")
        return item

    def find(self, kind: str, item_id: int) -> QModelIndex:
        hits = self.match(self.index(0, 0), ID_ROLE, item_id, -1, Qt.MatchExactly | Qt.MatchRecursive)
        return next((i for i in hits if i.data(KIND_ROLE) == kind), QModelIndex())

    # ---- assets dropped on a campaign move into it (undoable, like every op) -------------
    def flags(self, index: QModelIndex):
        flags = super().flags(index) & ~Qt.ItemIsDropEnabled & ~Qt.ItemIsDragEnabled
        return flags | Qt.ItemIsDropEnabled if index.data(KIND_ROLE) == "campaign" else flags

    def mimeTypes(self) -> list[str]:
        return [ASSET_IDS_MIME]

    def supportedDropActions(self):
        return Qt.MoveAction | Qt.CopyAction

    def canDropMimeData(self, data, action, row, column, parent: QModelIndex) -> bool:
        return data.hasFormat(ASSET_IDS_MIME) and parent.data(KIND_ROLE) == "campaign"

    def dropMimeData(self, data, action, row, column, parent: QModelIndex) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids = [int(i) for i in json.loads(bytes(data.data(ASSET_IDS_MIME)).decode())]
        try:
            asset_ops.move_to_campaign(self._lib, ids, parent.data(ID_ROLE))
        except StudioError as exc:
            self.error.emit(str(exc))
            return False
        return True

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if role != Qt.EditRole or not index.isValid():
            return super().setData(index, value, role)
        name = str(value).strip()
        if name == index.data(Qt.DisplayRole):
            return False
        try:
            with edited_from(self.seen):
                RENAME[index.data(KIND_ROLE)](self._lib, index.data(ID_ROLE), name)
        except ConflictError:  # the main window shows their name and asks which to keep
            return False
        except StudioError as exc:
            self.error.emit(str(exc))
            return False
        super().setData(index, name, role)
        self._snapshot = queries.client_tree(self._lib)  # already shown: the op's change event needs no rebuild
        return True


class RenameTree(QTreeView):
    """A tree view that lets before_rename(index) refresh what an item's rename editor will start from
    (and give the item's index after that) just before the editor opens."""

    def __init__(self, before_rename, parent=None):
        super().__init__(parent)
        self._before_rename = before_rename

    def edit(self, index, trigger=QAbstractItemView.AllEditTriggers, event=None) -> bool:
        # Qt calls this on every click and key press to ask whether an editor opens: only those that do count.
        opens = trigger == QAbstractItemView.AllEditTriggers or bool(trigger & self.editTriggers())
        if opens and index.isValid() and self.state() != QAbstractItemView.EditingState:
            index = self._before_rename(index)
        return super().edit(index, trigger, event)


class NavigatorPanel(QWidget):
    """The left panel: header with an Add menu, the tree, or an empty state when there are no clients."""

    campaign_selected = Signal(object)  # int | None

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.model = CampaignTreeModel(ctx.lib, self)
        self.model.error.connect(lambda text: ctx.notify(text, "warning"))

        self.tree = RenameTree(self._before_rename)
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setEditTriggers(QAbstractItemView.EditKeyPressed | QAbstractItemView.DoubleClicked)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)
        self.tree.setAccessibleName("Clients, brands and campaigns")
        self.tree.setDragDropMode(QAbstractItemView.DropOnly)  # drop assets on a campaign to move them
        self.tree.setDropIndicatorShown(True)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self._collapsed: set[tuple] = set()
        self._reload_after_edit = False
        self.tree.itemDelegate().closeEditor.connect(self._on_editor_closed)
        self.tree.collapsed.connect(lambda i: self._collapsed.add((i.data(KIND_ROLE), i.data(ID_ROLE))))
        self.tree.expanded.connect(lambda i: self._collapsed.discard((i.data(KIND_ROLE), i.data(ID_ROLE))))

        self.new_client_action = QAction("New Client", self, triggered=self.add_client)
        self.new_brand_action = QAction("New Brand", self, triggered=self.add_brand)
        self.new_campaign_action = QAction("New Campaign", self, triggered=self.add_campaign)
        self.rename_action = QAction("Rename", self, shortcut="F2", triggered=self.rename_current)
        self.rename_action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.addAction(self.rename_action)
        self.add_menu = QMenu(self)
        self.add_menu.addActions([self.new_client_action, self.new_brand_action, self.new_campaign_action])
        self.add_menu.aboutToShow.connect(self._update_actions)

        header = PanelHeader("Clients")
        self.add_button = header.add_button("mdi6.plus", "Add a client, brand or campaign")
        self.add_button.setMenu(self.add_menu)
        self.add_button.setPopupMode(self.add_button.ToolButtonPopupMode.InstantPopup)

        empty = EmptyState("mdi6.domain", "No clients yet", "Add a client, then its brands and campaigns, to keep the work organised.")
        first = QPushButton("New Client", clicked=self.add_client)
        first.setProperty("primary", True)
        empty.add_button(first)
        self.stack = stack_under(self, header, empty, self.tree)
        self._show_tree_or_empty()
        self.tree.expandAll()
        self._update_actions()
        ctx.bus.changed.connect(self._on_bus_changed)
        theme().changed.connect(self._on_theme_changed)

    def _on_theme_changed(self) -> None:
        self.model.forget()  # the icons are tinted for the old theme
        self.reload()

    # ---- selection -------------------------------------------------------------------------
    def current(self) -> tuple[str | None, int | None]:
        index = self.tree.currentIndex()
        return (index.data(KIND_ROLE), index.data(ID_ROLE)) if index.isValid() else (None, None)

    def select(self, kind: str, item_id: int) -> bool:
        index = self.model.find(kind, item_id)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
        return index.isValid()

    def select_first_campaign(self) -> bool:
        """Select the library's first campaign (in the tree's order), if it has one."""
        for index in self.model.match(self.model.index(0, 0), KIND_ROLE, "campaign", 1, Qt.MatchExactly | Qt.MatchRecursive):
            return self.select("campaign", index.data(ID_ROLE))
        return False

    def _owner(self, kind: str) -> int | None:
        """The id of the selected item's client ("client") or brand ("brand"), walking up."""
        index = self.tree.currentIndex()
        while index.isValid() and index.data(KIND_ROLE) != kind:
            index = index.parent()
        return index.data(ID_ROLE) if index.isValid() else None

    def _on_tree_current_changed(self, current: QModelIndex, _previous) -> None:
        self._update_actions()
        campaign = current.data(ID_ROLE) if current.isValid() and current.data(KIND_ROLE) == "campaign" else None
        self.ctx.set_campaign(campaign)
        self.campaign_selected.emit(campaign)

    def _update_actions(self) -> None:
        self.new_brand_action.setEnabled(self._owner("client") is not None)
        self.new_campaign_action.setEnabled(self._owner("brand") is not None)
        self.rename_action.setEnabled(self.tree.currentIndex().isValid())

    # ---- edits -----------------------------------------------------------------------------
    def add_client(self) -> None:
        names = {c.name for c in queries.client_tree(self.ctx.lib)}
        self._create("client", lambda: organize.create_client(self.ctx.lib, _unique("New client", names)))

    def add_brand(self) -> None:
        client_id = self._owner("client")
        if client_id is not None:
            self._create("brand", lambda: organize.create_brand(self.ctx.lib, client_id, "New brand"))

    def add_campaign(self) -> None:
        brand_id = self._owner("brand")
        if brand_id is not None:
            self._create("campaign", lambda: organize.create_campaign(self.ctx.lib, brand_id, "New campaign"))

    def _create(self, kind: str, op) -> None:
        """Run the create op, then select the new item and open its name for typing."""
        try:
            new_id = op().value
        except StudioError as exc:
            self.ctx.notify(str(exc), "warning")
            return
        self.reload()
        if self.select(kind, new_id):
            self.tree.edit(self.tree.currentIndex())

    def rename_current(self) -> None:
        if self.tree.currentIndex().isValid():
            self.tree.edit(self.tree.currentIndex())

    def _before_rename(self, index: QModelIndex) -> QModelIndex:
        """The row's version, then the names as stored now: the editor starts from the name that
        version has, so the rename cannot overwrite a colleague's that this tree had not shown yet."""
        kind, item_id = index.data(KIND_ROLE), index.data(ID_ROLE)
        self.model.read_version(kind, item_id)
        self.reload()
        return self.model.find(kind, item_id)

    # ---- refresh ---------------------------------------------------------------------------
    def _on_bus_changed(self, result) -> None:
        if TREE_TABLES & set(result.changes):
            if self.tree.state() == QAbstractItemView.EditingState:
                self._reload_after_edit = True  # rebuilding now would drop the user's typing
            else:
                self.reload()

    def _on_editor_closed(self, *_args) -> None:
        if self._reload_after_edit:
            self._reload_after_edit = False
            QTimer.singleShot(0, self, self.reload)  # after the view has let go of the editor

    def reload(self) -> None:
        kind, item_id = self.current()
        if not self.model.reload():
            return
        self._show_tree_or_empty()
        self._restore_expansion()
        if kind is None or not self.select(kind, item_id):
            self.tree.setCurrentIndex(QModelIndex())
            self._on_tree_current_changed(QModelIndex(), None)

    def _restore_expansion(self) -> None:
        """Everything open except what the user folded (so new items show)."""
        self.tree.expandAll()
        for kind, item_id in list(self._collapsed):
            index = self.model.find(kind, item_id)
            if index.isValid():
                self.tree.collapse(index)

    def _show_tree_or_empty(self) -> None:
        self.stack.setCurrentIndex(1 if self.model.rowCount() else 0)

    def _on_tree_context_menu(self, pos) -> None:
        index = self.tree.indexAt(pos)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        self._update_actions()
        menu = QMenu(self)
        menu.addActions([self.new_client_action, self.new_brand_action, self.new_campaign_action])
        if index.isValid():
            menu.addSeparator()
            menu.addAction(self.rename_action)
        menu.popup(self.tree.viewport().mapToGlobal(pos))


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"
