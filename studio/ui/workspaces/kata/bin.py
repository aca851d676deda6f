"""The image bin: the library's images as thumbnails, dragged onto the canvas as a scene
(while it is empty) or as a product (asset ids under ASSET_IDS_MIME)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

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
    scene_chosen = Signal(int)  # an asset double-clicked: open it as the scene

    def __init__(self, ctx, thumbnails, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.model = ImageModel(ctx.lib, self)
        self._loader = LatestOnly(self)
        self._loader.finished.connect(self._on_loaded)
        self.search = QLineEdit(placeholderText="Search images", clearButtonEnabled=True)
        self.grid = ThumbnailGridView(thumbnails, own_mime=ASSET_IDS_MIME)
        self.grid.setModel(self.model)
        self.grid.set_cell_size(MIN_CELL)
        self.grid.setToolTip("Double-click an image to open it as the scene; drag one onto the scene to place it as a product")
        self.grid.doubleClicked.connect(lambda index: self.scene_chosen.emit(self.model.assets[index.row()].id))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(PanelHeader("Images"))
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
        lib, filt = self.ctx.lib, AssetFilter(text=self.search.text().strip(), kinds=("image",))
        self._loader.submit(lambda: list_assets(lib, filt))

    def _on_loaded(self, assets: list) -> None:
        self.model.set_assets(assets)
        if not assets:
            self.grid.set_empty_state("mdi6.image-multiple-outline", "Import scene photos and product cut-outs in Media")
