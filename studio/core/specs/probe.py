"""Everything a spec can ask about a media file, read with Pillow (stills) and PyAV (video).

Video facts come from the container and from demuxing every video packet (cheap: nothing is
decoded) so a variable frame rate is caught; loudness decodes the audio once; "moov at the
front" reads the MP4's top-level box headers.
"""

from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np

from studio.core.assets.probe import is_image, open_image, probe_av
from studio.core.errors import BadInput
from studio.core.render.audio import RATE, loudness

CFR_TOLERANCE = 0.02  # relative spread of frame durations still called constant (rounding of timestamps)


@dataclass
class FileFacts:
    path: str
    kind: str  # image | video
    file_type: str  # lower-case extension without the dot
    bytes: int
    width: int
    height: int
    format: str = ""  # Pillow's format or the container's name
    duration_s: float | None = None
    fps: float | None = None
    constant_fps: bool | None = None
    video_codec: str | None = None
    profile: str | None = None
    pixel_format: str | None = None
    video_bitrate: int | None = None  # bits per second, from the packets
    audio_codec: str | None = None
    audio_rate: int | None = None
    audio_channels: int | None = None
    audio_bitrate: int | None = None
    moov_at_front: bool | None = None  # MP4/MOV only
    loudness_lufs: float | None = None  # None: no audio, or silent

    @property
    def ratio(self) -> float:
        return self.width / self.height

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": round(self.ratio, 4)}


def probe_file(path: Path, *, measure_loudness: bool = True) -> FileFacts:
    """The facts of an image or video file; BadInput if it is missing, empty, damaged or not media."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path} is not a file; check the path.")
    size = path.stat().st_size
    if size == 0:
        raise BadInput(f"{path.name} is empty (0 bytes); render or export it again.")
    file_type = path.suffix.lower().lstrip(".")
    if is_image(path):
        img = open_image(path)  # upright: EXIF rotation applied, as platforms show it
        return FileFacts(str(path), "image", file_type, size, img.width, img.height, format=(img.format or file_type).lower())
    info = probe_av(path)  # refuses damaged and non-media files with a reason
    if info.kind != "video":
        raise BadInput(f"{path.name} is audio only; ad placements need an image or a video.")
    facts = _video_facts(path, file_type, size)
    if file_type in ("mp4", "mov", "m4v"):
        facts.moov_at_front = _moov_before_mdat(path)  # refuses a file cut short
    if measure_loudness and facts.audio_codec:
        facts.loudness_lufs = _loudness(path)
    return facts


def _video_facts(path: Path, file_type: str, size: int) -> FileFacts:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        cc = video.codec_context
        width, height = cc.width, cc.height
        rotation = _rotation(container, video)
        if rotation % 180:
            width, height = height, width
        facts = FileFacts(str(path), "video", file_type, size, width, height, format=container.format.name,
                          video_codec=cc.name, profile=cc.profile, pixel_format=cc.format.name if cc.format else None)
        audio = container.streams.audio[0] if container.streams.audio else None
        if audio is not None:
            facts.audio_codec, facts.audio_rate = audio.codec_context.name, audio.codec_context.sample_rate
            facts.audio_channels, facts.audio_bitrate = audio.codec_context.channels, audio.bit_rate or None
        stamps, payload = [], 0
        for packet in container.demux(video):
            if packet.pts is not None:
                stamps.append(packet.pts)
                payload += packet.size
        seconds = float(video.time_base)  # read while open: a closed container's streams forget it
        whole = float(video.duration * video.time_base) if video.duration else None
        average = float(video.average_rate) if video.average_rate else None
    stamps = np.unique(np.array(stamps, np.int64))
    if len(stamps) >= 2:
        steps = np.diff(stamps) * seconds
        facts.duration_s = round(float(stamps[-1] - stamps[0]) * seconds + float(np.median(steps)), 3)
        facts.fps = round(1 / float(np.median(steps)), 3)
        facts.constant_fps = bool((steps.max() - steps.min()) <= CFR_TOLERANCE * np.median(steps))
        facts.video_bitrate = int(payload * 8 / facts.duration_s)
    else:
        facts.duration_s, facts.fps = whole, average
    return facts


def _rotation(container, video) -> int:
    for frame in container.decode(video):
        container.seek(0)
        return int(frame.rotation or 0)
    return 0


def _moov_before_mdat(path: Path) -> bool | None:
    """True when the index (moov) comes before the media data (mdat): players start before the
    whole file arrives. Walks every top-level box, so a file cut short is caught here."""
    moov_first = None
    with path.open("rb") as f:
        end = path.stat().st_size
        while f.tell() + 8 <= end:
            start = f.tell()
            size, kind = struct.unpack(">I4s", f.read(8))
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
            elif size == 0:
                size = end - start
            if kind in (b"moov", b"mdat") and moov_first is None:
                moov_first = kind == b"moov"
            if size < 8:
                return None  # not an ISO media file we can walk
            if start + size > end:
                raise BadInput(f"{path.name} is damaged or truncated: its {kind.decode('latin-1')} box runs past the end of the file. Export it again.")
            f.seek(start + size)
    return moov_first


def _loudness(path: Path) -> float | None:
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray())
    if not chunks:
        return None
    value = loudness(np.concatenate(chunks, axis=1))
    return round(value, 2) if np.isfinite(value) else None
