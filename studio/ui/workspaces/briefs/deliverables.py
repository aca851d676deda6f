"""The brief's deliverables: rows of a placement from the spec catalog, how many pieces, and notes.
Every change is saved at once through ops.briefs.set_deliverables (one undo step per burst)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.sections import MAX_DELIVERABLE_COUNT, Deliverable
from studio.core.specs.catalog import load_catalog
from studio.ui.shell.theme import theme

PLACEMENT, COUNT, NOTES = range(3)


class DeliverablesTable(QWidget):
    edited = Signal(list)  # the rows as dicts {spec_id, count, notes}

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._specs: list[tuple[str, str]] | None = None  # (id, label), read when first needed
        self.table = QTableWidget(0, 3, accessibleName="Deliverables")
        self.table.setHorizontalHeaderLabels(["Placement", "Pieces", "Notes"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PLACEMENT, QHeaderView.Interactive)
        header.setSectionResizeMode(NOTES, QHeaderView.Stretch)
        self.table.setColumnWidth(PLACEMENT, 260)
        self.table.setColumnWidth(COUNT, 70)
        self.add_button = QPushButton(theme().icon("mdi6.plus"), "Add placement")
        self.remove_button = QPushButton(theme().icon("mdi6.minus"), "Remove")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 6)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self._fit()

    def specs(self) -> list[tuple[str, str]]:
        if self._specs is None:
            catalog = load_catalog(self.ctx.lib)
            ordered = sorted(catalog.entries.values(), key=lambda s: (s.platform, s.name.lower()))
            self._specs = [(s.id, s.name) for s in ordered]
        return self._specs

    def rows(self) -> list[dict]:
        return [{"spec_id": self.table.cellWidget(r, PLACEMENT).currentData(), "count": self.table.cellWidget(r, COUNT).value(),
                 "notes": self.table.cellWidget(r, NOTES).text().strip()} for r in range(self.table.rowCount())]

    def show_rows(self, deliverables: list[Deliverable]) -> None:
        if [d.as_dict() for d in deliverables] == self.rows():
            return
        self.table.setRowCount(0)
        for d in deliverables:
            self._insert(d.spec_id, d.count, d.notes)
        self._fit()

    def add_row(self, spec_id: str | None = None) -> None:
        """A new row (the first placement of the catalog unless given), saved at once."""
        self._insert(spec_id or self.specs()[0][0], 1, "")
        self.table.selectRow(self.table.rowCount() - 1)
        self._fit()
        self.edited.emit(self.rows())

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._fit()
            self.edited.emit(self.rows())

    def _insert(self, spec_id: str, count: int, notes: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        placement = QComboBox(accessibleName="Placement")
        for sid, label in self.specs():
            placement.addItem(label, sid)
        if placement.findData(spec_id) < 0:  # gone from the catalog: shown as it is stored
            placement.addItem(f"{spec_id} (not in the catalog)", spec_id)
        placement.setCurrentIndex(placement.findData(spec_id))
        pieces = QSpinBox(minimum=1, maximum=MAX_DELIVERABLE_COUNT, value=count, accessibleName="Pieces")
        note = QLineEdit(notes, accessibleName="Notes", placeholderText="e.g. two cut-downs, product first")
        placement.currentIndexChanged.connect(lambda _i: self.edited.emit(self.rows()))
        pieces.valueChanged.connect(lambda _v: self.edited.emit(self.rows()))
        note.editingFinished.connect(lambda: self.edited.emit(self.rows()))
        for column, widget in ((PLACEMENT, placement), (COUNT, pieces), (NOTES, note)):
            self.table.setCellWidget(row, column, widget)

    def _fit(self) -> None:
        """As tall as its rows: the brief scrolls as one page."""
        rows = self.table.rowCount()
        height = self.table.horizontalHeader().height() + sum(self.table.rowHeight(r) for r in range(rows)) + 4
        self.table.setFixedHeight(max(height, self.table.horizontalHeader().height() + 30))
        self.remove_button.setEnabled(rows > 0)
