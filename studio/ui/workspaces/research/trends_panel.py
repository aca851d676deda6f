"""The Trends tab: a Google Trends CSV (chosen or dropped) drawn as one line per term, each with
its momentum (rising, steady, falling) in the legend and explained in words under the chart.
Trends are not stored: the last file read is read again when the studio next opens."""

from __future__ import annotations

import html
from datetime import datetime, time
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput
from studio.core.research.trends import read_trends, trend_momentum
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme

FILE_KEY = "research/trends_file"
SERIES = ("#6E6AF6", "#3DD68C", "#F5B544", "#F0616D", "#4CC3F0", "#C77DF3", "#F28A4B", "#9BD45A")
ARROWS = {"rising": "↑", "steady": "→", "falling": "↓"}


def momentum_text(m) -> str:
    change = f" {m.change:+.0%}" if m.change is not None else ""
    return f"{m.term} · {ARROWS.get(m.label, '')} {m.label}{change}"


def timestamp(when) -> float:
    return (when if isinstance(when, datetime) else datetime.combine(when, time())).timestamp()


class TrendsTab(QWidget):
    loaded = Signal(object)  # the momentum list drawn, or the message shown instead

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        c = theme().colors
        choose = QPushButton(theme().icon("mdi6.file-import-outline"), "Import trends CSV…")
        choose.clicked.connect(lambda: self.choose_file())
        self.file_label = QLabel(objectName="Muted")
        self.message = QLabel(wordWrap=True, visible=False)
        self.message.setProperty("state", "bad")
        self.message.setContentsMargins(8, 0, 8, 6)
        top = QHBoxLayout()
        top.setContentsMargins(8, 8, 8, 4)
        top.addWidget(choose)
        top.addWidget(self.file_label, 1)

        self.plot = pg.PlotWidget(background=c.base, axisItems={"bottom": pg.DateAxisItem()})
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.12)
        item.setLabel("left", "Interest")
        for side in ("left", "bottom"):
            item.getAxis(side).setPen(pg.mkPen(c.border))
            item.getAxis(side).setTextPen(pg.mkPen(c.muted))
        panel = QColor(c.panel)
        panel.setAlpha(215)
        self.legend = item.addLegend(offset=(10, 10), labelTextColor=c.text, brush=pg.mkBrush(panel), pen=pg.mkPen(c.border))
        self.explanations = QLabel(wordWrap=True, textFormat=Qt.RichText)
        self.explanations.setContentsMargins(8, 4, 8, 8)
        chart = QWidget()
        chart_layout = QVBoxLayout(chart)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.plot, 1)
        chart_layout.addWidget(self.explanations)
        self.empty = EmptyState("mdi6.chart-timeline-variant", "No trends yet",
                                "Export interest over time from Google Trends as CSV and drop it here, or import it, "
                                "to see which terms are rising.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(chart)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)
        last = QSettings().value(FILE_KEY, "")
        if last and Path(last).is_file():
            self.load(last)

    def choose_file(self) -> None:
        start = QSettings().value(FILE_KEY, str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Import a Google Trends CSV", start, "CSV files (*.csv);;All files (*)")
        if path:
            self.load(path)

    def load(self, path: str) -> bool:
        """Read and draw the file (a small CSV: quick enough here); a bad one is said and the last chart stays."""
        try:
            series = read_trends(path)
            momentum = trend_momentum(series)
        except BadInput as exc:
            self.message.setText(str(exc))
            self.message.show()
            self.loaded.emit(str(exc))
            return False
        QSettings().setValue(FILE_KEY, str(path))
        self.message.hide()
        self.file_label.setText(Path(path).name)
        self.plot.clear()
        self.legend.clear()
        x = [timestamp(d) for d in series.dates]
        c = theme().colors
        rows = []
        for i, m in enumerate(momentum):
            colour = SERIES[i % len(SERIES)]
            self.plot.plot(x, series.values[m.term], pen=pg.mkPen(colour, width=2), name=momentum_text(m))
            tone = {"rising": c.success, "falling": c.danger}.get(m.label, c.muted)
            rows.append(f"<span style='color:{colour}'>●</span> <b style='color:{tone}'>{ARROWS.get(m.label, '')} "
                        f"{html.escape(m.label)}</b> {html.escape(m.explanation)}")
        self.explanations.setText("<br>".join(rows))
        self.stack.setCurrentIndex(1)
        self.loaded.emit(momentum)
        return True

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() and url.toLocalFile().lower().endswith(".csv") for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.load(paths[0])
