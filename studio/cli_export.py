"""`studio spec`, `studio copy` and `studio export`: the ad-spec catalog, a campaign's copy and
ad packages from the command line (registered by studio.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from studio.core.errors import BadInput

CHECK_FAILED = 3  # `spec check` found errors: distinct from bad usage (2) and failure (1)


def add_parsers(sub, common, parser_class) -> None:
    spec = sub.add_parser("spec", help="the ad-placement specs: list, show, check files and copy against them").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    sls = spec.add_parser("list", parents=[common], help="every placement in the catalog (with the library's own entries)")
    sls.add_argument("--platform", choices=["meta", "google", "tiktok", "linkedin", "x"])
    ssh = spec.add_parser("show", parents=[common], help="one placement's rules, each with its source and date")
    ssh.add_argument("spec_id", metavar="SPEC_ID")
    sck = spec.add_parser("check", parents=[common], help="check a file (and copy) against a placement; exit 3 when it fails")
    sck.add_argument("file", metavar="FILE", nargs="?", help="an image or video file")
    sck.add_argument("--spec", required=True, metavar="SPEC_ID")
    sck.add_argument("--copy", metavar="COPY.json", help='copy to check too: {"headline": ["…", "…"], "description": ["…"]}')
    sov = spec.add_parser("override", parents=[common], help="add a placement, or override a shipped one, in the library")
    sov.add_argument("file", metavar="ENTRY.json", help="an entry as `studio spec show ID --json` prints it")
    srm = spec.add_parser("remove", parents=[common], help="remove the library's own entry (an override falls back to the shipped one)")
    srm.add_argument("spec_id", metavar="SPEC_ID")

    copy = sub.add_parser("copy", help="a campaign's ad copy").add_subparsers(dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    cset = copy.add_parser("set", parents=[common], help="set a field's texts (replacing what it had)")
    cset.add_argument("--campaign", required=True, metavar="NAME_OR_ID")
    cset.add_argument("--scope", metavar="PLATFORM_OR_SPEC", help="only for this platform (google) or placement (google.rsa)")
    cset.add_argument("field", metavar="FIELD", help="headline, description, primary_text, final_url, …")
    cset.add_argument("texts", nargs="*", metavar="TEXT")
    cls = copy.add_parser("list", parents=[common], help="the campaign's copy by scope and field")
    cls.add_argument("--campaign", required=True, metavar="NAME_OR_ID")

    export = sub.add_parser("export", help="build ad-spec export packages").add_subparsers(dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    pkg = export.add_parser("package", parents=[common], help="renditions, copy, upload sheets, contact sheet and manifest for a campaign")
    pkg.add_argument("--campaign", required=True, metavar="NAME_OR_ID")
    pkg.add_argument("--platforms", required=True, metavar="LIST", help="comma-separated: meta,google,tiktok,linkedin,x")
    pkg.add_argument("--out", required=True, metavar="DIR", help="the folder the package (and its zip) goes into")
    pkg.add_argument("--specs", metavar="LIST", help="only these placements (default: every placement of the platforms)")
    pkg.add_argument("--skip-blocked", action="store_true", help="leave out renditions that would fail their spec, instead of refusing")
    pkg.add_argument("--no-zip", action="store_true", help="write the folder only")
    pkg.add_argument("--cluster", metavar="ADDRESS", help="make the renditions on the Dask scheduler at ADDRESS (tcp://host:8786), "
                     "or 'local' for worker processes on this computer")


def _catalog(args):
    """The library's catalog when there is a library, the shipped one otherwise."""
    from studio.core.paths import default_library_dir
    from studio.core.specs.catalog import load_catalog, shipped_catalog

    root = Path(args.library or default_library_dir())
    if not (root / "library.db").is_file():
        return shipped_catalog()
    from studio.cli import open_library

    with open_library(args) as lib:
        return load_catalog(lib)


def cmd_spec_list(args) -> int:
    from studio.cli import _print

    catalog = _catalog(args)
    specs = [s for s in catalog.entries.values() if not args.platform or s.platform == args.platform]
    rows = [{"id": s.id, "platform": s.platform, "name": s.name, "media": s.media, "origin": catalog.origins[s.id],
             "unconfirmed": sorted(s.unconfirmed)} for s in specs]
    text = "\n".join(f"{r['id']:<26} {r['media']:<6} {r['name']}" + ("  (library)" if r["origin"] != "shipped" else "") for r in rows)
    _print(args, {"catalog_version": catalog.version, "specs": rows}, f"Spec catalog {catalog.version}\n{text}")
    return 0


def cmd_spec_show(args) -> int:
    from studio.cli import _print

    catalog = _catalog(args)
    spec = catalog.get(args.spec_id)
    document = spec.model_dump(mode="json", exclude_unset=True)
    lines = [f"{spec.name} ({spec.id}, {catalog.origins[spec.id]})"]
    for constraint in spec.constraints_set():
        source = spec.source_for(constraint)
        doubt = f"  UNCONFIRMED: {spec.unconfirmed[constraint]}" if constraint in spec.unconfirmed else ""
        lines.append(f"  {constraint}: {json.dumps(document.get(constraint), ensure_ascii=False)}  [{source.kind}, checked {source.checked}]{doubt}")
    lines += [f"  {k} UNCONFIRMED: {why}" for k, why in spec.unconfirmed.items() if k not in spec.constraints_set()]
    _print(args, document, "\n".join(lines))
    return 0


def cmd_spec_check(args) -> int:
    from studio.cli import _print
    from studio.core.specs.probe import probe_file
    from studio.core.specs.validate import check_copy, check_file, has_errors

    spec = _catalog(args).get(args.spec)
    if args.file is None and args.copy is None:
        raise BadInput("Give a FILE, --copy COPY.json, or both.")
    findings, facts = [], None
    if args.file is not None:
        facts = probe_file(Path(args.file))
        findings += check_file(facts, spec)
    if args.copy is not None:
        findings += check_copy(_read_copy(Path(args.copy)), spec)
    failed = has_errors(findings)
    lines = [f"{'FAILS' if failed else 'passes'} {spec.name}"]
    lines += [f"  {f.severity}: {f.message}\n    fix: {f.hint}" for f in findings]
    _print(args, {"spec": spec.id, "passed": not failed, "file": facts.as_dict() if facts else None,
                  "findings": [f.as_dict() for f in findings]}, "\n".join(lines))
    return CHECK_FAILED if failed else 0


def _read_copy(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInput(f"{path} cannot be read as JSON ({exc}); write it as {{\"headline\": [\"…\"]}}.") from None
    if not isinstance(data, dict) or not all(isinstance(v, (str, list)) for v in data.values()):
        raise BadInput(f"{path} must map each field to a text or a list of texts, e.g. {{\"headline\": [\"…\"]}}.")
    return {k: [v] if isinstance(v, str) else [str(t) for t in v] for k, v in data.items()}


def cmd_spec_override(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.specs.catalog import parse_entry, save_entry, shipped_catalog

    path = Path(args.file)
    if not path.is_file():
        raise BadInput(f"{path} is not a file.")
    spec = parse_entry(path.read_text(encoding="utf-8"))
    with open_library(args) as lib:
        save_entry(lib, spec)
    verb = "Overrode" if spec.id in shipped_catalog().entries else "Added"
    _print(args, {"spec": spec.id, "origin": "library override" if verb == "Overrode" else "library"}, f"{verb} {spec.id} in the library.")
    return 0


def cmd_spec_remove(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.specs.catalog import remove_entry

    with open_library(args) as lib:
        remove_entry(lib, args.spec_id)
    _print(args, {"removed": args.spec_id}, f"Removed the library's entry for {args.spec_id}.")
    return 0


def cmd_copy_set(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.export.plan import find_campaign
    from studio.core.ops.copy import set_copy

    with open_library(args) as lib:
        campaign_id, name = find_campaign(lib, args.campaign)
        set_copy(lib, campaign_id, args.field, args.texts, scope=args.scope)
    _print(args, {"campaign": name, "scope": args.scope, "field": args.field, "texts": args.texts},
           f"{name}: {args.field} {'cleared' if not args.texts else f'set ({len(args.texts)} text(s))'}{f' for {args.scope}' if args.scope else ''}.")
    return 0


def cmd_copy_list(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.export.plan import find_campaign
    from studio.core.ops.copy import campaign_copy

    with open_library(args) as lib:
        campaign_id, name = find_campaign(lib, args.campaign)
        copy = campaign_copy(lib, campaign_id)
    lines = [name] + [f"  [{scope or 'all'}] {field}: {text}" for scope, fields in copy.items() for field, texts in fields.items() for text in texts]
    _print(args, {"campaign": name, "copy": {scope or "all": fields for scope, fields in copy.items()}},
           "\n".join(lines) if copy else f"{name} has no copy yet: `studio copy set --campaign … headline \"…\"`.")
    return 0


def cmd_export_package(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.export.package import PackageParams, build_package
    from studio.core.jobs import JobState, open_pool

    platforms = [p.strip() for p in args.platforms.split(",") if p.strip()]
    specs = [s.strip() for s in args.specs.split(",") if s.strip()] if args.specs else None
    with open_library(args) as lib:
        state = JobState()
        if not args.json:
            state = JobState(lambda: print(f"\r{state.status}: {int((state.progress or 0) * 100)}%\033[K", end="", file=sys.stderr, flush=True))
        params = PackageParams(str(lib.root), args.campaign, platforms, args.out, spec_ids=specs,
                               skip_blocked=args.skip_blocked, make_zip=not args.no_zip)
        with open_pool(args.cluster) as pool:
            result = build_package(params, state, lib=lib, pool=pool)
    if not args.json:
        print(file=sys.stderr)
    lines = [f"Package written: {result['folder']}", f"  manifest {result['manifest']}"]
    if result["zip"]:
        lines.append(f"  zip {result['zip']}")
    lines.append(f"  {result['renditions']} rendition(s) from {result['files_made']} render(s), {result['files']} files, "
                 f"{result['warnings']} warning(s)")
    lines += [f"  left out (fails its spec): {p}" for p in result["left_out"]]
    _print(args, result, "\n".join(lines))
    return 0


COMMANDS = {
    ("spec", "list"): cmd_spec_list,
    ("spec", "show"): cmd_spec_show,
    ("spec", "check"): cmd_spec_check,
    ("spec", "override"): cmd_spec_override,
    ("spec", "remove"): cmd_spec_remove,
    ("copy", "set"): cmd_copy_set,
    ("copy", "list"): cmd_copy_list,
    ("export", "package"): cmd_export_package,
}
