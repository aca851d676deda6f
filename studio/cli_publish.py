"""`studio publish due|preflight`: send the scheduled posts that are due to Meta and Google Ads, or
check the ones due soon for what would stop them (registered by studio.cli)."""

from __future__ import annotations

from datetime import datetime

from studio.core.errors import BadInput


def add_parsers(sub, common, parser_class) -> None:
    publish = sub.add_parser("publish", help="publish due posts to Meta and Google Ads; pre-flight checks").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    due = publish.add_parser("due", parents=[common], help="publish every scheduled post that is due (each exactly once)")
    due.add_argument("--dry-run", action="store_true", help="publish nothing; list what would go out")
    pre = publish.add_parser("preflight", parents=[common], help="check the posts due soon: keys, specs, compliance, token expiry")
    pre.add_argument("--hours", type=float, default=24.0, help="look this many hours ahead (default 24)")
    for parser in (due, pre):
        parser.add_argument("--now", metavar="YYYY-MM-DDTHH:MM", help="the UTC time to act as of (default: the clock)")
        parser.add_argument("--meta-endpoint", metavar="URL", help="another address for the Meta Graph API (a proxy or a test server)")
        parser.add_argument("--google-endpoint", metavar="HOST:PORT", help="another address for the Google Ads API")
        parser.add_argument("--google-token-uri", metavar="URL", help="another Google OAuth token endpoint")


def _options(args) -> dict:
    now = None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now).replace(tzinfo=None)
        except ValueError:
            raise BadInput(f"--now {args.now!r} is not a time; write it as YYYY-MM-DDTHH:MM (UTC).") from None
    endpoints = {k: v for k, v in (("meta", args.meta_endpoint), ("google", args.google_endpoint)) if v}
    return {"now": now, "endpoints": endpoints, "google_token_uri": args.google_token_uri}


def cmd_publish_due(args) -> int:
    from studio.cli import _print, open_library
    from studio.cli_pull import unlocked_secrets
    from studio.core.publishing.publisher import publish_due

    options = _options(args)
    secrets = None if args.dry_run else unlocked_secrets()
    with open_library(args) as lib:
        results = publish_due(lib, dry_run=args.dry_run, secrets=secrets, **options)
    lines = [f"{r.outcome.replace('_', ' ')}: post {r.post_id} {r.title!r} ({r.platform}): {r.message}" for r in results]
    _print(args, {"dry_run": args.dry_run, "results": [r.as_dict() for r in results]},
           "\n".join(lines) or "Nothing is due: no scheduled post is waiting to go out.")
    return 1 if any(r.outcome == "failed" for r in results) else 0


def cmd_publish_preflight(args) -> int:
    from studio.cli import _print, open_library
    from studio.cli_pull import unlocked_secrets
    from studio.core.publishing.preflight import preflight_due

    options = _options(args)
    with open_library(args) as lib:
        reports = preflight_due(lib, hours=args.hours, secrets=unlocked_secrets(), **options)
    lines = []
    for report in reports:
        lines.append(f"post {report.post_id} {report.title!r} ({report.platform}, due {report.due_at:%Y-%m-%d %H:%M} UTC): "
                     f"{'ready' if not report.problems else f'{len(report.problems)} problem(s)'}")
        lines += [f"  {p.severity}: {p.message}" for p in report.problems]
    _print(args, {"hours": args.hours, "posts": [r.as_dict() for r in reports]},
           "\n".join(lines) or f"No scheduled post is due in the next {args.hours:g} hours.")
    return 3 if any(p.severity == "error" for r in reports for p in r.problems) else 0


COMMANDS = {("publish", "due"): cmd_publish_due, ("publish", "preflight"): cmd_publish_preflight}
