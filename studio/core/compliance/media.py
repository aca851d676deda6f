"""An image, video or sound file as the media checks see it.

A still is one upright RGB picture. A video is sampled: its first frame, one a second, and its
last (at most MAX_FRAMES, spread evenly over a long one). What the checks need beyond the
pictures is computed on first use and kept: the text read on them (OCR is the slow part, so a
frame that shows the same as the last one read is not read again), the sound, the file facts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from studio.core.assets.probe import is_image, open_image, probe_av
from studio.core.compliance.boxes import iou
from studio.core.compliance.ocr import TextLine, read_many
from studio.core.errors import BadInput
from studio.core.render.audio import RATE

SAMPLE_EVERY_S = 1.0
MAX_FRAMES = 32
# A frame is the same picture as the last one read when no 8×8 block of their 270×480 grey
# thumbnails differs by this much on average (of 255): coding noise stays under it, a changed
# digit in a price does not.
SAME_PICTURE = 8.0
SAME_LINE_IOU = 0.5  # the same text this much in the same place on a later frame is the same line


@dataclass(frozen=True)
class Frame:
    index: int | None  # the frame number in the video; None for a still
    time: float  # seconds
    pixels: np.ndarray  # (h, w, 3) uint8 RGB, upright


class Media:
    def __init__(self, path: Path, kind: str, frames: list[Frame], *, duration: float | None = None, has_audio: bool = False):
        self.path, self.kind, self.frames = path, kind, frames
        self.duration, self.has_audio = duration, has_audio
        self._memo: dict[str, object] = {}
        self._lock = threading.Lock()

    @property
    def kinds(self) -> frozenset[str]:
        """The rule fields that apply. A video's sound is checked even when it has none: a silent
        video is something the audio rules report."""
        return frozenset({"image": ("image",), "video": ("video", "audio"), "audio": ("audio",)}[self.kind])

    @property
    def size(self) -> tuple[int, int]:
        if not self.frames:
            return 0, 0
        h, w = self.frames[0].pixels.shape[:2]
        return w, h

    def memo(self, key: str, compute: Callable[[], object]):
        """compute() once per Media, whichever thread asks first."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def lines_by_frame(self) -> list[list[TextLine]]:
        """The text read on each sampled frame (a frame like the one before shares its lines)."""
        return self.memo("lines", self._read_frames)

    def text_lines(self) -> list[TextLine]:
        """Each distinct line once, on the first frame it appears on, in reading order per frame."""
        distinct: list[TextLine] = []
        for lines in self.lines_by_frame():
            for line in lines:
                if not any(seen.text == line.text and iou(seen.box, line.box) >= SAME_LINE_IOU for seen in distinct):
                    distinct.append(line)
        return distinct

    def audio(self) -> np.ndarray | None:
        """The whole sound as (2, n) float32 at 48 kHz; None when the file has no sound track."""
        return self.memo("audio", lambda: _decode_audio(self.path) if self.has_audio else None)

    def _read_frames(self) -> list[list[TextLine]]:
        read_as, last_thumb = [], None  # the frame whose reading each frame shares
        for i, frame in enumerate(self.frames):
            thumb = cv2.resize(cv2.cvtColor(frame.pixels, cv2.COLOR_RGB2GRAY), (270, 480), interpolation=cv2.INTER_AREA).astype(np.float32)
            if last_thumb is None or cv2.blur(np.abs(thumb - last_thumb), (8, 8)).max() >= SAME_PICTURE:
                last_thumb = thumb
                read_as.append(i)
            else:
                read_as.append(read_as[-1])
        distinct = sorted(set(read_as))
        read = dict(zip(distinct, read_many([(self.frames[i].pixels, self.frames[i].index) for i in distinct])))
        return [read[i] for i in read_as]


def load_media(path: Path, context=None) -> Media:
    """An image, video or sound file ready for the media checks; BadInput when it is none of those."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path} is not a file; check the path.")
    if path.stat().st_size == 0:
        raise BadInput(f"{path.name} is empty (0 bytes); render or export it again.")
    if is_image(path):
        media = Media(path, "image", [Frame(None, 0.0, _rgb(open_image(path)))])
    else:
        try:
            info = probe_av(path)
        except BadInput as exc:
            raise BadInput(f"{exc} Choose an image (JPG, PNG, WebP), a video (MP4, MOV) or a sound file to check.") from None
        if info.kind == "video":
            media = Media(path, "video", _sample_frames(path, info.duration), duration=info.duration, has_audio=bool(info.audio_codec))
        else:
            media = Media(path, "audio", [], duration=info.duration, has_audio=True)
    check_logo_box(media, context)
    return media


def check_logo_box(media: Media, context) -> None:
    """BadInput when the context's logo box (where the brand says its logo sits) is not inside the picture."""
    logo = getattr(context, "logo_box", None)
    if logo is not None and media.frames:
        w, h = media.size
        x0, y0, x1, y1 = logo
        if not (0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h):
            raise BadInput(f"The logo box {tuple(logo)} is not inside the {w}×{h} picture of {media.path.name}; "
                           "give it as x0, y0, x1, y1 in the picture's pixels.")


def _rgb(img: Image.Image) -> np.ndarray:
    """RGB pixels; transparent parts shown on white, as a feed shows a transparent PNG."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        img = Image.new("RGBA", rgba.size, "white")
        img.alpha_composite(rgba)
    return np.asarray(img.convert("RGB"))


def _sample_times(duration: float | None) -> list[float]:
    if not duration or duration <= 0:
        return [0.0]
    times = list(np.arange(0.0, duration, SAMPLE_EVERY_S))
    if len(times) > MAX_FRAMES - 1:
        times = list(np.linspace(0.0, duration, MAX_FRAMES, endpoint=False))
    return times


def _sample_frames(path: Path, duration: float | None) -> list[Frame]:
    """The first decoded frame at or after each sample time, and the last frame."""
    targets = _sample_times(duration)
    frames, last, last_taken = [], None, False
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.skip_frame = "NONREF"  # a sample a frame or two off is as good, and decoding halves
        fps = float(stream.average_rate or 25)
        start = None
        for vf in container.decode(stream):
            if vf.time is None:
                continue
            start = vf.time if start is None else start
            t = vf.time - start
            last, last_taken = (vf, t), bool(targets) and t >= targets[0] - 0.5 / fps
            if last_taken:
                frames.append(_frame(vf, t, fps))
                while targets and targets[0] <= t + 0.5 / fps:
                    targets.pop(0)
        if last is not None and not last_taken:
            frames.append(_frame(*last, fps))
    if not frames:
        raise BadInput(f"{path.name}: no picture could be decoded from the video; export it again.")
    return frames


def _frame(vf, t: float, fps: float) -> Frame:
    pixels = vf.to_ndarray(format="rgb24")
    turns = round((vf.rotation or 0) / 90)  # the display matrix turns it counterclockwise
    if turns % 4:
        pixels = np.ascontiguousarray(np.rot90(pixels, turns))
    return Frame(round(t * fps), round(t, 3), pixels)


def _decode_audio(path: Path) -> np.ndarray:
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            chunks += [out.to_ndarray() for out in resampler.resample(frame)]
    chunks += [out.to_ndarray() for out in resampler.resample(None)]
    return np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
