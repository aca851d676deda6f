"""The frame a workspace or panel shows: a toolbar (or header) above a stack of pages, such as the
content and its empty states, edge to edge; and the toolbar's actions, each with an icon, a
shortcut that works anywhere inside the owner and is named in the tooltip, and a slot."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStackedWidget, QToolBar, QVBoxLayout, QWidget

from studio.ui.shell.theme import theme


def workspace_bar() -> QToolBar:
    bar = QToolBar()
    bar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    return bar


def add_bar_action(owner: QWidget, bar: QToolBar, icon: str, text: str, key: str, tip: str, slot: Callable[[], object]) -> QAction:
    """An action on the bar whose shortcut (none when key is "") works while focus is inside owner."""
    action = bar.addAction(theme().icon(icon), text)
    if key:
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        tip = f"{tip} ({QKeySequence(key).toString(QKeySequence.NativeText)})"
    action.setToolTip(tip)
    action.triggered.connect(lambda: slot())  # not the checked flag triggered carries
    owner.addAction(action)
    return action


def stack_under(owner: QWidget, top: QWidget, *pages: QWidget) -> QStackedWidget:
    """Lay owner out as top over a stack of the pages (the first one shown) and return the stack."""
    stack = QStackedWidget()
    for page in pages:
        stack.addWidget(page)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(top)
    layout.addWidget(stack, 1)
    return stack
