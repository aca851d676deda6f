"""Cold start to first painted window on a 10,000-asset library, against a bare PySide6
window painted and saved the same way (the peer), in the same run.

    python benchmarks/cold_start.py [--assets 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BARE_QT = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1440, 900); w.show()
for _ in range(3):
    app.processEvents()
w.grab().save(sys.argv[1])
"""


def build_library(root: Path, count: int) -> None:
    from studio.core.library import Library

    with Library.open(root) as lib:
        thumbs = []
        for i in range(20):  # a few real thumbnails shared by the rows
            sha = hashlib.sha256(f"thumb{i}".encode()).hexdigest()
            path = lib.thumbs_dir / sha[:2] / f"{sha}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (320, 200), (20 + i * 10, 80, 160 - i * 5)).save(path)
            thumbs.append(str(path.relative_to(lib.root)))
        with lib.write(f"Bench {count} assets") as tx:
            for i in range(count):
                tx.insert(
                    "assets", sha256=hashlib.sha256(str(i).encode()).hexdigest(), kind="image" if i % 5 else "video",
                    name=f"shot_{i:05d}.jpg", ext=".jpg", size_bytes=1000 + i, width=1920, height=1080,
                    duration=None if i % 5 else 6.0, orientation="landscape", thumbnail=thumbs[i % 20], has_alpha=False,
                )


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        build_library(tmp / "lib", args.assets)
        print(f"built a {args.assets}-asset library in {time.perf_counter() - t:.1f} s")
        studio, bare = [], []
        for run in range(args.runs):
            studio.append(timed([sys.executable, "-m", "studio", "--library", str(tmp / "lib"), "--workspace", "media", "--screenshot", str(tmp / f"s{run}.png")]))
            bare.append(timed([sys.executable, "-c", BARE_QT, str(tmp / f"b{run}.png")]))
        s, b = statistics.median(studio), statistics.median(bare)
        print(f"studio, {args.assets} assets: median {s:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in studio)})")
        print(f"bare PySide6 window:          median {b:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in bare)})")
        print(f"ratio studio / bare Qt: {s / b:.2f}x")


if __name__ == "__main__":
    main()
