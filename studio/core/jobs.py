"""The job runner, Qt-free. A job is a plain function `fn(params, state)`; the state
carries progress, status text and the Cancel flag. Lanes:

- "db":  one thread, so jobs that mostly write the library run one at a time;
- "io":  a few threads for file and network work;
- "cpu": each job in its own worker process (CPU-heavy media work never holds the GIL
         of the window); progress and Cancel cross the process boundary on a queue and an event.

Listeners hear every change of a job (from worker threads): the UI marshals them to the
GUI thread. Errors become a message for the user; the traceback goes to the log.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing as mp
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from studio.core.errors import Cancelled, StudioError

log = logging.getLogger(__name__)
_SPAWN = mp.get_context("spawn")


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end the worker when the studio process (pid parent) goes, even by
    SIGKILL, rather than leave it waiting forever on a queue nobody writes to (an orphan gets a
    new parent). The pid comes from the studio: one that died while this worker started would
    otherwise leave it watching its new parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def worker_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """Spawned worker processes (fork would copy a Qt process's threads and locks) that end with us."""
    return ProcessPoolExecutor(workers or os.cpu_count() or 2, mp_context=_SPAWN, initializer=_die_with_parent,
                               initargs=(os.getpid(),))


@dataclass
class Channels:
    """How run_each reaches its tasks: submit(fn, *args) -> future; the Cancel every task's state
    checks (is_set/set); updates, which the tasks put (index, share) on and run_each drains."""

    submit: Callable
    cancel: Any
    updates: Any


class _ManagerUpdates:
    def __init__(self, queue):
        self.queue = queue

    def put(self, item) -> None:
        self.queue.put(item)

    def drain(self, wait: float) -> list:
        items = []
        try:
            items.append(self.queue.get(timeout=wait))
            while True:
                items.append(self.queue.get_nowait())
        except queue.Empty:
            return items


@contextmanager
def _process_channels(pool: ProcessPoolExecutor):
    with _SPAWN.Manager() as manager:
        yield Channels(pool.submit, manager.Event(), _ManagerUpdates(manager.Queue()))


def open_pool(cluster: str | None = None, workers: int | None = None):
    """A pool for run_each, to use in a with block: a client of the Dask cluster at the address
    ("local": a LocalCluster of worker processes here), else worker processes."""
    if cluster:
        from studio.core.cluster import connect

        return connect(cluster, workers)
    return worker_pool(workers)


def run_each(pool, fn: Callable, params_list: list, state: JobState) -> list:
    """fn(params, state) for every params: in the pool's worker processes, on a Dask cluster when
    the pool is a distributed Client (studio.core.cluster), or here one after the other when it is
    None. The pool may also be a function that returns one, called here (in the job, so that
    connecting to a cluster never holds up the window). The job's progress is the sum of the
    tasks'; its Cancel reaches them. Returns the results in order; the first error is raised
    once all have stopped."""
    pool = pool() if callable(pool) else pool
    if pool is None:
        results = []
        for i, params in enumerate(params_list):
            results.append(fn(params, _share_of(state, i, len(params_list))))
        return results
    if isinstance(pool, ProcessPoolExecutor):
        opened = _process_channels(pool)
    else:
        from studio.core.cluster import channels

        opened = channels(pool)
    with opened as ch:
        futures = [ch.submit(_pooled, fn, params, i, ch.updates, ch.cancel) for i, params in enumerate(params_list)]
        shares = [0.0] * len(futures)
        pending, failed, running = set(futures), False, True
        while running:
            finished = {f for f in pending if f.done()}
            pending -= finished
            failed = failed or any(f.exception() for f in finished)  # each asked once: on a cluster, a round trip
            running = bool(pending)  # once all are done: the last updates, then out
            if state.cancelled or failed:
                ch.cancel.set()  # stop the others: one failed, or the user cancelled
            updates = ch.updates.drain(0.1 if running else 0)
            for index, share in updates:
                shares[index] = share
            if updates:
                state.set_progress(sum(shares), len(futures))
    state.check()
    errors = [f.exception() for f in futures if f.exception()]
    # the one that failed, not the others it stopped
    first = next((e for e in errors if not isinstance(e, Cancelled)), errors[0] if errors else None)
    if first is not None:
        raise first
    return [f.result() for f in futures]


def _share_of(state: "JobState", index: int, count: int) -> "JobState":
    """A state for the index-th of count parts of a job: its progress moves the job's."""
    part = JobState(lambda: state.set_progress(index + (part.progress or 0), count), state.cancel_event)
    return part


def _pooled(fn, params, index, updates, cancel):
    state = JobState(lambda: updates.put((index, state.progress or 0.0)), cancel)
    state.check()  # cancelled before it started: end at once
    result = fn(params, state)
    updates.put((index, 1.0))
    return result


class JobState:
    """Handed to a job. Call set_progress/set_status; check `cancelled` (or check()) often."""

    def __init__(self, on_change: Callable[[], None] | None = None, cancel_event=None):
        self.progress: float | None = None  # 0..1, None while unknown
        self.status = ""
        self._cancel = cancel_event or threading.Event()
        self._on_change = on_change or (lambda: None)
        self._last_emit = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def cancel_event(self):
        return self._cancel

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._cancel.set()

    def set_status(self, text: str) -> None:
        self.status = text
        self._emit(force=True)

    def set_progress(self, done: float, total: float | None = None) -> None:
        self.progress = (done / total if total else 1.0) if total is not None else done
        self._emit(force=self.progress >= 1.0)

    def _emit(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_emit > 0.05:  # at most ~20 updates a second
            self._last_emit = now
            self._on_change()


@dataclass
class Job:
    id: int
    title: str
    lane: str
    status: str = "queued"  # queued | running | done | failed | cancelled
    state: JobState = field(default_factory=JobState)
    result: Any = None
    error: str | None = None  # a message for the user

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    def cancel(self) -> None:
        self.state.cancel()


def user_message(exc: BaseException) -> str:
    if isinstance(exc, StudioError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "The job ran out of memory. Close other programs or work on fewer files at a time."
    if isinstance(exc, OSError):
        return f"A file could not be read or written: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    return f"Something went wrong ({type(exc).__name__}). The details are in the log file."


class JobRunner:
    def __init__(self, io_threads: int = 4, cpu_processes: int | None = None):
        self._lanes = {
            "db": ThreadPoolExecutor(1, thread_name_prefix="job-db"),
            "io": ThreadPoolExecutor(io_threads, thread_name_prefix="job-io"),
            "cpu": ThreadPoolExecutor(cpu_processes or os.cpu_count() or 2, thread_name_prefix="job-cpu"),
        }
        self._ids = itertools.count(1)
        self._listeners: list[Callable[[Job], None]] = []
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._clients: dict[str, Any] = {}  # render clusters by scheduler address, connected on first use
        self._clients_lock = threading.Lock()
        self.jobs: dict[int, Job] = {}

    def subscribe(self, listener: Callable[[Job], None]) -> None:
        self._listeners.append(listener)

    def _changed(self, job: Job) -> None:
        for listener in list(self._listeners):
            try:
                listener(job)
            except Exception:
                log.exception("job listener failed")

    @property
    def process_pool(self) -> ProcessPoolExecutor:
        """Worker processes for a job's CPU-heavy pieces (started on first use)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = worker_pool()
            return self._pool

    def render_pool(self, address: str | None) -> Callable[[], Any]:
        """The pool for renders, renditions and Kata batches, as a function that run_each calls in the
        job (connecting takes a while): a Dask client of the cluster at address, kept until shutdown,
        or this computer's worker processes when address is None."""

        def pool():
            if address is None:
                return self.process_pool
            from studio.core.cluster import connect

            with self._clients_lock:
                if address not in self._clients:
                    self._clients[address] = connect(address)
                return self._clients[address]

        return pool

    def submit(self, fn: Callable, params: Any = None, *, title: str, lane: str = "io", **kwargs) -> Job:
        """Run fn(params, state, **kwargs) on a lane. On "cpu", fn, params and the result must pickle."""
        job = Job(next(self._ids), title, lane)
        # A cpu job's Cancel must reach its process: an event from the spawn context.
        job.state = JobState(lambda: self._changed(job), _SPAWN.Event() if lane == "cpu" else None)
        self.jobs[job.id] = job
        self._changed(job)
        target = self._run_in_process if lane == "cpu" else self._run_here
        try:
            self._lanes[lane].submit(target, job, fn, params, kwargs)
        except RuntimeError:  # the runner is shut down (the studio is closing): nothing new starts
            job.status = "cancelled"
            job.state.cancel()
            self._changed(job)
        return job

    def _run_here(self, job: Job, fn, params, kwargs) -> None:
        if job.state.cancelled:
            return self._finish(job, "cancelled")
        job.status = "running"
        self._changed(job)
        try:
            job.result = fn(params, job.state, **kwargs)
            self._finish(job, "cancelled" if job.state.cancelled else "done")
        except Cancelled:
            self._finish(job, "cancelled")
        except BaseException as exc:  # the user gets a message, the log gets the traceback
            log.error("job %r failed:\n%s", job.title, traceback.format_exc())
            job.error = user_message(exc)
            self._finish(job, "failed")

    def _run_in_process(self, job: Job, fn, params, kwargs) -> None:
        if job.state.cancelled:
            return self._finish(job, "cancelled")
        job.status = "running"
        self._changed(job)
        updates = _SPAWN.Queue()
        proc = _SPAWN.Process(target=_process_main, args=(fn, params, kwargs, updates, job.state.cancel_event, os.getpid()), daemon=True)
        proc.start()
        outcome = None
        while outcome is None:
            try:
                kind, *payload = updates.get(timeout=0.2)
            except queue.Empty:
                if not proc.is_alive():
                    outcome = ("failed", None, "The worker process stopped unexpectedly (it may have run out of memory).")
                continue
            if kind == "progress":
                job.state.progress, job.state.status = payload
                self._changed(job)
            else:
                outcome = (kind, *payload)
        proc.join(timeout=5)
        status, job.result, job.error = outcome
        if status == "failed" and job.error is None:
            job.error = "The job failed."
        self._finish(job, status)

    def _finish(self, job: Job, status: str) -> None:
        job.status = status
        self._changed(job)

    def wait(self, job: Job, timeout: float | None = None) -> Job:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not job.finished:
            if deadline and time.monotonic() > deadline:
                raise TimeoutError(job.title)
            time.sleep(0.01)
        return job

    def shutdown(self) -> None:
        for job in self.jobs.values():
            job.cancel()
        for lane in self._lanes.values():
            lane.shutdown(wait=True, cancel_futures=True)
        if self._pool:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for client in self._clients.values():
            client.close()


def _process_main(fn, params, kwargs, updates, cancel_event, parent: int) -> None:
    _die_with_parent(parent)
    state = JobState(lambda: updates.put(("progress", state.progress, state.status)), cancel_event)
    try:
        result = fn(params, state, **kwargs)
        updates.put(("cancelled" if state.cancelled else "done", result, None))
    except Cancelled:
        updates.put(("cancelled", None, None))
    except BaseException as exc:
        logging.getLogger(__name__).error("job failed in worker:\n%s", traceback.format_exc())
        updates.put(("failed", None, user_message(exc)))
