"""UI test fixtures: a real library built by the migrations, a real job runner, a context,
and every per-user location (settings, keyring file, logs) inside the test's tmp folder."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["STUDIO_KEYRING"] = "file"

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from studio.core.jobs import JobRunner  # noqa: E402
from studio.core.paths import APP_NAME  # noqa: E402


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread():
    """As in the studio (studio.ui.main_thread_gc): no cycle collection on job threads while a UI test
    runs, where it could destroy Qt objects off the GUI thread and hang; the garbage goes after it."""
    gc.disable()
    yield
    gc.collect()
    gc.enable()


@pytest.fixture(autouse=True)
def user_dirs(tmp_path, monkeypatch, qapp):
    """platformdirs (XDG on Linux) and QSettings point into tmp_path: tests never touch
    the user's real settings, keys or logs."""
    home = tmp_path / "home"
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("STUDIO_KEYRING", "file")
    monkeypatch.delenv("STUDIO_LIBRARY", raising=False)
    qapp.setOrganizationName("Conext")
    qapp.setApplicationName(APP_NAME)
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(home / "qsettings"))
    return home


@pytest.fixture
def keyring_file(user_dirs):
    from studio.core.secrets import default_keyring_file

    path = default_keyring_file()
    assert str(path).startswith(str(user_dirs))
    return path


@pytest.fixture
def runner():
    job_runner = JobRunner(io_threads=2, cpu_processes=1)
    yield job_runner
    job_runner.shutdown()


@pytest.fixture
def ctx(lib, runner):
    from studio.ui.context import ChangeBus, StudioContext

    return StudioContext(lib, runner, ChangeBus(lib, runner))


@pytest.fixture
def make_window(ctx, qtbot):
    """make_window(workspaces=[...]) -> a shown MainWindow on ctx (no workspaces by default)."""
    from studio.ui.shell.main_window import MainWindow

    def make(workspaces=None, context=None, **kwargs):
        window = MainWindow(context or ctx, workspaces=workspaces or [], **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.isActiveWindow())  # shortcuts go to the active window
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()
