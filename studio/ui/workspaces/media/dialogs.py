"""Small, non-modal dialogs of the media library: the import report, "add tag", quick look."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.assets.importer import ImportReport
from studio.ui.widgets.thumbnail_grid import ThumbnailCache, fitted, paint_checkerboard


def import_summary(report: ImportReport) -> str:
    text = f"Imported {len(report.imported)}, skipped {len(report.skipped)}"
    return text + " (cancelled)" if report.cancelled else text


class ImportReportDialog(QDialog):
    """Which files were skipped and why, so the user can fix them and import again."""

    def __init__(self, report: ImportReport, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Import report")
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.resize(720, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(import_summary(report) + "."))
        self.table = QTableWidget(len(report.skipped), 2)
        self.table.setHorizontalHeaderLabels(["File", "Why it was skipped"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, skip in enumerate(report.skipped):
            name = QTableWidgetItem(Path(skip["path"]).name)
            name.setToolTip(skip["path"])
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(skip["reason"]))
        self.table.resizeColumnToContents(0)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

    def reasons(self) -> dict[str, str]:
        return {self.table.item(r, 0).text(): self.table.item(r, 1).text() for r in range(self.table.rowCount())}


class TagDialog(QDialog):
    """Asks for one tag (completing from the library's tags); emits tag_chosen."""

    tag_chosen = Signal(str)

    def __init__(self, known_tags: list[str], count: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Add tag")
        self.setAttribute(Qt.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Tag {count} selected asset{'s' if count != 1 else ''} with:"))
        self.edit = QLineEdit()
        self.edit.setCompleter(QCompleter(QStringListModel(known_tags, self), self.edit))
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if self.edit.text().strip():
            self.tag_chosen.emit(self.edit.text().strip())
        super().accept()


class _Picture(QWidget):
    def __init__(self, cache: ThumbnailCache, path: str, checker: bool):
        super().__init__()
        self._cache, self._path, self._checker = cache, path, checker
        cache.ready.connect(lambda p: p == path and self.update())

    def paintEvent(self, event) -> None:
        pixmap = self._cache.pixmap(self._path)
        if pixmap is None or pixmap.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        target = fitted(pixmap.size(), self.rect())
        if self._checker:
            paint_checkerboard(painter, target, self.palette())
        painter.drawPixmap(target, pixmap)


class QuickLookDialog(QDialog):
    """Space on the grid: the picture large (the original image, else the poster frame)."""

    def __init__(self, cache: ThumbnailCache, path: str, title: str, checker: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.resize(960, 640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_Picture(cache, path, checker))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Space:
            self.close()
        else:
            super().keyPressEvent(event)
