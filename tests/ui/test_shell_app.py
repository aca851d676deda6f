"""studio.app.run end to end, in a fresh process (it owns the QApplication and the loop)."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from studio.core.library import Library


def run_app(user_dirs, *args: str) -> subprocess.CompletedProcess:
    kwargs = ", ".join(args)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    code = f"from studio.app import run; raise SystemExit(run({kwargs}))"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=180)


def test_screenshot_mode_writes_a_png(tmp_path, user_dirs):
    out = tmp_path / "shot.png"
    done = run_app(user_dirs, f"library={str(tmp_path / 'lib')!r}", f"screenshot={str(out)!r}")
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
    image = QImage(str(out))
    assert not image.isNull() and image.width() > 400 and image.height() > 300
    assert "Traceback" not in done.stderr
    assert list((user_dirs / "state").rglob("studio.log"))  # the log went to the user's log folder


def test_a_library_that_is_a_file_is_refused_with_a_message(tmp_path, user_dirs):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    done = run_app(user_dirs, f"library={str(not_a_folder)!r}", f"screenshot={str(tmp_path / 'x.png')!r}")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "is a file, not a folder" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_a_library_open_elsewhere_is_refused_with_a_message(tmp_path, user_dirs):
    with Library.open(tmp_path / "lib"):
        done = run_app(user_dirs, f"library={str(tmp_path / 'lib')!r}", f"screenshot={str(tmp_path / 'x.png')!r}")
    assert done.returncode == 1
    assert "already open in another Conext Studio" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_studio_collects_garbage_on_the_gui_thread_only(qtbot, qapp):
    import gc
    import threading

    from studio.app import _make_app
    from studio.ui.main_thread_gc import MainThreadCollector

    assert isinstance(_make_app().collector, MainThreadCollector)
    gc.enable()  # as in a fresh process, before the studio's collector is made
    collector = MainThreadCollector(qapp)
    assert not gc.isenabled()
    seen = []
    gc.callbacks.append(lambda phase, _info: seen.append(threading.current_thread()) if phase == "start" else None)
    try:
        def cycles():
            for _ in range(100_000):  # cyclic garbage, made on a job thread
                node = []
                node.append(node)
        worker = threading.Thread(target=cycles)
        worker.start()
        worker.join()
        assert seen == []  # the job thread did not collect
        qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
        assert set(seen) == {threading.main_thread()}
    finally:
        gc.callbacks.pop()
        collector.timer.stop()
