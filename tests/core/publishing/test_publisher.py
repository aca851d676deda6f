"""The publisher as a whole: a publisher killed in the middle of a publish and started again
sends each post exactly once; dry runs; posts for platforms published by hand; missing keys."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from studio.core.jobs import JobState
from studio.core.publishing.publisher import (
    PublishParams,
    backoff,
    publish_due,
    publish_job,
)
from tests.core.publishing import publish_fixtures
from tests.core.publishing.publish_fixtures import (
    META_TOKEN,
    PAGE,
    PASSWORD,
    after_due,
    audit_actions,
    publication,
    scheduled_post,
    steps,
)
from tests.fake_meta import FakeMeta, fake_meta

secrets, world = publish_fixtures.secrets, publish_fixtures.world  # the fixtures these tests take

AD_COPY = {"primary_text": "Roasted this morning.", "headline": "Autumn blend", "page_id": PAGE, "link": "https://kestrel.example/autumn"}


@pytest.fixture
def fake():
    with fake_meta(FakeMeta(META_TOKEN)) as server:
        yield server


PUBLISHER = textwrap.dedent("""
    import sys
    from datetime import datetime
    from studio.core.library import Library
    from studio.core.publishing.publisher import publish_due
    from studio.core.secrets import SecretStore

    root, url, now, password = sys.argv[1:]
    store = SecretStore()
    store.unlock(password)
    with Library.open(root, lock=False) as lib:
        publish_due(lib, now=datetime.fromisoformat(now), endpoints={"meta": url}, secrets=store)
""")


def test_a_publisher_killed_mid_publish_and_restarted_sends_each_post_once(world, fake, secrets):
    page_post = scheduled_post(world, "page", "Latte art", asset=world.photo, hours=1)
    ad = scheduled_post(world, "ad", "Autumn ad", kind="ad", asset=world.photo, copy=AD_COPY, hours=2)
    fake.hold, fake.hold_seconds = "adcreatives", 20  # Meta makes the creative, then the publisher dies before it hears so
    now = after_due()
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(world.lib.root), fake.url, now.isoformat(), PASSWORD])
    try:
        assert fake.holding.wait(120), "the publisher never reached the creative"
    finally:
        publisher.kill()
        publisher.wait(30)
    assert publication(world.lib, page_post).status == "published"
    assert (publication(world.lib, ad).status, set(steps(world.lib, ad))) == ("publishing", {"image"})

    fake.hold = None
    [result] = publish_due(world.lib, now=now, endpoints={"meta": fake.url}, secrets=secrets)
    assert (result.post_id, result.outcome) == (ad, "published")
    assert [len(fake.made(edge)) for edge in ("photos", "feed", "adimages", "adcreatives")] == [1, 1, 1, 1]
    assert result.external_ids == {"creative": fake.made("adcreatives")[0]["id"]}
    assert publication(world.lib, ad).attempts == 2
    assert publish_due(world.lib, now=now, endpoints={"meta": fake.url}, secrets=secrets) == []


def test_dry_run_publishes_nothing_and_says_what_would_go(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    later = scheduled_post(world, "page", "Tomorrow", hours=30)
    results = publish_due(world.lib, now=after_due(), dry_run=True, endpoints={"meta": fake.url}, secrets=secrets)
    assert [(r.post_id, r.outcome) for r in results] == [(post, "would_publish")]
    assert f"Meta account {PAGE}" in results[0].message
    assert fake.seen == [] and publication(world.lib, post) is None and later not in [r.post_id for r in results]


def test_tiktok_posts_are_reported_for_upload_by_hand_and_stay_scheduled(world, fake, secrets):
    post = scheduled_post(world, "tiktok", "Latte art", asset=world.video)
    [result] = publish_due(world.lib, now=after_due(), endpoints={"meta": fake.url}, secrets=secrets)
    assert (result.outcome, result.platform) == ("skipped", "tiktok") and "upload it from the ad package" in result.message
    assert publication(world.lib, post) is None and fake.seen == []


def test_without_saved_keys_the_post_fails_naming_the_settings_page(world, fake):
    from studio.core.secrets import SecretStore

    empty = SecretStore()
    empty.unlock(PASSWORD)
    post = scheduled_post(world, "page", "Latte art")
    [result] = publish_due(world.lib, now=after_due(), endpoints={"meta": fake.url}, secrets=empty)
    assert result.outcome == "failed" and "Settings ▸ Accounts & keys" in result.message and "Meta" in result.message
    assert publication(world.lib, post).status == "failed" and fake.seen == []
    assert any("Latte art" in a and "failed" in a for a in audit_actions(world.lib))


def test_publish_job_runs_on_the_library_folder_with_progress(world):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    progress = []
    state = JobState(lambda: progress.append(state.progress))
    results = publish_job(PublishParams(str(world.lib.root), dry_run=True, now=after_due()), state)
    assert [(r.post_id, r.outcome) for r in results] == [(post, "would_publish")] and progress[-1] == 1.0


def test_only_one_publisher_works_on_a_library_at_a_time(world, fake, secrets):
    from filelock import FileLock

    from studio.core.publishing.publisher import PublisherBusy

    post = scheduled_post(world, "tiktok", "Latte art", asset=world.video)
    with FileLock(world.lib.root / "publisher.lock"):  # another studio, or a `studio publish due`, is at it
        with pytest.raises(PublisherBusy, match="Another studio or command is publishing"):
            publish_due(world.lib, now=after_due(), endpoints={"meta": fake.url}, secrets=secrets)
    [result] = publish_due(world.lib, now=after_due(), endpoints={"meta": fake.url}, secrets=secrets)  # free again
    assert result.post_id == post


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [60, 120, 240, 3600, 3600, 3600]


def test_pre_flight_gates_stop_a_post_before_anything_is_sent(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo, spec="meta.feed_image")  # 320x240: too small, 4:3
    [dry] = publish_due(world.lib, now=after_due(), dry_run=True, endpoints={"meta": fake.url}, secrets=secrets)
    assert dry.outcome == "failed" and dry.message.startswith("Pre-flight would stop it: latte.jpg does not fit Meta feed image")
    assert publication(world.lib, post) is None
    [result] = publish_due(world.lib, now=after_due(), endpoints={"meta": fake.url}, secrets=secrets)
    assert result.outcome == "failed" and result.message.startswith("Pre-flight stopped it: latte.jpg does not fit Meta feed image")
    assert fake.seen == [] and publication(world.lib, post).error == result.message
