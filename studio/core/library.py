"""Opening a library folder: lock, sanity checks, backups, migrations, engine.

A library folder holds library.db (SQLite), media/ (content-addressed originals),
thumbs/ (derived thumbnails) and backups/ (timestamped copies of library.db).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, inspect

from studio.core.db import migrate
from studio.core.db.engine import READ_ONLY, make_engine, sqlite_url, verify_sqlite_settings
from studio.core.db.models import Base
from studio.core.errors import (
    LibraryDamaged,
    LibraryError,
    LibraryLocked,
    LibraryNotWritable,
    LibraryTooNew,
)
from studio.core.paths import default_library_dir

DB_NAME = "library.db"
AUTO_BACKUP_EVERY_S = 24 * 3600
BACKUPS_KEPT = 10


def newest_backup(root: Path) -> Path | None:
    backups = sorted((root / "backups").glob("library-*.db"), key=lambda p: p.stat().st_mtime)
    return backups[-1] if backups else None


def backup_database(db_path: Path, dest: Path) -> Path:
    """Copy a live database consistently (sqlite3 online backup API), atomically at dest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    os.replace(tmp, dest)
    return dest


def _check_writable(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise LibraryNotWritable(
            f"The library folder {root} is not writable ({exc.strerror or exc}). "
            "Fix its permissions, or open another folder with --library DIR or STUDIO_LIBRARY."
        ) from None


def _inspect_existing(db_path: Path) -> str | None:
    """Read-only look at an existing library.db before anything writes to it.
    Returns its schema revision (None for an empty file)."""
    damaged = LibraryDamaged(
        f"The library database {db_path} is damaged and cannot be opened. "
        + _backup_hint(db_path.parent),
        newest_backup(db_path.parent),
    )
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise damaged
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                if tables:
                    raise LibraryError(
                        f"{db_path} is an SQLite file but not a Conext Studio library. "
                        "Choose an empty folder or an existing library with --library DIR."
                    )
                return None
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError:
        raise damaged from None


def _backup_hint(root: Path) -> str:
    newest = newest_backup(root)
    if newest:
        return f"The newest backup is {newest}: copy it over library.db to restore it."
    return f"No backup was found in {root / 'backups'}."


class Library:
    """An open library. Use Library.open(); close() when done (or use it as a context manager)."""

    def __init__(self, root: Path, engine: Engine, lock: FileLock | None):
        self.root = root
        self.engine = engine
        self._lock = lock
        self._listeners: list[Callable] = []
        # The "db lane" inside one process: write transactions from any thread run one at a
        # time (across processes SQLite's own lock and the busy timeout do the same).
        self.write_lock = threading.RLock()
        from studio.core.undo import UndoStack  # the stack needs a Library; import here to avoid a cycle

        self.undo = UndoStack(self)

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str | None = None, *, lock: bool = True, auto_backup: bool = True) -> Library:
        """Open (creating or upgrading as needed) the library at root.

        lock=True: this process owns the library (a studio window); a second owner is refused.
        lock=False: a worker beside the owner (job processes, command-line tools while the
        window is open); it never migrates a library that another process holds.
        """
        root = Path(root).expanduser().resolve() if root else default_library_dir().resolve()
        if root.exists() and not root.is_dir():
            raise LibraryNotWritable(f"{root} is a file, not a folder. Give a folder with --library DIR.")
        _check_writable(root)
        file_lock = _acquire_lock(root) if lock else None
        try:
            engine = _open_database(root, auto_backup=auto_backup and lock, may_migrate=lock or not _locked_by_other(root))
        except BaseException:
            if file_lock:
                file_lock.release()
            raise
        for sub in ("media", "thumbs", "backups"):
            (root / sub).mkdir(exist_ok=True)
        return cls(root, engine, file_lock)

    def close(self) -> None:
        self.engine.dispose()
        if self._lock:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- paths -----------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def thumbs_dir(self) -> Path:
        return self.root / "thumbs"

    def media_path(self, sha256: str, ext: str) -> Path:
        return self.media_dir / sha256[:2] / f"{sha256}{ext}"

    # ---- reading and writing ---------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
            yield conn

    def write(self, label: str, *, merge_key: str | None = None, merge_window: float | None = None):
        """A transaction that records an undo entry: `with lib.write("Rename") as tx: ...`."""
        from studio.core.ops.tx import write_transaction

        return write_transaction(self, label, merge_key=merge_key, merge_window=merge_window)

    def subscribe(self, listener: Callable) -> None:
        """listener(OpResult) after every committed op in this process (any thread)."""
        self._listeners.append(listener)

    def notify(self, result) -> None:
        for listener in list(self._listeners):
            listener(result)

    def backup(self, dest: Path | None = None) -> Path:
        if dest is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            dest = self.root / "backups" / f"library-{stamp}.db"
        return backup_database(self.db_path, Path(dest))


def _acquire_lock(root: Path) -> FileLock:
    lock = FileLock(root / "library.lock", timeout=0)
    owner = root / "library.owner"
    try:
        lock.acquire()
    except Timeout:
        who = owner.read_text().strip() if owner.exists() else "another process"
        raise LibraryLocked(
            f"The library {root} is already open in another Conext Studio ({who}). "
            "Switch to that window, or close it first; to work on something else, open another library with --library DIR."
        ) from None
    owner.write_text(f"pid {os.getpid()}\n")
    return lock


def _locked_by_other(root: Path) -> bool:
    probe = FileLock(root / "library.lock", timeout=0)
    try:
        probe.acquire()
    except Timeout:
        return True
    probe.release()
    return False


def _open_database(root: Path, *, auto_backup: bool, may_migrate: bool) -> Engine:
    db_path = root / DB_NAME
    existing = db_path.exists() and db_path.stat().st_size > 0
    revision = _inspect_existing(db_path) if existing else None
    if revision is not None and revision not in migrate.known_revisions():
        raise LibraryTooNew(
            f"The library {root} was made by a newer version of Conext Studio (schema {revision}). "
            "Update Conext Studio to open it; the library was not changed."
        )
    if not may_migrate and revision != migrate.head_revision():
        raise LibraryLocked(
            f"The library {root} needs an upgrade, which can only run while no other Conext Studio has it open. "
            "Close the other studio and try again."
        )
    engine = make_engine(sqlite_url(db_path))
    try:
        verify_sqlite_settings(engine)
        head = migrate.head_revision()
        if revision is None:
            with engine.begin() as conn:
                if inspect(conn).get_table_names():
                    raise LibraryError(f"{db_path} has tables but no schema revision; it is not a Conext Studio library.")
                Base.metadata.create_all(conn)
                migrate.stamp(conn, head)
        elif revision != head:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            backup_database(db_path, root / "backups" / f"library-{stamp}-before-{head}.db")
            with engine.begin() as conn:
                migrate.upgrade(conn, head)
        elif auto_backup:
            _auto_backup(db_path)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _auto_backup(db_path: Path) -> None:
    """One backup a day, the last BACKUPS_KEPT kept, so a damaged library can be restored."""
    root = db_path.parent
    newest = newest_backup(root)
    if newest and time.time() - newest.stat().st_mtime < AUTO_BACKUP_EVERY_S:
        return
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup_database(db_path, root / "backups" / f"library-{stamp}.db")
    backups = sorted((root / "backups").glob("library-*.db"), key=lambda p: p.stat().st_mtime)
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
