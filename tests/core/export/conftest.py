"""A small campaign to package: a 5 s vertical composition over a real video, two photos
(one big enough for every placement, one far too small) and copy."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.ops.compositions import create_composition
from studio.core.ops.copy import set_copy
from studio.core.ops.organize import find_or_create_campaign
from studio.core.timeline.model import Composition, MediaClip, TextClip, Track
from tests import media

CAMPAIGN = "Spring Sale"


@dataclass
class Campaign:
    lib: object
    id: int
    composition_id: int
    photo_id: int
    tiny_id: int
    clip_asset_id: int


def short_ad(video_asset_id: int, seconds: float = 5.0, name: str = "Spring teaser") -> Composition:
    frames = round(24 * seconds)
    return Composition(name=name, width=720, height=1280, fps=(24, 1), duration=frames, tracks=[
        Track(kind="video", clips=[MediaClip(asset_id=video_asset_id, start=0, duration=frames, fit="cover")]),
        Track(kind="text", clips=[TextClip(text="Spring Sale", start=0, duration=frames, size=90)]),
    ])


@pytest.fixture
def campaign(lib, tmp_path) -> Campaign:
    files = [media.mp4(tmp_path / "clip.mp4", size=(360, 640), seconds=7.0, fps=24), media.jpeg(tmp_path / "photo.jpg", size=(1600, 1000)),
             media.jpeg(tmp_path / "tiny.jpg", size=(200, 150), seed=3)]
    campaign_id = find_or_create_campaign(lib, CAMPAIGN)
    report = importer.run(importer.ImportParams(str(lib.root), [str(f) for f in files], campaign_id), JobState(), lib=lib)
    ids = {row["name"]: row["id"] for row in report.imported}
    comp = create_composition(lib, short_ad(ids["clip.mp4"]), campaign_id).value
    set_copy(lib, campaign_id, "headline", ["Spring Sale is on", "Fresh picks, small prices", "Ends Sunday"])
    set_copy(lib, campaign_id, "description", ["Everything for the garden, delivered in two days.", "Free returns for thirty days."])
    set_copy(lib, campaign_id, "final_url", ["https://example.com/spring"])
    set_copy(lib, campaign_id, "short_headline", ["Spring Sale is on"])
    set_copy(lib, campaign_id, "long_headline", ["Spring Sale: everything for the garden at small prices"])
    set_copy(lib, campaign_id, "business_name", ["Greenhouse & Co"])
    set_copy(lib, campaign_id, "description", ["Garden picks, two-day delivery."], scope="google.youtube_instream")
    set_copy(lib, campaign_id, "ad_text", ["Spring Sale: fresh picks, small prices"], scope="tiktok")
    return Campaign(lib, campaign_id, comp, ids["photo.jpg"], ids["tiny.jpg"], ids["clip.mp4"])
