"""The `studio` command. With no subcommand it opens the window; every subcommand runs
through studio.core alone (no Qt is imported for them).

Conventions for every subcommand: --library DIR (else STUDIO_LIBRARY, else the user-data
folder); --json prints one JSON document on stdout; exit 0 on success, 2 on bad input or
usage (message on stderr beginning "error:"), 1 on other failures.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from studio import __version__
from studio.core.errors import BadInput, LibraryLocked, StudioError

log = logging.getLogger("studio.cli")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors follow our convention too
        sys.stderr.write(f"error: {message}\n{self.format_usage()}")
        raise SystemExit(2)


def _common() -> argparse.ArgumentParser:
    # SUPPRESS: a subcommand's copy must not overwrite a value given before the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--library", metavar="DIR", default=argparse.SUPPRESS, help="library folder (default: $STUDIO_LIBRARY or the user-data folder)")
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

    library = sub.add_parser("library", help="check and back up the library").add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    chk = library.add_parser("check", parents=[common], help="integrity, foreign keys, schema revision, media files and hashes")
    chk.add_argument("--no-hashes", action="store_true", help="check that media files exist, without rehashing them")
    bak = library.add_parser("backup", parents=[common], help="write a consistent copy of library.db to DEST")
    bak.add_argument("dest", metavar="DEST", help="a file, or a folder to put a timestamped copy in")
    return parser


def open_library(args):
    """Own the library if nobody else does; beside an open studio window, work as its guest."""
    from studio.core.library import Library

    try:
        return Library.open(args.library)
    except LibraryLocked:
        return Library.open(args.library, lock=False)


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
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing as mp

    from studio.core.assets import importer
    from studio.core.jobs import JobState
    from studio.core.ops.organize import find_or_create_campaign

    missing = [p for p in args.paths if not Path(p).exists()]
    if len(missing) == len(args.paths):
        raise BadInput(f"Nothing to import: {', '.join(missing)} not found.")
    with open_library(args) as lib:
        campaign_id = find_or_create_campaign(lib, args.campaign) if args.campaign else None
        state = JobState()
        if not args.json:
            state = JobState(lambda: print(f"\r{state.status}: {int((state.progress or 0) * 100)}%", end="", file=sys.stderr, flush=True))
        with ProcessPoolExecutor(mp_context=mp.get_context("spawn")) as pool:
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


COMMANDS = {
    ("demo", None): cmd_demo,
    ("assets", "import"): cmd_assets_import,
    ("assets", "list"): cmd_assets_list,
    ("library", "check"): cmd_library_check,
    ("library", "backup"): cmd_library_backup,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.library = getattr(args, "library", None)
    args.json = getattr(args, "json", False)
    if args.command is None:
        from studio.app import run  # the window; only here is Qt imported

        return run(library=args.library, screenshot=args.screenshot, workspace=args.workspace)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
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
