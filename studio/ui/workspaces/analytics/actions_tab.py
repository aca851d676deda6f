"""The Actions tab: decision rules on the left, the queue of actions they propose on the right.

    rules     tick box (enabled), name, kind, parameters in words; Add… / Edit… / Remove
    queue     Proposed · Approved · Decided · Exported · Sent · All, for the filter bar's platform;
              the selected action's reason and evidence below
    buttons   Propose now (a job), Approve, Reject…, Export bulk sheet… (a job), Send through API… (a job)

Every change goes through core's ops, so Ctrl+Z undoes it. The approver's name is asked once and
remembered; rejecting asks for the name and the reason. A rule edited over a colleague's change
since its dialog opened is not saved (ConflictError): the dialog keeps it and the main window asks."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.core.analytics import decisions
from studio.core.analytics.connectors.changes import Connections
from studio.core.analytics.decisions import Action, Rule
from studio.core.errors import BadInput, ConflictError
from studio.core.jobs import Job
from studio.core.ops import decisions as ops
from studio.core.ops.tx import edited_from, row_versions
from studio.ui.bridge import when_finished
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.accounts import endpoint_for
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.table_model import RowTableModel
from studio.ui.workspaces.analytics.rule_dialog import (
    RuleDialog,
    RuleDraft,
    kind_name,
    rule_words,
)

CHANGES = {"decision_rules", "proposed_actions"}
APPROVER_KEY = "analytics/actions/approver"
SPLITTER_KEY = "analytics/actions/splitter"
QUEUES = {  # filter -> the statuses it shows
    "proposed": ("proposed",), "approved": ("approved",), "decided": ("approved", "rejected"),
    "exported": ("exported",), "sent": ("sent",), "all": decisions.STATUSES,
}
ACTION_NAMES = {"pause": "Pause", "budget_change": "Budget change", "spend_cap": "Spend cap pause"}
SEND_PLATFORMS = {"meta": "Meta", "google": "Google Ads"}
ACCOUNT_HINTS = {"meta": "act_123456789", "google": "123-456-7890"}
KEY_SERVICES = {"meta": "meta", "google": "google_ads"}  # platform -> its key in Settings ▸ Accounts & keys


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform)


def change_text(a: Action) -> str:
    """current → proposed, in words."""
    if a.kind == "budget_change":
        return f"{a.current_value:,.2f} → {a.proposed_value:,.2f} {a.currency} a day"
    if a.kind == "spend_cap":
        return f"spent {a.current_value:,.2f} of {a.proposed_value:,.2f} {a.currency} → paused"
    return "running → paused"


def status_text(a: Action) -> str:
    if a.decided_by and a.status in ("approved", "rejected"):
        return f"{a.status} by {a.decided_by}"
    return a.status


def _evidence_value(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(_evidence_value(v) for v in value)
    return html.escape(str(value))


def action_html(a: Action) -> str:
    """The reason sentence, the decision and the evidence as a small table."""
    c = theme().colors
    rows = "".join(f"<tr><td style='color:{c.muted}'>{html.escape(k.replace('_', ' '))}</td><td>{_evidence_value(v)}</td></tr>"
                   for k, v in a.evidence.items())
    decided = ""
    if a.decided_by:
        note = f": {html.escape(a.note)}" if a.note else ""
        decided = f"<p>{a.status.capitalize()} by {html.escape(a.decided_by)} on {a.decided_at:%d %b %Y %H:%M}{note}</p>"
    return (f"<h3>{html.escape(ACTION_NAMES.get(a.kind, a.kind))} · {html.escape(a.campaign)}</h3>"
            f"<p style='color:{c.muted}'>{platform_name(a.platform)} account {html.escape(a.account or '(unnamed)')} · "
            f"data to {a.as_of:%d %b %Y} · {html.escape(change_text(a))}</p>"
            f"<p>{html.escape(a.reason)}</p>{decided}<table cellpadding='2'>{rows}</table>")


class ActionsModel(RowTableModel):
    columns = ("#", "Campaign", "Platform", "Action", "Current → proposed", "Status", "Data to", "Reason")

    @property
    def actions(self) -> list[Action]:
        return self.rows

    def set_actions(self, actions: list[Action]) -> None:
        self.set_rows(reversed(actions))  # newest first

    def cell(self, a: Action, column: int, role: int):
        if role == Qt.UserRole:
            return a
        if role == Qt.ToolTipRole:
            return a.reason
        if role == Qt.ForegroundRole and column == 5:
            c = theme().colors
            return QColor({"approved": c.success, "rejected": c.danger, "sent": c.accent}.get(a.status, c.muted))
        if role != Qt.DisplayRole:
            return None
        return (str(a.id), a.campaign, platform_name(a.platform), ACTION_NAMES.get(a.kind, a.kind), change_text(a),
                status_text(a), f"{a.as_of:%d %b %Y}", a.reason)[column]


class FormDialog(QDialog):
    """A small form whose OK hands its values to the tab (submitted) and stays open until the tab
    calls accept(), or show_error() with what is wrong."""

    submitted = Signal()

    def __init__(self, title: str, intro: str, ok_text: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.intro = QLabel(intro, wordWrap=True)
        self.form = QFormLayout()
        self.error = QLabel(wordWrap=True)
        self.error.setProperty("state", "bad")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setProperty("primary", True)
        self.buttons.accepted.connect(self.submitted.emit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class DecisionDialog(FormDialog):
    """Who decides (remembered), and for a rejection, why."""

    def __init__(self, intro: str, ok_text: str, ask_reason: bool, parent=None):
        super().__init__("Reject actions" if ask_reason else "Who approves?", intro, ok_text, parent)
        self.name = QLineEdit(str(QSettings().value(APPROVER_KEY, "")), accessibleName="Your name",
                              placeholderText="Your name, kept with each decision")
        self.form.addRow("Your name", self.name)
        self.reason = QLineEdit(accessibleName="Reason", placeholderText="Why, e.g. the client asked to keep it running")
        if ask_reason:
            self.form.addRow("Reason", self.reason)


def _platform_combo(platforms: dict[str, str], chosen: str | None) -> QComboBox:
    combo = QComboBox(accessibleName="Platform")
    for key, title in platforms.items():
        combo.addItem(title, key)
    combo.setCurrentIndex(max(0, combo.findData(chosen)))
    return combo


class ExportDialog(FormDialog):
    """The platform, the reported account when the approved actions come from several, and the file."""

    def __init__(self, approved: list[Action], platform: str | None, parent=None):
        super().__init__("Export bulk sheet", "", "Export", parent)
        self.approved = approved
        self.platform = _platform_combo({p: platform_name(p) for p in decisions.EXPORT_SHEETS}, platform)
        self.account = QComboBox(accessibleName="Account")
        self.path = QLineEdit(accessibleName="File", placeholderText="Where to write the sheet (.csv)")
        choose = QPushButton("Choose…", clicked=self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        self.form.addRow("Platform", self.platform)
        self.form.addRow("Account", self.account)
        self.form.addRow("File", row)
        self.platform.currentIndexChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        platform = self.platform.currentData()
        mine = [a for a in self.approved if a.platform == platform]
        accounts = sorted({a.account for a in mine})
        self.account.clear()
        for account in accounts:
            self.account.addItem(account or "(unnamed)", account)
        self.account.setEnabled(len(accounts) > 1)
        self.intro.setText(f"{len(mine)} approved {platform_name(platform)} action{'s' if len(mine) != 1 else ''} to write as "
                           "the platform's bulk sheet; import it in the platform's bulk editor. They are marked exported.")
        folder = QSettings().value("analytics/actions/export_folder", str(Path.home()))
        if not self.path.text() or Path(self.path.text()).name.startswith("approved-"):
            self.path.setText(str(Path(folder) / f"approved-{platform}-actions.csv"))

    def _choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export bulk sheet", self.path.text(), "CSV sheet (*.csv)")
        if path:
            self.path.setText(path if path.lower().endswith(".csv") else f"{path}.csv")


class SendDialog(FormDialog):
    """The platform and its own account id; says that a dry run of every change goes first."""

    def __init__(self, approved: list[Action], platform: str | None, parent=None):
        super().__init__("Send through the API", "", "Dry run, then send", parent)
        self.approved = approved
        self.platform = _platform_combo(SEND_PLATFORMS, platform)
        self.account = QLineEdit(accessibleName="Account id")
        self.form.addRow("Platform", self.platform)
        self.form.addRow("Account id", self.account)
        self.platform.currentIndexChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        platform = self.platform.currentData()
        count = sum(a.platform == platform for a in self.approved)
        title = SEND_PLATFORMS[platform]
        self.account.setPlaceholderText(f"The {title} account's own id, e.g. {ACCOUNT_HINTS[platform]}")
        self.account.setText(str(QSettings().value(f"analytics/actions/account/{platform}", "")))
        self.intro.setText(
            f"<p>{count} approved {title} action{'s' if count != 1 else ''} will be sent.</p>"
            f"<p><b>A dry run runs first:</b> {title} checks every change and changes nothing. Only when every "
            "change passes are they sent for real, so one refused change sends none. Each result is shown in the "
            "Actions tab afterwards; Undo does not take back what the platform changed.</p>")


class RulesPanel(QWidget):
    """The rules: a tick box to enable each, its name, kind and parameters; Add, Edit, Remove."""

    add_requested = Signal()
    edit_requested = Signal(object)  # Rule
    remove_requested = Signal(object)  # Rule
    enabled_toggled = Signal(object, bool)  # Rule, enabled

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rules: list[Rule] = []
        self.table = QTableWidget(0, 3, accessibleName="Decision rules", wordWrap=True)
        self.table.setHorizontalHeaderLabels(["Rule", "Kind", "Parameters"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self.table.resizeRowsToContents())  # rewrap
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self._emit_selected(self.edit_requested))
        self.add_button = QPushButton(theme().icon("mdi6.plus"), "Add…", clicked=lambda: self.add_requested.emit())
        self.edit_button = QPushButton(theme().icon("mdi6.pencil-outline"), "Edit…",
                                       clicked=lambda: self._emit_selected(self.edit_requested))
        self.remove_button = QPushButton(theme().icon("mdi6.delete-outline"), "Remove",
                                         clicked=lambda: self._emit_selected(self.remove_requested))
        self.empty = EmptyState("mdi6.scale-balance", "No decision rules yet",
                                "Add a rule, e.g. pause a campaign whose CPA runs far above target, then Propose now.")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(10, 6, 10, 0)
        buttons.addWidget(QLabel("RULES", objectName="PanelTitle"))
        buttons.addStretch(1)
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self._update_buttons()

    def show_rules(self, rules: list[Rule]) -> None:
        chosen = self.selected()
        self.rules = rules
        self.table.blockSignals(True)
        self.table.setRowCount(len(rules))
        for row, rule in enumerate(rules):
            name = QTableWidgetItem(rule.name)
            name.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsUserCheckable)
            name.setCheckState(Qt.Checked if rule.enabled else Qt.Unchecked)
            name.setToolTip("Ticked: the rule proposes actions (or, for a max daily change, guards them)")
            name.setData(Qt.UserRole, rule)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(kind_name(rule.kind)))
            self.table.setItem(row, 2, QTableWidgetItem(rule_words(rule)))
            if chosen and rule.id == chosen.id:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self.table.resizeRowsToContents()
        self.table.setVisible(bool(rules))
        self.empty.setVisible(not rules)
        self._update_buttons()

    def select(self, rule_id: int) -> None:
        for row, rule in enumerate(self.rules):
            if rule.id == rule_id:
                self.table.selectRow(row)

    def selected(self) -> Rule | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rules[rows[0].row()] if rows and rows[0].row() < len(self.rules) else None

    def _emit_selected(self, signal) -> None:
        rule = self.selected()
        if rule is not None:
            signal.emit(rule)

    def _update_buttons(self) -> None:
        for button in (self.edit_button, self.remove_button):
            button.setEnabled(self.selected() is not None)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        rule = item.data(Qt.UserRole)
        if item.column() == 0 and rule is not None and (item.checkState() == Qt.Checked) != rule.enabled:
            self.enabled_toggled.emit(rule, item.checkState() == Qt.Checked)


class ActionsTab(RefreshWhenShown, QWidget):
    refreshed = Signal()
    proposed = Signal(object)  # the finished Propose now Job
    exported = Signal(object)  # the finished export Job
    sent = Signal(object)  # the finished send Job

    def __init__(self, ctx, filters, parent=None):
        super().__init__(parent)
        self.ctx, self.filters = ctx, filters
        self.job: Job | None = None  # one propose, export or send at a time
        self.rule_dialog: RuleDialog | None = None
        self.decision_dialog: DecisionDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.send_dialog: SendDialog | None = None
        self.actions: list[Action] = []
        self._build()
        ctx.bus.changed.connect(self._on_bus_changed)
        filters.changed.connect(self.refresh)
        self.refresh()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.rules = RulesPanel()
        self.rules.add_requested.connect(lambda: self.edit_rule(None))
        self.rules.edit_requested.connect(self.edit_rule)
        self.rules.remove_requested.connect(self.remove_rule)
        self.rules.enabled_toggled.connect(self._on_rule_toggled)
        icon = theme().icon
        self.propose_button = QPushButton(icon("mdi6.lightbulb-on-outline"), "Propose now", clicked=self.propose)
        self.approve_button = QPushButton(icon("mdi6.check"), "Approve", clicked=self.approve_selected)
        self.reject_button = QPushButton(icon("mdi6.close"), "Reject…", clicked=self.reject_selected)
        self.export_button = QPushButton(icon("mdi6.file-export-outline"), "Export bulk sheet…", clicked=self.ask_export)
        self.send_button = QPushButton(icon("mdi6.send-outline"), "Send through API…", clicked=self.ask_send)
        self.approve_button.setToolTip("Approve the selected proposed actions (your name is asked once)")
        self.reject_button.setToolTip("Reject the selected actions, with your name and the reason")
        self.busy = QProgressBar(maximumWidth=120, textVisible=False, maximum=0)  # no steps to count: a busy bar
        self.busy.hide()
        buttons = QHBoxLayout()
        buttons.setContentsMargins(10, 6, 10, 0)
        for button in (self.propose_button, self.approve_button, self.reject_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for widget in (self.busy, self.export_button, self.send_button):
            buttons.addWidget(widget)
        self.queue_buttons = QButtonGroup(self)
        queues = QHBoxLayout()
        queues.setContentsMargins(10, 4, 10, 0)
        queues.setSpacing(4)
        for key in QUEUES:
            button = QPushButton(key.capitalize(), checkable=True, flat=True)
            button.setProperty("queue", key)
            self.queue_buttons.addButton(button)
            queues.addWidget(button)
        self.queue_buttons.buttons()[0].setChecked(True)
        self.queue_buttons.buttonClicked.connect(lambda _b: self.show_queue())
        queues.addStretch(1)
        self.message = QLabel(wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
        self.message.setContentsMargins(10, 0, 10, 0)
        self.message.hide()
        self.model = ActionsModel(self)
        self.table = QTableView(alternatingRowColors=True, wordWrap=False, accessibleName="Action queue")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.detail = QTextBrowser(accessibleName="Reason and evidence")
        self.queue_empty = QLabel(objectName="Muted", alignment=Qt.AlignCenter, wordWrap=True)
        queue_split = QSplitter(Qt.Vertical)
        queue_split.addWidget(self.table)
        queue_split.addWidget(self.detail)
        queue_split.setStretchFactor(0, 3)
        queue_split.setStretchFactor(1, 2)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addLayout(queues)
        column.addWidget(self.message)
        column.addWidget(self.queue_empty)
        column.addWidget(queue_split, 1)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.rules)
        self.splitter.addWidget(right)
        self.splitter.setSizes([520, 980])
        remembered = QSettings().value(SPLITTER_KEY)
        if remembered:
            self.splitter.restoreState(remembered)
        self.splitter.splitterMoved.connect(lambda *_: QSettings().setValue(SPLITTER_KEY, self.splitter.saveState()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def say(self, text: str, ok: bool = True) -> None:
        """An outcome under the buttons (rich text): green when it went well, red when not."""
        c = theme().colors
        self.message.setStyleSheet(f"color: {c.text if ok else c.danger};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ---- what is shown -----------------------------------------------------------------------
    def refresh(self) -> None:
        self.rules.show_rules(decisions.list_rules(self.ctx.lib))
        self.show_queue()
        self.refreshed.emit()

    def queue(self) -> str:
        return self.queue_buttons.checkedButton().property("queue")

    def set_queue(self, key: str) -> None:
        next(b for b in self.queue_buttons.buttons() if b.property("queue") == key).setChecked(True)
        self.show_queue()

    def show_queue(self) -> None:
        platform = self.filters.filters().platform
        self.actions = decisions.list_actions(self.ctx.lib, platform=platform)
        counts = Counter(a.status for a in self.actions)
        for button in self.queue_buttons.buttons():
            key = button.property("queue")
            button.setText(f"{key.capitalize()} ({sum(counts[s] for s in QUEUES[key])})")
        chosen = {a.id for a in self.selected()}
        shown = [a for a in self.actions if a.status in QUEUES[self.queue()]]
        self.model.set_actions(shown)
        self.select(chosen)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(7, 200)  # the reason is long: it stretches, and the detail below has all of it
        which = "" if self.queue() == "all" else f"{self.queue()} "
        where = f" for {platform_name(platform)}" if platform else ""
        self.queue_empty.setText(f"No {which}actions{where}. Propose now runs the enabled rules on the latest data.")
        self.queue_empty.setVisible(not shown)
        self.propose_button.setToolTip(f"Run the enabled rules on the data up to {self._as_of() or 'the latest day'}")
        self._show_selected()

    def selected(self) -> list[Action]:
        return [i.data(Qt.UserRole) for i in self.table.selectionModel().selectedRows()]

    def select(self, action_ids) -> None:
        self.table.clearSelection()
        for row, action in enumerate(self.model.actions):
            if action.id in action_ids:
                self.table.selectionModel().select(self.model.index(row, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)

    def _show_selected(self) -> None:
        chosen = self.selected()
        self.detail.setHtml(action_html(chosen[0]) if len(chosen) == 1 else
                            f"<p>{len(chosen)} actions selected.</p>" if chosen else
                            "<p>Select an action to read why it was proposed and the numbers behind it.</p>")
        self.approve_button.setEnabled(any(a.status == "proposed" for a in chosen))
        self.reject_button.setEnabled(any(a.status in ("proposed", "approved") for a in chosen))
        approved = any(a.status == "approved" for a in self.actions)
        idle = self.job is None
        self.export_button.setEnabled(approved and idle)
        self.send_button.setEnabled(approved and idle)
        self.propose_button.setEnabled(idle)

    def _on_bus_changed(self, result) -> None:
        if CHANGES & set(result.changes):
            self.follow_change()

    # ---- running an op -----------------------------------------------------------------------
    def _op(self, fn: Callable, *args, dialog: FormDialog | RuleDialog | None = None) -> bool:
        """Run a core op; a refusal is shown in the dialog (or under the buttons). Whether it ran."""
        show = dialog.show_error if dialog else lambda t: self.say(t, ok=False)
        try:
            fn(self.ctx.lib, *args)
        except ConflictError:  # the main window asks whose version to keep
            show("Not saved: someone else changed this since you opened it; choose whose version to keep.")
            return False
        except BadInput as exc:
            show(str(exc))
            return False
        return True

    # ---- rules -------------------------------------------------------------------------------
    def edit_rule(self, rule: Rule | None) -> RuleDialog:
        """Add a rule (rule None) or edit this one in the rule dialog, as stored now (its version read first)."""
        seen = row_versions(self.ctx.lib, ("decision_rules", rule.id)) if rule else {}
        if rule is not None:
            rule = next((r for r in decisions.list_rules(self.ctx.lib) if r.id == rule.id), rule)
        dialog = self.rule_dialog = RuleDialog(rule, self)
        dialog.submitted.connect(lambda draft: self._save_rule(dialog, draft, seen))
        dialog.open()
        return dialog

    def _save_rule(self, dialog: RuleDialog, draft: RuleDraft, seen: dict) -> None:
        # read again: the rule may have been removed while the dialog was open (then it is added anew)
        old = next((r for r in decisions.list_rules(self.ctx.lib) if dialog.rule and r.id == dialog.rule.id), None)
        if old is not None:
            with edited_from(seen):
                saved = self._op(ops.update_rule, old.id, draft.name, draft.kind, draft.params, draft.scope, dialog=dialog)
        else:
            saved = self._op(ops.add_rule, draft.name, draft.kind, draft.params, draft.scope, dialog=dialog)
        if not saved:
            return
        dialog.accept()
        self.say(f"Rule “{html.escape(draft.name)}” {'saved' if old else 'added'}. Propose now runs it.")

    def remove_rule(self, rule: Rule) -> None:
        if self._op(ops.remove_rule, rule.id):
            self.say(f"Removed rule “{html.escape(rule.name)}”; the actions it proposed stay in the queue. Ctrl+Z brings it back.")

    def _on_rule_toggled(self, rule: Rule, enabled: bool) -> None:
        self._op(ops.set_rule_enabled, rule.id, enabled)

    # ---- deciding ----------------------------------------------------------------------------
    def approve_selected(self) -> None:
        """Approve the selected proposed actions; the first time, ask who approves."""
        ids = [a.id for a in self.selected() if a.status == "proposed"]
        name = str(QSettings().value(APPROVER_KEY, "")).strip()
        if not ids:
            return
        if name:
            self._approve(ids, name)
            return
        dialog = self.decision_dialog = DecisionDialog(
            "Your name is kept with each action you approve (and remembered for the next ones).", "Approve", False, self)

        def submitted():
            if self._approve(ids, dialog.name.text(), dialog):
                QSettings().setValue(APPROVER_KEY, dialog.name.text().strip())
                dialog.accept()

        dialog.submitted.connect(submitted)
        dialog.open()

    def _approve(self, ids: list[int], name: str, dialog: DecisionDialog | None = None) -> bool:
        for action_id in ids:
            if not self._op(ops.approve_action, action_id, name, dialog=dialog):
                return False
        self.say(f"Approved {len(ids)} action{'s' if len(ids) != 1 else ''} as {html.escape(name.strip())}. "
                 "Export a bulk sheet or send them through the API.")
        return True

    def reject_selected(self) -> DecisionDialog | None:
        ids = [a.id for a in self.selected() if a.status in ("proposed", "approved")]
        if not ids:
            return None
        dialog = self.decision_dialog = DecisionDialog(
            f"Reject {len(ids)} action{'s' if len(ids) != 1 else ''}: they are not proposed again on this data.",
            "Reject", True, self)

        def submitted():
            for action_id in ids:
                if not self._op(ops.reject_action, action_id, dialog.name.text(), dialog.reason.text(), dialog=dialog):
                    return
            QSettings().setValue(APPROVER_KEY, dialog.name.text().strip())
            dialog.accept()
            self.say(f"Rejected {len(ids)} action{'s' if len(ids) != 1 else ''}. Ctrl+Z takes it back.")

        dialog.submitted.connect(submitted)
        dialog.open()
        return dialog

    # ---- jobs: propose, export, send -----------------------------------------------------------
    def _as_of(self):
        """The end of the filter bar's period (the latest day with data unless a custom one)."""
        return self.filters.filters().end if self.filters.last_day else None

    def _start(self, fn: Callable, title: str, lane: str, on_done: Callable[[Job], None], signal) -> Job:
        self.job = self.ctx.submit(lambda _params, _state: fn(), title=title, lane=lane)
        self.busy.show()
        self.say(f"{title}…")
        self._show_selected()

        def finished(job: Job) -> None:
            self.job = None
            self.busy.hide()
            if job.status == "done":
                on_done(job)
            else:
                self.say(f"{title} did not finish: {job.error or 'it was cancelled'}", ok=False)
            self._show_selected()
            signal.emit(job)

        when_finished(self.ctx.bus, self.job, finished, owner=self)
        return self.job

    def propose(self) -> Job | None:
        """Run the enabled rules as a job; the new actions land in the Proposed queue."""
        if self.job is not None:
            return None
        if not any(r.enabled for r in decisions.list_rules(self.ctx.lib)):
            self.say("No rule is enabled: add a rule (or tick one) first, then Propose now.", ok=False)
            return None
        lib, as_of = self.ctx.lib, self._as_of()

        def done(job: Job) -> None:
            new = job.result
            self.set_queue("proposed")
            if new:
                self.say(f"{len(new)} new action{'s' if len(new) != 1 else ''} proposed: select one to read why, then Approve "
                         "or Reject.")
                self.select({p.id for p in new})
            else:
                self.say("The rules propose nothing new on this data (an action is never proposed twice).")

        return self._start(lambda: decisions.evaluate(lib, as_of), "Propose actions from rules", "db", done, self.proposed)

    def _platform_choice(self, platforms) -> str | None:
        """The filter bar's platform when it is one of these, else the one with most approved actions."""
        chosen = self.filters.filters().platform
        if chosen in platforms:
            return chosen
        counts = Counter(a.platform for a in self.actions if a.status == "approved" and a.platform in platforms)
        return counts.most_common(1)[0][0] if counts else None

    def _approved(self) -> list[Action]:
        return decisions.list_actions(self.ctx.lib, "approved")

    def ask_export(self) -> ExportDialog:
        dialog = self.export_dialog = ExportDialog(self._approved(), self._platform_choice(decisions.EXPORT_SHEETS), self)

        def submitted():
            path = dialog.path.text().strip()
            if not path:
                return dialog.show_error("Choose where to write the sheet.")
            QSettings().setValue("analytics/actions/export_folder", str(Path(path).parent))
            dialog.accept()
            self.export(dialog.platform.currentData(), path, dialog.account.currentData())

        dialog.submitted.connect(submitted)
        dialog.open()
        return dialog

    def export(self, platform: str, path: str, account: str | None = None) -> Job | None:
        if self.job is not None:
            return None
        lib = self.ctx.lib
        names = {a.id: a for a in self._approved()}

        def done(job: Job) -> None:
            result = job.result
            listed = "".join(f"<li>#{i} {html.escape(ACTION_NAMES.get(names[i].kind, names[i].kind))} "
                             f"{html.escape(names[i].campaign)}</li>" for i in result.action_ids if i in names)
            self.say(f"Exported {len(result.action_ids)} action{'s' if len(result.action_ids) != 1 else ''} as {result.rows} "
                     f"row{'s' if result.rows != 1 else ''} to {html.escape(str(result.path))}:<ul>{listed}</ul>"
                     f"Import it in {platform_name(platform)}'s bulk editor.")
            self.set_queue("exported")
            self.select(set(result.action_ids))

        return self._start(lambda: decisions.export_actions(lib, platform, path, account),
                           f"Export {platform_name(platform)} bulk sheet", "db", done, self.exported)

    def ask_send(self) -> SendDialog:
        dialog = self.send_dialog = SendDialog(self._approved(), self._platform_choice(SEND_PLATFORMS), self)

        def submitted():
            account = dialog.account.text().strip()
            platform = dialog.platform.currentData()
            if not account:
                return dialog.show_error(f"Give the {SEND_PLATFORMS[platform]} account's id, e.g. {ACCOUNT_HINTS[platform]}.")
            QSettings().setValue(f"analytics/actions/account/{platform}", account)
            dialog.accept()
            self.send(platform, account)

        dialog.submitted.connect(submitted)
        dialog.open()
        return dialog

    def send(self, platform: str, account_id: str) -> Job | None:
        if self.job is not None:
            return None
        lib = self.ctx.lib
        endpoint = endpoint_for(KEY_SERVICES[platform])
        connections = Connections(self.ctx.secrets, {platform: endpoint} if endpoint else {})

        def done(job: Job) -> None:
            results = job.result
            c = theme().colors
            lines = "".join(f"<li style='color:{c.success if r.applied else c.danger}'>{'✓' if r.applied else '✗'} "
                            f"{html.escape(r.message)}</li>" for r in results)
            applied = sum(r.applied for r in results)
            self.say(f"{applied} of {len(results)} change{'s' if len(results) != 1 else ''} sent to "
                     f"{SEND_PLATFORMS[platform]}:<ul>{lines}</ul>", ok=applied == len(results))
            if applied:
                self.set_queue("sent")

        return self._start(lambda: decisions.send_actions(lib, platform, account_id, connections=connections),
                           f"Send approved actions to {SEND_PLATFORMS[platform]}", "io", done, self.sent)
