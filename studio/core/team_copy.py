"""Whole-library copies between a personal library and a team server: switching a personal
library into a team library (`studio library migrate-to`), and the offline copy a workstation
keeps of a team library for when its server cannot be reached."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect

from studio.core import team
from studio.core.db import copy as dbcopy
from studio.core.db import migrate
from studio.core.db.engine import make_engine
from studio.core.db.models import Base, Setting
from studio.core.errors import BadInput, LibraryError
from studio.core.media_store import MediaStore

SHARED_SUBFOLDERS = ("media", "thumbs", "kata-plates", "proxies")


@dataclass(frozen=True)
class MigrateParams:
    url: str
    folder: str | None = None  # the shared folder; None: the library's own folder becomes it
    media: str | None = None  # an object store for the media (s3://bucket/prefix, …); None: the shared folder


def migrate_to(lib, params: MigrateParams, state, secrets=None) -> dict:
    """Copy every row to the (empty) database at params.url and every file to the shared folder,
    verify both, then turn the library's folder into a pointer at the team library. On any
    failure nothing is left behind: the server's transaction rolls back, a new folder is removed."""
    if lib.server:
        raise BadInput(f"{lib.location} is already a team library.")
    server = team.parse_server(params.url)
    start = time.perf_counter()
    folder = Path(params.folder).expanduser().resolve() if params.folder else lib.root
    in_place = folder == lib.root
    if not in_place and folder.exists() and any(folder.iterdir()):
        raise BadInput(f"The shared folder {folder} is not empty. Give a new or empty folder on the share "
                       "(or leave --folder out to share the library's own folder).")
    engine = team.connect_engine(server, secrets)
    try:
        with engine.connect() as conn:
            if inspect(conn).get_table_names():
                raise BadInput(f"The database {server.key} already has tables. Migrate into a new, empty database "
                               f"(createdb), so nothing of the team's is overwritten.")
        made_folder = not in_place and not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        store = MediaStore(team.local_dir(server) / "media-cache", params.media) if params.media else None
        uploaded: list[tuple[str, str]] = []
        try:
            files, size = _copy_files(lib.root, None if in_place else folder, store, uploaded, state)
            # the pointer is written just before the rows commit, and removed if they do not
            tables = _copy_database(lib, engine, folder, state,
                                    before_commit=lambda: team.write_pointer(folder, server, params.media))
        except BaseException:
            (folder / team.POINTER).unlink(missing_ok=True)
            for sha, ext in uploaded:  # the store keeps nothing of a switch that did not happen
                store.remove(sha, ext)
            if made_folder:
                shutil.rmtree(folder, ignore_errors=True)
            elif not in_place:
                for sub in SHARED_SUBFOLDERS:
                    shutil.rmtree(folder / sub, ignore_errors=True)
            raise
    finally:
        engine.dispose()
    retired = lib.db_path.with_name(f"library-personal-{datetime.now():%Y%m%d-%H%M%S}.db")
    if in_place:  # from now on the folder opens as the team library; the personal database stays as it was
        lib.engine.dispose()
        os.replace(lib.db_path, retired)
        for side in ("-wal", "-shm"):
            Path(f"{lib.db_path}{side}").unlink(missing_ok=True)
    return {"server": server.key, "url": server.url, "folder": str(folder), "tables": tables,
            "rows": sum(tables.values()), "files": files, "bytes": size, "verified": True,
            "personal_copy": str(retired) if in_place else str(lib.db_path), "seconds": round(time.perf_counter() - start, 2)}


def _copy_database(lib, engine, folder: Path, state, before_commit) -> dict[str, int]:
    state.set_status("Copying the library's rows to the server")
    with lib.read() as src:
        total = max(dbcopy.row_total(src), 1)
        done = 0

        def moved(n: int) -> None:
            nonlocal done
            done += n
            state.set_progress(0.5 + 0.4 * done / total)
            state.check()

        with engine.begin() as dst:
            Base.metadata.create_all(dst)
            migrate.stamp(dst, migrate.head_revision())
            counts = dbcopy.copy_rows(src, dst, moved)
            dst.execute(Setting.__table__.insert().values(key=team.FOLDER_SETTING, value=str(folder)))
            state.set_status("Checking the copy row by row")
            mine, theirs = dbcopy.digests(src), dbcopy.digests(dst)
            theirs["settings"] = mine["settings"] if _only_folder_added(src, dst) else theirs["settings"]
            wrong = [name for name in mine if mine[name] != theirs[name]]
            if wrong:
                raise LibraryError(f"The copy on the server does not match the library in {', '.join(wrong)}; "
                                   "nothing was kept on the server. Try again, and report it if it happens again.")
            before_commit()
    state.set_progress(0.95)
    return counts


def _only_folder_added(src, dst) -> bool:
    """The server's settings are the library's plus the shared folder's place."""
    from sqlalchemy import select

    rows = lambda conn: {k: v for k, v in conn.execute(select(Setting.key, Setting.value))}  # noqa: E731
    server = rows(dst)
    return server.pop(team.FOLDER_SETTING, None) is not None and server == rows(src)


def _copy_files(root: Path, folder: Path | None, store: MediaStore | None, uploaded: list, state) -> tuple[int, int]:
    """Media, thumbnails, Kata plates and proxies into the shared folder (None: they are in it
    already), the media into the store instead when there is one. Each file is checked after
    the copy: by size, and media in a folder by their sha256 (their names)."""
    from studio.core.assets.importer import sha256_of

    subs = [s for s in SHARED_SUBFOLDERS if folder is not None and not (store and s == "media")] + (["media"] if store else [])
    files = [p for sub in subs if (root / sub).is_dir() for p in (root / sub).rglob("*") if p.is_file()]
    total = max(sum(p.stat().st_size for p in files), 1)
    done = 0
    state.set_status(f"Copying {len(files)} file(s) to {store.remote_url if store else folder}")
    for path in files:
        if store and path.parent.parent.name == "media":
            sha, ext = path.stem, path.suffix
            if store.upload(path, sha, ext):
                uploaded.append((sha, ext))
            whole = store.remote_size(sha, ext) == path.stat().st_size
        else:
            target = folder / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            whole = target.stat().st_size == path.stat().st_size and (
                path.parent.parent.name != "media" or sha256_of(target) == path.stem)
        if not whole:
            raise LibraryError(f"{path.name} did not copy whole; check the share or store has room and try again.")
        done += path.stat().st_size
        state.set_progress(0.5 * done / total)
        state.check()
    return len(files), done


# ---- the offline copy ------------------------------------------------------------------------
def save_offline_copy(lib, state) -> Path:
    """Copy the team library's rows into this workstation's offline copy (SQLite), atomically."""
    if not lib.server or lib.read_only:
        raise BadInput("Only an open team library has an offline copy to save.")
    target = team.local_dir(lib.server) / team.OFFLINE_COPY
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{tmp}")
    try:
        with lib.read() as src, engine.begin() as dst:
            Base.metadata.create_all(dst)
            migrate.stamp(dst, migrate.head_revision())
            total = max(dbcopy.row_total(src), 1)
            done = 0

            def moved(n: int) -> None:
                nonlocal done
                done += n
                state.set_progress(done / total)
                state.check()

            dbcopy.copy_rows(src, dst, moved)
    except BaseException:
        engine.dispose()
        tmp.unlink(missing_ok=True)
        raise
    engine.dispose()
    os.replace(tmp, target)
    for side in ("-wal", "-shm"):
        Path(f"{tmp}{side}").unlink(missing_ok=True)
    return target
