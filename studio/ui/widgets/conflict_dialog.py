"""What to do when a save lost a race: someone else changed the same thing first.

The dialog lists the fields where this person's version and theirs differ (the ones the other
person changed are in bold) and what Keep mine leaves in each, and offers Keep mine (lay what this
person changed on theirs: a new undoable step), Take theirs (the views reload what is stored) or
Cancel (decide later; nothing changes)."""

from __future__ import annotations

import json

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from studio.core.errors import ConflictError, StudioError
from studio.core.ops.tx import OpResult

SHOWN_CHARS = 160  # a cell shows this much of a value; its tooltip more
TOOLTIP_CHARS = 2000
ROWS = 200


def shown(value) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


class ConflictDialog(QDialog):
    resolved = Signal(str)  # "mine" | "theirs" | "cancel"

    def __init__(self, ctx, conflict: ConflictError, parent=None):
        super().__init__(parent)
        self.ctx, self.conflict = ctx, conflict
        self.setWindowTitle("Someone else changed this")
        self.setObjectName("ConflictDialog")
        self.resize(720, 420)
        self.summary = QLabel(str(conflict), wordWrap=True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Field", "Mine", "Theirs", "After Keep mine"])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self._fill()
        self.error = QLabel(objectName="Error", wordWrap=True)
        self.error.hide()
        buttons = QDialogButtonBox()
        self.keep_button = QPushButton("Keep mine")
        self.keep_button.setToolTip("Write what you changed on top of theirs; what only they changed stays "
                                    "(Edit ▸ Undo takes it back).")
        self.keep_button.setEnabled(conflict.keep_mine is not None)
        self.theirs_button = QPushButton("Take theirs")
        self.theirs_button.setToolTip("Drop your change and show what they saved.")
        self.cancel_button = QPushButton("Cancel")
        buttons.addButton(self.keep_button, QDialogButtonBox.AcceptRole)
        buttons.addButton(self.theirs_button, QDialogButtonBox.DestructiveRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.RejectRole)
        self.keep_button.clicked.connect(self.keep_mine)
        self.theirs_button.clicked.connect(self.take_theirs)
        self.cancel_button.clicked.connect(self.reject)
        self.rejected.connect(lambda: self.resolved.emit("cancel"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        note = "Bold: what they changed since you opened it." if any(f.theirs_changed for f in conflict.fields) else ""
        if note:
            layout.addWidget(QLabel(note, objectName="Muted"))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _fill(self) -> None:
        conflict = self.conflict
        if conflict.theirs is None or conflict.mine is None:
            mine = "kept" if conflict.mine is not None else "deleted"
            rows = [("(the whole item)", mine, "deleted" if conflict.theirs is None else "changed", mine, True)]
        else:
            rows = [(f.field, f.mine, f.theirs, f.kept, f.theirs_changed) for f in conflict.fields[:ROWS]]
        self.table.setRowCount(len(rows))
        for row, (name, mine, theirs, kept, theirs_changed) in enumerate(rows):
            for column, value in enumerate((name, mine, theirs, kept)):
                item = QTableWidgetItem(name if column == 0 else shown(value))
                full = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                item.setToolTip(full[:TOOLTIP_CHARS])
                if theirs_changed:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)

    def fields(self) -> list[tuple[str, str, str, str]]:
        """(field, mine, theirs, after Keep mine) as the table shows them."""
        return [tuple(self.table.item(r, c).text() for c in range(4)) for r in range(self.table.rowCount())]

    def keep_mine(self) -> None:
        try:
            self.conflict.keep_mine()
        except ConflictError:  # a third save came in between: its own dialog opens
            self.done(QDialog.Rejected)
            return
        except StudioError as exc:
            self.error.setText(f"Yours was not written either: {exc}")
            self.error.show()
            return
        self.resolved.emit("mine")
        self.done(QDialog.Accepted)

    def take_theirs(self) -> None:
        # Nothing to write: views showing the row reload it, as after any change.
        self.ctx.broadcast(OpResult(frozenset({self.conflict.table}), None, "Take theirs"))
        self.resolved.emit("theirs")
        self.done(QDialog.Accepted)
