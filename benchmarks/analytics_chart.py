"""Analytics chart speed: two years x 50 campaigns of daily data drawn by the workspace's
charts, against peers drawing the same arrays in the same run.

    python benchmarks/analytics_chart.py [--days 730] [--campaigns 50] [--repeat 7]

Builds a library with DAYS x CAMPAIGNS daily facts (through the real ingest job), then times,
offscreen at 1200 x 420 pixels (the median of REPEAT runs):
  (a) the workspace: the daily series read from the library (data.daily_series) and drawn by
      TimeSeriesChart (one line per campaign) and StackedChart (12 biggest + "Other" as areas),
  (b) the same two charts drawn from arrays already read (drawing alone; the first draw into
      fresh charts, which builds the series items, is printed beside it),
  (c) plain pyqtgraph with default settings plotting the same arrays (the peer),
  (d) matplotlib's Agg backend rendering the same lines and stacked areas (another peer),
and prints each time and the ratios of (b) to (c) and (d). Goal: (b) under 200 ms.
Not run by CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pandas as pd

SIZE = (1200, 420)


def make_library(root: Path, days: int, campaigns: int):
    """A library holding one Meta export of days x campaigns daily rows."""
    from studio.core.analytics.ingest import IngestParams, ingest
    from studio.core.jobs import JobState
    from studio.core.library import Library

    rng = np.random.default_rng(11)
    first = date(2025, 1, 1)
    day = np.repeat([(first + timedelta(days=i)).isoformat() for i in range(days)], campaigns)
    names = np.tile([f"Campaign {i:02d}" for i in range(campaigns)], days)
    base = np.tile(rng.uniform(20, 400, campaigns), days)
    weekly = 1 + 0.2 * np.sin(np.repeat(np.arange(days), campaigns) * 2 * np.pi / 7)
    spend = (base * weekly * rng.uniform(0.8, 1.2, days * campaigns)).round(2)
    impressions = (spend * rng.uniform(80, 120, spend.size)).astype(int)
    clicks = (impressions * 0.012).astype(int)
    frame = pd.DataFrame({"Campaign name": names, "Ad set name": "Set", "Ad name": "Ad", "Day": day,
                          "Amount spent (EUR)": spend, "Impressions": impressions, "Reach": (impressions * 0.7).astype(int),
                          "Link clicks": clicks // 2, "Clicks (all)": clicks, "Purchases": clicks // 30,
                          "Purchases conversion value": (clicks * 1.9).round(2)})
    path = root / "meta.csv"
    frame.to_csv(path, index=False)
    lib = Library.open(root / "lib")
    report = ingest(IngestParams(str(lib.root), [str(path)]), JobState(), lib)[0]
    assert report.imported, report.error or report.errors[:3]
    return lib, first, first + timedelta(days=days - 1)


def median_ms(fn, repeat: int) -> float:
    fn()  # warm: first paint builds fonts and caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--campaigns", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import pyqtgraph as pg
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PySide6.QtWidgets import QApplication

    from studio.ui.workspaces.analytics.charts import (
        STACK_KEEP,
        StackedChart,
        TimeSeriesChart,
    )
    from studio.ui.workspaces.analytics.data import Filters, daily_series, stacked

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        lib, first, last = make_library(Path(tmp), args.days, args.campaigns)
        filters = Filters(first, last, currency="EUR", compare=False)
        lines_chart, stack_chart = TimeSeriesChart(), StackedChart()
        for chart in (lines_chart, stack_chart):
            chart.resize(*SIZE)
            chart.show()
        app.processEvents()

        def draw(series, areas) -> None:
            lines_chart.set_series(series, "EUR")
            stack_chart.set_series(areas)
            lines_chart.plot.grab()  # a full paint of each plot
            stack_chart.plot.grab()

        def ours_with_query() -> None:
            series = daily_series(lib, filters, "spend", "campaign")
            draw(series, stacked(series, STACK_KEEP))

        series = daily_series(lib, filters, "spend", "campaign")
        areas = stacked(series, STACK_KEEP)
        assert series.values.shape == (args.campaigns, args.days), series.values.shape

        peer_lines, peer_areas = pg.PlotWidget(), pg.PlotWidget()
        for widget in (peer_lines, peer_areas):
            widget.resize(*SIZE)
            widget.show()
        app.processEvents()

        def plain_pyqtgraph() -> None:
            peer_lines.clear()
            peer_areas.clear()
            for i, row in enumerate(series.values):
                peer_lines.plot(series.x, row, pen=pg.intColor(i, len(series.values)))
            for i, row in enumerate(areas.values[::-1]):
                peer_areas.plot(areas.x, row, pen=pg.intColor(i, len(areas.values)), fillLevel=0, brush=pg.intColor(i, len(areas.values)))
            peer_lines.grab()
            peer_areas.grab()

        days = series.x.astype("datetime64[s]")

        def matplotlib_agg() -> None:
            for draw_areas in (False, True):
                figure = Figure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100)
                axes = figure.add_subplot()
                if draw_areas:
                    axes.stackplot(days, np.diff(areas.values, axis=0, prepend=0))
                else:
                    axes.plot(days, series.values.T, linewidth=1)
                FigureCanvasAgg(figure).draw()

        start = time.perf_counter()
        draw(series, areas)  # fresh charts: every series item is built here
        first_draw = (time.perf_counter() - start) * 1000
        with_query = median_ms(ours_with_query, args.repeat)
        drawing = median_ms(lambda: draw(series, areas), args.repeat)
        plain = median_ms(plain_pyqtgraph, args.repeat)
        agg = median_ms(matplotlib_agg, args.repeat)
        lib.close()

    points = args.days * args.campaigns
    print(f"{args.days} days x {args.campaigns} campaigns ({points:,} points), line chart + stacked chart ({len(areas.names)} areas), "
          f"{SIZE[0]}x{SIZE[1]} px, median of {args.repeat}")
    print(f"  (a) workspace, query + draw:        {with_query:8.1f} ms   (the KPI query in core: {with_query - drawing:.1f} ms)")
    print(f"  (b) workspace, draw only:           {drawing:8.1f} ms   goal < 200 ms: {'met' if drawing < 200 else 'NOT met'}"
          f"   (first draw, building the items: {first_draw:.1f} ms)")
    print(f"  (c) plain pyqtgraph (defaults):     {plain:8.1f} ms   ratio b/c = {drawing / plain:.2f}")
    print(f"  (d) matplotlib Agg:                 {agg:8.1f} ms   ratio b/d = {drawing / agg:.2f}")


if __name__ == "__main__":
    main()
