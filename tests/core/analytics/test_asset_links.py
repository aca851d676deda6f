"""Facts linked to the library asset an ad shows, by the ad's name: the asset's file name without
its extension, or an ad-package rendition of it; KPIs by asset."""

from __future__ import annotations

from PIL import Image
from sqlalchemy import select

from studio.core.analytics.kpis import kpis
from studio.core.db.models import AdEntity
from studio.core.queries import list_assets
from tests.core.analytics.test_ingest import meta_csv, run_ingest
from tests.core.test_import import run_import

DAY = "2026-11-02"


def picture(path, colour):
    Image.new("RGB", (64, 64), colour).save(path)
    return path


def test_ads_named_after_an_asset_or_its_rendition_are_linked(lib, tmp_path):
    run_import(lib, [picture(tmp_path / "Story Ad.png", "red"), picture(tmp_path / "banner.jpg", "blue"),
                     picture(tmp_path / "twin.png", "green"), picture(tmp_path / "twin.jpg", "white")])
    ids = {a.name: a.id for a in list_assets(lib)}
    rows = [("Autumn", "Set A", ad, DAY, spend, 1000, 900, 10, 12, 1, 30.0) for ad, spend in (
        ("story ad", 10.0),  # the file name, any case and spacing
        ("autumn-roast_reels_story-ad_1080x1920", 20.0),  # the ad package's rendition of it
        ("autumn-roast_feed_image_banner_1080x1080-2", 5.0),  # a placement with an underscore, a second file of that size
        ("twin", 7.0),  # two assets share the name: neither is meant
        ("Carousel 3", 1.0),  # nothing in the library
    )]
    [report] = run_ingest(lib, meta_csv(tmp_path / "meta.csv", rows))
    assert report.imported, report.errors
    with lib.read() as conn:
        linked = dict(conn.execute(select(AdEntity.ad, AdEntity.asset_id)).all())
    assert linked == {"story ad": ids["Story Ad.png"], "autumn-roast_reels_story-ad_1080x1920": ids["Story Ad.png"],
                      "autumn-roast_feed_image_banner_1080x1080-2": ids["banner.jpg"], "twin": None, "Carousel 3": None}
    by_asset = kpis(lib, "asset", compare=False).set_index("asset")["spend"].to_dict()
    assert by_asset[ids["Story Ad.png"]] == 30.0 and by_asset[ids["banner.jpg"]] == 5.0
    assert {type(a) for a in by_asset} == {int, type(None)}  # asset ids as the library has them; None: not known
