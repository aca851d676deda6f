"""Importing files into the library: hash, probe, copy into media/, thumbnail, record.

`run(params, state)` is a job: it reports progress, honours Cancel, and commits in
batches, so a crash loses at most the batch in flight. All batches of one import form a
single undo step. Files are read-only to us: originals are copied, never moved.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import warnings
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import ExifTags, Image, ImageOps
from sqlalchemy import select

from studio.core.assets.probe import MediaInfo, is_image, probe_av, probe_image
from studio.core.assets.thumbnails import THUMB_SIZE, poster_frame, save_thumbnail
from studio.core.db.models import Asset
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.media_store import media_store

BATCH = 50
MAX_NAME = 500


@dataclass
class ImportParams:
    library_root: str
    paths: list[str]
    campaign_id: int | None = None
    # All batches of one import merge into one undo step under this key; a caller that adds
    # more to the same step (the demo builder) passes its own.
    merge_key: str = field(default_factory=lambda: f"import:{uuid.uuid4().hex}")


@dataclass
class Prepared:
    """One file made ready in a worker: in media/ with a thumbnail, or a reason it was skipped."""

    source: str
    sha256: str | None = None
    ext: str = ""
    size_bytes: int = 0
    info: MediaInfo | None = None
    thumbnail: str | None = None
    error: str | None = None


@dataclass
class ImportReport:
    imported: list[dict] = field(default_factory=list)  # asset rows (with id)
    skipped: list[dict] = field(default_factory=list)  # {"path", "reason", ["asset_id"]}
    cancelled: bool = False


def expand_paths(paths: list[str]) -> tuple[list[Path], list[dict]]:
    """Files to import (folders walked recursively, hidden files left out) and bad paths."""
    files, skipped = [], []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
        elif path.is_file():
            files.append(path)
        else:
            skipped.append({"path": str(path), "reason": "no such file or folder"})
    return files, skipped


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _image_with_thumbnail(path: Path, thumb_stem: Path) -> tuple[MediaInfo, Path]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                info = probe_image(img)
                if img.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8):  # shot sideways
                    info.width, info.height = info.height, info.width
                if img.format == "JPEG":  # decode at reduced scale: every byte is still read
                    img.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))
                img.load()
                ImageOps.exif_transpose(img, in_place=True)
                return info, save_thumbnail(img, thumb_stem)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise BadInput(f"the image cannot be read ({exc})") from None


def prepare_file(source: str, library_root: str) -> Prepared:
    """Runs in a worker process. Touches only media/ and thumbs/, never the database."""
    path, root = Path(source), Path(library_root)
    result = Prepared(source)
    try:
        result.size_bytes = path.stat().st_size
        if result.size_bytes == 0:
            raise BadInput("the file is empty")
        result.sha256 = sha256_of(path)
        result.ext = path.suffix.lower()[:16]
        thumb_stem = root / "thumbs" / result.sha256[:2] / result.sha256
        if is_image(path):
            result.info, thumb = _image_with_thumbnail(path, thumb_stem)
        else:
            result.info = probe_av(path)
            thumb = save_thumbnail(poster_frame(path, result.info.duration), thumb_stem) if result.info.kind == "video" else None
        result.thumbnail = str(thumb.relative_to(root)) if thumb else None
        media_store(root).put(path, result.sha256, result.ext)
    except BadInput as exc:
        result.error = str(exc).removeprefix(f"{path.name}: ")
    except OSError as exc:
        result.error = f"cannot read the file ({exc.strerror or exc})"
    return result


def _asset_row(p: Prepared, campaign_id: int | None) -> dict:
    return {
        "sha256": p.sha256,
        "name": Path(p.source).name[:MAX_NAME],
        "ext": p.ext,
        "size_bytes": p.size_bytes,
        "thumbnail": p.thumbnail,
        "source_path": p.source,
        "campaign_id": campaign_id,
        **p.info.as_row(),
    }


def _commit_batch(lib, batch: list[Prepared], params: ImportParams, report: ImportReport) -> None:
    """One transaction for the batch; duplicates (same bytes) are not stored twice."""
    with lib.read() as conn:
        known = dict(conn.execute(select(Asset.sha256, Asset.id).where(Asset.sha256.in_([p.sha256 for p in batch]))).all())
    fresh: list[Prepared] = []
    for p in batch:
        if p.sha256 in known or any(q.sha256 == p.sha256 for q in fresh):
            asset_id = known.get(p.sha256)
            reason = f"already in the library as asset {asset_id}" if asset_id else "the same file appears twice in this import"
            report.skipped.append({"path": p.source, "reason": reason, "asset_id": asset_id})
        else:
            fresh.append(p)
    if not fresh:
        return
    total = len(report.imported) + len(fresh)
    label = f"Import {total} file{'s' if total != 1 else ''}"
    with lib.write(label, merge_key=params.merge_key, merge_window=float("inf")) as tx:
        for p in fresh:
            row = _asset_row(p, params.campaign_id)
            row["id"] = tx.insert("assets", **row)
            report.imported.append(row)
        tx.note(files=len(fresh))


def run(params: ImportParams, state: JobState, lib=None, pool: Executor | None = None) -> ImportReport:
    """Import params.paths into the library. lib: an open Library (else opened here, unlocked,
    as a worker of the studio that holds the lock); pool: where to prepare files."""
    from studio.core.library import Library

    own = lib is None
    lib = lib or Library.open(params.library_root, lock=False, auto_backup=False)
    try:
        files, skipped = expand_paths(params.paths)
        report = ImportReport(skipped=skipped)
        state.set_status(f"Importing {len(files)} files")
        done, batch = 0, []
        mapper = pool.map if pool else map
        chunk = max(BATCH, 1)
        for start in range(0, len(files), chunk):
            if state.cancelled:
                report.cancelled = True
                break
            for prepared in mapper(prepare_file, [str(f) for f in files[start:start + chunk]], [str(lib.root)] * len(files[start:start + chunk])):
                done += 1
                if prepared.error:
                    report.skipped.append({"path": prepared.source, "reason": prepared.error})
                else:
                    batch.append(prepared)
                state.set_progress(done, len(files))
            _commit_batch(lib, batch, params, report)
            batch = []
        return report
    finally:
        if own:
            lib.close()
