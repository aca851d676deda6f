"""Opening a library: fresh, reopened, locked, too new, damaged, not writable."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import text

from studio.core.db import migrate
from studio.core.errors import LibraryDamaged, LibraryError, LibraryLocked, LibraryTooNew
from studio.core.library import Library
from studio.core.ops.organize import create_client

pytestmark = pytest.mark.sqlite_only  # the SQLite file of a personal library


def test_fresh_library_is_created_stamped_and_safe(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        with lib.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
            assert migrate.current_revision(conn) == migrate.head_revision()
        assert (lib.root / "media").is_dir() and (lib.root / "backups").is_dir()


def test_reopen_keeps_data(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        create_client(lib, "Acme")
    with Library.open(tmp_path / "lib") as lib, lib.read() as conn:
        assert conn.execute(text("select name from clients")).scalars().all() == ["Acme"]


def test_foreign_keys_are_enforced(lib):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with lib.write("bad") as tx:
            tx.insert("brands", client_id=999, name="Orphan", palette=[])


HOLD = """
import sys, time
from studio.core.library import Library
lib = Library.open(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_second_studio_is_told_and_library_stays_whole(tmp_path):
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        create_client(lib, "Acme")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(LibraryLocked) as err:
            Library.open(root)
        assert "already open in another Conext Studio" in str(err.value)
        assert f"pid {holder.pid}" in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    with Library.open(root) as lib, lib.read() as conn:  # the lock died with the process
        assert conn.execute(text("select count(*) from clients")).scalar() == 1
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_library_from_a_newer_studio_is_refused_untouched(tmp_path):
    root = tmp_path / "lib"
    Library.open(root).close()
    con = sqlite3.connect(root / "library.db")
    con.execute("UPDATE alembic_version SET version_num='9999_future'")
    con.commit()
    con.close()
    before = _sha(root / "library.db")
    with pytest.raises(LibraryTooNew) as err:
        Library.open(root)
    assert "newer version of Conext Studio" in str(err.value) and "not changed" in str(err.value)
    assert _sha(root / "library.db") == before
    wal = root / "library.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # nothing written, not even to the log


def test_damaged_database_names_the_newest_backup(tmp_path):
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        create_client(lib, "Acme")
        backup = lib.backup()
    db = root / "library.db"
    db.write_bytes(b"this is not an sqlite database at all" * 200)
    with pytest.raises(LibraryDamaged) as err:
        Library.open(root)
    assert str(backup) in str(err.value)
    assert err.value.newest_backup == backup
    assert db.read_bytes().startswith(b"this is not")  # nothing overwritten


def test_damaged_without_backup_says_so(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    (root / "library.db").write_bytes(os.urandom(8192))
    with pytest.raises(LibraryDamaged, match="No backup was found"):
        Library.open(root)


def test_foreign_sqlite_file_is_not_taken_over(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    con = sqlite3.connect(root / "library.db")
    con.execute("create table notes(x)")
    con.commit()
    con.close()
    with pytest.raises(LibraryError, match="not a Conext Studio library"):
        Library.open(root)


def test_a_file_is_not_a_library_folder(tmp_path):
    from studio.core.errors import LibraryNotWritable

    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(LibraryNotWritable, match="is a file, not a folder"):
        Library.open(target)


def test_daily_backup_is_taken_on_open(tmp_path):
    root = tmp_path / "lib"
    Library.open(root).close()
    Library.open(root).close()
    assert len(list((root / "backups").glob("library-*.db"))) == 1
