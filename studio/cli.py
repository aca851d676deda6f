"""The `studio` command. With no subcommand it opens the window; every subcommand runs
through studio.core alone (no Qt is imported for them).

Conventions for every subcommand: --library DIR (else STUDIO_LIBRARY, else the user-data
folder); --json prints one JSON document on stdout; exit 0 on success, 2 on bad input or
usage (message on stderr beginning "error:"), 1 on other failures; the checking commands (`spec check`,
`check`, `audit verify`) exit 3 when they find errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from studio import (
    __version__,
    cli_analytics,
    cli_brief,
    cli_calendar,
    cli_compliance,
    cli_export,
    cli_kata_track,
    cli_library,
    cli_publish,
    cli_research,
    cli_review,
)
from studio.core.errors import BadInput, LibraryLocked, StudioError

log = logging.getLogger("studio.cli")
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors follow our convention too
        sys.stderr.write(f"error: {message}\n{self.format_usage()}")
        raise SystemExit(2)


def _common() -> argparse.ArgumentParser:
    # SUPPRESS: a subcommand's copy must not overwrite a value given before the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--library", metavar="DIR_OR_URL", default=argparse.SUPPRESS,
                        help="library folder, or a team library's postgresql://HOST/DATABASE (default: $STUDIO_LIBRARY or the user-data folder)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document on stdout")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(prog="studio", description="Conext Studio. With no command, opens the studio window.", parents=[common])
    parser.add_argument("--version", action="version", version=f"Conext Studio {__version__}")
    parser.add_argument("--screenshot", metavar="OUT.png", help="open the window, save a screenshot once painted, and exit")
    parser.add_argument("--workspace", metavar="NAME", help="the workspace to show first (e.g. media)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    sub.add_parser("demo", parents=[common], help="build the demo library (a sample client, brand, campaign and media)")

    assets = sub.add_parser("assets", help="import and list media").add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    imp = assets.add_parser("import", parents=[common], help="import files or folders (folders recursively)")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument("--campaign", metavar="NAME", help="put the assets in this campaign (created if new)")
    lst = assets.add_parser("list", parents=[common], help="list the assets in the library")
    lst.add_argument("--campaign", metavar="NAME")
    lst.add_argument("--kind", choices=["image", "video", "audio"])
    lst.add_argument("--trash", action="store_true", help="list the trash instead")

    compositions = sub.add_parser("compositions", help="list, exchange (OTIO) and reframe compositions").add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    compositions.add_parser("list", parents=[common], help="list the compositions in the library")
    cimp = compositions.add_parser("import", parents=[common], help="add an OpenTimelineIO file to the library as a composition")
    cimp.add_argument("file", metavar="FILE.otio")
    cexp = compositions.add_parser("export", parents=[common], help="write a composition as OpenTimelineIO for other editors")
    cexp.add_argument("composition_id", type=int, metavar="ID")
    cexp.add_argument("out", metavar="OUT.otio")
    cvar = compositions.add_parser("variant", parents=[common], help="lay a composition out in another aspect by smart reframing")
    cvar.add_argument("composition_id", type=int, metavar="ID")
    cvar.add_argument("aspect", choices=["9x16", "4x5", "1x1", "16x9"])

    ren = sub.add_parser("render", parents=[common], help="render compositions to MP4 (several as a batch, on a render cluster with --cluster), or one frame of one to PNG/JPEG")
    ren.add_argument("composition", nargs="+", metavar="COMPOSITION_ID_OR_OTIO_FILE", help="composition ids in the library, or .otio files")
    ren.add_argument("--out", metavar="PATH", help="where to write: a file for one composition, a folder for several "
                     "(default: the composition's name, .mp4 or .png, in the current folder)")
    ren.add_argument("--cluster", metavar="ADDRESS", help="render on the Dask scheduler at ADDRESS (tcp://host:8786), or 'local' "
                     "for worker processes on this computer; one task per composition")
    ren.add_argument("--preset", choices=["fast", "quality"], default="fast", help="x264 veryfast CRF 21, or medium CRF 18")
    ren.add_argument("--variant", metavar="WxH", help="the aspect variant to render, e.g. 9x16 (default: the composition's own)")
    ren.add_argument("--frame", type=int, metavar="N", help="write frame N as a still (.png or .jpg) instead of a video")

    kata = sub.add_parser("kata", help="find places for a product in a scene photo and composite it").add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    kan = kata.add_parser("analyze", parents=[common], help="faces, horizon, surfaces and ranked zones of a scene")
    kan.add_argument("scene", metavar="SCENE", help="an image file, or an image asset id in the library")
    kan.add_argument("--category", default="bottle", help="the kind of product to find zones for (sets its real height)")
    kan.add_argument("--height-m", type=float, metavar="H", help="the product's real height in metres")
    kpl = kata.add_parser("place", parents=[common], help="composite a product into a scene at its best zone, a zone, or a point")
    kpl.add_argument("scene", metavar="SCENE", help="an image file, or an image asset id in the library")
    kpl.add_argument("product", metavar="PRODUCT", help="a cut-out PNG, a product photo on a plain background, or an asset id")
    where = kpl.add_mutually_exclusive_group()
    where.add_argument("--zone", type=int, metavar="N", help="use zone N from `studio kata analyze`")
    where.add_argument("--at", metavar="X,Y", help="stand the product's base at this pixel (manual placement)")
    kpl.add_argument("--height-m", type=float, metavar="H", help="the product's real height in metres (default: by category)")
    kpl.add_argument("--category", default="bottle", help="bottle, can, cup, jar, box, bag, shoe, plant, chair, lamp, ...")
    kpl.add_argument("--out", required=True, metavar="OUT.png", help="where to write the composite")
    kpl.add_argument("--save", action="store_true", help="also store the placement as a recipe in the library (importing scene and product files as assets)")
    kba = kata.add_parser("batch", parents=[common], help="every product in every scene at its best zone, plus a contact sheet")
    kba.add_argument("--products", nargs="+", required=True, metavar="P", help="product image files or asset ids")
    kba.add_argument("--scenes", nargs="+", required=True, metavar="S", help="scene image files or asset ids")
    kba.add_argument("--out", required=True, metavar="DIR")
    kba.add_argument("--height-m", type=float, metavar="H")
    kba.add_argument("--category", default="bottle")
    cli_kata_track.add_parser(kata, common)

    cli_export.add_parsers(sub, common, _Parser)
    cli_compliance.add_parsers(sub, common, _Parser)
    cli_analytics.add_parsers(sub, common, _Parser)
    cli_brief.add_parsers(sub, common, _Parser)
    cli_calendar.add_parsers(sub, common, _Parser)
    cli_publish.add_parsers(sub, common, _Parser)
    cli_research.add_parsers(sub, common, _Parser)
    cli_review.add_parsers(sub, common, _Parser)

    library = sub.add_parser("library", help="check, back up and share the library").add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    chk = library.add_parser("check", parents=[common], help="integrity, foreign keys, schema revision, media files and hashes")
    chk.add_argument("--no-hashes", action="store_true", help="check that media files exist, without rehashing them")
    bak = library.add_parser("backup", parents=[common], help="write a consistent copy of library.db to DEST")
    bak.add_argument("dest", metavar="DEST", help="a file, or a folder to put a timestamped copy in")
    cli_library.add_parsers(library, common)
    return parser


def open_library(args):
    """Own the library if nobody else does; beside an open studio window, work as its guest.
    A team library whose server cannot be reached opens from its offline copy, read-only."""
    from studio.core.library import Library, open_offline_copy
    from studio.core.team import LibraryLoginFailed, LibraryUnreachable

    def opened(secrets=None):
        try:
            return Library.open(args.library, secrets=secrets)
        except LibraryLocked:
            return Library.open(args.library, lock=False, secrets=secrets)

    try:
        try:
            return opened()
        except LibraryLoginFailed:
            from studio.cli_pull import unlocked_secrets
            from studio.core.secrets import SecretStore

            if not SecretStore().needs_master_password:
                raise
            return opened(unlocked_secrets())  # the login may be in the locked key store: unlock it and try again
    except LibraryUnreachable as unreachable:
        if unreachable.offline_copy is None:
            raise
        print(f"warning: {unreachable}", file=sys.stderr)
        return open_offline_copy(unreachable)


def _print(args, document, text: str) -> None:
    if args.json:
        json.dump(document, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(text)


def cmd_demo(args) -> int:
    from studio.core.demo import build_demo

    with open_library(args) as lib:
        summary = build_demo(lib)
    _print(args, {"library": str(lib.root), **summary}, f"Demo library ready in {lib.root}")
    return 0


def cmd_assets_import(args) -> int:
    from studio.core.assets import importer
    from studio.core.jobs import worker_pool
    from studio.core.ops.organize import find_or_create_campaign

    missing = [p for p in args.paths if not Path(p).exists()]
    if len(missing) == len(args.paths):
        raise BadInput(f"Nothing to import: {', '.join(missing)} not found.")
    with open_library(args) as lib:
        campaign_id = find_or_create_campaign(lib, args.campaign) if args.campaign else None
        state = progress_state(quiet=args.json)
        with worker_pool() as pool:
            report = importer.run(importer.ImportParams(str(lib.root), args.paths, campaign_id), state, lib=lib, pool=pool)
    if not args.json:
        print(file=sys.stderr)
    lines = [f"Imported {len(report.imported)} file(s), skipped {len(report.skipped)}."]
    lines += [f"  skipped {s['path']}: {s['reason']}" for s in report.skipped]
    _print(args, {"imported": report.imported, "skipped": report.skipped}, "\n".join(lines))
    return 0


def cmd_assets_list(args) -> int:
    from dataclasses import asdict

    from studio.core.queries import AssetFilter, list_assets
    from sqlalchemy import select

    from studio.core.db.models import Campaign

    with open_library(args) as lib:
        filt = AssetFilter(kinds=(args.kind,) if args.kind else (), trashed=args.trash)
        if args.campaign:
            with lib.read() as conn:
                found = conn.execute(select(Campaign.id).where(Campaign.name == args.campaign)).scalar()
            if found is None:
                raise BadInput(f"There is no campaign called {args.campaign!r}.")
            filt.campaign_id = found
        assets = list_assets(lib, filt)
    rows = [asdict(a) for a in assets]
    text = "\n".join(f"{a.id:>6}  {a.kind:<5}  {a.width or '':>5}x{a.height or '':<5}  {a.name}" for a in assets) or "The library has no assets."
    _print(args, rows, text)
    return 0


def cmd_library_check(args) -> int:
    from studio.core.check import check_library

    with open_library(args) as lib:
        report = check_library(lib, hashes=not args.no_hashes)
    problems = len(report["media"]["missing"]) + len(report["media"]["hash_mismatch"]) + len(report["foreign_key_problems"])
    text = f"{report['library']}: {'ok' if report['ok'] else 'PROBLEMS FOUND'} — {report['media']['assets']} assets, integrity {report['integrity_check'][0]}, schema {report['schema']['revision']}, {problems} problem(s)"
    _print(args, report, text)
    return 0 if report["ok"] else 1


def cmd_library_backup(args) -> int:
    from datetime import datetime

    dest = Path(args.dest).expanduser()
    with open_library(args) as lib:
        if dest.is_dir():
            dest = dest / f"library-{datetime.now():%Y%m%d-%H%M%S}.db"
        elif not dest.parent.is_dir():
            raise BadInput(f"The folder {dest.parent} does not exist; create it or give another DEST.")
        written = lib.backup(dest)
    _print(args, {"backup": str(written), "bytes": written.stat().st_size}, f"Backed up to {written}")
    return 0


def cmd_compositions_list(args) -> int:
    from studio.core.timeline.store import list_compositions

    with open_library(args) as lib:
        infos = list_compositions(lib)
    rows = [{"id": c.id, "name": c.name, "campaign_id": c.campaign_id, "width": c.width, "height": c.height,
             "fps": c.fps, "duration_s": round(c.duration_s, 3)} for c in infos]
    text = "\n".join(f"{c.id:>6}  {c.width:>5}x{c.height:<5}  {c.fps:g} fps  {c.duration_s:6.2f} s  {c.name}" for c in infos) or "The library has no compositions."
    _print(args, rows, text)
    return 0


def cmd_compositions_import(args) -> int:
    from studio.core.ops.compositions import create_composition
    from studio.core.timeline.otio_io import import_otio

    composition = import_otio(Path(args.file))
    with open_library(args) as lib:
        composition_id = create_composition(lib, composition).value
    doc = {"id": composition_id, "name": composition.name, "tracks": len(composition.tracks), "clips": sum(1 for _ in composition.clips())}
    _print(args, doc, f"Imported {args.file} as composition {composition_id} ({doc['clips']} clips)")
    return 0


def cmd_compositions_export(args) -> int:
    from studio.core.render.media import MediaResolver
    from studio.core.timeline.otio_io import export_otio
    from studio.core.timeline.store import load_composition

    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise BadInput(f"The folder {out.parent} does not exist; create it or give another path.")
    with open_library(args) as lib:
        written = export_otio(load_composition(lib, args.composition_id), MediaResolver(lib).path, out)
    _print(args, {"path": str(written)}, f"Wrote {written}")
    return 0


def cmd_compositions_variant(args) -> int:
    from studio.core.ops.compositions import save_composition
    from studio.core.render.media import MediaResolver
    from studio.core.timeline.reframe import add_variant
    from studio.core.timeline.store import load_composition

    with open_library(args) as lib:
        composition = add_variant(load_composition(lib, args.composition_id), args.aspect, MediaResolver(lib).path)
        save_composition(lib, args.composition_id, composition, f"Add {args.aspect} variant")
    variant = next(v for v in composition.variants if v.name == args.aspect)
    doc = {"id": args.composition_id, "variant": variant.name, "width": variant.width, "height": variant.height, "reframed_clips": len(variant.overrides)}
    _print(args, doc, f"Composition {args.composition_id} now has a {variant.name} variant ({variant.width}x{variant.height}, {len(variant.overrides)} clips reframed)")
    return 0


def cmd_render(args) -> int:
    import contextlib

    from studio.core.render.encode import RenderParams, render

    if len(args.composition) > 1 or args.cluster:
        return _render_batch(args)
    ref = args.composition[0]
    composition = _otio_composition(ref)
    with open_library(args) if _needs_library(composition) else contextlib.nullcontext() as lib:
        composition = _render_composition(ref, composition, lib, args.variant)
        if args.frame is not None:
            return _render_still(args, composition, lib, args.out or f"{_render_stem(composition)}-{args.frame}.png")
        state = progress_state(quiet=args.json)
        params = RenderParams(str(lib.root) if lib else None, composition.to_document(), args.out or f"{_render_stem(composition)}.mp4", args.preset)
        result = render(params, state, lib=lib)
    if not args.json:
        print(file=sys.stderr)
    _print(args, result, _rendered_text(result))
    return 0


def _render_batch(args) -> int:
    """Several compositions (or one on a cluster) as one batch: a task each on worker processes or the cluster."""
    import contextlib
    import os

    from studio.core.jobs import open_pool
    from studio.core.render.encode import RenderParams, render_all

    if args.frame is not None:
        raise BadInput("--frame writes a still of one composition here; give one composition and leave out --cluster.")
    sources = [(ref, _otio_composition(ref)) for ref in args.composition]
    with open_library(args) if any(_needs_library(c) for _, c in sources) else contextlib.nullcontext() as lib:
        compositions = [_render_composition(ref, c, lib, args.variant) for ref, c in sources]
        outs = _batch_outs(args.out, compositions)
        params = [RenderParams(str(lib.root) if lib else None, c.to_document(), str(out), args.preset) for c, out in zip(compositions, outs)]
        state = progress_state(quiet=args.json)
        with open_pool(args.cluster, min(len(params), os.cpu_count() or 2)) as pool:
            results = render_all(params, state, pool)
    if not args.json:
        print(file=sys.stderr)
    _print(args, results, "\n".join(_rendered_text(r) for r in results))
    return 0


def _batch_outs(out: str | None, compositions) -> list[Path]:
    """One composition: --out is its file. Several: --out (default: here) is the folder for them all,
    each file named after its composition (numbered where names repeat)."""
    stems = [_render_stem(c) for c in compositions]
    if len(compositions) == 1:
        return [Path(out or f"{stems[0]}.mp4")]
    folder = Path(out or ".").expanduser()
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} is a file; with several compositions --out is the folder to render them into.")
    folder.mkdir(parents=True, exist_ok=True)
    return [folder / (f"{stem}-{i + 1}.mp4" if stems.count(stem) > 1 else f"{stem}.mp4") for i, stem in enumerate(stems)]


def _otio_composition(ref: str):
    """The composition in an .otio file; None for a composition id (read from the library later)."""
    if ref.isdigit():
        return None
    from studio.core.timeline.otio_io import import_otio

    if not Path(ref).is_file():
        raise BadInput(f"{ref} is neither a composition id nor an .otio file; `studio compositions list` shows the ids.")
    return import_otio(Path(ref))


def _needs_library(composition) -> bool:
    """A library is needed for an id, and for an OTIO file whose clips name library assets or Kata recipes."""
    from studio.core.timeline.model import KataClip, MediaClip

    return composition is None or any((isinstance(c, MediaClip) and c.asset_id is not None) or isinstance(c, KataClip)
                                      for _, c in composition.clips())


def _render_composition(ref: str, composition, lib, variant: str | None):
    if composition is None:
        from studio.core.timeline.store import load_composition

        composition = load_composition(lib, int(ref))
    return composition.for_variant(variant)


def _render_stem(composition) -> str:
    import re

    return re.sub(r"[^\w.-]+", "-", composition.name).strip("-.") or "render"


def _rendered_text(result: dict) -> str:
    loud = "silent" if result["loudness_lufs"] is None else f"{result['loudness_lufs']:.1f} LUFS, true peak {result['true_peak_dbtp']:.1f} dBTP"
    return (f"Rendered {result['path']}\n  {result['width']}x{result['height']}, {result['fps']:g} fps, {result['frames']} frames, "
            f"{result['duration_s']:.2f} s, {result['bytes']:,} bytes\n  {result['video_codec']}; {result['audio_codec']}\n"
            f"  audio {loud}\n  rendered in {result['render_s']:.1f} s")


def _render_still(args, composition, lib, out) -> int:
    import time

    from studio.core.render.media import MediaResolver
    from studio.core.render.still import write_still

    started = time.perf_counter()
    path = write_still(composition, MediaResolver(lib), args.frame, out)
    result = {"path": str(path), "frame": args.frame, "width": composition.width, "height": composition.height,
              "bytes": path.stat().st_size, "render_s": round(time.perf_counter() - started, 3)}
    _print(args, result, f"Wrote frame {args.frame} ({composition.width}x{composition.height}, {result['bytes']:,} bytes) to {path}")
    return 0


MIN_PRODUCT_PX = 8  # a manual placement smaller than this is a mistake, not a product


def _kata_file(ref: str, lib, kind: str = "an image") -> Path:
    """A scene, video or product given as a file path, or as an asset id in the library."""
    if ref.isdigit():
        from studio.core.ops.kata import library_resolver

        return library_resolver(lib)(int(ref))
    path = Path(ref).expanduser()
    if not path.is_file():
        raise BadInput(f"{ref} is neither {kind} file nor an asset id; `studio assets list` shows the ids.")
    return path


def _kata_library(args, *refs):
    import contextlib

    return open_library(args) if any(r.isdigit() for r in refs) else contextlib.nullcontext()


def _kata_asset_id(lib, ref: str, path: Path) -> int:
    """ref's asset id: itself when it is one, else the id of path imported into the library
    (or of the asset already holding the same file)."""
    if ref.isdigit():
        return int(ref)
    from studio.core.assets import importer
    from studio.core.jobs import JobState

    report = importer.run(importer.ImportParams(str(lib.root), [str(path)], None), JobState(), lib=lib)
    if report.imported:
        return report.imported[0]["id"]
    skipped = report.skipped[0]
    if skipped.get("asset_id"):
        return skipped["asset_id"]
    raise BadInput(f"{path} could not be imported into the library ({skipped['reason']}), so the recipe was not saved.")


def _save_kata_recipe(args, scene: tuple[str, Path], product_path: Path, zone, placement, params, *, video=None,
                      measurements=None) -> int:
    """Keep a placement as a recipe; scene: (the reference as given, its file). A placement in a
    video also brings its track (video) and the tracked layer's measurements, whose
    clean plate is stored beside the recipe."""
    from studio.core.ops.kata import create_recipe
    from studio.kata.recipe import PlacementSpec, Recipe

    with open_library(args) as lib:
        recipe = Recipe(
            name=f"{_shown_stem(lib, args.product, product_path)} in {_shown_stem(lib, *scene)}",
            scene=_kata_asset_id(lib, scene[0], scene[1]), product=_kata_asset_id(lib, args.product, product_path),
            zone_id=zone.id if zone else None,
            placement=PlacementSpec(x=placement.x, y=placement.y, height_px=placement.height_px, rotation_deg=placement.rotation_deg),
            height_m=args.height_m, category=args.category, params=params.model_dump(), video=video,
        )
        if measurements is not None:
            from studio.core.kata_video.clip import save_plate

            save_plate(lib.root, video, measurements)
        return create_recipe(lib, recipe).value


def _shown_stem(lib, ref: str, path: Path) -> str:
    """What to call a file in a recipe's name: its asset's name when it was given as an asset id (the
    library keeps media under content hashes), else its own."""
    if ref.isdigit():
        from studio.core.queries import get_asset

        return Path(get_asset(lib, int(ref)).name).stem
    return path.stem


def progress_state(quiet: bool = False):
    """A job state that shows its status and percent on one line of stderr (quiet: shows nothing,
    for --json)."""
    from studio.core.jobs import JobState

    if quiet:
        return JobState()
    state = JobState(lambda: print(f"\r{state.status}: {int((state.progress or 0) * 100)}%", end="", file=sys.stderr, flush=True))
    return state


def _no_zone(scene) -> BadInput:
    return BadInput(f"No plausible place for the product in {scene}: no table, shelf or floor was found where it could stand. "
                    "Place it by hand with --at X,Y (the pixel where its base should stand).")


def cmd_kata_analyze(args) -> int:
    from studio.kata.analysis import analyze
    from studio.kata.images import load_rgb
    from studio.kata.placement import find_zones, stand_in

    with _kata_library(args, args.scene) as lib:
        scene_path = _kata_file(args.scene, lib)
    analysis = analyze(load_rgb(scene_path))
    zones, _heat = find_zones(analysis, stand_in(args.category, args.height_m))
    doc = {
        "scene": str(scene_path), "width": analysis.size[0], "height": analysis.size[1],
        "faces": [{"box": list(f.box), "score": round(f.score, 3)} for f in analysis.faces],
        "horizon_y": round(analysis.horizon_y, 1), "camera_height_m": round(analysis.camera_height_m, 2),
        "surfaces": [{"kind": s.kind, "box": list(s.box), "height_m": s.height_m} for s in analysis.surfaces],
        "depth_source": analysis.depth_source, "zones": [z.as_dict() for z in zones],
    }
    lines = [(f"{scene_path}: {analysis.size[0]}x{analysis.size[1]}, horizon at y={analysis.horizon_y:.0f}, "
              f"{len(analysis.faces)} face(s), {len(analysis.surfaces)} surface(s)")]
    lines += [f"  zone {z.id}: {z.surface} at ({z.contact[0]:.0f},{z.contact[1]:.0f}), {z.height_px:.0f} px tall, score {z.score:.0f}" for z in zones]
    if not zones:
        lines.append("  " + str(_no_zone(scene_path)))
    _print(args, doc, "\n".join(lines))
    return 0


def cmd_kata_place(args) -> int:
    from PIL import Image

    from studio.kata.analysis import analyze
    from studio.kata.compose import ComposeParams, composite
    from studio.kata.images import load_rgb
    from studio.kata.product import load_product
    from studio.kata.score import score

    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise BadInput(f"The folder {out.parent} does not exist; create it or give another --out.")
    with _kata_library(args, args.scene, args.product) as lib:
        scene_path, product_path = _kata_file(args.scene, lib), _kata_file(args.product, lib)
    scene = load_rgb(scene_path)
    product = load_product(product_path, height_m=args.height_m, category=args.category)
    analysis = analyze(scene)
    placement, zone = _choose_placement(args, analysis, product, scene_path)
    params = ComposeParams()
    result = composite(scene, product, placement, params, depth=analysis.depth, light_dir=analysis.light_dir,
                       vertical_vp=analysis.vertical_vanishing_point())
    tmp = out.with_name(f".{out.name}.partial")
    Image.fromarray(result.image).save(tmp, format="PNG")
    tmp.replace(out)
    rating = score(analysis, product, placement, result)
    recipe_id = _save_kata_recipe(args, (args.scene, scene_path), product_path, zone, placement, params) if args.save else None
    doc = {"out": str(out), "zone": zone.as_dict() if zone else None, "box": list(result.box),
           "placement": {"x": placement.x, "y": placement.y, "height_px": round(placement.height_px, 1)},
           "recipe_id": recipe_id, **rating.as_dict()}
    text = "\n".join([f"Wrote {out}", f"  {'zone ' + str(zone.id) if zone else 'placed by hand'}, product box {tuple(result.box)}, score {rating.total:.0f}/100"]
                     + [f"  flag: {f}" for f in rating.flags] + [f"  - {r}" for r in rating.reasons]
                     + ([f"Saved as Kata recipe {recipe_id}"] if recipe_id else []))
    _print(args, doc, text)
    return 0


def _choose_placement(args, analysis, product, scene) -> tuple:
    """(Placement, Zone | None) from --at X,Y (by hand) or --zone K (default: the best zone)."""
    from studio.kata.compose import Placement
    from studio.kata.placement import find_zones, placement_for, scale_at

    if args.at:
        x, y = _point(args.at, analysis.size)
        surface = analysis.surface_at(x, y)
        ppm, _geometric = scale_at(analysis, x, y, surface.height_m if surface else 0.0)
        if ppm <= 0:
            raise BadInput(f"({x:g},{y:g}) is above the scene's horizon (y={analysis.horizon_y:.0f}), so nothing can stand there; choose a point lower down.")
        if product.height_m * ppm < MIN_PRODUCT_PX:
            raise BadInput(f"At ({x:g},{y:g}), just below the horizon, the product would be under {MIN_PRODUCT_PX} px tall; choose a point lower down.")
        return Placement(x=x, y=y, height_px=product.height_m * ppm), None
    zones, _heat = find_zones(analysis, product)
    if not zones:
        raise _no_zone(scene)
    zone = zones[0] if args.zone is None else next((z for z in zones if z.id == args.zone), None)
    if zone is None:
        raise BadInput(f"There is no zone {args.zone}; this scene has zones {', '.join(str(z.id) for z in zones)}.")
    return placement_for(zone, product), zone


def _point(text: str, size) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise BadInput(f"--at {text!r} is not a point; write it as X,Y in pixels, e.g. --at 640,900.") from None
    if not (0 <= x < size[0] and 0 <= y < size[1]):
        raise BadInput(f"--at {text} lies outside the {size[0]}x{size[1]} scene; choose a point inside it.")
    return x, y


def cmd_kata_batch(args) -> int:
    from studio.kata.batch import BatchParams, run

    with _kata_library(args, *args.products, *args.scenes) as lib:
        products = [str(_kata_file(p, lib)) for p in args.products]
        scenes = [str(_kata_file(s, lib)) for s in args.scenes]
    state = progress_state()
    result = run(BatchParams(scenes, products, args.out, args.category, args.height_m), state)
    print(file=sys.stderr)
    placed = sum(1 for p in result["pairs"] if p["path"])
    lines = [f"Placed {placed} of {len(result['pairs'])} pairs; contact sheet {result['contact_sheet']}"]
    lines += [f"  {Path(p['scene']).name} + {Path(p['product']).name}: {p['reason']}" for p in result["pairs"] if not p["path"]]
    _print(args, result, "\n".join(lines))
    return 0


COMMANDS = {
    ("demo", None): cmd_demo,
    ("assets", "import"): cmd_assets_import,
    ("assets", "list"): cmd_assets_list,
    ("library", "check"): cmd_library_check,
    ("library", "backup"): cmd_library_backup,
    ("compositions", "list"): cmd_compositions_list,
    ("compositions", "import"): cmd_compositions_import,
    ("compositions", "export"): cmd_compositions_export,
    ("compositions", "variant"): cmd_compositions_variant,
    ("render", None): cmd_render,
    ("kata", "analyze"): cmd_kata_analyze,
    ("kata", "place"): cmd_kata_place,
    ("kata", "batch"): cmd_kata_batch,
    ("kata", "track"): cli_kata_track.cmd_kata_track,
    **cli_export.COMMANDS,
    **cli_compliance.COMMANDS,
    **cli_analytics.COMMANDS,
    **cli_brief.COMMANDS,
    **cli_calendar.COMMANDS,
    **cli_publish.COMMANDS,
    **cli_research.COMMANDS,
    **cli_review.COMMANDS,
    **cli_library.COMMANDS,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.library = getattr(args, "library", None)
    args.json = getattr(args, "json", False)
    if args.command is None:
        from studio.app import run  # the window; only here is Qt imported

        return run(library=args.library, screenshot=args.screenshot, workspace=args.workspace)
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    try:
        return COMMANDS[(args.command, getattr(args, "action", None))](args)
    except StudioError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 1
    except Exception as exc:  # noqa: BLE001 - a message, not a traceback, for the user
        log.debug("unexpected failure", exc_info=True)
        sys.stderr.write(f"error: unexpected failure ({type(exc).__name__}: {exc})\n")
        return 1
