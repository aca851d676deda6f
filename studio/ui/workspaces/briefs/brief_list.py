"""The left column: the briefs of the navigator's brand, newest change first, each with its status
chip. New, rename (double-click or F2) and delete are core ops, each one step of Edit ▸ Undo."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.sections import STATUSES, BriefSummary
from studio.ui.shell.parts import PanelHeader
from studio.ui.shell.theme import theme

ID_ROLE = Qt.UserRole + 1
STATUS_ROLE = Qt.UserRole + 2
DETAIL_ROLE = Qt.UserRole + 3


def scaled_font(font: QFont, factor: float, *, bold: bool | None = None) -> QFont:
    """A copy of font, factor times the size (fonts from a stylesheet may be sized in pixels)."""
    out = QFont(font)
    if font.pointSizeF() > 0:
        out.setPointSizeF(font.pointSizeF() * factor)
    else:
        out.setPixelSize(max(1, round(font.pixelSize() * factor)))
    if bold is not None:
        out.setBold(bold)
    return out


def status_colour(status: str) -> str:
    c = theme().colors
    return {"draft": c.muted, "in_review": c.warning, "approved": c.success}.get(status, c.muted)


def chip_style(status: str) -> str:
    """A status chip's stylesheet for a QLabel (the header shows the same chip as the list)."""
    colour = status_colour(status)
    return f"QLabel {{ color: {colour}; border: 1px solid {colour}; border-radius: 9px; padding: 1px 8px; }}"


class BriefDelegate(QStyledItemDelegate):
    """Title, then campaign and last change muted, with the status chip on the right."""

    def sizeHint(self, option, index) -> QSize:
        return QSize(200, option.fontMetrics.height() * 2 + 18)

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            option.text = ""
            style.drawPrimitive(QStyle.PE_PanelItemViewItem, option, painter, option.widget)
        selected = option.state & QStyle.State_Selected
        rect = option.rect.adjusted(10, 6, -10, -6)
        status = index.data(STATUS_ROLE)
        label = STATUSES.get(status, status)
        painter.setFont(scaled_font(option.font, 0.85))
        chip_w = painter.fontMetrics().horizontalAdvance(label) + 14
        chip_h = painter.fontMetrics().height() + 4
        chip = QRect(rect.right() - chip_w, rect.top(), chip_w, chip_h)
        colour = option.palette.color(QPalette.HighlightedText) if selected else QColor(status_colour(status))
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(colour)
        fill = QColor(colour)
        fill.setAlpha(40)
        painter.setBrush(fill)
        painter.drawRoundedRect(chip, chip_h / 2, chip_h / 2)
        painter.drawText(chip, Qt.AlignCenter, label)
        text_colour = option.palette.color(QPalette.HighlightedText if selected else QPalette.Text)
        painter.setFont(scaled_font(option.font, 1.0, bold=True))
        painter.setPen(text_colour)
        line = option.fontMetrics.height()
        title_rect = QRect(rect.left(), rect.top(), rect.width() - chip_w - 8, line + 2)
        painter.drawText(title_rect, Qt.AlignLeft | Qt.AlignVCenter,
                         painter.fontMetrics().elidedText(index.data(Qt.DisplayRole), Qt.ElideRight, title_rect.width()))
        painter.setFont(option.font)
        painter.setPen(QColor(theme().colors.muted) if not selected else text_colour)
        detail_rect = QRect(rect.left(), rect.top() + line + 4, rect.width(), line + 2)
        painter.drawText(detail_rect, Qt.AlignLeft | Qt.AlignVCenter,
                         painter.fontMetrics().elidedText(index.data(DETAIL_ROLE) or "", Qt.ElideRight, detail_rect.width()))
        painter.restore()


class BriefList(QWidget):
    current_changed = Signal(object)  # int | None: the chosen brief
    new_requested = Signal()
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        header = PanelHeader("Briefs")
        self.new_button = header.add_button("mdi6.plus", "New brief", self.new_requested.emit)
        self.rename_button = header.add_button("mdi6.pencil-outline", "Rename brief (F2)", self.edit_current)
        self.delete_button = header.add_button("mdi6.trash-can-outline", "Delete brief (Edit ▸ Undo brings it back)",
                                               lambda: self.current_id() is not None and self.delete_requested.emit(self.current_id()))
        self.list = QListWidget(accessibleName="Briefs")
        self.list.setItemDelegate(BriefDelegate(self.list))
        self.list.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.list.currentItemChanged.connect(lambda *_: self._on_current())
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.setMinimumWidth(200)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.list, 1)
        self._update_buttons()

    def show_briefs(self, briefs: list[BriefSummary], campaign_id: int | None, keep: int | None) -> None:
        """Fill the list; `keep` stays chosen when it is still there, else the first brief."""
        self.list.blockSignals(True)
        self.list.clear()
        for b in briefs:
            where = b.campaign or "No campaign"
            item = QListWidgetItem(b.title)
            item.setFlags(item.flags() | Qt.ItemIsEditable)
            item.setData(ID_ROLE, b.id)
            item.setData(STATUS_ROLE, b.status)
            item.setData(DETAIL_ROLE, f"{where} · {b.updated_at:%d %b %H:%M}")
            item.setToolTip(f"{b.title}\n{STATUSES[b.status]} · {where}" + ("" if b.campaign_id == campaign_id else " (another campaign)"))
            self.list.addItem(item)
        rows = [self.list.item(r).data(ID_ROLE) for r in range(self.list.count())]
        if rows:
            self.list.setCurrentRow(rows.index(keep) if keep in rows else 0)
        self.list.blockSignals(False)
        self._on_current()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def select(self, brief_id: int) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == brief_id:
                self.list.setCurrentRow(row)

    def edit_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _on_current(self) -> None:
        self._update_buttons()
        self.current_changed.emit(self.current_id())

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.rename_requested.emit(item.data(ID_ROLE), item.text())

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)
