"""Batch placement: tick products and scenes from the library; every product goes into
every scene at its best zone, as a job with progress and Cancel, ending in a contact sheet. The
scenes are shared out to worker processes or the render cluster chosen in Settings."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
)

from studio.core.jobs import run_each
from studio.core.ops.kata import library_resolver
from studio.core.queries import AssetFilter, list_assets
from studio.kata.batch import BatchParams, run
from studio.ui.shell.render_settings import render_pool


def default_out_dir() -> Path:
    return Path.home() / "Kata batch"


class BatchDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job = None
        self.setWindowTitle("Kata batch")
        self.products, self.scenes = QListWidget(), QListWidget()
        for asset in list_assets(ctx.lib, AssetFilter(kinds=("image",))):
            for widget in (self.products, self.scenes):
                item = QListWidgetItem(asset.name)
                item.setData(Qt.UserRole, asset.id)
                item.setCheckState(Qt.Checked if widget is self.products and asset.has_alpha else Qt.Unchecked)
                widget.addItem(item)
        self.products.setToolTip("Cut-out PNGs work best; a product on a plain background is cut out for you")
        self.scenes.setToolTip("Each product is placed in each of these scenes at its best zone")
        self.out_dir = QLineEdit(str(default_out_dir()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Run batch")
        self.buttons.accepted.connect(self.run)
        self.buttons.rejected.connect(self.reject)
        self.error = QLabel(objectName="Muted", wordWrap=True)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Products"), 0, 0)
        grid.addWidget(QLabel("Scenes"), 0, 1)
        grid.addWidget(self.products, 1, 0)
        grid.addWidget(self.scenes, 1, 1)
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("Save into"))
        out_row.addWidget(self.out_dir, 1)
        out_row.addWidget(browse)
        grid.addLayout(out_row, 2, 0, 1, 2)
        grid.addWidget(self.error, 3, 0, 1, 2)
        grid.addWidget(self.buttons, 4, 0, 1, 2)
        self.resize(620, 460)

    def checked(self, widget: QListWidget) -> list[int]:
        return [widget.item(i).data(Qt.UserRole) for i in range(widget.count()) if widget.item(i).checkState() == Qt.Checked]

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save the batch into", self.out_dir.text())
        if folder:
            self.out_dir.setText(folder)

    def run(self):
        """Submit the batch job (see the jobs panel); returns it, or None with the reason shown."""
        products, scenes = self.checked(self.products), self.checked(self.scenes)
        if not products or not scenes:
            self.error.setText("Tick at least one product and one scene.")
            return None
        resolve = library_resolver(self.ctx.lib)
        params = BatchParams(scenes=[str(resolve(i)) for i in scenes], products=[str(resolve(i)) for i in products],
                             out_dir=self.out_dir.text().strip() or str(default_out_dir()))
        # each scene a task on this computer's worker processes or the render cluster (Settings ▸ Preview & render)
        self.job = self.ctx.submit(run, params, title=f"Kata batch: {len(products)} products × {len(scenes)} scenes",
                                   map_each=partial(run_each, render_pool(self.ctx)))
        self.accept()
        return self.job
