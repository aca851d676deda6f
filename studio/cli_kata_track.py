"""`studio kata track`: place a product on one frame of a video, track it through the clip and
render the clip with the product in it (registered by studio.cli)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput

FIXED_HINT = "A fixed placement is possible: add --fixed to keep the product where it is placed, in its shot."


def add_parser(kata, common) -> None:
    ktr = kata.add_parser("track", parents=[common], help="place a product on one frame of a video, track it through the clip and render it")
    ktr.add_argument("video", metavar="VIDEO", help="a video file, or a video asset id in the library")
    ktr.add_argument("product", metavar="PRODUCT", help="a cut-out PNG, a product photo on a plain background, or an asset id")
    ktr.add_argument("--frame", type=int, required=True, metavar="N", help="the frame to place the product on (0 is the first)")
    where = ktr.add_mutually_exclusive_group()
    where.add_argument("--zone", type=int, metavar="K", help="use zone K of that frame (as `studio kata analyze` lists them for a still)")
    where.add_argument("--at", metavar="X,Y", help="stand the product's base at this pixel of that frame")
    ktr.add_argument("--height-m", type=float, metavar="H", help="the product's real height in metres (default: by category)")
    ktr.add_argument("--category", default="bottle", help="bottle, can, cup, jar, box, bag, shoe, plant, chair, lamp, ...")
    ktr.add_argument("--fixed", action="store_true", help="hold the placement still in its shot instead of tracking it (for plain scenes)")
    ktr.add_argument("--out", required=True, metavar="OUT.mp4", help="where to write the clip with the product in it")
    ktr.add_argument("--save", action="store_true", help="also store the tracked placement as a recipe in the library "
                     "(importing the video and product files as assets), to use as a clip on the timeline")


def cmd_kata_track(args) -> int:
    from studio.cli import _choose_placement, _kata_file, _kata_library, _print, progress_state
    from studio.core.kata_video import pipeline
    from studio.core.kata_video.frames import VideoFrames
    from studio.core.kata_video.write import write_mp4
    from studio.kata.compose import ComposeParams
    from studio.kata.product import load_product
    from studio.kata.track.tracker import Featureless

    started = time.perf_counter()
    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise BadInput(f"The folder {out.parent} does not exist; create it or give another --out.")
    with _kata_library(args, args.video, args.product) as lib:
        video_path, product_path = _kata_file(args.video, lib, "a video"), _kata_file(args.product, lib)
    frames = VideoFrames(video_path)
    try:
        frames.check_index(args.frame, "--frame")
        timing = pipeline.Timing()
        scene = pipeline.anchor_scene(frames, args.frame, timing)
        product = load_product(product_path, height_m=args.height_m, category=args.category)
        placement, zone = _choose_placement(args, scene.analysis, product, f"frame {args.frame} of {video_path.name}")
        state = progress_state(quiet=args.json)
        state.set_status("Tracking")
        try:
            track = pipeline.track(frames, args.frame, placement, timing, pipeline.share(state, 0.0, 0.4), fixed=args.fixed)
        except Featureless as exc:
            raise BadInput(f"{exc} {FIXED_HINT}") from None
        state.set_status("Measuring occlusion and light")
        layer = pipeline.prepare_layer(scene, product, placement, ComposeParams(), timing)
        measurements = pipeline.measure(layer, frames, track, timing, pipeline.share(state, 0.4, 0.7))
        state.set_status("Rendering")
        written = write_mp4(frames, pipeline.composites(layer, frames, track, measurements, timing, state),
                            out, pipeline.share(state, 0.7, 1.0))
    finally:
        frames.close()
    if not args.json:
        print(file=sys.stderr)
    doc = _report(video_path, written, frames, track, zone, placement, args.fixed, timing)
    doc["recipe_id"] = _save(args, video_path, product_path, track, measurements, placement, zone) if args.save else None
    doc["timing"]["wall_s"] = round(time.perf_counter() - started, 3)
    t = doc["timing"]
    text = (f"Wrote {written}\n  {len(track)} frames, {len(doc['cuts'])} cut(s), {len(doc['lost'])} frame(s) lost, "
            f"{'held still (fixed placement)' if args.fixed else 'tracked'}\n"
            f"  decode {t['decode_s']:.1f} s, track {t['track_s']:.1f} s, measure {t['measure_s']:.1f} s, "
            f"render {t['render_s']:.1f} s ({t['fps']} frames/s)" + (f"\nSaved as Kata recipe {doc['recipe_id']}" if args.save else ""))
    _print(args, doc, text)
    return 0


def _save(args, video_path: Path, product_path: Path, track, measurements, placement, zone) -> int:
    """Store the tracked placement as a recipe (its clean plate beside it); returns the recipe id."""
    from studio.cli import _save_kata_recipe
    from studio.kata.compose import ComposeParams
    from studio.kata.recipe import VideoScene

    video = VideoScene(anchor=track.anchor, track=track.to_document(), measurements=measurements.to_document(), fixed=args.fixed)
    return _save_kata_recipe(args, (args.video, video_path), product_path, zone, placement, ComposeParams(), video=video,
                             measurements=measurements)


def _report(video: Path, out: Path, frames, track, zone, placement, fixed: bool, timing) -> dict:
    from studio.kata.track.model import LOST, STATE_NAMES

    corners = track.corners()
    return {
        "video": str(video), "out": str(out), "frames": len(track), "width": track.size[0], "height": track.size[1],
        "fps": float(frames.rate), "anchor": track.anchor, "fixed": fixed, "zone": zone.as_dict() if zone else None,
        "placement": {"x": placement.x, "y": placement.y, "height_px": round(placement.height_px, 1)},
        "corners": [None if np.isnan(c).any() else np.round(c, 2).tolist() for c in corners],
        "states": [STATE_NAMES[int(s)] for s in track.state], "cuts": list(track.cuts),
        "lost": [int(i) for i in np.flatnonzero(track.state == LOST)],
        "timing": timing.as_dict(len(track)),
    }
