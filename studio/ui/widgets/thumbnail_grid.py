"""A virtualized thumbnail grid for any list model that answers the GridRole roles.

Thumbnails are decoded on a small thread pool (QImage is safe off the GUI thread, QPixmap
is not) and kept in an LRU of pixmaps, so only the cells on screen cost anything and
scrolling through 10,000 items stays smooth. Newest requests are decoded first.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from enum import IntEnum

import qtawesome as qta
from PySide6.QtCore import QObject, QRect, QRunnable, QSize, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate

MIN_CELL, MAX_CELL, DEFAULT_CELL = 96, 320, 176
TEXT_LINES_H = 38  # name + subtitle under each thumbnail


class GridRole(IntEnum):
    THUMB_PATH = Qt.UserRole + 1  # absolute path of the thumbnail image, or ""
    BADGE = Qt.UserRole + 2  # short corner text ("0:12"), or ""
    BADGE_ICON = Qt.UserRole + 3  # qtawesome name shown in the badge, or ""
    CHECKER = Qt.UserRole + 4  # draw a checkerboard behind the picture (cut-outs)
    SUBTITLE = Qt.UserRole + 5  # second text line ("1.2 MB · 1920×1080")
    PLACEHOLDER_ICON = Qt.UserRole + 6  # qtawesome name drawn when there is no thumbnail


class _Relay(QObject):
    done = Signal(str, QImage)


class _Decode(QRunnable):
    def __init__(self, path: str, max_side: int, relay: _Relay):
        super().__init__()
        self._path, self._max_side, self._relay = path, max_side, relay

    def run(self) -> None:
        reader = QImageReader(self._path)
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid() and max(size.width(), size.height()) > self._max_side:
            reader.setScaledSize(size.scaled(self._max_side, self._max_side, Qt.KeepAspectRatio))
        image = reader.read()
        try:
            self._relay.done.emit(self._path, image)
        except RuntimeError:  # the cache was deleted while this ran
            pass


class ThumbnailCache(QObject):
    """pixmap(path) answers at once: the pixmap, or None while it is being decoded
    (ready(path) follows). Unreadable files give an empty pixmap and are not retried."""

    ready = Signal(str)

    def __init__(self, max_items: int = 800, max_side: int = MAX_CELL, threads: int = 2, parent=None):
        super().__init__(parent)
        self._max_items, self._max_side = max_items, max_side
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._priority = itertools.count()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_relay_done, Qt.QueuedConnection)
        self.loads_started = 0

    def pixmap(self, path: str) -> QPixmap | None:
        if path in self._pixmaps:
            self._pixmaps.move_to_end(path)
            return self._pixmaps[path]
        if path not in self._pending:
            self._pending.add(path)
            self.loads_started += 1
            # Rising priorities: what scrolled into view last is decoded first.
            self._pool.start(_Decode(path, self._max_side, self._relay), next(self._priority) % 2**30)
        return None

    def wait_idle(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    @Slot(str, QImage)
    def _on_relay_done(self, path: str, image: QImage) -> None:
        self._pending.discard(path)
        self._pixmaps[path] = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        while len(self._pixmaps) > self._max_items:
            self._pixmaps.popitem(last=False)
        self.ready.emit(path)


_icons: dict[tuple[str, str], object] = {}


def themed_icon(name: str, color: QColor):
    key = (name, color.name())
    if key not in _icons:
        _icons[key] = qta.icon(name, color=color)
    return _icons[key]


def paint_checkerboard(painter: QPainter, rect: QRect, palette: QPalette, square: int = 8) -> None:
    painter.fillRect(rect, palette.color(QPalette.Base))
    dark = palette.color(QPalette.Mid)
    painter.save()
    painter.setClipRect(rect)
    for y in range(rect.top(), rect.bottom() + 1, square):
        for x in range(rect.left() + ((y - rect.top()) // square % 2) * square, rect.right() + 1, square * 2):
            painter.fillRect(x, y, square, square, dark)
    painter.restore()


def fitted(size: QSize, area: QRect) -> QRect:
    """size scaled to fit area, centred in it."""
    scaled = size.scaled(area.size(), Qt.KeepAspectRatio)
    rect = QRect(0, 0, scaled.width(), scaled.height())
    rect.moveCenter(area.center())
    return rect


class ThumbnailDelegate(QStyledItemDelegate):
    def __init__(self, cache: ThumbnailCache, parent=None):
        super().__init__(parent)
        self.cache = cache
        self.cell = DEFAULT_CELL

    def sizeHint(self, option, index) -> QSize:
        return QSize(self.cell, self.cell + TEXT_LINES_H)

    def paint(self, painter: QPainter, option, index) -> None:
        pal = option.palette
        card = option.rect.adjusted(3, 3, -3, -3)
        painter.save()
        painter.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform)
        selected = bool(option.state & QStyle.State_Selected)
        hovered = bool(option.state & QStyle.State_MouseOver)
        if selected or hovered:
            fill = QColor(pal.color(QPalette.Highlight))
            fill.setAlpha(70 if selected else 28)
            painter.setPen(Qt.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(card, 8, 8)
        area = QRect(card.x() + 6, card.y() + 6, card.width() - 12, card.width() - 12)
        self._paint_picture(painter, area, pal, index)
        self._paint_badge(painter, area, pal, index)
        self._paint_text(painter, card, area, pal, index)
        if selected:
            painter.setBrush(Qt.NoBrush)
            painter.setPen(pal.color(QPalette.Highlight))
            painter.drawRoundedRect(card.adjusted(1, 1, -1, -1), 8, 8)
        painter.restore()

    def _paint_picture(self, painter, area: QRect, pal: QPalette, index) -> None:
        path = index.data(GridRole.THUMB_PATH)
        pixmap = self.cache.pixmap(path) if path else None
        if pixmap is not None and not pixmap.isNull():
            target = fitted(pixmap.size(), area)
            if index.data(GridRole.CHECKER):
                paint_checkerboard(painter, target, pal)
            painter.drawPixmap(target, pixmap)
            return
        painter.fillRect(area, pal.color(QPalette.AlternateBase))
        icon = index.data(GridRole.PLACEHOLDER_ICON)
        if icon and (pixmap is not None or not path):  # no spinner-like flicker while decoding
            side = area.width() // 3
            box = QRect(area.center().x() - side // 2, area.center().y() - side // 2, side, side)
            themed_icon(icon, pal.color(QPalette.PlaceholderText)).paint(painter, box)

    def _paint_badge(self, painter, area: QRect, pal: QPalette, index) -> None:
        text, icon = index.data(GridRole.BADGE) or "", index.data(GridRole.BADGE_ICON) or ""
        if not text and not icon:
            return
        fm = painter.fontMetrics()
        h = fm.height() + 4
        w = (h if icon else 6) + (fm.horizontalAdvance(text) + 6 if text else 0)
        badge = QRect(area.right() - w - 4, area.bottom() - h - 4, w, h)
        back = QColor(pal.color(QPalette.Window))
        back.setAlpha(210)
        painter.setPen(Qt.NoPen)
        painter.setBrush(back)
        painter.drawRoundedRect(badge, 4, 4)
        x = badge.x() + 3
        if icon:
            themed_icon(icon, pal.color(QPalette.WindowText)).paint(painter, QRect(x, badge.y() + 2, h - 4, h - 4))
            x += h - 2
        if text:
            painter.setPen(pal.color(QPalette.WindowText))
            painter.drawText(QRect(x, badge.y(), badge.right() - x, h), Qt.AlignVCenter | Qt.AlignLeft, text)

    def _paint_text(self, painter, card: QRect, area: QRect, pal: QPalette, index) -> None:
        fm = painter.fontMetrics()
        line = QRect(card.x() + 6, area.bottom() + 4, card.width() - 12, fm.height())
        painter.setPen(pal.color(QPalette.Text))
        name = fm.elidedText(index.data(Qt.DisplayRole) or "", Qt.ElideMiddle, line.width())
        painter.drawText(line, Qt.AlignLeft | Qt.AlignVCenter, name)
        subtitle = fm.elidedText(index.data(GridRole.SUBTITLE) or "", Qt.ElideRight, line.width())
        if subtitle:
            painter.setPen(pal.color(QPalette.PlaceholderText))
            painter.drawText(line.translated(0, fm.height()), Qt.AlignLeft | Qt.AlignVCenter, subtitle)


class ThumbnailGridView(QListView):
    """Icon-mode list: files dropped from the OS come out as files_dropped(paths); dragging
    items out uses the model's mimeData. An empty model shows the empty-state message."""

    files_dropped = Signal(list)

    def __init__(self, cache: ThumbnailCache | None = None, parent=None, *, own_mime: str = ""):
        super().__init__(parent)
        self.cache = cache or ThumbnailCache(parent=self)
        self._delegate = ThumbnailDelegate(self.cache, self)
        self._own_mime = own_mime
        self._empty_icon, self._empty_text = "", ""
        self.setItemDelegate(self._delegate)
        self.setViewMode(QListView.IconMode)
        self.setMovement(QListView.Static)
        self.setResizeMode(QListView.Adjust)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDrop)
        self.viewport().setAcceptDrops(True)  # a Static list view turns viewport drops off
        self.setDefaultDropAction(Qt.CopyAction)
        self.setSpacing(2)
        self._repaint = QTimer(self, singleShot=True, interval=30)
        self._repaint.timeout.connect(self.viewport().update)
        self.cache.ready.connect(lambda _path: self._repaint.start())
        self.set_cell_size(DEFAULT_CELL)

    @property
    def cell_size(self) -> int:
        return self._delegate.cell

    def set_cell_size(self, px: int) -> None:
        self._delegate.cell = max(MIN_CELL, min(MAX_CELL, px))
        self.setGridSize(QSize(self._delegate.cell + 4, self._delegate.cell + TEXT_LINES_H + 4))
        self.doItemsLayout()

    def set_empty_state(self, icon: str, text: str) -> None:
        self._empty_icon, self._empty_text = icon, text
        self.viewport().update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.model() is None or self.model().rowCount() or not self._empty_text:
            return
        painter = QPainter(self.viewport())
        pal, rect = self.palette(), self.viewport().rect()
        side = 72
        icon_box = QRect(rect.center().x() - side // 2, rect.center().y() - side - 8, side, side)
        if self._empty_icon:
            themed_icon(self._empty_icon, pal.color(QPalette.PlaceholderText)).paint(painter, icon_box)
        text_box = QRect(rect.x() + 24, icon_box.bottom() + 16, rect.width() - 48, 80)
        painter.setPen(pal.color(QPalette.PlaceholderText))
        painter.drawText(text_box, Qt.AlignHCenter | Qt.AlignTop | Qt.TextWordWrap, self._empty_text)

    # ---- drops from the OS ------------------------------------------------------------------
    def _file_drop(self, event) -> bool:
        mime = event.mimeData()
        if self._own_mime and mime.hasFormat(self._own_mime):
            return False  # our own items dragged back in: not an import
        return mime.hasUrls() and any(url.isLocalFile() for url in mime.urls())

    def dragEnterEvent(self, event) -> None:
        if self._file_drop(event):
            event.setDropAction(Qt.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        if not self._file_drop(event):
            event.ignore()
            return
        event.setDropAction(Qt.CopyAction)
        event.accept()
        self.files_dropped.emit([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])
