"""File ▸ Export ad package…: choose the campaign, platforms, placements and sources; see every
rendition's check status (worked out as a job whenever a choice changes) and each placement's
copy; build the package as a job with progress and Cancel; open the folder."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.export.package import PackageParams, build_package
from studio.core.export.plan import Plan, make_plan
from studio.core.specs.catalog import load_catalog
from studio.ui.bridge import when_finished
from studio.ui.export.choices import Choice, ExportChoices
from studio.ui.export.copy_editor import CopyPane
from studio.ui.export.findings import status_icon, status_of
from studio.ui.export.renditions import RenditionsPane
from studio.ui.export.spec_browser import SpecBrowser
from studio.ui.shell.render_settings import render_pool
from studio.ui.shell.theme import theme

OUT_KEY = "export/out_dir"
CHECK_DELAY_MS = 400  # choices settle (a burst of ticks) before the package is checked again
SOURCE_TABLES = {"compositions", "assets"}
CAMPAIGN_TABLES = {"clients", "brands", "campaigns"}


def default_out_dir() -> str:
    return str(Path.home() / "Ad packages")


def _plan(params: tuple, state) -> Plan:
    lib, choice, catalog = params
    state.set_status("Checking every rendition against its spec")
    return make_plan(lib, choice.campaign_id, choice.platforms, spec_ids=choice.spec_ids,
                     composition_ids=choice.composition_ids, asset_ids=choice.asset_ids, catalog=catalog)


class ExportDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.catalog = load_catalog(ctx.lib)
        self.plan: Plan | None = None
        self.plan_choice: Choice | None = None  # what self.plan was made for
        self.check_job = self.build_job = None
        self.message_box: QMessageBox | None = None
        self.spec_browser: SpecBrowser | None = None
        self.setWindowTitle("Export ad package")
        self.resize(1280, 800)

        self.choices = ExportChoices(ctx)
        self.choices.setMinimumWidth(280)
        self.renditions = RenditionsPane()
        self.copy_pane = CopyPane(ctx)
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.renditions, "Renditions")
        self.tabs.addTab(self.copy_pane, "Copy")
        self.summary = QLabel(wordWrap=True, textFormat=Qt.RichText)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(12, 0, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(self.tabs, 1)
        split = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        split.addWidget(self.choices)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 960])

        self.out_dir = QLineEdit(str(QSettings().value(OUT_KEY, default_out_dir())), accessibleName="Output folder")
        browse = QPushButton("Choose…", clicked=self._on_browse_clicked)
        self.build_status = QLabel(objectName="Muted")
        self.progress = QProgressBar(textVisible=False, maximumWidth=160, visible=False)
        self.cancel_button = QPushButton("Cancel build", visible=False, clicked=self._on_cancel_clicked)
        self.specs_button = QPushButton("Specs…", clicked=self.open_spec_browser, toolTip="Look up any placement's rules")
        self.check_button = QPushButton("Check", clicked=self.check, toolTip="Check every rendition and the copy again")
        self.build_button = QPushButton("Build package", clicked=self.build, enabled=False)
        self.build_button.setProperty("primary", True)
        close = QPushButton("Close", clicked=self.close)
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("Save into"))
        out_row.addWidget(self.out_dir, 1)
        out_row.addWidget(browse)
        out_row.addSpacing(16)
        out_row.addWidget(self.build_status)
        out_row.addWidget(self.progress)
        out_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.specs_button)
        buttons.addStretch(1)
        for button in (self.check_button, self.build_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(split, 1)
        layout.addLayout(out_row)
        layout.addLayout(buttons)

        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS, timeout=self.check)
        self.choices.changed.connect(self._on_choices_changed)
        self.renditions.model.ticks_changed.connect(self._show_summary)
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.job_changed.connect(self._on_bus_job_changed)
        ctx.bus.campaign_changed.connect(self.choices.select_campaign)  # follow the navigator
        self.choices.set_catalog(self.catalog)

    # ---- checking --------------------------------------------------------------------------
    def plan_is_current(self) -> bool:
        return self.plan is not None and self.plan_choice == self.choices.choice() and not self._check_timer.isActive()

    def _on_choices_changed(self) -> None:
        choice = self.choices.choice()
        self.copy_pane.set_context(choice.campaign_id if choice else None,
                                   [self.catalog.entries[s] for s in choice.spec_ids] if choice else [])
        self._schedule_check()

    def _schedule_check(self) -> None:
        self.plan_choice = None  # the shown plan is stale until the check comes back
        self._update_buttons()
        if self.isVisible():
            self._check_timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.plan_is_current():
            self.check()

    def check(self):
        """Work out the plan as a job (the newest check wins); returns the job, or None with the reason shown."""
        self._check_timer.stop()
        choice = self.choices.choice()
        if choice is None or not choice.spec_ids:
            self.plan, self.plan_choice = None, None
            self.renditions.model.set_renditions([], {})
            self.copy_pane.set_checks([], {})
            self.summary.setText("Add a campaign first (File ▸ New Campaign)." if choice is None
                                 else "Tick at least one placement on the left to see what the package will hold.")
            self._update_buttons()
            return None
        self.summary.setText("Checking…")
        self.check_job = job = self.ctx.submit(_plan, (self.ctx.lib, choice, self.catalog),
                                               title=f"Check ad package: {self.choices.campaign_name()}", lane="io")
        when_finished(self.ctx.bus, job, lambda finished: self._on_check_finished(finished, choice), owner=self)
        return job

    def _on_check_finished(self, job, choice: Choice) -> None:
        if job is not self.check_job:
            return  # a newer check is on its way
        if job.status == "done":
            self.plan, self.plan_choice = job.result, choice
            names = {i: s.name for i, s in self.catalog.entries.items()}
            self.renditions.model.set_renditions(self.plan.renditions, names)
            self.copy_pane.set_checks(self.plan.copy_checks, names)
            self.tabs.setTabIcon(1, status_icon(status_of([f for c in self.plan.copy_checks for f in c.findings])))
        elif job.status == "failed":
            self.plan, self.plan_choice = None, None
            self.renditions.model.set_renditions([], {})
        self._show_summary(job.error if job.status == "failed" else None)

    def _show_summary(self, error: str | None = None) -> None:
        danger = theme().colors.danger
        if error:
            self.summary.setText(f"<span style='color:{danger}'>{escape(error)}</span>")
        elif self.plan is not None:
            rows = self.plan.renditions
            blocked = sum(r.blocked for r in rows)
            warned = sum(not r.blocked and status_of(r.findings) == "warning" for r in rows)
            ticked = len(self.renditions.model.ticked())
            text = f"<b>{ticked} of {len(rows)} renditions will be built</b>"
            text += f" · {warned} with warnings" if warned else ""
            text += f" · {blocked} blocked by errors and left out (select one to see why)" if blocked else ""
            copy_errors = [c for c in self.plan.copy_checks if status_of(c.findings) == "error"]
            if copy_errors:
                text += f"<br><span style='color:{danger}'>The copy of {len(copy_errors)} placement(s) has errors: fix it in the Copy tab.</span>"
            if self.plan.notes:
                text += "<br>" + escape(" ".join(self.plan.notes))
            self.summary.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        building = self.build_job is not None and not self.build_job.finished
        has_work = self.plan is not None and bool(self.renditions.model.ticked() or self.plan.copy_checks)
        copy_fits = self.plan is not None and not any(status_of(c.findings) == "error" for c in self.plan.copy_checks)
        self.build_button.setEnabled(not building and has_work and copy_fits and self.plan_is_current())
        self.check_button.setEnabled(not building)

    def _on_bus_changed(self, result) -> None:
        changes = set(result.changes)
        if "spec_entries" in changes:
            self.catalog = load_catalog(self.ctx.lib)
            self.choices.set_catalog(self.catalog)
        if changes & CAMPAIGN_TABLES:
            self.choices.reload_campaigns()
        elif changes & SOURCE_TABLES:
            self.choices.reload_sources()
        if "ad_copy" in changes:
            self.copy_pane.reload_copy()
            self._schedule_check()

    # ---- building --------------------------------------------------------------------------
    def build(self):
        """Submit the build job (see the jobs panel); returns it, or None when there is nothing current to build."""
        if not self.build_button.isEnabled():
            return None
        out = self.out_dir.text().strip() or default_out_dir()
        QSettings().setValue(OUT_KEY, out)
        choice = self.plan_choice
        params = PackageParams(str(self.ctx.lib.root), choice.campaign_id, choice.platforms, out, spec_ids=choice.spec_ids,
                               composition_ids=choice.composition_ids, asset_ids=choice.asset_ids,
                               only=self.renditions.model.ticked())
        self.build_job = job = self.ctx.submit(build_package, params, title=f"Build ad package: {self.plan.campaign_name}",
                                               lane="io", lib=self.ctx.lib, pool=render_pool(self.ctx))
        self.build_status.setText("Building…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._update_buttons()
        when_finished(self.ctx.bus, job, self._on_build_finished, owner=self)
        return job

    def _on_bus_job_changed(self, job) -> None:
        if job is self.build_job and not job.finished:
            if job.state.progress is not None:
                self.progress.setRange(0, 1000)
                self.progress.setValue(int(job.state.progress * 1000))
            self.build_status.setText(job.state.status or "Building…")

    def _on_cancel_clicked(self) -> None:
        if self.build_job is not None:
            self.build_job.cancel()
            self.cancel_button.setEnabled(False)
            self.build_status.setText("Cancelling…")

    def _on_build_finished(self, job) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self._update_buttons()
        if job.status == "cancelled":
            self.build_status.setText("Build cancelled: nothing was left behind.")
            return
        self.build_status.clear()
        if job.status == "failed":
            self._message(QMessageBox.Warning, "The package was not built", job.error or "The details are in the log file.")
            return
        r = job.result
        text = (f"{r['renditions']} rendition(s) in {r['files']} files, {r['warnings']} warning(s).\n\n"
                f"Folder: {r['folder']}" + (f"\nZip: {r['zip']}" if r.get("zip") else "")
                + (f"\n\nLeft out: {len(r['left_out'])} rendition(s)." if r["left_out"] else ""))
        box = self._message(QMessageBox.Information, "Ad package built", text)
        open_button = box.addButton("Open folder", QMessageBox.ActionRole)
        open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(r["folder"])))

    def _message(self, icon, title: str, text: str) -> QMessageBox:
        """Shown without exec(): the dialog stays open and usable."""
        self.message_box = box = QMessageBox(icon, title, text, QMessageBox.Close, self)
        box.setTextInteractionFlags(Qt.TextSelectableByMouse)
        box.open()
        return box

    # ---- helpers ---------------------------------------------------------------------------
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save ad packages into", self.out_dir.text())
        if folder:
            self.out_dir.setText(folder)
            QSettings().setValue(OUT_KEY, folder)

    def open_spec_browser(self) -> SpecBrowser:
        if self.spec_browser is None:
            self.spec_browser = SpecBrowser(self.ctx, self)
        current = self.renditions.table.currentIndex()
        if current.isValid():
            self.spec_browser.select(self.renditions.model.rows[current.row()].spec_id)
        self.spec_browser.show()
        self.spec_browser.raise_()
        return self.spec_browser
