"""Media for the render tests: videos whose every frame shows its own number as a barcode."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

BITS = 8


def barcode_mp4(path: Path, frames: int = 60, fps: int = 30, size=(128, 32), keyint: int = 12) -> Path:
    """Frame i shows i as BITS black/white stripes, most significant bit on the left. H.264
    with B-frames and a keyframe every `keyint` frames, so finding a frame takes real seeking."""
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        video.options = {"preset": "veryfast", "x264-params": f"keyint={keyint}:min-keyint={keyint}:bframes=2:scenecut=0"}
        for i in range(frames):
            pixels = np.zeros((h, w, 3), np.uint8)
            for bit in range(BITS):
                if i >> (BITS - 1 - bit) & 1:
                    pixels[:, bit * w // BITS:(bit + 1) * w // BITS] = 255
            for packet in video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
    return path


def read_barcode(row: np.ndarray, x0: int = 0, x1: int | None = None) -> int:
    """The number shown by the stripes of one pixel row (h, 3+) between x0 and x1."""
    x1 = row.shape[0] if x1 is None else x1
    width = (x1 - x0) / BITS
    value = 0
    for bit in range(BITS):
        value = value << 1 | int(row[int(x0 + (bit + 0.5) * width), :3].mean() > 128)
    return value
