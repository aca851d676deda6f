"""SQLite checkpoints on a thread of their own.

In WAL mode a commit appends to the write-ahead log, and SQLite copies the log into the
database file (a checkpoint, with its fsyncs) inside the commit that takes the log past 1000
pages: a million-row import, or any save in the window, could wait a third of a second for the
disk. Here SQLite's automatic checkpoints are off on every connection (engine._sqlite_pragmas)
and a write that leaves the log over LOG_BYTES hands the checkpoint to a background thread.
What a commit promises is unchanged: with synchronous=NORMAL its data is in the log, and the
log goes into the file when the checkpoint runs, or when the last connection closes.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine, event

LOG_BYTES = 4 << 20  # SQLite's own threshold: 1000 pages of 4 KiB


class Checkpoints:
    def __init__(self, engine: Engine, database: Path):
        self._engine = engine
        self._log = Path(f"{database}-wal")
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")
        self._queued = threading.Lock()  # held from asking for a checkpoint until it starts: one in the queue at most
        event.listen(engine, "commit", self._wrote)
        event.listen(engine.pool, "checkin", self._returned)
        event.listen(engine, "engine_disposed", lambda _engine: self._thread.shutdown(wait=True))

    @staticmethod
    def _wrote(conn) -> None:
        conn.connection.info["wrote"] = True

    def _returned(self, _dbapi_connection, record) -> None:
        if record.info.pop("wrote", False) and self._log_size() > LOG_BYTES and self._queued.acquire(blocking=False):
            try:
                self._thread.submit(self._checkpoint)
            except RuntimeError:  # the engine is being disposed: closing its last connection checkpoints
                self._queued.release()

    def _log_size(self) -> int:
        try:
            return self._log.stat().st_size
        except OSError:
            return 0

    def _checkpoint(self) -> None:
        self._queued.release()
        connection = self._engine.raw_connection()
        try:  # PASSIVE: copies what no reader still needs, never waits for a lock
            connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()
