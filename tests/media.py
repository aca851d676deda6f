"""Real media files for tests, made on the spot with Pillow and PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


def jpeg(path: Path, size=(320, 240), seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    h, w = size[1], size[0]
    gradient = np.linspace(0, 255, w, dtype=np.float32)[None, :, None].repeat(h, 0).repeat(3, 2)
    pixels = np.clip(gradient * rng.uniform(0.3, 1.0, 3) + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, quality=90)
    return path


def png_with_alpha(path: Path, size=(200, 300)) -> Path:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    inner = Image.new("RGBA", (size[0] // 2, size[1] // 2), (180, 90, 40, 255))
    img.paste(inner, (size[0] // 4, size[1] // 4))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def mp4(path: Path, size=(64, 48), seconds: float = 1.0, fps: int = 25, audio: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=48000, layout="stereo") if audio else None
        for i in range(int(seconds * fps)):
            frame = np.full((size[1], size[0], 3), (i * 9) % 255, np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        if sound:
            samples = int(seconds * 48000)
            tone = (0.2 * np.sin(np.arange(samples) * 2 * np.pi * 440 / 48000)).astype(np.float32)
            for start in range(0, samples, 1024):
                chunk = np.stack([tone[start:start + 1024]] * 2)
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
                for packet in sound.encode(frame):
                    out.mux(packet)
            for packet in sound.encode():
                out.mux(packet)
    return path


def wav(path, samples: np.ndarray, rate: int = 48000):
    """Write (channels, n) float samples as a 16-bit PCM WAV with PyAV."""
    layout = "stereo" if samples.shape[0] == 2 else "mono"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=rate, layout=layout)
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        for start in range(0, pcm.shape[1], 4096):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[:, start:start + 4096].T.reshape(1, -1)), format="s16", layout=layout)
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def tone(seconds: float, freq: float = 440.0, amp: float = 0.2, rate: int = 48000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return np.stack([amp * np.sin(2 * np.pi * freq * t)] * 2)
