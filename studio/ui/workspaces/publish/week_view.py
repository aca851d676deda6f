"""The week and the day: a time grid (hours down, days across) with each post at its time in its
channel's zone. Drops snap to the quarter hour; posts closer than a chip side by side."""

from __future__ import annotations

from datetime import date, time, timedelta

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from studio.ui.shell.theme import theme
from studio.ui.workspaces.publish.calendar_model import (
    CHIP_H,
    CalendarSurface,
    DropTarget,
)

HOUR_H = 44
HEADER_H = 26
GUTTER_W = 52
SNAP_MINUTES = 15


class TimeGridView(CalendarSurface):
    def __init__(self, n_days: int, parent=None):
        super().__init__(parent)
        self.n_days = n_days
        self.setFixedHeight(HEADER_H + 24 * HOUR_H)
        self.setMinimumWidth(GUTTER_W + 90 * n_days)
        self.setAccessibleName("Week calendar" if n_days == 7 else "Day calendar")

    def days(self) -> list[date]:
        start = self.anchor - timedelta(days=self.anchor.weekday()) if self.n_days == 7 else self.anchor
        return [start + timedelta(days=i) for i in range(self.n_days)]

    def column_w(self) -> float:
        return (self.width() - GUTTER_W) / self.n_days

    def column_rect(self, i: int) -> QRect:
        w = self.column_w()
        left = GUTTER_W + round(i * w)
        return QRect(left, HEADER_H, GUTTER_W + round((i + 1) * w) - left, 24 * HOUR_H)

    def y_of(self, at: time) -> int:
        return HEADER_H + round((at.hour + at.minute / 60) * HOUR_H)

    def target_at(self, pos: QPoint) -> DropTarget | None:
        if pos.x() < GUTTER_W or pos.y() < HEADER_H or not self.rect().contains(pos):
            return None
        i = min(self.n_days - 1, int((pos.x() - GUTTER_W) / self.column_w()))
        minutes = int((pos.y() - HEADER_H) / HOUR_H * 60) // SNAP_MINUTES * SNAP_MINUTES
        minutes = min(minutes, 24 * 60 - SNAP_MINUTES)
        return DropTarget(self.days()[i], time(minutes // 60, minutes % 60))

    def layout_chips(self) -> list:
        chips = []
        height = max(CHIP_H, HOUR_H // 2)
        for i, day in enumerate(self.days()):
            column = self.column_rect(i)
            posts = sorted((p for p in self.posts if p.local_time.date() == day), key=lambda p: (p.local_time, p.id))
            lanes: list[int] = []  # the bottom of each lane's last chip
            placed = []
            for post in posts:
                top = self.y_of(post.local_time.time())
                lane = next((n for n, bottom in enumerate(lanes) if bottom <= top), len(lanes))
                lanes[lane:lane + 1] = [top + height]
                placed.append((lane, top, post))
            width = (column.width() - 6) / max(1, len(lanes))
            for lane, top, post in placed:
                chips.append((QRect(column.left() + 3 + round(lane * width), top, round(width) - 2, height), post))
        return chips

    def paintEvent(self, event) -> None:
        c = theme().colors
        p = self.background_painter()
        today = date.today()
        for i, day in enumerate(self.days()):
            if day == today:
                p.fillRect(self.column_rect(i), QColor(c.panel))
        for hour in range(24):
            y = HEADER_H + hour * HOUR_H
            p.setPen(QPen(QColor(c.border), 1))
            p.drawLine(GUTTER_W, y, self.width(), y)
            p.setPen(QColor(c.muted))
            p.drawText(QRect(0, y, GUTTER_W - 6, 16), Qt.AlignRight | Qt.AlignTop, f"{hour:02d}:00")
        p.setPen(QPen(QColor(c.border), 1))
        for i in range(self.n_days + 1):
            x = GUTTER_W + round(i * self.column_w())
            p.drawLine(x, HEADER_H, x, self.height())
        self.paint_chips(p)
        self._paint_header(p)

    def _paint_header(self, p: QPainter) -> None:
        """The day names stay at the top of what the scroll area shows."""
        c = theme().colors
        top = self.visibleRegion().boundingRect().top()
        p.fillRect(QRect(0, top, self.width(), HEADER_H), QColor(c.base))
        p.setPen(QPen(QColor(c.border), 1))
        p.drawLine(0, top + HEADER_H - 1, self.width(), top + HEADER_H - 1)
        today = date.today()
        for i, day in enumerate(self.days()):
            column = self.column_rect(i)
            p.setPen(QColor(c.accent if day == today else c.text))
            p.drawText(QRect(column.left(), top, column.width(), HEADER_H), Qt.AlignCenter, day.strftime("%a %d %b"))

    def paint_drop_hint(self, p: QPainter, target: DropTarget) -> None:
        i = self.days().index(target.day)
        column = self.column_rect(i)
        y = self.y_of(target.at)
        p.setPen(QPen(QColor(theme().colors.accent), 2))
        p.setBrush(Qt.NoBrush)
        p.drawRect(QRect(column.left() + 2, y, column.width() - 4, HOUR_H // 2))
        p.drawText(QRect(column.left() + 6, y, column.width() - 8, HOUR_H // 2), Qt.AlignVCenter | Qt.AlignRight, target.at.strftime("%H:%M"))
