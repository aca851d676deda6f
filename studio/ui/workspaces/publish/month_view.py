"""The month: six weeks of day cells, Monday first, each with its posts as chips ("+3 more" when
they do not fit). Dropping a post on a day keeps its time of day."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from studio.ui.shell.theme import theme
from studio.ui.workspaces.publish.calendar_model import (
    CHIP_H,
    CalendarSurface,
    DropTarget,
)

HEADER_H = 24
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def month_grid_start(anchor: date) -> date:
    first = anchor.replace(day=1)
    return first - timedelta(days=first.weekday())


class MonthView(CalendarSurface):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(560, 420)
        self.setAccessibleName("Month calendar")
        self.more: dict[date, int] = {}  # day -> posts that did not fit

    def days(self) -> list[date]:
        start = month_grid_start(self.anchor)
        return [start + timedelta(days=i) for i in range(42)]

    def cell_rect(self, day: date) -> QRect:
        i = (day - month_grid_start(self.anchor)).days
        w, h = self.width() / 7, (self.height() - HEADER_H) / 6
        col, row = i % 7, i // 7
        return QRect(round(col * w), round(HEADER_H + row * h), round((col + 1) * w) - round(col * w), round(HEADER_H + (row + 1) * h) - round(HEADER_H + row * h))

    def target_at(self, pos: QPoint) -> DropTarget | None:
        if pos.y() < HEADER_H or not self.rect().contains(pos):
            return None
        col = min(6, int(pos.x() / (self.width() / 7)))
        row = min(5, int((pos.y() - HEADER_H) / ((self.height() - HEADER_H) / 6)))
        return DropTarget(month_grid_start(self.anchor) + timedelta(days=row * 7 + col))

    def layout_chips(self) -> list:
        chips, self.more = [], {}
        by_day: dict[date, list] = {}
        for post in sorted(self.posts, key=lambda p: (p.local_time, p.id)):
            by_day.setdefault(post.local_time.date(), []).append(post)
        shown = set(self.days())
        for day, posts in by_day.items():
            if day not in shown:
                continue
            cell = self.cell_rect(day)
            room = max(0, (cell.height() - 22) // (CHIP_H + 2))
            if len(posts) > room:
                room = max(0, room - 1)
                self.more[day] = len(posts) - room
            for n, post in enumerate(posts[:room]):
                chips.append((QRect(cell.left() + 3, cell.top() + 20 + n * (CHIP_H + 2), cell.width() - 6, CHIP_H), post))
        return chips

    def paintEvent(self, event) -> None:
        c = theme().colors
        p = self.background_painter()
        p.setPen(QColor(c.muted))
        w = self.width() / 7
        for i, name in enumerate(WEEKDAYS):
            p.drawText(QRect(round(i * w), 0, round(w), HEADER_H), Qt.AlignCenter, name)
        today = date.today()
        small = QFont(p.font())
        for day in self.days():
            cell = self.cell_rect(day)
            outside = day.month != self.anchor.month
            if outside:
                p.fillRect(cell, QColor(c.panel))
            p.setPen(QPen(QColor(c.border), 1))
            p.setBrush(Qt.NoBrush)
            p.drawRect(cell.adjusted(0, 0, -1, -1))
            label = QRect(cell.left() + 4, cell.top() + 2, cell.width() - 8, 16)
            if day == today:
                p.setPen(Qt.NoPen)
                p.setBrush(QColor(c.accent))
                p.drawRoundedRect(QRect(label.left() - 2, label.top(), 24, 16), 8, 8)
                p.setPen(QColor("#FFFFFF"))
                p.drawText(QRect(label.left() - 2, label.top(), 24, 16), Qt.AlignCenter, str(day.day))
            else:
                p.setPen(QColor(c.muted if outside else c.text))
                p.drawText(label, Qt.AlignLeft | Qt.AlignVCenter, day.strftime("%d %b") if day.day == 1 else str(day.day))
            if day in self.more:
                p.setFont(small)
                p.setPen(QColor(c.muted))
                p.drawText(cell.adjusted(6, 0, -6, -3), Qt.AlignBottom | Qt.AlignLeft, f"+{self.more[day]} more")
        self.paint_chips(p)

    def paint_drop_hint(self, p: QPainter, target: DropTarget) -> None:
        p.setPen(QPen(QColor(theme().colors.accent), 2))
        p.setBrush(Qt.NoBrush)
        p.drawRect(self.cell_rect(target.day).adjusted(1, 1, -2, -2))
