"""The Overview's charts: a daily time series with a crosshair read-out, stacked daily breakdown,
funnel, spend vs ROAS per campaign, and response curves. Years of daily data for dozens of series
draw fast: one PlotDataItem per series, whole arrays at once, peak downsampling and clip-to-view."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QPushButton

from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.theme import theme
from studio.ui.workspaces.analytics.chart_base import (
    ChartPanel,
    add_legend,
    daily_with_options,
    option_combo,
    series_color,
)
from studio.ui.workspaces.analytics.data import Series
from studio.ui.workspaces.analytics.metrics import ADDITIVE, METRICS, fmt, label

SPLITS = (("Total", "total"), ("By platform", "platform"), ("By campaign", "campaign"))
LEGEND_MAX = 10  # more series than this: the read-out names them instead of a legend
READOUT_MAX = 6
STACK_KEEP = 12  # stacked charts show the biggest series and add the rest up as "Other"


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%a %d %b %Y")


class Curves:
    """One PlotDataItem per series, kept between draws: a redraw hands each item its new arrays
    (whole, no per-point work) instead of building the items and their legend entries again."""

    def __init__(self, item: pg.PlotItem):
        self.item = item
        self.pool: list[pg.PlotDataItem] = []

    def draw(self, series: Series, *, fill: bool = False) -> None:
        """With fill, each series is a running total filled down to zero, the top one drawn first."""
        n = len(series.names)
        while len(self.pool) < n:
            curve = pg.PlotDataItem()
            self.item.addItem(curve)  # in its view box first: clipping to a view needs the view
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.pool.append(curve)
        for curve in self.pool[n:]:
            self.item.removeItem(curve)
        del self.pool[n:]
        legend = self.item.legend
        legend.clear()
        few = n <= LEGEND_MAX  # more than that: the read-out names them
        legend.setVisible(0 < n and few)
        finite = not np.isnan(series.values).any()
        for z, curve in enumerate(self.pool):
            k = n - 1 - z if fill else z
            colour = series_color(k)
            # Hairlines take Qt's fast path: a wider pen costs several times more per point.
            curve.setData(series.x, series.values[k], pen=pg.mkPen(colour, width=1.6 if few else 1),
                          fillLevel=0.0 if fill else None, brush=pg.mkBrush(colour.darker(130)) if fill else None,
                          connect="all" if finite else "finite", skipFiniteCheck=finite)
            curve.setZValue(z)
            if few:
                legend.addItem(curve, series.names[k])


class DailyChart(ChartPanel):
    """A chart over days with a metric picker and a split picker; it pans and zooms the days only."""

    options_changed = Signal()

    def __init__(self, key: str, title: str, metrics, splits, metric_label: str, split_label: str, parent=None):
        super().__init__(key, title, parent)
        self.metric_box = option_combo(metric_label, [(label(m), m) for m in metrics])
        self.split_box = option_combo(split_label, splits)
        self.curves = Curves(daily_with_options(self, (self.metric_box, self.split_box), self.options_changed))


class TimeSeriesChart(DailyChart):
    """A metric per day, for the total or per platform or campaign. Drag to pan, wheel to zoom the days;
    the values of every series under the mouse are read out below."""

    def __init__(self, parent=None):
        super().__init__("time_series", "Daily trend", METRICS, SPLITS, "Metric", "Split", parent)
        item = self.plot.getPlotItem()
        item.getViewBox().setAutoVisible(y=True)  # the y range follows the days in view
        self.series = Series(np.empty(0), [], np.empty((0, 0)))
        self.currency: str | None = None
        self.crosshair = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(theme().colors.muted, style=Qt.DashLine))
        self.crosshair.setZValue(1000)
        self.crosshair.hide()
        item.addItem(self.crosshair, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_series(self, series: Series, currency: str | None) -> None:
        self.series, self.currency = series, currency
        self.curves.draw(series)
        self.crosshair.hide()
        self.plot.getPlotItem().enableAutoRange()
        self.say("Drag to move through the days, scroll to zoom; point at a day to read its values." if series.names
                 else "No data in this period.")

    def _on_mouse_moved(self, pos: QPointF) -> None:
        box = self.plot.getPlotItem().getViewBox()
        if box.sceneBoundingRect().contains(pos) and len(self.series.x):
            self.read_out(box.mapSceneToView(pos).x())

    def read_out(self, x: float) -> str:
        """Show the day nearest x and each series' value on it; returns the text."""
        xs = self.series.x
        i = int(np.clip(np.searchsorted(xs, x), 1, len(xs) - 1)) if len(xs) > 1 else 0
        if i and abs(xs[i - 1] - x) <= abs(xs[i] - x):
            i -= 1
        self.crosshair.setValue(xs[i])
        self.crosshair.show()
        metric = self.metric_box.currentData()
        values = self.series.values[:, i]
        order = np.argsort(np.nan_to_num(-values, nan=np.inf), kind="stable")[:READOUT_MAX]
        parts = [f"{self.series.names[k]} {fmt(metric, float(values[k]), self.currency)}" for k in order]
        rest = len(values) - len(order)
        text = f"{_day(xs[i])} · {label(metric)}: " + " · ".join(parts) + (f" · +{rest} more" if rest > 0 else "")
        self.say(text)
        return text


class StackedChart(DailyChart):
    """A summed metric per day stacked by platform or campaign (the biggest, then "Other")."""

    def __init__(self, parent=None):
        super().__init__("stacked", "Breakdown over time", ADDITIVE, SPLITS[1:], "Stacked metric", "Stack by", parent)

    def set_series(self, series: Series) -> None:
        self.curves.draw(series, fill=True)
        self.plot.getPlotItem().enableAutoRange()
        self.say("" if series.names else "No data in this period.")


class FunnelChart(ChartPanel):
    """Impressions → clicks → conversions, bar lengths on a log scale (each stage is a fraction of
    the one before), with the counts and the rates between stages written on the bars."""

    STAGES = (("impressions", "Impressions", ""), ("clicks", "Clicks", "CTR"), ("conversions", "Conversions", "conv. rate"))

    def __init__(self, parent=None):
        super().__init__("funnel", "Funnel", parent)
        self.finish_header()
        item = self.plot.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.showGrid(x=False, y=False)
        item.setMouseEnabled(x=False, y=False)
        self.labels: list[str] = []

    def set_totals(self, totals: dict) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        counts = [float(np.nan_to_num(totals.get(key, 0.0))) for key, _, _ in self.STAGES]
        if not counts[0]:
            self.labels = []
            self.say("No impressions in this period.")
            return
        lengths = np.log10(np.maximum(counts, 1.0)) + 1.0
        rows = np.arange(len(counts))[::-1].astype(float)
        colours = [series_color(i) for i in range(len(counts))]
        item.addItem(pg.BarGraphItem(x0=0, y=rows, height=0.7, width=lengths, brushes=colours, pens=[pg.mkPen(None)] * 3))
        self.labels = []
        for k, ((_, name, rate), count) in enumerate(zip(self.STAGES, counts)):
            text = f"{name} {count:,.0f}"
            if rate and counts[k - 1]:
                text += f" · {rate} {count / counts[k - 1] * 100:.2f} %"
            self.labels.append(text)
            caption = pg.TextItem(text, color=theme().colors.text, anchor=(0, 0.5))
            caption.setPos(0.05, rows[k])
            item.addItem(caption)
        item.setXRange(0, lengths.max() * 1.02, padding=0)
        item.setYRange(-0.6, len(counts) - 0.4, padding=0)
        self.say("")


class ScatterChart(ChartPanel):
    """Spend against ROAS, one dot per campaign; pointing at a dot names it."""

    def __init__(self, parent=None):
        super().__init__("scatter", "Spend vs ROAS", parent)
        self.finish_header()
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "Spend")
        item.setLabel("left", "ROAS")
        item.getViewBox().setDefaultPadding(0.1)  # dots at the extremes stay whole
        self.currency: str | None = None
        self.dots = pg.ScatterPlotItem(size=11, pen=pg.mkPen(theme().colors.base), brush=pg.mkBrush(theme().colors.accent),
                                       hoverable=True, hoverSize=15, hoverBrush=pg.mkBrush(theme().colors.success), tip=self._tip)
        self.dots.sigHovered.connect(self._on_hovered)
        item.addItem(self.dots)

    def _tip(self, x, y, data) -> str:
        name, currency = data
        return f"{name}\nSpend {fmt('spend', x, currency)} · ROAS {fmt('roas', y)}"

    def set_points(self, frame) -> None:
        self.plot.getPlotItem().setLabel("bottom", f"Spend ({self.currency})" if self.currency else "Spend")
        with_roas = frame[frame["roas"].notna()]
        self.dots.setData(x=with_roas["spend"].to_numpy(float), y=with_roas["roas"].to_numpy(float),
                          data=list(zip(with_roas["campaign"], with_roas["currency"])))
        self.plot.getPlotItem().enableAutoRange()
        self.say("Point at a dot to see its campaign." if len(with_roas) else "No campaign has spend and value in this period.")

    def _on_hovered(self, _item, points, _event) -> None:
        if len(points):
            spot = points[0]
            self.say(self._tip(spot.pos().x(), spot.pos().y(), spot.data()).replace("\n", " · "))


class CurvesChart(ChartPanel):
    """Response curves per platform (adstock and saturation, fitted as a job): expected daily revenue
    for a steady daily spend, with a dot at today's average spend."""

    fit_requested = Signal()

    def __init__(self, parent=None):
        super().__init__("curves", "Response curves", parent)
        self.fit_button = QPushButton(theme().icon("mdi6.chart-bell-curve-cumulative"), "Fit curves",
                                      toolTip="Fit each platform's response curve from its daily spend and value (a job)")
        self.fit_button.clicked.connect(self.fit_requested.emit)
        self.add_control(self.fit_button)
        self.finish_header()
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "Daily spend")
        item.setLabel("left", "Daily value")
        add_legend(item).hide()
        self.say("Fit curves: how each platform's value answers its spend.")

    def set_curves(self, result: dict, currency: str | None) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        item.legend.clear()
        item.legend.setVisible(bool(result["curves"]))
        for i, (channel, (curve, spend)) in enumerate(sorted(result["curves"].items())):
            grid = np.linspace(0.0, max(spend, 1e-9) * 3.0, 200)
            colour = series_color(i)
            name = PLATFORM_NAMES.get(channel, channel)
            item.addItem(pg.PlotDataItem(grid, curve.daily_revenue(grid), pen=pg.mkPen(colour, width=2), name=name))
            item.addItem(pg.ScatterPlotItem([spend], [float(curve.daily_revenue(spend))], size=9, brush=pg.mkBrush(colour)))
        item.enableAutoRange()
        reasons = [f"{PLATFORM_NAMES.get(channel, channel)}: {why}" for channel, why in sorted(result["reasons"].items())]
        fitted = ", ".join(PLATFORM_NAMES.get(c, c) for c in sorted(result["curves"])) or "no platform"
        self.say(f"Fitted {fitted} ({currency or 'all currencies'}); dots mark today's average daily spend."
                 + (" Not fitted: " + " ".join(reasons) if reasons else ""))
