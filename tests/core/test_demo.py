"""The demo library: one client, brand and campaign with real media, idempotent, one undo step;
and performance reports for Analytics, imported through the real ingest."""

import shutil
from datetime import date

import av
import pytest
from PIL import Image
from sqlalchemy import func, select

from studio.core.analytics.anomalies import detect
from studio.core.analytics.kpis import data_range, kpis
from studio.core.analytics.store import list_imports
from studio.core.db.models import (
    Asset,
    AssetTag,
    Brand,
    Campaign,
    Client,
    CompositionRow,
)
from studio.core.demo import (
    PALETTE,
    PERFORMANCE,
    PERFORMANCE_DAYS,
    REPORTS_DIR,
    SPIKE,
    build_demo,
    performance_days,
    spike_day,
)
from studio.core.library import Library


def _counts(lib) -> dict:
    with lib.read() as conn:
        return {m.__tablename__: conn.execute(select(func.count()).select_from(m)).scalar() for m in (Client, Brand, Campaign, Asset, AssetTag, CompositionRow)}


@pytest.fixture
def demo_lib(demo):
    with Library.open(demo[0]) as lib:
        yield lib


def test_one_client_brand_and_campaign_with_palette_and_logo(demo, demo_lib):
    _, summary, progress = demo
    assert _counts(demo_lib)["clients"] == _counts(demo_lib)["brands"] == _counts(demo_lib)["campaigns"] == 1
    with demo_lib.read() as conn:
        brand = conn.execute(select(Brand)).mappings().one()
        campaign = conn.execute(select(Campaign)).mappings().one()
        assets = conn.execute(select(Asset)).mappings().all()
    assert brand["palette"] == PALETTE and all(c.startswith("#") and len(c) == 7 for c in PALETTE)
    assert brand["logo_asset_id"] == summary["assets"]["logo"]
    assert campaign["id"] == summary["campaign"]["id"] and campaign["brand_id"] == summary["brand"]["id"]
    assert {a["campaign_id"] for a in assets} == {campaign["id"]}
    assert len(summary["assets"]["scenes"]) >= 3 and len(summary["assets"]["videos"]) == 2
    assert progress and progress[-1] == 1.0


def test_assets_are_tagged_by_role(demo, demo_lib):
    ids = demo[1]["assets"]
    with demo_lib.read() as conn:
        tags = {}
        for asset_id, tag in conn.execute(select(AssetTag.asset_id, AssetTag.tag)):
            tags.setdefault(asset_id, set()).add(tag)
    assert {"product", "cut-out"} <= tags[ids["product"]]
    assert "logo" in tags[ids["logo"]]
    assert all("scene" in tags[i] for i in ids["scenes"])
    assert all("video" in tags[i] for i in ids["videos"])


def test_cut_out_has_real_alpha(demo, demo_lib):
    with demo_lib.read() as conn:
        product = conn.execute(select(Asset).where(Asset.id == demo[1]["assets"]["product"])).mappings().one()
    assert product["has_alpha"] and product["kind"] == "image"
    with Image.open(demo_lib.media_path(product["sha256"], product["ext"])) as img:
        alpha = img.getchannel("A")
        lo, hi = alpha.getextrema()
        soft = sum(alpha.histogram()[1:255])  # anti-aliased edge pixels
    assert (lo, hi) == (0, 255) and soft > 500


def test_videos_decode_with_sound(demo, demo_lib):
    with demo_lib.read() as conn:
        videos = conn.execute(select(Asset).where(Asset.id.in_(demo[1]["assets"]["videos"]))).mappings().all()
    assert {(v["width"], v["height"]) for v in videos} == {(1280, 720), (720, 1280)}
    for v in videos:
        assert 3 <= v["duration"] <= 4 and v["video_codec"] == "h264" and v["audio_channels"] == 2
        with av.open(str(demo_lib.media_path(v["sha256"], v["ext"]))) as container:
            stream, audio = container.streams.video[0], container.streams.audio[0]
            assert stream.codec_context.pix_fmt == "yuv420p" and audio.codec_context.name == "aac"
            frames = sum(1 for _ in container.decode(stream))
        assert frames >= 3 * 24
        with av.open(str(demo_lib.media_path(v["sha256"], v["ext"]))) as container:
            samples = sum(f.samples for f in container.decode(audio=0))
        assert samples >= 3 * 48000


def test_every_asset_has_a_thumbnail_on_disk(demo_lib):
    with demo_lib.read() as conn:
        thumbs = conn.execute(select(Asset.thumbnail)).scalars().all()
    assert thumbs and all(t and (demo_lib.root / t).is_file() for t in thumbs)


def test_second_run_adds_nothing_and_one_undo_removes_the_demo(demo, tmp_path, copy_library):
    root, summary, _ = demo
    copy_library(root, tmp_path / "lib")
    with Library.open(tmp_path / "lib") as lib:
        before = _counts(lib)
        assert lib.undo.undo_label() == "Add demo library"
        imports = list_imports(lib)
        again = build_demo(lib)
        assert _counts(lib) == before and list_imports(lib) == imports  # the reports are not imported twice
        assert again["performance_facts"] == 0
        assert again["imported"] == 0 and again["assets"] == summary["assets"] and again["campaign"] == summary["campaign"]
        assert lib.undo.undo_label() == "Add demo library"

        lib.undo.undo()
        assert set(_counts(lib).values()) == {0}
        assert not lib.undo.can_undo()
        lib.undo.redo()
        assert _counts(lib) == before


def test_the_demo_has_a_ready_made_ad_that_renders(demo, demo_lib, tmp_path):
    from studio.core.render.media import MediaResolver
    from studio.core.render.still import write_still
    from studio.core.timeline.store import list_compositions, load_composition

    (info,) = list_compositions(demo_lib)
    ad = load_composition(demo_lib, info.id)
    assert (ad.width, ad.height, info.campaign_id) == (1080, 1920, demo[1]["campaign"]["id"])
    assert MediaResolver(demo_lib).missing(ad) == []
    still = write_still(ad, MediaResolver(demo_lib), 120, tmp_path / "frame.png")
    assert Image.open(still).size == (1080, 1920)


def test_analytics_has_both_platforms_reports_as_real_export_files(demo, demo_lib):
    root, summary, _ = demo
    days = performance_days()
    assert data_range(demo_lib) == (days[0], days[-1]) and len(days) == PERFORMANCE_DAYS
    imports = list_imports(demo_lib)
    assert {b.source for b in imports} == {"meta", "google"}  # recognised as the platforms' own downloads
    files = sorted(p.name for p in (root / REPORTS_DIR).iterdir())
    assert files == sorted(b.file_name for b in imports)
    campaigns = kpis(demo_lib, ("platform", "campaign"), days[0], days[-1], compare=False)
    assert {(r.platform, r.campaign) for r in campaigns.itertuples()} == {(p, c) for p, cs in PERFORMANCE.items() for c in cs}
    assert set(campaigns.currency) == {"USD"} and (campaigns.conversions > 0).all()
    assert summary["performance_facts"] == len(PERFORMANCE["meta"]) * len(days) + len(PERFORMANCE["google"]) * len(days)
    daily = kpis(demo_lib, "day", days[0], days[-1], compare=False).set_index("day")["spend"]
    weekday = {day: date.fromisoformat(str(day)).weekday() for day in daily.index}
    weekend = daily[[d for d in daily.index if weekday[d] == 5]].median()
    monday = daily[[d for d in daily.index if weekday[d] == 0]].median()
    assert weekend > 1.15 * monday  # the weekly rhythm


def test_anomalies_find_the_planted_spend_spike(demo_lib):
    found = detect(demo_lib, metrics=("spend",))
    spike = [a for a in found if a.campaign == SPIKE[1]]
    assert [(a.day, a.platform, a.direction) for a in spike] == [(spike_day(), SPIKE[0], "up")]
    assert spike[0].value > 2.5 * spike[0].expected
    assert {a.day for a in found} == {spike_day()}  # nothing else in the demo looks odd
