"""The sender's side: merge a reviewer's reply into this library as a job on the database lane,
then say what it added. A refused reply imports nothing; the shell shows the failed job's message (the core's)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from studio.core.jobs import Job
from studio.core.review import MergeReport, import_reply
from studio.ui.bridge import when_finished


def _merge(path: Path, state, lib) -> MergeReport:
    return import_reply(lib, path, state=state)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def report_text(report: MergeReport) -> str:
    known = report.comments_known + report.decisions_known
    return (f"Review reply from {report.reviewer}: {_plural(report.comments_added, 'comment')} and "
            f"{_plural(report.decisions_added, 'decision')} added ({known} already there).")


def start_import(ctx, path, owner: QWidget | None = None) -> Job:
    path = Path(path)
    job = ctx.submit(_merge, path, title=f"Import review reply {path.name}", lane="db", lib=ctx.lib)

    def on_finished(job: Job) -> None:
        if job.status == "done":
            ctx.notify(report_text(job.result))

    when_finished(ctx.bus, job, on_finished, owner=owner)
    return job


def choose_and_import(ctx, parent: QWidget) -> Job | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import a reviewer's reply", str(Path.home()), "Review reply (*.zip);;All files (*)")
    return start_import(ctx, path, parent) if path else None
