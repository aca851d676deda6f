"""Pull from Meta / Google Ads: the platform, its account ids and the days, then the pull as a job
(studio.core.analytics.connectors) with progress and Cancel. The rows go in as one import batch,
so pulling the same days again replaces rather than double counts; a Cancel or an error writes
nothing. When the credentials are missing, locked or refused, the message says so and a button
opens Settings ▸ Accounts & keys."""

from __future__ import annotations

import re
from datetime import date, timedelta

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from studio.core.ai.providers import KEYS_HINT
from studio.core.analytics.connectors import PullParams, PullReport
from studio.core.analytics.connectors.google import pull_google
from studio.core.analytics.connectors.meta import pull_meta
from studio.core.jobs import Job
from studio.ui.shell.accounts import endpoint_for

# platform -> (name, the pull, its key-store service, what an account id looks like)
PLATFORMS = {
    "meta": ("Meta", pull_meta, "meta", "act_1234567890"),
    "google": ("Google Ads", pull_google, "google_ads", "123-456-7890"),
}
KEY = "analytics/pull/"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def said(report: PullReport) -> str:
    """What a finished pull did, in a sentence."""
    name = PLATFORMS[report.platform][0]
    if not report.rows:
        return f"{name} had no rows for {report.date_from} to {report.date_to}; nothing was added."
    return (f"Pulled {report.rows:,} rows from {name} for {report.date_from} to {report.date_to}: {report.rows_added:,} added, "
            f"{report.rows_replaced:,} replaced, {report.rows_unchanged:,} already up to date.")


class PullDialog(QDialog):
    pull_finished = Signal(object)  # the pull Job, done, failed or cancelled

    def __init__(self, ctx, filters, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.setWindowTitle("Pull from Meta / Google Ads")
        self.setMinimumWidth(520)
        settings = QSettings()
        self.platform = QComboBox(accessibleName="Platform")
        for key, (name, *_rest) in PLATFORMS.items():
            self.platform.addItem(name, key)
        self.platform.setCurrentIndex(max(0, self.platform.findData(settings.value(KEY + "platform", "meta"))))
        self.accounts = QLineEdit(accessibleName="Account ids")
        first, last = self._default_days(filters)
        self.start = QDateEdit(_qdate(first), calendarPopup=True, displayFormat="d MMM yyyy", accessibleName="From")
        self.end = QDateEdit(_qdate(last), calendarPopup=True, displayFormat="d MMM yyyy", accessibleName="To")
        days = QHBoxLayout()
        for widget in (self.start, QLabel("–"), self.end):
            days.addWidget(widget)
        days.addStretch(1)
        form = QFormLayout()
        form.addRow("Platform", self.platform)
        form.addRow("Accounts", self.accounts)
        form.addRow("Days", days)
        self.status = QLabel(objectName="Muted", wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
        self.progress = QProgressBar(textVisible=False, maximum=1000)
        self.progress.hide()
        self.settings_button = QPushButton(f"Open {KEYS_HINT}".replace("&", "&&"))  # && shows one & (a lone one marks a shortcut key)
        self.settings_button.clicked.connect(self.open_settings)
        self.settings_button.hide()
        self.buttons = QDialogButtonBox()
        self.pull_button = self.buttons.addButton("Pull", QDialogButtonBox.AcceptRole)
        self.pull_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("Cancel pull", QDialogButtonBox.ActionRole)
        self.cancel_button.hide()
        self.close_button = self.buttons.addButton(QDialogButtonBox.Close)
        self.pull_button.clicked.connect(self.pull)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.settings_button, 0, Qt.AlignLeft)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.platform.currentIndexChanged.connect(self._on_platform_changed)
        self._on_platform_changed()

    @staticmethod
    def _default_days(filters) -> tuple[date, date]:
        """The filter bar's period once the library has data; else the 30 days up to yesterday."""
        if filters.last_day is not None:
            chosen = filters.filters()
            return chosen.start, chosen.end
        yesterday = date.today() - timedelta(days=1)
        return yesterday - timedelta(days=29), yesterday

    def _on_platform_changed(self) -> None:
        platform = self.platform.currentData()
        self.accounts.setPlaceholderText(f"One or more ids, e.g. {PLATFORMS[platform][3]}")
        self.accounts.setText(str(QSettings().value(KEY + f"{platform}/accounts", "")))
        self._say("")

    def _say(self, text: str, state: str = "") -> None:
        self.status.setText(text)
        self.status.setProperty("state", state)
        self.status.style().polish(self.status)
        self.settings_button.setVisible(state == "bad" and KEYS_HINT in text)

    def params(self) -> PullParams:
        platform = self.platform.currentData()
        service = PLATFORMS[platform][2]
        token_uri = str(QSettings().value(f"accounts/{service}/token_uri", "")) or None
        return PullParams(str(self.ctx.lib.root), re.findall(r"[^\s,;]+", self.accounts.text()), _day(self.start.date()).isoformat(),
                          _day(self.end.date()).isoformat(), endpoint=endpoint_for(service), token_uri=token_uri)

    def pull(self) -> Job | None:
        """Start the pull with what the form says (checked by the pull itself: bad ids and days fail with a message)."""
        if self.job is not None:
            return None
        platform = self.platform.currentData()
        name, run, *_ = PLATFORMS[platform]
        params = self.params()
        settings = QSettings()
        settings.setValue(KEY + "platform", platform)
        settings.setValue(KEY + f"{platform}/accounts", ", ".join(params.accounts))
        self.job = self.ctx.submit(run, params, title=f"Pull from {name}", lib=self.ctx.lib, secrets=self.ctx.secrets)
        self._set_running(True)
        self._say(f"Pulling from {name}…")
        self.ctx.bus.job_changed.connect(self._on_job_changed)
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._say("Cancelling… nothing of this pull is written.")

    def _set_running(self, running: bool) -> None:
        self.progress.setValue(0)
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.pull_button.setEnabled(not running)
        for widget in (self.platform, self.accounts, self.start, self.end):
            widget.setEnabled(not running)

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job:
            return
        if not job.finished:
            self.progress.setValue(int((job.state.progress or 0) * 1000))
            if job.state.status:
                self._say(job.state.status + "…")
            return
        self.ctx.bus.job_changed.disconnect(self._on_job_changed)
        self.job = None
        self._set_running(False)
        if job.status == "done":
            self._say(said(job.result), "ok")
        elif job.status == "failed":
            self._say(job.error, "bad")
        else:
            self._say("The pull was cancelled; nothing was written.")
        self.pull_finished.emit(job)

    def open_settings(self):
        """Settings ▸ Accounts & keys, from the main window this dialog sits in."""
        window = self.parentWidget().window() if self.parentWidget() else None
        if hasattr(window, "open_settings"):
            return window.open_settings("Accounts & keys")
        self.ctx.notify(f"Add or replace the key in {KEYS_HINT} (Ctrl+,).", "warning")
        return None
