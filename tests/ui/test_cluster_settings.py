"""Settings ▸ Preview & render ▸ Render cluster: the choice is remembered and decides the pool of
export and Kata batch jobs; Test connects as a job (the window stays free) and says what it found
on a real scheduler, or why it could not reach one."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import Qt

from studio.core import cluster
from studio.ui.shell.render_settings import render_pool
from studio.ui.shell.settings_dialog import RenderPage


@pytest.fixture(scope="module")
def scheduler():
    with cluster.connect("local", workers=1) as client:
        yield client.scheduler.address


def page(ctx, qtbot) -> RenderPage:
    widget = RenderPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_scheduler_is_tested_remembered_and_used(ctx, qtbot, scheduler):
    group = page(ctx, qtbot).cluster
    assert group.here_radio.isChecked() and not group.test_button.isEnabled()
    assert render_pool(ctx)() is ctx.runner.process_pool
    qtbot.mouseClick(group.scheduler_radio, Qt.LeftButton)
    qtbot.keyClicks(group.address, scheduler)
    assert group.test_button.isEnabled()
    qtbot.mouseClick(group.test_button, Qt.LeftButton)
    assert group.result.text() == f"Connecting to {scheduler}…" and not group.test_button.isEnabled()
    qtbot.waitUntil(lambda: group.result.text().startswith("Found"), timeout=15000)
    assert group.result.text() == f"Found 1 worker(s) with 1 thread(s) in all at {scheduler}."

    again = page(ctx, qtbot).cluster  # the next time Settings opens
    assert again.scheduler_radio.isChecked() and again.address.text() == scheduler
    assert render_pool(ctx)().scheduler.address == scheduler  # export and Kata batch jobs go there


def test_an_unreachable_scheduler_is_reported_in_the_group(ctx, qtbot, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)  # nobody answers: do not wait the usual 10 s
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    group = page(ctx, qtbot).cluster
    group.scheduler_radio.setChecked(True)
    group.address.setText(address)
    job = group.test()
    qtbot.waitUntil(lambda: job.finished and group.result.text() != f"Connecting to {address}…", timeout=15000)
    assert group.result.text().startswith(f"Cannot reach the Dask scheduler at {address}")
    assert group.test_button.isEnabled()  # try again after fixing it
