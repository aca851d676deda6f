"""Google Ads metrics pulled through the real google-ads SDK (TLS gRPC, OAuth refresh) from a
local fake into a real library: streamed batches, micros, re-pulls, refused credentials, Cancel."""

from __future__ import annotations

import logging

import pytest

from studio.core.analytics.connectors import PullParams
from studio.core.analytics.connectors.google import pull_google
from studio.core.analytics.store import list_imports
from studio.core.errors import BadInput, Cancelled, StudioError
from studio.core.jobs import JobState
from studio.core.secrets import REDACTOR
from tests.core.analytics.test_ingest import facts as stored_facts
from tests.fake_google_ads import ACCESS_TOKEN, FakeGoogleAds, fake_google_ads, metric_row, trusted_certificate

trusted_certificate()  # gRPC reads its trusted roots once, so before any channel of this test session

CREDENTIALS = {"developer_token": "DEVtoken-1234", "client_id": "client-77.apps.googleusercontent.com",
               "client_secret": "GOCSPX-secret-9999", "refresh_token": "1//refresh-token-5555", "login_customer_id": "111-222-3333"}
CUSTOMER = "1234567890"
DAYS = [f"2026-11-0{d}" for d in range(1, 5)]


def rows(bump: float = 0.0) -> list[dict]:
    return [metric_row("Shop DE", "Brand search", "Shoes", 9000 + a, day, 12.345678 + a + bump, 400 + a, 20 + a,
                       conversions=1.5 * a, value=40.0 * a, views=3) for day in DAYS for a in range(2)]


@pytest.fixture
def secrets(saved_keys):
    return saved_keys(google_ads=CREDENTIALS)


@pytest.fixture
def server():
    with fake_google_ads(FakeGoogleAds(CREDENTIALS["developer_token"], CREDENTIALS["refresh_token"], rows={CUSTOMER: rows()})) as fake:
        yield fake


def pull(lib, server, secrets, first="2026-11-01", last="2026-11-04", state=None):
    params = PullParams(str(lib.root), ["123-456-7890"], first, last, endpoint=server.endpoint, token_uri=server.token_uri)
    return pull_google(params, state or JobState(), lib, secrets)


def facts(lib) -> list[tuple]:
    return stored_facts(lib, "platform, account, campaign, ad_group, ad, date, currency, spend, impressions, clicks, conversions, "
                             "conversion_value, video_views", order="date, ad")


def test_pull_streams_every_batch_with_the_developer_token(lib, server, secrets):
    report = pull(lib, server, secrets)
    assert (report.pages, report.rows, report.rows_added, report.accounts) == (4, 8, 8, [CUSTOMER])
    [call] = server.seen
    assert call["method"] == "SearchStream" and call["request"]["customer_id"] == CUSTOMER
    assert call["metadata"]["developer-token"] == "DEVtoken-1234"
    assert call["metadata"]["login-customer-id"] == "1112223333"
    assert call["metadata"]["authorization"] == f"Bearer {ACCESS_TOKEN}"  # refreshed at the fake token endpoint
    assert server.token_requests[0]["refresh_token"] == CREDENTIALS["refresh_token"]
    assert "segments.date BETWEEN '2026-11-01' AND '2026-11-04'" in call["request"]["query"]
    stored = facts(lib)
    assert len(stored) == 8
    assert stored[1][:7] == ("google", "Shop DE", "Brand search", "Shoes", "9001", stored[1][5], "EUR")
    assert stored[1][7:] == (pytest.approx(13.345678), 401.0, 21.0, 1.5, 40.0, 3.0)  # cost_micros into euros
    [batch] = list_imports(lib)
    assert (batch.source, batch.facts, str(batch.date_from), str(batch.date_to)) == ("google_ads_api", 8, "2026-11-01", "2026-11-04")


def test_overlapping_repull_never_double_counts(lib, server, secrets):
    pull(lib, server, secrets, last="2026-11-02")
    server.rows[CUSTOMER] = rows(bump=0.5)  # late conversions changed the numbers
    again = pull(lib, server, secrets, first="2026-11-02", last="2026-11-04")
    assert (again.rows_added, again.rows_replaced, again.rows_unchanged) == (4, 2, 0)
    stored = facts(lib)
    assert len(stored) == 8
    assert sum(f[7] for f in stored) == pytest.approx(sum(r["cost_micros"] for r in rows()) / 1e6 + 6 * 0.5)


def test_revoked_refresh_token_says_what_to_do_and_writes_nothing(lib, server, secrets, caplog):
    secrets.set("google_ads", {**CREDENTIALS, "refresh_token": "1//revoked-token-0000"})
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(REDACTOR)
    with pytest.raises(StudioError, match="refresh token has expired or was revoked") as failure:
        pull(lib, server, secrets)
    assert "Settings ▸ Accounts & keys" in str(failure.value)
    for secret in ("1//revoked-token-0000", "GOCSPX-secret-9999"):
        assert secret not in str(failure.value) + caplog.text
    assert server.seen == [] and facts(lib) == [] and list_imports(lib) == []


def test_refused_developer_token_and_bad_ids(lib, server, secrets):
    secrets.set("google_ads", {**CREDENTIALS, "developer_token": "WRONG-dev-token"})
    with pytest.raises(StudioError, match="did not accept the credentials .*developer token"):
        pull(lib, server, secrets)
    secrets.set("google_ads", CREDENTIALS)
    with pytest.raises(BadInput, match="not a Google Ads customer id"):
        pull_google(PullParams(str(lib.root), ["act_42"], "2026-11-01", "2026-11-02", endpoint=server.endpoint), JobState(), lib, secrets)
    assert facts(lib) == [] and list_imports(lib) == []


def test_cancel_between_batches_writes_nothing(lib, server, secrets):
    state = JobState(lambda: state.cancel() if "batch 2" in state.status else None)  # the user presses Cancel after batch 2
    with pytest.raises(Cancelled):
        pull(lib, server, secrets, state=state)
    assert facts(lib) == [] and list_imports(lib) == []
    assert pull(lib, server, secrets).rows_added == 8  # the next pull is whole
