"""`studio brief`: list, create, show and export briefs (registered by studio.cli)."""

from __future__ import annotations

from studio.core.ai.prompts import CHOICES
from studio.core.briefs.export import FORMATS


def add_parsers(sub, common, parser_class) -> None:
    brief = sub.add_parser("brief", help="creative briefs: list, create, show and export").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    bls = brief.add_parser("list", parents=[common], help="the briefs, newest change first")
    bls.add_argument("--brand", metavar="NAME_OR_ID", help="only this brand's briefs")
    bnew = brief.add_parser("new", parents=[common], help="a new draft brief for a brand")
    bnew.add_argument("--brand", required=True, metavar="NAME_OR_ID")
    bnew.add_argument("--title", required=True)
    bnew.add_argument("--campaign", type=int, metavar="ID", help="the campaign it briefs (one of the brand's)")
    bshow = brief.add_parser("show", parents=[common], help="a brief's sections, deliverables and approvals")
    bshow.add_argument("brief_id", type=int, metavar="ID")
    bexp = brief.add_parser("export", parents=[common], help="write a brief as PDF, DOCX or Markdown")
    bexp.add_argument("brief_id", type=int, metavar="ID")
    bexp.add_argument("--format", required=True, choices=FORMATS)
    bexp.add_argument("--out", required=True, metavar="FILE")
    bcopy = brief.add_parser("copy", parents=[common], help="headline, description… variants for the deliverables' placements, measured and checked")
    bcopy.add_argument("brief_id", type=int, metavar="ID")
    bcopy.add_argument("--count", type=int, default=3, metavar="N", help="variants per copy field (default 3)")
    bcopy.add_argument("--provider", choices=CHOICES, default="auto",
                       help="who writes: the first with a key set (auto), a service, or the offline template writer")


def cmd_brief_list(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.briefs.sections import STATUSES, list_briefs
    from studio.core.ops.brand_rules import find_brand

    with open_library(args) as lib:
        brand_id = find_brand(lib, args.brand)[0] if args.brand else None
        briefs = list_briefs(lib, brand_id=brand_id)
    text = "\n".join(f"{b.id:>4}  {STATUSES[b.status]:<10} {b.brand} / {b.campaign or '-'}: {b.title}" for b in briefs)
    _print(args, [b.as_dict() for b in briefs], text or "No briefs yet: `studio brief new --brand NAME --title TITLE` makes one.")
    return 0


def cmd_brief_new(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops.brand_rules import find_brand
    from studio.core.ops.briefs import create_brief

    with open_library(args) as lib:
        brand_id, brand = find_brand(lib, args.brand)
        brief_id = create_brief(lib, brand_id, args.title, args.campaign).value
    _print(args, {"id": brief_id, "brand_id": brand_id, "title": args.title.strip(), "status": "draft"},
           f"Created brief {brief_id} for {brand}: {args.title.strip()}")
    return 0


def cmd_brief_show(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.briefs.sections import SECTIONS, STATUSES, get_brief

    with open_library(args) as lib:
        brief = get_brief(lib, args.brief_id)
    s = brief.summary
    lines = [f"{brief.title}  [{STATUSES[s.status]}]", f"Brand: {s.brand}   Campaign: {s.campaign or 'none'}"]
    lines += [f"{a.decision.capitalize()} by {a.approver} on {a.at:%Y-%m-%d}" + (f": {a.note}" if a.note else "") for a in brief.approvals]
    for key, title in SECTIONS.items():
        body = brief.sections[key].strip()
        extra = [f"  - {d.spec_id} × {d.count}" + (f": {d.notes}" if d.notes else "") for d in brief.deliverables] if key == "deliverables" else []
        if body or extra:
            lines += ["", f"## {title}", *([body] if body else []), *extra]
    _print(args, brief.as_dict(), "\n".join(lines))
    return 0


def cmd_brief_export(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.briefs.export import export_brief

    with open_library(args) as lib:
        out = export_brief(lib, args.brief_id, args.out, args.format)
    _print(args, {"brief_id": args.brief_id, "format": args.format, "out": str(out)}, f"Wrote {out}")
    return 0


def cmd_brief_copy(args) -> int:
    import sys

    from studio.cli import _print, open_library
    from studio.core.briefs.copywriting import CopyParams, generate_copy
    from studio.core.jobs import JobState

    state = JobState()
    if not args.json and sys.stderr.isatty():
        state = JobState(lambda: print(f"\r{state.status} {int((state.progress or 0) * 100)}%\033[K", end="", file=sys.stderr, flush=True))
    with open_library(args) as lib:
        result = generate_copy(CopyParams(str(lib.root), args.brief_id, args.count, args.provider), state, lib=lib)
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    _print(args, result.as_dict(), _copy_text(result))
    return 0


def _copy_text(result) -> str:
    lines = [f"Copy for {result.title} (written by {result.provider})"]
    for f in result.fields:
        limit = f"{'limit' if f.hard else 'shown up to'} {f.limit}" if f.limit else "no limit"
        lines += ["", f"## {f.placement} · {f.label} ({limit}{', wide characters count as two' if f.wide_counts_double else ''})"]
        for n, v in enumerate(f.variants, 1):
            mark = "ok  " if v.passed else "FAIL"
            lines.append(f"{n:>2}. {mark} {v.length:>3}/{f.limit or '-'}  {v.text}")
            lines += [f"         {x.severity}: {x.message}" for x in v.findings]
        if f.note:
            lines.append(f"    (cut off: {f.note})")
    lines += [f"\nSkipped {spec_id}: {why}" for spec_id, why in result.skipped]
    return "\n".join(lines)


COMMANDS = {
    ("brief", "list"): cmd_brief_list,
    ("brief", "new"): cmd_brief_new,
    ("brief", "show"): cmd_brief_show,
    ("brief", "export"): cmd_brief_export,
    ("brief", "copy"): cmd_brief_copy,
}
