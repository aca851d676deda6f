"""How much does a long job disturb the GUI thread?

Opens the main window offscreen, ticks a 1 ms QTimer and records the gaps between ticks:
first idle (the baseline), then while a 5-second CPU-ish job runs on the "io" thread lane,
then while one runs on the "cpu" process lane. Prints max gap and p99 and their ratio to
the idle baseline. Not run by CI:  python benchmarks/event_loop_gap.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("STUDIO_KEYRING", "file")

JOB_SECONDS = 5.0


def busy(params, state):
    """Pure-Python arithmetic for `params` seconds (holds the GIL between switches)."""
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < params:
        sum(i * i for i in range(5000))
        state.set_progress(min(elapsed / params, 1.0))
        state.check()
    return elapsed


def measure(app, seconds: float, job=None) -> list[float]:
    from PySide6.QtCore import QElapsedTimer, QTimer

    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def tick():
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    timer = QTimer(interval=1, timeout=tick)
    timer.setTimerType(timer.timerType().PreciseTimer)
    timer.start()
    deadline = time.monotonic() + seconds
    while (job is None and time.monotonic() < deadline) or (job is not None and not job.finished):
        app.processEvents()
        time.sleep(0.0005)  # like an idle event loop: wait, then dispatch
    timer.stop()
    return gaps[1:]


def summary(gaps: list[float]) -> tuple[float, float]:
    return max(gaps), statistics.quantiles(gaps, n=100)[98]


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from studio.core.jobs import JobRunner
    from studio.core.library import Library
    from studio.ui.context import ChangeBus, StudioContext
    from studio.ui.shell.main_window import MainWindow

    from studio.app import GUI_SWITCH_INTERVAL_S

    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)  # as the studio sets it
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp, Library.open(os.path.join(tmp, "lib")) as lib:
        QSettings.setDefaultFormat(QSettings.IniFormat)  # the window's remembered state stays in tmp
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)
        runner = JobRunner()
        ctx = StudioContext(lib, runner, ChangeBus(lib, runner))
        window = MainWindow(ctx)
        window.show()
        app.processEvents()
        rows = [("idle", summary(measure(app, 2.0)))]
        for lane in ("io", "cpu"):
            job = ctx.submit(busy, JOB_SECONDS, title=f"busy {lane}", lane=lane)
            rows.append((f"{lane} lane job", summary(measure(app, 0, job))))
            assert job.status == "done", job.error
        window.close()
        runner.shutdown()
    base_max, base_p99 = rows[0][1]
    print(f"{'':16} {'max gap ms':>10} {'p99 ms':>8} {'max/idle':>9} {'p99/idle':>9}")
    for name, (mx, p99) in rows:
        print(f"{name:16} {mx:10.2f} {p99:8.2f} {mx / base_max:9.2f} {p99 / base_p99:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
