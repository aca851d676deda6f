"""The composition root: logging, QApplication, the library, the job runner, the main
window and the qasync loop. `studio` (no subcommand) calls run()."""

from __future__ import annotations

import asyncio
import importlib
import logging
import logging.handlers
import os
import pkgutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from studio.core.errors import BadInput, LibraryNotWritable, StudioError
from studio.core.paths import APP_NAME, user_log_dir

log = logging.getLogger("studio.app")
_LOG_HANDLER_NAME = "studio-file"
SCREENSHOT_JOB_WAIT_S = 5.0  # how long a screenshot waits for pending thumbnail jobs
SCREENSHOT_SIZE = (1440, 900)
# A busy job thread keeps the GIL for up to the switch interval whenever the GUI thread asks
# for it (5 ms by default, often several times a frame); 1 ms keeps the window's frames on time.
GUI_SWITCH_INTERVAL_S = 0.001
LAST_LIBRARY_KEY = "library/last"


def setup_logging() -> Path:
    """A rotating log file in the user's log folder, with secrets redacted. Idempotent."""
    from studio.core.secrets import REDACTOR

    log_dir = user_log_dir()
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "studio.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _LOG_HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.set_name(_LOG_HANDLER_NAME)
    handler.addFilter(REDACTOR)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def load_workspaces() -> list[str]:
    """Import every subpackage of studio.ui.workspaces; each registers itself."""
    import studio.ui.workspaces as package

    loaded = []
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        try:
            importlib.import_module(info.name)
            loaded.append(info.name)
        except Exception:  # one broken workspace must not keep the studio from starting
            log.exception("workspace %s failed to load", info.name)
    return loaded


def _make_app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "studio"])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("Conext")
    app.setApplicationDisplayName(APP_NAME)
    if not hasattr(app, "collector"):
        from studio.ui.main_thread_gc import MainThreadCollector

        app.collector = MainThreadCollector(app)  # garbage with Qt objects is freed on the GUI thread only
    return app


def _report_startup_error(message: str, screenshot: str | None) -> None:
    if screenshot:
        sys.stderr.write(f"error: {message}\n")
        return
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Critical, "Conext Studio cannot open the library", message)
    box.exec()


def _install_excepthook(log_path: Path, interactive: bool) -> None:
    """Unhandled exceptions go to the log; the user sees one short message, no traceback."""
    showing = []

    def hook(kind, value, tb):
        log.error("unhandled exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if not interactive or showing:
            sys.stderr.write(f"error: {value if isinstance(value, StudioError) else 'an unexpected error'} (see {log_path})\n")
            return
        from PySide6.QtWidgets import QMessageBox

        text = str(value) if isinstance(value, StudioError) else (
            f"Something went wrong ({kind.__name__}). Your work is saved. The details are in {log_path}."
        )
        showing.append(True)
        try:
            QMessageBox.warning(None, "Conext Studio", text)
        finally:
            showing.clear()

    sys.excepthook = hook


def run(library: str | None = None, screenshot: str | None = None, workspace: str | None = None) -> int:
    """Open the studio window on a library. With screenshot, save the painted window as a PNG
    and return instead of waiting for the user. Returns the process exit code."""
    log_path = setup_logging()
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    app = _make_app()
    from studio.core.jobs import JobRunner

    if library is None and not os.environ.get("STUDIO_LIBRARY"):
        library = _last_library()
    try:
        opened = _open_library(library, ask=not screenshot)
    except StudioError as exc:
        log.warning("library not opened: %s", exc)
        _report_startup_error(str(exc), screenshot)
        return 2 if isinstance(exc, (LibraryNotWritable, BadInput)) else 1
    if opened is None:  # the user cancelled the team server's login
        return 1
    lib, offline = opened

    from studio.ui.background_publisher import publisher_of
    from studio.ui.bridge import install_loop
    from studio.ui.context import ChangeBus, StudioContext
    from studio.ui.shell.main_window import MainWindow
    from studio.ui.shell.theme import theme

    if not screenshot:
        QSettings().setValue(LAST_LIBRARY_KEY, lib.location)
    runner = JobRunner()
    previous_hook = sys.excepthook
    ctx = None
    try:
        theme()
        bus = ChangeBus(lib, runner)
        ctx = StudioContext(lib, runner, bus)
        if not screenshot:
            publisher_of(ctx).start()  # due posts go out whichever workspace shows
        load_workspaces()
        window = MainWindow(ctx, initial_workspace=workspace)
        _show_team_state(ctx, window, offline)
        _install_excepthook(log_path, interactive=not screenshot)
        loop = install_loop(app)
        loop.set_exception_handler(_on_async_error)
        with loop:
            if screenshot:
                return loop.run_until_complete(_take_screenshot(app, window, runner, Path(screenshot)))
            closed = asyncio.Event()
            app.aboutToQuit.connect(closed.set)
            window.show()
            loop.run_until_complete(closed.wait())
            return 0
    finally:
        sys.excepthook = previous_hook
        runner.shutdown()
        lib.close()
        asyncio.set_event_loop(None)
        if ctx is not None and ctx.next_library is not None:  # File ▸ Open Library…
            reopen_on(ctx.next_library)


def _open_library(library: str | None, *, ask: bool):
    """(library, why it is the offline copy or None). A team library whose server refuses the login
    asks for one (ask) and opens with it; None when the user cancels that. One whose server cannot
    be reached opens from this workstation's offline copy, read-only."""
    from studio.core.library import Library, open_offline_copy
    from studio.core.team import LibraryLoginFailed, LibraryUnreachable

    try:
        try:
            return Library.open(library), None
        except LibraryLoginFailed as refused:
            if not ask:
                raise
            from studio.ui.shell.team_login import TeamLoginDialog

            dialog = TeamLoginDialog(refused)
            if dialog.exec() != TeamLoginDialog.Accepted:  # before the event loop runs: nothing else to block
                return None
            return Library.open(library, secrets=dialog.store), None
    except LibraryUnreachable as unreachable:  # a team library: work from its offline copy
        if unreachable.offline_copy is None:
            raise
        return open_offline_copy(unreachable), str(unreachable)


def _last_library() -> str | None:
    """The library used last, while it is still there (else the default one). A team library's
    address is kept as it is: whether its server answers is for opening it to tell."""
    from studio.core.team import POINTER, is_server_url

    last = str(QSettings().value(LAST_LIBRARY_KEY) or "")
    if is_server_url(last) or (last and any((Path(last) / name).is_file() for name in ("library.db", POINTER))):
        return last
    return None


def _show_team_state(ctx, window, offline: str | None) -> None:
    """A team library says so in the title; its offline copy is refreshed in the background, or,
    when the server could not be reached, the window says it shows that copy, read-only."""
    lib = ctx.lib
    if lib.server is None:
        return
    if offline:  # the status bar says so too (main_window); the details go to the log
        log.warning("%s", offline)
        window.setWindowTitle(f"{window.windowTitle()} — offline copy, read-only")
        return
    from studio.core.team_copy import save_offline_copy

    window.setWindowTitle(f"{window.windowTitle()} — team library on {lib.server.host}")
    ctx.submit(save_offline_copy, lib, title="Saving the offline copy of the team library", lane="io")


def studio_command() -> list[str]:
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "studio"]


def reopen_on(folder: Path) -> subprocess.Popen:
    """A new studio process on another library, started once this one has let go of its own."""
    return subprocess.Popen([*studio_command(), "--library", str(folder)], start_new_session=True)


def _on_async_error(_loop, context: dict) -> None:
    """A coroutine's unhandled error takes the same road as any other: log + short message."""
    exc = context.get("exception")
    if exc is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    else:
        log.error("asyncio: %s", context.get("message"))


async def _take_screenshot(app, window, runner, out: Path) -> int:
    """Show the window, let it paint (and thumbnail jobs finish, briefly), save it, close it."""
    window.resize(*SCREENSHOT_SIZE)  # the same picture whatever the screen (offscreen is 800x600)
    window.show()
    window.raise_()
    deadline = time.monotonic() + 10
    while not (window.windowHandle() and window.windowHandle().isExposed()) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    for _ in range(3):  # a few paint cycles: layouts settle, lazy views load
        window.repaint()
        await asyncio.sleep(0.05)
    deadline = time.monotonic() + SCREENSHOT_JOB_WAIT_S
    while any(not j.finished for j in list(runner.jobs.values())) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    # Views that render in the background (the creative viewer) flag it with a "rendering" property.
    while any(w.property("rendering") for w in window.findChildren(QWidget)) and time.monotonic() < deadline + 5:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)
    out = out.expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out), "PNG"):
        sys.stderr.write(f"error: could not write the screenshot to {out}\n")
        return 1
    window._closing_confirmed = True  # nothing to ask: the screenshot is taken
    window.close()
    print(out)
    return 0
