"""Small building blocks the shell's panels share: panel headers and empty states."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from studio.ui.shell.theme import theme


class PanelHeader(QWidget):
    """An uppercase panel title with small tool buttons on the right."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("PanelHeader")
        self.setAttribute(Qt.WA_StyledBackground)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 6, 6, 6)
        label = QLabel(title.upper())
        label.setObjectName("PanelTitle")
        self._layout.addWidget(label)
        self._layout.addStretch(1)
        self._icons: list[tuple[QToolButton, str]] = []
        theme().changed.connect(self._retint)

    def add_button(self, icon: str, tip: str, slot=None) -> QToolButton:
        button = QToolButton()
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setIconSize(QSize(16, 16))
        button.setAutoRaise(True)
        if slot:
            button.clicked.connect(slot)
        self._icons.append((button, icon))
        button.setIcon(theme().icon(icon))
        self._layout.addWidget(button)
        return button

    def _retint(self) -> None:
        for button, icon in self._icons:
            button.setIcon(theme().icon(icon))


class EmptyState(QWidget):
    """Says what is missing and what to do next, with an optional action button."""

    def __init__(self, icon: str, title: str, text: str, parent=None):
        super().__init__(parent)
        self._icon_name = icon
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addStretch(1)
        self.icon_label = QLabel(alignment=Qt.AlignCenter)
        self.title_label = QLabel(title, objectName="EmptyTitle", alignment=Qt.AlignCenter)
        self.text_label = QLabel(text, objectName="EmptyText", alignment=Qt.AlignCenter, wordWrap=True)
        for w in (self.icon_label, self.title_label, self.text_label):
            layout.addWidget(w)
        self.button_row = QHBoxLayout()
        self.button_row.addStretch(1)
        self.button_row.addStretch(1)
        layout.addLayout(self.button_row)
        layout.addStretch(2)
        self._retint()
        theme().changed.connect(self._retint)

    def add_button(self, widget: QWidget) -> None:
        self.button_row.insertWidget(self.button_row.count() - 1, widget)

    def _retint(self) -> None:
        self.icon_label.setPixmap(theme().muted_icon(self._icon_name).pixmap(QSize(48, 48)))
