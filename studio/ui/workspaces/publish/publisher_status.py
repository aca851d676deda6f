"""The publisher at a glance: what goes out next, how many posts wait for a retry or failed (with
the platform's own message), and Publish due now. Every minute, and on demand, the publisher runs
as a job on the io lane; never two at once. Posts that waited for the network and went out, and
posts the platform refused, are announced in a notice."""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.core.jobs import Job
from studio.core.publishing import publisher
from studio.core.publishing.calendar import list_posts
from studio.core.publishing.timezones import now_utc
from studio.ui.shell.theme import theme
from studio.ui.widgets.latest_only import LatestOnly

INTERVAL_MS = 60_000
LOOK_BACK = timedelta(days=30)  # failed and waiting posts this old still show
LOOK_AHEAD = timedelta(days=90)  # how far "Next" looks
REFRESH_ON = {"posts", "publications", "channels"}


def queue_summary(lib) -> dict:
    """The next post to go out and the posts waiting or failed (runs off the GUI thread)."""
    now = now_utc()
    posts = list_posts(lib, (now - LOOK_BACK).date(), (now + LOOK_AHEAD).date(), with_warnings=False)
    upcoming = sorted((p for p in posts if p.status == "scheduled" and p.publication_status is None and p.due_at), key=lambda p: p.due_at)
    return {"next": upcoming[0] if upcoming else None,
            "waiting": [p for p in posts if p.publication_status == "waiting"],
            "failed": [p for p in posts if p.publication_status == "failed"]}


def run_summary(results: list) -> str:
    if not results:
        return "nothing was due."
    counts = Counter(r.outcome for r in results)
    return ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(counts.items())) + "."


class PublisherStatus(QWidget):
    summarized = Signal()  # the labels show the newest state of the queue
    ran = Signal(object)  # the finished publish Job

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.waiting_ids: set[int] = set()  # posts waiting (offline or retrying) at the last look
        self.next = QLabel(wordWrap=True)
        self.counts = QLabel(objectName="Muted")
        self.last_run = QLabel(objectName="Muted")
        self.failed = QLabel(wordWrap=True)
        self.failed.setStyleSheet(f"color: {theme().colors.danger}")
        self.failed.hide()
        self.publish_button = QPushButton(theme().icon("mdi6.send-clock-outline"), "Publish due now")
        self.publish_button.clicked.connect(self.publish_now)
        top = QHBoxLayout()
        top.addWidget(QLabel("PUBLISHER", objectName="PanelTitle"))
        top.addStretch(1)
        top.addWidget(self.publish_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.next)
        layout.addWidget(self.counts)
        layout.addWidget(self.last_run)
        layout.addWidget(self.failed)

        self._reader = LatestOnly(self)
        self._reader.finished.connect(self._show)
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self.publish_now)
        self.timer.start()
        ctx.bus.changed.connect(lambda result: self.refresh() if REFRESH_ON & set(result.changes) else None)
        ctx.bus.job_changed.connect(self._on_job_changed)
        self.refresh()

    def refresh(self) -> None:
        lib = self.ctx.lib
        self._reader.submit(lambda: queue_summary(lib))

    def _show(self, summary: dict) -> None:
        nxt = summary["next"]
        self.next.setText(f"Next: <b>{html.escape(nxt.title)}</b> at {nxt.local_time:%a %d %b %H:%M} ({html.escape(nxt.timezone)})"
                          if nxt else "No posts scheduled: approve a post and schedule it to put it in the queue.")
        self.waiting_ids = {p.id for p in summary["waiting"]}
        self.counts.setText(f"{len(summary['waiting'])} waiting to retry · {len(summary['failed'])} failed")
        self.failed.setText("<br>".join(f"✗ <b>{html.escape(p.title)}</b> ({html.escape(p.channel_name)}): {html.escape(p.error or 'no message')}"
                                        for p in summary["failed"]))
        self.failed.setVisible(bool(summary["failed"]))
        self.summarized.emit()

    def publish_now(self) -> Job | None:
        """Run the publisher as a job, unless one is running already."""
        if self.job is not None:
            return None
        lib, keys = self.ctx.lib, self.ctx.secrets  # keys: the key store the studio has unlocked, if any
        self.job = self.ctx.submit(lambda _params, state: publisher.publish_due(lib, state=state, secrets=keys),
                                   title="Publish due posts", lane="io")
        self.publish_button.setEnabled(False)
        return self.job

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job or not job.finished:
            return
        self.job = None
        self.publish_button.setEnabled(True)
        if job.status == "failed":
            self.ctx.notify(f"The publisher could not run: {job.error}", "error")
        elif job.status == "done":
            self.last_run.setText(f"Last run {datetime.now():%H:%M}: {run_summary(job.result or [])}")
            self._announce(job.result or [])
        self.refresh()
        self.ran.emit(job)

    def _announce(self, results: list) -> None:
        back = [r for r in results if r.outcome == "published" and r.post_id in self.waiting_ids]
        if back:
            self.ctx.notify(f"The network is back: {len(back)} post(s) that waited went out ({', '.join(r.title for r in back)}).")
        for r in results:
            if r.outcome == "failed":
                self.ctx.notify(f"{r.title} was not published on {r.platform}: {r.message}", "error")
