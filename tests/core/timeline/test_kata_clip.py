"""A saved Kata recipe as a clip: the document, the evaluator drawing the recipe's composite
(once per recipe content), offline when the recipe or its files are gone, the op that adds
one (one undo step) and OTIO exchange."""

from __future__ import annotations

import json

import cv2
import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from studio.core.assets import importer
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops import compositions as ops
from studio.core.ops.assets import trash_assets
from studio.core.ops.kata import create_recipe, delete_recipe, library_resolver, load_recipe, save_recipe
from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.layers import slate as offline_slate
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, KataClip, MediaClip, TextClip, Track
from studio.core.timeline.otio_io import OTIO_KEY, export_otio, import_otio
from studio.core.timeline.store import load_composition
from studio.kata.recipe import PlacementSpec, Recipe, render_recipe
from tests.kata.scenes import floor_scene

SCENE = (480, 320)  # w, h; the canvas below is half of it, so "contain" fits it exactly


def scene_file(path, seed=0):
    rgb, _truth = floor_scene(size=SCENE, horizon_y=120, seed=seed)
    Image.fromarray(rgb).save(path)
    return path


def bottle_file(path):
    rgba = np.zeros((160, 80, 4), np.uint8)  # a bottle on a transparent margin
    rgba[30:150, 15:65] = (30, 120, 60, 255)
    rgba[10:30, 32:48] = (200, 200, 200, 255)
    Image.fromarray(rgba).save(path)
    return path


@pytest.fixture
def files(tmp_path):
    return scene_file(tmp_path / "room.png"), bottle_file(tmp_path / "bottle.png")


def imported(lib, *paths) -> list[int]:
    report = importer.run(importer.ImportParams(str(lib.root), [str(p) for p in paths]), JobState(), lib=lib)
    return [row["id"] for row in report.imported]


def recipe(scene, product, x=240.0) -> Recipe:
    return Recipe(name="Bottle on the floor", scene=scene, product=product,
                  placement=PlacementSpec(x=x, y=260, height_px=60), height_m=0.25, params={"shadow_strength": 0.5})


def comp_with(clip, **changes) -> Composition:
    fields = {"name": "Spot", "width": SCENE[0] // 2, "height": SCENE[1] // 2, "duration": 30, "background": "#0000FF",
              "tracks": [Track(kind="overlay", clips=[clip])]}
    return Composition(**{**fields, **changes})


def expected(lib, rec: Recipe, size=(SCENE[0] // 2, SCENE[1] // 2)) -> np.ndarray:
    return cv2.resize(render_recipe(rec, library_resolver(lib)).image, size, interpolation=cv2.INTER_AREA)


# ---- the document ---------------------------------------------------------------------------------
def test_kata_clips_round_trip_and_older_documents_still_load():
    comp = comp_with(KataClip(name="Bottle", recipe_id=4, start=5, duration=20, fit="cover"))
    doc = json.loads(json.dumps(comp.to_document()))
    assert doc["tracks"][0]["clips"][0] | {"id": None, "transform": None} == {
        "id": None, "name": "Bottle", "start": 5, "duration": 20, "enabled": True, "transform": None,
        "kind": "kata", "recipe_id": 4, "fit": "cover", "source_in": 0.0}
    assert Composition.from_document(doc) == comp and doc["schema_version"] == 1

    older = {"schema_version": 1, "name": "Before kata clips", "tracks": [  # as saved before kata clips existed
        {"kind": "video", "clips": [{"kind": "media", "path": "/media/a.mp4", "start": 0, "duration": 90}]},
        {"kind": "text", "clips": [{"kind": "text", "text": "Hi", "start": 0, "duration": 30}]}]}
    loaded = Composition.from_document(older)
    assert [type(c) for _t, c in loaded.clips()] == [MediaClip, TextClip]

    doc["tracks"][0]["clips"][0]["recipe_id"] = 0
    with pytest.raises(BadInput, match=r"tracks\.0\.clips\.0\.recipe_id: Input should be greater than or equal to 1"):
        Composition.from_document(doc)


# ---- the evaluator --------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["cpu", "torch"])
def test_the_evaluator_draws_the_recipes_composite_fitted_like_a_still(lib, files, backend):
    if backend == "torch":
        pytest.importorskip("torch")
    rec = recipe(*imported(lib, *files))
    recipe_id = create_recipe(lib, rec).value
    comp = comp_with(KataClip(recipe_id=recipe_id, start=0, duration=30))
    with FrameEvaluator(comp, MediaResolver(lib), backend=backend) as ev:
        assert ev.offline == [] and ev.problems == []
        frame = ev.frame(0)
    want = expected(lib, rec)
    assert frame.shape == (160, 240, 4) and (frame[..., 3] == 255).all()
    assert np.abs(frame[..., :3].astype(int) - want).max() <= 1  # the composite, not the blue background
    assert not np.array_equal(want, cv2.resize(np.asarray(Image.open(files[0]).convert("RGB")), (240, 160), interpolation=cv2.INTER_AREA))


def test_the_composite_is_made_once_and_follows_edits_to_the_recipe_and_its_files(lib, tmp_path, files):
    scene, product = files
    rec = recipe(str(scene), str(product))
    recipe_id = create_recipe(lib, rec).value
    comp = comp_with(KataClip(recipe_id=recipe_id, start=0, duration=30))
    with FrameEvaluator(comp, MediaResolver(lib), backend="cpu") as ev:
        first = ev.frame(0)
        scene_file(scene, seed=7)  # the scene changes on disk while the clip plays
        assert np.array_equal(ev.frame(1), first)  # played from the cache: the files are not read per frame
        ev.set_composition(comp)  # the next look at the document sees the new file
        changed = ev.frame(1)
        assert not np.array_equal(changed, first)
        assert np.abs(changed[..., :3].astype(int) - expected(lib, rec)).max() <= 1

        save_recipe(lib, recipe_id, recipe(str(scene), str(product), x=120.0), "Move product")
        ev.set_composition(comp)
        moved = ev.frame(2)
        assert np.abs(moved[..., :3].astype(int) - expected(lib, load_recipe(lib, recipe_id))).max() <= 1
        assert not np.array_equal(moved, changed)


def test_a_deleted_recipe_or_a_trashed_scene_makes_the_clip_offline(lib, files):
    scene_id, product_id = imported(lib, *files)
    recipe_id = create_recipe(lib, recipe(scene_id, product_id)).value
    clip = KataClip(name="Hero shot", recipe_id=recipe_id, start=0, duration=30)
    comp = comp_with(clip)

    trash_assets(lib, [scene_id])
    with FrameEvaluator(comp, MediaResolver(lib), backend="cpu") as ev:
        assert ev.offline == [{"clip_id": clip.id, "name": "Hero shot", "path": None, "reason": "its scene is offline: the asset is in the trash"}]
        assert np.array_equal(ev.frame(0), offline_slate((240, 160), "Hero shot"))  # as for missing media

    lib.undo.undo()
    delete_recipe(lib, recipe_id)
    with FrameEvaluator(comp_with(clip.model_copy(update={"name": ""})), MediaResolver(lib), backend="cpu") as ev:
        assert [(o["name"], o["reason"]) for o in ev.offline] == [(f"Kata recipe {recipe_id}", "the Kata recipe is no longer in the library")]
        assert np.array_equal(ev.frame(0), offline_slate((240, 160), f"Kata recipe {recipe_id}"))
    with FrameEvaluator(comp, MediaResolver(), backend="cpu") as ev:  # an OTIO file rendered outside a library
        assert ev.offline[0]["reason"] == "the clip names a Kata recipe, but no library is open"


# ---- the op ---------------------------------------------------------------------------------------
def test_add_recipe_clip_is_one_undo_step_on_an_overlay_track(lib, files):
    recipe_id = create_recipe(lib, recipe(*map(str, files))).value
    base = Composition(name="Spot", width=240, height=160, duration=300, tracks=[
        Track(kind="video", clips=[MediaClip(path="/media/bg.mp4", start=0, duration=300)]),
        Track(kind="overlay", clips=[TextClip(text="Hi", start=0, duration=60)]),
        Track(kind="audio")])
    cid = ops.create_composition(lib, base).value

    result = ops.add_recipe_clip(lib, cid, recipe_id, start=30)
    assert lib.undo.undo_label() == "Add Bottle on the floor" and "compositions" in result.changes
    comp = load_composition(lib, cid)
    track, clip = comp.find_clip(result.value)
    assert isinstance(clip, KataClip) and (clip.recipe_id, clip.start, clip.duration, clip.name) == (recipe_id, 30, 150, "Bottle on the floor")
    assert track.kind == "overlay" and track.name == "Overlay 2" and [t.kind for t in comp.tracks] == ["video", "overlay", "overlay", "audio"]

    video = comp.tracks[0].id  # on a named track it overwrites what it covers
    second = ops.add_recipe_clip(lib, cid, recipe_id, track_id=video, start=100, duration=50).value
    clips = load_composition(lib, cid).tracks[0].clips
    assert [(c.kind, c.start, c.end) for c in clips] == [("media", 0, 100), ("kata", 100, 150), ("media", 150, 300)]
    assert clips[1].id == second

    lib.undo.undo()
    lib.undo.undo()
    assert load_composition(lib, cid) == Composition.from_document(base.to_document())


def test_add_recipe_clip_refuses_bad_input_and_changes_nothing(lib, files):
    recipe_id = create_recipe(lib, recipe(*map(str, files))).value
    base = Composition(name="Spot", tracks=[Track(kind="audio"), Track(kind="overlay", locked=True)])
    cid = ops.create_composition(lib, base).value
    audio, locked = (t.id for t in base.tracks)
    cases = [
        (dict(recipe_id=recipe_id + 1), f"There is no Kata recipe {recipe_id + 1}"),
        (dict(track_id=audio), "is an audio track; put the recipe on an unlocked video or overlay track"),
        (dict(track_id=locked), "is locked"),
        (dict(track_id="nope"), "'Spot' has no track nope"),
        (dict(start=-1), "starts at frame 0 or later"),
        (dict(duration=0), "lasts at least one frame"),
    ]
    for kwargs, message in cases:
        with pytest.raises(BadInput, match=message):
            ops.add_recipe_clip(lib, cid, kwargs.pop("recipe_id", recipe_id), **kwargs)
    assert load_composition(lib, cid) == base and lib.undo.undo_label() == "New composition Spot"


# ---- OTIO -----------------------------------------------------------------------------------------
def test_otio_carries_kata_clips_as_missing_references_with_their_recipe(tmp_path):
    clip = KataClip(name="Hero shot", recipe_id=9, start=10, duration=20)
    comp = comp_with(clip)
    path = export_otio(comp, lambda c: None, tmp_path / "spot.otio")
    assert import_otio(path) == comp

    timeline = otio.adapters.read_from_file(str(path))
    exported = next(iter(timeline.find_clips()))
    assert isinstance(exported.media_reference, otio.schema.MissingReference)
    assert dict(exported.metadata[OTIO_KEY]) == {"kata_recipe_id": 9}
    del timeline.metadata[OTIO_KEY]  # as another editor would hand it back: structure only
    otio.adapters.write_to_file(timeline, str(tmp_path / "edited.otio"))
    (restored,) = [c for _t, c in import_otio(tmp_path / "edited.otio").clips()]
    assert isinstance(restored, KataClip) and (restored.recipe_id, restored.name, restored.start, restored.duration) == (9, "Hero shot", 10, 20)
