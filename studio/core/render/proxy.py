"""Preview proxies: a small all-intra H.264 copy of a heavy video, for fast scrubbing.

`make_proxy` is a job function. Frames keep their source timestamps, so a proxy is exact
to the frame like its original; rotation metadata is applied, so a proxy is upright.
Final renders always read the originals.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import av

from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.render.sources import SourceError, open_video, upright

PROXY_HEIGHT = 540


def proxy_path(source: Path, dest_dir: Path, height: int = PROXY_HEIGHT) -> Path:
    """Named after the source's path, size and modification time: an edited source gets a new proxy."""
    st = source.stat()
    key = hashlib.sha1(f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:20]
    return dest_dir / f"{key}-{height}p.mp4"


def make_proxy(source: Path, dest_dir: Path, state: JobState, height: int = PROXY_HEIGHT) -> Path:
    dest = proxy_path(source, dest_dir, height)
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
            out_h = min(height, src_h) // 2 * 2
            out_w = max(2, round(src_w * out_h / src_h / 2) * 2)
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
