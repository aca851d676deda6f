"""The publisher while the studio is open: every minute (and on demand) it runs
studio.core.publishing.publisher.publish_due as a job on the io lane, never two at once, whichever
workspace is showing. Posts that waited for the network and went out, and posts a platform
refused, are announced in a notice. The app starts one (studio.app); views reach it through
publisher_of(ctx)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy import select

from studio.core.db.models import Publication
from studio.core.jobs import Job
from studio.core.publishing import publisher

INTERVAL_MS = 60_000


def _publish(lib, keys, state) -> tuple[list, set[int]]:
    """The publisher's results, and the posts that were waiting for the network before it ran."""
    with lib.read() as conn:
        waiting = set(conn.execute(select(Publication.post_id).where(Publication.status == "waiting",
                                                                     Publication.error == publisher.OFFLINE)).scalars())
    try:
        return publisher.publish_due(lib, state=state, secrets=keys), waiting
    except publisher.PublisherBusy:  # a `studio publish due` is at it: its posts go out from there
        return [], set()


class BackgroundPublisher(QObject):
    ran = Signal(object)  # the finished publish Job; its result: (results, posts waiting before)
    busy_changed = Signal(bool)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.timer = QTimer(self, interval=INTERVAL_MS)
        self.timer.timeout.connect(self.publish_now)
        ctx.bus.job_changed.connect(self._on_job_changed)

    def start(self) -> None:
        self.timer.start()

    def publish_now(self) -> Job | None:
        """Run the publisher as a job, unless one is running already."""
        if self.job is not None:
            return None
        lib, keys = self.ctx.lib, self.ctx.secrets  # keys: the key store the studio has unlocked, if any
        self.job = self.ctx.submit(lambda _params, state: _publish(lib, keys, state), title="Publish due posts", lane="io")
        self.busy_changed.emit(True)
        return self.job

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job or not job.finished:
            return
        self.job = None
        self.busy_changed.emit(False)
        if job.status == "failed":
            self.ctx.notify(f"The publisher could not run: {job.error}", "error")
        elif job.status == "done":
            self.announce(*job.result)
        self.ran.emit(job)

    def announce(self, results: list, waiting_before: set[int]) -> None:
        back = [r for r in results if r.outcome == "published" and r.post_id in waiting_before]
        if back:
            self.ctx.notify(f"The network is back: {len(back)} post(s) that waited went out ({', '.join(r.title for r in back)}).")
        for r in results:
            if r.outcome == "failed":
                self.ctx.notify(f"{r.title} was not published on {r.platform}: {r.message}", "error")


def publisher_of(ctx) -> BackgroundPublisher:
    """The studio's publisher (made, not started, when the app did not make one: tests, a bare window)."""
    if ctx.publisher is None:
        ctx.publisher = BackgroundPublisher(ctx)
    return ctx.publisher
