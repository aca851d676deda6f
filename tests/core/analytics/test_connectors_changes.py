"""Approved campaign changes sent through the real SDKs to local fakes of Meta and Google Ads:
a dry run (validate-only) first, the real change only when every dry run passed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio.core.analytics.connectors.changes import CampaignChange, Connections, apply_change, dry_run_then_apply
from studio.core.db.models import AuditEvent
from studio.core.errors import BadInput
from studio.core.secrets import SecretStore
from tests.fake_google_ads import FakeGoogleAds, campaign, fake_google_ads, trusted_certificate
from tests.fake_meta import FakeMeta, fake_meta

trusted_certificate()  # gRPC reads its trusted roots once, so before any channel of this test session

META_TOKEN = "EAAchanges-token-321"
GOOGLE = {"developer_token": "DEVtoken-1234", "client_id": "client-77", "client_secret": "GOCSPX-secret-9999",
          "refresh_token": "1//refresh-token-5555", "login_customer_id": ""}
CUSTOMER = "1234567890"


@pytest.fixture(scope="module")
def secrets(tmp_path_factory):
    store = SecretStore(file_path=tmp_path_factory.mktemp("keys") / "keys.cfg")  # read only here: one for the module
    store.unlock("correct horse battery")
    store.set("meta", META_TOKEN)
    store.set("google_ads", GOOGLE)
    return store


@pytest.fixture
def meta():
    campaigns = {"act_42": [{"id": "2301", "name": "Autumn", "status": "ACTIVE", "daily_budget": "2000"},
                            {"id": "2302", "name": "Winter", "status": "ACTIVE", "daily_budget": "5000"}]}
    with fake_meta(FakeMeta(META_TOKEN, campaigns=campaigns)) as fake:
        yield fake


@pytest.fixture
def google():
    campaigns = {CUSTOMER: [campaign(71, "Brand search", 81, 30.0), campaign(72, "Shared pool", 82, 50.0, shared=True)]}
    with fake_google_ads(FakeGoogleAds(GOOGLE["developer_token"], GOOGLE["refresh_token"], campaigns=campaigns)) as fake:
        yield fake


@pytest.fixture
def connections(secrets, meta, google):
    return Connections(secrets, {"meta": meta.url, "google": google.endpoint}, google.token_uri)


def posts(fake: FakeMeta) -> list[dict]:
    return [{k: v for k, v in s["params"].items() if k in ("daily_budget", "status", "execution_options")} | {"path": s["path"]}
            for s in fake.seen if s["method"] == "POST"]


def mutates(fake: FakeGoogleAds) -> list[dict]:
    return [{"method": s["method"], **s["request"]} for s in fake.seen if s["method"].startswith("Mutate")]


def test_meta_dry_run_comes_first_then_the_change(connections, meta, lib):
    changes = [CampaignChange("meta", "act_42", "Autumn", "pause"),
               CampaignChange("meta", "42", "Winter", "set_daily_budget", amount=62.5, currency="EUR")]
    results = dry_run_then_apply(changes, connections=connections, lib=lib)
    assert [(r.validated, r.applied) for r in results] == [(True, True), (True, True)]
    assert posts(meta) == [
        {"status": "PAUSED", "execution_options": '["validate_only"]', "path": "/v26.0/2301/"},
        {"daily_budget": "6250", "execution_options": '["validate_only"]', "path": "/v26.0/2302/"},
        {"status": "PAUSED", "path": "/v26.0/2301/"},
        {"daily_budget": "6250", "path": "/v26.0/2302/"},
    ]
    assert [c["status"] for c in meta.campaigns["act_42"]] == ["PAUSED", "ACTIVE"] and meta.campaigns["act_42"][1]["daily_budget"] == "6250"
    assert results[1].message == "Done: set the daily budget to 62.50 EUR for Meta campaign 'Winter' in 42 (it was 50.00 EUR)."
    with lib.read() as conn:
        actions = conn.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions[-4:] == ["Dry run: pause Meta campaign 'Autumn' in act_42",
                            "Dry run: set the daily budget to 62.50 EUR for Meta campaign 'Winter' in 42",
                            "Send: pause Meta campaign 'Autumn' in act_42",
                            "Send: set the daily budget to 62.50 EUR for Meta campaign 'Winter' in 42"]


def test_google_dry_run_carries_validate_only(connections, google):
    change = CampaignChange("google", "123-456-7890", "Brand search", "set_daily_budget", amount=45.25, currency="EUR")
    message = apply_change(change, validate_only=True, connections=connections)
    assert message.startswith("Google Ads accepted the dry run") and "it was 30.00 EUR" in message
    assert google.campaigns[CUSTOMER][0]["amount_micros"] == 30_000_000  # nothing changed
    results = dry_run_then_apply([change, CampaignChange("google", CUSTOMER, "Brand search", "pause")], connections=connections)
    assert all(r.applied for r in results)
    sent = mutates(google)
    assert [(m["method"], m["validate_only"]) for m in sent] == [
        ("MutateCampaignBudgets", True), ("MutateCampaignBudgets", True), ("MutateCampaigns", True),
        ("MutateCampaignBudgets", False), ("MutateCampaigns", False)]
    budget, pause = sent[-2]["operations"][0], sent[-1]["operations"][0]
    assert budget["update"]["amount_micros"] == "45250000" and budget["update_mask"] == "resourceName,amountMicros"
    assert pause["update"]["resource_name"] == f"customers/{CUSTOMER}/campaigns/71"
    assert google.campaigns[CUSTOMER][0]["status"] == "PAUSED" and google.campaigns[CUSTOMER][0]["amount_micros"] == 45_250_000
    assert all(s["metadata"]["developer-token"] == "DEVtoken-1234" for s in google.seen)


def test_a_failed_dry_run_stops_every_real_change(connections, meta, google, lib):
    changes = [CampaignChange("meta", "act_42", "Autumn", "pause"),
               CampaignChange("google", CUSTOMER, "Brand search", "set_daily_budget", amount=0.5, currency="EUR"),
               CampaignChange("google", CUSTOMER, "Brand search", "pause"),
               CampaignChange("meta", "act_42", "Winter", "set_daily_budget", amount=0.5, currency="EUR")]
    results = dry_run_then_apply(changes, connections=connections, lib=lib)
    assert [(r.validated, r.applied) for r in results] == [(True, False), (False, False), (True, False), (False, False)]
    assert "below the daily minimum" in results[1].message
    assert "Your budget is too low" in results[3].message and META_TOKEN not in results[3].message
    assert results[0].message.startswith("Not applied: 2 of the 4 changes failed their dry run.")
    assert [(p["path"], p.get("execution_options")) for p in posts(meta)] == [
        ("/v26.0/2301/", '["validate_only"]'), ("/v26.0/2302/", '["validate_only"]')]  # dry runs only
    assert [m["validate_only"] for m in mutates(google)] == [True, True]
    assert [c["status"] for c in meta.campaigns["act_42"]] == ["ACTIVE", "ACTIVE"] and meta.campaigns["act_42"][1]["daily_budget"] == "5000"
    assert google.campaigns[CUSTOMER][0] == campaign(71, "Brand search", 81, 30.0)
    with lib.read() as conn:
        sent = conn.execute(select(AuditEvent.details).where(AuditEvent.action.like("%campaign%"))).scalars().all()
    assert [(d["validate_only"], d["ok"]) for d in sent] == [(True, True), (True, False), (True, True), (True, False)]


def test_changes_that_cannot_be_right_are_refused_before_sending(connections, meta, google):
    cases = [
        (CampaignChange("meta", "act_42", "Spring", "pause"), "no campaign named 'Spring'"),
        (CampaignChange("meta", "act_42", "Autumn", "set_daily_budget", amount=20, currency="USD"), "spends in EUR; give the amount in EUR"),
        (CampaignChange("google", CUSTOMER, "Shared pool", "set_daily_budget", amount=60, currency="EUR"), "shared with other campaigns"),
        (CampaignChange("google", CUSTOMER, "O'Brien", "pause"), "no campaign named \"O'Brien\""),
    ]
    for change, message in cases:
        with pytest.raises(BadInput, match=message):
            apply_change(change, validate_only=True, connections=connections)
    assert posts(meta) == [] and mutates(google) == []
    with pytest.raises(BadInput, match="not a change the studio can send"):
        CampaignChange("meta", "act_42", "Autumn", "delete")
    with pytest.raises(BadInput, match="positive amount and its currency"):
        CampaignChange("google", CUSTOMER, "Brand search", "set_daily_budget", amount=-3, currency="EUR")
