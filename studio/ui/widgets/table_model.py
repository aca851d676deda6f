"""A flat table over a list of rows, one object a row, under fixed column headers: the row, column
and header plumbing once. A subclass names its `columns` and says in `cell()` what a cell gives
for each role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

NO_PARENT = QModelIndex()


class RowTableModel(QAbstractTableModel):
    columns: tuple[str, ...] = ()  # the headers, left to right

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: Iterable) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.columns[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        return self.cell(self.rows[index.row()], index.column(), role)

    def cell(self, row, column: int, role: int) -> Any:
        """What the cell of `row` in `column` gives for `role`; None for nothing."""
        raise NotImplementedError(f"{type(self).__name__} must say what its cells show: define cell()")
