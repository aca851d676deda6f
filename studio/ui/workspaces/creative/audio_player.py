"""The viewer's sound: the composition's mix (core's mix_range, so mute/solo, volume keyframes
and fades apply) from the playhead on, made a quarter second at a time on a worker thread a
second ahead of the sink, and pushed into a QAudioSink at 48 kHz stereo.

While sound plays, the sink's clock is the master: the picture shows the frame at the time the
sink has processed. With no QtMultimedia or no output device (CI, offscreen, a server) the
viewer plays silently on its own timer clock; that is logged once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QIODevice, QObject, QTimer, Signal

from studio.core.render.audio import RATE, mix_range, sample_at
from studio.core.render.media import MediaResolver

log = logging.getLogger(__name__)

CHUNK = RATE // 4  # samples mixed at a time
AHEAD = 4  # chunks ready ahead of the sink: a second of sound
TAIL = RATE // 5  # silence after the end, so the clock runs past the last frame and playback stops
SINK_BUFFER_S = 0.25


def pcm(samples: np.ndarray, sample_format: str) -> bytes:
    """(2, n) float samples as interleaved little-endian "float" (f32) or "int16" bytes."""
    interleaved = np.clip(samples.T, -1.0, 1.0)
    if sample_format == "int16":
        return (interleaved * 32767).astype("<i2").tobytes()
    return interleaved.astype("<f4").tobytes()


def segments(start: int, lo: int, end: int, loop: bool) -> Iterator[tuple[int | None, int]]:
    """(timeline sample, count) pieces from start to end; looping, from lo to end again and
    again; else a (None, count) piece of silence to finish."""
    at = start
    while True:
        if at < end:
            n = min(CHUNK, end - at)
            yield at, n
            at += n
        elif loop and lo < end:
            at = lo
        else:
            yield None, TAIL
            return


class AudioFeed(QObject):
    """Writes the composition's sound from a frame on to a QIODevice, as much as `space()` says
    fits each time `pump()` runs. Mixing happens on a thread of its own; `stop()` abandons it."""

    failed = Signal(str)

    def __init__(self, lib, parent=None):
        super().__init__(parent)
        self._lib = lib
        self._chunks: queue.Queue | None = None
        self._stop: threading.Event | None = None
        self._pending = b""
        self._target: QIODevice | None = None
        self._space: Callable[[], int] = lambda: 0
        self._frame_bytes = 8
        self.written = 0  # bytes written since start()
        self.finished = False  # everything up to the end (and its tail) is written

    def start(self, comp, frame: int, lo: int, hi: int, loop: bool, target: QIODevice, space: Callable[[], int],
              sample_format: str = "float") -> None:
        """Sound from frame to the end of frame hi; looping, from frame lo to hi after that."""
        self.stop()
        self._target, self._space = target, space
        self._frame_bytes = 4 if sample_format == "int16" else 8  # bytes per stereo sample
        self._pending, self.written, self.finished = b"", 0, False
        self._chunks, self._stop = queue.Queue(AHEAD), threading.Event()
        pieces = segments(sample_at(comp, frame), sample_at(comp, lo), sample_at(comp, hi + 1), loop)
        threading.Thread(target=self._produce, args=(comp, pieces, sample_format, self._chunks, self._stop),
                         name="preview-audio", daemon=True).start()

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self._chunks = self._stop = None
        self._pending = b""

    def _produce(self, comp, pieces, sample_format: str, chunks: queue.Queue, stop: threading.Event) -> None:
        def put(item) -> bool:
            """Wait for room in the queue; False once stopped."""
            while not stop.is_set():
                try:
                    chunks.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        resolver = MediaResolver(self._lib)
        try:
            for at, n in pieces:
                samples = mix_range(comp, resolver, at, n) if at is not None else np.zeros((2, n), np.float32)
                if not put(pcm(samples, sample_format)):
                    return
            put(None)  # the end
        except Exception as exc:  # an unreadable file must not take the viewer down: play on silently
            log.exception("preview audio failed")
            if not stop.is_set():
                try:
                    self.failed.emit(f"The sound could not be played: {exc}")
                except RuntimeError:  # the viewer went away meanwhile
                    pass

    def pump(self) -> int:
        """Write what fits; returns the number of bytes written."""
        if self._chunks is None:
            return 0
        free = self._space()
        free -= free % self._frame_bytes
        done = 0
        while free > 0:
            if not self._pending:
                try:
                    chunk = self._chunks.get_nowait()
                except queue.Empty:
                    break
                if chunk is None:
                    self.finished = True
                    break
                self._pending = chunk
            n = self._target.write(self._pending[:free])
            if n <= 0:
                break
            self._pending = self._pending[n:]
            free -= n
            done += n
        self.written += done
        return done


class AudioPlayer(QObject):
    """Plays the composition's sound from a frame through the default output device."""

    failed = Signal(str)

    def __init__(self, lib, parent=None):
        super().__init__(parent)
        self.feed = AudioFeed(lib, self)
        self.feed.failed.connect(self._on_failed)
        self.feed.failed.connect(self.failed)
        self._sink = None
        self._said_silent = False
        self._timer = QTimer(self, interval=10)
        self._timer.timeout.connect(self.feed.pump)

    @property
    def playing(self) -> bool:
        return self._sink is not None

    def _output(self):
        """(device, QAudioFormat, "float" | "int16"), or None when sound cannot be played here."""
        try:  # imported on first play: loading the multimedia backend takes a moment
            from PySide6.QtMultimedia import QAudioFormat, QMediaDevices
        except ImportError as exc:  # PySide6-Addons, or a library it needs (libpulse0), is missing
            self._silent(f"QtMultimedia cannot be loaded ({exc})")
            return None
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull():
            self._silent("there is no audio output device")
            return None
        fmt = QAudioFormat()
        fmt.setSampleRate(RATE)
        fmt.setChannelCount(2)
        fmt.setSampleFormat(QAudioFormat.Float)
        if device.isFormatSupported(fmt):
            return device, fmt, "float"
        fmt.setSampleFormat(QAudioFormat.Int16)
        return device, fmt, "int16"

    def _silent(self, why: str) -> None:
        if not self._said_silent:
            self._said_silent = True
            log.info("Preview playback is silent: %s", why)

    def start(self, comp, frame: int, lo: int, hi: int, loop: bool) -> bool:
        """Play from frame (see AudioFeed.start); False when there is no sound to be had here."""
        self.stop()
        output = self._output()
        if output is None:
            return False
        from PySide6.QtMultimedia import QAudioSink, QtAudio

        device, fmt, sample_format = output
        sink = QAudioSink(device, fmt, self)
        sink.setBufferSize(fmt.bytesForDuration(int(SINK_BUFFER_S * 1e6)))
        target = sink.start()
        if target is None or sink.error() != QtAudio.Error.NoError:
            self._silent(f"the audio output would not open ({sink.error().name})")
            sink.deleteLater()
            return False
        self._sink = sink
        self.feed.start(comp, frame, lo, hi, loop, target, sink.bytesFree, sample_format)
        self.feed.pump()
        self._timer.start()
        return True

    def elapsed(self) -> float:
        """Seconds of sound the sink has processed since start(): the playback clock."""
        return self._sink.processedUSecs() / 1e6 if self._sink is not None else 0.0

    def stop(self) -> None:
        self._timer.stop()
        self.feed.stop()
        if self._sink is not None:
            self._sink.stop()
            self._sink.deleteLater()
            self._sink = None

    def _on_failed(self, _message: str) -> None:
        self.stop()
