"""The Overview tab: KPI tiles over the charts. Which charts show, the splitter sizes and the chosen
metrics are remembered across restarts."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QMenu,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.ui.shell.theme import theme
from studio.ui.workspaces.analytics.charts import (
    CurvesChart,
    FunnelChart,
    ScatterChart,
    StackedChart,
    TimeSeriesChart,
)
from studio.ui.workspaces.analytics.tiles import KpiTiles

KEY = "analytics/layout/"


class OverviewTab(QWidget):
    options_changed = Signal()  # a chart's metric or split changed: its data must be read again

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tiles = KpiTiles()
        self.series = TimeSeriesChart()
        self.stacked = StackedChart()
        self.funnel = FunnelChart()
        self.scatter = ScatterChart()
        self.curves = CurvesChart()
        self.charts = [self.series, self.stacked, self.funnel, self.scatter, self.curves]
        self.rows = [QSplitter(Qt.Horizontal, childrenCollapsible=False) for _ in range(2)]
        self.rows[0].addWidget(self.stacked)
        self.rows[0].addWidget(self.funnel)
        self.rows[1].addWidget(self.scatter)
        self.rows[1].addWidget(self.curves)
        self.splitter = QSplitter(Qt.Vertical, childrenCollapsible=False)
        for widget in (self.series, *self.rows):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([340, 260, 260])
        for row in self.rows:
            row.setSizes([600, 400])
        self.charts_button = QToolButton(text="Charts", icon=theme().icon("mdi6.view-dashboard-edit-outline"),
                                         popupMode=QToolButton.InstantPopup, toolButtonStyle=Qt.ToolButtonTextBesideIcon,
                                         toolTip="Choose which charts the overview shows")
        menu = QMenu(self.charts_button)
        self.toggles = {}
        for chart in self.charts:
            action = menu.addAction(chart.title)
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(lambda on, c=chart: self.show_chart(c.key, on))
            self.toggles[chart.key] = action
        self.charts_button.setMenu(menu)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 6)
        column.setSpacing(4)
        column.addWidget(self.tiles)
        column.addWidget(self.splitter, 1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)  # a short window scrolls, charts keep their height
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.restore_layout()
        for splitter in (self.splitter, *self.rows):
            splitter.splitterMoved.connect(lambda *_: self.save_layout())
        for combo in self._combos().values():
            combo.currentIndexChanged.connect(self._on_option_changed)

    def show_chart(self, key: str, shown: bool) -> None:
        chart = next(c for c in self.charts if c.key == key)
        chart.setVisible(shown)
        self.toggles[key].setChecked(shown)
        for row in self.rows:  # a row with no chart left gives its room to the others
            row.setVisible(any(not c.isHidden() for c in (row.widget(0), row.widget(1))))
        self.save_layout()

    def _combos(self) -> dict:
        return {"series_metric": self.series.metric_box, "series_split": self.series.split_box,
                "stacked_metric": self.stacked.metric_box, "stacked_split": self.stacked.split_box}

    def _on_option_changed(self) -> None:
        self.save_layout()
        self.options_changed.emit()

    def save_layout(self) -> None:
        settings = QSettings()
        settings.setValue(KEY + "hidden", [c.key for c in self.charts if c.isHidden()] or "")
        settings.setValue(KEY + "splitter", self.splitter.saveState())
        for i, row in enumerate(self.rows):
            settings.setValue(KEY + f"row{i}", row.saveState())
        for name, combo in self._combos().items():
            settings.setValue(KEY + name, combo.currentData())

    def restore_layout(self) -> None:
        settings = QSettings()
        for name, combo in self._combos().items():
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(settings.value(KEY + name))))
            combo.blockSignals(False)
        for splitter, name in ((self.splitter, "splitter"), (self.rows[0], "row0"), (self.rows[1], "row1")):
            state = settings.value(KEY + name)
            if state is not None:
                splitter.restoreState(state)
        hidden = settings.value(KEY + "hidden") or []
        hidden = [hidden] if isinstance(hidden, str) else hidden
        for chart in self.charts:
            chart.setVisible(chart.key not in hidden)
            self.toggles[chart.key].blockSignals(True)
            self.toggles[chart.key].setChecked(chart.key not in hidden)
            self.toggles[chart.key].blockSignals(False)
        for row in self.rows:
            row.setVisible(any(not c.isHidden() for c in (row.widget(0), row.widget(1))))

    def hideEvent(self, event) -> None:
        self.save_layout()  # sizes set other than by dragging a handle
        super().hideEvent(event)
