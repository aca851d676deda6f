"""Settings ▸ Accounts & keys: per service, whether a key is stored, Add/Replace, Test, Remove.

Every key-store call runs as a job on the "io" lane: the encrypted-file keyring derives its
key with Argon2 (about a second a call), far too slow for the GUI thread. Dialogs are opened
with open(), never exec(), so nothing nests an event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core import secrets
from studio.core.errors import SecretsUnavailable, StudioError
from studio.ui.bridge import when_finished

_STORE_LOCK = threading.Lock()  # one key-store call at a time
ENDPOINT_SERVICES = ("anthropic", "openai")  # whose SDKs take another address (a proxy)
NOT_SECRET = {"client_id", "login_customer_id"}


def _label(field: str) -> str:
    """api_key -> "API key", login_customer_id -> "Login customer ID"."""
    words = field.split("_")
    words = ["API" if w == "api" else "ID" if w == "id" else w for w in words]
    return " ".join(words)[0].upper() + " ".join(words)[1:]


def endpoint_for(service: str) -> str | None:
    return str(QSettings().value(f"accounts/{service}/endpoint", "")) or None


def _set_state(label: QLabel, text: str, state: str) -> None:
    label.setText(text)
    label.setProperty("state", state)
    label.style().polish(label)


class FormDialog(QDialog):
    """A small dialog whose OK hands the values to the page (submitted) and stays open
    until the page calls accept(), or show_error() when the key store refused."""

    submitted = Signal(object)

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout()
        self.form.setSpacing(10)
        self.intro = QLabel(wordWrap=True, objectName="Muted")
        self.error = QLabel(wordWrap=True)
        self.error.setProperty("state", "bad")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setProperty("primary", True)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        _set_state(self.error, text, "bad")
        self._show_line()
        self.ok_button.setEnabled(True)

    def set_waiting(self, text: str) -> None:
        _set_state(self.error, text, "busy")
        self._show_line()
        self.ok_button.setEnabled(False)

    def _show_line(self) -> None:
        """Show the message line and grow to fit it (else the fields above it are squeezed)."""
        self.error.show()
        self.layout().activate()
        if self.height() < self.sizeHint().height():
            self.resize(self.width(), self.sizeHint().height())

    def _on_ok(self) -> None:
        raise NotImplementedError


class MasterPasswordDialog(FormDialog):
    """First time: choose a master password (twice). Later: unlock with it."""

    def __init__(self, first_time: bool, parent=None):
        super().__init__("Set a master password" if first_time else "Unlock your keys", parent)
        self.first_time = first_time
        self.password = QLineEdit(echoMode=QLineEdit.Password, placeholderText="Master password")
        self.confirm = QLineEdit(echoMode=QLineEdit.Password, placeholderText="The same again")
        self.form.addRow("Master password", self.password)
        if first_time:
            self.intro.setText(
                "This computer has no system keyring, so your keys are kept in a file encrypted with a "
                "master password. Choose one of at least 8 characters; you will need it to use your keys."
            )
            self.form.addRow("Confirm", self.confirm)
            self.ok_button.setText("Set Password")
        else:
            self.intro.setText("Your keys are in an encrypted file. Enter the master password to use them.")
            self.ok_button.setText("Unlock")

    def _on_ok(self) -> None:
        password = self.password.text()
        if not password:
            return self.show_error("Enter the master password.")
        if self.first_time:
            if len(password) < 8:
                return self.show_error("Choose a master password of at least 8 characters.")
            if password != self.confirm.text():
                return self.show_error("The two passwords differ. Type the same password in both fields.")
        self.set_waiting("Unlocking…")
        self.submitted.emit(password)


class KeyDialog(FormDialog):
    """The fields of one service's credentials (secrets echo as dots), and an optional endpoint."""

    def __init__(self, spec: secrets.ServiceSpec, replacing: bool, parent=None):
        super().__init__(f"{'Replace' if replacing else 'Add'} {spec.title} key", parent)
        self.spec = spec
        self.intro.setText(spec.hint)
        self.fields: dict[str, QLineEdit] = {}
        for name in spec.fields:
            edit = QLineEdit(echoMode=QLineEdit.Normal if name in NOT_SECRET else QLineEdit.Password)
            if name == "login_customer_id":
                edit.setPlaceholderText("Optional")
            self.fields[name] = edit
            self.form.addRow(_label(name), edit)
        self.endpoint = QLineEdit(placeholderText="Optional: a proxy or gateway address")
        self.endpoint.setText(endpoint_for(spec.id) or "")
        if spec.id in ENDPOINT_SERVICES:
            self.form.addRow("Endpoint", self.endpoint)
        self.ok_button.setText("Save")

    def values(self) -> dict[str, str]:
        return {name: edit.text().strip() for name, edit in self.fields.items()}

    def _on_ok(self) -> None:
        missing = [_label(n) for n, v in self.values().items() if not v and n != "login_customer_id"]
        if missing:
            return self.show_error(f"Fill in {', '.join(missing)}.")
        self.set_waiting("Saving…")
        self.submitted.emit(self.values())


class ServiceRow(QFrame):
    def __init__(self, spec: secrets.ServiceSpec, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("Card")
        title = QLabel(f"<b>{spec.title}</b>")
        hint = QLabel(spec.hint, wordWrap=True, objectName="Muted")
        self.status = QLabel("Checking…")
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message.hide()
        self.set_button = QPushButton("Add…")
        self.test_button = QPushButton("Test")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setProperty("danger", True)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for b in (self.set_button, self.test_button, self.remove_button):
            b.setAccessibleName(f"{b.text().rstrip('…')} {spec.title} key")
            buttons.addWidget(b)
        grid = QGridLayout(self)
        grid.setContentsMargins(14, 12, 14, 12)
        grid.setHorizontalSpacing(16)
        grid.addWidget(title, 0, 0)
        grid.addWidget(self.status, 0, 1, Qt.AlignRight)
        grid.addWidget(hint, 1, 0, 1, 2)
        grid.addLayout(buttons, 2, 0, 1, 2, Qt.AlignLeft)
        grid.addWidget(self.message, 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        self.is_set: bool | None = None

    def show_status(self, is_set: bool | None) -> None:
        self.is_set = is_set
        if is_set is None:
            _set_state(self.status, "Locked", "busy")
        else:
            _set_state(self.status, "Set" if is_set else "Not set", "ok" if is_set else "busy")
        self.set_button.setText("Replace…" if is_set else "Add…")
        self.test_button.setEnabled(bool(is_set))
        self.remove_button.setEnabled(bool(is_set))

    def show_message(self, text: str, ok: bool | None) -> None:
        _set_state(self.message, text, {True: "ok", False: "bad", None: "busy"}[ok])
        self.message.show()


class AccountsPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.store: secrets.SecretStore | None = ctx.secrets
        self.password_dialog: MasterPasswordDialog | None = None
        self.key_dialog: KeyDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self._after_unlock: Callable[[], None] | None = None
        self._busy = 0

        self.banner = QFrame(objectName="Banner")
        self.banner_text = QLabel(wordWrap=True)
        self.unlock_button = QPushButton("Unlock…", clicked=lambda: self._ask_password())
        self.unlock_button.setProperty("primary", True)
        banner = QHBoxLayout(self.banner)
        banner.setContentsMargins(12, 10, 12, 10)
        banner.addWidget(self.banner_text, 1)
        banner.addWidget(self.unlock_button)
        self.backend_label = QLabel(wordWrap=True, objectName="Muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.banner)
        self.rows: dict[str, ServiceRow] = {}
        for spec in secrets.SERVICES.values():
            row = self.rows[spec.id] = ServiceRow(spec)
            row.set_button.clicked.connect(lambda _=False, s=spec.id: self._when_unlocked(lambda: self.edit_key(s)))
            row.test_button.clicked.connect(lambda _=False, s=spec.id: self._when_unlocked(lambda: self.test(s)))
            row.remove_button.clicked.connect(lambda _=False, s=spec.id: self._when_unlocked(lambda: self.confirm_remove(s)))
            layout.addWidget(row)
        layout.addWidget(self.backend_label)
        layout.addStretch(1)
        self.banner.hide()
        self._open_store()

    # ---- running key-store calls as jobs ---------------------------------------------------
    def _job(self, title: str, fn: Callable, on_ok: Callable, on_error: Callable[[str], None] | None = None) -> None:
        """Run fn() off the GUI thread. A StudioError (wrong password...) is an answer for the
        dialog, not a failed job: it comes back as ("error", message)."""

        def body(_params, _state):
            with _STORE_LOCK:
                try:
                    return "ok", fn()
                except StudioError as exc:
                    return "error", str(exc)

        def done(job):
            self._set_busy(-1)
            if job.status == "done":
                kind, value = job.result
                if kind == "ok":
                    on_ok(value)
                else:
                    (on_error or self._show_problem)(value)
            elif job.status == "failed":  # the shell also shows job errors as a notification
                (on_error or self._show_problem)(job.error or "The key store failed.")

        self._set_busy(+1)
        when_finished(self.ctx.bus, self.ctx.submit(body, title=title, lane="io"), done, owner=self)

    def _set_busy(self, delta: int) -> None:
        self._busy += delta
        for row in self.rows.values():
            row.setEnabled(self._busy == 0)

    def _show_problem(self, text: str) -> None:
        self.banner_text.setText(text)
        self.unlock_button.hide()
        self.banner.show()

    # ---- opening and unlocking -------------------------------------------------------------
    def _open_store(self) -> None:
        if self.store is not None:
            return self._on_store_ready(self.store)
        self._job("Open the key store", secrets.SecretStore, self._on_store_ready)

    def _on_store_ready(self, store) -> None:
        self.store = self.ctx.secrets = store
        if store.needs_master_password:
            first = not store.has_master_password
            self.banner_text.setText(
                "Set a master password to store keys on this computer (it has no system keyring)."
                if first else "Your keys are locked. Unlock them with your master password."
            )
            self.unlock_button.setText("Set Master Password…" if first else "Unlock…")
            self.unlock_button.show()
            self.banner.show()
            for row in self.rows.values():
                row.show_status(None)
                row.set_button.setText("Add…")
        else:
            self.banner.hide()
            self.backend_label.setText(f"Keys are stored in: {store.backend_name}.")
            self.refresh()

    def _when_unlocked(self, action: Callable[[], None]) -> None:
        if self.store is None:
            return
        if self.store.needs_master_password:
            self._ask_password(then=action)
        else:
            action()

    def _ask_password(self, then: Callable[[], None] | None = None) -> None:
        self._after_unlock = then
        self.password_dialog = dialog = MasterPasswordDialog(not self.store.has_master_password, self)
        dialog.submitted.connect(self._on_password_submitted)
        dialog.open()

    def _on_password_submitted(self, password: str) -> None:
        dialog = self.password_dialog

        def unlocked(_):
            dialog.accept()
            self._on_store_ready(self.store)
            then, self._after_unlock = self._after_unlock, None
            if then:
                then()

        self._job("Unlock the key store", lambda: self.store.unlock(password), unlocked, dialog.show_error)

    def refresh(self) -> None:
        for row in self.rows.values():
            _set_state(row.status, "Checking…", "busy")
        self._job(
            "Check stored keys",
            lambda: {sid: self.store.has(sid) for sid in secrets.SERVICES},
            lambda found: [self.rows[sid].show_status(is_set) for sid, is_set in found.items()],
        )

    # ---- the actions -----------------------------------------------------------------------
    def edit_key(self, service: str) -> None:
        row = self.rows[service]
        self.key_dialog = dialog = KeyDialog(row.spec, bool(row.is_set), self)

        def submitted(values):
            def saved(_):
                QSettings().setValue(f"accounts/{service}/endpoint", dialog.endpoint.text().strip())
                dialog.accept()
                row.show_status(True)
                row.show_message(f"{row.spec.title} key saved.", True)

            self._job(f"Save {row.spec.title} key", lambda: self.store.set(service, values), saved, dialog.show_error)

        dialog.submitted.connect(submitted)
        dialog.open()

    def test(self, service: str) -> None:
        row = self.rows[service]
        endpoint = endpoint_for(service)

        def run():
            fields = self.store.get_fields(service)
            if not fields:
                raise SecretsUnavailable(f"No {row.spec.title} key is stored. Add one first.")
            return secrets.test_key(service, fields, endpoint=endpoint)

        row.show_message(f"Testing with {row.spec.title}…", None)
        self._job(f"Test {row.spec.title} key", run, lambda r: row.show_message(r.message, r.ok), lambda t: row.show_message(t, False))

    def confirm_remove(self, service: str) -> None:
        row = self.rows[service]
        self.confirm_box = box = QMessageBox(
            QMessageBox.Warning, "Remove key", f"Remove the {row.spec.title} key?", QMessageBox.Yes | QMessageBox.Cancel, self
        )
        box.setInformativeText(f"Conext Studio will no longer be able to use {row.spec.title} until you add a key again.")
        box.button(QMessageBox.Yes).setText("Remove")
        box.setDefaultButton(QMessageBox.Cancel)

        def answered(button):
            if box.standardButton(button) != QMessageBox.Yes:
                return

            def removed(_):
                row.show_status(False)
                row.show_message(f"{row.spec.title} key removed.", None)

            self._job(f"Remove {row.spec.title} key", lambda: self.store.delete(service), removed)

        box.buttonClicked.connect(answered)
        box.open()
