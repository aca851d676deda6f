"""`studio library check`: is the library whole? SQLite integrity, foreign keys, schema
revision, and every asset's media file present with the right hash."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from studio.core.assets.importer import sha256_of
from studio.core.db import migrate
from studio.core.db.engine import health_problems
from studio.core.db.models import Asset
from studio.core.jobs import JobState


def check_library(lib, state: JobState | None = None, *, hashes: bool = True) -> dict:
    state = state or JobState()
    with lib.read() as conn:
        integrity, fk_problems = health_problems(conn)
        revision = migrate.current_revision(conn)
        assets = conn.execute(select(Asset.id, Asset.sha256, Asset.ext, Asset.thumbnail)).all()
    head = migrate.head_revision()
    missing, corrupt, missing_thumbs = [], [], []
    for n, (asset_id, sha, ext, thumb) in enumerate(assets, 1):
        state.check()
        path = lib.media_path(sha, ext)
        if not path.is_file():
            missing.append({"asset_id": asset_id, "path": str(path)})
        elif hashes and sha256_of(path) != sha:
            corrupt.append({"asset_id": asset_id, "path": str(path)})
        if thumb and not (Path(lib.root) / thumb).is_file():
            missing_thumbs.append(asset_id)
        state.set_progress(n, len(assets))
    ok = integrity == ["ok"] and not fk_problems and revision == head and not missing and not corrupt
    return {
        "ok": ok,
        "library": str(lib.root),
        "integrity_check": integrity,
        "foreign_key_problems": fk_problems,
        "schema": {"revision": revision, "head": head, "current": revision == head},
        "media": {
            "assets": len(assets),
            "missing": missing,
            "hash_mismatch": corrupt,
            "hashes_checked": hashes,
        },
        "thumbnails_missing": missing_thumbs,  # regenerated on demand; not an error
    }
