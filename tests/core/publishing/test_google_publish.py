"""Responsive search ads published through the real google-ads SDK to a local TLS gRPC fake:
validate_only first, the image asset, exactly once, and Google's answers as publication states."""

from __future__ import annotations

import grpc
import pytest

from studio.core.publishing.publisher import publish_due
from tests.core.publishing import publish_fixtures
from tests.core.publishing.publish_fixtures import (
    CUSTOMER,
    GOOGLE,
    after_due,
    publication,
    scheduled_post,
    steps,
)
from tests.fake_google_ads import FakeGoogleAds, fake_google_ads, trusted_certificate

secrets, world = publish_fixtures.secrets, publish_fixtures.world  # the fixtures these tests take

trusted_certificate()  # before any gRPC channel exists in this process

COPY = {"ad_group": "555", "final_url": "https://kestrel.example/autumn", "headline": "Autumn blend\nRoasted today\nKestrel Coffee",
        "description": "Fresh beans, roasted this morning.\nOrder by noon, brewing tomorrow."}


@pytest.fixture
def fake():
    with fake_google_ads(FakeGoogleAds(GOOGLE["developer_token"], GOOGLE["refresh_token"])) as server:
        yield server


def run(world, fake, secrets, **kw):
    return publish_due(world.lib, now=kw.pop("now", after_due()), endpoints={"google": fake.endpoint}, secrets=secrets,
                       google_token_uri=fake.token_uri, **kw)


def test_rsa_and_image_asset_are_validated_then_made_once(world, fake, secrets):
    post = scheduled_post(world, "google", "Autumn search", kind="ad", asset=world.photo, copy=COPY)
    [result] = run(world, fake, secrets)
    assert result.outcome == "published", result.message
    mutates = [(s["method"], s["request"].get("validate_only", False)) for s in fake.seen if s["method"].startswith("Mutate")]
    assert mutates == [("MutateAssets", True), ("MutateAssets", False), ("MutateAdGroupAds", True), ("MutateAdGroupAds", False)]
    [asset], [ad] = fake.made("MutateAssets"), fake.made("MutateAdGroupAds")
    assert asset["create"]["name"].startswith("conext-")
    assert ad["create"]["ad_group"] == f"customers/{CUSTOMER}/adGroups/555"
    rsa = ad["create"]["ad"]["responsive_search_ad"]
    assert [h["text"] for h in rsa["headlines"]] == ["Autumn blend", "Roasted today", "Kestrel Coffee"] and len(rsa["descriptions"]) == 2
    assert ad["create"]["ad"]["final_url_suffix"].startswith("conext=")
    assert result.external_ids == {"image_asset": asset["resource_name"], "ad": ad["resource_name"]} == publication(world.lib, post).external_ids
    assert run(world, fake, secrets) == []


def test_policy_refusal_fails_with_googles_message_and_makes_nothing(world, fake, secrets):
    post = scheduled_post(world, "google", "Autumn search", kind="ad", copy=COPY)
    fake.reject = ("policy_finding_error", "POLICY_FINDING", "The ad text uses excessive capitalization.")
    [result] = run(world, fake, secrets)
    assert result.outcome == "failed" and "excessive capitalization" in result.message
    assert fake.created == [] and publication(world.lib, post).error == result.message


def test_unavailable_then_success_and_an_ad_made_before_a_crash_is_found(world, fake, secrets):
    post = scheduled_post(world, "google", "Autumn search", kind="ad", copy=COPY)
    fake.fail_next = {"MutateAdGroupAds": [(grpc.StatusCode.INTERNAL, "internal_error", "INTERNAL_ERROR", "An internal error has occurred.")]}
    [first] = run(world, fake, secrets)
    assert first.outcome == "waiting" and "internal error" in first.message
    # Google made the ad, and the publisher died before writing the step down
    fake.created.append({"method": "MutateAdGroupAds", "resource_name": f"customers/{CUSTOMER}/adGroupAds/555~9",
                         "create": {"ad": {"final_url_suffix": f"conext={_key(world, post)}"}}})
    [second] = run(world, fake, secrets, now=publication(world.lib, post).next_attempt_at)
    assert second.outcome == "published" and second.external_ids == {"ad": f"customers/{CUSTOMER}/adGroupAds/555~9"}
    assert len(fake.made("MutateAdGroupAds")) == 1 and steps(world.lib, post) == second.external_ids


def test_revoked_refresh_token_waits_and_names_the_settings_page(world, fake, secrets):
    scheduled_post(world, "google", "Autumn search", kind="ad", copy=COPY)
    fake.refresh_token = "another"
    [result] = run(world, fake, secrets)
    assert result.outcome == "waiting" and "Settings ▸ Accounts & keys" in result.message and fake.created == []


def test_missing_copy_fields_fail_saying_which(world, fake, secrets):
    scheduled_post(world, "google", "Autumn search", kind="ad", copy={"final_url": "https://kestrel.example"})
    [result] = run(world, fake, secrets)
    assert result.outcome == "failed" and "at least 3 headlines" in result.message


def _key(world, post_id: int) -> str:
    from studio.core.db.models import Post

    with world.lib.read() as conn:
        return conn.execute(Post.__table__.select().where(Post.id == post_id)).first().idempotency_key
