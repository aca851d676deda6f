"""The Alerts & forecast tab over a real library: a planted spend spike is listed with core's own
sentence, choosing it draws its band chart, the forecast chart draws history, forecast and interval
(matching core's forecast), too little history says why, and an empty library says what to do."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from studio.core.analytics.anomalies import detect
from studio.core.analytics.forecast import forecast
from studio.ui.shell import registry
from studio.ui.workspaces.analytics.alerts_tab import AlertsTab
from studio.ui.workspaces.analytics.filters import FiltersBar
from tests.core.analytics.test_anomalies import daily_facts, day, stock

JOB_MS = 60_000  # jobs on a busy 2-core machine
SPIKE = 100  # a Wednesday in the last 30 days of data, spending 3 × the usual Wednesday


def seconds(d: date) -> float:
    """A day as the charts' date axis places it."""
    return float((d - date(1970, 1, 1)).days * 86400)


@pytest.fixture
def view(make_window):
    import studio.ui.workspaces.analytics  # noqa: F401 - registers the workspace

    window = make_window(workspaces=[s for s in registry.workspaces() if s.key == "analytics"], initial_workspace="analytics")
    return window.views["analytics"]


def open_tab(view, qtbot) -> AlertsTab:
    """The tab added to the workspace as the lead adds it, then shown: both jobs run and finish."""
    tab = AlertsTab(view.ctx, view.filters)
    view.add_tab(tab, "Alerts && forecast", "mdi6.bell-alert-outline")
    with qtbot.waitSignals([tab.alerts_finished, tab.forecast_finished], timeout=JOB_MS):
        view.tabs.setCurrentWidget(tab)
    return tab


@pytest.fixture
def spiked(view, qtbot):
    """112 days of two campaigns from Mon 5 Jan 2026; Summer Sale spends 3 × on Wed 15 Apr."""
    with qtbot.waitSignal(view.refreshed, timeout=JOB_MS):
        stock(view.ctx.lib, daily_facts("Summer Sale", seed=1, spend_factor={SPIKE: 3.0}), daily_facts("Other", seed=2))
    view.filters.preset.setCurrentIndex(view.filters.preset.findData("30"))  # 28 Mar - 26 Apr
    return open_tab(view, qtbot)


def test_a_planted_spike_is_listed_with_core_detects_sentence(spiked):
    tab = spiked
    f = tab.filters.filters()
    assert (f.start, f.end) == (day(82), day(111))
    assert tab.model.anomalies == detect(tab.ctx.lib, date_from=f.start, date_to=f.end)  # the same alerts, newest first
    spike = [r for r in range(tab.proxy.rowCount()) if tab.proxy.index(r, 2).data() == "Summer Sale · Meta"
             and tab.proxy.index(r, 3).data() == "Spend ▲"]
    assert len(spike) == 1
    row = spike[0]
    a = tab.proxy.index(row, 0).data(Qt.UserRole)
    assert (a.day, a.severity) == (day(SPIKE), "high")
    assert tab.proxy.index(row, 0).data() == "High" and tab.proxy.index(row, 0).data(Qt.DecorationRole) is not None
    assert tab.proxy.index(row, 1).data() == "Wed 15 Apr 2026"
    assert tab.proxy.index(row, 4).data() == a.sentence and a.sentence.startswith("Spend on 'Summer Sale' (meta) was €")
    total = len(tab.model.anomalies)
    assert tab.count_label.text().startswith(f"{total} alert")
    # filters: a metric with no alerts empties the list and says so; back to all, then high only
    tab.metric_box.setCurrentIndex(tab.metric_box.findData("roas"))
    assert tab.proxy.rowCount() == sum(x.metric == "roas" for x in tab.model.anomalies)
    tab.metric_box.setCurrentIndex(tab.metric_box.findData("spend"))
    tab.severity_box.setCurrentIndex(tab.severity_box.findData("high"))
    shown = [tab.proxy.index(r, 0).data(Qt.UserRole) for r in range(tab.proxy.rowCount())]
    assert a in shown and all(x.metric == "spend" and x.severity == "high" for x in shown)
    high = sum(x.severity == "high" for x in tab.model.anomalies)
    assert tab.count_label.text() == f"{total} alerts in this period, {high} high · {len(shown)} shown"


def test_choosing_an_alert_draws_its_band_and_flagged_day(spiked, tmp_path):
    tab = spiked
    a = next(x for x in tab.model.anomalies if x.campaign == "Summer Sale" and x.metric == "spend")
    tab.select(a)
    chart = tab.alert_chart
    assert chart.anomaly == a
    items = chart.plot.getPlotItem().items
    assert chart.band in items and chart.line in items and chart.marker in items and chart.dot in items
    low_edge, high_edge = chart.band.curves
    assert list(low_edge.yData) == [a.band[0]] * 2 and list(high_edge.yData) == [a.band[1]] * 2
    assert high_edge.xData[-1] == chart.marker.value() == seconds(a.day)  # the band ends on the flagged day
    assert chart.dot.data["y"][0] == a.value > a.band[1]
    # the line is the campaign's daily spend, from the weeks the band was learnt from to the period's end
    x, y = chart.line.getData()
    assert x[0] == seconds(day(82 - 56)) and x[-1] == seconds(day(111))
    assert y[SPIKE - (82 - 56)] == pytest.approx(a.value)
    assert "€" in chart.note.text()
    # another alert redraws the chart
    other = next((x for x in tab.model.anomalies if x is not a), None)
    if other is not None:
        tab.select(other)
        assert chart.anomaly == other and chart.dot.data["y"][0] == other.value
    png = chart.export(tmp_path / "alert.png")
    assert Image.open(png).size[0] >= 800


def test_the_forecast_chart_draws_history_forecast_and_interval(spiked, qtbot, tmp_path):
    tab = spiked
    chart = tab.forecast_chart
    items = chart.plot.getPlotItem().items
    assert (len(chart.history_items), len(chart.forecast_items), len(chart.band_items)) == (1, 1, 1)
    assert all(item in items for item in (*chart.history_items, *chart.forecast_items, *chart.band_items))
    expected = forecast(tab.ctx.lib, "spend", 14)  # core, straight from the library
    x, y = chart.forecast_items[0].getData()
    assert len(x) == 15 and x[1] == seconds(day(112))  # from the last known day on
    assert y[1:] == pytest.approx(expected["value"].to_numpy())
    low, high = (curve.getData()[1][1:] for curve in chart.band_items[0].curves)
    assert low == pytest.approx(expected["low"].to_numpy()) and high == pytest.approx(expected["high"].to_numpy())
    assert np.all(low <= y[1:]) and np.all(y[1:] <= high)
    hx, hy = chart.history_items[0].getData()
    assert len(hx) == 90 and hx[-1] == seconds(day(111)) and hy[-1] == y[0]
    assert "next 14 days" in chart.note.text()
    # 30 days of conversions per platform: one more job
    with qtbot.waitSignal(tab.forecast_finished, timeout=JOB_MS):
        chart.horizon_box.setCurrentIndex(chart.horizon_box.findData(30))
    with qtbot.waitSignal(tab.forecast_finished, timeout=JOB_MS):
        chart.metric_box.setCurrentIndex(chart.metric_box.findData("conversions"))
    with qtbot.waitSignal(tab.forecast_finished, timeout=JOB_MS) as blocker:
        chart.split_box.setCurrentIndex(chart.split_box.findData("platform"))
    assert blocker.args[0].status == "done"
    x, y = chart.forecast_items[0].getData()
    assert len(x) == 31
    core = forecast(tab.ctx.lib, "conversions", 30, by="platform")
    assert y[1:] == pytest.approx(core["value"].to_numpy())
    svg = chart.export(tmp_path / "forecast.svg")
    assert "<svg" in svg.read_text()


def test_too_little_history_for_a_forecast_says_why(view, qtbot):
    with qtbot.waitSignal(view.refreshed, timeout=JOB_MS):
        stock(view.ctx.lib, daily_facts("Launch", seed=3, days=20))
    tab = open_tab(view, qtbot)
    chart = tab.forecast_chart
    assert chart.history_items == [] and chart.band_items == []
    assert chart.note.text() == "No forecast: A forecast needs at least 28 days of daily data; there are 20."
    assert tab.model.anomalies == [] and tab.count_label.text().startswith("No alerts in this period")
    assert tab.alert_chart.note.text() == "Nothing unusual in this period."


def test_an_empty_library_says_to_import_reports(ctx, qtbot):
    tab = AlertsTab(ctx, FiltersBar())
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.stack.currentWidget() is tab.empty
    assert tab.empty.title_label.text() == "Import reports to see alerts"
    assert tab.jobs == {"alerts": None, "forecast": None}  # nothing to compute
    # facts arriving bring the tab to life
    with qtbot.waitSignals([tab.alerts_finished, tab.forecast_finished], timeout=JOB_MS):
        stock(ctx.lib, daily_facts("Summer Sale", seed=1, days=56))
    assert tab.stack.currentWidget() is tab.splitter
    assert len(tab.forecast_chart.history_items) == 1
