"""The waive dialog: accepting a finding needs a reason and a name (who decides)."""

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


class WaiveDialog(QDialog):
    def __init__(self, ctx, stored: StoredFinding, parent=None):
        super().__init__(parent)
        self.ctx, self.stored = ctx, stored
        self.setWindowTitle("Waive finding")
        self.setMinimumWidth(440)
        f = stored.finding
        intro = QLabel(f"<b>{f.rule_id}</b>: {f.message}<br>An error that is waived no longer blocks export; "
                       "the reason and your name go into the audit trail and the package manifest.", wordWrap=True)
        self.reason = QPlainTextEdit(accessibleName="Reason", placeholderText="Why is this acceptable? (required)")
        self.reason.setFixedHeight(80)
        self.name = QLineEdit(os_user_name(), accessibleName="Name", placeholderText="Who decides (required)")
        self.error = QLabel(wordWrap=True, objectName="Muted")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Waive")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Reason", self.reason)
        form.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._update)
        self.name.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        missing = [what for what, text in (("a reason", self.reason.toPlainText()), ("a name", self.name.text())) if not text.strip()]
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not missing)
        self.error.setText(f"Give {' and '.join(missing)} to waive." if missing else "")

    def accept(self) -> None:
        """Waive through the core op (one undoable step); a refusal is shown, the dialog stays."""
        try:
            store.waive(self.ctx.lib, self.stored.fingerprint, self.reason.toPlainText(), self.name.text())
        except BadInput as exc:
            self.error.setText(str(exc))
            return
        super().accept()
