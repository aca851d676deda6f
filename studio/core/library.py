"""Opening a library folder: lock, sanity checks, backups, migrations, engine.

A library folder holds library.db (SQLite), media/ (content-addressed originals),
thumbs/ (derived thumbnails) and backups/ (timestamped copies of library.db). A team
library's folder is shared and holds team-library.json instead of library.db: its database
is on a PostgreSQL server (studio.core.team).
"""

from __future__ import annotations

import contextlib
import functools
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

from studio.core import team
from studio.core.db import migrate
from studio.core.db.engine import (
    READ_ONLY,
    make_engine,
    sqlite_url,
    verify_sqlite_settings,
)
from studio.core.db.models import Base
from studio.core.errors import (
    LibraryDamaged,
    LibraryError,
    LibraryLocked,
    LibraryNotWritable,
    LibraryTooNew,
)
from studio.core.media_store import MediaStore, media_store
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

    def __init__(self, root: Path, engine: Engine, lock: FileLock | None, *, server: team.Server | None = None,
                 read_only: bool = False):
        self.root = root
        self.engine = engine
        self._lock = lock
        self.server = server  # a team library's database server; None for a personal library
        self.read_only = read_only  # the offline copy of a team library
        self._listeners: list[Callable] = []
        # The "db lane" inside one process: write transactions from any thread run one at a
        # time (across processes SQLite's own lock and the busy timeout do the same).
        self.write_lock = threading.RLock()
        from studio.core.undo import (
            UndoStack,  # the stack needs a Library; import here to avoid a cycle
        )

        self.undo = UndoStack(self)

    # ---- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path | str | None = None, *, lock: bool = True, auto_backup: bool = True, secrets=None) -> Library:
        """Open (creating or upgrading as needed) the library at root: a folder, or a team
        library's database address (postgresql://[USER@]HOST[:PORT]/DATABASE).

        lock=True: this process owns the library (a studio window); a second owner is refused.
        lock=False: a worker beside the owner (job processes, command-line tools while the
        window is open); it never migrates a library that another process holds.
        secrets: the key store with team server logins (default: the user's).
        """
        if team.is_server_url(root):
            return _open_team(team.parse_server(root), None, lock=lock, secrets=secrets)
        root = Path(root).expanduser().resolve() if root else default_library_dir().resolve()
        if server := team.read_pointer(root):
            return _open_team(server, root, lock=lock, secrets=secrets)
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

    @property
    def location(self) -> str:
        """What opens this library again: its folder, or a team library's server address."""
        return self.server.url if self.server else str(self.root)

    # ---- paths -----------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @functools.cached_property
    def media(self) -> MediaStore:
        return media_store(self.root)

    @property
    def media_dir(self) -> Path:
        return self.media.local

    @property
    def thumbs_dir(self) -> Path:
        return self.root / "thumbs"

    def media_path(self, sha256: str, ext: str) -> Path:
        return self.media.path(sha256, ext)

    # ---- reading and writing ---------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
            yield conn

    def write(self, label: str, *, merge_key: str | None = None, merge_window: float | None = None):
        """A transaction that records an undo entry: `with lib.write("Rename") as tx: ...`."""
        from studio.core.ops.tx import write_transaction

        if self.read_only:
            raise team.LibraryReadOnly(f"{label} was not saved: the team library server cannot be reached, and this is "
                                       "the offline copy (read-only). Open the library again when the server is back.")
        return write_transaction(self, label, merge_key=merge_key, merge_window=merge_window)

    def subscribe(self, listener: Callable) -> None:
        """listener(OpResult) after every committed op in this process (any thread)."""
        self._listeners.append(listener)

    def notify(self, result) -> None:
        for listener in list(self._listeners):
            listener(result)

    def backup(self, dest: Path | None = None) -> Path:
        if self.server:
            raise LibraryError(f"A team library is backed up on its server ({self.server.key}), with pg_dump or the "
                               "server's own backups; `studio library migrate-to` and the offline copy are not backups.")
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


# ---- team libraries ------------------------------------------------------------------------
def _open_team(server: team.Server, folder: Path | None, *, lock: bool, secrets) -> Library:
    """A team library: the database on its server, the files in the shared folder."""
    local = team.local_dir(server)
    file_lock = _acquire_lock(local) if lock else None
    try:
        engine = team.connect_engine(server, _unlocked_or_none(secrets))
        try:
            folder = _team_folder(engine, server, folder)
            _check_team_schema(engine, server, may_migrate=lock)
        except BaseException:
            engine.dispose()
            raise
    except BaseException:
        if file_lock:
            file_lock.release()
        raise
    for sub in ("media", "thumbs"):
        (folder / sub).mkdir(exist_ok=True)
    team.remember_folder(server, folder)
    return Library(folder, engine, file_lock, server=server)


def open_offline_copy(error: team.LibraryUnreachable) -> Library:
    """The read-only offline copy of a team library whose server cannot be reached."""
    engine = make_engine(f"sqlite:///file:{error.offline_copy}?mode=ro&uri=true")
    folder = team.remembered_folder(error.server) or team.local_dir(error.server)
    return Library(folder, engine, None, server=error.server, read_only=True)


def _unlocked_or_none(secrets):
    """The key store to take a server login from; None when it is locked (the server may still
    let us in: a trusted local user, or a ~/.pgpass)."""
    if secrets is None:
        from studio.core.secrets import SecretStore

        secrets = SecretStore()
    return None if secrets.needs_master_password else secrets


def _team_folder(engine: Engine, server: team.Server, folder: Path | None) -> Path:
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from studio.core.db.models import Setting

    if folder is None:
        try:
            with engine.connect() as conn:
                known = conn.execute(select(Setting.value).where(Setting.key == team.FOLDER_SETTING)).scalar()
        except DBAPIError:  # no settings table: not a library (said below, with the schema check)
            known = None
        if not known:
            raise LibraryError(f"The database {server.key} is not a Conext Studio team library yet. Make one from a "
                               f"personal library with `studio library migrate-to {server.url} --folder SHARED_DIR`.")
        folder = Path(known)
    if not folder.is_dir() or team.read_pointer(folder) is None:
        raise team.shared_folder_missing(folder, server)
    if team.read_pointer(folder).key != server.key:
        raise LibraryError(f"The shared folder {folder} belongs to the team library on {team.read_pointer(folder).key}, "
                           f"not {server.key}. Open that folder, or check the address.")
    return folder


def _check_team_schema(engine: Engine, server: team.Server, *, may_migrate: bool) -> None:
    with engine.connect() as conn:
        revision = migrate.current_revision(conn) if inspect(conn).has_table("alembic_version") else None
    if revision is None:
        raise LibraryError(f"The database {server.key} has no Conext Studio library in it. Make one from a personal "
                           f"library with `studio library migrate-to {server.url} --folder SHARED_DIR`.")
    if revision not in migrate.known_revisions():
        raise LibraryTooNew(f"The team library on {server.key} was upgraded by a newer version of Conext Studio "
                            f"(schema {revision}). Update Conext Studio to open it; nothing was changed.")
    head = migrate.head_revision()
    if revision == head:
        return
    if not may_migrate:
        raise LibraryLocked(f"The team library on {server.key} needs an upgrade; open it in the studio window first.")
    with engine.begin() as conn:  # a writer's transaction: one upgrader at a time, the others find it done
        if migrate.current_revision(conn) != head:
            migrate.upgrade(conn, head)
