"""The scene canvas: the scene (or its composite) in full-resolution scene pixels, zoom and
pan, the heat map and ranked zones as an overlay, and a frame around the product with a
handle to scale it. It only reports what the user did; the view decides what follows."""

from __future__ import annotations

import json
import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsEllipseItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
)

from studio.ui.context import ASSET_IDS_MIME
from studio.ui.shell.theme import ACCENT

ZOOM_STEP = 1.15
HANDLE_PX = 10  # on screen, whatever the zoom


def to_pixmap(image: np.ndarray) -> QPixmap:
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]
    fmt = QImage.Format_RGBA8888 if image.shape[2] == 4 else QImage.Format_RGB888
    return QPixmap.fromImage(QImage(image.data, w, h, image.strides[0], fmt).copy())


def heat_image(heat: np.ndarray) -> np.ndarray:
    """The heat map as a translucent warm overlay (RGBA): strong where a product fits well."""
    h = np.clip(heat, 0, 1)
    rgba = np.zeros((*h.shape, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 1] = (200 * (1 - h)).astype(np.uint8)
    rgba[..., 2] = 40
    rgba[..., 3] = (170 * h).astype(np.uint8)
    return rgba


class BusyBadge(QFrame):
    """A pill at the top of the canvas while a job works for it: what it does, how far, Cancel."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setObjectName("KataBusy")
        self.setStyleSheet("#KataBusy { background: rgba(20, 21, 24, 225); border-radius: 8px; }"
                           "#KataBusy QLabel { color: #E8E8EB; }")
        self.text = QLabel()
        self.bar = QProgressBar(textVisible=False, maximumHeight=6, minimumWidth=120)
        self.cancel = QPushButton("Cancel", toolTip="Stop this step; the workspace stays as it was")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 8, 8)
        row.setSpacing(12)
        row.addWidget(self.text)
        row.addWidget(self.bar)
        row.addWidget(self.cancel)
        self.hide()

    def show_job(self, text: str, progress: float | None) -> None:
        self.text.setText(text)
        self.bar.setRange(0, 0 if progress is None else 100)  # 0..0: a busy bar until progress is known
        self.bar.setValue(round((progress or 0) * 100))
        self.adjustSize()
        self.show()
        self.raise_()


class SceneCanvas(QGraphicsView):
    dropped = Signal(object, float, float)  # an asset id (int) or file path (str), at scene x, y
    product_moved = Signal(float, float, bool)  # the new contact point; True when Alt was held (no snap)
    product_scaled = Signal(float)  # by this factor
    product_rotated = Signal(float)  # to this angle, degrees counter-clockwise about the contact point
    cancel_requested = Signal()  # Cancel on the busy badge

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setAcceptDrops(True)
        self.setBackgroundBrush(QColor("#111214"))
        self.setFrameShape(QGraphicsView.NoFrame)
        self.image_item = QGraphicsPixmapItem()
        self.image_item.setTransformationMode(Qt.SmoothTransformation)
        self.heat_item = QGraphicsPixmapItem()
        self.heat_item.setZValue(1)
        self.heat_item.setVisible(False)
        self.frame = QGraphicsRectItem()
        self.frame.setZValue(3)
        self.frame.setPen(QPen(QColor(ACCENT), 0, Qt.DashLine))
        self.frame.setVisible(False)
        self.handle = QGraphicsRectItem(self.frame)
        self.handle.setBrush(QColor(ACCENT))
        self.handle.setPen(QPen(Qt.white, 0))
        self.handle.setFlag(QGraphicsRectItem.ItemIgnoresTransformations)
        self.handle.setRect(-HANDLE_PX / 2, -HANDLE_PX / 2, HANDLE_PX, HANDLE_PX)
        self.handle.setCursor(Qt.SizeVerCursor)
        self.handle.setToolTip("Drag to scale the product")
        self.turn = QGraphicsEllipseItem(self.frame)
        self.turn.setBrush(QColor("#FFFFFF"))
        self.turn.setPen(QPen(QColor(ACCENT), 0))
        self.turn.setFlag(QGraphicsEllipseItem.ItemIgnoresTransformations)
        self.turn.setRect(-HANDLE_PX / 2, -HANDLE_PX / 2 - 3 * HANDLE_PX, HANDLE_PX, HANDLE_PX)  # above the box on screen
        self.turn.setCursor(Qt.CrossCursor)
        self.turn.setToolTip("Drag to rotate the product about its base")
        for item in (self.image_item, self.heat_item, self.frame):
            self.scene().addItem(item)
        self.zone_items: list = []
        self.image_size = (0, 0)  # w, h of the scene in full-resolution pixels
        self.contact = QPointF()  # the product's contact point
        self._drag = None  # ("move" | "scale" | "pan", press position in scene or view coordinates, rect at press)
        self._space = False
        self.busy = BusyBadge(self)
        self.busy.cancel.clicked.connect(self.cancel_requested)

    # ---- busy state --------------------------------------------------------------------------
    def set_busy(self, text: str | None, progress: float | None = None) -> None:
        """Show what a job is doing for the canvas (None: nothing)."""
        if text is None:
            self.busy.hide()
            return
        self.busy.show_job(text, progress)
        self._place_busy()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_busy()

    def _place_busy(self) -> None:
        self.busy.move(max(0, (self.width() - self.busy.width()) // 2), 12)

    # ---- content ---------------------------------------------------------------------------
    def set_image(self, image: np.ndarray, full_size: tuple[int, int]) -> None:
        """image may be smaller than the scene (a preview); it is drawn over full_size pixels."""
        first = self.image_size != full_size
        self.image_size = full_size
        self.image_item.setPixmap(to_pixmap(image))
        self.image_item.setScale(full_size[0] / image.shape[1])
        self.scene().setSceneRect(QRectF(0, 0, *full_size))
        if first:
            self.fit()

    def clear(self) -> None:
        self.image_size = (0, 0)
        self.image_item.setPixmap(QPixmap())
        self.heat_item.setPixmap(QPixmap())
        self.show_zones([])
        self.show_product_box(None)

    def set_heat(self, heat: np.ndarray | None) -> None:
        if heat is None:
            self.heat_item.setPixmap(QPixmap())
            return
        self.heat_item.setPixmap(to_pixmap(heat_image(heat)))
        self.heat_item.setScale(self.image_size[0] / heat.shape[1])

    def show_zones(self, zones: list) -> None:
        """Ranked zones as outlines with their rank; shown with the heat map."""
        for item in self.zone_items:
            self.scene().removeItem(item)
        self.zone_items = []
        font = QFont()
        font.setBold(True)
        for rank, zone in enumerate(zones, 1):
            x0, y0, x1, y1 = zone.box
            outline = QGraphicsRectItem(x0, y0, x1 - x0, y1 - y0)
            outline.setPen(QPen(QColor("#FFFFFF"), 0))
            outline.setToolTip(f"Zone {zone.id}: score {zone.score:.0f} on the {zone.surface}")
            label = QGraphicsSimpleTextItem(str(rank), outline)
            label.setFont(font)
            label.setBrush(QBrush(Qt.white))
            label.setFlag(QGraphicsSimpleTextItem.ItemIgnoresTransformations)
            label.setPos(x0 + 2, y0 + 2)
            outline.setZValue(2)
            outline.setVisible(self.heat_item.isVisible())
            self.scene().addItem(outline)
            self.zone_items.append(outline)

    def set_overlay_visible(self, on: bool) -> None:
        self.heat_item.setVisible(on)
        for item in self.zone_items:
            item.setVisible(on)

    def show_product_box(self, box: tuple[int, int, int, int] | None, contact: tuple[float, float] = (0, 0)) -> None:
        self.frame.setVisible(box is not None)
        if box is not None:
            x0, y0, x1, y1 = box
            self.contact = QPointF(*contact)
            self._set_frame(QRectF(x0, y0, x1 - x0, y1 - y0))

    def _set_frame(self, rect: QRectF) -> None:
        self.frame.setRect(rect)
        self.handle.setPos(rect.topRight())
        self.turn.setPos(rect.center().x(), rect.top())

    # ---- zoom ------------------------------------------------------------------------------
    def fit(self) -> None:
        if self.image_size != (0, 0):
            self.fitInView(self.scene().sceneRect(), Qt.KeepAspectRatio)

    def zoom(self, steps: float) -> None:
        self.scale(ZOOM_STEP ** steps, ZOOM_STEP ** steps)

    def wheelEvent(self, event) -> None:
        self.zoom(event.angleDelta().y() / 120)

    # ---- drag and drop ---------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasFormat(ASSET_IDS_MIME) or mime.hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasFormat(ASSET_IDS_MIME):
            ids = json.loads(bytes(mime.data(ASSET_IDS_MIME)).decode())
            what = ids[0] if ids else None
        else:
            files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
            what = files[0] if files else None
        if what is None:
            return
        pos = self.mapToScene(event.position().toPoint())
        event.acceptProposedAction()
        self.dropped.emit(what, pos.x(), pos.y())

    # ---- move, scale, pan ------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        pos = self.mapToScene(event.position().toPoint())
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._drag = ("pan", event.position(), None)
        elif event.button() == Qt.LeftButton and self.frame.isVisible():
            grabbed = self.itemAt(event.position().toPoint())
            if grabbed is self.handle:
                self._drag = ("scale", pos, self.frame.rect())
            elif grabbed is self.turn:
                self._drag = ("rotate", pos, self.frame.rect())
            elif self.frame.rect().contains(pos):
                self._drag = ("move", pos, self.frame.rect())
        if self._drag is None:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None:
            return super().mouseMoveEvent(event)
        kind, start, rect = self._drag
        if kind == "pan":
            delta = event.position() - start
            self._drag = ("pan", event.position(), None)
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            return
        pos = self.mapToScene(event.position().toPoint())
        if kind == "move":
            self._set_frame(rect.translated(pos - start))
        elif kind == "scale":
            self._set_frame(_scaled_about_base(rect, rect.height() - (pos.y() - start.y())))
        else:
            self.frame.setTransformOriginPoint(self.contact)
            self.frame.setRotation(-self._angle(pos))

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is None:
            return super().mouseReleaseEvent(event)
        kind, _start, rect = self._drag
        self._drag = None
        now = self.frame.rect()
        if kind == "move" and now != rect:
            moved = self.contact + now.topLeft() - rect.topLeft()
            self.product_moved.emit(moved.x(), moved.y(), bool(event.modifiers() & Qt.AltModifier))
        elif kind == "scale" and now != rect:
            self.product_scaled.emit(now.height() / rect.height())
        elif kind == "rotate":
            self.frame.setRotation(0)  # the next composite's box shows the turn
            self.product_rotated.emit(self._angle(self.mapToScene(event.position().toPoint())))

    def _angle(self, pos: QPointF) -> float:
        """Degrees counter-clockwise from upright of the line from the contact point to pos."""
        v = pos - self.contact
        return math.degrees(math.atan2(-v.x(), -v.y()))


def _scaled_about_base(rect: QRectF, height: float) -> QRectF:
    """rect scaled to height, keeping the centre of its base (the contact point) still."""
    height = max(8.0, height)
    width = rect.width() * height / rect.height()
    base = QPointF(rect.center().x(), rect.bottom())
    return QRectF(base.x() - width / 2, base.y() - height, width, height)
