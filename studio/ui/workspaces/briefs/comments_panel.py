"""Comments on the brief or one of its sections, threaded (replies under their comment), each
resolved or reopened; resolved threads are hidden unless asked for."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.sections import Comment, list_comments
from studio.core.errors import StudioError
from studio.core.ops import briefs as ops
from studio.ui.shell.theme import theme
from studio.ui.widgets.brief_comments import comment_tree, section_picker, section_title

UID_ROLE = Qt.UserRole + 1
RESOLVED_ROLE = Qt.UserRole + 2
SECTION_ROLE = Qt.UserRole + 3


class CommentsPanel(QWidget):
    error = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brief_id: int | None = None
        self.tree = comment_tree()
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.show_resolved = QCheckBox("Show resolved")
        self.show_resolved.toggled.connect(lambda _on: self.refresh())
        self.resolve_button = QPushButton(theme().icon("mdi6.check"), "Resolve")
        self.resolve_button.clicked.connect(lambda: self.toggle_resolved())
        self.section = section_picker()
        self.text = QPlainTextEdit(accessibleName="New comment", placeholderText="Write a comment or a reply")
        self.text.setFixedHeight(70)
        self.add_button = QPushButton(theme().icon("mdi6.comment-plus-outline"), "Comment")
        self.add_button.clicked.connect(lambda: self.add())
        self.reply_button = QPushButton(theme().icon("mdi6.reply-outline"), "Reply")
        self.reply_button.clicked.connect(lambda: self.reply())
        self.text.textChanged.connect(self._update_buttons)
        tools = QHBoxLayout()
        tools.addWidget(self.show_resolved)
        tools.addStretch(1)
        tools.addWidget(self.resolve_button)
        send = QHBoxLayout()
        send.addWidget(self.section, 1)
        send.addWidget(self.reply_button)
        send.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.text)
        layout.addLayout(send)
        self._update_buttons()

    def set_brief(self, brief_id: int | None) -> None:
        self.brief_id = brief_id
        self.refresh()

    def follow_section(self, key: str) -> None:
        """New comments go on the section being edited, until another is chosen."""
        self.section.setCurrentIndex(self.section.findData(key))

    def refresh(self) -> None:
        current = self.current_uid()
        self.tree.clear()
        comments = list_comments(self.ctx.lib, self.brief_id) if self.brief_id is not None else []
        items: dict[str, QTreeWidgetItem] = {}
        hidden: set[str] = set()
        for c in comments:  # oldest first: a parent comes before its replies
            if c.parent_uid in hidden or (c.parent_uid is None and c.resolved and not self.show_resolved.isChecked()):
                hidden.add(c.uid)  # a resolved thread is hidden whole
                continue
            item = self._item(c)
            parent = items.get(c.parent_uid)
            (parent.addChild(item) if parent is not None else self.tree.addTopLevelItem(item))
            items[c.uid] = item
        self.tree.expandAll()
        if current in items:
            self.tree.setCurrentItem(items[current])
        self._update_buttons()

    def _item(self, c: Comment) -> QTreeWidgetItem:
        byline = f"{c.author} · {c.created_at:%d %b %H:%M}"
        item = QTreeWidgetItem([f"{'✓ ' if c.resolved else ''}{c.text}\n{byline}", section_title(c.section)])
        item.setToolTip(0, f"{c.text}\n\n{byline}")
        item.setData(0, UID_ROLE, c.uid)
        item.setData(0, RESOLVED_ROLE, c.resolved)
        item.setData(0, SECTION_ROLE, c.section)
        if c.resolved:
            muted = QBrush(QColor(theme().colors.muted))
            for column in range(2):
                item.setForeground(column, muted)
        return item

    def current_uid(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, UID_ROLE) if item is not None else None

    def select(self, uid: str) -> None:
        for item in self._all_items():
            if item.data(0, UID_ROLE) == uid:
                self.tree.setCurrentItem(item)

    def _all_items(self):
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.child(i) for i in range(item.childCount()))

    def add(self) -> str | None:
        return self._write(lambda text: ops.add_comment(self.ctx.lib, self.brief_id, text, section=self.section.currentData()))

    def reply(self) -> str | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        while item.parent() is not None:  # replies go to the thread's first comment, one level deep
            item = item.parent()
        section, uid = item.data(0, SECTION_ROLE), item.data(0, UID_ROLE)
        return self._write(lambda text: ops.add_comment(self.ctx.lib, self.brief_id, text, section=section, parent_uid=uid))

    def _write(self, add) -> str | None:
        if self.brief_id is None:
            return None
        try:
            uid = add(self.text.toPlainText()).value
        except StudioError as exc:
            self.error.emit(str(exc))
            return None
        self.text.clear()
        return uid

    def toggle_resolved(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        while item.parent() is not None:  # a thread is resolved as a whole
            item = item.parent()
        try:
            ops.resolve_comment(self.ctx.lib, item.data(0, UID_ROLE), not item.data(0, RESOLVED_ROLE))
        except StudioError as exc:
            self.error.emit(str(exc))

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        has_text = bool(self.text.toPlainText().strip())
        self.add_button.setEnabled(self.brief_id is not None and has_text)
        self.reply_button.setEnabled(item is not None and has_text)
        self.resolve_button.setEnabled(item is not None)
        root = item
        while root is not None and root.parent() is not None:
            root = root.parent()
        self.resolve_button.setText("Reopen" if root is not None and root.data(0, RESOLVED_ROLE) else "Resolve")
