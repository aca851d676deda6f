"""The window on a team library: it says whose server it is on, refreshes this workstation's
offline copy in the background, and when the server is down shows that copy, read-only."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from studio.app import _show_team_state
from studio.core import team
from studio.core.library import Library, open_offline_copy
from studio.core.ops.organize import create_client
from studio.ui.context import ChangeBus, StudioContext

pytestmark = pytest.mark.sqlite_only  # makes its own team library


def status_text(window) -> str:
    return " ".join(label.text() for label in window.statusBar().findChildren(QLabel))


def test_a_team_library_says_where_it_is_and_saves_its_offline_copy(test_server, tmp_path, runner, make_window, qtbot):
    test_server.new_library(tmp_path / "share")
    with Library.open(tmp_path / "share") as lib:
        create_client(lib, "Acme")
        ctx = StudioContext(lib, runner, ChangeBus(lib, runner))
        window = make_window(context=ctx)
        _show_team_state(ctx, window, None)
        assert f"Team library on {lib.server.key} · files in {tmp_path / 'share'}" in status_text(window)
        assert "team library on 127.0.0.1" in window.windowTitle()
        copy = team.local_dir(lib.server) / team.OFFLINE_COPY
        qtbot.waitUntil(copy.is_file, timeout=20_000)


def test_with_the_server_down_the_window_shows_the_offline_copy_read_only(test_server, tmp_path, runner, make_window):
    from studio.core.jobs import JobState
    from studio.core.team_copy import save_offline_copy

    test_server.new_library(tmp_path / "share")
    with Library.open(tmp_path / "share") as lib:
        create_client(lib, "Acme")
        saved = save_offline_copy(lib, JobState())
    gone = team.Server("127.0.0.1", 1, team.read_pointer(tmp_path / "share").database)
    team.write_pointer(tmp_path / "share", gone)
    (team.local_dir(gone) / team.OFFLINE_COPY).write_bytes(saved.read_bytes())
    team.remember_folder(gone, tmp_path / "share")
    with pytest.raises(team.LibraryUnreachable) as caught:
        Library.open(tmp_path / "share")
    offline = open_offline_copy(caught.value)
    try:
        ctx = StudioContext(offline, runner, ChangeBus(offline, runner))
        window = make_window(context=ctx)
        _show_team_state(ctx, window, str(caught.value))
        assert "Offline copy (read-only) of the team library on 127.0.0.1:1/" in status_text(window)
        assert window.windowTitle().endswith("offline copy, read-only")
        with pytest.raises(team.LibraryReadOnly):
            create_client(offline, "Not saved")
    finally:
        offline.close()
