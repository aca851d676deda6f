"""The Breakdown tab (KPIs by platform, campaign, day or week in a sortable table) and the Imports
tab (every imported report, with Remove import)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics.store import BatchInfo
from studio.ui.shell.theme import theme
from studio.ui.workspaces.analytics.models import (
    DIMENSION_NAMES,
    BreakdownModel,
    ImportsModel,
)


def _table(model) -> QTableView:
    table = QTableView(alternatingRowColors=True, wordWrap=False)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    return table


class BreakdownTab(QWidget):
    dimension_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.by = QComboBox(accessibleName="Group by")
        for key, text in DIMENSION_NAMES.items():
            self.by.addItem(text, key)
        self.by.currentIndexChanged.connect(lambda _i: self.dimension_changed.emit())
        self.model = BreakdownModel(self)
        self.table = _table(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(2, Qt.DescendingOrder)  # biggest spend first
        row = QHBoxLayout()
        row.setContentsMargins(10, 6, 10, 0)
        row.addWidget(QLabel("Group by"))
        row.addWidget(self.by)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def show_frame(self, frame) -> None:
        self.model.set_frame(frame, self.by.currentData())
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(max(self.table.columnWidth(0), 120), 320))


class ImportsTab(QWidget):
    remove_requested = Signal(object)  # BatchInfo
    import_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = ImportsModel(self)
        self.table = _table(self.model)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.import_button = QPushButton(theme().icon("mdi6.file-import-outline"), "Import reports…")
        self.import_button.clicked.connect(self.import_requested.emit)
        self.remove_button = QPushButton(theme().icon("mdi6.delete-outline"), "Remove import", enabled=False)
        self.remove_button.setToolTip("Take the selected import's facts back out of the library")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.remove_button.setEnabled(self.selected() is not None))
        row = QHBoxLayout()
        row.setContentsMargins(10, 6, 10, 0)
        row.addWidget(self.import_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def show_batches(self, batches: list[BatchInfo]) -> None:
        self.model.set_batches(batches)
        self.table.resizeColumnsToContents()
        self.remove_button.setEnabled(self.selected() is not None)

    def select(self, batch_id: int) -> None:
        for row, batch in enumerate(self.model.batches):
            if batch.id == batch_id:
                self.table.selectRow(row)

    def selected(self) -> BatchInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(Qt.UserRole) if rows else None

    def _on_remove_clicked(self) -> None:
        batch = self.selected()
        if batch is not None:
            self.remove_requested.emit(batch)
