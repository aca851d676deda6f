"""Kata speed against the issue's goals, numpy backend beside torch (CPU, or CUDA when present):

- analyze a 12 MP photo (tests/data/astronaut-wide.jpg upscaled): goal under 1.5 s on CPU;
- composite one placement at 4K (3840x2160): goal under 150 ms;
- drag preview at 1280x720: re-composite at moving contact points with the zone's scale,
  goal at least 30 updates per second.

    python benchmarks/kata_speed.py [--repeats 5] [--drag-frames 60]

Each figure is the median of the repeats; ratios are goal / measured (above 1 meets the goal).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import cv2
import numpy as np

from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.images import load_rgb
from studio.kata.placement import find_zones, placement_for
from studio.kata.product import analyze_product

PHOTO = Path(__file__).resolve().parents[1] / "tests" / "data" / "astronaut-wide.jpg"
GOALS = {"analyze_12mp_s": 1.5, "composite_4k_s": 0.150, "drag_720p_ups": 30.0}


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm up (imports, torch kernels, caches)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def resized(image: np.ndarray, width: int, height: int) -> np.ndarray:
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC)


def bottle():
    rgba = np.zeros((600, 240, 4), np.uint8)
    rgba[160:600, 20:220] = (30, 120, 60, 255)
    rgba[60:160, 80:160] = (30, 120, 60, 255)
    rgba[0:60, 96:144] = (200, 200, 200, 255)
    return analyze_product(rgba, height_m=0.25)


def drag_path(zone, frames: int) -> list[tuple[float, float]]:
    """Contact points sweeping across the zone's row and back, as a hand dragging would."""
    x, y = zone.contact
    span = 4 * (zone.box[2] - zone.box[0])
    return [(x + span * np.sin(2 * np.pi * i / frames), y) for i in range(frames)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--drag-frames", type=int, default=60)
    args = ap.parse_args()

    import torch

    torch_name = "torch-cuda" if torch.cuda.is_available() else "torch-cpu"
    photo = load_rgb(PHOTO)
    scene_12mp = resized(photo, 4240, 2832)  # 12.0 MP
    scene_4k, scene_720 = resized(photo, 3840, 2160), resized(photo, 1280, 720)
    product, params = bottle(), ComposeParams()

    analyze_s = median_seconds(lambda: analyze(scene_12mp), args.repeats)
    rows = [("analyze 12 MP", "s", analyze_s, GOALS["analyze_12mp_s"] / analyze_s)]

    for name, scene in (("4K", scene_4k), ("720p", scene_720)):
        analysis = analyze(scene)
        zones, _heat = find_zones(analysis, product)
        placement = placement_for(zones[0], product) if zones else Placement(x=scene.shape[1] / 2, y=scene.shape[0] * 0.85, height_px=scene.shape[0] * 0.2)
        for backend in ("cpu", "torch"):  # cpu: the numpy/OpenCV backend
            label = "numpy" if backend == "cpu" else torch_name

            def run_once(scene=scene, analysis=analysis, placement=placement, backend=backend):
                return composite(scene, product, placement, params, depth=analysis.depth, light_dir=analysis.light_dir, backend=backend)

            if name == "4K":
                seconds = median_seconds(run_once, args.repeats)
                rows.append((f"composite 4K, {label}", "ms", seconds * 1000, GOALS["composite_4k_s"] / seconds))
            else:
                zone = zones[0] if zones else None
                points = drag_path(zone, args.drag_frames) if zone else [(placement.x, placement.y)] * args.drag_frames
                height = placement.height_px

                def drag(points=points, analysis=analysis, backend=backend, height=height):
                    for x, y in points:
                        composite(scene_720, product, Placement(x=x, y=y, height_px=height), params,
                                  depth=analysis.depth, light_dir=analysis.light_dir, backend=backend)

                ups = args.drag_frames / median_seconds(drag, max(1, args.repeats // 2))
                rows.append((f"drag preview 720p, {label}", "updates/s", ups, ups / GOALS["drag_720p_ups"]))

    print(f"Kata speed ({'CUDA ' + torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'CPU'}, torch {torch.__version__}, "
          f"{args.repeats} repeats, medians)")
    for what, unit, value, ratio in rows:
        verdict = "meets goal" if ratio >= 1 else "misses goal"
        print(f"  {what:<28} {value:9.2f} {unit:<10} goal ratio {ratio:5.2f}x  {verdict}")


if __name__ == "__main__":
    main()
