"""Writes from many threads and from a second process are serialized, none lost."""

from __future__ import annotations

import subprocess
import sys
import threading

from sqlalchemy import text

from studio.core.ops import organize

OTHER_PROCESS = """
import sys
from studio.core.library import Library
from studio.core.ops import organize
with Library.open(sys.argv[1], lock=False) as lib:
    for i in range(40):
        organize.create_client(lib, f"process {i}")
"""


def test_threads_and_a_worker_process_write_at_once(lib):
    worker = subprocess.Popen([sys.executable, "-c", OTHER_PROCESS, str(lib.root)])
    errors = []

    def write(thread_no):
        try:
            for i in range(25):
                organize.create_client(lib, f"thread {thread_no}-{i}")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert worker.wait(timeout=120) == 0
    assert errors == []
    with lib.read() as conn:
        assert conn.execute(text("select count(*) from clients")).scalar() == 6 * 25 + 40
        assert conn.execute(text("select count(*) from undo_log")).scalar() == 6 * 25 + 40


def test_reading_never_waits_for_a_write_in_progress(lib):
    organize.create_client(lib, "Committed")
    with lib.write("Slow import") as tx:
        tx.insert("clients", name="Not yet committed")
        with lib.read() as conn:  # another connection, while the write lock is held
            names = conn.execute(text("select name from clients")).scalars().all()
    assert names == ["Committed"]  # the committed state, at once (no lock wait, no error)
