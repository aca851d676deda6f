"""One job at a time for the workspace's heavy steps (analysis, cut-out, zones): each runs in
the job runner, so the jobs panel shows its progress and Cancel; a newer request cancels the
older one, whose answer is then dropped."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from studio.core.jobs import Job


class LatestJob(QObject):
    progressed = Signal(object)  # the running Job: its state's progress and status changed
    stopped = Signal(object)  # the Job, finished (done, failed or cancelled); busy is False by now

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self._then: Callable | None = None
        ctx.bus.job_changed.connect(self._on_job_changed)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def submit(self, fn, params, *, title: str, then: Callable) -> Job:
        """Run fn(params, state) as a job; then(result) on the GUI thread once it is done."""
        self.cancel()
        # Threads, not processes: the answer holds the full-resolution scene, too big to pickle back.
        self.job, self._then = self.ctx.submit(fn, params, title=title, lane="io"), then
        self.progressed.emit(self.job)
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            job, self.job = self.job, None
            job.cancel()
            self.stopped.emit(job)

    def _on_job_changed(self, job: Job) -> None:
        if job is not self.job:
            return  # someone else's, or superseded
        if not job.finished:
            return self.progressed.emit(job)
        self.job, then = None, self._then
        self.stopped.emit(job)
        if job.status == "done":
            then(job.result)
