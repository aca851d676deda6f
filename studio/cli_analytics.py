"""`studio analytics`: ingest platform performance reports, list and remove imports, the stored facts, KPIs,
anomalies, forecasts, attribution, a budget split, A/B test readings and customer segments
(registered by studio.cli)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from studio import cli_actions, cli_pull
from studio.core.errors import BadInput

BY = ("platform", "account", "campaign", "ad_group", "ad", "asset", "day", "week", "month")
MODELS = ("first", "last", "linear", "time_decay", "position", "markov", "shapley")  # attribution.MODELS, without importing it here


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
    fa = analytics.add_parser("facts", parents=[common], help="the stored daily facts, each with the report file and line it came from")
    _period(fa, "the first day with data")
    fa.add_argument("--platform", metavar="NAME", help="only this platform")
    fa.add_argument("--out", metavar="FILE.csv", help="write them to this CSV file (default: print them as CSV, or JSON with --json)")
    kp = analytics.add_parser("kpis", parents=[common], help="CTR, CPC, CPM, CPA, ROAS, conversion rate, frequency, with the period before")
    kp.add_argument("--by", default="platform", metavar="DIMS", help=f"comma-separated, from: {', '.join(BY)} (default platform)")
    kp.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first day (default: the first day with data)")
    kp.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day (default: the last day with data)")
    kp.add_argument("--platform", metavar="NAME", help="only this platform (meta, google, tiktok, linkedin, …)")
    kp.add_argument("--no-compare", action="store_true", help="leave out the comparison with the period before")

    an = analytics.add_parser("anomalies", parents=[common], help="days outside a campaign's usual weekday band, and CPC/CPM level shifts")
    _period(an, "the last four weeks of data")
    an.add_argument("--platform", metavar="NAME", help="only this platform")
    an.add_argument("--metrics", metavar="LIST", help="comma-separated (default: spend, conversions, cpa, ctr, cpc, cpm, roas)")
    fc = analytics.add_parser("forecast", parents=[common], help="the next 14 or 30 days of spend or conversions, with a 90 %% interval")
    fc.add_argument("--metric", choices=["spend", "conversions"], default="spend")
    fc.add_argument("--days", type=int, choices=[14, 30], default=14, help="how far ahead (default 14)")
    fc.add_argument("--by", choices=["platform", "campaign"], help="one forecast per platform or campaign (default: the total)")
    fc.add_argument("--platform", metavar="NAME", help="only this platform")
    at = analytics.add_parser("attribution", parents=[common], help="credit conversions to channels from a journeys file")
    at.add_argument("journeys", metavar="JOURNEYS.csv", help="one row per path (facebook > search, conversions, nulls) or per touch")
    at.add_argument("--model", choices=MODELS, default="markov")
    at.add_argument("--order", type=int, default=1, metavar="N", help="Markov chain order, 1 to 3 (default 1)")
    at.add_argument("--sep", metavar="S", help="the separator inside paths (default: found in the file)")
    bu = analytics.add_parser("budget", parents=[common], help="split a daily budget across platforms or campaigns by their response curves")
    bu.add_argument("--total", required=True, type=_amount, metavar="AMOUNT", help="the daily budget to split")
    bu.add_argument("--min", action="append", default=[], metavar="CH=X", help="a channel's least daily spend (repeatable)")
    bu.add_argument("--max", action="append", default=[], metavar="CH=Y", help="a channel's most daily spend (repeatable)")
    bu.add_argument("--target-roas", type=_amount, metavar="R", help="spend only as much as keeps the return at R or above")
    bu.add_argument("--by", choices=["platform", "campaign"], default="platform", help="what the channels are (default platform)")
    bu.add_argument("--currency", metavar="CODE", help="which currency's spend, when the library holds several")
    _period(bu, "all the data")
    ab = analytics.add_parser("abtest", parents=[common], help="read an A/B test: z-test, chance to beat A, expected loss, split check")
    ab.add_argument("--a", required=True, metavar="CONV/N", help="control: conversions/visitors, e.g. 120/4000")
    ab.add_argument("--b", required=True, metavar="CONV/N", help="variant: conversions/visitors")
    ab.add_argument("--alpha", type=_amount, default=0.05, help="significance level (default 0.05)")
    ab.add_argument("--split", default="50/50", metavar="A/B", help="the planned split, for the sample-ratio check (default 50/50)")
    se = analytics.add_parser("segments", parents=[common], help="RFM and k-means customer segments from an orders CSV")
    se.add_argument("orders", metavar="ORDERS.csv", help="one row per order: customer id, order date, amount")
    se.add_argument("--k", type=int, metavar="N", help="number of k-means clusters (default: chosen by silhouette, 2 to 8)")
    rp = analytics.add_parser("report", parents=[common], help="the period's report: summary, KPI tables and charts, as PDF and HTML")
    rp.add_argument("--out", required=True, metavar="FILE.pdf", help="FILE.pdf or FILE.html; the other is written beside it")
    rp.add_argument("--ai", action="store_true", help="the summary's prose by the AI provider with a key (the numbers stay ours)")
    _period(rp, "30 days before the last day with data")
    cli_pull.add_parsers(analytics, common, parser_class)
    cli_actions.add_parsers(analytics, common, parser_class)


def _period(parser, default: str) -> None:
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help=f"first day (default: {default})")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day (default: the last day with data)")


def _amount(text: str) -> float:
    """An argparse type: its message lands in argparse's `error: argument --total: …` (exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; write it with a dot for decimals, e.g. 1500 or 2.5")
    return value


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


def cmd_analytics_facts(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.store import facts, list_imports

    first, last = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    with open_library(args) as lib:
        frame = facts(lib, first and first.isoformat(), last and last.isoformat(), args.platform)
        files = {b.id: (b.file_name, b.file_sha256) for b in list_imports(lib)}
    frame = frame.sort_values(["date", "platform", "account", "campaign", "ad_group", "ad", "currency"]).drop(columns="entity_id")
    frame["file_name"] = frame["batch_id"].map(lambda b: files[b][0])
    frame["file_sha256"] = frame["batch_id"].map(lambda b: files[b][1])
    frame = frame.rename(columns={"batch_id": "import_id", "source_line": "file_line"})
    if args.out:
        out = Path(args.out)
        partial = out.with_name(out.name + ".part")  # a whole file or none
        frame.to_csv(partial, index=False)
        os.replace(partial, out)
        _print(args, {"facts": len(frame), "file": str(out)}, f"Wrote {len(frame)} facts to {out}")
    elif args.json:
        _print(args, _clean(frame.to_dict("records")), "")
    else:
        sys.stdout.write(frame.to_csv(index=False))
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
    rows = _clean(frame.to_dict("records"))
    text = "\n".join(
        f"{' / '.join(str(r[d]) for d in by)}  {r['currency']}: spend {r['spend']:.2f}, CTR {_fmt(r['ctr'], '{:.2%}')}, "
        f"CPC {_fmt(r['cpc'], '{:.2f}')}, CPM {_fmt(r['cpm'], '{:.2f}')}, CPA {_fmt(r['cpa'], '{:.2f}')}, ROAS {_fmt(r['roas'], '{:.2f}')}"
        for r in rows) or "No facts in that period: `studio analytics ingest FILE` imports a report."
    _print(args, rows, text)
    return 0


def _clean(value):
    """JSON-ready: NaN as null, numpy numbers as plain ones."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def cmd_analytics_anomalies(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.anomalies import METRICS, detect
    from studio.core.analytics.kpis import data_range

    metrics = tuple(m.strip() for m in args.metrics.split(",") if m.strip()) if args.metrics else METRICS
    with open_library(args) as lib:
        found = detect(lib, date_from=_day(args.date_from, "--from"), date_to=_day(args.date_to, "--to"),
                       platform=args.platform, metrics=metrics)
        empty = data_range(lib, args.platform) is None
    text = "\n".join(f"{a.day}  {a.severity:<6} {a.sentence}" for a in found) or (
        "No facts yet: `studio analytics ingest FILE` imports a report." if empty else "Nothing unusual in that period.")
    _print(args, [_clean(dataclasses.asdict(a)) for a in found], text)
    return 0


def cmd_analytics_forecast(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.forecast import forecast

    with open_library(args) as lib:
        frame = forecast(lib, metric=args.metric, horizon=args.days, by=args.by, platform=args.platform)
    rows = _clean(frame.assign(date=frame["date"].dt.date.astype(str)).to_dict("records"))
    keys = [k for k in ("platform", "campaign", "currency") if k in frame.columns]
    text = "\n".join(f"{' / '.join(str(r[k]) for k in keys)}{'  ' if keys else ''}{r['date']}  {r['value']:,.2f}  "
                     f"({r['low']:,.2f} to {r['high']:,.2f})" for r in rows)
    _print(args, rows, text)
    return 0


def cmd_analytics_attribution(args) -> int:
    from studio.cli import _print
    from studio.core.analytics.attribution import attribute, read_journeys

    result = attribute(read_journeys(args.journeys, args.sep), args.model, order=args.order)
    channels = result.as_dict()
    text = "\n".join(f"{ch:<20} {r['conversions']:>12,.2f} conversions  {r['value']:>14,.2f} value" for ch, r in channels.items())
    _print(args, {"model": result.model, "channels": channels}, f"{result.model}:\n{text}")
    return 0


def _limits(pairs: list[str], flag: str) -> dict[str, float]:
    limits = {}
    for pair in pairs:
        channel, sep, amount = pair.rpartition("=")
        if not sep or not channel.strip():
            raise BadInput(f"{flag} {pair!r} needs a channel and an amount, e.g. {flag} meta=200.")
        try:
            limits[channel.strip()] = float(amount)
        except ValueError:
            raise BadInput(f"{flag} {pair!r}: {amount!r} is not an amount; write e.g. {flag} {channel.strip()}=200.") from None
    return limits


def cmd_analytics_budget(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.budget import plan_budget
    from studio.core.analytics.kpis import kpis

    minimum, maximum = _limits(args.min, "--min"), _limits(args.max, "--max")
    with open_library(args) as lib:
        daily = kpis(lib, (args.by, "day"), _day(args.date_from, "--from"), _day(args.date_to, "--to"), compare=False)
    if daily.empty:
        raise BadInput("No facts to fit response curves on: `studio analytics ingest FILE` imports a report.")
    currencies = sorted(daily["currency"].unique())
    currency = args.currency.upper() if args.currency else (currencies[0] if len(currencies) == 1 else None)
    if currency not in currencies:
        raise BadInput(f"The facts are in {', '.join(currencies)}; spend in different currencies cannot be split as one budget. "
                       "Choose one with --currency.")
    daily = daily[daily["currency"] == currency]
    plan = plan_budget(daily, args.total, minimum=minimum, maximum=maximum, target_roas=args.target_roas,
                       date="day", channel=args.by, spend="spend", revenue="conversion_value")
    document = {"currency": currency, "spend": plan.spend, "revenue": plan.revenue, "total_spend": plan.total_spend,
                "total_revenue": plan.total_revenue, "revenue_low": plan.revenue_low, "revenue_high": plan.revenue_high,
                "roas": plan.roas}
    lines = [f"{ch:<20} {plan.spend[ch]:>12,.2f} {currency} a day  → {plan.revenue[ch]:>12,.2f} revenue" for ch in plan.spend]
    lines.append(f"Expected revenue {plan.total_revenue:,.2f} {currency} a day ({plan.revenue_low:,.2f} to {plan.revenue_high:,.2f}), "
                 f"ROAS {plan.roas:.2f} on {plan.total_spend:,.2f} spent")
    _print(args, _clean(document), "\n".join(lines))
    return 0


def _counts(text: str, flag: str) -> tuple[int, int]:
    try:
        conversions, visitors = (int(part) for part in text.split("/"))
    except ValueError:
        raise BadInput(f"{flag} {text!r} is not CONVERSIONS/VISITORS; write it as e.g. {flag} 120/4000.") from None
    return conversions, visitors


def _split(text: str) -> tuple[float, float]:
    try:
        a, b = (float(part) for part in text.split("/"))
    except ValueError:
        raise BadInput(f"--split {text!r} is not a planned split; write it as A/B, e.g. 50/50 or 90/10.") from None
    return a, b


def cmd_analytics_abtest(args) -> int:
    from studio.cli import _print
    from studio.core.analytics.abtest import bayesian, sample_ratio_mismatch, two_proportion_ztest

    (conv_a, n_a), (conv_b, n_b) = _counts(args.a, "--a"), _counts(args.b, "--b")
    if not 0 < args.alpha < 1:
        raise BadInput(f"--alpha must be between 0 and 1 (got {args.alpha:g}); 0.05 is the usual.")
    z = two_proportion_ztest(conv_a, n_a, conv_b, n_b, alpha=args.alpha)
    bayes = bayesian(conv_a, n_a, conv_b, n_b)
    srm = sample_ratio_mismatch([n_a, n_b], _split(args.split))
    document = {"a": {"conversions": conv_a, "visitors": n_a, "rate": conv_a / n_a},
                "b": {"conversions": conv_b, "visitors": n_b, "rate": conv_b / n_b},
                "z_test": dataclasses.asdict(z), "bayesian": dataclasses.asdict(bayes), "srm": dataclasses.asdict(srm)}
    verdict = "significant" if z.significant else "not significant"
    text = "\n".join([
        f"A {conv_a / n_a:.2%} ({conv_a}/{n_a}), B {conv_b / n_b:.2%} ({conv_b}/{n_b}): lift {_fmt(_clean(z.relative_lift), '{:+.1%}')}",
        (f"z-test: z = {z.statistic:.2f}, p = {z.p_value:.4f}, {verdict} at α = {args.alpha:g}; "
         f"difference {z.effect:+.2%} ({z.ci_low:+.2%} to {z.ci_high:+.2%})"),
        (f"Bayesian: B beats A with {bayes.chance_to_beat_control:.1%} chance; expected loss {bayes.expected_loss_b:.3%} "
         f"choosing B, {bayes.expected_loss_a:.3%} keeping A"),
        ("Sample-ratio mismatch: the split is off (p = {:.2g}); check the assignment before reading the result."
         if srm.mismatch else "Split check: fine (p = {:.2g}).").format(srm.p_value)])
    _print(args, _clean(document), text)
    return 0


def cmd_analytics_segments(args) -> int:
    from studio.cli import _print
    from studio.core.analytics.segments import read_orders, segment

    result = segment(read_orders(args.orders), k=args.k)
    records = _clean(result.segments.to_dict("records"))
    clusters = _clean(result.clusters.to_dict("records"))
    lines = [f"{r['name']:<20} {r['size']:>6} customers  value {r['total_value']:>12,.2f} (mean {r['mean_value']:,.2f})  "
             f"→ {', '.join(r['channels'])}" for r in records]
    lines.append(f"k-means: {result.k} clusters (silhouette {result.silhouette:.2f})")
    lines += [f"  cluster {c['cluster']} ({c['name']}): {c['size']} customers, mean value {c['mean_value']:,.2f}" for c in clusters]
    _print(args, {"customers": len(result.customers), "segments": records, "k": result.k,
                  "silhouette": _clean(result.silhouette), "clusters": clusters}, "\n".join(lines))
    return 0


def cmd_analytics_report(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.kpis import data_range
    from studio.core.analytics.report import write_report

    with open_library(args) as lib:
        span = data_range(lib)
        if span is None:
            raise BadInput("There are no facts to report on yet: `studio analytics ingest FILE` imports a report.")
        last = _day(args.date_to, "--to") or span[1]
        first = _day(args.date_from, "--from") or max(span[0], last - timedelta(days=29))
        paths = write_report(lib, first, last, Path(args.out), provider="auto" if args.ai else None)
    _print(args, {"from": first.isoformat(), "to": last.isoformat(), "files": [str(p) for p in paths]},
           "\n".join(f"Wrote {p}" for p in paths))
    return 0


COMMANDS = {
    ("analytics", "ingest"): cmd_analytics_ingest,
    ("analytics", "imports"): cmd_analytics_imports,
    ("analytics", "remove-import"): cmd_analytics_remove_import,
    ("analytics", "facts"): cmd_analytics_facts,
    ("analytics", "kpis"): cmd_analytics_kpis,
    ("analytics", "anomalies"): cmd_analytics_anomalies,
    ("analytics", "forecast"): cmd_analytics_forecast,
    ("analytics", "attribution"): cmd_analytics_attribution,
    ("analytics", "budget"): cmd_analytics_budget,
    ("analytics", "abtest"): cmd_analytics_abtest,
    ("analytics", "segments"): cmd_analytics_segments,
    ("analytics", "report"): cmd_analytics_report,
    **cli_pull.COMMANDS,
    **cli_actions.COMMANDS,
}
