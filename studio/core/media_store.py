"""Where a library's media files are: its folder's media/ (a personal library, or a team library
on a shared folder), or an object store that an fsspec filesystem reaches (s3://, gs://, az://,
…) for a team library whose pointer names one. Files in a store are read through a cache on
this workstation; their names are their sha256, so a cached copy never goes stale."""

from __future__ import annotations

import functools
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)


class MediaStore:
    def __init__(self, local: Path, remote_url: str | None = None):
        self.local = local  # media/ in the library's folder, or this workstation's cache of the store
        self.remote_url = remote_url.rstrip("/") if remote_url else None

    @functools.cached_property
    def _remote(self):
        import fsspec

        return fsspec.core.url_to_fs(self.remote_url)

    @staticmethod
    def key(sha256: str, ext: str) -> str:
        return f"{sha256[:2]}/{sha256}{ext}"

    def path(self, sha256: str, ext: str) -> Path:
        """The file on this machine (fetched from the store the first time it is asked for)."""
        local = self.local / self.key(sha256, ext)
        if self.remote_url and not local.is_file():
            self._fetch(self.key(sha256, ext), local)
        return local

    def put(self, source: Path, sha256: str, ext: str) -> None:
        """Add a file under its hash: atomically, and once (the same bytes are not sent twice)."""
        copy_atomically(source, self.local / self.key(sha256, ext))
        if self.remote_url:
            self.upload(source, sha256, ext)

    def upload(self, source: Path, sha256: str, ext: str) -> bool:
        """Send a file to the store unless it holds it already. True when it was sent."""
        if self.remote_size(sha256, ext) == source.stat().st_size:
            return False
        fs, root = self._remote
        key = self.key(sha256, ext)
        partial = f"{root}/{key}.{os.getpid()}.partial"
        fs.makedirs(f"{root}/{sha256[:2]}", exist_ok=True)  # a filesystem with folders wants them made
        fs.put_file(str(source), partial)
        fs.mv(partial, f"{root}/{key}")  # readers never see half a file
        return True

    def remove(self, sha256: str, ext: str) -> None:
        fs, root = self._remote
        fs.rm_file(f"{root}/{self.key(sha256, ext)}")

    def remote_size(self, sha256: str, ext: str) -> int | None:
        fs, root = self._remote
        try:
            return fs.size(f"{root}/{self.key(sha256, ext)}")
        except FileNotFoundError:
            return None

    def _fetch(self, key: str, local: Path) -> None:
        fs, root = self._remote
        local.parent.mkdir(parents=True, exist_ok=True)
        partial = local.with_name(f".{local.name}.{os.getpid()}.partial")
        try:
            fs.get_file(f"{root}/{key}", str(partial))
            os.replace(partial, local)
        except FileNotFoundError:
            partial.unlink(missing_ok=True)  # not in the store: shown as missing media
        except OSError as exc:
            partial.unlink(missing_ok=True)
            log.warning("cannot fetch %s from %s: %s", key, self.remote_url, exc)


def copy_atomically(source: Path, dest: Path) -> None:
    if dest.exists() and dest.stat().st_size == source.stat().st_size:
        return  # content-addressed: the same bytes are already there
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    shutil.copyfile(source, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)


def media_store(root: Path) -> MediaStore:
    """The media of the library in folder root (a job worker finds them the same way)."""
    from studio.core import team

    server, url = team.read_pointer(root), team.media_url(root)
    if server is None or url is None:
        return MediaStore(Path(root) / "media")
    return MediaStore(team.local_dir(server) / "media-cache", url)
