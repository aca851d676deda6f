"""What the calendar views share: the posts of the shown range, their look (platform colour,
status icon, warning badge) and a painted surface that drags posts and takes drops.

A post sits where its local_time says: the wall clock in its channel's own zone, so a 09:00
post in New York and a 09:00 post in London both sit at 09:00 (the chip's tooltip gives the zone)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from PySide6.QtCore import QMimeData, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from studio.ui.context import ASSET_IDS_MIME, COMPOSITION_IDS_MIME
from studio.ui.export.choices import PLATFORM_NAMES
from studio.ui.shell.theme import theme

POST_ID_MIME = "application/x-studio-post-id"  # a post dragged on the calendar: its id
PLATFORM_COLORS = {"meta": "#1877F2", "google": "#34A853", "tiktok": "#FE2C55", "linkedin": "#0E7C86", "x": "#6B7280"}
STATUS_ICONS = {
    "draft": "mdi6.pencil-outline",
    "in_review": "mdi6.account-clock-outline",
    "approved": "mdi6.check-circle",
    "scheduled": "mdi6.clock-outline",
    "waiting": "mdi6.pause-circle-outline",
    "publishing": "mdi6.progress-upload",
    "published": "mdi6.cloud-check-outline",
    "failed": "mdi6.alert-circle",
    "cancelled": "mdi6.cancel",
}
STATUS_NAMES = {"draft": "Draft", "in_review": "In review", "approved": "Approved", "scheduled": "Scheduled", "waiting": "Waiting",
                "publishing": "Publishing", "published": "Published", "failed": "Failed", "cancelled": "Cancelled"}
CHIP_H = 20


def shown_status(post) -> str:
    """What the user sees: what the publisher did when it did something, else the editorial state."""
    return post.publication_status or post.status


def platform_color(platform: str) -> QColor:
    return QColor(PLATFORM_COLORS.get(platform, "#888888"))


def post_tooltip(post) -> str:
    when = post.local_time.strftime("%a %d %b %Y, %H:%M") if post.local_time else "Not scheduled"
    lines = [f"<b>{post.title}</b>", f"{PLATFORM_NAMES.get(post.platform, post.platform)} · {post.channel_name}",
             f"{when} ({post.timezone})", STATUS_NAMES.get(shown_status(post), shown_status(post))]
    if post.error:
        lines.append(f"<span style='color:#F0616D'>{post.error}</span>")
    lines += [f"⚠ {w.message}" for w in post.warnings]
    return "<br>".join(lines)


def post_mime(post_id: int) -> QMimeData:
    mime = QMimeData()
    mime.setData(POST_ID_MIME, str(post_id).encode())
    return mime


def dropped_post(mime: QMimeData) -> int | None:
    return int(bytes(mime.data(POST_ID_MIME)).decode()) if mime.hasFormat(POST_ID_MIME) else None


def ids_mime(kind: str, ids: list[int]) -> QMimeData:
    """Library items to drag: kind "assets" or "compositions"."""
    mime = QMimeData()
    mime.setData(ASSET_IDS_MIME if kind == "assets" else COMPOSITION_IDS_MIME, json.dumps(ids).encode())
    return mime


def dropped_compositions(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(COMPOSITION_IDS_MIME):
        return []
    return [int(i) for i in json.loads(bytes(mime.data(COMPOSITION_IDS_MIME)).decode() or "[]")]


def dropped_assets(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(ASSET_IDS_MIME):
        return []
    return [int(i) for i in json.loads(bytes(mime.data(ASSET_IDS_MIME)).decode() or "[]")]


def paint_chip(p: QPainter, rect: QRect, post, selected: bool, *, with_time: bool = True) -> None:
    """A rounded chip in the platform's colour: status icon, time, title, a warning badge."""
    c = theme().colors
    color = platform_color(post.platform)
    faded = shown_status(post) == "cancelled"
    fill = QColor(color)
    fill.setAlpha(70 if faded else 200)
    path = QPainterPath()
    path.addRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
    p.fillPath(path, fill)
    if selected:
        p.setPen(QPen(QColor(c.text), 2))
        p.drawPath(path)
    inner = rect.adjusted(4, 0, -4, 0)
    icon = theme().icon(STATUS_ICONS.get(shown_status(post), "mdi6.pencil-outline"))
    side = min(14, rect.height() - 4)
    icon.paint(p, QRect(inner.left(), rect.top() + (min(rect.height(), CHIP_H) - side) // 2, side, side))
    inner.setLeft(inner.left() + side + 4)
    if post.warnings:
        badge = QRect(inner.right() - 12, rect.top() + (min(rect.height(), CHIP_H) - 12) // 2, 12, 12)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(c.danger if any(w.severity == "error" for w in post.warnings) else c.warning))
        p.drawEllipse(badge)
        p.setPen(QColor("#000000"))
        p.drawText(badge, Qt.AlignCenter, "!")
        inner.setRight(badge.left() - 3)
    p.setPen(QColor("#FFFFFF"))
    label = f"{post.local_time:%H:%M} {post.title}" if with_time and post.local_time else post.title
    text_rect = QRect(inner.left(), rect.top(), inner.width(), min(rect.height(), CHIP_H))
    p.drawText(text_rect, Qt.AlignVCenter | Qt.AlignLeft, QFontMetrics(p.font()).elidedText(label, Qt.ElideRight, inner.width()))


@dataclass(frozen=True)
class DropTarget:
    """Where a drop lands: a day (keep the post's time of day) or a day and a time."""

    day: date
    at: time | None = None

    def local_time(self, keep: datetime | None) -> datetime:
        at = self.at or (keep.time() if keep else time(9, 0))
        return datetime.combine(self.day, at)


class CalendarSurface(QWidget):
    """A painted calendar that knows where each post's chip is. Subclasses lay out and paint;
    this class does selection, tooltips, double-click, dragging chips and taking drops."""

    post_activated = Signal(int)  # double-clicked: open it
    selection_changed = Signal(object)  # post id | None
    post_dropped = Signal(int, object)  # post id, DropTarget
    assets_dropped = Signal(list, object)  # asset ids, DropTarget
    compositions_dropped = Signal(list, object)  # composition ids, DropTarget
    day_activated = Signal(object)  # a date double-clicked where there is no post
    arrow_pressed = Signal(int)  # Qt.Key_Left/Right/Up/Down: the view moves the selection
    delete_pressed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.posts: list = []
        self.anchor = date.today()
        self.selected: int | None = None
        self.chips: list[tuple[QRect, object]] = []  # laid out by paintEvent's subclass
        self._press: QPoint | None = None
        self._drop_hint: DropTarget | None = None
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)

    # ---- for subclasses ------------------------------------------------------------------
    def days(self) -> list[date]:
        raise NotImplementedError

    def target_at(self, pos: QPoint) -> DropTarget | None:
        raise NotImplementedError

    def layout_chips(self) -> list[tuple[QRect, object]]:
        raise NotImplementedError

    # ---- state --------------------------------------------------------------------------
    def set_posts(self, posts: list, anchor: date) -> None:
        self.posts = [p for p in posts if p.local_time is not None]
        self.anchor = anchor
        self.chips = self.layout_chips()
        self.update()

    def select(self, post_id: int | None) -> None:
        if post_id != self.selected:
            self.selected = post_id
            self.update()
            self.selection_changed.emit(post_id)

    def chip_at(self, pos: QPoint):
        return next((post for rect, post in reversed(self.chips) if rect.contains(pos)), None)

    def chip_rect(self, post_id: int) -> QRect | None:
        return next((rect for rect, post in self.chips if post.id == post_id), None)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.chips = self.layout_chips()

    def background_painter(self) -> QPainter:
        """A painter for paintEvent, the surface already filled with the base colour."""
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), QColor(theme().colors.base))
        return p

    def paint_chips(self, p: QPainter, *, with_time: bool = True) -> None:
        for rect, post in self.chips:
            paint_chip(p, rect, post, post.id == self.selected, with_time=with_time)
        if self._drop_hint is not None:
            self.paint_drop_hint(p, self._drop_hint)

    def paint_drop_hint(self, p: QPainter, target: DropTarget) -> None:
        """Subclasses outline where a drop would land."""

    # ---- mouse --------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        self.setFocus()
        post = self.chip_at(event.position().toPoint())
        self.select(post.id if post else None)
        self._press = event.position().toPoint() if post and event.button() == Qt.LeftButton else None

    def mouseMoveEvent(self, event) -> None:
        pos = event.position().toPoint()
        if self._press is not None and (pos - self._press).manhattanLength() >= 6 and self.selected is not None:
            self._press = None
            drag = QDrag(self)
            drag.setMimeData(post_mime(self.selected))
            rect = self.chip_rect(self.selected)
            if rect is not None:
                drag.setPixmap(self.grab(rect))
                drag.setHotSpot(pos - rect.topLeft())
            drag.exec(Qt.MoveAction)
            return
        post = self.chip_at(pos)
        self.setToolTip(post_tooltip(post) if post else "")

    def mouseReleaseEvent(self, event) -> None:
        self._press = None

    def mouseDoubleClickEvent(self, event) -> None:
        pos = event.position().toPoint()
        post = self.chip_at(pos)
        if post is not None:
            self.post_activated.emit(post.id)
        elif (target := self.target_at(pos)) is not None:
            self.day_activated.emit(target.day)

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            post = self.chip_at(event.pos())
            if post is None:
                QToolTip.hideText()
                event.ignore()
                return True
            QToolTip.showText(event.globalPos(), post_tooltip(post), self)
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if event.modifiers() & ~Qt.KeypadModifier:
            super().keyPressEvent(event)
        elif key in (Qt.Key_Left, Qt.Key_Right, Qt.Key_Up, Qt.Key_Down):
            self.arrow_pressed.emit(key)
        elif key in (Qt.Key_Return, Qt.Key_Enter) and self.selected is not None:
            self.post_activated.emit(self.selected)
        elif key in (Qt.Key_Delete, Qt.Key_Backspace):
            self.delete_pressed.emit()
        else:
            super().keyPressEvent(event)

    # ---- drops --------------------------------------------------------------------------
    def _accepts(self, event) -> bool:
        mime = event.mimeData()
        return any(mime.hasFormat(kind) for kind in (POST_ID_MIME, ASSET_IDS_MIME, COMPOSITION_IDS_MIME))

    def dragEnterEvent(self, event) -> None:
        if self._accepts(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        target = self.target_at(event.position().toPoint()) if self._accepts(event) else None
        if target is None:
            event.ignore()
            return
        event.acceptProposedAction()
        if target != self._drop_hint:
            self._drop_hint = target
            self.update()

    def dragLeaveEvent(self, event) -> None:
        self._drop_hint = None
        self.update()

    def dropEvent(self, event) -> None:
        self._drop_hint = None
        self.update()
        target = self.target_at(event.position().toPoint())
        if target is None:
            event.ignore()
            return
        event.acceptProposedAction()
        post_id = dropped_post(event.mimeData())
        if post_id is not None:
            self.post_dropped.emit(post_id, target)
        elif assets := dropped_assets(event.mimeData()):
            self.assets_dropped.emit(assets, target)
        elif compositions := dropped_compositions(event.mimeData()):
            self.compositions_dropped.emit(compositions, target)
