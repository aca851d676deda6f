"""Preview speed: frames per second of FrameEvaluator.frame() at preview size, and scrubbing latency.

    python benchmarks/preview_fps.py [--scale 0.5] [--seeks 200] [--keep DIR]

Builds a 15 s 1080x1920 30 fps ad from generated media: a background video cut into three
clips joined by two crossfades, a product PNG with keyframed scale, a stroked text layer and
a logo. Then, for the numpy backend and the torch backend (CUDA if present, else CPU):
  play:  frame() for every frame in order at the preview scale (the goal is 60 fps or more);
  scrub: frame() at SEEKS random frames, p50 and p95 latency;
and scrubbing once more from 540p all-intra proxies. Prints the figures and the ratio to the
60 fps goal. Not run by CI.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from studio.core.jobs import JobState
from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.media import MediaResolver
from studio.core.render.proxy import make_proxy
from studio.core.timeline.model import (
    Animated, Composition, Keyframe, MediaClip, Shadow, Stroke, TextClip, Track, Transform, Transition, const,
)

W, H, FPS, FRAMES = 1080, 1920, 30, 450
GOAL_FPS = 60


def make_background(path: Path) -> None:
    """Moving colour fields with grain: H.264 at a realistic bit rate, keyframe every 2 s."""
    rng = np.random.default_rng(1)
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    grain = rng.normal(0, 5, (H, W + 64, 1)).astype(np.float32)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "21", "g": "60"}
        for i in range(FRAMES):
            t = i / FPS
            r = 128 + 100 * np.sin(xs / 300 + t)
            g = 128 + 100 * np.sin(ys / 400 - t * 0.7)
            b = 128 + 100 * np.sin((xs + ys) / 500 + t * 1.3)
            pixels = np.stack([r, g, b], -1) + grain[:, i % 64:i % 64 + W]
            frame = av.VideoFrame.from_ndarray(np.clip(pixels, 0, 255).astype(np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def make_pngs(folder: Path) -> None:
    product = Image.new("RGBA", (800, 1000), (0, 0, 0, 0))
    draw = ImageDraw.Draw(product)
    draw.rounded_rectangle((250, 80, 550, 200), 30, fill=(60, 40, 30, 255))
    draw.rounded_rectangle((150, 180, 650, 960), 120, fill=(170, 90, 40, 255))
    draw.ellipse((250, 450, 550, 750), fill=(240, 220, 180, 255))
    product.save(folder / "product.png")
    logo = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rounded_rectangle((0, 0, 399, 159), 40, fill=(255, 255, 255, 230))
    ImageDraw.Draw(logo).ellipse((20, 20, 140, 140), fill=(200, 30, 40, 255))
    logo.save(folder / "logo.png")


def build(folder: Path) -> Composition:
    background = folder / "background.mp4"
    if not background.exists():
        make_background(background)
        make_pngs(folder)
    cuts = [MediaClip(name=f"bg{i}", path=str(background), start=start, duration=duration, source_in=source_in, fit="cover")
            for i, (start, duration, source_in) in enumerate([(0, 165, 0.0), (150, 165, 5.0), (300, 150, 10.0)])]
    fades = [Transition(a=cuts[0].id, b=cuts[1].id, duration=15), Transition(a=cuts[1].id, b=cuts[2].id, duration=15)]
    grow = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.6, easing="ease_out"), Keyframe(frame=45, value=0.8),
                                          Keyframe(frame=390, value=0.8, easing="ease_in_out"), Keyframe(frame=450, value=0.9)])
    product = MediaClip(name="product", path=str(folder / "product.png"), start=0, duration=FRAMES,
                        transform=Transform(scale=grow, position=const((0.5, 0.45))))
    logo = MediaClip(name="logo", path=str(folder / "logo.png"), start=0, duration=FRAMES, fit="none",
                     transform=Transform(position=const((0.5, 0.08))))
    text = TextClip(text="Autumn Roast is here", size=110, stroke=Stroke(width=6, colour="#3A1F10"), shadow=Shadow(),
                    start=15, duration=FRAMES - 15, transform=Transform(position=const((0.5, 0.82))))
    return Composition(name="Preview benchmark", width=W, height=H, fps=(FPS, 1), duration=FRAMES, tracks=[
        Track(kind="video", clips=cuts, transitions=fades),
        Track(kind="overlay", clips=[product, logo]),
        Track(kind="text", clips=[text]),
    ])


def play(comp: Composition, backend: str, scale: float) -> tuple[float, str]:
    with FrameEvaluator(comp, MediaResolver(), scale=scale, backend=backend) as ev:
        ev.frame(0)  # open decoders, rasterize static layers: not per-frame work
        start = time.perf_counter()
        for i in range(comp.duration):
            ev.frame(i)
        return comp.duration / (time.perf_counter() - start), ev.backend.name


def scrub(comp: Composition, backend: str, scale: float, seeks: int, resolver=None, proxies=False) -> tuple[float, float]:
    order = random.Random(5).choices(range(comp.duration), k=seeks)
    times = []
    with FrameEvaluator(comp, resolver or MediaResolver(), scale=scale, backend=backend, use_proxies=proxies) as ev:
        ev.frame(0)
        for i in order:
            start = time.perf_counter()
            ev.frame(i)
            times.append((time.perf_counter() - start) * 1000)
    q = statistics.quantiles(times, n=20)
    return statistics.median(times), q[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--seeks", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="folder for the generated media (reused when present)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="preview-fps-"))
    folder.mkdir(parents=True, exist_ok=True)
    made = time.perf_counter()
    comp = build(folder)
    print(f"media ready in {time.perf_counter() - made:.1f} s ({folder})")
    size = (round(W * args.scale / 2) * 2, round(H * args.scale / 2) * 2)
    print(f"15 s {W}x{H} {FPS} fps ad, previewed at {size[0]}x{size[1]}")
    for backend in ("cpu", "torch"):
        try:
            fps, name = play(comp, backend, args.scale)
        except ImportError:
            print(f"{backend}: torch is not installed")
            continue
        p50, p95 = scrub(comp, backend, args.scale, args.seeks)
        print(f"{name:>10}: play {fps:6.1f} fps ({fps / GOAL_FPS:.2f}x the {GOAL_FPS} fps goal); "
              f"scrub p50 {p50:5.1f} ms, p95 {p95:5.1f} ms")
    make_proxy(folder / "background.mp4", folder / "proxies", JobState())
    p50, p95 = scrub(comp, "cpu", args.scale, args.seeks, MediaResolver(proxy_dir=folder / "proxies"), proxies=True)
    print(f"{'proxies':>10}: scrub p50 {p50:5.1f} ms, p95 {p95:5.1f} ms (numpy backend, 540p all-intra proxy)")


if __name__ == "__main__":
    main()
