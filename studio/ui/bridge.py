"""The small seam between Qt, asyncio (qasync) and the job runner.

- install_loop(app): the asyncio loop that runs inside Qt's (app.py calls it once);
- when_finished(bus, job, callback, owner): call back on the GUI thread once a job has finished,
  unless the owner widget has been deleted by then (a dialog closed while its job ran);
- await finished(bus, job): the same for coroutines (never exec() a dialog inside one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import qasync
import shiboken6
from PySide6.QtCore import QObject, QTimer

from studio.core.jobs import Job

async_slot = qasync.asyncSlot  # for views that await I/O in a slot


def install_loop(app) -> asyncio.AbstractEventLoop:
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop


def when_finished(bus, job: Job, callback: Callable[[Job], None], owner: QObject | None = None) -> None:
    def call() -> None:
        if owner is None or shiboken6.isValid(owner):
            callback(job)

    if job.finished:
        QTimer.singleShot(0, call)
        return

    def on_job_changed(changed: Job) -> None:
        if changed is job and job.finished:
            bus.job_changed.disconnect(on_job_changed)
            call()

    bus.job_changed.connect(on_job_changed)


async def finished(bus, job: Job) -> Job:
    future = asyncio.get_running_loop().create_future()
    when_finished(bus, job, lambda j: future.done() or future.set_result(j))
    return await future
