"""`studio analytics`: ingest platform performance reports, list and remove imports, and KPIs
(registered by studio.cli)."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

from studio.core.errors import BadInput

BY = ("platform", "account", "campaign", "ad_group", "ad", "day", "week", "month")


def add_parsers(sub, common, parser_class) -> None:
    analytics = sub.add_parser("analytics", help="performance reports: ingest, imports, KPIs").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    ing = analytics.add_parser("ingest", parents=[common], help="import Meta, Google Ads, TikTok, LinkedIn (or mapped) report files")
    ing.add_argument("files", nargs="+", metavar="FILE", help="CSV, TSV or XLSX report downloads")
    ing.add_argument("--mapping", metavar="MAPPING.json", help='for other sources: {"platform": "…", "columns": {"date": "…", '
                     '"campaign": "…", "spend": "…", …}, "currency": "EUR"}; remembered for files with the same columns')
    ing.add_argument("--currency", metavar="CODE", help="the currency of reports that do not say theirs (e.g. EUR)")
    analytics.add_parser("imports", parents=[common], help="the imported report files, newest last")
    rem = analytics.add_parser("remove-import", parents=[common], help="take an import back out (deletes the facts it wrote)")
    rem.add_argument("batch_id", type=int, metavar="ID", help="an id from `studio analytics imports`")
    kp = analytics.add_parser("kpis", parents=[common], help="CTR, CPC, CPM, CPA, ROAS, conversion rate, frequency, with the period before")
    kp.add_argument("--by", default="platform", metavar="DIMS", help=f"comma-separated, from: {', '.join(BY)} (default platform)")
    kp.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day (default: the first day with data)")
    kp.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day (default: the last day with data)")
    kp.add_argument("--platform", metavar="NAME", help="only this platform (meta, google, tiktok, linkedin, …)")
    kp.add_argument("--no-compare", action="store_true", help="leave out the comparison with the period before")


def _read_mapping(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInput(f"The mapping {path} cannot be read as JSON ({exc}).") from None


def _combined(reports) -> dict:
    """Totals per platform and currency over every imported file, and the overall date range."""
    totals = defaultdict(lambda: defaultdict(float))
    for report in reports:
        for row in report.totals:
            for k, v in row.items():
                if k not in ("platform", "currency") and v is not None:
                    totals[(row["platform"], row["currency"])][k] += v
    days = [d for r in reports if r.imported for d in (r.date_from, r.date_to)]
    return {
        "rows_added": sum(r.rows_added for r in reports), "rows_replaced": sum(r.rows_replaced for r in reports),
        "rows_unchanged": sum(r.rows_unchanged for r in reports), "rows_skipped": sum(len(r.skipped) for r in reports),
        "date_from": min(days, default=None), "date_to": max(days, default=None),
        "totals": [{"platform": p, "currency": c, **{k: round(v, 2) for k, v in t.items()}} for (p, c), t in sorted(totals.items())],
    }


def _failure(report) -> str | None:
    if report.error:
        return report.error
    if report.errors:
        first = "; ".join(f"line {e['line']}, {e['column']}: {e['why']}" for e in report.errors[:5])
        more = f" (and {len(report.errors) - 5} more)" if len(report.errors) > 5 else ""
        return f"{Path(report.file).name} has {len(report.errors)} unreadable value(s), so nothing was imported from it: {first}{more}."
    return None


def cmd_analytics_ingest(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.ingest import IngestParams, ingest
    from studio.core.jobs import JobState

    mapping = _read_mapping(args.mapping) if args.mapping else None
    currency = args.currency.upper() if args.currency else None
    with open_library(args) as lib:
        reports = ingest(IngestParams(str(lib.root), args.files, mapping, currency), JobState(), lib)
    failures = [f for f in map(_failure, reports) if f]
    lines = []
    for r in reports:
        if r.imported:
            lines.append(f"{r.file}: {r.source}, {r.rows_added} added, {r.rows_replaced} replaced, {r.rows_unchanged} already there, "
                         f"{len(r.skipped)} skipped, {r.date_from} to {r.date_to}")
            lines += [f"  skipped line {s['line']}: {s['reason']}" for s in r.skipped]
            lines += [f"  {t['platform']} {t['currency']}: spend {t['spend']}, {t['impressions']} impressions, {t['clicks']} clicks, "
                      f"{t['conversions']} conversions, value {t['conversion_value']}" for t in r.totals]
        else:
            lines.append(f"{r.file}: not imported")
    _print(args, {"files": [dataclasses.asdict(r) for r in reports], **_combined(reports)}, "\n".join(lines))
    for failure in failures:
        sys.stderr.write(f"error: {failure}\n")
    return BadInput.exit_code if failures else 0


def cmd_analytics_imports(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.store import list_imports

    with open_library(args) as lib:
        batches = list_imports(lib)
    text = "\n".join(f"{b.id:>5}  {b.imported_at:%Y-%m-%d %H:%M}  {b.source:<10} {b.date_from} to {b.date_to}  {b.facts:>8} facts  {b.file_name}"
                     for b in batches) or "Nothing imported yet: `studio analytics ingest FILE` imports a report."
    _print(args, [dataclasses.asdict(b) for b in batches], text)
    return 0


def cmd_analytics_remove_import(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.store import remove_import

    with open_library(args) as lib:
        removed = remove_import(lib, args.batch_id)
    _print(args, {"batch_id": args.batch_id, "facts_removed": removed}, f"Removed import {args.batch_id} ({removed} facts)")
    return 0


def _day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{flag} {value!r} is not a date; write it as YYYY-MM-DD, e.g. {flag} 2026-11-01.") from None


def _fmt(value, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def cmd_analytics_kpis(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.kpis import kpis

    by = [d.strip() for d in args.by.split(",") if d.strip()]
    with open_library(args) as lib:
        frame = kpis(lib, by, _day(args.date_from, "--from"), _day(args.date_to, "--to"), args.platform, not args.no_compare)
    rows = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]
    text = "\n".join(
        f"{' / '.join(str(r[d]) for d in by)}  {r['currency']}: spend {r['spend']:.2f}, CTR {_fmt(r['ctr'], '{:.2%}')}, "
        f"CPC {_fmt(r['cpc'], '{:.2f}')}, CPM {_fmt(r['cpm'], '{:.2f}')}, CPA {_fmt(r['cpa'], '{:.2f}')}, ROAS {_fmt(r['roas'], '{:.2f}')}"
        for r in rows) or "No facts in that period: `studio analytics ingest FILE` imports a report."
    _print(args, rows, text)
    return 0


COMMANDS = {
    ("analytics", "ingest"): cmd_analytics_ingest,
    ("analytics", "imports"): cmd_analytics_imports,
    ("analytics", "remove-import"): cmd_analytics_remove_import,
    ("analytics", "kpis"): cmd_analytics_kpis,
}
