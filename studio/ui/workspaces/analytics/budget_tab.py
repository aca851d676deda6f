"""The Budget tab: split a daily budget across platforms or campaigns by their response curves.

Set the total, each channel's minimum and maximum (empty: no limit; untick a channel to leave it
out), and optionally a target ROAS; Plan fits the curves on the library's daily spend and value
(the same core path as `studio analytics budget`) and splits the budget, as a job. The split
table compares today's spend (the average day of the filters' period) with the proposed one, and
the chart draws each curve with both points on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics import store
from studio.core.analytics.budget import Plan, allocate, bootstrap_curves, fit_curves
from studio.core.analytics.kpis import kpis
from studio.core.errors import BadInput
from studio.core.jobs import Job, JobState
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.workspaces.analytics.attribution_tab import (
    result_table,
    show_message,
    table_item,
)
from studio.ui.workspaces.analytics.chart_base import (
    ChartPanel,
    add_legend,
    series_color,
)
from studio.ui.workspaces.analytics.data import Filters

BOOTSTRAP_SAMPLES = 50
LIMIT_COLUMNS = ("Channel", "Today a day", "Minimum", "Maximum")
SPLIT_COLUMNS = ("Channel", "Today a day", "Proposed a day", "Change", "Expected revenue", "ROAS")


def daily_frame(lib, by: str, f: Filters) -> pd.DataFrame:
    """Daily spend and value per channel over all the library's days (as the CLI's budget command
    reads them), in the filters' currency and platform: columns day, <by>, spend, conversion_value."""
    frame = kpis(lib, (by, "day"), platform=f.platform, compare=False)
    if f.currency:
        frame = frame[frame["currency"] == f.currency]
    return frame[["day", by, "currency", "spend", "conversion_value"]].fillna({"spend": 0.0, "conversion_value": 0.0})


def today_spend(frame: pd.DataFrame, by: str, f: Filters) -> pd.Series:
    """Each channel's average daily spend over the filters' period (zero where it did not run)."""
    days = (f.end - f.start).days + 1
    period = frame[(pd.to_datetime(frame["day"]).dt.date >= f.start) & (pd.to_datetime(frame["day"]).dt.date <= f.end)]
    return (period.groupby(by)["spend"].sum() / days).reindex(sorted(frame[by].unique()), fill_value=0.0)


def parse_limit(text: str, channel: str, which: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadInput(f"The {which} for {channel}, {text!r}, is not an amount: write e.g. 200, or leave it empty for no limit.") from None
    if value < 0 or not np.isfinite(value):
        raise BadInput(f"The {which} for {channel} must be zero or more (got {text}).")
    return value


# ---- the job ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanRequest:
    frame: pd.DataFrame  # day, channel, spend, conversion_value
    channel: str  # the column that names the channels
    total: float
    minimum: dict[str, float]
    maximum: dict[str, float]
    target_roas: float | None


def run_plan(request: PlanRequest, state: JobState) -> Plan:
    """Fit, bootstrap and allocate (core's plan_budget, in steps so progress shows and Cancel works)."""
    columns = {"date": "day", "channel": request.channel, "spend": "spend", "revenue": "conversion_value"}
    state.set_status("Fitting the response curves")
    curves = fit_curves(request.frame, **columns)
    state.set_progress(0.2)
    state.check()
    state.set_status("Measuring how sure the curves are")
    samples = bootstrap_curves(request.frame, curves, BOOTSTRAP_SAMPLES, **columns)
    state.set_progress(0.8)
    state.check()
    state.set_status("Splitting the budget")
    return allocate(curves, request.total, minimum=request.minimum, maximum=request.maximum,
                    target_roas=request.target_roas, uncertainty=samples)


# ---- the chart --------------------------------------------------------------------------------------
class PlanCurvesChart(ChartPanel):
    """Each channel's response curve, today's spend as a hollow ring and the proposed one as a dot."""

    def __init__(self, parent=None):
        super().__init__("budget_curves", "Response curves and the split", parent)
        self.finish_header()
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "Daily spend")
        item.setLabel("left", "Daily revenue")
        add_legend(item)
        self.say("Plan to see each channel's curve with today's spend (ring) and the proposed spend (dot).")

    def set_plan(self, plan: Plan, today: pd.Series, names: dict[str, str]) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        item.legend.clear()
        for i, channel in enumerate(sorted(plan.curves)):
            curve, colour = plan.curves[channel], series_color(i)
            now, proposed = float(today.get(channel, 0.0)), plan.spend[channel]
            grid = np.linspace(0.0, max(now, proposed, 1e-9) * 2.0, 200)
            item.addItem(pg.PlotDataItem(grid, curve.daily_revenue(grid), pen=pg.mkPen(colour, width=2), name=names[channel]))
            item.addItem(pg.ScatterPlotItem([now], [float(curve.daily_revenue(now))], size=11, brush=pg.mkBrush(None),
                                            pen=pg.mkPen(colour, width=2)))
            item.addItem(pg.ScatterPlotItem([proposed], [plan.revenue[channel]], size=10, brush=pg.mkBrush(colour),
                                            pen=pg.mkPen(theme().colors.text)))
        item.enableAutoRange()
        self.say("Rings: today's average daily spend. Dots: the proposed split.")


# ---- the tab --------------------------------------------------------------------------------------
class BudgetTab(RefreshWhenShown, QWidget):
    """Reads the library when shown and, while shown, when the filters or the facts change."""

    finished = Signal(object)  # the plan Job, done, failed or cancelled
    _stale = True  # the filters get their dates from the view's first refresh, which says nothing

    def __init__(self, ctx, filters, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.filters = filters
        self.frame = pd.DataFrame()
        self.today = pd.Series(dtype=float)
        self.job: Job | None = None
        self.plan: Plan | None = None
        self._build()
        filters.changed.connect(self.follow_change)
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def _build(self) -> None:
        self.by = QComboBox(accessibleName="Split by")
        self.by.addItem("Platforms", "platform")
        self.by.addItem("Campaigns", "campaign")
        self.by.currentIndexChanged.connect(self.refresh)
        self.total = QDoubleSpinBox(maximum=1e9, decimals=2, singleStep=50.0, accessibleName="Daily budget",
                                    toolTip="The budget to split, per day")
        self.use_target = QCheckBox("Target ROAS", toolTip="Spend only as much of the budget as keeps the return at this or above")
        self.target = QDoubleSpinBox(minimum=0.01, maximum=1000.0, value=2.0, decimals=2, singleStep=0.1, enabled=False,
                                     accessibleName="Target ROAS")
        self.use_target.toggled.connect(self.target.setEnabled)
        self.plan_button = QPushButton(theme().icon("mdi6.calculator-variant-outline"), "Plan",
                                       toolTip="Fit the response curves and split the budget (a job)")
        self.plan_button.clicked.connect(lambda: self.start_plan())
        self.cancel_button = QPushButton("Cancel", visible=False)
        self.cancel_button.clicked.connect(lambda: self.job and self.job.cancel())
        self.currency_label = QLabel(objectName="Muted")
        row = QHBoxLayout()
        row.setContentsMargins(10, 6, 10, 0)
        for widget in (QLabel("Split"), self.by, QLabel("Daily budget"), self.total, self.currency_label, self.use_target,
                       self.target, self.plan_button, self.cancel_button):
            row.addWidget(widget)
        row.addStretch(1)
        self.message = QLabel(objectName="Muted", wordWrap=True, visible=False)
        self.message.setContentsMargins(10, 0, 10, 0)
        self.limits = result_table(list(LIMIT_COLUMNS))
        self.limits.setToolTip("Untick a channel to leave it out; an empty minimum or maximum means no limit")
        self.split = result_table(list(SPLIT_COLUMNS))
        self.summary = QLabel(objectName="Muted", wordWrap=True)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(10, 0, 0, 0)
        column.addWidget(QLabel("LIMITS", objectName="PanelTitle"))
        column.addWidget(self.limits, 2)
        column.addWidget(QLabel("SPLIT", objectName="PanelTitle"))
        column.addWidget(self.split, 3)
        column.addWidget(self.summary)
        self.chart = PlanCurvesChart()
        splitter = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        splitter.addWidget(left)
        splitter.addWidget(self.chart)
        splitter.setSizes([520, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

    def names(self) -> dict[str, str]:
        return {c: PLATFORM_NAMES.get(c, c) if self.by.currentData() == "platform" else c for c in self.today.index}

    # ---- reading the library ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the channels and today's spend again; keep the limits typed for channels still there."""
        f, by = self.filters.filters(), self.by.currentData()
        kept = self._typed_limits()
        self.frame = daily_frame(self.ctx.lib, by, f)
        currencies = sorted(self.frame["currency"].unique())
        self.today = today_spend(self.frame, by, f) if len(currencies) == 1 else pd.Series(dtype=float)
        self.currency_label.setText(currencies[0] if len(currencies) == 1 else "")
        if self.frame.empty:
            show_message(self.message, "No spend in the library yet: import performance reports to plan a budget.")
        elif len(currencies) > 1:
            show_message(self.message, f"The facts are in {', '.join(currencies)}; choose one currency in the filters "
                                       "(amounts in different currencies cannot be split as one budget).", "bad")
        else:
            show_message(self.message, "")
        self.limits.setRowCount(len(self.today))
        for row, (channel, spend) in enumerate(self.today.items()):
            include, low, high = kept.get(channel, (True, "", ""))
            name = table_item(self.names()[channel])
            name.setData(Qt.UserRole, channel)
            name.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            name.setCheckState(Qt.Checked if include else Qt.Unchecked)
            self.limits.setItem(row, 0, name)
            self.limits.setItem(row, 1, table_item(f"{spend:,.2f}", spend))
            self.limits.setItem(row, 2, QTableWidgetItem(low))
            self.limits.setItem(row, 3, QTableWidgetItem(high))
        self.limits.resizeColumnsToContents()
        if not kept:  # a first look: start from what is spent today
            self.total.setValue(round(float(self.today.sum()), 2))
        self.plan_button.setEnabled(not self.today.empty and self.job is None)

    def _typed_limits(self) -> dict[str, tuple[bool, str, str]]:
        return {self.limits.item(r, 0).data(Qt.UserRole): (self.limits.item(r, 0).checkState() == Qt.Checked,
                                                           self.limits.item(r, 2).text(), self.limits.item(r, 3).text())
                for r in range(self.limits.rowCount())}

    def _on_bus_changed(self, result) -> None:
        if store.CHANGES & set(result.changes):
            QTimer.singleShot(0, self.follow_change)  # after the view has set the filters to the new data

    # ---- planning ------------------------------------------------------------------------------------
    def request(self) -> PlanRequest:
        """What to plan, from the controls; BadInput says what to fix."""
        by, names = self.by.currentData(), self.names()
        included, minimum, maximum = [], {}, {}
        for channel, (include, low, high) in self._typed_limits().items():
            if not include:
                continue
            included.append(channel)
            for limits, text, which in ((minimum, low, "minimum"), (maximum, high, "maximum")):
                value = parse_limit(text, names[channel], which)
                if value is not None:
                    limits[channel] = value
        if not included:
            raise BadInput("Tick at least one channel to split the budget across.")
        if self.total.value() <= 0:
            raise BadInput("Set a daily budget above zero to split.")
        frame = self.frame[self.frame[by].isin(included)]
        return PlanRequest(frame, by, self.total.value(), minimum, maximum,
                           self.target.value() if self.use_target.isChecked() else None)

    def start_plan(self) -> Job | None:
        if self.job is not None:
            return None
        try:
            request = self.request()
        except BadInput as exc:
            show_message(self.message, str(exc), "bad")
            return None
        self.job = self.ctx.submit(run_plan, request, title="Plan the budget", lane="cpu")
        self.plan_button.setEnabled(False)
        self.cancel_button.show()
        show_message(self.message, "Fitting the response curves and splitting the budget…", "busy")
        return self.job

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job:
            return
        if not job.finished:
            if job.state.status:
                show_message(self.message, f"{job.state.status}…", "busy")
            return
        self.job = None
        self.plan_button.setEnabled(not self.today.empty)
        self.cancel_button.hide()
        if job.status == "done":
            show_message(self.message, "")
            self.show_plan(job.result)
        elif job.status == "failed":
            show_message(self.message, f"The budget was not planned: {job.error}", "bad")
        else:
            show_message(self.message, "Planning was cancelled.")
        self.finished.emit(job)

    def show_plan(self, plan: Plan) -> None:
        self.plan = plan
        names, currency = self.names(), self.currency_label.text()
        channels = sorted(plan.spend, key=lambda c: -plan.spend[c])
        self.split.setRowCount(len(channels))
        for row, channel in enumerate(channels):
            now, proposed, revenue = float(self.today.get(channel, 0.0)), plan.spend[channel], plan.revenue[channel]
            change = proposed - now
            cells = (table_item(names[channel]), table_item(f"{now:,.2f}", now), table_item(f"{proposed:,.2f}", proposed),
                     table_item(f"{change:+,.2f}", change), table_item(f"{revenue:,.2f}", revenue),
                     table_item(f"{revenue / proposed:.2f}" if proposed > 0 else "–", revenue / proposed if proposed > 0 else None))
            for column, cell in enumerate(cells):
                self.split.setItem(row, column, cell)
        self.split.resizeColumnsToContents()
        self.summary.setText(f"Expected revenue {plan.total_revenue:,.2f} {currency} a day (90 % band {plan.revenue_low:,.2f} "
                             f"to {plan.revenue_high:,.2f}), ROAS {plan.roas:.2f} on {plan.total_spend:,.2f} {currency} spent.")
        self.chart.set_plan(plan, self.today, names)
