"""The Segments tab: open (or drop) an orders file and read its customers two ways: RFM segments
(named, with where to reach them) and k-means clusters (k chosen by silhouette unless set), with a
bar chart of each segment's share of the customers and of the value. Core's segments runs as a job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics.segments import K_RANGE, Segmentation, read_orders, segment
from studio.core.errors import BadInput
from studio.core.jobs import Job, JobState
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.workspaces.analytics.attribution_tab import (
    FileTool,
    result_table,
    show_message,
    table_item,
)
from studio.ui.workspaces.analytics.chart_base import (
    ChartPanel,
    add_legend,
    series_color,
)

KEY = "analytics/segments/"
# core's mean monetary value is the mean value: shown once (the CSV keeps both, as core gives them)
SUMMARY_HEADERS = ["Customers", "Share", "Total value", "Mean value", "Mean recency (days)", "Mean orders"]


# ---- the job ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SegmentsRequest:
    path: str
    k: int | None = None  # None: chosen by silhouette


def run_segments(request: SegmentsRequest, state: JobState) -> Segmentation:
    state.set_status("Reading the orders")
    orders = read_orders(request.path)
    state.check()
    state.set_status(f"Scoring {orders['customer'].nunique():,} customers")
    return segment(orders, k=request.k)


# ---- the chart ------------------------------------------------------------------------------------
class SegmentsChart(ChartPanel):
    """Each segment's share of the customers beside its share of the value."""

    SERIES = (("size", "% of customers"), ("total_value", "% of value"))

    def __init__(self, parent=None):
        super().__init__("segments", "Customers and value by segment", parent)
        self.finish_header()
        item = self.plot.getPlotItem()
        item.setLabel("left", "Share (%)")
        item.showGrid(x=False, y=True, alpha=0.12)
        add_legend(item)
        self.bars: list[pg.BarGraphItem] = []

    def set_segments(self, segments) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        item.legend.clear()
        self.bars = []
        x = np.arange(len(segments))
        for k, (column, name) in enumerate(self.SERIES):
            total = segments[column].sum()
            heights = 100 * segments[column].to_numpy(float) / total if total else np.zeros(len(segments))
            bars = pg.BarGraphItem(x=x - 0.2 + 0.4 * k, height=heights, width=0.37, brush=pg.mkBrush(series_color(k)),
                                   pen=pg.mkPen(None), name=name)
            item.addItem(bars)
            self.bars.append(bars)
        item.getAxis("bottom").setTicks([list(enumerate(segments["name"]))])
        item.enableAutoRange(axis="x")
        tallest = max(bar.opts["height"].max() for bar in self.bars) if len(segments) else 0.0
        item.setYRange(0, max(tallest, 1.0) * 1.25, padding=0.02)  # headroom for the legend above the bars
        if len(segments):
            top = segments.loc[segments["total_value"].idxmax()]
            value_share = top["total_value"] / segments["total_value"].sum() if segments["total_value"].sum() else 0.0
            self.say(f"{top['name']}: {top['share']:.0%} of the customers bring {value_share:.0%} of the value.")
        else:
            self.say("")


# ---- the tab --------------------------------------------------------------------------------------
class SegmentsTab(FileTool, QWidget):
    OPEN_TITLE, FILE_FILTER, SETTINGS_KEY = "Open an orders file", "Orders (*.csv *.tsv *.txt);;All files (*)", KEY
    FAILED, CANCELLED = "The orders could not be segmented", "The segmentation was cancelled."
    EXPORT_TITLE, EXPORT_NAME = "Export the segment table", "segments.csv"
    finished = Signal(object)  # the segments Job, done, failed or cancelled

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.path: str | None = None
        self.job: Job | None = None
        self.result: Segmentation | None = None
        self._build()
        self.setAcceptDrops(True)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def _build(self) -> None:
        self._file_parts("Open orders…", "A CSV with one row per order: customer id, order date, amount "
                                         "(Shopify, WooCommerce and CRM exports are read as they are); or drop it here")
        # the lowest value stands for "auto": k chosen by the silhouette score
        self.k = QSpinBox(minimum=K_RANGE.start - 1, maximum=K_RANGE.stop - 1, specialValueText="auto", prefix="k = ",
                          accessibleName="Number of clusters",
                          toolTip=f"How many k-means clusters; auto picks the best by silhouette ({K_RANGE.start} to {K_RANGE.stop - 1})")
        self.k.setValue(int(QSettings().value(KEY + "k", self.k.minimum())))
        self.k.valueChanged.connect(self._on_k_changed)
        self.export_button = QPushButton(theme().icon("mdi6.export-variant"), "Export table…", enabled=False,
                                         toolTip="The RFM segments with their channels as a CSV file")
        self.export_button.clicked.connect(self.export_with_dialog)
        segments_row = QHBoxLayout()
        segments_row.addWidget(QLabel("RFM segments", objectName="PanelTitle"))
        segments_row.addStretch(1)
        segments_row.addWidget(self.export_button)
        self.segments_table = result_table(["Segment", *SUMMARY_HEADERS, "Suggested channels"])
        self.clusters_label = QLabel(objectName="PanelTitle")
        self.clusters_table = result_table(["Cluster", "Mostly", *SUMMARY_HEADERS])
        tables = QWidget()
        column = QVBoxLayout(tables)
        column.setContentsMargins(10, 0, 0, 0)
        column.addLayout(segments_row)
        column.addWidget(self.segments_table, 3)
        column.addWidget(self.clusters_label)
        column.addWidget(self.clusters_table, 2)
        self.chart = SegmentsChart()
        splitter = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        splitter.addWidget(tables)
        splitter.addWidget(self.chart)
        splitter.setSizes([650, 350])  # the tables are wide: the channels column reads in full
        self._lay_out([self._top_row(QLabel("Clusters"), self.k)], splitter,
                      EmptyState("mdi6.account-group-outline", "Drop an orders file here",
                                 "One row per order with a customer id, an order date and an amount. Customers are "
                                 "scored on recency, frequency and value, named (Champions, At risk…) and clustered."))

    # ---- choosing ------------------------------------------------------------------------------
    def chosen_k(self) -> int | None:
        return None if self.k.value() == self.k.minimum() else self.k.value()

    def _on_k_changed(self) -> None:
        QSettings().setValue(KEY + "k", self.k.value())
        if self.path:
            self.compute()

    # ---- computing (latest request wins) ---------------------------------------------------------
    def compute(self) -> Job:
        if self.job is not None:  # its answer is no longer wanted
            self.job.cancel()
        self.job = self.ctx.submit(run_segments, SegmentsRequest(self.path, self.chosen_k()),
                                   title=f"Segments of {Path(self.path).name}", lane="io")
        self.cancel_button.show()
        show_message(self.message, "Segmenting the customers…", "busy")
        return self.job

    def forget_result(self) -> None:
        """The last file's numbers would read as this file's: take them down."""
        self.result = None
        self.export_button.setEnabled(False)
        self.stack.setCurrentIndex(0)

    # ---- showing ----------------------------------------------------------------------------------
    def show_result(self, result: Segmentation) -> None:
        self.result = result
        customers = len(result.customers)
        self._fill(self.segments_table, [[table_item(r.name)] + self._summary_cells(r) +
                                         [self._channels_item(r.channels)] for r in result.segments.itertuples()])
        self._fill(self.clusters_table, [[table_item(str(r.cluster + 1), r.cluster + 1), table_item(r.name.removeprefix("mostly "))]
                                         + self._summary_cells(r) for r in result.clusters.itertuples()])
        self.clusters_label.setText(f"K-MEANS CLUSTERS · k = {result.k} · silhouette {result.silhouette:.2f}")
        self.chart.set_segments(result.segments)
        self.export_button.setEnabled(True)
        self.stack.setCurrentIndex(1)
        self.file_label.setText(f"{Path(self.path).name} · {customers:,} customers")

    @staticmethod
    def _summary_cells(r) -> list:
        return [table_item(f"{r.size:,}", r.size), table_item(f"{r.share:.1%}", r.share),
                table_item(f"{r.total_value:,.2f}", r.total_value), table_item(f"{r.mean_value:,.2f}", r.mean_value),
                table_item(f"{r.recency:,.0f}", r.recency), table_item(f"{r.frequency:,.1f}", r.frequency)]

    @staticmethod
    def _channels_item(channels: list[str]):
        item = table_item(", ".join(channels))
        item.setToolTip("\n".join(channels))
        return item

    @staticmethod
    def _fill(table, rows: list[list]) -> None:
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for row, items in enumerate(rows):
            for col, item in enumerate(items):
                table.setItem(row, col, item)
        table.resizeColumnsToContents()

    # ---- exporting --------------------------------------------------------------------------------
    def table_to_export(self) -> pd.DataFrame:
        """The segment table, channels joined by "; "."""
        if self.result is None:
            raise BadInput("There is no segment table yet: open an orders file first.")
        table = self.result.segments.assign(channels=self.result.segments["channels"].map("; ".join))
        return table.rename(columns={"name": "segment", "size": "customers"})
