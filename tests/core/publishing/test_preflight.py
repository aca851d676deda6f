"""Pre-flight on real posts: keys saved and accepted (Meta /me, Google customers list), the
creative against its spec, the channel's token expiry, and the look-ahead over posts due soon."""

from __future__ import annotations

from datetime import timedelta

import pytest

from studio.core.errors import BadInput
from studio.core.ops import publishing as ops
from studio.core.publishing.preflight import Problem, preflight, preflight_due
from tests.core.publishing import publish_fixtures
from tests.core.publishing.publish_fixtures import (
    GOOGLE,
    META_TOKEN,
    scheduled_post,
)
from tests.fake_google_ads import FakeGoogleAds, fake_google_ads, trusted_certificate
from tests.fake_meta import FakeMeta, fake_meta

secrets, world = publish_fixtures.secrets, publish_fixtures.world  # the fixtures these tests take

trusted_certificate()


@pytest.fixture
def fake():
    with fake_meta(FakeMeta(META_TOKEN)) as server:
        yield server


def test_a_ready_post_has_no_problems_and_the_token_was_tried(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    assert preflight(world.lib, post, secrets=secrets, endpoints={"meta": fake.url}) == []
    assert [s["path"].rsplit("/", 1)[-1] for s in fake.seen] == ["me"]


def test_rejected_or_missing_keys_are_errors_naming_the_settings_page(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art")
    fake.token = "another"
    [problem] = preflight(world.lib, post, secrets=secrets, endpoints={"meta": fake.url})
    assert problem.severity == "error" and "Settings ▸ Accounts & keys" in problem.message and META_TOKEN not in problem.message
    secrets.delete("meta")
    [missing] = preflight(world.lib, post, secrets=secrets, endpoints={"meta": fake.url})
    assert "No Meta" in missing.message and "Settings ▸ Accounts & keys" in missing.message


def test_a_creative_off_its_spec_is_an_error_naming_the_placement(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo, spec="meta.feed_image")  # 320x240: small, 4:3
    problems = preflight(world.lib, post, secrets=secrets, endpoints={"meta": fake.url})
    assert problems and {p.severity for p in problems} == {"error"}
    assert all(p.message.startswith("latte.jpg does not fit Meta feed image: ") for p in problems), problems


def test_a_token_that_expires_before_the_post_is_due_is_an_error(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", hours=5)
    from studio.core.db.models import utcnow

    ops.update_channel(world.lib, world.channels["page"], token_expires_at=utcnow() + timedelta(hours=1))
    [problem] = preflight(world.lib, post, secrets=secrets, endpoints={"meta": fake.url})
    assert problem.severity == "error" and "expires" in problem.message and "before 'Latte art' is due" in problem.message


def test_preflight_due_looks_ahead_and_asks_each_platform_once(world, fake, secrets):
    soon = scheduled_post(world, "page", "Latte art", asset=world.photo, hours=2)
    also = scheduled_post(world, "ad", "Autumn ad", kind="ad", hours=3, copy={"primary_text": "Hi"})
    scheduled_post(world, "page", "Next week", hours=24 * 6)
    google = scheduled_post(world, "google", "Search", kind="ad", hours=4, asset=world.photo)
    with fake_google_ads(FakeGoogleAds(GOOGLE["developer_token"], GOOGLE["refresh_token"])) as gfake:
        reports = preflight_due(world.lib, hours=24, secrets=secrets, endpoints={"meta": fake.url, "google": gfake.endpoint},
                                google_token_uri=gfake.token_uri)
        assert [s["method"] for s in gfake.seen] == ["ListAccessibleCustomers"]
    assert [r.post_id for r in reports] == [soon, also, google]
    assert reports[0].problems == [] and reports[2].problems == []
    assert reports[1].problems == [Problem("error", "'Autumn ad' has no exported creative: export its composition and attach the file to the post.")]
    assert [s["path"].rsplit("/", 1)[-1] for s in fake.seen] == ["me"]
    with pytest.raises(BadInput, match="positive number of hours"):
        preflight_due(world.lib, hours=0, secrets=secrets)


def test_unknown_post_is_bad_input(lib, secrets):
    with pytest.raises(BadInput, match="no post 99"):
        preflight(lib, 99, secrets=secrets)


def test_an_open_compliance_error_is_a_problem_until_waived(world, fake, secrets):
    from studio.core.compliance.model import Finding
    from studio.core.compliance.store import waive
    from studio.core.db.models import ComplianceFindingRow

    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    target = f"asset:{world.photo}"
    finding = Finding("meta.before_after", "error", "The image shows a before-and-after comparison.", "Show one state only.", platform="meta")
    with world.lib.write_lock, world.lib.engine.begin() as conn:  # as the compliance check stores what it found
        conn.execute(ComplianceFindingRow.__table__.insert(), {"target": target, "campaign_id": world.campaign, "fingerprint": finding.fingerprint(target),
                                                                "rule_id": finding.rule_id, "severity": "error", "platform": "meta",
                                                                "document": finding.as_dict()})
    [problem] = preflight(world.lib, post, secrets=secrets, endpoints={"meta": fake.url})
    assert problem == Problem("error", "latte.jpg has an open compliance error: The image shows a before-and-after comparison. "
                                       "Fix it, or waive it in Compliance.")
    waive(world.lib, finding.fingerprint(target), "Approved by legal", "Ana")
    assert preflight(world.lib, post, secrets=secrets, endpoints={"meta": fake.url}) == []
