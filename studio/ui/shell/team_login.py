"""The login for a team library's server, asked for when the server refuses the one it was given
(none stored yet, or a password changed since). The server checks it before it is kept in the
keyring, off the GUI thread: a key store derives its key for seconds, a server may be slow."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit

from studio.core import team
from studio.core.errors import StudioError
from studio.core.secrets import SecretStore
from studio.ui.shell.accounts import FormDialog


class TeamLoginDialog(FormDialog):
    """accept()s once the server took the login and the keyring keeps it (`store`: the key store,
    unlocked, to open the library with)."""

    finished_login = Signal(object)  # None when stored, else the message saying why not

    def __init__(self, refused: team.LibraryLoginFailed, store: SecretStore | None = None, parent=None):
        super().__init__("Log in to the team library", parent)
        self.server = refused.server
        self.store = store or SecretStore()
        self.intro.setText(f"The team library server {refused.server.key} did not accept the login "
                           f"{refused.user!r}: no password is stored on this computer yet, or it has changed. "
                           "Enter the login the server's administrator gave you; this computer's keyring "
                           "keeps it, and the studio logs in with it from now on.")
        self.user = QLineEdit(refused.user or "", placeholderText="User name on the server")
        self.password = QLineEdit(echoMode=QLineEdit.Password, placeholderText="Password")
        self.form.addRow("Server", QLabel(refused.server.key))
        self.form.addRow("User name", self.user)
        self.form.addRow("Password", self.password)
        self.master = None
        if self.store.needs_master_password:  # no system keyring: the encrypted key file keeps it
            first = not self.store.has_master_password
            self.master = QLineEdit(echoMode=QLineEdit.Password,
                                    placeholderText="Choose one (8 characters or more)" if first else "Unlocks your keys")
            self.form.addRow("Master password", self.master)
            if not first:
                self.password.setPlaceholderText("Empty: the one stored in your keys")
        self.ok_button.setText("Log In")
        (self.password if self.user.text() else self.user).setFocus()
        self.finished_login.connect(self._on_finished)

    def _on_ok(self) -> None:
        stored = self.master is not None and self.store.has_master_password  # a login may be in the locked keys
        if not self.user.text().strip() or not (self.password.text() or stored):
            return self.show_error("Enter your user name and password on the server.")
        if self.master is not None and not self.master.text():
            return self.show_error("Enter the master password of your key store.")
        self.set_waiting(f"Logging in to {self.server.key}…")
        values = (self.user.text(), self.password.text(), self.master.text() if self.master else None)
        threading.Thread(target=self._log_in, args=values, name="team-login", daemon=True).start()

    def _log_in(self, user: str, password: str, master: str | None) -> None:
        try:
            if master is not None and self.store.needs_master_password:
                self.store.unlock(master)
            if password:
                team.save_login(self.store, self.server, user, password)
            else:  # the login the keys keep: checked now, so a wrong one is asked for again here
                team.connect_engine(self.server, self.store).dispose()
        except StudioError as exc:
            self.finished_login.emit(str(exc))
        else:
            self.finished_login.emit(None)

    def _on_finished(self, problem: str | None) -> None:
        if problem is None:
            self.accept()
        else:
            self.show_error(problem)
            self.password.selectAll()
            self.password.setFocus()
