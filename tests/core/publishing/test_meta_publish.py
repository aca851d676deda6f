"""Posts and ads published through the real facebook-business SDK to a local fake Graph API:
what Meta receives for each kind, and how its answers become the publication's status."""

from __future__ import annotations

import pytest

from studio.core.publishing.publisher import publish_due
from tests.core.publishing import publish_fixtures
from tests.core.publishing.publish_fixtures import (
    AD_ACCOUNT,
    META_TOKEN,
    PAGE,
    after_due,
    audit_actions,
    publication,
    scheduled_post,
    steps,
)
from tests.fake_meta import EXPIRED, FakeMeta, fake_meta

world = publish_fixtures.world  # the fixture these tests take

AD_COPY = {"primary_text": "Roasted this morning.", "headline": "Autumn blend", "page_id": PAGE, "link": "https://kestrel.example/autumn"}
SERVER_ERROR = {"message": "An unexpected error has occurred. Please retry your request later.", "type": "OAuthException", "code": 2,
                "is_transient": True}
REJECTED = {"message": "Invalid parameter", "type": "OAuthException", "code": 100, "error_subcode": 1487390,
            "error_user_msg": "The image is too small: ads need at least 600 pixels on the short side."}


@pytest.fixture
def secrets(key_store):
    key_store.set("meta", META_TOKEN)  # only Meta's token: each key written costs an Argon2 derivation
    return key_store


@pytest.fixture
def fake():
    with fake_meta(FakeMeta(META_TOKEN)) as server:
        yield server


def run(world, fake, secrets, **kw):
    return publish_due(world.lib, now=kw.pop("now", after_due()), endpoints={"meta": fake.url}, secrets=secrets, **kw)


def test_page_photo_post_goes_out_once_with_the_photo_attached(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    [result] = run(world, fake, secrets)
    assert (result.outcome, result.platform) == ("published", "meta"), result.message
    [photo], [feed] = fake.made("photos"), fake.made("feed")
    assert (photo["node"], photo["params"]["published"]) == (PAGE, "false")
    assert feed["params"]["message"] == "Latte art: fresh beans today."
    assert f'"media_fbid": "{photo["id"]}"' in feed["params"]["attached_media"]
    assert result.external_ids == {"post": feed["id"], "photo": photo["id"]} == publication(world.lib, post).external_ids
    assert steps(world.lib, post) == {"photo": photo["id"], "post": feed["id"]}
    assert publication(world.lib, post).status == "published" and publication(world.lib, post).published_at is not None
    assert run(world, fake, secrets) == [] and len(fake.made("feed")) == 1  # published: never again
    assert any("Latte art" in a and "published" in a for a in audit_actions(world.lib))


def test_text_post_and_video_post(world, fake, secrets):
    text = scheduled_post(world, "page", "Open late", copy={"text": "Open until ten tonight."})
    video = scheduled_post(world, "page", "Pour over", asset=world.video)
    results = {r.post_id: r for r in run(world, fake, secrets)}
    assert {r.outcome for r in results.values()} == {"published"}
    assert [f["params"]["message"] for f in fake.made("feed")] == ["Open until ten tonight."]
    [upload] = fake.made("videos")
    assert upload["params"]["description"] == "Pour over: fresh beans today." and results[video].external_ids == {"post": upload["id"]}
    assert results[text].external_ids == {"post": fake.made("feed")[0]["id"]}


def test_image_ad_makes_a_creative_named_by_the_idempotency_key(world, fake, secrets):
    post = scheduled_post(world, "ad", "Autumn ad", kind="ad", asset=world.photo, copy=AD_COPY)
    [result] = run(world, fake, secrets)
    assert result.outcome == "published", result.message
    [image], [creative] = fake.made("adimages"), fake.made("adcreatives")
    assert image["node"] == creative["node"] == AD_ACCOUNT
    assert creative["params"]["name"].startswith("conext-") and len(creative["params"]["name"]) == len("conext-") + 36
    assert '"image_hash": "' in creative["params"]["object_story_spec"] and '"link": "https://kestrel.example/autumn"' in creative["params"]["object_story_spec"]
    assert result.external_ids == {"creative": creative["id"]} and set(steps(world.lib, post)) == {"image", "creative"}


def test_video_ad_goes_to_the_graph_address_not_graph_video(world, fake, secrets):
    scheduled_post(world, "ad", "Pour ad", kind="ad", asset=world.video, copy=AD_COPY)
    [result] = run(world, fake, secrets)
    assert result.outcome == "published", result.message
    [video] = fake.made("advideos")
    assert video["params"]["title"].startswith("conext-") and fake.seen[0]["path"].startswith("/v")  # sent to GRAPH, not graph-video
    assert f'"video_id": "{video["id"]}"' in fake.made("adcreatives")[0]["params"]["object_story_spec"]


def test_ad_without_page_or_link_fails_saying_what_to_set(world, fake, secrets):
    post = scheduled_post(world, "ad", "Bare ad", kind="ad", asset=world.photo, copy={"primary_text": "Hi"})
    [result] = run(world, fake, secrets)
    assert result.outcome == "failed" and "page_id and link" in result.message
    assert fake.created == [] and publication(world.lib, post).status == "failed"


def test_server_error_waits_with_backoff_then_goes_out(world, fake, secrets):
    post = scheduled_post(world, "ad", "Autumn ad", kind="ad", asset=world.photo, copy=AD_COPY)
    fake.fail_next = {"adimages": [(500, {})], "adcreatives": [(503, SERVER_ERROR)]}
    now = after_due()
    [first] = run(world, fake, secrets, now=now)
    saved = publication(world.lib, post)
    assert (first.outcome, saved.status, saved.attempts) == ("waiting", "waiting", 1)
    assert (saved.next_attempt_at - now).total_seconds() == 60 and "tries again" in first.message
    assert run(world, fake, secrets, now=now) == []  # the backoff is not over
    [second] = run(world, fake, secrets, now=saved.next_attempt_at)
    assert second.outcome == "waiting" and "unexpected error" in second.message
    assert publication(world.lib, post).next_attempt_at == saved.next_attempt_at + (saved.next_attempt_at - now) * 2
    assert steps(world.lib, post).keys() == {"image"}  # the upload that worked is not done again
    [third] = run(world, fake, secrets, now=publication(world.lib, post).next_attempt_at)
    assert third.outcome == "published" and len(fake.made("adimages")) == 1 and len(fake.made("adcreatives")) == 1
    assert publication(world.lib, post).attempts == 3


def test_permanent_rejection_shows_metas_own_message(world, fake, secrets):
    post = scheduled_post(world, "ad", "Tiny ad", kind="ad", asset=world.photo, copy=AD_COPY)
    fake.reject = REJECTED
    [result] = run(world, fake, secrets)
    assert result.outcome == "failed" and "The image is too small: ads need at least 600 pixels" in result.message
    assert publication(world.lib, post).error == result.message
    fake.reject = None
    assert run(world, fake, secrets) == []  # a failed post is not retried by itself


def test_expired_token_waits_for_a_new_one_and_says_where(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    fake.token = "a-newer-token"
    [result] = run(world, fake, secrets)
    assert result.outcome == "waiting" and "Settings ▸ Accounts & keys" in result.message
    assert EXPIRED["message"] in result.message and META_TOKEN not in result.message
    assert publication(world.lib, post).status == "waiting" and fake.created == []
    secrets.set("meta", "a-newer-token")
    [again] = run(world, fake, secrets, now=publication(world.lib, post).next_attempt_at)
    assert again.outcome == "published"


def test_offline_waits_then_goes_out_when_back_and_says_so(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    with fake_meta(FakeMeta(META_TOKEN)) as gone:
        nowhere = gone.url
    [result] = publish_due(world.lib, now=after_due(), endpoints={"meta": nowhere}, secrets=secrets)
    saved = publication(world.lib, post)
    assert (result.outcome, saved.status, saved.error, saved.next_attempt_at) == ("waiting", "waiting", "offline", None)
    assert "could not be reached" in result.message
    [back] = run(world, fake, secrets)
    assert back.outcome == "published" and "while the studio was offline" in back.message
    assert len(fake.made("feed")) == 1


def test_a_creative_made_before_a_crash_is_found_not_made_again(world, fake, secrets):
    post = scheduled_post(world, "ad", "Autumn ad", kind="ad", asset=world.photo, copy=AD_COPY)
    fake.fail_next = {"adimages": [(500, {})]}
    run(world, fake, secrets)  # nothing done: waiting
    from studio.core.db.models import Post

    with world.lib.read() as conn:
        key = conn.execute(Post.__table__.select().where(Post.id == post)).first().idempotency_key
    made = {"edge": "adcreatives", "node": AD_ACCOUNT, "id": "777", "params": {"name": f"conext-{key}"}, "at": 0}
    fake.created.append(made)  # the platform made it; the crashed publisher never wrote the step
    [result] = run(world, fake, secrets, now=publication(world.lib, post).next_attempt_at)
    assert result.external_ids == {"creative": "777"} and fake.made("adcreatives") == [made]
