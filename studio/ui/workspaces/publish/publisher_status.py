"""The publisher at a glance: what goes out next, how many posts wait for a retry or failed (with
the platform's own message), when it last ran, and Publish due now. The publisher itself runs
whichever workspace shows (studio.ui.background_publisher)."""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.core.jobs import Job
from studio.core.publishing.calendar import list_posts
from studio.core.publishing.timezones import now_utc
from studio.ui.background_publisher import publisher_of
from studio.ui.shell.theme import theme
from studio.ui.widgets.latest_only import LatestOnly

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
        self.publisher = publisher_of(ctx)
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
        ctx.bus.changed.connect(lambda result: self.refresh() if REFRESH_ON & set(result.changes) else None)
        self.publisher.busy_changed.connect(lambda busy: self.publish_button.setEnabled(not busy))
        self.publisher.ran.connect(self._on_ran)
        self.publish_button.setEnabled(self.publisher.job is None)
        self.refresh()

    def refresh(self) -> None:
        lib = self.ctx.lib
        self._reader.submit(lambda: queue_summary(lib))

    def _show(self, summary: dict) -> None:
        nxt = summary["next"]
        self.next.setText(f"Next: <b>{html.escape(nxt.title)}</b> at {nxt.local_time:%a %d %b %H:%M} ({html.escape(nxt.timezone)})"
                          if nxt else "No posts scheduled: approve a post and schedule it to put it in the queue.")
        self.counts.setText(f"{len(summary['waiting'])} waiting to retry · {len(summary['failed'])} failed")
        self.failed.setText("<br>".join(f"✗ <b>{html.escape(p.title)}</b> ({html.escape(p.channel_name)}): {html.escape(p.error or 'no message')}"
                                        for p in summary["failed"]))
        self.failed.setVisible(bool(summary["failed"]))
        self.summarized.emit()

    def publish_now(self) -> Job | None:
        return self.publisher.publish_now()

    def _on_ran(self, job: Job) -> None:
        if job.status == "done":
            results, _waiting = job.result
            self.last_run.setText(f"Last run {datetime.now():%H:%M}: {run_summary(results)}")
        self.refresh()
        self.ran.emit(job)
