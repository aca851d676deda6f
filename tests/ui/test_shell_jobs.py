"""The jobs panel, the status-bar indicator, failed-job notifications, and a GUI thread
that keeps going while a long job runs."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton

from studio.core.errors import BadInput


def wait_for_cancel(params, state):
    """Half done, then waits (checking Cancel) until cancelled."""
    state.set_status("Encoding frame 50 of 100")
    state.set_progress(50, 100)
    while not state.cancelled:
        time.sleep(0.01)
    state.check()


def test_jobs_panel_shows_progress_and_cancel_cancels(qtbot, window, ctx):
    window.jobs_action.trigger()
    assert window.jobs_dock.isVisible()
    assert window.jobs_panel.stack.currentIndex() == 0  # "No jobs" empty state

    job = ctx.submit(wait_for_cancel, title="Render summer cut", lane="io")
    qtbot.waitUntil(lambda: job.id in window.jobs_panel.rows and window.jobs_panel.rows[job.id].bar.value() == 500)
    row = window.jobs_panel.rows[job.id]
    assert row.title.text() == "Render summer cut"
    assert row.status.text() == "Encoding frame 50 of 100"
    assert row.cancel_button.isVisible()

    qtbot.mouseClick(row.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: job.status == "cancelled")
    qtbot.waitUntil(lambda: row.status.text() == "Cancelled")
    assert not row.cancel_button.isVisible()

    window.jobs_panel.clear_finished()
    assert job.id not in window.jobs_panel.rows


def test_status_bar_cancel_cancels_the_running_job(qtbot, window, ctx):
    status = window.status_jobs
    assert not status.cancel_button.isVisible()
    job = ctx.submit(wait_for_cancel, title="Export package", lane="io")
    qtbot.waitUntil(lambda: status.cancel_button.isVisible() and status.bar.value() == 500)
    assert "Export package" in status.label.text()
    qtbot.mouseClick(status.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: job.status == "cancelled")
    qtbot.waitUntil(lambda: not status.cancel_button.isVisible())


def test_failed_jobs_reach_the_notifications_without_a_traceback(qtbot, window, ctx):
    def bad_file(params, state):
        raise BadInput("The file intro.mov could not be read: it is not a video.")

    def crash(params, state):
        return {}["missing"]

    ctx.submit(bad_file, title="Import intro.mov")
    ctx.submit(crash, title="Analyse shots")
    qtbot.waitUntil(lambda: len(window.toasts.toasts) == 2)
    texts = sorted(t.label.text() for t in window.toasts.toasts)
    assert texts[0] == "Analyse shots failed. Something went wrong (KeyError). The details are in the log file."
    assert texts[1] == "Import intro.mov failed. The file intro.mov could not be read: it is not a video."
    assert all(t.level == "error" and t.isVisible() for t in window.toasts.toasts)
    assert not any("Traceback" in t or "File \"" in t for t in texts)

    toast = window.toasts.toasts[0]
    qtbot.mouseClick(toast.findChild(type(window.status_jobs.details)), Qt.LeftButton)
    qtbot.waitUntil(lambda: len(window.toasts.toasts) == 1)


def test_notify_shows_a_non_modal_toast(qtbot, window, ctx):
    ctx.notify("Exported 12 files to Desktop/Summer")
    qtbot.waitUntil(lambda: len(window.toasts.toasts) == 1)
    assert window.toasts.toasts[0].level == "info"
    assert window.isEnabled() and window.toasts.toasts[0].isVisible()


def busy_for_five_seconds(params, state):
    """CPU-ish pure Python work for 5 s, reporting progress."""
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < 5.0:
        sum(i * i for i in range(2000))
        state.set_progress(min(elapsed / 5.0, 1.0))
        state.check()


def test_gui_keeps_processing_events_while_a_long_job_runs(qtbot, window, ctx):
    ticks, clicks = [], []
    timer = QTimer(interval=10, timeout=lambda: ticks.append(job.status))
    button = QPushButton("Still here?", clicked=lambda: clicks.append(job.status))
    qtbot.addWidget(button)
    button.show()

    job = ctx.submit(busy_for_five_seconds, title="Analyse 5 seconds", lane="io")
    timer.start()
    qtbot.waitUntil(lambda: job.status == "running")
    qtbot.waitUntil(lambda: ticks.count("running") >= 20, timeout=4000)
    qtbot.mouseClick(button, Qt.LeftButton)
    assert clicks == ["running"]  # handled while the job was still running
    qtbot.waitUntil(lambda: job.finished, timeout=20000)
    timer.stop()
    assert job.status == "done"
    assert ticks.count("running") >= 20


def test_a_finished_job_does_not_call_back_into_a_deleted_widget(qtbot, ctx):
    """A dialog closed while its job ran (or right after it was queued) is not called back."""
    import shiboken6
    from PySide6.QtWidgets import QLabel

    from studio.ui.bridge import when_finished

    calls = []
    for already_finished in (True, False):
        label = QLabel()
        job = ctx.submit(lambda p, s: None, title="Quick", lane="io")
        if already_finished:
            qtbot.waitUntil(lambda: job.finished)
        when_finished(ctx.bus, job, lambda j, label=label: (calls.append(j), label.setText("done")), owner=label)
        shiboken6.delete(label)
        qtbot.waitUntil(lambda: job.finished)
        qtbot.wait(50)
    kept = QLabel()
    job = ctx.submit(lambda p, s: None, title="Quick", lane="io")
    when_finished(ctx.bus, job, lambda j: (calls.append(j), kept.setText("done")), owner=kept)
    qtbot.waitUntil(lambda: kept.text() == "done")
    assert calls == [job]
