"""`studio analytics pull meta|google`: daily facts from the platforms' APIs into the library, with
the credentials saved in the key store (registered by studio.cli_analytics)."""

from __future__ import annotations

import dataclasses
import getpass
import os
import sys

from studio.core.errors import SecretsUnavailable

PASSWORD_ENV = "STUDIO_MASTER_PASSWORD"


def add_parsers(analytics, common, parser_class) -> None:
    pull = analytics.add_parser("pull", parents=[common], help="pull daily ad facts from the Meta or Google Ads API")
    pull.add_argument("platform", choices=["meta", "google"])
    pull.add_argument("--account", action="append", required=True, metavar="ID",
                      help="an ad account (Meta act_123…) or customer id (Google 123-456-7890); repeat for several")
    pull.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD", help="first day")
    pull.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD", help="last day")
    pull.add_argument("--conversion-action", action="append", metavar="TYPE",
                      help="Meta: the action type counted as a conversion (default offsite_conversion.fb_pixel_purchase, then purchase)")
    pull.add_argument("--endpoint", metavar="URL", help="another address for the platform's API (a proxy or a test server)")


def unlocked_secrets():
    """The user's key store, unlocked: the OS keyring, or the encrypted file with the master password
    from $STUDIO_MASTER_PASSWORD or typed at the terminal."""
    from studio.core.secrets import SecretStore

    store = SecretStore()
    if store.needs_master_password:
        password = os.environ.get(PASSWORD_ENV) or (getpass.getpass("Master password for the key store: ") if sys.stdin.isatty() else "")
        if not password:
            raise SecretsUnavailable(f"The key store is locked: set {PASSWORD_ENV} or run the command in a terminal to type the master password.")
        store.unlock(password)
    return store


def cmd_analytics_pull(args) -> int:
    from studio.cli import _print, open_library
    from studio.cli_analytics import _day
    from studio.core.analytics.connectors import PullParams
    from studio.core.jobs import JobState

    first, last = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    params = PullParams("", args.account, first.isoformat(), last.isoformat(), endpoint=args.endpoint)
    if args.conversion_action:
        params = dataclasses.replace(params, conversion_actions=tuple(args.conversion_action))
    if args.platform == "meta":
        from studio.core.analytics.connectors.meta import pull_meta as pull
    else:
        from studio.core.analytics.connectors.google import pull_google as pull
    secrets = unlocked_secrets()
    state = JobState(lambda: print(f"\r{state.status}: {int((state.progress or 0) * 100)}%", end="", file=sys.stderr, flush=True))
    with open_library(args) as lib:
        report = pull(dataclasses.replace(params, library_root=str(lib.root)), state, lib, secrets)
    print(file=sys.stderr)
    lines = [(f"{report.platform} {', '.join(report.accounts)} {report.date_from} to {report.date_to}: {report.rows} rows in {report.pages} "
              f"page(s), {report.rows_added} added, {report.rows_replaced} replaced, {report.rows_unchanged} already there")]
    lines += [f"  {t['currency']}: spend {t['spend']}, {t['impressions']} impressions, {t['clicks']} clicks, {t['conversions']} conversions, "
              f"value {t['conversion_value']}" for t in report.totals]
    _print(args, dataclasses.asdict(report), "\n".join(lines))
    return 0


COMMANDS = {("analytics", "pull"): cmd_analytics_pull}
