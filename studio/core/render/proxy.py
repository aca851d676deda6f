"""Preview proxies: a small all-intra H.264 copy of a heavy video, for fast scrubbing.

`make_proxy` does the work (`proxy_job` is it as a job runner's fn(params, state)). Frames
keep their source timestamps, so a proxy is exact to the frame like its original; rotation
metadata is applied, so a proxy is upright. Final renders always read the originals.

Which videos get one (`needs_proxy`): those larger than 1280 px on their long side (HD and up,
whose decoding and scaling dominate a preview frame), or above 25 Mbit/s on average
(intermediate codecs and high-bitrate camera files decode slowly whatever their size).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.render.sources import SourceError, open_video, upright

PROXY_SIDE = 540  # px on the short side: 960×540 for landscape footage, 540×960 for portrait
HEAVY_LONG_SIDE = 1280  # px
HEAVY_BITRATE = 25_000_000  # bit/s
_STILLS = frozenset(Image.registered_extensions())  # read as images by the renderer, never proxied


def proxy_path(source: Path, dest_dir: Path, side: int = PROXY_SIDE) -> Path:
    """Named after the source's path, size and modification time: an edited source gets a new proxy."""
    st = source.stat()
    key = hashlib.sha1(f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:20]
    return dest_dir / f"{key}-{side}p.mp4"


def make_proxy(source: Path, dest_dir: Path, state: JobState, side: int = PROXY_SIDE) -> Path:
    dest = proxy_path(source, dest_dir, side)
    if dest.exists():
        return dest
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    state.set_status(f"Making a preview proxy of {source.name}")
    try:
        with open_video(source) as (container, stream, rotation, alpha):
            if alpha:
                raise BadInput(f"{source.name} has transparency; an H.264 proxy would lose it, so it is previewed from the original.")
            src_w, src_h = (stream.height, stream.width) if rotation % 180 else (stream.width, stream.height)
            k = min(1.0, side / min(src_w, src_h))
            out_w, out_h = max(2, round(src_w * k / 2) * 2), max(2, round(src_h * k / 2) * 2)
            total = float(stream.duration * stream.time_base) if stream.duration else None
            with av.open(str(tmp), "w", format="mp4") as out:
                video = out.add_stream("libx264", rate=stream.average_rate or 30)
                video.width, video.height, video.pix_fmt = out_w, out_h, "yuv420p"
                video.time_base = stream.time_base
                video.options = {"preset": "ultrafast", "g": "1", "crf": "20"}
                decode_w, decode_h = (out_h, out_w) if rotation % 180 else (out_w, out_h)
                for frame in container.decode(stream):
                    state.check()
                    pixels = upright(frame.to_ndarray(width=decode_w, height=decode_h, format="rgb24"), rotation)
                    small = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                    small.pts, small.time_base = frame.pts, frame.time_base
                    for packet in video.encode(small):
                        out.mux(packet)
                    if total and frame.time is not None:
                        state.set_progress(min(frame.time / total, 0.99))
                for packet in video.encode():
                    out.mux(packet)
        os.replace(tmp, dest)
        state.set_progress(1.0)
        return dest
    except av.FFmpegError as exc:
        raise SourceError(f"{source.name} could not be made into a proxy ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)


def needs_proxy(source: Path) -> bool:
    """Whether previews of this file should read a proxy (see the module's rule); reads only the
    file's header. False for stills, sound, videos with transparency and unreadable files."""
    if source.suffix.lower() in _STILLS:
        return False
    try:
        with av.open(str(source)) as container:
            if not container.streams.video:
                return False
            stream = container.streams.video[0]
            if any(c.is_alpha for c in stream.format.components):
                return False  # make_proxy refuses these: H.264 has no alpha
            return max(stream.width, stream.height) > HEAVY_LONG_SIDE or (container.bit_rate or 0) > HEAVY_BITRATE
    except (av.FFmpegError, OSError):
        return False


@dataclass
class ProxyParams:
    source: str
    dest_dir: str


def proxy_job(params: ProxyParams, state: JobState) -> str:
    """make_proxy for the job runner; returns the proxy's path."""
    return str(make_proxy(Path(params.source), Path(params.dest_dir), state))
