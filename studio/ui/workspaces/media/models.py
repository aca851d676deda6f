"""The media grid's item model: assets from core queries, loaded off the GUI thread
(the latest request wins), shown through the thumbnail grid's roles."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal

from studio.core.queries import AssetFilter, AssetInfo, count_assets, list_assets
from studio.ui.widgets.asset_text import dimensions, human_duration, human_size
from studio.ui.widgets.asset_model import AssetListModel
from studio.ui.widgets.latest_only import LatestOnly
from studio.ui.widgets.thumbnail_grid import GridRole

AssetRole = Qt.UserRole + 100


def _load(lib, filt: AssetFilter) -> tuple[list[AssetInfo], bool]:
    """The assets, and whether the library has none at all (for the empty state)."""
    assets = list_assets(lib, filt)
    library_empty = not assets and not any(count_assets(lib, AssetFilter(trashed=t)) for t in (False, True))
    return assets, library_empty


class AssetGridModel(AssetListModel):
    """refresh() reloads in the background; `loaded` fires when the rows are in."""

    loaded = Signal()

    def __init__(self, lib, parent=None):
        super().__init__(lib, parent)
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

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        a = self._assets[index.row()]
        if role == AssetRole:
            return a
        if role == GridRole.SUBTITLE:
            return " · ".join(p for p in (human_size(a.size_bytes), dimensions(a)) if p)
        if role == Qt.ToolTipRole:
            return "\n".join(p for p in (a.name, dimensions(a), human_duration(a.duration), ", ".join(a.tags)) if p)
        return super().data(index, role)
