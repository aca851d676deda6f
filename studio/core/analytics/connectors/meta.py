"""Meta ad insights through facebook-business: one row per ad and day, every page of the
account's /insights edge, then one import batch (source "meta_api").

Conversions and their value come from the `actions` and `action_values` lists: the first of
the configured action types present in a row counts (Meta reports a pixel purchase both as
offsite_conversion.fb_pixel_purchase and as purchase, so adding them would count it twice).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable

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


def fetch_insights(api, account: str, first, last, state: JobState, report: PullReport, types: tuple[str, ...],
                   progress: Callable[[str], None]) -> list[dict]:
    """Every ad's daily insights in the range, page by page; Cancel is checked before each next page."""
    from facebook_business.adobjects.adaccount import AdAccount

    params = {"level": "ad", "time_increment": 1, "time_range": {"since": first.isoformat(), "until": last.isoformat()}, "limit": PAGE_SIZE}
    cursor = AdAccount(account, api=api).get_insights(fields=FIELDS, params=params)
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


def pull_meta(params: PullParams, state: JobState, lib=None, secrets=None) -> PullReport:
    """Pull the accounts' ad insights for the range into the library as one import batch."""
    first, last = days(params)
    accounts = [account_id(a) for a in params.accounts]
    token = saved_credentials("meta", secrets)["access_token"]
    api = meta_api(token, params.endpoint)
    report = PullReport("meta", accounts, first.isoformat(), last.isoformat())
    rows = []
    for index, account in enumerate(accounts):
        state.check()
        state.set_status(f"Pulling Meta insights for {account}")
        progress = range_progress(state, first, last, index, len(accounts))
        with meta_errors(f"reading the insights of {account}", token):
            rows += fetch_insights(api, account, first, last, state, report, params.conversion_actions, progress)
    return library_job(params, lib, lambda target: write_pulled(target, rows, report, SOURCE, state))
