"""File ▸ Back Up Library, Open Library…, and the library the studio reopens next time."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QSettings

from studio.app import LAST_LIBRARY_KEY, _last_library
from studio.core.library import Library
from studio.core.ops import organize


def test_backup_runs_as_a_job_and_says_where(qtbot, window, ctx, lib, tmp_path):
    organize.create_client(lib, "Acme")
    messages = []
    ctx.bus.notification.connect(lambda level, text: messages.append(text))
    job = window.library_menu.start_backup(tmp_path / "copy.db")
    qtbot.waitUntil(lambda: job.finished and bool(messages), timeout=20000)
    assert job.status == "done" and job.lane == "db"
    assert messages[-1] == f"Library backed up to {tmp_path / 'copy.db'}"
    con = sqlite3.connect(tmp_path / "copy.db")
    assert con.execute("select name from clients").fetchall() == [("Acme",)]
    con.close()


def test_file_menu_has_the_library_actions(window):
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert {"Open Library…", "Show Library Folder", "Back Up Library…"} <= set(texts)


def test_open_library_closes_this_window_to_reopen_on_the_other(qtbot, window, ctx, tmp_path):
    window.library_menu.switch_to(ctx.lib.root)  # the same library: nothing to do
    assert window.isVisible() and ctx.next_library is None
    window.library_menu.switch_to(tmp_path / "other")
    assert ctx.next_library == tmp_path / "other"
    qtbot.waitUntil(lambda: not window.isVisible())


def test_the_last_library_is_remembered_while_it_exists(tmp_path):
    settings = QSettings()
    Library.open(tmp_path / "kept").close()
    settings.setValue(LAST_LIBRARY_KEY, str(tmp_path / "kept"))
    assert _last_library() == str(tmp_path / "kept")
    settings.setValue(LAST_LIBRARY_KEY, str(tmp_path / "deleted"))
    assert _last_library() is None
