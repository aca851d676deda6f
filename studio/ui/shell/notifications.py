"""Non-modal toasts stacked in the bottom-right corner of the window's central area.
Info fades after a few seconds; warnings and errors stay until the user closes them."""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from studio.ui.shell.theme import theme

ICONS = {"info": "mdi6.information-outline", "warning": "mdi6.alert-outline", "error": "mdi6.alert-circle-outline"}
INFO_TIMEOUT_MS = 5000
MAX_TOASTS = 4
MARGIN = 16


class Toast(QFrame):
    def __init__(self, level: str, text: str, parent=None):
        super().__init__(parent)
        self.level = level if level in ICONS else "info"
        self.setObjectName("Toast")
        self.setProperty("level", self.level)
        self.setAttribute(Qt.WA_StyledBackground)
        self.setFixedWidth(380)
        colors = theme().colors
        colour = {"info": colors.accent, "warning": colors.warning, "error": colors.danger}[self.level]
        icon = QLabel()
        icon.setPixmap(qta.icon(ICONS[self.level], color=colour).pixmap(QSize(18, 18)))
        self.label = QLabel(text, wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        close = QToolButton(toolTip="Dismiss", clicked=self.dismiss)
        close.setIcon(theme().icon("mdi6.close"))
        close.setAccessibleName("Dismiss notification")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 6, 10)
        layout.setSpacing(10)
        layout.addWidget(icon, 0, Qt.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignTop)
        if self.level == "info":
            QTimer.singleShot(INFO_TIMEOUT_MS, self, self.dismiss)

    def dismiss(self) -> None:
        host = self.parent()
        self.hide()
        self.deleteLater()
        if isinstance(host, ToastHost):
            host.forget(self)


class ToastHost(QWidget):
    """A transparent overlay over `area` that lays out the toasts; it lets clicks through
    everywhere except on the toasts themselves."""

    def __init__(self, area: QWidget):
        super().__init__(area)
        self.setAttribute(Qt.WA_TransparentForMouseEvents, False)
        self.toasts: list[Toast] = []
        self.history: list[tuple[str, str]] = []  # (level, text): everything shown this session
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        area.installEventFilter(self)
        self._place()

    def show_message(self, level: str, text: str) -> Toast:
        self.history.append((level, text))
        toast = Toast(level, text, self)
        self.toasts.append(toast)
        self._layout.addWidget(toast)
        toast.show()
        while len(self.toasts) > MAX_TOASTS:
            self.toasts[0].dismiss()
        self._place()
        self.show()
        self.raise_()
        return toast

    def forget(self, toast: Toast) -> None:
        if toast in self.toasts:
            self.toasts.remove(toast)
            self._layout.removeWidget(toast)
        self._place()
        if not self.toasts:
            self.hide()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Resize, QEvent.Show):
            self._place()
        return False

    def _place(self) -> None:
        area = self.parentWidget()
        self.adjustSize()
        size = self.sizeHint()
        self.setGeometry(area.width() - size.width() - MARGIN, area.height() - size.height() - MARGIN, size.width(), size.height())
