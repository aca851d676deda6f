"""The Analytics workspace: drop the reports you download from the ad platforms, read the period's
KPIs against the period before, and see them drawn.

    toolbar      Import reports… (Ctrl+I, or drop files anywhere here), Pull from Meta / Google Ads…,
                 Charts, progress and Cancel
    filters      period, comparison, platform, currency
    tabs         Overview (tiles + charts) · Breakdown (table) · Imports · Alerts & forecast ·
                 Actions (rules and the approval queue) · Summary (and the report) · Attribution ·
                 Budget · A/B test · Segments; add_tab() adds more

Imports run as jobs; a report from a source the studio does not know opens the column-mapping
dialog, and the import runs again with the mapping, which is remembered for such files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics import store
from studio.core.analytics.ingest import IngestParams
from studio.core.analytics.kpis import data_range, kpis
from studio.core.jobs import Job
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.workspace_frame import add_bar_action, stack_under, workspace_bar
from studio.ui.workspaces.analytics.charts import STACK_KEEP
from studio.ui.workspaces.analytics.data import (
    Preview,
    breakdown,
    campaign_points,
    curve_input,
    daily_series,
    fit_platform_curves,
    run_import,
    stacked,
    summary,
)
from studio.ui.workspaces.analytics.dialogs import ImportReportDialog, MappingDialog
from studio.ui.workspaces.analytics.filters import FiltersBar
from studio.ui.workspaces.analytics.overview import OverviewTab
from studio.ui.workspaces.analytics.abtest_tab import ABTestTab
from studio.ui.workspaces.analytics.actions_tab import ActionsTab
from studio.ui.workspaces.analytics.alerts_tab import AlertsTab
from studio.ui.workspaces.analytics.attribution_tab import AttributionTab
from studio.ui.workspaces.analytics.budget_tab import BudgetTab
from studio.ui.workspaces.analytics.panels import BreakdownTab, ImportsTab
from studio.ui.workspaces.analytics.pull_dialog import PullDialog
from studio.ui.workspaces.analytics.segments_tab import SegmentsTab
from studio.ui.workspaces.analytics.summary_tab import SummaryTab

IMPORTABLE = (".csv", ".tsv", ".txt", ".xlsx")
FILE_FILTER = "Performance reports (*.csv *.tsv *.txt *.xlsx);;All files (*)"
TAB_KEY = "analytics/layout/tab"


def importable(mime) -> list[str]:
    """The local report files among what is dragged."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMPORTABLE]


class AnalyticsView(RefreshWhenShown, QWidget):
    refreshed = Signal()
    import_finished = Signal(object)  # the import Job, done, failed or cancelled
    mapping_requested = Signal(object)  # the MappingDialog, just opened
    curves_finished = Signal(object)  # the curve-fit Job
    removed = Signal(object)  # the remove-import Job

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.import_job: Job | None = None
        self.pull_dialog: PullDialog | None = None
        self.fit_job: Job | None = None
        self.remove_job: Job | None = None
        self.waiting: list[Preview] = []  # unknown reports still to be mapped
        self.mapping_dialog: MappingDialog | None = None
        self.report_dialog: ImportReportDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._build()
        self.setAcceptDrops(True)
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.job_changed.connect(self._on_job_changed)
        self.refresh()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        bar = workspace_bar()
        self.import_action = add_bar_action(self, bar, "mdi6.file-import-outline", "Import reports…", "Ctrl+I",
                                            "Import reports downloaded from Meta, Google Ads, TikTok, LinkedIn or any other "
                                            "source (CSV, TSV, XLSX), or drop them here", self.choose_files)
        self.pull_action = bar.addAction(theme().icon("mdi6.cloud-download-outline"), "Pull from Meta / Google Ads…")
        self.pull_action.setToolTip("Pull daily performance from the Meta and Google Ads APIs with the keys in Settings ▸ Accounts & keys")
        self.pull_action.triggered.connect(self.open_pull)
        self.overview = OverviewTab()
        self.charts_action = bar.addWidget(self.overview.charts_button)  # shown with the Overview tab only
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        bar.addWidget(spacer)
        self.busy_label = QLabel(objectName="Muted")
        self.progress = QProgressBar(maximumWidth=180, textVisible=False, maximum=1000)
        self.cancel_button = QPushButton("Cancel", toolTip="Cancel the import: the file in flight is not imported")
        self.cancel_button.clicked.connect(self.cancel_import)
        for widget in (self.busy_label, self.progress, self.cancel_button):
            bar.addWidget(widget).setVisible(False)
        self._busy_actions = bar.actions()[-3:]
        self.filters = FiltersBar()
        self.filters.changed.connect(self.show_numbers)
        self.status = QLabel(objectName="Muted", wordWrap=True)
        self.status.setContentsMargins(10, 0, 10, 4)
        self.status.hide()
        self.breakdown = BreakdownTab()
        self.breakdown.dimension_changed.connect(self._show_breakdown)
        self.imports = ImportsTab()
        self.imports.import_requested.connect(lambda: self.choose_files())
        self.imports.remove_requested.connect(self.confirm_remove)
        self.overview.options_changed.connect(self._show_charts)
        self.overview.curves.fit_requested.connect(self.fit_curves)
        self.tabs = QTabWidget(documentMode=True)
        self.add_tab(self.overview, "Overview", "mdi6.view-dashboard-outline")
        self.add_tab(self.breakdown, "Breakdown", "mdi6.table")
        self.add_tab(self.imports, "Imports", "mdi6.file-import-outline")
        self.alerts = AlertsTab(self.ctx, self.filters)
        self.add_tab(self.alerts, "Alerts && forecast", "mdi6.bell-alert-outline")
        self.actions_tab = ActionsTab(self.ctx, self.filters)
        self.add_tab(self.actions_tab, "Actions", "mdi6.scale-balance")
        self.summary = SummaryTab(self.ctx, self.filters)
        self.add_tab(self.summary, "Summary", "mdi6.text-box-outline")
        self.attribution = AttributionTab(self.ctx)
        self.add_tab(self.attribution, "Attribution", "mdi6.transit-connection-variant")
        self.add_tab(BudgetTab(self.ctx, self.filters), "Budget", "mdi6.cash-multiple")
        self.abtest = ABTestTab()
        self.add_tab(self.abtest, "A/B test", "mdi6.ab-testing")
        self.segments = SegmentsTab(self.ctx)
        self.add_tab(self.segments, "Segments", "mdi6.account-group-outline")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tabs.setCurrentIndex(int(QSettings().value(TAB_KEY, 0) or 0))
        self._on_tab_changed(self.tabs.currentIndex())
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.filters)
        column.addWidget(self.status)
        column.addWidget(self.tabs, 1)
        self.empty = EmptyState("mdi6.chart-line", "Drop performance reports here",
                                "Reports downloaded from Meta Ads Manager, Google Ads, TikTok or LinkedIn (CSV, TSV or XLSX) "
                                "are read as they are; other sources get a column mapping once.")
        button = QPushButton(theme().icon("mdi6.file-import-outline"), "Import reports…")
        button.clicked.connect(lambda: self.choose_files())
        self.empty.add_button(button)
        for title, icon, tab in (("Attribution…", "mdi6.transit-connection-variant", self.attribution),
                                 ("A/B test…", "mdi6.ab-testing", self.abtest),
                                 ("Segments…", "mdi6.account-group-outline", self.segments)):  # these need no reports
            tool = QPushButton(theme().icon(icon), title)
            tool.clicked.connect(lambda _=False, tab=tab: self.show_tool(tab))
            self.empty.add_button(tool)
        self.stack = stack_under(self, bar, content, self.empty)

    def open_pull(self) -> PullDialog:
        """The pull dialog, kept: a pull still running shows when it is opened again."""
        if self.pull_dialog is None:
            self.pull_dialog = PullDialog(self.ctx, self.filters, self)
        self.pull_dialog.open()
        return self.pull_dialog

    def show_tool(self, tab: QWidget) -> None:
        """A tab that needs no imported reports (attribution, A/B test, segments), shown even before any."""
        self.stack.setCurrentIndex(0)
        self.tabs.setCurrentWidget(tab)

    def add_tab(self, widget: QWidget, title: str, icon: str | None = None) -> int:
        """One more tab after the others (anomalies, attribution, budget… add theirs this way)."""
        return self.tabs.addTab(widget, theme().icon(icon) if icon else QIcon(), title)

    def _on_tab_changed(self, index: int) -> None:
        QSettings().setValue(TAB_KEY, index)
        self.charts_action.setVisible(self.tabs.widget(index) is self.overview)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # ---- what is shown -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the library again: imports, the filters' choices, and every number and chart."""
        lib = self.ctx.lib
        self.imports.show_batches(store.list_imports(lib))
        whole = data_range(lib)
        if whole is None:
            self.stack.setCurrentWidget(self.empty)
            self.refreshed.emit()
            return
        self.stack.setCurrentIndex(0)
        everything = kpis(lib, "platform", compare=False)
        by_spend = lambda column: list(everything.groupby(column)["spend"].sum().sort_values(ascending=False).index)
        self.filters.set_choices(by_spend("platform"), by_spend("currency"), whole[1])
        self.show_numbers()
        self.refreshed.emit()

    def show_numbers(self) -> None:
        if self.stack.currentWidget() is self.empty:
            return
        f = self.filters.filters()
        current, previous = summary(self.ctx.lib, f)
        self.overview.tiles.show_totals(current, previous, f.currency)
        self.overview.funnel.set_totals(current)
        self.overview.scatter.currency = f.currency
        self.overview.scatter.set_points(campaign_points(self.ctx.lib, f))
        self._show_charts()
        self._show_breakdown()

    def _show_charts(self) -> None:
        series, stack = self.overview.series, self.overview.stacked
        series.set_series(self._daily(series.metric_box.currentData(), series.split_box.currentData()), self.filters.filters().currency)
        stack.set_series(stacked(self._daily(stack.metric_box.currentData(), stack.split_box.currentData()), STACK_KEEP))

    def _daily(self, metric: str, split: str):
        series = daily_series(self.ctx.lib, self.filters.filters(), metric, split)
        if split == "platform":
            series.names = [PLATFORM_NAMES.get(n, n) for n in series.names]
        return series

    def _show_breakdown(self) -> None:
        if self.stack.currentWidget() is not self.empty:
            self.breakdown.show_frame(breakdown(self.ctx.lib, self.filters.filters(), self.breakdown.by.currentData()))

    def _on_bus_changed(self, result) -> None:
        if store.CHANGES & set(result.changes):
            self.follow_change()

    # ---- importing ---------------------------------------------------------------------------
    def choose_files(self, paths: list[str] | None = None) -> Job | None:
        """Import these report files; without paths, ask for them first."""
        if paths is None:
            folder = QSettings().value("analytics/import_folder", str(Path.home()))
            paths, _ = QFileDialog.getOpenFileNames(self, "Import performance reports", folder, FILE_FILTER)
            if paths:
                QSettings().setValue("analytics/import_folder", str(Path(paths[0]).parent))
        return self.import_files(paths) if paths else None

    def import_files(self, paths, mapping: dict | None = None) -> Job | None:
        paths = [str(p) for p in paths]
        if self.import_job is not None:
            self.ctx.notify("An import is running; import these files again when it has finished.", "warning")
            return None
        names = ", ".join(Path(p).name for p in paths[:2]) + (f" and {len(paths) - 2} more" if len(paths) > 2 else "")
        params = IngestParams(str(self.ctx.lib.root), paths, mapping)
        self.import_job = self.ctx.submit(run_import, params, title=f"Import {names}", lib=self.ctx.lib)
        self.busy_label.setText(f"Importing {names}…")
        self.progress.setValue(0)
        for action in self._busy_actions:
            action.setVisible(True)
        self._say("")
        return self.import_job

    def cancel_import(self) -> None:
        if self.import_job is not None:
            self.import_job.cancel()
            self.busy_label.setText("Cancelling…")

    def _on_job_changed(self, job: Job) -> None:
        if job is self.import_job:
            if not job.finished:
                self.progress.setValue(int((job.state.progress or 0) * 1000))
                return
            self.import_job = None
            for action in self._busy_actions:
                action.setVisible(False)
            self._on_import_finished(job)
        elif job is self.fit_job and job.finished:
            self.fit_job = None
            self._on_fit_finished(job)
        elif job is self.remove_job and job.finished:
            self.remove_job = None
            if job.status == "done":
                self.ctx.notify(f"Removed the import and its {job.result:,} facts.")
            elif job.status == "failed":
                self.ctx.notify(f"The import was not removed: {job.error}", "warning")
            self.removed.emit(job)

    def _on_import_finished(self, job: Job) -> None:
        if job.status == "failed":
            self._say(f"The import failed: {job.error}")
        elif job.status == "cancelled" or job.state.cancelled:
            self._say("The import was cancelled; the file in flight was not imported (files finished before it were).")
        else:
            outcome = job.result
            unknown = {p.path for p in outcome.unknown}
            known = [r for r in outcome.reports if r.file not in unknown]
            if known:
                self.report_dialog = ImportReportDialog(known, self)
                self.report_dialog.open()
            self.waiting.extend(outcome.unknown)
            self._ask_next_mapping()
        self.import_finished.emit(job)

    def _ask_next_mapping(self) -> None:
        if not self.waiting or self.import_job is not None or (self.mapping_dialog and self.mapping_dialog.isVisible()):
            return
        dialog = self.mapping_dialog = MappingDialog(self.waiting.pop(0), self)
        dialog.accepted.connect(lambda: self.import_files([dialog.preview.path], dialog.mapping()))
        dialog.rejected.connect(self._ask_next_mapping)
        dialog.open()
        self.mapping_requested.emit(dialog)

    # ---- removing an import ------------------------------------------------------------------
    def confirm_remove(self, batch: store.BatchInfo) -> QMessageBox:
        box = self.confirm_box = QMessageBox(
            QMessageBox.Warning, "Remove import",
            f"Take {batch.file_name} back out of the library? Its {batch.facts:,} facts are deleted. Days it had "
            "replaced are not brought back: import the older report again for those.", parent=self)
        remove = box.addButton("Remove import", QMessageBox.DestructiveRole)
        box.addButton(QMessageBox.Cancel)
        box.setDefaultButton(QMessageBox.Cancel)
        box.buttonClicked.connect(lambda button: self.remove_import(batch.id) if button is remove else None)
        box.open()
        return box

    def remove_import(self, batch_id: int) -> Job | None:
        if self.remove_job is not None:
            return None
        lib = self.ctx.lib
        self.remove_job = self.ctx.submit(lambda _p, _state: store.remove_import(lib, batch_id), title="Remove import", lane="db")
        return self.remove_job

    # ---- response curves ---------------------------------------------------------------------
    def fit_curves(self) -> Job | None:
        if self.fit_job is not None or self.stack.currentWidget() is self.empty:
            return None
        currency = self.filters.filters().currency
        self.overview.curves.fit_button.setEnabled(False)
        self.overview.curves.say("Fitting the response curves…")
        self.fit_job = self.ctx.submit(fit_platform_curves, curve_input(self.ctx.lib, currency), title="Fit response curves", lane="cpu")
        self._fit_currency = currency
        return self.fit_job

    def _on_fit_finished(self, job: Job) -> None:
        chart = self.overview.curves
        chart.fit_button.setEnabled(True)
        if job.status == "done":
            chart.set_curves(job.result, self._fit_currency)
        elif job.status == "failed":
            chart.say(f"The curves could not be fitted: {job.error}")
        else:
            chart.say("The fit was cancelled.")
        self.curves_finished.emit(job)

    # ---- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if importable(event.mimeData()):
            event.acceptProposedAction()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event) -> None:
        paths = importable(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)
