"""The base of every list of assets shown as thumbnails: the grid roles, and dragging
(asset ids for other workspaces, the original files for other applications)."""

from __future__ import annotations

import json

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, Qt, QUrl

from studio.core.queries import AssetInfo
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.widgets.asset_text import KIND_ICONS, human_duration
from studio.ui.widgets.thumbnail_grid import GridRole

BADGE_ICONS = {"video": "mdi6.play", "audio": "mdi6.music-note"}


class AssetListModel(QAbstractListModel):
    """Subclasses fill self._assets and may answer more roles in data() first."""

    def __init__(self, lib, parent=None):
        super().__init__(parent)
        self._lib = lib
        self._assets: list[AssetInfo] = []

    @property
    def assets(self) -> list[AssetInfo]:
        return self._assets

    def assets_at(self, indexes) -> list[AssetInfo]:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return [self._assets[r] for r in rows]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._assets)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        a = self._assets[index.row()]
        if role == Qt.DisplayRole:
            return a.name
        if role == GridRole.THUMB_PATH:
            return str(self._lib.root / a.thumbnail) if a.thumbnail else ""
        if role == GridRole.BADGE:
            return human_duration(a.duration) if a.kind in ("video", "audio") else ""
        if role == GridRole.BADGE_ICON:
            return BADGE_ICONS.get(a.kind, "mdi6.checkerboard" if a.has_alpha else "")
        if role == GridRole.CHECKER:
            return a.has_alpha
        if role == GridRole.PLACEHOLDER_ICON:
            return KIND_ICONS.get(a.kind, "mdi6.file-outline")
        return None

    def flags(self, index):
        base = super().flags(index)
        return base | Qt.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [ASSET_IDS_MIME, "text/uri-list"]

    def mimeData(self, indexes) -> QMimeData:
        assets = self.assets_at(indexes)
        mime = QMimeData()
        mime.setData(ASSET_IDS_MIME, json.dumps([a.id for a in assets]).encode())
        mime.setUrls([QUrl.fromLocalFile(str(self._lib.media_path(a.sha256, a.ext))) for a in assets])
        return mime

    def supportedDragActions(self):
        return Qt.CopyAction
