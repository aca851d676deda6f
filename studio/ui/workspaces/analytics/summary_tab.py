"""The Summary tab: the period's written summary and its report.

The summary of the filter bar's period comes from the built-in rules (studio.core.analytics.insights)
as soon as the period changes; with an Anthropic or OpenAI key in the key store, "Write with AI"
has a model write it from the same facts. Which of them wrote the text is said above it, and any
note (the AI call failed and the rules stepped in, or figures to check) is shown apart. "Export
report…" writes the PDF and the HTML report of the period with the summary shown. Every summary,
key look-up and report runs as a job; the latest request wins."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.core.ai.providers import KEYS_HINT, PROVIDERS
from studio.core.analytics import store
from studio.core.analytics.insights import Summary, summarize
from studio.core.analytics.report import report_paths, write_report
from studio.core.jobs import Job
from studio.core.secrets import SERVICES, SecretStore
from studio.ui.bridge import when_finished
from studio.ui.shell.accounts import endpoint_for
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown

REPORT_FOLDER_KEY = "analytics/report_folder"
REPORT_FILTER = "PDF report (*.pdf);;HTML page (*.html)"


def ai_provider(secrets) -> tuple[object, str | None]:
    """(the key store, the first AI provider with a key, or None). A job: the encrypted-file
    keyring takes about a second a call. A locked store counts as no key."""
    secrets = secrets if secrets is not None else SecretStore()
    if secrets.needs_master_password:
        return secrets, None
    return secrets, next((name for name in PROVIDERS if secrets.has(name)), None)


def written_by(summary: Summary) -> str:
    if summary.source == "rules":
        return "Written by the built-in rules from the period's figures"
    return f"Written by {SERVICES[summary.source].title} from the period's figures"


class SummaryTab(RefreshWhenShown, QWidget):
    summary_finished = Signal(object)  # the summary Job, done, failed or cancelled
    report_finished = Signal(object)  # the report Job
    report_box_opened = Signal(object)  # the QMessageBox saying where the report is

    def __init__(self, ctx, filters, parent=None):
        super().__init__(parent)
        self.ctx, self.filters = ctx, filters
        self.summary: Summary | None = None
        self.summary_job: Job | None = None
        self.report_job: Job | None = None
        self.provider: str | None = None  # the AI provider with a key, once looked up
        self.provider_job: Job | None = None
        self.report_box: QMessageBox | None = None
        self._build()
        self._stale = True  # the first show reads the library
        filters.changed.connect(self._on_filters_changed)
        ctx.bus.changed.connect(self._on_bus_changed)

    def _build(self) -> None:
        self.heading = QLabel(objectName="EmptyTitle")
        self.source_label = QLabel(objectName="Muted")
        self.ai_button = QPushButton(theme().icon("mdi6.creation-outline"), "Write with AI")
        self.ai_button.clicked.connect(self.write_with_ai)
        self.ai_button.hide()
        self.export_button = QPushButton(theme().icon("mdi6.file-pdf-box"), "Export report…")
        self.export_button.setToolTip("Write the period's report as a PDF and an HTML page, with this summary, "
                                      "the totals, the top campaigns and charts")
        self.export_button.clicked.connect(self.choose_report_file)
        top = QHBoxLayout()
        column = QVBoxLayout()
        column.addWidget(self.heading)
        column.addWidget(self.source_label)
        top.addLayout(column, 1)
        top.addWidget(self.ai_button)
        top.addWidget(self.export_button)
        self.note = QLabel(objectName="Banner", wordWrap=True, textInteractionFlags=Qt.TextSelectableByMouse)
        self.note.setContentsMargins(10, 8, 10, 8)
        self.note.hide()
        self.text = QTextBrowser(openLinks=False)
        self.text.setPlaceholderText("Choose a period with data to read its summary.")
        self.hint = QLabel(f"Add an Anthropic or OpenAI API key in {KEYS_HINT} to have an AI write this summary "
                           "from the same figures.", objectName="Muted", wordWrap=True)
        self.hint.hide()
        self.busy_label = QLabel(objectName="Muted")
        self.progress = QProgressBar(maximumWidth=180, textVisible=False, maximum=1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        busy = QHBoxLayout()
        busy.addStretch(1)
        for widget in (self.busy_label, self.progress, self.cancel_button):
            busy.addWidget(widget)
        self._set_busy("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.hint)
        layout.addLayout(busy)

    # ---- the summary ---------------------------------------------------------------------------
    def period(self) -> tuple[date, date]:
        f = self.filters.filters()
        return f.start, f.end

    def refresh(self) -> None:
        """The rules summary of the filter bar's period, and whether an AI could write one."""
        if self.filters.last_day is None:  # the library has no performance data yet
            self._show_message("No performance data yet", "Import the reports you download from the ad platforms "
                               "(Import reports…, or drop them here) to read the period's summary.")
            return
        self.start_summary(None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._look_up_provider()  # a key may have been added in Settings since

    def start_summary(self, provider: str | None) -> Job:
        """Summarize the period by the rules (provider None) or by the AI provider, as a job."""
        if self.summary_job is not None:  # the latest request wins: the older answer is dropped
            self.summary_job.cancel()
        lib, (first, last) = self.ctx.lib, self.period()
        secrets, endpoint = self.ctx.secrets, endpoint_for(provider) if provider else None
        title = f"Write the summary with {SERVICES[provider].title}" if provider else "Summarize the period"
        job = self.summary_job = self.ctx.submit(
            lambda _p, _state: summarize(lib, first, last, provider=provider, store=secrets, endpoint=endpoint), title=title)
        self.ai_button.setEnabled(False)
        if provider:
            self._set_busy(f"{SERVICES[provider].title} is writing the summary…", indefinite=True)
        when_finished(self.ctx.bus, job, self._on_summary_finished, owner=self)
        return job

    def write_with_ai(self) -> Job | None:
        return self.start_summary(self.provider) if self.provider else None

    def _on_summary_finished(self, job: Job) -> None:
        if job is not self.summary_job:
            return
        self.summary_job = None
        self.ai_button.setEnabled(True)
        if self.report_job is None:
            self._set_busy("")
        if job.status == "done":
            self.show_summary(job.result)
        elif job.status == "failed":
            self._show_message("The summary could not be written", job.error)
        self.summary_finished.emit(job)

    def show_summary(self, summary: Summary) -> None:
        self.summary = summary
        first, last = self.period()
        self.heading.setText(f"{first:%d %b %Y} – {last:%d %b %Y}")
        self.source_label.setText(written_by(summary))
        # the note is also the text's last paragraph; it is shown once, apart, so it is not missed
        self.show_paragraphs(summary.text.removesuffix(summary.note).rstrip() if summary.note else summary.text)
        self.note.setText(summary.note)
        self.note.setVisible(bool(summary.note))
        self.export_button.setEnabled(True)

    def _show_message(self, title: str, text: str) -> None:
        self.summary = None
        self.heading.setText(title)
        self.source_label.setText("")
        self.note.hide()
        self.show_paragraphs(text)
        self.export_button.setEnabled(False)

    def show_paragraphs(self, text: str) -> None:
        """Each line of text as a paragraph with room between them (the rules write one fact a line)."""
        paragraphs = [line for line in text.splitlines() if line.strip()]
        self.text.setHtml("".join(f'<p style="margin-bottom: 10px; line-height: 130%">{html.escape(line)}</p>' for line in paragraphs))

    def _look_up_provider(self) -> None:
        if self.provider_job is not None:  # one key-store call at a time
            return
        secrets = self.ctx.secrets
        self.provider_job = self.ctx.submit(lambda _p, _state: ai_provider(secrets), title="Look for an AI key")
        when_finished(self.ctx.bus, self.provider_job, self._on_provider_found, owner=self)

    def _on_provider_found(self, job: Job) -> None:
        self.provider_job = None
        if job.status != "done":
            return
        secrets, self.provider = job.result
        if self.ctx.secrets is None:  # the settings dialog uses the same store
            self.ctx.secrets = secrets
        self.ai_button.setVisible(self.provider is not None)
        self.hint.setVisible(self.provider is None)
        if self.provider:
            self.ai_button.setToolTip(f"Have {SERVICES[self.provider].title} write the summary from the period's figures "
                                      "(they are sent to it; it is told to use no other numbers)")

    def _on_filters_changed(self) -> None:
        self.follow_change()

    def _on_bus_changed(self, result) -> None:
        if store.CHANGES & set(result.changes):
            # after the view's own handler has set the filter bar's choices for the new data
            QTimer.singleShot(0, self.follow_change)

    # ---- the report ----------------------------------------------------------------------------
    def choose_report_file(self) -> Job | None:
        first, last = self.period()
        folder = Path(QSettings().value(REPORT_FOLDER_KEY, str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(self, "Export report", str(folder / f"report {first} to {last}.pdf"), REPORT_FILTER)
        if not path:
            return None
        QSettings().setValue(REPORT_FOLDER_KEY, str(Path(path).parent))
        return self.export_report(path)

    def export_report(self, path: str | Path) -> Job | None:
        """Write the report (path's .pdf or .html, and the other beside it) as a job, with the summary shown."""
        if self.report_job is not None:
            self.ctx.notify("A report is being written; export again when it has finished.", "warning")
            return None
        path = Path(path)
        if path.suffix.lower() not in (".pdf", ".html"):  # a name typed without its extension
            path = path.with_name(path.name + ".pdf")
        pdf, _ = report_paths(path)
        lib, (first, last) = self.ctx.lib, self.period()
        source = self.summary.source if self.summary else "rules"
        provider = None if source == "rules" else source
        secrets, endpoint = self.ctx.secrets, endpoint_for(provider) if provider else None
        self.report_job = self.ctx.submit(
            lambda _p, state: write_report(lib, first, last, pdf, provider=provider, progress=state, store=secrets, endpoint=endpoint),
            title=f"Export report {pdf.stem}")
        self._set_busy(f"Writing {pdf.stem}…")
        self.export_button.setEnabled(False)
        self.ctx.bus.job_changed.connect(self._on_job_changed)
        return self.report_job

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.report_job:
            return
        if not job.finished:
            self.progress.setValue(int((job.state.progress or 0) * 1000))
            self.busy_label.setText(job.state.status or self.busy_label.text())
            return
        self.ctx.bus.job_changed.disconnect(self._on_job_changed)
        self.report_job = None
        self.export_button.setEnabled(self.summary is not None)
        self._set_busy("")
        if job.status == "done":
            self._offer_folder(job.result)
        elif job.status == "failed":
            QMessageBox.warning(self, "Export report", f"The report was not written: {job.error}")
        self.report_finished.emit(job)

    def _offer_folder(self, paths: list[Path]) -> None:
        box = self.report_box = QMessageBox(QMessageBox.Information, "Report written",
                                            f"Wrote {paths[0].name} and {paths[1].name} in {paths[0].parent}.", parent=self)
        show = box.addButton("Open folder", QMessageBox.AcceptRole)
        box.addButton(QMessageBox.Close)
        box.buttonClicked.connect(
            lambda button: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths[0].parent))) if button is show else None)
        box.open()
        self.report_box_opened.emit(box)

    # ---- busy row ------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Cancel the report being written, or the AI summary being waited for (the rules' one stays)."""
        for job in (self.report_job, self.summary_job):
            if job is not None:
                job.cancel()
        self.busy_label.setText("Cancelling…")

    def _set_busy(self, text: str, indefinite: bool = False) -> None:
        self.busy_label.setText(text)
        self.progress.setRange(0, 0 if indefinite else 1000)
        self.progress.setValue(0)
        for widget in (self.busy_label, self.progress, self.cancel_button):
            widget.setVisible(bool(text))
