"""Google Ads metrics through google-ads: GoogleAdsService.search_stream with one GAQL query per
customer (one row per ad and day), then one import batch (source "google_ads_api").

Credentials: the developer token and an OAuth client with its refresh token, from the keyring;
the access token is refreshed when the client is built, so a revoked refresh token fails
before any query. Costs come in micros of the account currency.
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
from studio.core.errors import BadInput, Cancelled, StudioError
from studio.core.jobs import JobState

log = logging.getLogger(__name__)

SOURCE = "google_ads_api"
TOKEN_URI = "https://accounts.google.com/o/oauth2/token"
QUERY = """
SELECT customer.descriptive_name, customer.currency_code, campaign.name, ad_group.name, ad_group_ad.ad.id,
       segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions,
       metrics.conversions_value, metrics.video_trueview_views
FROM ad_group_ad
WHERE segments.date BETWEEN '{first}' AND '{last}'
"""
_AUTH = {"OAUTH_TOKEN_EXPIRED", "OAUTH_TOKEN_REVOKED", "OAUTH_TOKEN_INVALID", "OAUTH_TOKEN_DISABLED", "DEVELOPER_TOKEN_INVALID",
         "NOT_ADS_USER", "AUTHENTICATION_ERROR", "GOOGLE_ACCOUNT_AUTHENTICATION_FAILED"}
_RATE = {"RESOURCE_EXHAUSTED", "RESOURCE_TEMPORARILY_EXHAUSTED"}


def customer_id(text: str) -> str:
    """1234567890 from "123-456-7890" or "1234567890"."""
    digits = re.sub(r"[\s-]", "", str(text))
    if not re.fullmatch(r"\d{10}", digits):
        raise BadInput(f"{text!r} is not a Google Ads customer id; it is ten digits like 123-456-7890 (top right in Google Ads).")
    return digits


def google_client(fields: dict[str, str], *, endpoint: str | None = None, token_uri: str | None = None):
    """A GoogleAdsClient from the saved fields; endpoint and token_uri replace Google's addresses."""
    from google.ads.googleads import oauth2
    from google.ads.googleads.client import GoogleAdsClient

    credentials = oauth2.get_installed_app_credentials(fields["client_id"], fields["client_secret"], fields["refresh_token"],
                                                       token_uri=token_uri or TOKEN_URI)
    login = customer_id(fields["login_customer_id"]) if fields.get("login_customer_id") else None
    return GoogleAdsClient(credentials, developer_token=fields["developer_token"], endpoint=endpoint, login_customer_id=login,
                           use_proto_plus=True)


@contextlib.contextmanager
def google_errors(what: str, fields: dict[str, str]):
    """Turn the SDK's failures while doing `what` into messages that say what to do; never a credential."""
    import google.auth.exceptions
    import grpc
    from google.ads.googleads.errors import GoogleAdsException

    secrets = list(fields.values())
    try:
        yield
    except google.auth.exceptions.RefreshError as exc:
        log.info("Google refused the refresh token while %s: %s", what, redact(str(exc), secrets))
        raise StudioError(f"Google did not accept the saved sign-in while {what} (the refresh token has expired or was revoked). "
                          "Make a new refresh token for the OAuth client and save it in Settings ▸ Accounts & keys.") from None
    except GoogleAdsException as exc:
        codes = {getattr(e.error_code, e.error_code._pb.WhichOneof("error_code")).name for e in exc.failure.errors}
        said = redact("; ".join(e.message for e in exc.failure.errors), secrets)
        log.info("Google Ads refused %s: %s (%s)", what, said, ", ".join(sorted(codes)))
        if codes & _AUTH:
            raise StudioError(f"Google Ads did not accept the credentials while {what} ({said}). Check the developer token and "
                              "the refresh token in Settings ▸ Accounts & keys.") from None
        if codes & _RATE or exc.error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
            raise StudioError(f"Google Ads is limiting requests ({said}) while {what}. Wait a few minutes and try again.") from None
        if exc.error.code() == grpc.StatusCode.PERMISSION_DENIED:
            raise StudioError(f"These credentials may not use this account while {what} ({said}). Give the Google account access "
                              "to it, or set the manager account as login_customer_id in Settings ▸ Accounts & keys.") from None
        raise StudioError(f"Google Ads refused {what}: {said}.") from None
    except grpc.RpcError as exc:
        detail = redact(str(exc.details() if hasattr(exc, "details") else exc), secrets)
        log.info("Google Ads failed %s: %s", what, detail)
        raise StudioError(f"Google Ads could not be reached while {what} ({detail}). Check the internet connection and try again.") from None


def _fact(row, customer: str) -> dict:
    metrics = row.metrics
    return {
        "platform": "google", "account": row.customer.descriptive_name or customer, "campaign": row.campaign.name,
        "ad_group": row.ad_group.name, "ad": str(row.ad_group_ad.ad.id), "date": row.segments.date,
        "currency": row.customer.currency_code, "spend": metrics.cost_micros / 1_000_000, "impressions": metrics.impressions,
        "reach": None, "clicks": metrics.clicks, "link_clicks": None, "conversions": metrics.conversions,
        "conversion_value": metrics.conversions_value, "video_views": metrics.video_trueview_views,
    }


def fetch_metrics(client, customer: str, first, last, state: JobState, report: PullReport, progress: Callable[[str], None]) -> list[dict]:
    """Every ad's daily metrics in the range, batch by batch; Cancel is checked after each batch."""
    service = client.get_service("GoogleAdsService")  # held while streaming: it owns the channel
    stream = service.search_stream(
        customer_id=customer, query=QUERY.format(first=first.isoformat(), last=last.isoformat()))
    facts = []
    try:
        for batch in stream:
            facts += [_fact(row, customer) for row in batch.results]
            if facts:
                progress(facts[-1]["date"])
            report.pages += 1
            state.set_status(f"Google Ads {customer}: batch {report.pages}, {len(facts)} rows")
            state.check()
    except Cancelled:
        stream.cancel()  # the server stops sending the rest
        raise
    return facts


def pull_google(params: PullParams, state: JobState, lib=None, secrets=None) -> PullReport:
    """Pull the customers' ad metrics for the range into the library as one import batch."""
    first, last = days(params)
    customers = [customer_id(c) for c in params.accounts]
    fields = saved_credentials("google_ads", secrets)
    report = PullReport("google", customers, first.isoformat(), last.isoformat())
    with google_errors("signing in to Google Ads", fields):
        client = google_client(fields, endpoint=params.endpoint, token_uri=params.token_uri)
    rows = []
    for index, customer in enumerate(customers):
        state.check()
        state.set_status(f"Pulling Google Ads metrics for {customer}")
        progress = range_progress(state, first, last, index, len(customers))
        with google_errors(f"reading the metrics of {customer}", fields):
            rows += fetch_metrics(client, customer, first, last, state, report, progress)
    return library_job(params, lib, lambda target: write_pulled(target, rows, report, SOURCE, state))
