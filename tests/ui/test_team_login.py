"""A team server that refuses the login: the studio asks for one, the server checks it before the
keyring keeps it, and the library opens with it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from studio.app import _open_library
from studio.core import team
from studio.core.library import Library
from studio.ui.shell.team_login import TeamLoginDialog

pytestmark = pytest.mark.sqlite_only  # makes its own team library


@pytest.fixture
def share(test_server, tmp_path, monkeypatch):
    test_server.new_library(tmp_path / "share")
    monkeypatch.delenv("PGPASSFILE")  # only a login the studio is given can log in now
    monkeypatch.delenv("PGUSER")
    return tmp_path / "share"


def refusal(share, key_store) -> team.LibraryLoginFailed:
    with pytest.raises(team.LibraryLoginFailed) as refused:
        Library.open(share, secrets=key_store)
    return refused.value


def test_a_wrong_password_is_refused_in_the_dialog_and_the_right_one_is_kept_and_opens(qtbot, share, key_store, test_server):
    server = team.read_pointer(share)
    stale = {"user": test_server.user, "password": "changed on the server since"}
    key_store.set(team.login_entry(server), stale)
    dialog = TeamLoginDialog(refusal(share, key_store), key_store)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.user.text() == test_server.user and dialog.master is None  # the key store is unlocked
    assert "did not accept the login" in dialog.intro.text()

    dialog.password.setText("a wrong guess")
    with qtbot.waitSignal(dialog.finished_login, timeout=20_000):
        dialog.ok_button.click()
    assert dialog.isVisible() and "refused the login" in dialog.error.text()
    assert key_store.get_fields(team.login_entry(server)) == stale  # nothing stored

    dialog.password.setText(test_server.password)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.ok_button.click()
    assert key_store.get_fields(team.login_entry(server)) == {"user": test_server.user, "password": test_server.password}
    with Library.open(share, secrets=key_store) as lib:
        assert lib.server.key == server.key


def test_an_empty_field_is_asked_for_before_anything_is_sent(qtbot, share, key_store):
    dialog = TeamLoginDialog(refusal(share, key_store), key_store)
    qtbot.addWidget(dialog)
    dialog.user.clear()
    dialog.password.setText("secret")
    dialog.ok_button.click()
    assert "Enter your user name and password" in dialog.error.text() and dialog.ok_button.isEnabled()


def answer_at_startup(fill) -> None:
    """Answers the login dialog the studio opens (modal) at startup with fill(dialog)."""
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, TeamLoginDialog) and dialog.isVisible():
        fill(dialog)
    else:
        QTimer.singleShot(20, lambda: answer_at_startup(fill))


def test_at_startup_the_studio_asks_and_next_time_the_locked_keys_need_only_the_master_password(qtbot, share, test_server):
    seen = []

    def first_start(dialog):  # no keyring on this computer yet: the master password makes the key file
        seen.append(dialog.master.placeholderText())
        dialog.user.setText(test_server.user)
        dialog.password.setText(test_server.password)
        dialog.master.setText("correct horse battery")
        dialog.ok_button.click()

    QTimer.singleShot(0, lambda: answer_at_startup(first_start))
    lib, offline = _open_library(str(share), ask=True)
    lib.close()
    assert (seen, offline) == (["Choose one (8 characters or more)"], None)

    def next_start(dialog):  # a new process: the keys are locked, the login is in them
        seen.append(dialog.password.placeholderText())
        dialog.master.setText("correct horse battery")
        dialog.ok_button.click()

    QTimer.singleShot(0, lambda: answer_at_startup(next_start))
    lib, _ = _open_library(str(share), ask=True)
    assert lib.server.key == team.read_pointer(share).key and seen[1] == "Empty: the one stored in your keys"
    lib.close()

    QTimer.singleShot(0, lambda: answer_at_startup(lambda dialog: dialog.reject()))
    assert _open_library(str(share), ask=True) is None  # Cancel: the studio does not start
    with pytest.raises(team.LibraryLoginFailed):  # a screenshot run, or the command line, never asks
        _open_library(str(share), ask=False)
