"""The bin: the library's images and videos as thumbnails. An image is dragged onto the canvas
as a scene (while it is empty) or as a product (asset ids under ASSET_IDS_MIME), or
double-clicked to open as the scene; a video is double-clicked (or its context menu used) to
place a product in it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QMenu, QVBoxLayout, QWidget

from studio.core.queries import AssetFilter, list_assets
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.shell.parts import PanelHeader
from studio.ui.widgets.asset_model import AssetListModel
from studio.ui.widgets.latest_only import LatestOnly
from studio.ui.widgets.thumbnail_grid import MIN_CELL, ThumbnailGridView

WATCHED = {"assets", "asset_tags", "campaigns"}


class ImageModel(AssetListModel):
    def set_assets(self, assets: list) -> None:
        self.beginResetModel()
        self._assets = assets
        self.endResetModel()


class ImageBin(QWidget):
    scene_chosen = Signal(int)  # an image double-clicked: open it as the scene
    video_chosen = Signal(int)  # a video double-clicked: place a product in it

    def __init__(self, ctx, thumbnails, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.model = ImageModel(ctx.lib, self)
        self._loader = LatestOnly(self)
        self._loader.finished.connect(self._on_loaded)
        self.search = QLineEdit(placeholderText="Search images and videos", clearButtonEnabled=True)
        self.grid = ThumbnailGridView(thumbnails, own_mime=ASSET_IDS_MIME)
        self.grid.setModel(self.model)
        self.grid.set_cell_size(MIN_CELL)
        self.grid.setToolTip("Double-click an image to open it as the scene; drag one onto the scene to place it as a product. "
                             "Double-click a video to place a product in it")
        self.grid.doubleClicked.connect(lambda index: self.choose(index.row()))
        self.grid.setContextMenuPolicy(Qt.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(PanelHeader("Images and videos"))
        search_row = QVBoxLayout()
        search_row.setContentsMargins(8, 8, 8, 4)
        search_row.addWidget(self.search)
        layout.addLayout(search_row)
        layout.addWidget(self.grid, 1)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        ctx.bus.changed.connect(lambda result: WATCHED & set(result.changes) and self._timer.start())
        self.refresh()

    def refresh(self) -> None:
        lib, filt = self.ctx.lib, AssetFilter(text=self.search.text().strip(), kinds=("image", "video"))
        self._loader.submit(lambda: list_assets(lib, filt))

    def _on_loaded(self, assets: list) -> None:
        self.model.set_assets(assets)
        if not assets:
            self.grid.set_empty_state("mdi6.image-multiple-outline", "Import scene photos or videos and product cut-outs in Media")

    def choose(self, row: int) -> None:
        """The asset in row, as a double-click takes it: an image opens as the scene, a video takes a product."""
        asset = self.model.assets[row]
        (self.video_chosen if asset.kind == "video" else self.scene_chosen).emit(asset.id)

    def _context_menu(self, pos) -> None:
        index = self.grid.indexAt(pos)
        if not index.isValid() or self.model.assets[index.row()].kind != "video":
            return
        menu = QMenu(self)
        menu.addAction("Place a product in this video…", lambda: self.choose(index.row()))
        menu.exec(self.grid.viewport().mapToGlobal(pos))
