"""A real library with a brand, a campaign, channels and a photo, and posts put through the real
editorial ops (create, review, approve, schedule) so the publisher finds them due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from studio.core.assets import importer
from studio.core.db.models import AuditEvent, Publication, PublishStep, utcnow
from studio.core.jobs import JobState
from studio.core.ops import organize
from studio.core.ops import publishing as ops
from tests import media

META_TOKEN = "EAAGm0PX4ZCpsBApublish"
GOOGLE = {"developer_token": "dev-token-1", "client_id": "client.apps.googleusercontent.com", "client_secret": "shh",
          "refresh_token": "1//refresh-publish", "login_customer_id": ""}
PASSWORD = "correct horse battery"
PAGE = "2200"
AD_ACCOUNT = "act_42"
CUSTOMER = "1234567890"


@pytest.fixture
def secrets(saved_keys):
    """The Meta and Google keys in a real encrypted key store (never the OS keyring), unlocked."""
    return saved_keys(meta=META_TOKEN, google_ads=GOOGLE)


@dataclass
class World:
    lib: object
    campaign: int
    channels: dict  # "page" | "ad" | "google" | "tiktok" -> channel id
    photo: int  # asset id
    video: int


@pytest.fixture
def world(lib, tmp_path) -> World:
    brand = organize.create_brand(lib, organize.create_client(lib, "Kestrel").value, "Kestrel Coffee").value
    campaign = organize.create_campaign(lib, brand, "Autumn").value
    channels = {
        "page": ops.add_channel(lib, brand, "meta", "Kestrel (Facebook page)", PAGE, "Europe/Berlin").value,
        "ad": ops.add_channel(lib, brand, "meta", "Kestrel ads", AD_ACCOUNT, "Europe/Berlin").value,
        "google": ops.add_channel(lib, brand, "google", "Kestrel search", "123-456-7890", "Europe/Berlin").value,
        "tiktok": ops.add_channel(lib, brand, "tiktok", "Kestrel TikTok", "kestrel", "Europe/Berlin").value,
    }
    files = [str(media.jpeg(tmp_path / "latte.jpg")), str(media.mp4(tmp_path / "pour.mp4"))]
    imported = importer.run(importer.ImportParams(str(lib.root), files, campaign), JobState(), lib=lib).imported
    by_kind = {a["kind"]: a["id"] for a in imported}
    return World(lib, campaign, channels, by_kind["image"], by_kind["video"])


def scheduled_post(world: World, channel: str, title: str, *, kind: str = "post", asset: int | None = None, copy: dict | None = None,
                   hours: float = 2, spec: str | None = None) -> int:
    """A post approved and scheduled `hours` from now on the channel's wall clock."""
    from zoneinfo import ZoneInfo

    local = (datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(hours=hours)).replace(tzinfo=None, second=0, microsecond=0)
    post = ops.create_post(world.lib, world.campaign, world.channels[channel], title, kind=kind, asset_id=asset, spec_id=spec,
                           copy=copy or {"primary_text": f"{title}: fresh beans today."}, local_time=local).value
    ops.submit_post(world.lib, post)
    ops.decide_post(world.lib, post, "Ana", "approved")
    ops.schedule_post(world.lib, post)
    return post


def after_due(hours: float = 3) -> datetime:
    """A publisher's clock (naive UTC) `hours` from now: past the posts scheduled above."""
    return utcnow() + timedelta(hours=hours)


def publication(lib, post_id: int) -> Publication | None:
    with lib.read() as conn:
        return conn.execute(select(Publication).where(Publication.post_id == post_id)).first()


def steps(lib, post_id: int) -> dict:
    with lib.read() as conn:
        return dict(conn.execute(select(PublishStep.step, PublishStep.external_id).where(PublishStep.post_id == post_id)).all())


def audit_actions(lib) -> list[str]:
    with lib.read() as conn:
        return list(conn.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars())
