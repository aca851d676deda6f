"""The calendar's warnings on real posts: conflicts on a channel, creatives and copy that fail their
placement's spec, open compliance errors, and tokens or keys a post cannot go out without."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from studio.core.assets import importer
from studio.core.compliance import store as compliance
from studio.core.db.models import Campaign
from studio.core.jobs import JobState
from studio.core.ops import publishing as ops
from studio.core.ops.copy import set_copy
from studio.core.publishing.calendar import get_post, list_posts
from studio.core.secrets import SecretStore
from tests import media
from tests.core.publishing.calendar_fixtures import MORNING, cal  # noqa: F401 - the fixture

JUNE = (date(2030, 6, 1), date(2030, 6, 30))


def _kinds(lib, post_id: int, secrets=None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for w in get_post(lib, post_id, secrets=secrets).warnings:
        out.setdefault(w.kind, []).append(f"{w.severity}: {w.message}")
    return out


@pytest.fixture
def keys():
    store = SecretStore()  # the encrypted key file in this test's own config folder
    store.unlock("correct horse battery")
    return store


@pytest.fixture
def assets(cal, tmp_path) -> dict[str, int]:
    files = [str(media.jpeg(tmp_path / "small.jpg", size=(160, 120))), str(media.jpeg(tmp_path / "big.jpg", size=(1200, 1200), seed=1)),
             str(media.mp4(tmp_path / "pour.mp4"))]
    report = importer.run(importer.ImportParams(str(cal.lib.root), files, cal.campaign), JobState(), lib=cal.lib)
    return {a["name"]: a["id"] for a in report.imported}


def test_posts_closer_than_the_channels_gap_conflict(cal):
    first = ops.create_post(cal.lib, cal.campaign, cal.london, "First", local_time=MORNING).value
    close = ops.create_post(cal.lib, cal.campaign, cal.london, "Close", local_time=MORNING + timedelta(minutes=45)).value
    far = ops.create_post(cal.lib, cal.campaign, cal.london, "Far", local_time=MORNING + timedelta(hours=3)).value
    elsewhere = ops.create_post(cal.lib, cal.campaign, cal.new_york, "Elsewhere", local_time=datetime(2030, 6, 4, 3, 0)).value  # 08:00 UTC too
    views = {p.id: p for p in list_posts(cal.lib, *JUNE)}
    conflicts = {pid: [w.message for w in v.warnings if w.kind == "conflict"] for pid, v in views.items()}
    assert conflicts[first] == ["'Close' goes out on Kestrel UK 45 min after this one; the channel wants 120 min between posts."]
    assert conflicts[close] == ["'First' goes out on Kestrel UK 45 min before this one; the channel wants 120 min between posts."]
    assert conflicts[far] == [] and conflicts[elsewhere] == []
    ops.cancel_post(cal.lib, close)
    assert "conflict" not in _kinds(cal.lib, first)
    ops.update_channel(cal.lib, cal.london, min_gap_minutes=240)  # now "Far" is too close
    assert len(_kinds(cal.lib, far)["conflict"]) == 1


def test_a_neighbour_outside_the_listed_range_still_conflicts(cal):
    late = ops.create_post(cal.lib, cal.campaign, cal.london, "Late", local_time=datetime(2030, 6, 30, 23, 30)).value
    ops.create_post(cal.lib, cal.campaign, cal.london, "Early", local_time=datetime(2030, 7, 1, 0, 15))
    (view,) = list_posts(cal.lib, *JUNE)
    assert view.id == late and [w.kind for w in view.warnings if w.kind == "conflict"] == ["conflict"]


def test_a_creative_that_fails_its_placements_spec_is_flagged(cal, assets):
    small = ops.create_post(cal.lib, cal.campaign, cal.london, "Small", spec_id="meta.feed_image", asset_id=assets["small.jpg"],
                            local_time=MORNING).value
    big = ops.create_post(cal.lib, cal.campaign, cal.london, "Big", spec_id="meta.feed_image", asset_id=assets["big.jpg"],
                          local_time=MORNING + timedelta(hours=4)).value
    video = ops.create_post(cal.lib, cal.campaign, cal.london, "Video", spec_id="meta.feed_image", asset_id=assets["pour.mp4"],
                            local_time=MORNING + timedelta(hours=8)).value
    bare = ops.create_post(cal.lib, cal.campaign, cal.london, "Bare", spec_id="meta.reels", local_time=MORNING + timedelta(hours=12)).value
    assert _kinds(cal.lib, small)["spec"] == ["error: 120×120 is smaller than the 1:1 minimum of 600×600. "
                                              "Use a larger source; upscaling a small image only blurs it."]
    assert "spec" not in _kinds(cal.lib, big)
    assert _kinds(cal.lib, video)["spec"] == ["error: Meta feed image needs an image; this post's creative cannot feed it."]
    assert "has no creative yet" in _kinds(cal.lib, bare)["spec"][0]
    ops.update_post(cal.lib, small, spec_id="meta.nope")
    assert "There is no spec 'meta.nope'" in _kinds(cal.lib, small)["spec"][0]


def test_copy_over_the_placements_limit_is_flagged(cal):
    post = ops.create_post(cal.lib, cal.campaign, cal.new_york, "Search", kind="ad", spec_id="google.rsa",
                           copy={"headline": "Single-origin beans roasted this morning, delivered"}, local_time=MORNING).value
    messages = _kinds(cal.lib, post)["spec"]
    assert any("the limit is 30" in m and "Shorten it" in m for m in messages)
    assert any("headline" in m.lower() and "3" in m for m in messages)  # a search ad takes 3 to 15, one a line
    ops.update_post(cal.lib, post, copy={"headline": "Beans roasted this morning\nRoasted in Leeds\nKestrel Coffee",
                                         "description": "Fresh beans, roasted this morning.\nOrder by noon.",
                                         "final_url": "https://kestrel.example/roast"})
    assert "spec" not in _kinds(cal.lib, post)


def test_open_compliance_errors_of_the_campaigns_copy_are_flagged_until_waived(cal):
    with cal.lib.write("Add brand rule") as tx:
        brand = tx.conn.execute(select(Campaign.brand_id).where(Campaign.id == cal.campaign)).scalar()
        tx.insert("brand_rules", brand_id=brand, document={
            "id": "brand.banned", "check": "brand_words", "params": {"banned": ["cheap"]}, "platforms": ["*"],
            "fields": ["headline"], "severity": "error", "message": "“{excerpt}” is a word the brand does not use.",
            "hint": "Say “great value” instead."})
    set_copy(cal.lib, cal.campaign, "headline", ["Cheap beans"])
    compliance.recheck_campaign(cal.lib, cal.campaign, JobState())
    post = ops.create_post(cal.lib, cal.campaign, cal.london, "Launch", local_time=MORNING).value
    assert _kinds(cal.lib, post)["compliance"] == ["error: The campaign's copy: “Cheap” is a word the brand does not use."]
    (finding,) = [f for f in compliance.campaign_findings(cal.lib, cal.campaign) if f.blocking]
    compliance.waive(cal.lib, finding.fingerprint, "Approved by legal", "Dana")
    assert "compliance" not in _kinds(cal.lib, post)


def test_a_token_expiring_before_the_post_is_flagged(cal, keys):
    keys.set("meta", "EAAGm0PX4ZCpsBAtoken")
    post = ops.create_post(cal.lib, cal.campaign, cal.london, "Launch", local_time=MORNING).value
    assert "token" not in _kinds(cal.lib, post, keys)
    ops.update_channel(cal.lib, cal.london, token_expires_at=datetime(2030, 6, 1, 0, 0))
    (message,) = _kinds(cal.lib, post, keys)["token"]
    assert message.startswith("warning: The Kestrel UK token expires 2030-06-01 00:00 UTC, before this post is due")
    ops.update_channel(cal.lib, cal.london, token_expires_at=datetime(2030, 7, 1))
    assert "token" not in _kinds(cal.lib, post, keys)


def test_an_account_without_credentials_is_flagged_and_a_locked_keyring_reads_unknown(cal, keys):
    meta = ops.create_post(cal.lib, cal.campaign, cal.london, "Meta", local_time=MORNING).value
    (missing,) = _kinds(cal.lib, meta, keys)["token"]
    assert missing.startswith("error: There is no meta key in the keyring")
    (unknown,) = _kinds(cal.lib, meta)["token"]  # the default store: the encrypted file, still locked
    assert unknown.startswith("info: Whether the meta key is there is unknown: the keyring is locked")
    tt = ops.add_channel(cal.lib, cal.brand, "tiktok", "Kestrel TikTok", "kestrel", "Europe/London").value
    tiktok = ops.create_post(cal.lib, cal.campaign, tt, "TikTok", local_time=MORNING).value
    assert "token" not in _kinds(cal.lib, tiktok, keys)  # goes out through the export package: no key needed


def test_cancelled_and_published_posts_carry_no_warnings(cal):
    first = ops.create_post(cal.lib, cal.campaign, cal.london, "First", local_time=MORNING).value
    second = ops.create_post(cal.lib, cal.campaign, cal.london, "Second", local_time=MORNING).value
    ops.cancel_post(cal.lib, second)
    assert get_post(cal.lib, second).warnings == []
    assert "conflict" not in _kinds(cal.lib, first)
