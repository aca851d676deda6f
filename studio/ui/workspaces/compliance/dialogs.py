"""Signed decisions: waiving a finding needs a reason and a name (who decides); approving a
campaign needs a name and takes a note."""

from __future__ import annotations

import getpass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from studio.core.compliance import store
from studio.core.compliance.store import StoredFinding
from studio.core.errors import BadInput


def os_user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return ""


class SignedDialog(QDialog):
    """A decision someone signs: a text (a reason, or an optional note) and their name, sent to
    submit(); a refusal from the core is shown and the dialog stays open."""

    def __init__(self, title: str, intro: str, text_label: str, placeholder: str, ok_text: str, *, text_required: bool, parent=None):
        super().__init__(parent)
        self.text_label, self.text_required = text_label, text_required
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.text = QPlainTextEdit(accessibleName=text_label, placeholderText=placeholder)
        self.text.setFixedHeight(80)
        self.name = QLineEdit(os_user_name(), accessibleName="Name", placeholderText="Who decides (required)")
        self.error = QLabel(wordWrap=True, objectName="Muted")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(text_label, self.text)
        form.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(intro, wordWrap=True))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._update)
        self.name.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        needed = [("a " + self.text_label.lower(), self.text.toPlainText())] if self.text_required else []
        missing = [what for what, text in (*needed, ("a name", self.name.text())) if not text.strip()]
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not missing)
        self.error.setText(f"Give {' and '.join(missing)}." if missing else "")

    def submit(self, text: str, name: str) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.submit(self.text.toPlainText(), self.name.text())
        except BadInput as exc:
            self.error.setText(str(exc))
            return
        super().accept()


class WaiveDialog(SignedDialog):
    def __init__(self, ctx, stored: StoredFinding, parent=None):
        f = stored.finding
        super().__init__("Waive finding", f"<b>{f.rule_id}</b>: {f.message}<br>An error that is waived no longer blocks export; "
                         "the reason and your name go into the audit trail and the package manifest.",
                         "Reason", "Why is this acceptable? (required)", "Waive", text_required=True, parent=parent)
        self.ctx, self.stored = ctx, stored

    def submit(self, text: str, name: str) -> None:
        """Waive through the core op (one undoable step)."""
        store.waive(self.ctx.lib, self.stored.fingerprint, text, name)


class ApproveDialog(SignedDialog):
    def __init__(self, ctx, campaign_id: int, campaign: str, blocking: int, parent=None):
        warning = (f"<br><b>{blocking} error{'s' if blocking != 1 else ''} nobody waived still block{'s' if blocking == 1 else ''} "
                   "export</b>; the approval records that.") if blocking else ""
        super().__init__("Approve campaign", f"Sign off <b>{campaign}</b> as checked. Your name, the time and the note go into "
                         f"the audit trail.{warning}", "Note", "Anything the team should know (optional)", "Approve",
                         text_required=False, parent=parent)
        self.ctx, self.campaign_id = ctx, campaign_id

    def submit(self, text: str, name: str) -> None:
        store.approve(self.ctx.lib, self.campaign_id, name, text)
