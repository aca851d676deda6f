"""Fixtures for the media library tests: a real library, real media files made here
(Pillow, PyAV, wave), and the view wired to a real job runner and change bus."""

from __future__ import annotations

import os
import wave
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import av
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QThreadPool

from studio.core.assets import importer
from studio.core.jobs import JobRunner, JobState
from studio.core.library import Library
from studio.ui.context import ChangeBus, StudioContext

WAIT_MS = 60_000  # generous: worker processes start slowly on a busy machine


def make_jpeg(path: Path, size: tuple[int, int], seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    w, h = size
    gradient = np.linspace(0, 255, w, dtype=np.float32)[None, :, None]
    pixels = np.clip(gradient + rng.normal(0, 30, (h, w, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, "JPEG", quality=90)
    return path


def make_cutout_png(path: Path, side: int = 50) -> Path:
    img = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    img.paste((220, 40, 40, 255), (10, 10, side - 10, side - 10))
    img.save(path)
    return path


def make_mp4(path: Path, size=(64, 48), seconds: float = 1.0, fps: int = 24) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.time_base = Fraction(1, fps)
        for i in range(int(seconds * fps)):
            pixels = np.full((size[1], size[0], 3), (i * 10) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def make_wav(path: Path, seconds: float = 2.0, rate: int = 8000) -> Path:
    samples = (np.sin(np.linspace(0, 440 * 2 * np.pi * seconds, int(rate * seconds))) * 12000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(samples, 2).tobytes())
    return path


def make_truncated_jpeg(path: Path) -> Path:
    good = make_jpeg(path.with_name("whole-" + path.name), (160, 120), seed=9).read_bytes()
    path.with_name("whole-" + path.name).unlink()
    path.write_bytes(good[: len(good) // 2])
    return path


@pytest.fixture
def media_files(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "shoot"
    folder.mkdir()
    return {
        "landscape": make_jpeg(folder / "beach landscape.jpg", (96, 64), seed=1),
        "portrait": make_jpeg(folder / "model portrait.jpg", (64, 96), seed=2),
        "cutout": make_cutout_png(folder / "bottle cutout.png"),
        "video": make_mp4(folder / "spot.mp4"),
        "audio": make_wav(folder / "jingle.wav"),
    }


@pytest.fixture
def ctx(tmp_path):
    lib = Library.open(tmp_path / "lib")
    runner = JobRunner(io_threads=2, cpu_processes=1)
    context = StudioContext(lib, runner, ChangeBus(lib, runner))
    yield context
    QThreadPool.globalInstance().waitForDone()  # grid queries still in flight
    runner.shutdown()
    lib.close()


def import_now(ctx, paths) -> importer.ImportReport:
    """The real importer, in this process (no worker pool): for tests that need assets in place."""
    return importer.run(importer.ImportParams(str(ctx.lib.root), [str(p) for p in paths]), JobState(), lib=ctx.lib)


def open_view(qtbot, ctx):
    from studio.ui.workspaces.media.view import MediaLibraryView

    view = MediaLibraryView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 760)
    with qtbot.waitSignal(view.model.loaded, timeout=WAIT_MS):
        view.show()
    return view


def reload(qtbot, view, action=None):
    """Do action (or nothing) and wait until the grid has reloaded after it."""
    with qtbot.waitSignal(view.model.loaded, timeout=WAIT_MS):
        if action:
            action()
        else:
            view.apply_filter()


def names(view) -> list[str]:
    return sorted(view.model.asset(r).name for r in range(view.model.rowCount()))
