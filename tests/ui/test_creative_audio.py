"""Sound in the viewer: the feed writes the composition's mix from the playhead into a real
QIODevice (a QBuffer here, a QAudioSink's device in the studio), wrapping at the loop marks;
without an audio device playback runs silently on its timer; with one (a private PulseAudio
null sink, when pulseaudio is installed) the picture follows the sink's clock."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QBuffer, QIODevice

from studio.core.ops.compositions import create_composition
from studio.core.render.audio import RATE, mix_range, sample_at
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, MediaClip, Track
from studio.ui.workspaces.creative.audio_player import TAIL, AudioFeed
from tests.media import tone, wav
from tests.ui.creative_fixtures import WAIT_MS, creative  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]


def tone_comp(tmp_path, start_frame: int = 45, duration: int = 90) -> Composition:
    """A 0.5 s tone from start_frame on a 30 fps timeline."""
    src = wav(tmp_path / "tone.wav", tone(0.5, amp=0.5))
    return Composition(name="Beep", width=160, height=284, duration=duration,
                       tracks=[Track(kind="audio", clips=[MediaClip(path=str(src), start=start_frame, duration=15)])])


def feed_into_buffer(qtbot, lib, comp, frame, lo, hi, loop, space, sample_format="float", until_bytes=None):
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    feed = AudioFeed(lib)
    feed.start(comp, frame, lo, hi, loop, buffer, space, sample_format)
    done = (lambda: feed.written >= until_bytes) if until_bytes else (lambda: feed.finished)
    qtbot.waitUntil(lambda: feed.pump() >= 0 and done(), timeout=WAIT_MS)
    feed.stop()
    return feed, bytes(buffer.data())


def as_samples(data: bytes, sample_format="float") -> np.ndarray:
    if sample_format == "int16":
        return (np.frombuffer(data, "<i2").astype(np.float32) / 32767).reshape(-1, 2).T
    return np.frombuffer(data, "<f4").reshape(-1, 2).T


def test_the_feed_writes_the_mix_from_the_playhead_and_stops_after_the_end(qtbot, lib, tmp_path):
    comp = tone_comp(tmp_path)
    feed, data = feed_into_buffer(qtbot, lib, comp, 30, 0, comp.duration - 1, False, lambda: 1 << 20)
    out = as_samples(data)
    # from frame 30 (1 s) to the end (3 s), then a short silence so the clock passes the last frame
    assert out.shape == (2, 2 * RATE + TAIL) and feed.written == len(data)
    onset = int(np.flatnonzero(np.abs(out[0]) > 1e-3)[0])
    assert abs(onset - RATE // 2) <= 2  # the tone at 1.5 s sounds 0.5 s after the playhead
    expected = mix_range(comp, MediaResolver(lib), sample_at(comp, 30))
    np.testing.assert_allclose(out[:, :2 * RATE], expected, atol=1e-6)
    assert not out[:, 2 * RATE:].any()


def test_the_feed_writes_only_what_fits_in_whole_samples(qtbot, lib, tmp_path):
    comp = tone_comp(tmp_path)
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    feed = AudioFeed(lib)
    feed.start(comp, 0, 0, comp.duration - 1, False, buffer, lambda: 1001)
    qtbot.waitUntil(lambda: feed.pump() > 0, timeout=WAIT_MS)
    assert feed.written == 1000  # 125 stereo float samples: never half of one
    feed.pump()
    assert feed.written == 2000
    feed.stop()
    assert feed.pump() == 0  # stopped: nothing more


def test_looping_the_feed_wraps_to_the_in_mark(qtbot, lib, tmp_path):
    comp = tone_comp(tmp_path, start_frame=40)
    lo, hi = 30, 59  # the loop: frames 30–59 (1 s); playing from frame 45
    _feed, data = feed_into_buffer(qtbot, lib, comp, 45, lo, hi, True, lambda: 1 << 20, until_bytes=8 * 3 * RATE)
    out = as_samples(data)[:, :int(2.5 * RATE)]
    resolver = MediaResolver(lib)
    first = sample_at(comp, 60) - sample_at(comp, 45)
    loop = mix_range(comp, resolver, sample_at(comp, lo), sample_at(comp, hi + 1) - sample_at(comp, lo))
    np.testing.assert_allclose(out[:, :first], mix_range(comp, resolver, sample_at(comp, 45), first), atol=1e-6)
    np.testing.assert_allclose(out[:, first:first + RATE], loop, atol=1e-6)
    np.testing.assert_allclose(out[:, first + RATE:], loop[:, :out.shape[1] - first - RATE], atol=1e-6)


def test_int16_output_carries_the_same_sound(qtbot, lib, tmp_path):
    comp = tone_comp(tmp_path)
    _feed, data = feed_into_buffer(qtbot, lib, comp, 30, 0, comp.duration - 1, False, lambda: 1 << 20, "int16")
    out = as_samples(data, "int16")
    assert out.shape == (2, 2 * RATE + TAIL)
    expected = mix_range(comp, MediaResolver(lib), sample_at(comp, 30))
    np.testing.assert_allclose(out[:, :2 * RATE], expected, atol=1 / 32767 + 1e-6)


def test_a_sound_file_that_cannot_be_decoded_is_reported_not_raised(qtbot, lib, tmp_path):
    junk = tmp_path / "broken.wav"
    junk.write_bytes(b"RIFF....WAVEfmt nonsense")
    comp = Composition(name="Broken", width=160, height=284, duration=60,
                       tracks=[Track(kind="audio", clips=[MediaClip(path=str(junk), start=0, duration=60)])])
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    feed = AudioFeed(lib)
    with qtbot.waitSignal(feed.failed, timeout=WAIT_MS) as failed:
        feed.start(comp, 0, 0, 59, False, buffer, lambda: 1 << 20)
    assert failed.args[0].startswith("The sound could not be played: ")
    assert feed.pump() == 0 and not feed.finished


def test_without_an_audio_device_playback_is_silent_on_its_timer_and_says_so_once(qtbot, creative, ctx, tmp_path, caplog):
    from PySide6.QtMultimedia import QMediaDevices

    if QMediaDevices.audioOutputs():
        pytest.skip("this machine has an audio device (the subprocess test below covers that case)")
    creative.controller.load(create_composition(ctx.lib, tone_comp(tmp_path)).value)
    pb = creative.viewer.playback
    now = [50.0]
    pb.clock = lambda: now[0]
    with caplog.at_level(logging.INFO, logger="studio.ui.workspaces.creative.audio_player"):
        pb.play()
        assert pb.playing and pb.sound and not pb.audio_clock
        now[0] += 1.0
        pb._tick()
        assert creative.controller.playhead == 30  # the timer clock drives the picture
        pb.stop()
        pb.play()
        pb.stop()
    silent = [r for r in caplog.records if "Preview playback is silent" in r.getMessage()]
    assert len(silent) == 1 and "no audio output device" in silent[0].getMessage()


def test_the_sound_switch_is_remembered(qtbot, creative):
    from PySide6.QtCore import QSettings

    viewer = creative.viewer
    assert viewer.sound_button.isChecked() and viewer.playback.sound
    viewer.sound_button.click()
    assert not viewer.playback.sound and QSettings().value("viewer/sound", type=bool) is False


# ---- with a real audio device -------------------------------------------------------------
DEVICE_SCRIPT = textwrap.dedent('''
    import json, math, sys, time
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from studio.core.jobs import JobRunner
    from studio.core.library import Library
    from studio.core.ops.compositions import create_composition
    from studio.ui.context import ChangeBus, StudioContext
    from studio.ui.workspaces.creative.view import CreativeView
    from tests.ui.test_creative_audio import tone_comp

    app = QApplication([])
    tmp = Path(sys.argv[1])
    lib, runner = Library.open(tmp / "lib"), JobRunner(io_threads=1, cpu_processes=1)
    ctx = StudioContext(lib, runner, ChangeBus(lib, runner))
    view = CreativeView(ctx)
    view.controller.load(create_composition(lib, tone_comp(tmp, duration=300)).value)
    pb, audio, c = view.viewer.playback, view.viewer.audio, view.controller

    def wait(condition, seconds=20):
        end = time.monotonic() + seconds
        while not condition() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.005)
        return condition()

    out = {}
    pb.play()
    out["audio_clock"] = pb.audio_clock
    out["sound_started"] = wait(lambda: audio.elapsed() > 1.0)
    elapsed = audio.elapsed()
    pb._tick()
    out["frame_vs_sound"] = c.playhead - math.floor(elapsed * 30)  # the picture follows the sink
    out["written_s"] = audio.feed.written / 8 / 48000
    pb.shuttle(1)  # L while playing: 2x, silent, on the timer
    out["at_2x"] = [pb.rate, pb.audio_clock, audio.playing]
    pb.stop()
    print(json.dumps(out))
    view.viewer.shutdown()
    runner.shutdown()
    lib.close()
''')


@pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="needs pulseaudio to provide a null audio sink")
def test_with_an_audio_device_the_picture_follows_the_sound(tmp_path):
    socket = tmp_path / "pulse" / "native"
    socket.parent.mkdir()
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--log-target=stderr",
         "-L", "module-null-sink sink_name=preview", "-L", f"module-native-protocol-unix socket={socket} auth-anonymous=1"],
        stderr=subprocess.DEVNULL, env={**os.environ, "HOME": str(tmp_path)})
    try:
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.05)
        env = {**os.environ, "PULSE_SERVER": f"unix:{socket}", "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-c", DEVICE_SCRIPT, str(tmp_path)], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120, check=False)
    finally:
        daemon.terminate()
        daemon.wait(10)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["audio_clock"] and out["sound_started"]
    assert abs(out["frame_vs_sound"]) <= 1
    assert out["written_s"] >= 1.0
    assert out["at_2x"] == [2, False, False]
