"""Meta ad insights through facebook-business: one row per ad and day, every page of the
account's /insights edge (or, for long ranges, of an asynchronous report run), then one import
batch (source "meta_api").

Conversions and their value come from the `actions` and `action_values` lists: the first of
the configured action types present in a row counts (Meta reports a pixel purchase both as
offsite_conversion.fb_pixel_purchase and as purchase, so adding them would count it twice).
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from studio.core.analytics.connectors import (
    PullParams,
    PullReport,
    days,
    library_job,
    range_progress,
    redact,
    saved_credentials,
    write_pulled,
)
from studio.core.errors import BadInput, StudioError
from studio.core.jobs import JobState

log = logging.getLogger(__name__)

SOURCE = "meta_api"
FIELDS = ["account_name", "account_currency", "campaign_name", "adset_name", "ad_name", "date_start", "spend", "impressions",
          "reach", "clicks", "inline_link_clicks", "actions", "action_values", "video_play_actions"]
PAGE_SIZE = 500
_AUTH = {102, 190}  # session and access-token errors (expired: subcode 463, revoked or password changed: 460, 467)
_RATE = {4, 17, 32, 613, 80000, 80003, 80004}
_PERMISSION = {3, 10, 294}  # and 200-299
_COMPLETED, _FAILED = "Job Completed", ("Job Failed", "Job Skipped")


@dataclass(frozen=True)
class ReportRuns:
    """When a pull asks Meta for an asynchronous report run, and how it waits for one.

    A synchronous /insights request must be answered within Meta's request time limit, and ad-level
    daily rows grow with days × ads, so long ranges fail there ("reduce the amount of data"); a run
    is prepared on Meta's side without that limit but costs a few polls and some queueing. So a
    week or less (the daily refresh) stays synchronous and longer ranges (back-fills, monthly
    reports) go through a run."""

    from_days: int = 8  # ranges of this many days or more use a run
    first_poll: float = 2.0  # seconds between status checks, growing by half each time up to max_poll
    max_poll: float = 30.0
    timeout: float = 3600.0  # a run not prepared by then is given up


REPORT_RUNS = ReportRuns()


def meta_api(access_token: str, endpoint: str | None = None, timeout: float = 60.0):
    """A FacebookAdsApi of its own (not the SDK's global default), at endpoint when given."""
    from facebook_business.api import FacebookAdsApi, FacebookSession

    session = FacebookSession(access_token=access_token, timeout=timeout)
    if endpoint:
        session.GRAPH = endpoint.rstrip("/")
    return FacebookAdsApi(session)


def account_id(text: str) -> str:
    """act_123 from "act_123", "123" or " act_123 "."""
    digits = re.fullmatch(r"(?:act_)?(\d+)", str(text).strip())
    if digits is None:
        raise BadInput(f"{text!r} is not a Meta ad account id; it looks like act_1234567890 (Ads Manager shows it under the account name).")
    return f"act_{digits.group(1)}"


@contextlib.contextmanager
def meta_errors(what: str, token: str):
    """Turn the SDK's failures while doing `what` into messages that say what to do; never the token."""
    import requests
    from facebook_business.exceptions import FacebookRequestError

    try:
        yield
    except FacebookRequestError as exc:
        error = exc.body().get("error", {}) if isinstance(exc.body(), dict) else {}
        # error_user_msg, when Meta gives one, is the sentence written for people ("Your budget is too low.")
        said = redact(str(error.get("error_user_msg") or exc.api_error_message() or exc.http_status()), [token])
        code = exc.api_error_code()
        log.info("Meta refused %s: code %s, %s", what, code, said)
        if code in _AUTH:
            raise StudioError(f"Meta did not accept the access token while {what} (it has expired or was revoked: {said}). "
                              "Make a new system-user token in Meta Business Settings and save it in Settings ▸ Accounts & keys.") from None
        if code in _RATE:
            raise StudioError(f"Meta is limiting requests from this token ({said}) while {what}. Wait an hour, "
                              "or pull a shorter range, and try again.") from None
        if code in _PERMISSION or (code is not None and 200 <= code < 300):
            raise StudioError(f"The token may not read or change this account while {what} ({said}). In Meta Business Settings, give the "
                              "system user access to the ad account with the ads_read (to pull) or ads_management (to change) permission.") from None
        raise StudioError(f"Meta refused {what}: {said} (code {code}).") from None
    except requests.RequestException as exc:
        raise StudioError(f"Meta could not be reached while {what} ({type(exc).__name__}). Check the internet connection "
                          "and try again.") from None


def _first_action(items, types: tuple[str, ...]) -> float | None:
    values = {a.get("action_type"): a.get("value") for a in items or ()}
    return next((float(values[t]) for t in types if t in values), None)


def _fact(row: dict, account: str, types: tuple[str, ...]) -> dict:
    views = row.get("video_play_actions")
    return {
        "platform": "meta", "account": row.get("account_name") or account, "campaign": row.get("campaign_name") or "",
        "ad_group": row.get("adset_name") or "", "ad": row.get("ad_name") or "", "date": row["date_start"],
        "currency": row.get("account_currency") or "", "spend": row.get("spend"), "impressions": row.get("impressions"),
        "reach": row.get("reach"), "clicks": row.get("clicks"), "link_clicks": row.get("inline_link_clicks"),
        "conversions": _first_action(row.get("actions"), types), "conversion_value": _first_action(row.get("action_values"), types),
        "video_views": sum(float(a.get("value") or 0) for a in views) if views else None,
    }


def _query(first, last) -> dict:
    return {"level": "ad", "time_increment": 1, "time_range": {"since": first.isoformat(), "until": last.isoformat()}, "limit": PAGE_SIZE}


def report_run(api, account: str, first, last, state: JobState, runs: ReportRuns, share: tuple[float, float]):
    """Ask Meta to prepare the account's insights as a report run and wait until it has; the
    run's percent moves the job's progress across share. Returns the cursor over its rows."""
    from facebook_business.adobjects.adaccount import AdAccount
    from facebook_business.adobjects.adreportrun import AdReportRun

    fields = AdReportRun.Field
    run = AdAccount(account, api=api).get_insights(fields=FIELDS, params=_query(first, last), is_async=True)
    deadline, delay = time.monotonic() + runs.timeout, runs.first_poll
    while True:
        run.api_get(fields=[fields.async_status, fields.async_percent_completion, fields.error_user_msg, fields.error_message])
        status, percent = run.get(fields.async_status), int(run.get(fields.async_percent_completion) or 0)
        # Meta can say "Job Completed" a moment before the percent reaches 100; rows read then can be missing
        if status == _COMPLETED and percent >= 100:
            return run.get_insights(params={"limit": PAGE_SIZE})
        if status in _FAILED:
            said = run.get(fields.error_user_msg) or run.get(fields.error_message)
            raise StudioError(f"Meta could not prepare the insights report for {account} ({status}{': ' + said if said else ''}). "
                              "Large reports sometimes fail on Meta's side: pull a shorter range (a month at a time), or try again later.")
        if time.monotonic() >= deadline:
            raise StudioError(f"Meta had not finished preparing the insights report for {account} after {_duration(runs.timeout)} "
                              f"(it was at {percent} %). Meta may be busy: try again later, or pull a shorter range.")
        state.set_progress(share[0] + (share[1] - share[0]) * percent / 100)
        state.set_status(f"Meta is preparing the report for {account}: {percent} %")  # shows both at once
        state.cancel_event.wait(delay)  # wakes at once on Cancel
        state.check()
        delay = min(delay * 1.5, runs.max_poll)


def _duration(seconds: float) -> str:
    return f"{round(seconds / 60)} minutes" if seconds >= 120 else f"{seconds:g} seconds"


def read_insights(cursor, account: str, state: JobState, report: PullReport, types: tuple[str, ...],
                  progress: Callable[[str], None]) -> list[dict]:
    """Every row of an insights cursor, page by page; Cancel is checked before each next page."""
    facts = []
    for row in cursor:
        fact = _fact(row.export_all_data(), account, types)
        facts.append(fact)
        progress(fact["date"])
        if len(cursor) == 0:  # this page is used up: the next step requests the next page, if there is one
            report.pages += 1
            state.set_status(f"Meta {account}: page {report.pages}, {len(facts)} rows")
            state.check()
    return facts


def pull_meta(params: PullParams, state: JobState, lib=None, secrets=None, runs: ReportRuns = REPORT_RUNS) -> PullReport:
    """Pull the accounts' ad insights for the range into the library as one import batch."""
    from facebook_business.adobjects.adaccount import AdAccount

    first, last = days(params)
    accounts = [account_id(a) for a in params.accounts]
    token = saved_credentials("meta", secrets)["access_token"]
    api = meta_api(token, params.endpoint)
    report = PullReport("meta", accounts, first.isoformat(), last.isoformat())
    asynchronous = (last - first).days + 1 >= runs.from_days
    parts = 2 * len(accounts) if asynchronous else len(accounts)  # a run's preparation is the first half of its account's share
    rows = []
    for index, account in enumerate(accounts):
        state.check()
        state.set_status(f"Pulling Meta insights for {account}")
        with meta_errors(f"reading the insights of {account}", token):
            if asynchronous:
                share = (0.9 * 2 * index / parts, 0.9 * (2 * index + 1) / parts)
                cursor, part = report_run(api, account, first, last, state, runs, share), 2 * index + 1
            else:
                cursor, part = AdAccount(account, api=api).get_insights(fields=FIELDS, params=_query(first, last)), index
            rows += read_insights(cursor, account, state, report, params.conversion_actions,
                                  range_progress(state, first, last, part, parts))
    return library_job(params, lib, lambda target: write_pulled(target, rows, report, SOURCE, state))
