"""Ad package speed: the 15 s 1080x1920 benchmark ad (benchmarks/render_speed.py) for 8 video
placements, against plain ffmpeg making the same 8 renditions one after the other with the
same settings (libx264 veryfast CRF 21 High, VBV cap 8 Mb/s, AAC 192 kb/s 48 kHz, faststart).

Three figures:
- package: `build_package` as users run it (worker processes on every core). All 8 placements
  take the ad's own 9:16 at 1080x1920 with the same encode settings, so it renders that file
  once and copies it; the package also probes and checks every file, writes sheets, the
  contact sheet, the manifest and the zip.
- 8 distinct renders: the same 8 rendition jobs with the sharing switched off (each one
  rendered), in the same worker pool: what making 8 different files costs.
- ffmpeg: the sum of 8 runs of the ffmpeg command.

    python benchmarks/package_speed.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from render_speed import bench_composition, build_media, ffmpeg_command  # noqa: E402

PLACEMENTS = ["meta.feed_video", "meta.stories_video", "meta.reels", "google.youtube_instream", "google.youtube_shorts",
              "tiktok.infeed", "linkedin.video", "x.video"]
CAP = ("-maxrate", "8000000", "-bufsize", "16000000")


def main() -> None:
    from studio.core.export.package import PackageParams, build_package
    from studio.core.export.plan import make_plan
    from studio.core.export.rendition import RenditionTask, make_rendition
    from studio.core.jobs import JobState, run_each, worker_pool
    from studio.core.library import Library
    from studio.core.ops.compositions import create_composition
    from studio.core.ops.copy import set_copy
    from studio.core.ops.organize import find_or_create_campaign
    from studio.core.timeline.model import Composition

    folder = Path(tempfile.mkdtemp(prefix="package-bench-"))
    try:
        print(f"building media in {folder} ...", flush=True)
        build_media(folder)
        lib = Library.open(folder / "lib")
        campaign = find_or_create_campaign(lib, "Bench")
        comp = Composition.from_document(bench_composition(folder))
        comp_id = create_composition(lib, comp, campaign).value
        set_copy(lib, campaign, "primary_text", ["Autumn Roast is here"])
        set_copy(lib, campaign, "ad_text", ["Autumn Roast is here: roasted this week"], scope="tiktok")
        set_copy(lib, campaign, "post_text", ["Autumn Roast is here"], scope="x")
        platforms = sorted({p.split(".")[0] for p in PLACEMENTS})

        with worker_pool() as pool:
            # a first spawn of the workers is paid once per session; warm them as the studio's own pool is
            run_each(pool, _noop, [0, 1], JobState())
            start = time.perf_counter()
            result = build_package(PackageParams(str(lib.root), "Bench", platforms, str(folder / "out"), spec_ids=PLACEMENTS,
                                                 composition_ids=[comp_id], asset_ids=[]), JobState(), lib=lib, pool=pool)
            package_s = time.perf_counter() - start
            print(f"package         {package_s:6.1f} s  ({result['renditions']} renditions from {result['files_made']} render(s), "
                  f"{result['files']} files)", flush=True)

            plan = make_plan(lib, "Bench", platforms, spec_ids=PLACEMENTS, composition_ids=[comp_id], asset_ids=[])
            tasks = [RenditionTask(str(lib.root), "video", str(folder / f"distinct-{n}.mp4"), r.size, composition=comp.to_document(),
                                   variant=r.variant, max_bitrate=r.max_bitrate) for n, r in enumerate(plan.renditions)]
            start = time.perf_counter()
            run_each(pool, make_rendition, tasks, JobState())
            distinct_s = time.perf_counter() - start
            print(f"8 distinct renders {distinct_s:6.1f} s  (in the worker pool)", flush=True)
        lib.close()

        times = []
        for n in range(len(PLACEMENTS)):
            start = time.perf_counter()
            subprocess.run(ffmpeg_command(folder, folder / f"ffmpeg-{n}.mp4", CAP), check=True)
            times.append(time.perf_counter() - start)
        ffmpeg_s = sum(times)
        print(f"ffmpeg x8       {ffmpeg_s:6.1f} s  (each {', '.join(f'{t:.1f}' for t in times)})", flush=True)
        print(f"\npackage / ffmpeg x8          = {package_s / ffmpeg_s:.2f}x time")
        print(f"8 distinct renders / ffmpeg x8 = {distinct_s / ffmpeg_s:.2f}x time")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _noop(_params, _state) -> None:
    return None


if __name__ == "__main__":
    main()
