"""A video clip's frames for Kata: upright (phone rotation applied), indexed by presentation time,
read in order (tracking, rendering) or one at a time (preview, the anchor frame).

Frame i is the i-th frame in presentation order and `times[i]` when it shows, in seconds from
the clip's start. A variable-frame-rate clip has uneven times. At clip time t the latest frame
at or before t shows (`index_at`): the rule VideoSource follows on the timeline, so the track and
the timeline always agree on which frame is on screen.
"""

from __future__ import annotations

import bisect
import queue
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from studio.core.errors import BadInput
from studio.core.render.cache import FrameCache
from studio.core.render.sources import (
    EPS,
    SourceError,
    VideoSource,
    open_video,
    upright,
)

MIN_SECONDS = 1.0
CACHE_BYTES = 96 << 20  # decoded frames kept for scrubbing back and forth
PREFETCH = 4  # frames decoded ahead of the reader
_END = object()  # the last frame was read
USUAL_RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(50),
               Fraction(60000, 1001), Fraction(60)]


class VideoFrames:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.times, self.size, self.rotation = _probe(self.path)
        if len(self.times) < 2:
            raise BadInput(f"{self.path.name} has a single frame: it is a picture, not a video clip; "
                           "use `studio kata place` (or the Kata workspace) for a still.")
        if self.duration < MIN_SECONDS - 1e-3:
            raise BadInput(f"{self.path.name} lasts {self.duration:.2f} s; tracking needs a clip of at least 1 s. "
                           "Use a longer clip, or place the product on a still frame with `studio kata place`.")
        self._source: VideoSource | None = None  # opened on the first random access
        self._lock = threading.Lock()  # one decoder: one caller at a time
        self._cache = FrameCache(CACHE_BYTES)

    def __len__(self) -> int:
        return len(self.times)

    @property
    def duration(self) -> float:
        """Seconds from the first frame to the end of the last (which lasts as long as a typical frame)."""
        return float(self.times[-1] - self.times[0] + self.step)

    @property
    def step(self) -> float:
        return float(np.median(np.diff(self.times)))

    @property
    def rate(self) -> Fraction:
        """The frame rate to render the clip at: its average, snapped to the usual rate it is near."""
        average = len(self) / self.duration
        usual = min(USUAL_RATES, key=lambda r: abs(float(r) - average))
        return usual if abs(float(usual) / average - 1) < 0.03 else Fraction(max(1, round(average)))

    def index_at(self, t: float) -> int:
        """The frame that shows at clip time t (the first before the start, the last past the end)."""
        return min(max(bisect.bisect_right(self.times, t + EPS) - 1, 0), len(self) - 1)

    def check_index(self, i: int, what: str = "Frame") -> int:
        if not 0 <= i < len(self):
            raise BadInput(f"{what} {i} is outside {self.path.name}, which has frames 0–{len(self) - 1} "
                           f"({self.duration:.2f} s); choose one of those.")
        return i

    def frame(self, i: int) -> np.ndarray:
        """Frame i as upright (h, w, 3) RGB uint8, by seeking when it is not next (cached)."""
        self.check_index(i)
        with self._lock:
            pixels = self._cache.get(i)
            if pixels is None:
                if self._source is None:
                    self._source = VideoSource(self.path)
                pixels = np.ascontiguousarray(self._source.frame(float(self.times[i]), self.size)[..., :3])
                self._cache.put(i, pixels)
        return pixels

    def frames(self) -> Iterator[np.ndarray]:
        """Every frame in order, upright RGB, decoded once from the start (for tracking and rendering).
        A helper thread decodes a few frames ahead (PyAV lets go of the GIL while it decodes and
        converts), so decoding overlaps the work done on the frames."""
        ahead: queue.Queue = queue.Queue(maxsize=PREFETCH)
        stop = threading.Event()

        def put(item) -> bool:
            while not stop.is_set():
                try:
                    ahead.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def produce() -> None:
            decoded = self._decoded()
            try:
                for rgb in decoded:
                    if not put(rgb):
                        return
                put(_END)
            except BaseException as exc:  # noqa: BLE001 - handed to the reader, who raises it
                put(exc)
            finally:
                decoded.close()

        thread = threading.Thread(target=produce, name=f"decode {self.path.name}", daemon=True)
        thread.start()
        try:
            while True:
                item = ahead.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            thread.join()

    def _decoded(self) -> Iterator[np.ndarray]:
        with open_video(self.path) as (container, stream, rotation, _alpha):
            count = 0
            try:
                for decoded in container.decode(stream):
                    if count == len(self):
                        break
                    pixels = decoded.to_ndarray(format="rgba", threads=1)[..., :3]  # as VideoSource converts
                    yield np.ascontiguousarray(upright(pixels, rotation))
                    count += 1
            except av.FFmpegError as exc:  # a damaged stretch of the file
                raise SourceError(f"{self.path.name} cannot be decoded after frame {count} ({exc}); "
                                  "re-export the clip and try again.") from None
        if count < len(self):
            raise SourceError(f"{self.path.name} ends after {count} of its {len(self)} frames; re-export the clip and try again.")

    def close(self) -> None:
        with self._lock:
            if self._source is not None:
                self._source.close()
                self._source = None
            self._cache.clear()


def _probe(path: Path) -> tuple[np.ndarray, tuple[int, int], int]:
    """(frame times in presentation order, upright (w, h), rotation), from the packets' timestamps
    (no decoding) when the file has them, else by decoding."""
    with open_video(path) as (container, stream, rotation, _alpha):
        tb, start = float(stream.time_base), stream.start_time or 0
        ctx = stream.codec_context
        size = (ctx.height, ctx.width) if rotation % 180 else (ctx.width, ctx.height)
        stamps = [p.pts for p in container.demux(stream) if p.size]
        if not stamps or None in stamps:
            container.seek(start, stream=stream)
            stamps = [f.pts if f.pts is not None else f.dts for f in container.decode(stream)]
        times = (np.array(sorted(s for s in stamps if s is not None and s >= start), np.float64) - start) * tb
    return times, size, rotation
