"""The media grid's item model: assets from core queries, loaded off the GUI thread
(the latest request wins), shown through the thumbnail grid's roles."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QObject, QRunnable, Qt, QThreadPool, QUrl, Signal, Slot

from studio.core.queries import AssetFilter, AssetInfo, count_assets, list_assets
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.widgets.thumbnail_grid import GridRole

AssetRole = Qt.UserRole + 100
KIND_ICONS = {"image": "mdi6.image-outline", "video": "mdi6.filmstrip", "audio": "mdi6.waveform"}


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = round(seconds)
    h, rest = divmod(total, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def dimensions(info: AssetInfo) -> str:
    return f"{info.width}×{info.height}" if info.width and info.height else ""


class _Relay(QObject):
    loaded = Signal(int, list, bool)  # generation, assets, library is empty


class _Query(QRunnable):
    def __init__(self, lib, filt: AssetFilter, generation: int, relay: _Relay):
        super().__init__()
        self._lib, self._filt, self._gen, self._relay = lib, replace(filt), generation, relay

    def run(self) -> None:
        assets = list_assets(self._lib, self._filt)
        library_empty = not assets and not any(count_assets(self._lib, AssetFilter(trashed=t)) for t in (False, True))
        try:
            self._relay.loaded.emit(self._gen, assets, library_empty)
        except RuntimeError:  # the model went away meanwhile
            pass


class AssetGridModel(QAbstractListModel):
    """refresh() reloads in the background; `loaded` fires when the rows are in."""

    loaded = Signal()

    def __init__(self, lib, parent=None):
        super().__init__(parent)
        self._lib = lib
        self._assets: list[AssetInfo] = []
        self._rows: dict[int, int] = {}
        self._filter = AssetFilter()
        self._generation = itertools.count(1)
        self._latest = 0
        self.library_empty = True
        self._relay = _Relay(self)
        self._relay.loaded.connect(self._on_relay_loaded, Qt.QueuedConnection)

    @property
    def filter(self) -> AssetFilter:
        return replace(self._filter)

    def set_filter(self, filt: AssetFilter) -> None:
        self._filter = replace(filt)
        self.refresh()

    def refresh(self) -> None:
        self._latest = next(self._generation)
        QThreadPool.globalInstance().start(_Query(self._lib, self._filter, self._latest, self._relay))

    @Slot(int, list, bool)
    def _on_relay_loaded(self, generation: int, assets: list, library_empty: bool) -> None:
        if generation != self._latest:
            return
        self.library_empty = library_empty
        if [a.id for a in assets] == [a.id for a in self._assets]:
            self._assets = assets  # same rows: keep the selection, repaint the content
            if assets:
                self.dataChanged.emit(self.index(0), self.index(len(assets) - 1))
        else:
            self.beginResetModel()
            self._assets = assets
            self._rows = {a.id: row for row, a in enumerate(assets)}
            self.endResetModel()
        self.loaded.emit()

    # ---- lookups ----------------------------------------------------------------------------
    def asset(self, row: int) -> AssetInfo:
        return self._assets[row]

    def row_of(self, asset_id: int) -> int | None:
        return self._rows.get(asset_id)

    def assets_at(self, indexes) -> list[AssetInfo]:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return [self._assets[r] for r in rows]

    # ---- Qt model ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._assets)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        a = self._assets[index.row()]
        if role == Qt.DisplayRole:
            return a.name
        if role == AssetRole:
            return a
        if role == GridRole.THUMB_PATH:
            return str(self._lib.root / a.thumbnail) if a.thumbnail else ""
        if role == GridRole.BADGE:
            return human_duration(a.duration) if a.kind in ("video", "audio") else ""
        if role == GridRole.BADGE_ICON:
            return {"video": "mdi6.play", "audio": "mdi6.music-note"}.get(a.kind, "mdi6.checkerboard" if a.has_alpha else "")
        if role == GridRole.CHECKER:
            return a.has_alpha
        if role == GridRole.SUBTITLE:
            return " · ".join(p for p in (human_size(a.size_bytes), dimensions(a)) if p)
        if role == GridRole.PLACEHOLDER_ICON:
            return KIND_ICONS.get(a.kind, "mdi6.file-outline")
        if role == Qt.ToolTipRole:
            return "\n".join(p for p in (a.name, dimensions(a), human_duration(a.duration), ", ".join(a.tags)) if p)
        return None

    def flags(self, index):
        base = super().flags(index)
        return base | Qt.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [ASSET_IDS_MIME, "text/uri-list"]

    def mimeData(self, indexes) -> QMimeData:
        """Asset ids for other workspaces; the original files for other applications."""
        assets = self.assets_at(indexes)
        mime = QMimeData()
        mime.setData(ASSET_IDS_MIME, json.dumps([a.id for a in assets]).encode())
        mime.setUrls([QUrl.fromLocalFile(str(self._lib.media_path(a.sha256, a.ext))) for a in assets])
        return mime

    def supportedDragActions(self):
        return Qt.CopyAction
