"""Proxies small enough to email: a JPEG of at most 1600 px for an image, a 640 px wide
H.264 MP4 at about 500 kbit/s (AAC 64 kbit/s sound) for a video, an AAC .m4a for audio.
Each is written to a temporary name and renamed, so a cancelled proxy leaves nothing."""

from __future__ import annotations

import os
from pathlib import Path

import av
from PIL import Image, ImageOps

from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.render.sources import upright

IMAGE_SIDE = 1600  # px, the longest side
VIDEO_WIDTH = 640  # px
VIDEO_BITRATE = 500_000  # bit/s
AUDIO_BITRATE = 64_000  # bit/s
PROXY_EXT = {"image": ".jpg", "video": ".mp4", "audio": ".m4a"}


def make_proxy(kind: str, source: Path, dest: Path, state: JobState) -> Path:
    """Write the proxy of a `kind` asset's file to dest; returns dest."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        if kind == "image":
            _image(source, tmp)
        else:
            _media(source, tmp, state, video=kind == "video")
        os.replace(tmp, dest)
        return dest
    except (OSError, av.FFmpegError, Image.DecompressionBombError) as exc:
        raise BadInput(f"{source.name} could not be made into a review proxy ({exc}); leave it out of the bundle or re-import it.") from None
    finally:
        tmp.unlink(missing_ok=True)


def _image(source: Path, dest: Path) -> None:
    with Image.open(source) as img:
        img = ImageOps.exif_transpose(img)
        img.thumbnail((IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.LANCZOS)
        if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
            rgba = img.convert("RGBA")
            img = Image.new("RGB", rgba.size, (255, 255, 255))  # JPEG has no alpha: flatten onto white
            img.paste(rgba, mask=rgba.getchannel("A"))
        img.convert("RGB").save(dest, "JPEG", quality=82, optimize=True)


def _media(source: Path, dest: Path, state: JobState, *, video: bool) -> None:
    with av.open(str(source)) as src, av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        vin = src.streams.video[0] if video and src.streams.video else None
        ain = src.streams.audio[0] if src.streams.audio else None
        if vin is None and ain is None:
            raise BadInput(f"{source.name} has no {'video' if video else 'audio'} stream to make a review proxy of.")
        vout = _video_stream(out, src, vin, source.name) if vin else None
        aout = out.add_stream("aac", rate=48_000, layout="stereo") if ain else None
        if aout:
            aout.bit_rate = AUDIO_BITRATE
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48_000)
        total = float(src.duration / av.time_base) if src.duration else None
        for packet in src.demux(*(s for s in (vin, ain) if s)):
            state.check()
            for frame in packet.decode():
                if packet.stream is vin:
                    _encode_video(out, vout, frame)
                else:
                    for chunk in resampler.resample(frame):
                        chunk.pts = None
                        out.mux(aout.encode(chunk))
                if total and frame.time is not None:
                    state.set_progress(min(frame.time / total, 0.99))
        for stream in (vout, aout):
            if stream:
                out.mux(stream.encode())


def _video_stream(out, src, vin, name: str):
    """The encoder, sized from the first frame upright (a display matrix turns phone footage)."""
    frame = next(src.decode(vin), None)
    if frame is None:
        raise BadInput(f"{name} has no video frames to make a review proxy of.")
    src.seek(0)
    vout = out.add_stream("libx264", rate=vin.average_rate or 25)
    w, h = (frame.height, frame.width) if frame.rotation % 180 else (frame.width, frame.height)
    vout.width = min(VIDEO_WIDTH, w) // 2 * 2
    vout.height = max(2, round(h * vout.width / w / 2) * 2)
    vout.pix_fmt, vout.bit_rate, vout.time_base = "yuv420p", VIDEO_BITRATE, frame.time_base
    vout.options = {"preset": "veryfast", "maxrate": str(VIDEO_BITRATE), "bufsize": str(2 * VIDEO_BITRATE)}
    return vout


def _encode_video(out, vout, frame) -> None:
    w, h = (vout.height, vout.width) if frame.rotation % 180 else (vout.width, vout.height)
    pixels = upright(frame.to_ndarray(width=w, height=h, format="rgb24"), frame.rotation)
    small = av.VideoFrame.from_ndarray(pixels, format="rgb24")
    small.pts, small.time_base = frame.pts, frame.time_base
    out.mux(vout.encode(small))
