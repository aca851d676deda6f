"""The media bin: the library's assets (the current campaign's, or all) as thumbnails,
a drag source (asset ids under ASSET_IDS_MIME) for the timeline, and a drop target for
files from the OS (they are imported as a job)."""

from __future__ import annotations


from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from studio.core.queries import AssetFilter, list_assets
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.widgets.asset_model import AssetListModel
from studio.ui.widgets.latest_only import LatestOnly
from studio.ui.shell.parts import PanelHeader
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.thumbnail_grid import MIN_CELL, GridRole, ThumbnailGridView

WATCHED = {"assets", "asset_tags", "campaigns"}


class BinModel(AssetListModel):
    loaded = Signal()

    def __init__(self, lib, parent=None):
        super().__init__(lib, parent)
        self._loader = LatestOnly(self)
        self._loader.finished.connect(self._on_loaded)

    def load(self, filt: AssetFilter) -> None:
        lib = self._lib
        self._loader.submit(lambda: list_assets(lib, filt))

    def _on_loaded(self, assets: list) -> None:
        self.beginResetModel()
        self._assets = assets
        self.endResetModel()
        self.loaded.emit()

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        a = self._assets[index.row()]
        if role == GridRole.SUBTITLE:
            return a.kind.capitalize() + (f" · {a.width}×{a.height}" if a.width and a.height else "")
        if role == Qt.ToolTipRole:
            return f"{a.name}\nDrag onto a track to place it"
        return super().data(index, role)


class MediaBin(RefreshWhenShown, QWidget):
    files_dropped = Signal(list)  # OS files dropped on the bin: import them
    import_requested = Signal()

    def __init__(self, ctx, thumbnails, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.model = BinModel(ctx.lib, self)
        self.header = PanelHeader("Media")
        self.import_button = self.header.add_button("mdi6.tray-arrow-down", "Import media files", self.import_requested.emit)
        self.search = QLineEdit(placeholderText="Search media", clearButtonEnabled=True)
        self.kind = QComboBox(toolTip="Show one kind of media")
        self.kind.addItems(["All", "Video", "Images", "Audio"])
        self.scope = QComboBox(toolTip="This campaign's media, or the whole library")
        self.scope.addItems(["This campaign", "Whole library"])
        self.grid = ThumbnailGridView(thumbnails, own_mime=ASSET_IDS_MIME)
        self.grid.setModel(self.model)
        self.grid.set_cell_size(MIN_CELL + 8)
        self.grid.files_dropped.connect(self.files_dropped)
        row = QHBoxLayout()
        row.setContentsMargins(8, 8, 8, 4)
        row.setSpacing(6)
        row.addWidget(self.kind)
        row.addWidget(self.scope, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        search_row = QHBoxLayout()
        search_row.setContentsMargins(8, 8, 8, 0)
        search_row.addWidget(self.search)
        layout.addLayout(search_row)
        layout.addLayout(row)
        layout.addWidget(self.grid, 1)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.scope.currentIndexChanged.connect(self.refresh)
        self.model.loaded.connect(self._on_loaded)
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.campaign_changed.connect(lambda _c: self.refresh())
        self.refresh()

    def asset_filter(self) -> AssetFilter:
        kinds = {1: ("video",), 2: ("image",), 3: ("audio",)}.get(self.kind.currentIndex(), ())
        campaign = self.ctx.current_campaign_id if self.scope.currentIndex() == 0 else None
        return AssetFilter(text=self.search.text().strip(), kinds=kinds, campaign_id=campaign)

    def refresh(self) -> None:
        self.scope.setEnabled(self.ctx.current_campaign_id is not None)
        self.model.load(self.asset_filter())

    def _on_loaded(self) -> None:
        if self.model.rowCount():
            return
        if self.search.text() or self.kind.currentIndex():
            self.grid.set_empty_state("mdi6.filter-remove-outline", "No media matches")
        else:
            self.grid.set_empty_state("mdi6.image-multiple-outline", "Drop photos, videos and music here to import them")

    def _on_bus_changed(self, result) -> None:
        if WATCHED & set(result.changes):
            self.follow_change(self._timer.start)
