"""Approving a brief: who approved it (one or more names) and an optional note. The core refuses
an approval without a name; its message shows in the dialog, which stays open."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from studio.core.errors import BadInput
from studio.core.ops import briefs as ops


def split_names(text: str) -> list[str]:
    """Approver names as typed: separated by commas or semicolons."""
    return [n.strip() for n in text.replace(";", ",").split(",") if n.strip()]


class ApproveBriefDialog(QDialog):
    def __init__(self, ctx, brief_id: int, title: str, parent=None):
        super().__init__(parent)
        self.ctx, self.brief_id = ctx, brief_id
        self.setWindowTitle("Approve brief")
        self.setMinimumWidth(440)
        self.names = QLineEdit(accessibleName="Approvers", placeholderText="Who approved it, e.g. Ana Silva, Tom Berg")
        self.note = QPlainTextEdit(accessibleName="Note", placeholderText="Anything the team should know (optional)")
        self.note.setFixedHeight(70)
        self.error = QLabel(wordWrap=True, objectName="Muted")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Approve")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Approved by", self.names)
        form.addRow("Note", self.note)
        layout = QVBoxLayout(self)
        intro = QLabel(f"Approve <b>{title}</b>. The names, the time and the note are recorded with the brief; "
                       "separate several names with commas.", wordWrap=True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        try:
            ops.set_brief_status(self.ctx.lib, self.brief_id, "approved", approvers=split_names(self.names.text()),
                                 note=self.note.toPlainText().strip() or None)
        except BadInput as exc:
            self.error.setText(str(exc))
            return
        super().accept()
