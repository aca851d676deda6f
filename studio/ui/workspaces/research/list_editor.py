"""An editable list of short entries for the brand profile (fonts, voice attributes, key messages,
audiences; competitors with two columns, name and website): type in the box under it and press
Enter to add, double-click an entry to change it, Delete or − to remove the chosen ones.
Every change emits edited(rows) with the whole list, which the profile saves as one op."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.ui.shell.theme import theme

MAX_ROWS_SHOWN = 8  # a longer list scrolls inside itself


class ListEditor(QWidget):
    edited = Signal(list)  # [(text, ...), ...]: one tuple per entry, one text per column

    def __init__(self, name: str, placeholders: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.name = name
        self.table = QTableWidget(0, len(placeholders), accessibleName=name)
        self.table.horizontalHeader().hide()
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.itemChanged.connect(lambda _item: self._emit())
        QShortcut(QKeySequence.Delete, self.table, self.remove_selected, context=Qt.WidgetShortcut)

        self.inputs = [QLineEdit(placeholderText=p, accessibleName=f"Add to {name}: {p}") for p in placeholders]
        for box in self.inputs:
            box.returnPressed.connect(self.add)
        add = QToolButton(icon=theme().icon("mdi6.plus"), toolTip=f"Add to {name.lower()} (Enter)", accessibleName=f"Add to {name}")
        add.clicked.connect(self.add)
        self.remove_button = QToolButton(icon=theme().icon("mdi6.minus"), toolTip="Remove the chosen entries (Delete)",
                                         accessibleName=f"Remove from {name}", enabled=False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemSelectionChanged.connect(lambda: self.remove_button.setEnabled(bool(self.table.selectedItems())))

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for box in self.inputs:
            row.addWidget(box, 1)
        row.addWidget(add)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self._fit()

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple((self.table.item(r, c).text() if self.table.item(r, c) else "").strip()
                      for c in range(self.table.columnCount())) for r in range(self.table.rowCount())]

    def set_rows(self, rows) -> None:
        """Show these entries (the stored ones) without emitting edited."""
        rows = [tuple(r) for r in rows]
        if rows == self.rows():
            return
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, text in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(text or ""))
        self.table.blockSignals(False)
        self._fit()

    def add(self) -> None:
        values = tuple(box.text().strip() for box in self.inputs)
        if not values[0]:  # the first column (the text, or a competitor's name) is what an entry needs
            self.inputs[0].setFocus()
            return
        self.table.blockSignals(True)
        row = self.table.rowCount()
        self.table.insertRow(row)
        for c, text in enumerate(values):
            self.table.setItem(row, c, QTableWidgetItem(text))
        self.table.blockSignals(False)
        for box in self.inputs:
            box.clear()
        self.inputs[0].setFocus()
        self._fit()
        self._emit()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows:
            return
        self.table.blockSignals(True)
        for row in rows:
            self.table.removeRow(row)
        self.table.blockSignals(False)
        self._fit()
        self._emit()

    def _emit(self) -> None:
        self.edited.emit([r for r in self.rows() if r[0]])

    def _fit(self) -> None:
        """As tall as its entries (up to MAX_ROWS_SHOWN), so the profile scrolls as one page."""
        shown = min(self.table.rowCount(), MAX_ROWS_SHOWN)
        self.table.setVisible(shown > 0)
        self.table.setFixedHeight(shown * self.table.verticalHeader().defaultSectionSize() + 2)
