"""Reading source pixels: video frames exact to the frame, and still images.

A VideoSource keeps one decoder open per file. Asked for a time, it returns the frame
whose timestamp is the latest at or before it. Sequential requests decode forward
without seeking; a jump seeks to the keyframe before the wanted time (from the file's
index) and decodes forward from there. Past the end, the last frame is held.
Frames are scaled by swscale straight to the size asked for, area-filtered, on one thread
(its sliced multi-threaded scaling leaves stray pixel runs at slice edges).
"""

from __future__ import annotations

import bisect
import contextlib
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageOps

from studio.core.errors import BadInput
from studio.core.render.layers import premultiply

EPS = 1e-4  # seconds; absorbs rounding in timeline → source time
FORWARD_S = 2.0  # without a keyframe index, decode forward up to this far rather than seek
JUMP_S = 0.5  # with one, seek when a keyframe lets us skip decoding at least this much


class SourceError(BadInput):
    """A file that cannot be opened or decoded; the message says which and why."""


def upright(pixels: np.ndarray, rotation: int) -> np.ndarray:
    """Apply a display-matrix rotation (degrees counterclockwise)."""
    turns = round(rotation / 90) % 4
    return np.ascontiguousarray(np.rot90(pixels, turns)) if turns else pixels


@contextlib.contextmanager
def open_video(path: Path):
    """Yields (container, video stream, rotation, has_alpha); SourceError if it is not a video."""
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise SourceError(f"{path.name} cannot be opened ({exc.strerror or exc})") from None
    try:
        if not container.streams.video:
            raise SourceError(f"{path.name} has no video")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        try:
            first = next(container.decode(stream), None)
        except av.FFmpegError as exc:
            raise SourceError(f"{path.name} cannot be decoded ({exc.strerror or exc})") from None
        if first is None:
            raise SourceError(f"{path.name} has no decodable frames")
        alpha = any(c.is_alpha for c in first.format.components)
        container.seek(stream.start_time or 0, stream=stream)
        yield container, stream, first.rotation, alpha
    finally:
        container.close()


class VideoSource:
    def __init__(self, path: Path):
        self.path = path
        self._stack = contextlib.ExitStack()
        self._container, self._stream, self.rotation, self.alpha = self._stack.enter_context(open_video(path))
        ctx = self._stream.codec_context
        self.size = (ctx.height, ctx.width) if self.rotation % 180 else (ctx.width, ctx.height)  # upright (w, h)
        self._tb = float(self._stream.time_base)
        self._start = self._stream.start_time or 0
        self._keyframes = sorted((e.timestamp - self._start) * self._tb for e in self._stream.index_entries if e.is_keyframe)
        self._frames = None
        self._cur = self._next = None
        self._cur_t = self._next_t = 0.0
        self.seeks = 0  # how often finding a frame took a seek (sequential access takes none)
        self._pool: ThreadPoolExecutor | None = None
        self._ahead = None  # (time, size, future) of the frame decoding on the helper thread
        self._last_t: float | None = None

    def close(self) -> None:
        self._settle()
        if self._pool:
            self._pool.shutdown()
        self._stack.close()

    def frame(self, t: float, size: tuple[int, int]) -> np.ndarray:
        """Upright straight-alpha RGBA pixels at time t, scaled to size (w, h).

        While the caller composites this frame, the next one at the same step is decoded on a
        helper thread (PyAV lets go of the GIL while it decodes and scales): playback and
        rendering use both cores. The decoder is only ever used by one thread at a time."""
        guess = self._ahead
        if guess and abs(guess[0] - t) < EPS / 10 and guess[1] == size:
            self._ahead = None
            pixels = guess[2].result()
        else:
            self._settle()
            pixels = self._pixels(t, size)
        step, self._last_t = t - (self._last_t if self._last_t is not None else t), t
        if 0 < step <= JUMP_S:
            self._pool = self._pool or ThreadPoolExecutor(1, thread_name_prefix=f"decode {self.path.name}")
            self._ahead = (t + step, size, self._pool.submit(self._pixels, t + step, size))
        return pixels

    def _settle(self) -> None:
        """Let a guess that will not be used finish, so the decoder is free."""
        if self._ahead:
            with contextlib.suppress(SourceError):
                self._ahead[2].result()
            self._ahead = None

    def _pixels(self, t: float, size: tuple[int, int]) -> np.ndarray:
        try:
            found = self._frame_at(max(t, 0.0))
            w, h = (size[1], size[0]) if self.rotation % 180 else size
            # Area filtering for a smaller size; at the same size only the colours convert, and
            # swscale's bilinear path does that twice as fast with the same pixels.
            same = (w, h) == (found.width, found.height)
            pixels = found.to_ndarray(width=w, height=h, format="rgba", interpolation="BILINEAR" if same else "AREA", threads=1)
        except av.FFmpegError as exc:
            self._cur = None  # start afresh from a seek next time
            raise SourceError(f"{self.path.name} cannot be decoded at {t:.2f} s ({exc.strerror or exc})") from None
        return upright(pixels, self.rotation)

    # ---- finding the frame -------------------------------------------------------------
    def _frame_at(self, t: float):
        if self._cur is None or t < self._cur_t - EPS or self._should_seek(t):
            self._seek(t)
        while self._next is not None and self._next_t <= t + EPS:
            self._advance()
        return self._cur

    def _should_seek(self, t: float) -> bool:
        if self._next is None or t <= self._next_t + EPS:
            return False
        if self._keyframes:
            key = self._keyframes[max(bisect.bisect_right(self._keyframes, t + EPS) - 1, 0)]
            return key - self._cur_t > JUMP_S
        return t - self._cur_t > FORWARD_S

    def _seek(self, t: float) -> None:
        self.seeks += 1
        self._restart(self._start + int(t / self._tb))
        if self._cur is None or self._cur_t > t + EPS:  # landed past it (or past the end): from the top
            self._restart(self._start)
        if self._cur is None:
            raise SourceError(f"{self.path.name} has no decodable frames")

    def _restart(self, pts: int) -> None:
        self._container.seek(pts, stream=self._stream, backward=True)
        self._frames = self._container.decode(self._stream)
        self._next = None
        self._pull()
        self._advance()

    def _advance(self) -> None:
        self._cur, self._cur_t = self._next, self._next_t
        self._pull()

    def _pull(self) -> None:
        self._next = next(self._frames, None)
        if self._next is not None:
            pts = self._next.pts if self._next.pts is not None else self._next.dts
            self._next_t = (pts - self._start) * self._tb


def still_size(path: Path) -> tuple[int, int]:
    """An image's upright size, read from its header."""
    try:
        with Image.open(path) as img:
            w, h = img.size
            return (h, w) if _turned(img) else (w, h)
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise SourceError(f"{path.name} cannot be read as an image ({exc})") from None


def _turned(img: Image.Image) -> bool:
    return img.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientations that swap width and height


def load_still(path: Path, size: tuple[int, int]) -> np.ndarray:
    """An image upright (EXIF), as premultiplied RGBA scaled to size (w, h) with area filtering."""
    try:
        with Image.open(path) as img, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's palette-transparency notes
            img.draft("RGB", size[::-1] if _turned(img) else size)  # JPEG: decode at a reduced scale when enough
            rgba = np.asarray(ImageOps.exif_transpose(img).convert("RGBA"))
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise SourceError(f"{path.name} cannot be read as an image ({exc})") from None
    rgba = premultiply(rgba)
    if (rgba.shape[1], rgba.shape[0]) != size:
        rgba = cv2.resize(rgba, size, interpolation=cv2.INTER_AREA)
    return rgba
