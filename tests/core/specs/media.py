"""Ad files made on the spot, with knobs for every way one can break a spec."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


def image(path: Path, size: tuple[int, int], *, noise: bool = False) -> Path:
    w, h = size
    rng = np.random.default_rng(w * 7 + h)
    if noise:  # incompressible: a big file
        pixels = rng.integers(0, 256, (h, w, 3), np.uint8)
    else:
        pixels = np.zeros((h, w, 3), np.uint8)
        pixels[..., 0] = np.linspace(30, 220, w, dtype=np.uint8)[None, :]
        pixels[..., 1] = np.linspace(60, 200, h, dtype=np.uint8)[:, None]
        pixels[..., 2] = 120
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


def video(path: Path, size: tuple[int, int], seconds: float, *, fps: int = 24, bitrate: int = 1_200_000,
          profile: str = "high", pix_fmt: str = "yuv420p", audio_rate: int | None = 48000, channels: int = 2,
          faststart: bool = True, variable_fps: bool = False) -> Path:
    """An H.264 MP4 of moving noise (so the asked bitrate is really reached) with a tone."""
    w, h = size
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"movflags": "+faststart"} if faststart else {}
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, (h // 8 + 1, w // 8 + 1, 3), np.uint8)
    with av.open(str(path), "w", format="mp4", container_options=options) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        stream.bit_rate = bitrate
        stream.options = {"preset": "superfast", "profile": profile}
        tick = Fraction(1, fps * 10)  # fine enough for uneven frame spacing
        stream.time_base = stream.codec_context.time_base = tick
        sound = out.add_stream("aac", rate=audio_rate, layout="stereo" if channels == 2 else "mono") if audio_rate else None
        if sound:
            sound.bit_rate = 192_000
        frames = round(seconds * fps)
        pts = 0
        for i in range(frames):
            tile = np.roll(base, i, axis=1).repeat(8, 0).repeat(8, 1)[:h, :w]
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(tile), format="rgb24")
            frame.pts, frame.time_base = pts, tick
            pts += (5 if i % 2 else 15) if variable_fps else 10
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
        if sound:
            n = int(seconds * audio_rate)
            t = np.arange(n) / audio_rate
            wave = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            layout = "stereo" if channels == 2 else "mono"
            for start in range(0, n, 1024):
                chunk = np.stack([wave[start:start + 1024]] * channels)
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
                frame.sample_rate, frame.pts, frame.time_base = audio_rate, start, Fraction(1, audio_rate)
                out.mux(sound.encode(frame))
            out.mux(sound.encode())
    return path
