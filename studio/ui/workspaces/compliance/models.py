"""The findings table: one row per stored finding of the campaign, and the filter over it
(severity, platform, rule, what it concerns, and a search in the words)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSortFilterProxyModel, Qt

from studio.core.compliance.store import StoredFinding
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.export.findings import status_icon
from studio.ui.widgets.table_model import RowTableModel

COLUMNS = ("Severity", "Platform", "Rule", "Concerns", "Message", "Waived")
SEVERITY, PLATFORM, RULE, CONCERNS, MESSAGE, WAIVED = range(len(COLUMNS))
FindingRole = Qt.UserRole + 1  # the StoredFinding of a row
SortRole = Qt.UserRole + 2
ALL_PLATFORMS = "All platforms"  # a finding that is the same on every platform


@dataclass(frozen=True)
class Row:
    stored: StoredFinding
    concerns: str  # the target as a person reads it

    @property
    def platform(self) -> str:
        return self.stored.finding.platform or ALL_PLATFORMS

    def waived_text(self) -> str:
        w = self.stored.waiver
        return f"Waived by {w.name}: {w.reason}" if w else ""


class FindingsTableModel(RowTableModel):
    columns = COLUMNS
    rows: list[Row]

    def cell(self, row: Row, column: int, role: int):
        f = row.stored.finding
        if role == FindingRole:
            return row.stored
        if role == Qt.DisplayRole:
            platform = PLATFORM_NAMES.get(row.platform, row.platform)
            return (f.severity.capitalize(), platform, f.rule_id, row.concerns, f.message, row.waived_text())[column]
        if role == SortRole:
            return (f.severity != "error", row.platform, f.rule_id, row.concerns, f.message, row.waived_text())[column]
        if role == Qt.DecorationRole and column == SEVERITY:
            return status_icon("ok" if row.stored.waived else f.severity)
        if role == Qt.ToolTipRole and column in (CONCERNS, MESSAGE, WAIVED):
            return (row.concerns, f"{f.message}\n{f.hint}", row.waived_text() or None)[column - CONCERNS]
        return None


class FindingsFilter(QSortFilterProxyModel):
    """Rows that match every chosen filter; None (or "") lets everything through."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.severity: str | None = None  # "error", "warning" or "waived"
        self.platform: str | None = None
        self.rule: str | None = None
        self.target: str | None = None
        self.search = ""
        self.setSortRole(SortRole)

    def set_filter(self, **values) -> None:
        self.beginFilterChange()
        for name, value in values.items():
            setattr(self, name, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, _parent) -> bool:
        row: Row = self.sourceModel().rows[source_row]
        stored, f = row.stored, row.stored.finding
        if self.severity == "waived":
            if not stored.waived:
                return False
        elif self.severity and (f.severity != self.severity or stored.waived):
            return False
        if (self.platform and row.platform != self.platform) or (self.rule and f.rule_id != self.rule):
            return False
        if self.target and stored.target != self.target:
            return False
        words = self.search.strip().lower()
        return not words or words in f"{f.rule_id} {f.message} {f.hint} {f.excerpt} {row.concerns} {row.waived_text()}".lower()
