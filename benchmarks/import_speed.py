"""Import speed: our importer against a plain Pillow thumbnail loop on the same photos.

    python benchmarks/import_speed.py [--count 1000] [--keep DIR]

Makes COUNT 1600x1200 photo-like JPEGs, then times
  (a) studio.core.assets.importer.run into a fresh library with a process pool
      (hash + probe + copy into media/ + thumbnail + database rows), and
  (b) a loop of PIL.Image.open + thumbnail((320, 320)) + save, one file after another,
and prints images/second for each and the ratio. Not run by CI.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.library import Library

W, H = 1600, 1200


def make_photos(folder: Path, count: int) -> list[Path]:
    """Smooth colour fields (sky, light falloff) plus sensor-like grain: JPEG sizes like photos'."""
    rng = np.random.default_rng(7)
    grain = rng.normal(0, 6, (H + 64, W + 64, 3)).astype(np.float32)
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    paths = []
    for i in range(count):
        low = Image.fromarray(rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)).resize((W, H), Image.Resampling.BICUBIC)
        vignette = 1.0 - 0.35 * (((xs - W / 2) / W) ** 2 + ((ys - H / 2) / H) ** 2)[..., None]
        dx, dy = i % 64, (i * 7) % 64
        pixels = np.asarray(low, np.float32) * vignette + grain[dy:dy + H, dx:dx + W]
        path = folder / f"photo-{i:04d}.jpg"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=88)
        paths.append(path)
    return paths


def _warm(_):
    return os.getpid()


def time_importer(folder: Path, work: Path) -> tuple[float, int]:
    lib = Library.open(work / "library")
    with ProcessPoolExecutor(os.cpu_count() or 2, mp_context=mp.get_context("spawn")) as pool:
        list(pool.map(_warm, range(os.cpu_count() or 2)))  # worker start-up is not import work
        start = time.perf_counter()
        report = importer.run(importer.ImportParams(str(lib.root), [str(folder)]), JobState(), lib=lib, pool=pool)
        elapsed = time.perf_counter() - start
    lib.close()
    if report.skipped:
        raise SystemExit(f"the importer skipped {len(report.skipped)} files: {report.skipped[:3]}")
    return elapsed, len(report.imported)


def time_pillow_loop(paths: list[Path], out: Path) -> float:
    out.mkdir()
    start = time.perf_counter()
    for path in paths:
        with Image.open(path) as img:
            img.thumbnail((320, 320))
            img.save(out / path.name, "JPEG", quality=85)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="make the photos here and keep them")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="studio-import-bench-"))
    folder = args.keep or work / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        paths = sorted(folder.glob("photo-*.jpg"))[: args.count]
        if len(paths) < args.count:
            paths = make_photos(folder, args.count)
        mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{len(paths)} photos of {W}x{H} ({mb:.0f} MB) ready in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} CPU cores")
        ours, imported = time_importer(folder, work)
        plain = time_pillow_loop(paths, work / "pillow-thumbs")
        ours_rate, plain_rate = imported / ours, len(paths) / plain
        print(f"(a) studio import (hash, probe, copy, thumbnail, DB; process pool): {ours_rate:7.1f} images/s  ({ours:.1f} s)")
        print(f"(b) Pillow open + thumbnail + save loop:                          {plain_rate:7.1f} images/s  ({plain:.1f} s)")
        print(f"ratio (a)/(b): {ours_rate / plain_rate:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
