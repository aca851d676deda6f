"""What a media file is: Pillow for still images, PyAV for video and audio.
A file neither can fully read is rejected with a reason a user understands."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import av
from PIL import Image, ImageOps

from studio.core.errors import BadInput

Image.MAX_IMAGE_PIXELS = 400_000_000  # large print files are fine; decompression bombs are not


@dataclass
class MediaInfo:
    kind: str  # image | video | audio
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_channels: int | None = None
    has_alpha: bool = False

    @property
    def orientation(self) -> str | None:
        if not self.width or not self.height:
            return None
        ratio = self.width / self.height
        return "square" if 0.98 <= ratio <= 1.02 else ("landscape" if ratio > 1 else "portrait")

    def as_row(self) -> dict:
        return {**asdict(self), "orientation": self.orientation}


def open_image(path: Path) -> Image.Image:
    """The decoded image, upright (EXIF orientation applied). Raises BadInput."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                img.load()  # decodes every byte: a truncated file fails here, not later
                return ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise BadInput(f"{path.name}: the image cannot be read ({exc}).") from None


def is_image(path: Path) -> bool:
    try:
        with Image.open(path):
            return True
    except (OSError, SyntaxError, ValueError):
        return False


def probe_image(img: Image.Image) -> MediaInfo:
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    return MediaInfo("image", img.width, img.height, has_alpha=has_alpha)


def probe_av(path: Path) -> MediaInfo:
    """Video or audio. Decodes the first and the last frames, so a truncated file is caught."""
    try:
        with av.open(str(path)) as container:
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            if video is None and audio is None:
                raise BadInput(f"{path.name}: the file has no video or audio in it.")
            stream = video or audio
            duration = _duration(container, stream)
            info = MediaInfo(
                "video" if video else "audio",
                duration=duration,
                audio_codec=audio.codec_context.name if audio else None,
                audio_channels=audio.codec_context.channels if audio else None,
            )
            if video:
                info.width, info.height = video.codec_context.width, video.codec_context.height
                info.video_codec = video.codec_context.name
                info.fps = float(video.average_rate) if video.average_rate else None
            _decode_one(container, stream, path)
            if duration and duration > 1:
                container.seek(int((duration - 0.5) / stream.time_base), stream=stream, any_frame=False)
                _decode_one(container, stream, path)
            return info
    except BadInput:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, OSError) as exc:
        detail = getattr(exc, "strerror", None) or str(exc)
        raise BadInput(f"{path.name}: cannot be read as an image, video or audio file: it is not media, or it is damaged or truncated ({detail}).") from None


def _duration(container, stream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return container.duration / av.time_base if container.duration else None


def _decode_one(container, stream, path: Path) -> None:
    for frame in container.decode(stream):
        return
    raise BadInput(f"{path.name}: the file is damaged or truncated (no frame could be decoded).")


def probe(path: Path) -> MediaInfo:
    path = Path(path)
    if is_image(path):
        return probe_image(open_image(path))
    return probe_av(path)
