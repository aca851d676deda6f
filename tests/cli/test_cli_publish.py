"""`studio publish due|preflight` as a user runs them, against the local fake Graph API."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import studio as run_studio
from tests.core.publishing import publish_fixtures
from tests.core.publishing.publish_fixtures import (
    META_TOKEN,
    PASSWORD,
    after_due,
    publication,
    scheduled_post,
)
from tests.fake_meta import FakeMeta, fake_meta

secrets, world = publish_fixtures.secrets, publish_fixtures.world  # the fixtures these tests take


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("STUDIO_MASTER_PASSWORD", PASSWORD)
    with fake_meta(FakeMeta(META_TOKEN)) as server:
        yield server


def studio(*argv) -> tuple[int, str, str]:
    out = run_studio(*argv)
    return out.returncode, out.stdout, out.stderr


def test_dry_run_then_publish_then_nothing_due(world, fake, secrets):
    post = scheduled_post(world, "page", "Latte art", asset=world.photo)
    tiktok = scheduled_post(world, "tiktok", "Pour", asset=world.video)
    common = ["--library", world.lib.root, "--now", after_due().isoformat(timespec="minutes"), "--meta-endpoint", fake.url]
    code, out, _ = studio("publish", "due", "--dry-run", "--json", *common)
    doc = json.loads(out)
    assert code == 0 and doc["dry_run"] is True
    assert [(r["post_id"], r["outcome"]) for r in doc["results"]] == [(post, "would_publish"), (tiktok, "skipped")]
    assert fake.seen == []

    code, out, _ = studio("publish", "due", "--json", *common)
    results = {r["post_id"]: r for r in json.loads(out)["results"]}
    assert code == 0 and results[post]["outcome"] == "published" and results[post]["external_ids"]["post"] == fake.made("feed")[0]["id"]
    assert publication(world.lib, post).status == "published"

    code, out, _ = studio("publish", "due", *common)
    assert code == 0 and out.splitlines() == [(f"skipped: post {tiktok} 'Pour' (tiktok): TikTok posts are not published by the studio: "
                                                "upload it from the ad package. It stays scheduled.")]


def test_a_refused_post_exits_1_with_metas_message(world, fake, secrets):
    scheduled_post(world, "page", "Latte art", asset=world.photo)
    fake.reject = {"message": "Invalid parameter", "code": 100, "error_user_msg": "This photo could not be processed."}
    code, out, _ = studio("publish", "due", "--library", world.lib.root, "--now", after_due().isoformat(), "--meta-endpoint", fake.url)
    assert code == 1 and out.startswith("failed: post 1 'Latte art' (meta): Meta refused") and "This photo could not be processed." in out


def test_preflight_lists_posts_due_soon_and_exits_3_on_errors(world, fake, secrets):
    ready = scheduled_post(world, "page", "Latte art", asset=world.photo, hours=2)
    bare = scheduled_post(world, "ad", "Autumn ad", kind="ad", hours=3)
    code, out, _ = studio("publish", "preflight", "--hours", "24", "--json", "--library", world.lib.root, "--meta-endpoint", fake.url)
    posts = {p["post_id"]: p for p in json.loads(out)["posts"]}
    assert code == 3 and posts[ready]["problems"] == [] and posts[bare]["problems"][0]["severity"] == "error"
    code, out, _ = studio("publish", "preflight", "--hours", "1", "--library", world.lib.root, "--meta-endpoint", fake.url)
    assert code == 0 and out.strip() == "No scheduled post is due in the next 1 hours."


def test_bad_time_is_a_usage_error(world):
    code, _, err = studio("publish", "due", "--dry-run", "--now", "tomorrow", "--library", world.lib.root)
    assert code == 2 and "--now 'tomorrow' is not a time; write it as YYYY-MM-DDTHH:MM (UTC)." in err
