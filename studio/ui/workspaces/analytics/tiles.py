"""KPI tiles: each metric's value for the period and its change from the period before, green when
the change is good news for that metric (CPA down, ROAS up) and red when it is not."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from studio.ui.workspaces.analytics.metrics import (
    METRICS,
    change_text,
    fmt,
    label,
    verdict,
)
from studio.ui.workspaces.analytics.models import tone_colour


class KpiTile(QWidget):
    def __init__(self, metric: str, parent=None):
        super().__init__(parent, objectName="Card")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.kpi = metric
        self.value: float | None = None
        self.change: float | None = None
        self.title = QLabel(label(metric).upper(), objectName="PanelTitle")
        self.number = QLabel("–")
        self.number.setStyleSheet("font-size: 16px; font-weight: 600;")
        self.delta = QLabel(" ")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(9, 5, 9, 5)
        layout.setSpacing(1)
        for widget in (self.title, self.number, self.delta):
            layout.addWidget(widget)

    def show_value(self, value: float, previous: float | None, currency: str | None) -> None:
        self.value = value if math.isfinite(value) else None
        self.change = None
        if previous is not None and self.value is not None and math.isfinite(previous) and previous != 0:
            self.change = (value - previous) / previous
        self.number.setText(fmt(self.kpi, self.value, currency, short=True))
        tone = verdict(self.kpi, self.change)
        self.delta.setText(change_text(self.change) or ("no earlier data" if previous is not None else " "))
        self.delta.setStyleSheet(f"color: {tone_colour(tone).name()};")
        self.setToolTip(f"{label(self.kpi)}: {fmt(self.kpi, self.value, currency)}"
                        + (f", previous period {fmt(self.kpi, previous, currency)}" if previous is not None else ""))


class KpiTiles(QWidget):
    """The tiles in one row when there is room, else in two even rows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(10, 4, 10, 4)
        self.grid.setSpacing(6)
        self.tiles = {m: KpiTile(m) for m in METRICS}
        self.columns = 0
        self._place(len(self.tiles))

    def _place(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for i, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, i // columns, i % columns)  # adding again moves it
        for column in range(len(self.tiles)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        one_row = sum(t.minimumSizeHint().width() for t in self.tiles.values()) + self.grid.spacing() * len(self.tiles) + 20
        self._place(len(self.tiles) if event.size().width() >= one_row else (len(self.tiles) + 1) // 2)

    def show_totals(self, current: dict, previous: dict | None, currency: str | None) -> None:
        for metric, tile in self.tiles.items():
            tile.show_value(current.get(metric, float("nan")), previous.get(metric) if previous else None, currency)
