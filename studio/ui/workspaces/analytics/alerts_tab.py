"""The Alerts & forecast tab: the period's anomalies in a table (filter by severity and metric);
choosing one draws that campaign's metric with its usual range shaded and the flagged day marked.
Beside it, the next 14 or 30 days of spend or conversions, for the total or per platform, with the
forecast's interval. Both are computed as jobs (a newer request cancels the older one) whenever the
filters or the library's facts change, and only while the tab is shown."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pyqtgraph as pg
import qtawesome as qta
from PySide6.QtCore import (
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics import store
from studio.core.analytics.anomalies import LABELS, METRICS, Anomaly, fmt
from studio.core.analytics.kpis import data_range
from studio.core.jobs import Job
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.table_model import RowTableModel
from studio.ui.workspaces.analytics.alerts_data import (
    HISTORY_DAYS,
    Alerts,
    AlertsParams,
    ForecastParams,
    Outlook,
    find_alerts,
    run_forecast,
    series_key,
)
from studio.ui.workspaces.analytics.chart_base import (
    ChartPanel,
    daily_with_options,
    date_axis,
    option_combo,
    series_color,
)

SEVERITY = {"high": ("High", "mdi6.alert-octagon", "danger"), "medium": ("Medium", "mdi6.alert", "warning")}
COLUMNS = ("Severity", "Day", "Campaign", "Metric", "Alert")


def _seconds(days) -> np.ndarray:
    """Dates as seconds since the epoch, for a DateAxisItem."""
    return pd.to_datetime(pd.Series(days)).to_numpy().astype("datetime64[s]").astype(np.int64).astype(float)


def _band(x, low, high, colour: QColor, alpha: int) -> pg.FillBetweenItem:
    """A shaded range between two invisible edges."""
    fill = QColor(colour)
    fill.setAlpha(alpha)
    edges = [pg.PlotDataItem(x, y, pen=pg.mkPen(None)) for y in (low, high)]
    return pg.FillBetweenItem(*edges, brush=pg.mkBrush(fill))


def where(a: Anomaly) -> str:
    platform = PLATFORM_NAMES.get(a.platform, a.platform)
    return f"{a.campaign} · {platform}" if a.campaign is not None else f"All campaigns · {platform}"


# ---- the alerts table --------------------------------------------------------------------------
class AlertsModel(RowTableModel):
    columns = COLUMNS

    def __init__(self, parent=None):
        super().__init__(parent)
        colours = theme().colors
        self.icons = {key: qta.icon(icon, color=getattr(colours, colour)) for key, (_, icon, colour) in SEVERITY.items()}

    @property
    def anomalies(self) -> list[Anomaly]:
        return self.rows

    def cell(self, a: Anomaly, column: int, role: int):
        if role == Qt.UserRole:
            return a
        if role == Qt.DisplayRole:
            return (SEVERITY[a.severity][0], f"{a.day:%a} {a.day.day} {a.day:%b %Y}", where(a),
                    f"{LABELS[a.metric]} {'▲' if a.direction == 'up' else '▼'}", a.sentence)[column]
        if role == Qt.DecorationRole and column == 0:
            return self.icons[a.severity]
        if role == Qt.ForegroundRole and column == 0:
            return QColor(getattr(theme().colors, SEVERITY[a.severity][2]))
        if role == Qt.ToolTipRole:
            return a.sentence
        if role == Qt.InitialSortOrderRole:
            return Qt.DescendingOrder
        if role == Qt.UserRole + 1:  # sort key
            return ((a.severity == "high", a.score), a.day.toordinal(), where(a), LABELS[a.metric], a.sentence)[column]
        return None


class AlertsFilter(QSortFilterProxyModel):
    """Only the chosen severity and metric (None: all)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.severity: str | None = None
        self.metric: str | None = None
        self.setSortRole(Qt.UserRole + 1)

    def set_filter(self, severity: str | None, metric: str | None) -> None:
        self.beginFilterChange()
        self.severity, self.metric = severity, metric
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent) -> bool:
        a = self.sourceModel().anomalies[row]
        return self.severity in (None, a.severity) and self.metric in (None, a.metric)


# ---- the charts ----------------------------------------------------------------------------------
class AlertChart(ChartPanel):
    """One alert's series: its metric per day, the usual range shaded over the days it was learnt
    from (a step: the level before it), the usual value dashed, and the flagged day marked."""

    def __init__(self, parent=None):
        super().__init__("alert", "Alert detail", parent)
        self.finish_header()
        date_axis(self)
        self.plot.getPlotItem().setMouseEnabled(x=True, y=False)
        self.anomaly: Anomaly | None = None
        self.line = self.band = self.marker = self.dot = None
        self.say("Choose an alert to see its days against the usual range.")

    def clear(self, note: str) -> None:
        self.plot.getPlotItem().clear()
        self.anomaly = None
        self.line = self.band = self.marker = self.dot = None
        self.say(note)

    def show_alert(self, a: Anomaly, days: pd.DataFrame | None) -> None:
        self.clear("")
        self.anomaly = a
        c = theme().colors
        item = self.plot.getPlotItem()
        flagged = _seconds([a.day])[0]
        learnt = _seconds([a.day - timedelta(days=HISTORY_DAYS if a.kind == "point" else 28), a.day])
        colour = QColor(c.danger if a.severity == "high" else c.warning)
        self.band = _band(learnt, [a.band[0]] * 2, [a.band[1]] * 2, QColor(c.success), 45)
        item.addItem(self.band)
        item.addItem(pg.PlotDataItem(learnt, [a.expected] * 2, pen=pg.mkPen(c.success, width=1, style=Qt.DashLine)))
        if days is not None and len(days):
            x, y = _seconds(days["day"]), days[a.metric].to_numpy(float)
            self.line = pg.PlotDataItem(x, y, pen=pg.mkPen(c.accent, width=1.6), connect="finite")
            item.addItem(self.line)
            if a.kind == "point":  # the same weekdays the band was learnt from, ringed
                same = ((x >= learnt[0]) & (x < flagged) & (((flagged - x) / 86400) % 7 == 0)).nonzero()[0]
                item.addItem(pg.ScatterPlotItem(x[same], y[same], size=7, brush=pg.mkBrush(None), pen=pg.mkPen(c.success)))
        self.marker = pg.InfiniteLine(flagged, angle=90, movable=False, pen=pg.mkPen(colour, style=Qt.DashLine))
        item.addItem(self.marker)
        self.dot = pg.ScatterPlotItem([flagged], [a.value], size=11, brush=pg.mkBrush(colour), pen=pg.mkPen(c.base))
        item.addItem(self.dot)
        item.setTitle(f"{LABELS[a.metric]} · {where(a)}", color=c.text, size="9pt")
        item.enableAutoRange()
        usual = f"the usual {a.day:%A} (ringed: the {a.day:%A}s it was learnt from)" if a.kind == "point" \
            else "the range of the four weeks before"
        self.say(f"Shaded: {usual}, {fmt(a.metric, a.band[0], a.currency)}–{fmt(a.metric, a.band[1], a.currency)}; "
                 f"the dot: {fmt(a.metric, a.value, a.currency)} on {a.day:%d %b}.")


class ForecastChart(ChartPanel):
    """History, then the forecast dashed with its interval shaded, for the total or per platform."""

    options_changed = Signal()

    def __init__(self, parent=None):
        super().__init__("forecast", "Forecast", parent)
        self.metric_box = option_combo("Forecast metric", [("Spend", "spend"), ("Conversions", "conversions")])
        self.horizon_box = option_combo("Forecast horizon", [("Next 14 days", 14), ("Next 30 days", 30)])
        self.split_box = option_combo("Forecast split", [("Total", None), ("By platform", "platform")])
        daily_with_options(self, (self.metric_box, self.horizon_box, self.split_box), self.options_changed)
        self.history_items: list[pg.PlotDataItem] = []
        self.forecast_items: list[pg.PlotDataItem] = []
        self.band_items: list[pg.FillBetweenItem] = []

    def params(self, platform: str | None, currency: str | None) -> ForecastParams:
        return ForecastParams(self.metric_box.currentData(), self.horizon_box.currentData(), self.split_box.currentData(),
                              platform, currency)

    def clear(self, note: str) -> None:
        item = self.plot.getPlotItem()
        for curve in (*self.history_items, *self.forecast_items, *self.band_items):
            item.removeItem(curve)
        item.legend.clear()
        self.history_items, self.forecast_items, self.band_items = [], [], []
        self.say(note)

    def show_outlook(self, outlook: Outlook, params: ForecastParams) -> None:
        self.clear("")
        item = self.plot.getPlotItem()
        x_history = _seconds(outlook.history.index)
        for i, name in enumerate(outlook.history.columns):
            colour = series_color(i)
            ahead = outlook.forecast[outlook.forecast["series"] == name]
            # the forecast line starts at the last known day, so it carries on from the history
            x = np.concatenate([x_history[-1:], _seconds(ahead["date"])])
            last = outlook.history[name].to_numpy(float)[-1:]
            low, high, value = (np.concatenate([last, ahead[k].to_numpy(float)]) for k in ("low", "high", "value"))
            label = PLATFORM_NAMES.get(name, name)
            self.band_items.append(_band(x, low, high, colour, 90))
            self.history_items.append(pg.PlotDataItem(x_history, outlook.history[name].to_numpy(float),
                                                      pen=pg.mkPen(colour, width=1.6), name=label))
            self.forecast_items.append(pg.PlotDataItem(x, value, pen=pg.mkPen(colour, width=2, style=Qt.DashLine)))
        for curve in (*self.band_items, *self.history_items, *self.forecast_items):
            item.addItem(curve)
        item.legend.setVisible(len(self.history_items) > 1)
        item.enableAutoRange()
        what = "spend" + (f" ({params.currency})" if params.currency else "") if params.metric == "spend" else "conversions"
        total = outlook.forecast.groupby("date")["value"].sum().sum()
        shown = fmt(params.metric, total, params.currency or "") if params.metric == "spend" else f"{total:,.0f}"
        self.say(f"Expected {what} over the next {params.horizon} days: about {shown}. "
                 "Dashed: the forecast; shaded: where 9 days in 10 should fall.")


# ---- the tab -----------------------------------------------------------------------------------
class AlertsTab(RefreshWhenShown, QWidget):
    alerts_finished = Signal(object)  # the alerts Job, finished
    forecast_finished = Signal(object)  # the forecast Job, finished

    def __init__(self, ctx, filters, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.filters = filters
        self.jobs: dict[str, Job | None] = {"alerts": None, "forecast": None}
        self.alerts = Alerts([])
        self._forecast_asked: ForecastParams | None = None
        self._build()
        filters.changed.connect(lambda: self.follow_change())
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.job_changed.connect(self._on_job_changed)
        self.follow_change()

    def _build(self) -> None:
        self.severity_box = option_combo("Severity", [("All severities", None), ("High only", "high"), ("Medium only", "medium")])
        self.metric_box = option_combo("Alert metric", [("All metrics", None), *((LABELS[m], m) for m in METRICS)])
        for combo in (self.severity_box, self.metric_box):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.count_label = QLabel(objectName="Muted")
        row = QHBoxLayout()
        row.setContentsMargins(10, 6, 10, 0)
        for widget in (QLabel("Show"), self.severity_box, self.metric_box):
            row.addWidget(widget)
        row.addWidget(self.count_label, 1)
        self.model = AlertsModel(self)
        self.proxy = AlertsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(alternatingRowColors=True, wordWrap=False, sortingEnabled=True)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(1, Qt.DescendingOrder)  # newest first, as detect orders them
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show_alert(current))
        self.table.doubleClicked.connect(self._show_alert)
        self.alert_chart = AlertChart()
        self.forecast_chart = ForecastChart()
        self.forecast_chart.options_changed.connect(self.run_forecast)
        charts = QSplitter(Qt.Horizontal)
        charts.addWidget(self.alert_chart)
        charts.addWidget(self.forecast_chart)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(charts)
        self.splitter.setSizes([240, 360])
        self.empty = EmptyState("mdi6.bell-alert-outline", "Import reports to see alerts",
                                "Once the library has a few weeks of daily performance reports, days that fall outside what a "
                                "campaign usually does are flagged here, and spend and conversions are forecast.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # ---- computing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Look for alerts in the filters' period and forecast again (both as jobs)."""
        if data_range(self.ctx.lib) is None:
            for kind in self.jobs:
                self._cancel(kind)
            self.model.set_rows([])
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.splitter)
        f = self.filters.filters()
        self.count_label.setText("Looking for alerts…")
        self._submit("alerts", find_alerts, AlertsParams(f.start, f.end, f.platform, f.currency), "Look for alerts")
        self._forecast_asked = None
        self.run_forecast()

    def run_forecast(self) -> None:
        f = self.filters.filters()
        params = self.forecast_chart.params(f.platform, f.currency)
        if params != self._forecast_asked:  # a change of period alone leaves the forecast as it is
            self._forecast_asked = params
            self.forecast_chart.say("Forecasting…")
            self._submit("forecast", run_forecast, params, f"Forecast {params.metric}")

    def _submit(self, kind: str, fn, params, title: str) -> None:
        self._cancel(kind)
        self.jobs[kind] = self.ctx.submit(fn, params, title=title, lib=self.ctx.lib)

    def _cancel(self, kind: str) -> None:
        job, self.jobs[kind] = self.jobs[kind], None
        if job is not None:
            job.cancel()

    def _on_bus_changed(self, result) -> None:
        if store.CHANGES & set(result.changes):
            self.follow_change()

    def _on_job_changed(self, job: Job) -> None:
        kind = next((k for k, j in self.jobs.items() if j is job), None)
        if kind is None or not job.finished:
            return  # someone else's, superseded, or still running (the jobs panel shows its progress)
        self.jobs[kind] = None
        if kind == "alerts":
            self._on_alerts_finished(job)
            self.alerts_finished.emit(job)
        else:
            self._on_forecast_finished(job)
            self.forecast_finished.emit(job)

    def _on_alerts_finished(self, job: Job) -> None:
        if job.status != "done":
            self.count_label.setText(f"Alerts could not be checked: {job.error}" if job.status == "failed" else "")
            return
        self.alerts = job.result
        self.model.set_rows(job.result.anomalies)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 280))
        self._on_filter_changed()

    def _on_forecast_finished(self, job: Job) -> None:
        if job.status == "done":
            self.forecast_chart.show_outlook(job.result, self._forecast_asked)
        else:
            self._forecast_asked = None  # asking again may work
            self.forecast_chart.clear(f"No forecast: {job.error}" if job.status == "failed" else "The forecast was cancelled.")

    # ---- showing -----------------------------------------------------------------------------
    def _on_filter_changed(self) -> None:
        self.proxy.set_filter(self.severity_box.currentData(), self.metric_box.currentData())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        high = sum(a.severity == "high" for a in self.model.anomalies)
        if not total:
            self.count_label.setText("No alerts in this period: every campaign stayed within its usual range.")
        else:
            self.count_label.setText(f"{total} alert{'s' * (total != 1)} in this period, {high} high"
                                     + (f" · {shown} shown" if shown != total else ""))
        if shown:
            self.table.selectRow(0)
            self._show_alert(self.table.currentIndex())
        else:
            self.alert_chart.clear("No alert to show." if total else "Nothing unusual in this period.")

    def _show_alert(self, index: QModelIndex) -> None:
        a = index.data(Qt.UserRole) if index.isValid() else None
        if a is not None and a is not self.alert_chart.anomaly:
            self.alert_chart.show_alert(a, self.alerts.days.get(series_key(a)))

    def select(self, anomaly: Anomaly) -> None:
        """Choose this alert in the table (as a click would)."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.UserRole) == anomaly:
                self.table.selectRow(row)

