"""Fixtures for the Creative workspace tests: real media (tests/media.py, wave), imported by
the real importer into a real library, and the CreativeView on the conftest's ctx."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QThreadPool
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.queries import list_assets
from studio.ui.context import ASSET_IDS_MIME
from tests import media

WAIT_MS = 30_000


def make_wav(path: Path, seconds: float = 2.0, rate: int = 8000) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    envelope = np.linspace(0.1, 1.0, t.size)  # gets louder: the waveform has a shape
    samples = (np.sin(2 * np.pi * 440 * t) * envelope * 12000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


@pytest.fixture
def assets(ctx, tmp_path) -> dict:
    """name -> AssetInfo: a 2 s video (with sound), a still, a 2 s wav."""
    folder = tmp_path / "shoot"
    files = [
        media.mp4(folder / "spot.mp4", size=(64, 48), seconds=2.0, fps=25),
        media.jpeg(folder / "still.jpg", size=(160, 120)),
        make_wav(folder / "jingle.wav"),
    ]
    report = importer.run(importer.ImportParams(str(ctx.lib.root), [str(f) for f in files]), JobState(), lib=ctx.lib)
    assert not report.skipped, report.skipped
    return {a.name.rsplit(".", 1)[0]: a for a in list_assets(ctx.lib)}


@pytest.fixture
def creative(qtbot, ctx):
    from studio.ui.workspaces.creative.view import CreativeView

    view = CreativeView(ctx)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.viewer.shutdown()
    view.timeline.waveforms.wait_idle()
    view.thumbnails.wait_idle()
    QThreadPool.globalInstance().waitForDone()


def new_comp(view) -> int:
    comp_id = view.new_composition(1080, 1920, "9:16")
    assert comp_id is not None
    return comp_id


def track_of(view, kind: str, n: int = 0):
    return [t for t in view.controller.composition.tracks if t.kind == kind][n]


def clip_by_id(view, clip_id):
    return view.controller.composition.find_clip(clip_id)[1]


def row_y(view, track_id) -> int:
    tl = view.timeline
    i = tl.row_of_track(track_id)
    return round(tl.row_rect(tl._rows[i]).center().y())


def drag_and_drop(target, mime: QMimeData, pos: QPoint) -> None:
    """What a drag delivers to a widget: enter, move, drop; each must be accepted."""
    for cls in (QDragEnterEvent, QDragMoveEvent):  # these take a QPoint in every PySide6 version
        event = cls(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(target, event)
        assert event.isAccepted()
    drop = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()


def drop_assets(view, asset_ids, pos: QPoint) -> None:
    """What a drag from the bin (or the media grid) delivers."""
    mime = QMimeData()
    mime.setData(ASSET_IDS_MIME, json.dumps(list(asset_ids)).encode())
    drag_and_drop(view.timeline.viewport(), mime, pos)


def undo_and_wait(qtbot, view, ctx, condition) -> None:
    result = ctx.lib.undo.undo()
    assert result is not None  # the stack notifies the library's listeners: bus.changed follows
    qtbot.waitUntil(condition, timeout=WAIT_MS)
