"""Jobs: a panel listing every job with progress and Cancel, and a compact status-bar
indicator for the running ones. Both listen to bus.job_changed (already on the GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.jobs import Job
from studio.ui.shell.parts import EmptyState, PanelHeader
from studio.ui.shell.theme import theme
from studio.ui.widgets.workspace_frame import stack_under

FINISHED_TEXT = {"done": "Done", "cancelled": "Cancelled", "failed": "Failed"}
STATUS_DELAY_MS = 300  # short jobs (thumbnails) finish before the status bar flickers


def _set_progress(bar: QProgressBar, progress: float | None) -> None:
    if progress is None:
        bar.setRange(0, 0)  # busy indicator while the job cannot tell
    else:
        bar.setRange(0, 1000)
        bar.setValue(int(max(0.0, min(1.0, progress)) * 1000))


class JobRow(QFrame):
    def __init__(self, job: Job, parent=None):
        super().__init__(parent)
        self.job = job
        self.setObjectName("Card")
        self.title = QLabel(job.title)
        self.title.setWordWrap(True)
        self.status = QLabel(objectName="Muted", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.bar = QProgressBar(textVisible=False, maximumHeight=8)
        self.cancel_button = QToolButton(toolTip="Cancel this job", clicked=self._on_cancel_clicked)
        self.cancel_button.setAccessibleName(f"Cancel {job.title}")
        self.cancel_button.setIcon(theme().icon("mdi6.close"))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.cancel_button, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 6, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        self.refresh()

    def _on_cancel_clicked(self) -> None:
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling…")

    def refresh(self) -> None:
        job = self.job
        if job.finished:
            self.bar.hide()
            self.cancel_button.hide()
            text = FINISHED_TEXT[job.status]
            if job.status == "failed" and job.error:
                text = f"Failed: {job.error}"
            self.status.setText(text)
            self.status.setProperty("state", {"done": "ok", "failed": "bad"}.get(job.status, "busy"))
            self.status.style().polish(self.status)
            return
        _set_progress(self.bar, job.state.progress)
        if self.cancel_button.isEnabled():
            self.status.setText(job.state.status or ("Waiting…" if job.status == "queued" else "Working…"))


class JobsPanel(QWidget):
    """Every job of this session, newest first."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.rows: dict[int, JobRow] = {}
        header = PanelHeader("Jobs")
        self.clear_button = header.add_button("mdi6.broom", "Clear finished jobs", self.clear_finished)
        self._list = QVBoxLayout()
        self._list.setContentsMargins(8, 8, 8, 8)
        self._list.setSpacing(6)
        self._list.addStretch(1)
        holder = QWidget(objectName="Panel")
        holder.setLayout(self._list)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setWidget(holder)
        empty = EmptyState("mdi6.tray-full", "No jobs", "Imports, exports, renders and key tests show their progress here.")
        self.stack = stack_under(self, header, empty, scroll)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def _on_job_changed(self, job: Job) -> None:
        row = self.rows.get(job.id)
        if row is None:
            row = self.rows[job.id] = JobRow(job)
            self._list.insertWidget(0, row)
            self.stack.setCurrentIndex(1)
        row.refresh()

    def clear_finished(self) -> None:
        for job_id, row in list(self.rows.items()):
            if row.job.finished:
                del self.rows[job_id]
                row.deleteLater()
        self.stack.setCurrentIndex(1 if self.rows else 0)


class StatusJobs(QWidget):
    """In the status bar: what is running, one progress bar, Cancel (all running), and a
    button that opens the jobs panel."""

    open_panel = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.label = QLabel(objectName="Muted")
        self.bar = QProgressBar(textVisible=False, maximumWidth=160, maximumHeight=8)
        self.cancel_button = QPushButton("Cancel", clicked=self.cancel_running)
        self.cancel_button.setToolTip("Cancel the running jobs")
        self.details = QToolButton(toolTip="Show the jobs panel", clicked=self.open_panel.emit)
        self.details.setIcon(theme().icon("mdi6.progress-clock"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(8)
        for w in (self.label, self.bar, self.cancel_button, self.details):
            layout.addWidget(w)
        self._delay = QTimer(self, singleShot=True, interval=STATUS_DELAY_MS, timeout=self.refresh)
        self._set_busy_visible(False)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def active_jobs(self) -> list[Job]:
        return [j for j in list(self.ctx.runner.jobs.values()) if not j.finished]

    def _on_job_changed(self, _job) -> None:
        if self.bar.isVisible() or not self.active_jobs():
            self.refresh()
        elif not self._delay.isActive():
            self._delay.start()

    def refresh(self) -> None:
        active = self.active_jobs()
        self._set_busy_visible(bool(active))
        if not active:
            return
        running = [j for j in active if j.status == "running"] or active
        if len(active) == 1:
            job = active[0]
            self.label.setText(f"{job.title}" + (f" — {job.state.status}" if job.state.status else ""))
        else:
            self.label.setText(f"{len(active)} jobs running")
        known = [j.state.progress for j in running if j.state.progress is not None]
        _set_progress(self.bar, sum(known) / len(running) if known and len(known) == len(running) else None)

    def cancel_running(self) -> None:
        for job in self.active_jobs():
            job.cancel()
        self.label.setText("Cancelling…")

    def _set_busy_visible(self, visible: bool) -> None:
        for w in (self.label, self.bar, self.cancel_button):
            w.setVisible(visible)
