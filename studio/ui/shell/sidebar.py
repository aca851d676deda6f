"""The workspace rail on the far left: one icon+title button per registered workspace,
and the Settings button at the bottom."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QToolButton, QVBoxLayout, QWidget

from studio.ui.shell.registry import WorkspaceSpec
from studio.ui.shell.theme import theme


class WorkspaceSidebar(QWidget):
    workspace_selected = Signal(str)  # the workspace key
    settings_requested = Signal()

    def __init__(self, specs: list[WorkspaceSpec], parent=None):
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setAttribute(Qt.WA_StyledBackground)
        self.setFixedWidth(92)  # room for the longest titles (Compliance, Analytics) on one line
        self.group = QButtonGroup(self, exclusive=True)
        self.buttons: dict[str, QToolButton] = {}
        self._icons: list[tuple[QToolButton, str]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 10, 6, 10)
        layout.setSpacing(4)
        for spec in specs:
            button = self._button(spec.icon, spec.title)
            button.setCheckable(True)
            if spec.shortcut:
                button.setToolTip(f"{spec.title} ({spec.shortcut})")
            button.clicked.connect(lambda _=False, key=spec.key: self.workspace_selected.emit(key))
            self.group.addButton(button)
            self.buttons[spec.key] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.settings_button = self._button("mdi6.cog-outline", "Settings")
        self.settings_button.clicked.connect(self.settings_requested.emit)
        layout.addWidget(self.settings_button)
        theme().changed.connect(self._retint)

    def _button(self, icon: str, title: str) -> QToolButton:
        button = QToolButton(text=title, toolTip=title)
        button.setAccessibleName(title)
        button.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
        button.setIconSize(QSize(22, 22))
        button.setFixedWidth(80)
        button.setIcon(theme().icon(icon))
        self._icons.append((button, icon))
        return button

    def set_current(self, key: str) -> None:
        if key in self.buttons:
            self.buttons[key].setChecked(True)

    def _retint(self) -> None:
        for button, icon in self._icons:
            button.setIcon(theme().icon(icon))
