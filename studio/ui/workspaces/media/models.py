"""The media grid's item model: assets from core queries, loaded off the GUI thread
(the latest request wins), shown through the thumbnail grid's roles."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, Qt, QUrl, Signal

from studio.core.queries import AssetFilter, AssetInfo, count_assets, list_assets
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.widgets.asset_text import KIND_ICONS, dimensions, human_duration, human_size
from studio.ui.widgets.latest_only import LatestOnly
from studio.ui.widgets.thumbnail_grid import GridRole

AssetRole = Qt.UserRole + 100


def _load(lib, filt: AssetFilter) -> tuple[list[AssetInfo], bool]:
    """The assets, and whether the library has none at all (for the empty state)."""
    assets = list_assets(lib, filt)
    library_empty = not assets and not any(count_assets(lib, AssetFilter(trashed=t)) for t in (False, True))
    return assets, library_empty


class AssetGridModel(QAbstractListModel):
    """refresh() reloads in the background; `loaded` fires when the rows are in."""

    loaded = Signal()

    def __init__(self, lib, parent=None):
        super().__init__(parent)
        self._lib = lib
        self._assets: list[AssetInfo] = []
        self._rows: dict[int, int] = {}
        self._filter = AssetFilter()
        self.library_empty = True
        self._loader = LatestOnly(self)
        self._loader.finished.connect(self._on_loaded)

    @property
    def filter(self) -> AssetFilter:
        return replace(self._filter)

    def set_filter(self, filt: AssetFilter) -> None:
        self._filter = replace(filt)
        self.refresh()

    def refresh(self) -> None:
        lib, filt = self._lib, replace(self._filter)
        self._loader.submit(lambda: _load(lib, filt))

    def _on_loaded(self, result: tuple[list[AssetInfo], bool]) -> None:
        assets, self.library_empty = result
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
