"""Where a media clip's file is: a library asset's content-addressed file, or a plain path."""

from __future__ import annotations

import os
from pathlib import Path

from studio.core.queries import get_asset
from studio.core.render.proxy import proxy_path
from studio.core.timeline.model import Composition, MediaClip


class MediaResolver:
    def __init__(self, lib=None, *, proxy_dir: Path | None = None):
        self.lib = lib  # None: an OTIO file rendered outside a library
        self.proxy_dir = proxy_dir or (lib.root / "proxies" if lib is not None else None)
        self._assets: dict[int, object] = {}

    def _asset(self, asset_id: int):
        if asset_id not in self._assets:
            self._assets[asset_id] = get_asset(self.lib, asset_id) if self.lib is not None else None
        return self._assets[asset_id]

    def path(self, clip: MediaClip) -> Path | None:
        if clip.asset_id is not None:
            asset = self._asset(clip.asset_id)
            if asset is None or asset.trashed_at is not None:
                return None
            return self.lib.media_path(asset.sha256, asset.ext)
        return Path(clip.path) if clip.path else None

    def proxy(self, source: Path) -> Path | None:
        """The preview proxy made for source, if there is one."""
        if self.proxy_dir is None:
            return None
        candidate = proxy_path(source, self.proxy_dir)
        return candidate if candidate.exists() else None

    def missing(self, composition: Composition) -> list[dict]:
        """Media clips whose file is absent or unreadable, with the reason in words."""
        found = []
        for _track, clip in composition.clips():
            if not isinstance(clip, MediaClip):
                continue
            reason = self._problem(clip)
            if reason:
                path = self.path(clip) or (Path(clip.path) if clip.path else None)
                found.append({"clip_id": clip.id, "name": clip.name or (path.name if path else f"asset {clip.asset_id}"),
                              "path": str(path) if path else None, "reason": reason})
        return found

    def _problem(self, clip: MediaClip) -> str | None:
        if clip.asset_id is not None:
            if self.lib is None:
                return "the clip names a library asset, but no library is open"
            asset = self._asset(clip.asset_id)
            if asset is None:
                return "the asset is no longer in the library"
            if asset.trashed_at is not None:
                return "the asset is in the trash"
        path = self.path(clip)
        if not path.exists():
            return "the file is missing"
        if not path.is_file() or not os.access(path, os.R_OK):
            return "the file cannot be read"
        return None
