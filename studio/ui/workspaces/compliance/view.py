"""The Compliance workspace: the navigator's campaign's findings | the chosen one in detail.

Check campaign (F5) runs the checks as a job (progress and Cancel in the jobs panel). Copy and
compositions that change are checked again on their own (that is quick); new images and videos
wait for the next Check campaign, and the header says how many. Quick fixes and waivers are
core ops, each one step of Edit ▸ Undo. Approve… signs the campaign off and Report… writes its
compliance report (HTML and PDF); both go into the audit trail."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from studio.core.compliance import report, store
from studio.core.errors import BadInput, ConflictError
from studio.core.export.plan import find_campaign
from studio.core.jobs import Job
from studio.core.ops.brand_rules import campaign_brand
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.workspace_frame import add_bar_action, stack_under, workspace_bar
from studio.ui.workspaces.compliance.brand_dialog import BrandRulesDialog
from studio.ui.workspaces.compliance.detail import FindingDetail
from studio.ui.workspaces.compliance.dialogs import ApproveDialog, WaiveDialog
from studio.ui.workspaces.compliance.fixes import apply_fixes, can_fix
from studio.ui.workspaces.compliance.models import (
    CONCERNS,
    MESSAGE,
    SEVERITY,
    WAIVED,
    FindingRole,
    FindingsFilter,
    FindingsTableModel,
    Row,
)

REPORT_FOLDER_KEY = "compliance/report_folder"
WATCHED = {"compliance_findings", "waivers", "ad_copy", "assets", "compositions", "brand_rules", "campaigns"}
QUICK = ("copy:", "composition:")  # targets re-checked on their own when they change
SEVERITIES = (("All severities", None), ("Errors", "error"), ("Warnings", "warning"), ("Waived", "waived"))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class ComplianceView(RefreshWhenShown, QWidget):
    refreshed = Signal()  # the table shows the stored findings as they are now
    check_finished = Signal(object)  # the check Job, done, failed or cancelled
    report_written = Signal(object)  # the report Job, done or failed

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.report_job: Job | None = None
        self._copy_changed = False  # copy or compositions changed since the last refresh
        self.targets: list[str] = []  # what the campaign's findings can concern
        self.unchecked: list[str] = []
        self.model = FindingsTableModel(self)
        self.proxy = FindingsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.detail = FindingDetail(ctx)
        self._build()
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.job_changed.connect(self._on_job_changed)
        ctx.bus.campaign_changed.connect(lambda _c: self.follow_change())
        self.refresh()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        bar = workspace_bar()
        self.check_action = add_bar_action(self, bar, "mdi6.shield-refresh-outline", "Check campaign", "F5",
                                         "Check the campaign's copy, images, videos and compositions", self.check_campaign)
        bar.addSeparator()
        self.fix_action = add_bar_action(self, bar, "mdi6.auto-fix", "Fix", "Ctrl+.", "Apply this finding's quick fix to the copy", self.fix_current)
        self.fix_all_action = add_bar_action(self, bar, "mdi6.playlist-check", "Fix all of this rule", "Ctrl+Shift+.",
                                           "Apply the quick fix of every selected finding of this rule", self.fix_selected_rule)
        bar.addSeparator()
        self.waive_action = add_bar_action(self, bar, "mdi6.shield-off-outline", "Waive…", "Ctrl+Shift+W",
                                         "Accept this finding, with a reason and your name", self.waive_current)
        self.unwaive_action = add_bar_action(self, bar, "mdi6.shield-alert-outline", "Remove waiver", "", "Withdraw the waiver", self.unwaive_current)
        bar.addSeparator()
        self.brand_action = add_bar_action(self, bar, "mdi6.tag-text-outline", "Brand rules…", "",
                                         "The brand's banned words, required disclaimers, voice and palette", self.edit_brand_rules)
        bar.addSeparator()
        self.approve_action = add_bar_action(self, bar, "mdi6.check-decagram-outline", "Approve…", "",
                                           "Sign off the campaign as checked (recorded in the audit trail)", self.approve_campaign)
        self.report_action = add_bar_action(self, bar, "mdi6.file-document-outline", "Report…", "",
                                          "Write the campaign's compliance report (HTML and PDF) into a folder", self.write_report)
        self.counts = QLabel(objectName="PanelTitle")
        self.counts.setContentsMargins(10, 6, 10, 2)
        self.status = QLabel(objectName="Muted", wordWrap=True)
        self.status.setContentsMargins(10, 0, 10, 4)

        self.severity = self._combo("Severity filter")
        for label, value in SEVERITIES:
            self.severity.addItem(label, value)
        self.platform, self.rule, self.target = (self._combo(name) for name in ("Platform filter", "Rule filter", "Item filter"))
        self.search = QLineEdit(placeholderText="Search findings", clearButtonEnabled=True, accessibleName="Search findings")
        self.search.textChanged.connect(lambda text: self.proxy.set_filter(search=text))
        filters = QHBoxLayout()
        filters.setContentsMargins(10, 0, 10, 6)
        for combo in (self.severity, self.platform, self.rule, self.target):
            combo.currentIndexChanged.connect(self._on_filter_changed)
            filters.addWidget(combo)
        filters.addWidget(self.search, 1)

        self.table = QTableView(sortingEnabled=True, alternatingRowColors=True, wordWrap=False)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(MESSAGE, QHeaderView.Stretch)  # the words get the room there is
        header.setMinimumSectionSize(60)
        for column, width in ((SEVERITY, 78), (1, 76), (2, 140), (CONCERNS, 170), (WAIVED, 100)):
            self.table.setColumnWidth(column, width)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.sortByColumn(SEVERITY, Qt.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._on_current_changed())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())

        self.empty_table = EmptyState("mdi6.shield-search", "Not checked yet",
                                      "Press Check campaign (F5) to check its copy, images, videos and compositions.")
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.empty_table)
        splitter = QSplitter()
        splitter.addWidget(self.table_stack)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([900, 340])
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.counts)
        column.addWidget(self.status)
        column.addLayout(filters)
        column.addWidget(splitter, 1)
        self.no_campaign = EmptyState("mdi6.shield-check-outline", "Pick a campaign",
                                      "Choose a campaign in the navigator to see what its copy and creatives need before export.")
        self.stack = stack_under(self, bar, content, self.no_campaign)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(accessibleName=name)
        combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        combo.setMaximumWidth(260)
        return combo

    # ---- what is shown ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the campaign's stored findings again; the selection and the filters stay."""
        campaign_id = self.ctx.current_campaign_id
        try:
            targets = store.campaign_targets(self.ctx.lib, campaign_id) if campaign_id is not None else None
        except BadInput:  # the campaign was deleted
            targets = None
        self.targets = targets or []
        if targets is None:
            self.model.set_rows([])
            self.stack.setCurrentWidget(self.no_campaign)
            self._update_actions()
            return
        self.stack.setCurrentWidget(self.stack.widget(0))
        current = self.current()
        found = store.findings_for(self.ctx.lib, targets)
        names = {t: store.describe_target(self.ctx.lib, t) for t in dict.fromkeys(s.target for s in found)}
        self.model.set_rows([Row(s, names[s.target]) for s in found])
        self.unchecked = store.unchecked_targets(self.ctx.lib, targets)
        self._fill_filters(names)
        self._show_counts(found, checked=len(targets) - len(self.unchecked))
        self.table_stack.setCurrentWidget(self.table if found or not self.unchecked else self.empty_table)
        self._reselect(current)
        self._update_actions()
        self.refreshed.emit()
        if self._copy_changed:
            self._copy_changed = False
            self._check_changed()

    def _fill_filters(self, names: dict[str, str]) -> None:
        rows = self.model.rows
        choices = ((self.platform, "Any platform", [(PLATFORM_NAMES.get(p, p), p) for p in sorted({r.platform for r in rows})]),
                   (self.rule, "All rules", [(r, r) for r in sorted({r.stored.finding.rule_id for r in rows})]),
                   (self.target, "All items", [(_short(name), target) for target, name in names.items()]))
        for combo, everything, items in choices:
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for label, value in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        self._on_filter_changed()

    def _on_filter_changed(self) -> None:
        self.proxy.set_filter(severity=self.severity.currentData(), platform=self.platform.currentData(),
                              rule=self.rule.currentData(), target=self.target.currentData())
        self._on_current_changed()

    def _show_counts(self, found, checked: int) -> None:
        blocking = sum(s.blocking for s in found)
        warnings = sum(s.finding.severity == "warning" and not s.waived for s in found)
        waived = sum(s.waived for s in found)
        c = theme().colors
        verb = "blocks" if blocking == 1 else "block"
        parts = [f"<span style='color:{c.danger if blocking else c.success}'>{plural(blocking, 'error')} {verb} export</span>",
                 plural(warnings, "warning"), f"{waived} waived"]
        if not found and checked:
            parts = [f"<span style='color:{c.success}'>✓ No findings: nothing blocks export</span>"]
        self.counts.setText(" · ".join(parts))
        self._say(f"{plural(len(self.unchecked), 'item')} not checked yet: press Check campaign (F5)." if self.unchecked else "")

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def current(self) -> store.StoredFinding | None:
        index = self.table.currentIndex()
        return index.data(FindingRole) if index.isValid() and self.table.selectionModel().isSelected(index) else None

    def selected(self) -> list[store.StoredFinding]:
        return [index.data(FindingRole) for index in self.table.selectionModel().selectedRows()]

    def _reselect(self, previous) -> None:
        """The same finding (by fingerprint and rule) stays chosen across a refresh, if it is still there."""
        for row in range(self.proxy.rowCount()) if previous is not None else ():
            stored = self.proxy.index(row, 0).data(FindingRole)
            if (stored.fingerprint, stored.finding.span) == (previous.fingerprint, previous.finding.span):
                self.table.selectionModel().setCurrentIndex(self.proxy.index(row, 0),
                                                            QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
                return
        if previous is None and self.proxy.rowCount():
            return self.select_row(0)  # the worst finding (errors sort first) is shown at once
        self._on_current_changed()

    def select_row(self, row: int) -> None:
        self.table.selectionModel().setCurrentIndex(self.proxy.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)

    def _on_current_changed(self) -> None:
        stored = self.current()
        index = self.table.currentIndex()
        self.detail.show_finding(stored, index.sibling(index.row(), CONCERNS).data() if stored else "")
        self._update_actions()

    def _update_actions(self) -> None:
        stored, busy = self.current(), self.job is not None
        self.check_action.setEnabled(self.ctx.current_campaign_id is not None and not busy)
        # While a check runs the findings may be about text that has changed: fixes wait for it.
        self.fix_action.setEnabled(stored is not None and can_fix(stored) and not busy)
        same_rule = [s for s in self.selected() if stored and s.finding.rule_id == stored.finding.rule_id and can_fix(s)]
        self.fix_all_action.setEnabled(len(same_rule) > 1 and not busy)
        self.waive_action.setEnabled(stored is not None and not stored.waived)
        self.unwaive_action.setEnabled(stored is not None and stored.waived)
        self.brand_action.setEnabled(self.ctx.current_campaign_id is not None)
        self.approve_action.setEnabled(self.ctx.current_campaign_id is not None and not busy)
        self.report_action.setEnabled(self.ctx.current_campaign_id is not None and self.report_job is None)

    # ---- checking ----------------------------------------------------------------------------
    def check_campaign(self, only: set[str] | None = None) -> Job | None:
        """Check the campaign (or only these targets) as a job; the table follows when it ends."""
        campaign_id = self.ctx.current_campaign_id
        if campaign_id is None:
            return None
        if self.job is not None:
            self._copy_changed = self._copy_changed or bool(only)  # checked when this check ends
            return None
        lib = self.ctx.lib
        title = "Check compliance of changed copy" if only else "Check compliance of the campaign"
        self.job = self.ctx.submit(lambda _p, state: store.recheck_campaign(lib, campaign_id, state, only=only), title=title)
        self._say("Checking…")
        self._update_actions()
        return self.job

    def _on_job_changed(self, job: Job) -> None:
        if job is self.report_job and job.finished:
            self.report_job = None
            self._update_actions()
            self._say(f"The report was not written: {job.error}" if job.status == "failed" else
                      "Wrote " + " and ".join(str(p) for p in job.result) if job.status == "done" else "")
            self.report_written.emit(job)
            return
        if job is not self.job or not job.finished:
            return
        self.job = None
        self.refresh()  # and copy that changed meanwhile is checked now
        if job.status == "failed":
            self._say(f"The check failed: {job.error}")
        elif job.status == "cancelled" or job.state.cancelled:
            self._say("The check was cancelled; what was checked before is shown.")
        elif problems := (job.result or {}).get("rule_problems"):
            self._say("Some rules did not load and were skipped: " + "; ".join(problems))
        self.check_finished.emit(job)

    def _on_bus_changed(self, result) -> None:
        """Changed copy or compositions (or brand rules, which judge them) are checked again with the
        next refresh (at once while the workspace shows, else when it is next shown); the rest waits
        for Check campaign."""
        if WATCHED & set(result.changes):
            self._copy_changed = self._copy_changed or bool({"ad_copy", "compositions", "brand_rules"} & set(result.changes))
            self.follow_change()

    def _check_changed(self) -> None:
        """Copy and compositions again: those whose content is as checked are skipped (by its hash),
        and a changed line may keep its id, so being stored says nothing."""
        quick = {t for t in self.targets if t.startswith(QUICK)}
        if quick:
            self.check_campaign(only=quick)

    # ---- fixes and waivers -------------------------------------------------------------------
    def fix_current(self) -> None:
        stored = self.current()
        if stored is not None:
            self._fix([stored])

    def fix_selected_rule(self) -> None:
        stored = self.current()
        if stored is not None:
            self._fix([s for s in self.selected() if s.finding.rule_id == stored.finding.rule_id])

    def _fix(self, findings) -> None:
        if self.job is not None:
            return
        try:
            changed = apply_fixes(self.ctx.lib, findings)
        except ConflictError:  # a colleague changed the copy: the main window asks whose text to keep
            return
        except BadInput as exc:
            self.ctx.notify(str(exc), "warning")
            return
        self.ctx.notify(f"Fixed {plural(changed, 'line')} of copy; Edit ▸ Undo takes it back.")

    def waive_current(self) -> WaiveDialog | None:
        stored = self.current()
        if stored is None or stored.waived:
            return None
        dialog = WaiveDialog(self.ctx, stored, self)
        dialog.open()
        return dialog

    def edit_brand_rules(self) -> BrandRulesDialog | None:
        campaign_id = self.ctx.current_campaign_id
        if campaign_id is None:
            return None
        try:
            brand_id = campaign_brand(self.ctx.lib, campaign_id)
        except BadInput as exc:  # the campaign was deleted meanwhile
            self.ctx.notify(str(exc), "warning")
            return None
        dialog = BrandRulesDialog(self.ctx, brand_id, campaign_id, self)
        dialog.open()
        return dialog

    def approve_campaign(self) -> ApproveDialog | None:
        campaign_id = self.ctx.current_campaign_id
        if campaign_id is None:
            return None
        try:
            _, name = find_campaign(self.ctx.lib, campaign_id)
        except BadInput as exc:  # deleted meanwhile
            self.ctx.notify(str(exc), "warning")
            return None
        dialog = ApproveDialog(self.ctx, campaign_id, name, len(store.blocking_findings(self.ctx.lib, campaign_id)), self)
        dialog.accepted.connect(lambda: self._say(f"{name} approved by {dialog.name.text().strip()}."))
        dialog.open()
        return dialog

    def write_report(self, folder: str | None = None) -> Job | None:
        """The campaign's compliance report (HTML and PDF) written into a folder, as a job."""
        campaign_id = self.ctx.current_campaign_id
        if campaign_id is None or self.report_job is not None:
            return None
        if folder is None:
            start = QSettings().value(REPORT_FOLDER_KEY, str(Path.home()))
            folder = QFileDialog.getExistingDirectory(self, "Write the compliance report into", start)
            if not folder:
                return None
        QSettings().setValue(REPORT_FOLDER_KEY, folder)
        lib = self.ctx.lib
        self.report_job = self.ctx.submit(lambda _p, _state: report.write_report(lib, campaign_id, Path(folder)),
                                          title="Write the compliance report")
        self._update_actions()
        return self.report_job

    def unwaive_current(self) -> None:
        stored = self.current()
        if stored is None or stored.waiver is None:
            return
        try:
            store.unwaive(self.ctx.lib, stored.waiver.id)
        except BadInput as exc:
            self.ctx.notify(str(exc), "warning")


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
