"""A render cluster on Dask distributed: batch renders, renditions and Kata batches as one task per
item on a scheduler's workers, or on a LocalCluster of worker processes on this computer.

`connect(address)` gives a Client; `studio.core.jobs.run_each` takes it as its pool. Workers
read media from the library folder each task names (a shared store, the same path on every
machine) and write results under a temporary name, renamed when whole. A worker that dies
mid-task has its task run again elsewhere by the scheduler; the retried task has the same
parameters, so it overwrites its own temporary file (see `RenderParams.temp_tag`) rather than
leave a second one behind.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from distributed import Client, Event, Queue

from studio.core.errors import BadInput, StudioError

LOCAL = "local"  # the address that means: a LocalCluster of worker processes here
CONNECT_TIMEOUT_S = 10.0
CANCEL_POLL_S = 0.2  # a task asks the scheduler whether the job was cancelled at most this often
MAX_LOCAL_WORKERS = 4


def connect(address: str | None = LOCAL, workers: int | None = None, timeout: float | None = None) -> Client:
    """A client of the scheduler at address (tcp://host:8786), or of a new LocalCluster of worker
    processes (one thread each) when address is None or "local"; closing the client closes that
    cluster. Refuses with a message naming the address when the scheduler cannot be reached."""
    # Dask logs its routine (workers joining, leaving, restarted) at INFO and WARNING; what matters
    # to a user reaches the job as its error
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if address is None or address.strip() == LOCAL:
        count = workers or min(os.cpu_count() or 2, MAX_LOCAL_WORKERS)
        # no dashboard; its HTTP server on any free port of 127.0.0.1 (8787 may be taken by another cluster)
        return Client(n_workers=count, processes=True, threads_per_worker=1, dashboard_address=":0",
                      scheduler_kwargs={"dashboard": False},
                      silence_logs=logging.CRITICAL, set_as_default=False)  # a task's failure reaches its job
    address = address.strip()
    try:
        return Client(address, timeout=timeout or CONNECT_TIMEOUT_S, set_as_default=False)
    except ValueError:
        raise BadInput(f"{address!r} is not a scheduler address; write it as tcp://HOST:8786 "
                       f"(or {LOCAL!r} for worker processes on this computer).") from None
    except (OSError, TimeoutError) as exc:
        raise StudioError(f"Cannot reach the Dask scheduler at {address} ({exc}). Check that the scheduler is "
                          "running and that this computer can reach it, or render on this computer's worker "
                          "processes instead.") from None


def describe(client: Client) -> dict:
    """The workers and threads the cluster has now."""
    workers = client.scheduler_info(n_workers=-1)["workers"]
    return {"address": client.scheduler.address, "workers": len(workers),
            "threads": sum(w.get("nthreads", 0) for w in workers.values())}


def check_cluster(address: str | None, state=None) -> dict:
    """Job: connect to the cluster, say what it has and let it go (Settings' Test button)."""
    with connect(address) as client:
        return describe(client)


class _CancelFlag:
    """The job's Cancel, shared through the scheduler. Asked often (every frame of a render), so a
    task asks the scheduler at most every CANCEL_POLL_S and remembers a yes."""

    def __init__(self, event: Event):
        self.event, self._seen, self._asked = event, False, 0.0

    def __getstate__(self):
        return {"event": self.event}

    def __setstate__(self, state):
        self.__init__(state["event"])

    def is_set(self) -> bool:
        now = time.monotonic()
        if not self._seen and now - self._asked >= CANCEL_POLL_S:
            self._asked, self._seen = now, self.event.is_set()
        return self._seen

    def set(self) -> None:
        self._seen = True
        self.event.set()


class _Updates:
    """Progress from the tasks to the job: put() on a worker, drain() here."""

    def __init__(self, queue: Queue):
        self.queue = queue

    def put(self, item) -> None:
        self.queue.put(item)

    def drain(self, wait: float) -> list:
        items = self.queue.get(batch=True)  # whatever is there, without waiting (a timed get logs an error)
        if not items:
            time.sleep(wait)
        return items


@contextmanager
def channels(client: Client) -> Iterator:
    """run_each's channels on a cluster: tasks submitted as impure (every one runs, even with equal
    parameters), Cancel as a scheduler Event, progress through a scheduler Queue."""
    from functools import partial

    from studio.core.jobs import Channels

    name = f"studio-job-{uuid.uuid4().hex}"
    event, queue = Event(f"{name}-cancel", client=client), Queue(f"{name}-progress", client=client)
    try:
        yield Channels(partial(client.submit, pure=False), _CancelFlag(event), _Updates(queue))
    except BaseException:
        event.set()  # the job stopped waiting (interrupted): tasks still to run end at once
        raise
    else:
        event.clear()  # every task has ended: this lets the scheduler forget the event
    finally:
        queue.close()
