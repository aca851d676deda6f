"""`studio calendar`: the publishing calendar's posts and channels, CSV import and export, and
iCal export (registered by studio.cli)."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import date, datetime

from studio.core.errors import BadInput

PLATFORMS = ("meta", "google", "tiktok", "linkedin", "x")  # ops.publishing.PLATFORMS, without importing it here


def add_parsers(sub, common, parser_class) -> None:
    cal = sub.add_parser("calendar", help="the publishing calendar: posts, channels, CSV and iCal").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    ls = cal.add_parser("list", parents=[common], help="the posts from one day to another, in each channel's time zone, with warnings")
    ls.add_argument("--from", dest="date_from", required=True, type=_day, metavar="YYYY-MM-DD", help="first day")
    ls.add_argument("--to", dest="date_to", required=True, type=_day, metavar="YYYY-MM-DD", help="last day (included)")
    ls.add_argument("--campaign", metavar="NAME_OR_ID", help="only this campaign's posts")
    ex = cal.add_parser("export", parents=[common], help="a campaign's calendar as iCal, or the schedule as CSV")
    ex.add_argument("--campaign", metavar="NAME_OR_ID", help="the campaign (needed for --ics)")
    ex.add_argument("--from", dest="date_from", type=_day, metavar="YYYY-MM-DD", help="CSV: first day (with --to, instead of or within a campaign)")
    ex.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD", help="CSV: last day (included)")
    fmt = ex.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--ics", metavar="OUT.ics", help="write the campaign's posts as an iCalendar file")
    fmt.add_argument("--csv", metavar="OUT.csv", help="write the schedule as CSV (it imports again)")
    im = cal.add_parser("import", parents=[common], help="add a bulk schedule from CSV as draft posts (all rows or none)")
    im.add_argument("file", metavar="FILE.csv", help="columns: channel, title, local_time, kind, asset, composition, spec, "
                    "and copy fields (headline, primary_text, description, ...)")
    im.add_argument("--campaign", required=True, metavar="NAME_OR_ID")
    ch = cal.add_parser("channels", parents=[common], help="the accounts posts go out on, with their time zones")
    ch.add_argument("--brand", metavar="NAME_OR_ID", help="only this brand's channels")
    add = cal.add_parser("add-channel", parents=[common], help="add a brand's account on a platform")
    add.add_argument("--brand", required=True, metavar="NAME_OR_ID")
    add.add_argument("--platform", required=True, choices=PLATFORMS)
    add.add_argument("--name", required=True, help='what the calendar calls it, e.g. "Kestrel Coffee (Facebook page)"')
    add.add_argument("--account", required=True, help="the platform's id: a page or act_ id, a customer id")
    add.add_argument("--timezone", required=True, metavar="ZONE", help="the account's IANA time zone, e.g. Europe/London")
    add.add_argument("--min-gap", type=int, default=120, metavar="MINUTES", help="closer posts on the channel are flagged (default 120)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-03-28") from None


def _doc(item) -> dict:
    """A dataclass as JSON-ready data, with times in ISO 8601."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in dataclasses.asdict(item).items()}


def _campaign_id(lib, ref) -> int | None:
    from studio.core.export.plan import find_campaign

    return find_campaign(lib, ref)[0] if ref is not None else None


def _post_line(p) -> str:
    when = f"{p.local_time:%Y-%m-%d %H:%M} {p.timezone}" if p.local_time else "(no time yet)"
    lines = [f"{p.id:>4}  {when:<32} {p.shown_status.replace('_', ' '):<10} {p.channel_name} ({p.platform}): {p.title}"]
    lines += [f"        {w.severity}: {w.kind}: {w.message}" for w in p.warnings]
    if p.error:
        lines.append(f"        failed: {p.error}")
    return "\n".join(lines)


def cmd_calendar_list(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.publishing.calendar import list_posts

    with open_library(args) as lib:
        posts = list_posts(lib, args.date_from, args.date_to, campaign_id=_campaign_id(lib, args.campaign))
    empty = f"No posts from {args.date_from} to {args.date_to}; `studio calendar import FILE.csv --campaign NAME` adds a schedule."
    _print(args, [_doc(p) | {"shown_status": p.shown_status} for p in posts], "\n".join(map(_post_line, posts)) or empty)
    return 0


def cmd_calendar_export(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.publishing.csv_io import export_csv
    from studio.core.publishing.ical import export_ical

    if (args.date_from is None) != (args.date_to is None):
        raise BadInput("Give both --from and --to, or neither.")
    with open_library(args) as lib:
        if args.ics:
            if args.campaign is None:
                raise BadInput("An iCal export is one campaign's calendar: give --campaign NAME.")
            if args.date_from is not None:
                raise BadInput("An iCal export holds the whole campaign; --from and --to go with --csv.")
            out, what = export_ical(lib, args.campaign, args.ics), "iCal"
            count = None
        else:
            count = export_csv(lib, args.csv, campaign_id=_campaign_id(lib, args.campaign), date_from=args.date_from, date_to=args.date_to)
            out, what = args.csv, "CSV"
    _print(args, {"format": what.lower(), "out": str(out), "posts": count},
           f"Wrote {out}" + (f" ({count} posts)" if count is not None else ""))
    return 0


def cmd_calendar_import(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.publishing.csv_io import import_csv

    with open_library(args) as lib:
        result = import_csv(lib, args.file, args.campaign)
    report = result.value
    lines = [f"Imported {len(report.rows)} posts from {args.file} as drafts (one undo step)."]
    lines += [f"  row {r.line}: {r.title} on {r.channel} at {r.local_time or '(no time yet)'}" + (f" ({r.note})" if r.note else "")
              for r in report.rows]
    _print(args, report.as_dict(), "\n".join(lines))
    return 0


def cmd_calendar_channels(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops.brand_rules import find_brand
    from studio.core.publishing.calendar import list_channels

    with open_library(args) as lib:
        channels = list_channels(lib, find_brand(lib, args.brand)[0] if args.brand else None)
    text = "\n".join(f"{c.id:>4}  {c.platform:<8} {c.account:<20} {c.timezone:<22} {c.name}" for c in channels)
    _print(args, [_doc(c) for c in channels],
           text or "No channels yet: `studio calendar add-channel --brand B --platform meta --name N --account A --timezone Z` adds one.")
    return 0


def cmd_calendar_add_channel(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops.brand_rules import find_brand
    from studio.core.ops.publishing import add_channel
    from studio.core.publishing.calendar import get_channel

    with open_library(args) as lib:
        brand_id, brand = find_brand(lib, args.brand)
        channel = get_channel(lib, add_channel(lib, brand_id, args.platform, args.name, args.account, args.timezone,
                                               min_gap_minutes=args.min_gap).value)
    _print(args, _doc(channel), f"Added channel {channel.id} for {brand}: {channel.name} ({channel.platform}:{channel.account}, {channel.timezone})")
    return 0


COMMANDS = {
    ("calendar", "list"): cmd_calendar_list,
    ("calendar", "export"): cmd_calendar_export,
    ("calendar", "import"): cmd_calendar_import,
    ("calendar", "channels"): cmd_calendar_channels,
    ("calendar", "add-channel"): cmd_calendar_add_channel,
}
