"""Finding media: library assets and plain paths; what is offline and how it shows; the cache's bound."""

from __future__ import annotations

import numpy as np

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.ops.assets import trash_assets
from studio.core.render.cache import FrameCache
from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, MediaClip, TextClip, Track
from tests import media
from tests.core.render import barcode_mp4, read_barcode

SLATE = (90, 14, 20, 255)


def imported(lib, *paths) -> list[int]:
    report = importer.run(importer.ImportParams(str(lib.root), [str(p) for p in paths]), JobState(), lib=lib)
    return [row["id"] for row in report.imported]


def test_assets_resolve_to_library_media_and_trashed_ones_go_offline(lib, tmp_path):
    video_id, image_id = imported(lib, barcode_mp4(tmp_path / "code.mp4", frames=30), media.jpeg(tmp_path / "shot.jpg"))
    video = MediaClip(name="bg", asset_id=video_id, start=0, duration=30)
    image = MediaClip(name="shot", asset_id=image_id, start=0, duration=30)
    comp = Composition(width=160, height=284, duration=30, tracks=[Track(kind="video", clips=[video]), Track(kind="overlay", clips=[image])])
    resolver = MediaResolver(lib)
    assert resolver.path(video).is_relative_to(lib.media_dir) and resolver.path(video).exists()
    assert resolver.missing(comp) == []

    trash_assets(lib, [image_id])
    resolver = MediaResolver(lib)
    assert resolver.path(image) is None
    assert resolver.missing(comp) == [{"clip_id": image.id, "name": "shot", "path": None, "reason": "the asset is in the trash"}]
    with FrameEvaluator(comp, resolver, backend="cpu") as ev:
        assert ev.offline == resolver.missing(comp)
        assert tuple(ev.frame(0)[5, 5]) == SLATE


def test_offline_files_render_as_a_slate_and_are_listed(tmp_path):
    gone = MediaClip(name="hero shot", path=str(tmp_path / "moved-away.mp4"), start=0, duration=10)
    folder = MediaClip(path=str(tmp_path), start=10, duration=10)
    comp = Composition(width=160, height=284, duration=20, tracks=[
        Track(kind="video", clips=[gone, folder]), Track(kind="text", clips=[TextClip(text="Still here", size=20, start=0, duration=20)])])
    with FrameEvaluator(comp, MediaResolver(), backend="cpu") as ev:
        assert [(o["clip_id"], o["reason"]) for o in ev.offline] == [(gone.id, "the file is missing"), (folder.id, "the file cannot be read")]
        assert ev.offline[0]["name"] == "hero shot" and ev.offline[0]["path"].endswith("moved-away.mp4")
        frame = ev.frame(0)
        assert tuple(frame[5, 5]) == SLATE and tuple(ev.frame(15)[5, 5]) == SLATE
        assert (frame[..., :3] == 255).all(axis=-1).any()  # the slate's text, and the title on top
    asset = MediaClip(asset_id=3, start=0, duration=5)
    no_library = MediaResolver().missing(Composition(width=160, height=284, duration=5, tracks=[Track(kind="video", clips=[asset])]))
    assert no_library[0]["reason"] == "the clip names a library asset, but no library is open"


def test_the_cache_keeps_under_its_byte_bound_and_drops_the_oldest():
    cache = FrameCache(10_000)
    for i in range(10):
        cache.put(i, np.zeros(3000, np.uint8))
        assert cache.bytes <= 10_000
    assert len(cache) == 3 and cache.get(0) is None and cache.get(9) is not None
    cache.get(7)
    cache.put("new", np.zeros(3000, np.uint8))
    assert cache.get(7) is not None and cache.get(8) is None  # used recently, so kept
    cache.put("huge", np.zeros(20_000, np.uint8))
    assert cache.get("huge") is None and cache.bytes <= 10_000


def test_playing_a_long_clip_keeps_the_evaluator_cache_under_its_bound(tmp_path):
    video = barcode_mp4(tmp_path / "code.mp4", frames=60)
    comp = Composition(width=160, height=284, duration=60, tracks=[Track(kind="video", clips=[MediaClip(path=str(video), start=0, duration=60)])])
    bound = 160 * 40 * 4 * 20  # room for 20 of the 60 decoded frames (160 × 40 once fitted)
    with FrameEvaluator(comp, MediaResolver(), backend="cpu", cache_bytes=bound) as ev:
        for i in range(60):
            assert read_barcode(ev.frame(i)[142]) == i
            assert ev.cache.bytes <= bound
        assert 10 < len(ev.cache) <= 20
