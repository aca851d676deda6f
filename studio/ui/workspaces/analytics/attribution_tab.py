"""The Attribution tab: open (or drop) a journeys file, pick the models to compare, and read who
gets the credit for the conversions: a table per model (conversions, value, share) and a grouped
bar chart of all the chosen models side by side. The models run as a job (core's attribution)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics.attribution import attribute, read_journeys
from studio.core.errors import BadInput
from studio.core.jobs import Job, JobState
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.workspaces.analytics.chart_base import (
    ChartPanel,
    add_legend,
    series_color,
)

JOURNEY_FILES = (".csv", ".tsv", ".txt")
MODEL_NAMES = {"first": "First touch", "last": "Last touch", "linear": "Linear", "time_decay": "Time decay",
               "position": "Position 40/20/40", "markov": "Markov", "shapley": "Shapley"}
DEFAULT_MODELS = ("last", "linear", "markov")
KEY = "analytics/attribution/"


def show_message(label: QLabel, text: str, state: str = "") -> None:
    """Put text in a status label, coloured by state ("bad", "ok" or "" for muted); hidden when empty."""
    label.setText(text)
    label.setProperty("state", state)
    label.style().polish(label)
    label.setVisible(bool(text))


def table_item(text: str, value: float | None = None) -> QTableWidgetItem:
    """A read-only cell; numbers align right and sort by value."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
    if value is not None:
        item.setData(Qt.UserRole, float(value))
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return item


def result_table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), alternatingRowColors=True, wordWrap=False)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def journey_files(mime) -> list[str]:
    return [url.toLocalFile() for url in mime.urls()
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in JOURNEY_FILES]


# ---- the job ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelChoice:
    model: str
    order: int = 1  # Markov
    ordered: bool = False  # Shapley

    @property
    def label(self) -> str:
        if self.model == "markov":
            return f"Markov (order {self.order})"
        if self.model == "shapley":
            return f"Shapley ({'ordered' if self.ordered else 'unordered'})"
        return MODEL_NAMES[self.model]

    def options(self) -> dict:
        return {"order": self.order} if self.model == "markov" else {"ordered": self.ordered} if self.model == "shapley" else {}


@dataclass(frozen=True)
class AttributionRequest:
    path: str
    models: tuple[ModelChoice, ...]


def run_attribution(request: AttributionRequest, state: JobState) -> dict[str, pd.DataFrame]:
    """model label -> channel table (conversions, value, share of conversions), channels biggest first."""
    state.set_status("Reading the journeys")
    journeys = read_journeys(request.path)
    tables = {}
    for i, choice in enumerate(request.models):
        state.check()
        state.set_status(f"Running {choice.label}")
        table = attribute(journeys, choice.model, **choice.options()).table[["conversions", "value"]]
        total = table["conversions"].sum()
        table = table.assign(share=table["conversions"] / total if total else 0.0)
        tables[choice.label] = table.sort_values("conversions", ascending=False)
        state.set_progress(i + 1, len(request.models))
    return tables


def long_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All the models' tables in one: model, channel, conversions, value, share."""
    return pd.concat([t.rename_axis("channel").reset_index().assign(model=name) for name, t in tables.items()],
                     ignore_index=True)[["model", "channel", "conversions", "value", "share"]]


# ---- the chart ------------------------------------------------------------------------------------
class AttributionChart(ChartPanel):
    """Attributed conversions per channel, one bar per model, the models side by side."""

    def __init__(self, parent=None):
        super().__init__("attribution", "Attribution by model", parent)
        self.finish_header()
        item = self.plot.getPlotItem()
        item.setLabel("left", "Conversions")
        item.showGrid(x=False, y=True, alpha=0.12)
        add_legend(item)
        self.bars: list[pg.BarGraphItem] = []

    def set_tables(self, tables: dict[str, pd.DataFrame]) -> None:
        item = self.plot.getPlotItem()
        item.clear()
        item.legend.clear()
        channels = list(next(iter(tables.values())).index) if tables else []
        width = 0.8 / max(len(tables), 1)
        self.bars = []
        for k, (name, table) in enumerate(tables.items()):
            x = np.arange(len(channels)) - 0.4 + width * (k + 0.5)
            heights = table["conversions"].reindex(channels, fill_value=0.0).to_numpy(float)
            colour = series_color(k)
            bars = pg.BarGraphItem(x=x, height=heights, width=width * 0.92, brush=pg.mkBrush(colour), pen=pg.mkPen(None), name=name)
            item.addItem(bars)
            self.bars.append(bars)
        item.getAxis("bottom").setTicks([list(enumerate(map(str, channels)))])
        item.enableAutoRange()
        self.say(f"{len(channels)} channels, {len(tables)} models." if tables else "")


# ---- the tab --------------------------------------------------------------------------------------
class FileTool:
    """A tab that reads a file the user opens or drops (journeys, orders) in a job, the latest request
    winning, and exports its table as CSV. The tab gives the texts below, a `finished` signal,
    self.path, self.job, self.message, self.file_label, self.cancel_button, compute() (submits the job),
    show_result(result) and table_to_export(); its _build() makes its parts with the helpers below."""

    OPEN_TITLE = FILE_FILTER = SETTINGS_KEY = ""  # the open dialog's title and filter; where its folder is kept
    FAILED = CANCELLED = ""  # "The journeys could not be attributed", "The attribution was cancelled."
    EXPORT_TITLE = EXPORT_NAME = ""

    # ---- building ---------------------------------------------------------------------------------
    def _file_parts(self, open_text: str, open_tip: str) -> None:
        """The open button, the file's name, Cancel (while the job runs) and the message line."""
        self.open_button = QPushButton(theme().icon("mdi6.folder-open-outline"), open_text, toolTip=open_tip)
        self.open_button.clicked.connect(lambda: self.choose_file())
        self.file_label = QLabel(objectName="Muted")
        self.cancel_button = QPushButton("Cancel", visible=False)
        self.cancel_button.clicked.connect(self.cancel)
        self.message = QLabel(objectName="Muted", wordWrap=True, visible=False)
        self.message.setContentsMargins(10, 0, 10, 0)

    def _top_row(self, *controls: QWidget) -> QHBoxLayout:
        """Open, the file's name, the tab's own controls, Cancel."""
        top = QHBoxLayout()
        top.setContentsMargins(10, 6, 10, 0)
        top.addWidget(self.open_button)
        top.addWidget(self.file_label, 1)
        for control in controls:
            top.addWidget(control)
        top.addWidget(self.cancel_button)
        return top

    def _lay_out(self, rows: list[QHBoxLayout], results: QWidget, empty: EmptyState) -> None:
        """The rows and the message line above the empty state (with its own open button) until
        there are results."""
        button = QPushButton(theme().icon("mdi6.folder-open-outline"), self.open_button.text())
        button.clicked.connect(lambda: self.choose_file())
        empty.add_button(button)
        self.empty = empty
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(results)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        for row in rows:
            layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

    # ---- reading and exporting ----------------------------------------------------------------
    def choose_file(self, path: str | None = None) -> Job | None:
        """Read this file; without a path, ask for one first."""
        if path is None:
            folder = QSettings().value(self.SETTINGS_KEY + "folder", str(Path.home()))
            path, _ = QFileDialog.getOpenFileName(self, self.OPEN_TITLE, folder, self.FILE_FILTER)
            if not path:
                return None
            QSettings().setValue(self.SETTINGS_KEY + "folder", str(Path(path).parent))
        self.path = str(path)
        self.file_label.setText(Path(path).name)
        return self.compute()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job or not job.finished:
            return
        self.job = None
        self.cancel_button.hide()
        if job.status == "done":
            self.show_result(job.result)
            show_message(self.message, "")
        elif job.status == "failed":
            self.forget_result()
            show_message(self.message, f"{self.FAILED}: {job.error}", "bad")
        else:
            show_message(self.message, self.CANCELLED)
        self.finished.emit(job)

    def forget_result(self) -> None:
        """Called when reading a file failed; a tab whose old numbers would mislead takes them down."""

    def export_table(self, path: str | Path) -> Path:
        """The tab's table as CSV, written to a temporary name and then renamed."""
        path = Path(path)
        if path.suffix.lower() != ".csv":
            raise BadInput(f"The table exports to a .csv file, not {path.suffix or 'a file without a suffix'}: change the file name.")
        table = self.table_to_export()
        partial = path.with_name(path.name + ".partial")
        table.to_csv(partial, index=False)
        os.replace(partial, path)
        return path

    def export_with_dialog(self) -> None:
        folder = QSettings().value("analytics/export_folder", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(self, self.EXPORT_TITLE, str(Path(folder) / self.EXPORT_NAME), "CSV table (*.csv)")
        if path:
            QSettings().setValue("analytics/export_folder", str(Path(path).parent))
            try:
                self.export_table(path if path.lower().endswith(".csv") else f"{path}.csv")
            except (OSError, BadInput) as exc:
                show_message(self.message, f"The table was not exported: {getattr(exc, 'strerror', None) or exc}. "
                                           "Choose another folder or name.", "bad")

    # spreadsheet exports (.csv, .tsv, .txt) dropped on the tab
    def dragEnterEvent(self, event) -> None:
        if journey_files(event.mimeData()):
            event.acceptProposedAction()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event) -> None:
        paths = journey_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.choose_file(paths[0])


class AttributionTab(FileTool, QWidget):
    OPEN_TITLE, FILE_FILTER, SETTINGS_KEY = "Open a journeys file", "Journeys (*.csv *.tsv *.txt);;All files (*)", KEY
    FAILED, CANCELLED = "The journeys could not be attributed", "The attribution was cancelled."
    EXPORT_TITLE, EXPORT_NAME = "Export the attribution table", "attribution.csv"
    finished = Signal(object)  # the attribution Job, done, failed or cancelled

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.path: str | None = None
        self.job: Job | None = None
        self.tables: dict[str, pd.DataFrame] = {}
        self._build()
        self.setAcceptDrops(True)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def _build(self) -> None:
        settings = QSettings()
        chosen = str(settings.value(KEY + "models", ",".join(DEFAULT_MODELS))).split(",")
        self._file_parts("Open journeys…", "A CSV with one row per path (facebook > search, conversions, nulls) "
                                           "or one row per touch (id, timestamp, channel, conversion); or drop it here")
        self.model_buttons: dict[str, QCheckBox] = {}
        models = QHBoxLayout()
        models.setSpacing(10)
        for key, text in MODEL_NAMES.items():
            button = QCheckBox(text, checked=key in chosen, toolTip=f"Compare the {text} model", accessibleName=text)
            button.toggled.connect(self._on_models_changed)
            self.model_buttons[key] = button
            models.addWidget(button)
        self.order = QSpinBox(minimum=1, maximum=3, value=int(settings.value(KEY + "order", 1)), prefix="order ",
                              accessibleName="Markov order", toolTip="How many previous channels the Markov chain remembers",
                              maximumWidth=90)
        self.ordered = QComboBox(accessibleName="Shapley variant")
        self.ordered.addItem("unordered", False)
        self.ordered.addItem("ordered", True)
        self.ordered.setCurrentIndex(int(str(settings.value(KEY + "ordered", "false")).lower() == "true"))
        models.insertWidget(list(MODEL_NAMES).index("markov") + 1, self.order)
        models.addWidget(self.ordered)
        self.order.valueChanged.connect(self._on_models_changed)
        self.ordered.currentIndexChanged.connect(self._on_models_changed)
        row = QHBoxLayout()
        row.setContentsMargins(10, 0, 10, 0)
        row.addWidget(QLabel("Models"))
        row.addLayout(models)
        row.addStretch(1)
        self.table_model = QComboBox(accessibleName="Table model")
        self.table_model.currentIndexChanged.connect(self._show_table)
        self.export_button = QPushButton(theme().icon("mdi6.export-variant"), "Export table…", enabled=False,
                                         toolTip="Every model's credit per channel as a CSV file")
        self.export_button.clicked.connect(self.export_with_dialog)
        table_row = QHBoxLayout()
        table_row.addWidget(QLabel("Table"))
        table_row.addWidget(self.table_model)
        table_row.addStretch(1)
        table_row.addWidget(self.export_button)
        self.table = result_table(["Channel", "Conversions", "Value", "Share"])
        table_side = QWidget()
        column = QVBoxLayout(table_side)
        column.setContentsMargins(10, 0, 0, 0)
        column.addLayout(table_row)
        column.addWidget(self.table, 1)
        self.chart = AttributionChart()
        splitter = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        splitter.addWidget(table_side)
        splitter.addWidget(self.chart)
        splitter.setSizes([380, 620])
        self._lay_out([self._top_row(), row], splitter,
                      EmptyState("mdi6.transit-connection-variant", "Drop a journeys file here",
                                 "One row per path (facebook > search > email, conversions, value, nulls) or one row "
                                 "per touch (id, timestamp, channel, conversion). Each model's credit shows side by side."))

    # ---- choosing ------------------------------------------------------------------------------
    def chosen(self) -> tuple[ModelChoice, ...]:
        return tuple(ModelChoice(key, self.order.value(), self.ordered.currentData())
                     for key, button in self.model_buttons.items() if button.isChecked())

    def _on_models_changed(self) -> None:
        settings = QSettings()
        settings.setValue(KEY + "models", ",".join(c.model for c in self.chosen()))
        settings.setValue(KEY + "order", self.order.value())
        settings.setValue(KEY + "ordered", "true" if self.ordered.currentData() else "false")
        if self.path:
            self.compute()

    # ---- computing (latest request wins) ---------------------------------------------------------
    def compute(self) -> Job | None:
        models = self.chosen()
        if self.job is not None:  # its answer is no longer wanted
            self.job.cancel()
            self.job = None
            self.cancel_button.hide()
        if not models:
            show_message(self.message, "Pick at least one model to compare.", "bad")
            return None
        self.job = self.ctx.submit(run_attribution, AttributionRequest(self.path, models),
                                   title=f"Attribution of {Path(self.path).name}", lane="io")
        self.cancel_button.show()
        show_message(self.message, f"Running {len(models)} model{'s' if len(models) > 1 else ''}…", "busy")
        return self.job

    # ---- showing ----------------------------------------------------------------------------------
    def show_result(self, tables: dict[str, pd.DataFrame]) -> None:
        self.tables = tables
        wanted = self.table_model.currentText()
        self.table_model.blockSignals(True)
        self.table_model.clear()
        self.table_model.addItems(list(tables))
        self.table_model.setCurrentIndex(max(0, self.table_model.findText(wanted)))
        self.table_model.blockSignals(False)
        self.export_button.setEnabled(bool(tables))
        self.stack.setCurrentIndex(1)
        self._show_table()
        self.chart.set_tables(tables)

    def _show_table(self) -> None:
        table = self.tables.get(self.table_model.currentText())
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0 if table is None else len(table))
        for row, (channel, r) in enumerate([] if table is None else table.iterrows()):
            self.table.setItem(row, 0, table_item(str(channel)))
            self.table.setItem(row, 1, table_item(f"{r.conversions:,.2f}", r.conversions))
            self.table.setItem(row, 2, table_item(f"{r.value:,.2f}", r.value))
            self.table.setItem(row, 3, table_item(f"{r.share:.1%}", r.share))
        self.table.resizeColumnsToContents()

    # ---- exporting --------------------------------------------------------------------------------
    def table_to_export(self) -> pd.DataFrame:
        """Every model's table as one."""
        return long_table(self.tables)
