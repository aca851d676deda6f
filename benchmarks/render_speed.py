"""Render speed and memory: a 15 s 1080x1920 30 fps ad (three background videos joined by two
crossfades, a product PNG with keyframed scale, a stroked text layer, a logo, a music bed)
rendered by our render(), by MoviePy (CompositeVideoClip, write_videofile) and by an
equivalent ffmpeg filter graph (xfade, scale eval=frame, overlay, drawtext), all with
libx264 veryfast CRF 21 and AAC 192 kb/s. Ours also runs N renders in one process to show
that memory does not grow. Each peer runs in its own process (peak RSS is its own).

    python benchmarks/render_speed.py [--renders 10] [--moviepy-python PY] [--skip-moviepy]

MoviePy pins an older Pillow, so it may live in another venv: pass its python.
Only the standard library is imported at the top: the MoviePy worker runs this file too.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

W, H, FPS, SECONDS = 1080, 1920, 30, 15
CLIP_S, FADE_S = 5.5, 0.5  # three backgrounds: 0-5.5, 5-10.5, 10-15 s
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
TEXT = "Autumn Roast is here"
X264 = {"preset": "veryfast", "crf": "21"}
FFMPEG_RUNS = 3


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


# ---- media ---------------------------------------------------------------------------------
def build_media(folder: Path) -> None:
    from fractions import Fraction

    import av
    import numpy as np
    from PIL import Image, ImageDraw

    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    diagonal, rows = (x + y) / 90, y / 40
    for n, hue in enumerate(((200, 90, 40), (40, 120, 200), (60, 160, 90))):
        with av.open(str(folder / f"bg{n}.mp4"), "w") as out:
            stream = out.add_stream("libx264", rate=FPS)
            stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
            stream.options = {"preset": "ultrafast", "crf": "18"}
            for i in range(round(CLIP_S * FPS)):
                wave = 0.5 + 0.5 * np.sin(diagonal + i / 6)
                rgb = np.stack([c * wave + 30 * np.sin(rows + i / 9 + k) for k, c in enumerate(hue)], -1)
                frame = av.VideoFrame.from_ndarray(np.clip(rgb, 0, 255).astype(np.uint8), format="rgb24")
                frame.pts = i
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
    product = Image.new("RGBA", (640, 860), (0, 0, 0, 0))
    draw = ImageDraw.Draw(product)
    draw.rounded_rectangle((80, 40, 560, 820), 60, fill=(120, 70, 40, 255), outline=(250, 240, 220, 255), width=12)
    draw.ellipse((180, 260, 460, 540), fill=(240, 220, 180, 255))
    product.save(folder / "product.png")
    logo = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rounded_rectangle((0, 0, 359, 119), 30, fill=(255, 255, 255, 230))
    logo.save(folder / "logo.png")
    rate, t = 48000, np.arange(SECONDS * 48000) / 48000
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220, 277.2, 329.6)) * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t) ** 2) * 0.1
    pcm = (np.stack([chord, chord]) * 32767).astype(np.int16)
    with av.open(str(folder / "music.wav"), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=rate, layout="stereo")
        for start in range(0, pcm.shape[1], 4800):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[:, start:start + 4800].T.reshape(1, -1)), format="s16", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


# ---- the peers -------------------------------------------------------------------------------
def bench_composition(folder: Path) -> dict:
    """The benchmark ad as a composition document (shared with benchmarks/package_speed.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from studio.core.timeline.model import Animated, Composition, Keyframe, MediaClip, Stroke, TextClip, Track, Transform, Transition

    clip_frames, fade = round(CLIP_S * FPS), round(FADE_S * FPS)
    bgs = [MediaClip(name=f"bg{n}", path=str(folder / f"bg{n}.mp4"), start=n * (clip_frames - fade), duration=clip_frames, fit="cover") for n in range(3)]
    grow = Transform(scale=Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.6), Keyframe(frame=2 * FPS, value=1.0)]))
    return Composition(name="bench", width=W, height=H, fps=(FPS, 1), duration=SECONDS * FPS, tracks=[
        Track(kind="video", clips=bgs, transitions=[Transition(a=a.id, b=b.id, duration=fade) for a, b in itertools.pairwise(bgs)]),
        Track(kind="overlay", clips=[MediaClip(name="product", path=str(folder / "product.png"), start=0, duration=SECONDS * FPS, fit="none", transform=grow)]),
        Track(kind="overlay", clips=[MediaClip(name="logo", path=str(folder / "logo.png"), start=0, duration=SECONDS * FPS, fit="none",
                                               transform=Transform(position=Animated(value=(0.5, (100 + 60) / H))))]),
        Track(kind="text", clips=[TextClip(text=TEXT, start=0, duration=SECONDS * FPS, size=96, colour="#FFFFFF", stroke=Stroke(width=4, colour="#000000"),
                                           transform=Transform(position=Animated(value=(0.5, 0.8))))]),
        Track(kind="audio", clips=[MediaClip(name="music", path=str(folder / "music.wav"), start=0, duration=SECONDS * FPS, fade_out=1.0)]),
    ]).to_document()


def ours(folder: Path, renders: int) -> dict:
    from studio.core.jobs import JobState
    from studio.core.render.encode import RenderParams, render

    comp = bench_composition(folder)
    times, rss, held = [], [], []
    for n in range(renders):
        start = time.perf_counter()
        render(RenderParams(None, comp, str(folder / "ours.mp4"), "fast"), JobState())
        times.append(time.perf_counter() - start)
        gc.collect()
        rss.append(rss_mb())
        held.append((len(gc.get_objects()), len(os.listdir("/proc/self/fd")), threading.active_count()))
        if n == 0:
            first_peak = peak_mb()
    return {"times": times, "rss_after_each_mb": rss, "objects_fds_threads": held, "peak_rss_first_mb": first_peak, "peak_rss_mb": peak_mb()}


def moviepy(folder: Path) -> dict:
    import moviepy as mp
    from moviepy import afx, vfx

    start = time.perf_counter()
    bgs = [mp.VideoFileClip(str(folder / f"bg{n}.mp4")).subclipped(0, CLIP_S).with_start(n * (CLIP_S - FADE_S)) for n in range(3)]
    bgs = [bgs[0]] + [b.with_effects([vfx.CrossFadeIn(FADE_S)]) for b in bgs[1:]]
    product = (mp.ImageClip(str(folder / "product.png")).with_duration(SECONDS)
               .resized(lambda t: 0.6 + 0.4 * min(1.0, t / 2)).with_position(("center", "center")))
    logo = mp.ImageClip(str(folder / "logo.png")).with_duration(SECONDS).with_position(("center", 100))
    text = mp.TextClip(font=FONT, text=TEXT, font_size=96, color="white", stroke_color="black", stroke_width=4).with_duration(SECONDS)
    text = text.with_position(("center", 0.8 * H - text.h / 2))
    music = mp.AudioFileClip(str(folder / "music.wav")).with_effects([afx.AudioFadeOut(1.0)])
    final = mp.CompositeVideoClip([*bgs, product, logo, text], size=(W, H)).with_duration(SECONDS).with_audio(music)
    final.write_videofile(str(folder / "moviepy.mp4"), fps=FPS, codec="libx264", preset=X264["preset"], ffmpeg_params=["-crf", X264["crf"], "-pix_fmt", "yuv420p"],
                          audio_codec="aac", audio_bitrate="192k", threads=os.cpu_count(), logger=None)
    final.close()
    return {"times": [time.perf_counter() - start], "peak_rss_mb": max(peak_mb(), peak_mb(resource.RUSAGE_CHILDREN))}


def ffmpeg_command(folder: Path, out: Path, video_args: tuple[str, ...] = ()) -> list[str]:
    """ffmpeg alone making the benchmark ad: the same layers as one filter graph (shared with package_speed.py)."""
    grow = "(0.6+0.4*min(1\\,t/2))"
    graph = ";".join([
        *(f"[{n}:v]trim=0:{CLIP_S},setpts=PTS-STARTPTS,fps={FPS}[b{n}]" for n in range(3)),
        f"[b0][b1]xfade=transition=fade:duration={FADE_S}:offset={CLIP_S - FADE_S}[x1]",
        f"[x1][b2]xfade=transition=fade:duration={FADE_S}:offset={2 * (CLIP_S - FADE_S)}[bg]",
        f"[3:v]scale=w='iw*{grow}':h='ih*{grow}':eval=frame[prod]",
        "[bg][prod]overlay=x=(W-w)/2:y=(H-h)/2:eval=frame[v1]",
        "[v1][4:v]overlay=x=(W-w)/2:y=100[v2]",
        f"[v2]drawtext=fontfile={FONT}:text='{TEXT}':fontsize=96:fontcolor=white:borderw=4:bordercolor=black:x=(w-text_w)/2:y=0.8*h-text_h/2,format=yuv420p[v]",
        f"[5:a]afade=t=out:st={SECONDS - 1}:d=1[a]",
    ])
    return ["ffmpeg", "-v", "error", "-y", *(a for n in range(3) for a in ("-i", str(folder / f"bg{n}.mp4"))),
            "-loop", "1", "-framerate", str(FPS), "-t", str(SECONDS), "-i", str(folder / "product.png"),
            "-loop", "1", "-framerate", str(FPS), "-t", str(SECONDS), "-i", str(folder / "logo.png"), "-i", str(folder / "music.wav"),
            "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-t", str(SECONDS), "-r", str(FPS),
            "-c:v", "libx264", "-preset", X264["preset"], "-crf", X264["crf"], "-profile:v", "high", *video_args,
            "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-movflags", "+faststart", str(out)]


def ffmpeg(folder: Path) -> dict:
    cmd = ffmpeg_command(folder, folder / "ffmpeg.mp4")
    times = []
    for _ in range(FFMPEG_RUNS):  # best of a few, as ours is best of its renders
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - start)
    return {"times": times, "peak_rss_mb": peak_mb(resource.RUSAGE_CHILDREN)}


# ---- the run ---------------------------------------------------------------------------------
def worker(python: str, peer: str, folder: Path, *extra) -> dict:
    out = subprocess.run([python, __file__, "--worker", peer, str(folder), *map(str, extra)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{peer} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def frames(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=10, help="renders of ours in one process (memory growth)")
    parser.add_argument("--moviepy-python", default=sys.executable, help="a python that has moviepy installed")
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        peer, folder, *extra = args.worker
        result = {"ours": lambda: ours(Path(folder), int(extra[0])), "moviepy": lambda: moviepy(Path(folder)), "ffmpeg": lambda: ffmpeg(Path(folder))}[peer]()
        print(json.dumps(result))
        return
    folder = Path(tempfile.mkdtemp(prefix="render-bench-"))
    try:
        print(f"building media in {folder} ...", flush=True)
        build_media(folder)
        results = {"ffmpeg": worker(sys.executable, "ffmpeg", folder)}
        print(f"ffmpeg   {min(results['ffmpeg']['times']):7.1f} s (best of {', '.join(f'{t:.1f}' for t in results['ffmpeg']['times'])})  peak RSS {results['ffmpeg']['peak_rss_mb']:6.0f} MB", flush=True)
        results["ours"] = worker(sys.executable, "ours", folder, args.renders)
        o = results["ours"]
        print(f"ours     {o['times'][0]:7.1f} s  peak RSS {o['peak_rss_first_mb']:6.0f} MB (first render)", flush=True)
        print(f"         {args.renders} renders: {', '.join(f'{t:.1f}' for t in o['times'])} s", flush=True)
        print(f"         RSS after each (MB): {', '.join(f'{r:.0f}' for r in o['rss_after_each_mb'])}; peak {o['peak_rss_mb']:.0f} MB", flush=True)
        if not args.skip_moviepy:
            results["moviepy"] = worker(args.moviepy_python, "moviepy", folder)
            print(f"moviepy  {results['moviepy']['times'][0]:7.1f} s  peak RSS {results['moviepy']['peak_rss_mb']:6.0f} MB", flush=True)
        for name in ("ours", "ffmpeg", "moviepy"):
            if (folder / f"{name}.mp4").exists():
                print(f"{name}.mp4: {frames(folder / f'{name}.mp4')} frames, {(folder / f'{name}.mp4').stat().st_size:,} bytes")
        best = min(o["times"])
        print(f"\nours/ffmpeg  = {best / min(results['ffmpeg']['times']):.2f}x time (best of each)")
        if "moviepy" in results:
            print(f"moviepy/ours = {results['moviepy']['times'][0] / best:.2f}x time, {results['moviepy']['peak_rss_mb'] / o['peak_rss_first_mb']:.2f}x peak RSS")
        # Leaks show as Python objects, open files or threads that pile up; RSS alone also moves
        # with the C allocator's fragmentation (x264 and FFmpeg buffers), so it gets a wider margin.
        rss, held = o["rss_after_each_mb"][1:], {tuple(h) for h in o["objects_fds_threads"][1:]}
        growth = rss[-1] - rss[0] if rss else 0.0
        verdict = "stable" if len(held) <= 1 and growth < 100 else "GROWS"
        print(f"after renders 2-{args.renders}: objects/fds/threads {sorted(held)}, RSS {min(rss, default=0):.0f}-{max(rss, default=0):.0f} MB ({growth:+.0f} MB): {verdict}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
