"""Item models: the KPI breakdown (a DataFrame, sorted by pandas so missing values go last) and
the list of imports."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtGui import QColor

from studio.core.analytics.store import BatchInfo
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.theme import theme
from studio.ui.widgets.table_model import NO_PARENT, RowTableModel
from studio.ui.workspaces.analytics.metrics import (
    METRICS,
    change_text,
    fmt,
    label,
    verdict,
)

SHOWN = ("spend", "impressions", "clicks", "conversions", "conversion_value", "ctr", "cpc", "cpm", "cpa", "roas", "frequency")
DIMENSION_NAMES = {"platform": "Platform", "campaign": "Campaign", "day": "Day", "week": "Week"}


class BreakdownModel(QAbstractTableModel):
    """One row per group and currency: the dimension, the currency, the KPIs, and the change in spend
    and ROAS from the period before when it was compared."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame = pd.DataFrame()
        self.dimension = "platform"
        self.columns: list[str] = []

    def set_frame(self, frame: pd.DataFrame, dimension: str) -> None:
        self.beginResetModel()
        self.frame, self.dimension = frame.reset_index(drop=True), dimension
        changes = [f"{m}_change" for m in ("spend", "roas") if f"{m}_change" in frame.columns]
        self.columns = [dimension, "currency", *SHOWN, *changes]
        self.endResetModel()

    def rowCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal or role != Qt.DisplayRole:
            return None
        column = self.columns[section]
        if column.endswith("_change"):
            return f"{label(column[:-7])} Δ"
        return DIMENSION_NAMES.get(column) or (label(column) if column in METRICS else column.title())

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        value = self.frame.iat[index.row(), self.frame.columns.get_loc(column)]
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter) if index.column() > 1 else int(Qt.AlignLeft | Qt.AlignVCenter)
        if column.endswith("_change"):
            if role == Qt.DisplayRole:
                return change_text(None if pd.isna(value) else float(value))
            if role == Qt.ForegroundRole:
                return tone_colour(verdict(column[:-7], None if pd.isna(value) else float(value)))
            return None
        if role != Qt.DisplayRole:
            return None
        if column == "platform":
            return PLATFORM_NAMES.get(value, value)
        if column in METRICS:
            currency = self.frame.at[index.row(), "currency"]
            return fmt(column, None if pd.isna(value) else float(value), currency)
        return str(value)

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        if not self.columns or self.frame.empty:
            return
        self.layoutAboutToBeChanged.emit()
        self.frame = self.frame.sort_values(self.columns[column], ascending=order == Qt.AscendingOrder,
                                            na_position="last", kind="stable").reset_index(drop=True)
        self.layoutChanged.emit()


def tone_colour(tone: str) -> QColor:
    """good: green, bad: red, neutral: muted."""
    c = theme().colors
    return QColor({"good": c.success, "bad": c.danger}.get(tone, c.muted))


IMPORT_COLUMNS = ("File", "Source", "Imported", "Days", "Added", "Replaced", "Skipped", "Facts now")


class ImportsModel(RowTableModel):
    columns = IMPORT_COLUMNS

    @property
    def batches(self) -> list[BatchInfo]:
        return self.rows

    def set_batches(self, batches: list[BatchInfo]) -> None:
        self.set_rows(reversed(batches))  # newest first

    def cell(self, b: BatchInfo, column: int, role: int):
        if role == Qt.UserRole:
            return b
        if role == Qt.TextAlignmentRole and column >= 4:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role != Qt.DisplayRole:
            return None
        days = f"{b.date_from:%d %b %Y} – {b.date_to:%d %b %Y}" if b.date_from else "–"
        return (b.file_name, b.source, f"{b.imported_at:%Y-%m-%d %H:%M}", days, f"{b.rows_added:,}", f"{b.rows_replaced:,}",
                f"{b.rows_skipped:,}", f"{b.facts:,}")[column]
