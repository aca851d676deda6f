"""SQLite checkpoints run on their own thread: a commit returns once its data is in the log, and the
log reaches the database file without anyone waiting for it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from studio.core.db import checkpoints
from studio.core.library import Library

pytestmark = pytest.mark.sqlite_only  # the SQLite file of a personal library

BIG = 6 << 20  # more than checkpoints.LOG_BYTES


def write_blob(lib, size: int) -> None:
    with lib.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS scratch (data BLOB)"))
        conn.execute(text("INSERT INTO scratch VALUES (:d)"), {"d": b"x" * size})


def db_size(root) -> int:
    return (root / "library.db").stat().st_size


def wait_for(condition, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_big_write_reaches_the_database_file_in_the_background(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        before = db_size(lib.root)
        write_blob(lib, BIG)
        assert wait_for(lambda: db_size(lib.root) > before + BIG)


def test_commits_leave_the_checkpoint_to_the_thread_and_closing_finishes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "LOG_BYTES", 1 << 40)  # the thread is never asked: what does the commit do alone?
    with Library.open(tmp_path / "lib") as lib:
        before = db_size(lib.root)
        write_blob(lib, BIG)
        time.sleep(0.3)
        assert db_size(lib.root) < before + BIG  # the commit copied nothing into the file: the log holds it
        wal = lib.root / "library.db-wal"
        assert wal.stat().st_size > BIG
    assert db_size(tmp_path / "lib") > before + BIG  # closing the library checkpointed
    with Library.open(tmp_path / "lib") as lib, lib.read() as conn:
        assert len(conn.execute(text("SELECT data FROM scratch")).scalar()) == BIG


def test_small_writes_do_not_ask_for_checkpoints(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(checkpoints.Checkpoints, "_checkpoint", lambda self: (self._queued.release(), asked.append(1)))
    with Library.open(tmp_path / "lib") as lib:
        write_blob(lib, 1000)
        write_blob(lib, BIG)
        assert wait_for(lambda: asked == [1], 2)
