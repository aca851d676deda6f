"""Importing real files: images, cut-outs, video; bad, truncated and duplicate files."""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

from PIL import Image
from sqlalchemy import text

from studio.core.assets import importer
from studio.core.check import check_library
from studio.core.jobs import JobState
from studio.core.ops.organize import find_or_create_campaign
from studio.core.queries import AssetFilter, list_assets
from tests import media


def run_import(lib, paths, campaign_id=None, pool=None, state=None):
    params = importer.ImportParams(str(lib.root), [str(p) for p in paths], campaign_id)
    return importer.run(params, state or JobState(), lib=lib, pool=pool)


def test_import_mixed_folder(lib, tmp_path):
    src = tmp_path / "shoot"
    media.jpeg(src / "scene.jpg", size=(640, 360))
    media.png_with_alpha(src / "product.png")
    media.mp4(src / "clips" / "spot.mp4", size=(96, 160), seconds=1.2)
    (src / "notes.txt").write_text("call the client")
    good = (src / "scene.jpg").read_bytes()
    (src / "broken.jpg").write_bytes(good[: len(good) // 2])
    (src / ".DS_Store").write_bytes(b"junk")
    campaign = find_or_create_campaign(lib, "Autumn")

    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        report = run_import(lib, [src], campaign, pool=pool)

    by_name = {row["name"]: row for row in report.imported}
    assert set(by_name) == {"scene.jpg", "product.png", "spot.mp4"}
    assert by_name["scene.jpg"]["orientation"] == "landscape" and by_name["scene.jpg"]["width"] == 640
    assert by_name["product.png"]["has_alpha"] is True
    video = by_name["spot.mp4"]
    assert video["kind"] == "video" and video["orientation"] == "portrait"
    assert video["video_codec"] == "h264" and video["audio_codec"] == "aac" and video["audio_channels"] == 2
    assert abs(video["duration"] - 1.2) < 0.1 and video["fps"] == 25
    reasons = {s["path"].split("/")[-1]: s["reason"] for s in report.skipped}
    assert set(reasons) == {"notes.txt", "broken.jpg"}  # hidden files are not offered at all
    assert "not media, or it is damaged or truncated" in reasons["notes.txt"]
    assert "truncated" in reasons["broken.jpg"]
    for row in report.imported:
        assert (lib.root / row["thumbnail"]).is_file()
        assert lib.media_path(row["sha256"], row["ext"]).is_file()
        assert row["campaign_id"] == campaign
    thumb = Image.open(lib.root / by_name["product.png"]["thumbnail"])
    assert thumb.mode == "RGBA" and max(thumb.size) <= 320
    assert check_library(lib)["ok"]
    assert lib.undo.undo_label() == "Import 3 files"


def test_duplicates_are_not_stored_twice(lib, tmp_path):
    first = media.jpeg(tmp_path / "a.jpg")
    copy = tmp_path / "renamed copy.jpg"
    copy.write_bytes(first.read_bytes())
    assert len(run_import(lib, [first]).imported) == 1
    report = run_import(lib, [copy])
    assert report.imported == []
    assert report.skipped[0]["reason"].startswith("already in the library as asset")
    assert len(list(lib.media_dir.rglob("*.jpg"))) == 1


def test_undo_import_removes_the_assets_and_redo_brings_them_back(lib, tmp_path):
    files = [media.jpeg(tmp_path / f"{i}.jpg", seed=i) for i in range(3)]
    run_import(lib, files)
    assert len(list_assets(lib)) == 3
    lib.undo.undo()
    assert list_assets(lib) == []
    lib.undo.redo()
    assert len(list_assets(lib)) == 3


def test_large_import_commits_in_batches_as_one_undo_step(lib, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 4)
    files = [media.jpeg(tmp_path / f"{i}.jpg", size=(32, 24), seed=i) for i in range(10)]
    run_import(lib, files)
    with lib.read() as conn:
        assert conn.execute(text("select count(*) from undo_log")).scalar() == 1
        assert conn.execute(text("select count(*) from audit_events")).scalar() == 3  # one per batch
    assert lib.undo.undo_label() == "Import 10 files"


def test_cancel_keeps_what_was_committed_and_nothing_half_done(lib, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    files = [media.jpeg(tmp_path / f"{i}.jpg", size=(32, 24), seed=i) for i in range(8)]
    state = JobState()
    original = importer._commit_batch

    def commit_then_cancel(*args):
        original(*args)
        state.cancel()  # the user presses Cancel during the first batch

    monkeypatch.setattr(importer, "_commit_batch", commit_then_cancel)
    report = run_import(lib, files, state=state)
    assert report.cancelled and len(report.imported) == 2
    assert len(list_assets(lib)) == 2 and check_library(lib)["ok"]


def test_missing_path_is_reported(lib, tmp_path):
    report = run_import(lib, [tmp_path / "nowhere.jpg"])
    assert report.skipped == [{"path": str(tmp_path / "nowhere.jpg"), "reason": "no such file or folder"}]


def test_filters(lib, tmp_path):
    media.jpeg(tmp_path / "wide.jpg", size=(300, 100))
    media.jpeg(tmp_path / "tall.jpg", size=(100, 300), seed=2)
    media.mp4(tmp_path / "clip.mp4", seconds=2)
    run_import(lib, [tmp_path])
    assert {a.name for a in list_assets(lib, AssetFilter(kinds=("image",)))} == {"wide.jpg", "tall.jpg"}
    assert {a.name for a in list_assets(lib, AssetFilter(orientation="portrait"))} == {"tall.jpg"}
    assert {a.name for a in list_assets(lib, AssetFilter(min_duration=1.5))} == {"clip.mp4"}
    assert {a.name for a in list_assets(lib, AssetFilter(text="WIDE"))} == {"wide.jpg"}


def test_photo_shot_sideways_is_recorded_upright(lib, tmp_path):
    from PIL import Image

    path = media.jpeg(tmp_path / "phone.jpg", size=(400, 300))
    img = Image.open(path)
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    img.save(tmp_path / "sideways.jpg", exif=exif)
    row = run_import(lib, [tmp_path / "sideways.jpg"]).imported[0]
    assert (row["width"], row["height"], row["orientation"]) == (300, 400, "portrait")
    assert Image.open(lib.root / row["thumbnail"]).size == (240, 320)
