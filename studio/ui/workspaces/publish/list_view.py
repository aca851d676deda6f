"""The list: every post of the range (and the unscheduled ones) in a sortable table."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.theme import theme
from studio.ui.widgets.table_model import RowTableModel
from studio.ui.workspaces.publish.calendar_model import (
    STATUS_ICONS,
    STATUS_NAMES,
    platform_color,
    post_tooltip,
    shown_status,
)

COLUMNS = ("When", "Zone", "Channel", "Title", "Kind", "Status", "Warnings")
WHEN, ZONE, CHANNEL, TITLE, KIND, STATUS, WARNINGS = range(len(COLUMNS))
SORT_ROLE = Qt.UserRole + 1
ID_ROLE = Qt.UserRole


class PostTableModel(RowTableModel):
    columns = COLUMNS

    def cell(self, post, column: int, role: int):
        if role == ID_ROLE:
            return post.id
        if role == Qt.ToolTipRole:
            return post_tooltip(post)
        if role == SORT_ROLE:
            if column == WHEN:  # unscheduled posts last
                return post.local_time.isoformat() if post.local_time else datetime.max.isoformat()
            if column == WARNINGS:
                return len(post.warnings)
            return self._text(post, column).lower()
        if role == Qt.DisplayRole:
            return self._text(post, column)
        if role == Qt.DecorationRole and column == STATUS:
            return theme().icon(STATUS_ICONS.get(shown_status(post), "mdi6.pencil-outline"))
        if role == Qt.DecorationRole and column == CHANNEL:
            return platform_color(post.platform)
        if role == Qt.ForegroundRole and column == WARNINGS and post.warnings:
            return QColor(theme().colors.warning)
        return None

    def _text(self, post, column: int) -> str:
        if column == WHEN:
            return post.local_time.strftime("%a %d %b %Y %H:%M") if post.local_time else "Not scheduled"
        if column == ZONE:
            return post.timezone
        if column == CHANNEL:
            return f"{PLATFORM_NAMES.get(post.platform, post.platform)} · {post.channel_name}"
        if column == TITLE:
            return post.title
        if column == KIND:
            return "Ad" if post.kind == "ad" else "Post"
        if column == STATUS:
            return STATUS_NAMES.get(shown_status(post), shown_status(post))
        return "; ".join(w.message for w in post.warnings)


class PostListView(QTableView):
    post_activated = Signal(int)
    selection_changed = Signal(object)  # post id | None
    delete_pressed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model_ = PostTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model_)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(WHEN, Qt.AscendingOrder)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.Stretch)
        for column, width in ((WHEN, 180), (ZONE, 130), (CHANNEL, 200), (KIND, 50), (STATUS, 110), (WARNINGS, 200)):
            self.setColumnWidth(column, width)
        self.setAccessibleName("Post list")
        self.doubleClicked.connect(lambda index: self.post_activated.emit(index.data(ID_ROLE)))
        self.selectionModel().currentRowChanged.connect(lambda current, _prev: self.selection_changed.emit(current.data(ID_ROLE) if current.isValid() else None))

    def keyPressEvent(self, event) -> None:
        current = self.currentIndex()
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and current.isValid():
            self.post_activated.emit(current.data(ID_ROLE))
        elif event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and current.isValid():
            self.delete_pressed.emit()
        else:
            super().keyPressEvent(event)

    def set_posts(self, posts: list, selected: int | None) -> None:
        self.model_.set_rows(posts)
        self.select(selected)

    def ids_in_order(self) -> list[int]:
        return [self.proxy.index(row, 0).data(ID_ROLE) for row in range(self.proxy.rowCount())]

    def select(self, post_id: int | None) -> None:
        ids = self.ids_in_order()
        if post_id in ids:
            self.selectRow(ids.index(post_id))
        else:
            self.clearSelection()
