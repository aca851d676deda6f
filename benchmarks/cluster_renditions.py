"""Render cluster speed: 100 renditions (50 pictures cropped and scaled from a 1600x1000 photo,
50 videos rendered from a 2 s 360x640 composition over a real clip, each at its own size) on a
Dask LocalCluster of 2 worker processes, against the same 100 one after the other in one process.

Both sides are warm (imports done, the cluster started; its start is printed apart), and both
run make_rendition through studio.core.jobs.run_each, as packages do. x264 already uses several
threads in one process, so on few cores the cluster gains less than its worker count.

    python benchmarks/cluster_renditions.py [--workers 2] [--count 100] [--media both|image|video]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

IMAGE_SIZES = [(1080, 1080), (1200, 628), (1080, 1350), (600, 314), (300, 250), (728, 90), (320, 50), (1200, 1200), (960, 1200), (800, 418)]
VIDEO_SIZES = [(180, 320), (216, 384), (144, 256), (270, 480), (162, 288)]


def photo(path: Path) -> Path:
    w, h = 1600, 1000
    pixels = np.linspace(40, 220, w, dtype=np.float32)[None, :, None].repeat(h, 0).repeat(3, 2) * (0.8, 0.9, 1.0)
    image = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse((900, 300, 1300, 700), fill=(200, 60, 40))  # a subject for the crop to find
    draw.rectangle((200, 650, 600, 900), fill=(30, 120, 60))
    image.save(path, quality=92)
    return path


def clip(path: Path, size=(360, 640), seconds=2.0, fps=24) -> Path:
    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        video.options = {"preset": "ultrafast"}
        base = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
        for i in range(int(seconds * fps)):
            frame = np.roll(base, i * 4, axis=1)  # moving texture, so the encoder has work
            for packet in video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
    return path


def tasks(lib, folder: Path, count: int, media: str) -> list:
    from studio.core.assets import importer
    from studio.core.export.rendition import RenditionTask
    from studio.core.jobs import JobState
    from studio.core.ops.compositions import create_composition
    from studio.core.timeline.model import Composition, MediaClip, TextClip, Track

    report = importer.run(importer.ImportParams(str(lib.root), [str(photo(folder / "photo.jpg")), str(clip(folder / "clip.mp4"))]),
                          JobState(), lib=lib)
    ids = {row["name"]: row["id"] for row in report.imported}
    frames = 48
    comp = Composition(name="Bench spot", width=360, height=640, fps=(24, 1), duration=frames, tracks=[
        Track(kind="video", clips=[MediaClip(asset_id=ids["clip.mp4"], start=0, duration=frames, fit="cover")]),
        Track(kind="text", clips=[TextClip(text="Autumn Roast", start=0, duration=frames, size=40)]),
    ])
    create_composition(lib, comp)
    document = comp.to_document()
    made = []
    for n in range(count):
        if media == "image" or (media == "both" and n % 2 == 0):
            size = IMAGE_SIZES[(n // 2) % len(IMAGE_SIZES)]
            made.append(RenditionTask(str(lib.root), "image", "", size, asset_id=ids["photo.jpg"], ratio=size[0] / size[1]))
        else:
            size = VIDEO_SIZES[(n // 2) % len(VIDEO_SIZES)]
            made.append(RenditionTask(str(lib.root), "video", "", size, composition=document, max_bitrate=2_000_000))
    return made


def into(folder: Path, template: list) -> list:
    from dataclasses import replace

    folder.mkdir()
    return [replace(t, out=str(folder / f"r{n:03d}.{'jpg' if t.media == 'image' else 'mp4'}")) for n, t in enumerate(template)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--media", choices=["both", "image", "video"], default="both", help="half and half, or only one kind")
    args = ap.parse_args()

    from studio.core.cluster import connect
    from studio.core.export.rendition import make_rendition
    from studio.core.jobs import JobState, run_each
    from studio.core.library import Library

    folder = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    try:
        lib = Library.open(folder / "lib")
        template = tasks(lib, folder, args.count, args.media)
        print(f"{len(template)} renditions ({sum(t.media == 'image' for t in template)} pictures, "
              f"{sum(t.media == 'video' for t in template)} videos of 48 frames); {os.cpu_count()} cores", flush=True)

        run_each(None, make_rendition, into(folder / "warm-here", template[:2]), JobState())
        start = time.perf_counter()
        run_each(None, make_rendition, into(folder / "here", template), JobState())
        here_s = time.perf_counter() - start
        print(f"one process           {here_s:7.1f} s", flush=True)

        start = time.perf_counter()
        with connect("local", workers=args.workers) as client:
            started_s = time.perf_counter() - start
            run_each(client, make_rendition, into(folder / "warm-cluster", template[:2 * args.workers]), JobState())
            start = time.perf_counter()
            run_each(client, make_rendition, into(folder / "cluster", template), JobState())
            cluster_s = time.perf_counter() - start
        print(f"cluster of {args.workers} workers  {cluster_s:7.1f} s  (its start: {started_s:.1f} s)", flush=True)
        made = sorted(p.name for p in (folder / "cluster").iterdir())
        assert made == sorted(p.name for p in (folder / "here").iterdir()) and len(made) == len(template), "files differ"
        print(f"\ncluster / one process = {cluster_s / here_s:.2f}x time ({here_s / cluster_s:.2f}x as fast)")
        lib.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
