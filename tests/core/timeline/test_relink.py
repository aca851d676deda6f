"""Relinking offline media: the op (one undoable step, joined with the import that brought the
files in), its refusals, and finding moved files by name."""

from __future__ import annotations

import threading

import pytest

from studio.core.assets import importer
from studio.core.assets.locate import LocateParams, locate
from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.core.ops import assets as asset_ops
from studio.core.ops.compositions import create_composition, relink_clips
from studio.core.queries import get_asset, list_assets
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, MediaClip, TextClip, Track
from studio.core.timeline.store import load_composition
from tests import media


def imported(lib, *paths, merge_key=None) -> list[int]:
    params = importer.ImportParams(str(lib.root), [str(p) for p in paths])
    if merge_key:
        params.merge_key = merge_key
    report = importer.run(params, JobState(), lib=lib)
    return [row["id"] for row in report.imported] + [s["asset_id"] for s in report.skipped if s.get("asset_id")]


@pytest.fixture
def offline(lib, tmp_path):
    """A composition with two offline clips (a library asset whose file was deleted, and a plain
    path that no longer exists), one online clip and a title."""
    [gone_id] = imported(lib, media.jpeg(tmp_path / "shoot" / "hero.jpg", seed=1))
    gone = get_asset(lib, gone_id)
    lib.media_path(gone.sha256, gone.ext).unlink()
    [kept_id] = imported(lib, media.jpeg(tmp_path / "shoot" / "kept.jpg", seed=2))
    clips = [MediaClip(name="hero.jpg", asset_id=gone_id, start=0, duration=30),
             MediaClip(name="b-roll.mp4", path=str(tmp_path / "old" / "b-roll.mp4"), start=30, duration=30),
             MediaClip(name="kept.jpg", asset_id=kept_id, start=60, duration=30)]
    comp = Composition(name="Spot", width=160, height=284, duration=90,
                       tracks=[Track(kind="video", clips=clips), Track(kind="text", clips=[TextClip(text="Hi", start=0, duration=30)])])
    comp_id = create_composition(lib, comp).value
    return comp_id, comp


def test_relinking_to_an_asset_and_to_a_path_is_one_undoable_step(lib, tmp_path, offline):
    comp_id, comp = offline
    hero, broll, _kept = comp.tracks[0].clips
    assert [m["clip_id"] for m in MediaResolver(lib).missing(comp)] == [hero.id, broll.id]
    [new_hero] = imported(lib, media.jpeg(tmp_path / "moved" / "hero.jpg", seed=3))
    moved_broll = media.mp4(tmp_path / "moved" / "b-roll.mp4")

    result = relink_clips(lib, comp_id, {hero.id: new_hero, broll.id: str(moved_broll)})
    assert "compositions" in result.changes
    after = load_composition(lib, comp_id)
    assert (after.find_clip(hero.id)[1].asset_id, after.find_clip(hero.id)[1].path) == (new_hero, None)
    assert (after.find_clip(broll.id)[1].asset_id, after.find_clip(broll.id)[1].path) == (None, str(moved_broll))
    assert after.find_clip(hero.id)[1].name == "hero.jpg"  # the clip keeps its name, trims and effects
    assert MediaResolver(lib).missing(after) == []
    assert lib.undo.undo_label() == "Relink 2 clips"

    lib.undo.undo()
    assert load_composition(lib, comp_id) == comp


def test_relinking_joins_the_import_that_brought_the_file_in(lib, tmp_path, offline):
    comp_id, comp = offline
    hero = comp.tracks[0].clips[0]
    before = len(list_assets(lib))
    [new_hero] = imported(lib, media.jpeg(tmp_path / "found" / "hero.jpg", seed=4), merge_key="relink:test")
    relink_clips(lib, comp_id, {hero.id: new_hero}, merge_key="relink:test")
    assert lib.undo.undo_label() == "Relink hero.jpg"
    lib.undo.undo()  # one step takes back the relink and the import
    assert load_composition(lib, comp_id) == comp
    assert len(list_assets(lib)) == before


def test_bad_relinks_say_what_to_do_and_change_nothing(lib, tmp_path, offline):
    comp_id, comp = offline
    hero, broll, kept = comp.tracks[0].clips
    title = comp.tracks[1].clips[0]
    top = lib.undo.undo_label()
    cases = [
        ({}, "choose a file for at least one clip"),
        ({"nope": str(tmp_path)}, "has no clip nope any more"),
        ({title.id: str(tmp_path)}, "is a text clip; only media clips"),
        ({hero.id: 9999}, "Asset 9999 is not in the library"),
        ({broll.id: str(tmp_path / "still-missing.mp4")}, "is not a file; choose the media file itself"),
        ({hero.id: kept.asset_id, broll.id: str(tmp_path)}, "is not a file"),  # one bad pick: none applied
    ]
    for links, message in cases:
        with pytest.raises(BadInput, match=message):
            relink_clips(lib, comp_id, links)
    asset_ops.trash_assets(lib, [kept.asset_id])
    with pytest.raises(BadInput, match="is in the trash; import the file again"):
        relink_clips(lib, comp_id, {hero.id: kept.asset_id})
    lib.undo.undo()  # the trashing
    assert lib.undo.undo_label() == top and load_composition(lib, comp_id) == comp


def test_locate_finds_moved_files_by_name_nearest_the_top(tmp_path):
    root = tmp_path / "drive"
    for rel in ("deep/er/Hero.JPG", "hero.jpg", "a/b-roll.mp4", ".hidden/logo.png", "z/logo.png.bak"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    found = locate(LocateParams(str(root), ["hero.jpg", "b-roll.mp4", "logo.png"]), JobState())
    assert found == {"hero.jpg": str(root / "hero.jpg"), "b-roll.mp4": str(root / "a" / "b-roll.mp4")}
    assert locate(LocateParams(str(root / "deep"), ["hero.jpg"]), JobState()) == {"hero.jpg": str(root / "deep/er/Hero.JPG")}

    with pytest.raises(BadInput, match="is not a folder; choose the folder"):
        locate(LocateParams(str(root / "hero.jpg"), ["x"]), JobState())
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        locate(LocateParams(str(root), ["missing.mov"]), JobState(cancel_event=cancel))
