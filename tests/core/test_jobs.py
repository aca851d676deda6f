"""The job runner: progress, cancel, errors as messages, lanes (threads and processes)."""

from __future__ import annotations

import threading
import time

import pytest

from studio.core.errors import BadInput
from studio.core.jobs import JobRunner, JobState


@pytest.fixture
def runner():
    r = JobRunner()
    yield r
    r.shutdown()


def count_to(n, state: JobState):
    for i in range(n):
        state.check()
        time.sleep(0.01)
        state.set_progress(i + 1, n)
    return n


def wait_until(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)


def test_job_reports_progress_and_result(runner):
    seen = []
    runner.subscribe(lambda job: seen.append((job.status, job.state.progress)))
    job = runner.wait(runner.submit(count_to, 20, title="Count"))
    assert job.status == "done" and job.result == 20
    assert seen[0][0] == "queued" and ("running", None) in seen
    progress = [p for s, p in seen if s == "running" and p is not None]
    assert progress == sorted(progress) and progress[-1] == 1.0


def test_cancel_stops_a_running_job(runner):
    job = runner.submit(count_to, 100_000, title="Long")
    wait_until(lambda: (job.state.progress or 0) > 0)
    job.cancel()
    runner.wait(job)
    assert job.status == "cancelled" and job.result is None


def boom(_params, _state):
    raise KeyError("internal detail")


def bad_input(_params, _state):
    raise BadInput("The file shot.psd is not a picture the studio can read.")


def test_errors_become_messages_not_tracebacks(runner, caplog):
    crash = runner.wait(runner.submit(boom, title="Crash"))
    assert crash.status == "failed"
    assert crash.error == "Something went wrong (KeyError). The details are in the log file."
    assert "Traceback" in caplog.text and "internal detail" in caplog.text  # the log has it all
    refused = runner.wait(runner.submit(bad_input, title="Refused"))
    assert refused.error == "The file shot.psd is not a picture the studio can read."


def test_db_lane_runs_one_job_at_a_time(runner):
    active, most = [0], [0]
    lock = threading.Lock()

    def writer(_params, _state):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1

    jobs = [runner.submit(writer, title=f"w{i}", lane="db") for i in range(5)]
    for job in jobs:
        runner.wait(job)
    assert most[0] == 1


def test_cpu_lane_runs_in_a_worker_process_with_progress_and_cancel(runner):
    import os

    job = runner.wait(runner.submit(pid_and_progress, None, title="Where", lane="cpu"), timeout=60)
    assert job.status == "done" and job.result != os.getpid()
    assert job.state.progress == 1.0

    long = runner.submit(count_to, 100_000, title="Long in a process", lane="cpu")
    wait_until(lambda: (long.state.progress or 0) > 0, timeout=60)
    long.cancel()
    runner.wait(long, timeout=30)
    assert long.status == "cancelled"

    failed = runner.wait(runner.submit(bad_input, title="Refused", lane="cpu"), timeout=60)
    assert failed.status == "failed" and failed.error.startswith("The file shot.psd")


def pid_and_progress(_params, state):
    import os

    state.set_progress(1, 1)
    return os.getpid()


def test_a_job_submitted_after_shutdown_is_cancelled_not_an_error():
    runner = JobRunner()
    runner.shutdown()
    job = runner.submit(lambda _p, _s: 1, title="late")
    assert job.status == "cancelled" and job.finished and job.result is None
