"""Recipes: stored in the library and edited one undo step at a time, re-rendered at full
resolution identically from asset ids or paths, and saved as an asset."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.core.assets import importer
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.kata import (
    create_recipe,
    delete_recipe,
    library_resolver,
    list_recipes,
    load_recipe,
    save_as_asset,
    save_recipe,
)
from studio.core.queries import get_asset
from studio.kata.images import load_rgb
from studio.kata.recipe import PlacementSpec, Recipe, render_recipe
from tests.kata.test_score import photo


@pytest.fixture
def files(tmp_path):
    scene, product = tmp_path / "room.png", tmp_path / "bottle.png"
    Image.fromarray(photo()).save(scene)
    rgba = np.zeros((160, 80, 4), np.uint8)  # the bottle on a transparent margin
    rgba[30:150, 15:65] = (30, 120, 60, 255)
    rgba[10:30, 32:48] = (200, 200, 200, 255)
    Image.fromarray(rgba).save(product)
    return scene, product


def imported(lib, *paths) -> list[int]:
    report = importer.run(importer.ImportParams(str(lib.root), [str(p) for p in paths]), JobState(), lib=lib)
    return [row["id"] for row in report.imported]


def recipe_for(scene, product, **changes) -> Recipe:
    fields = {"name": "Bottle on the floor", "scene": scene, "product": product, "zone_id": 1,
              "placement": PlacementSpec(x=480, y=560, height_px=53), "height_m": 0.25, "category": "bottle",
              "params": {"shadow_strength": 0.5, "blend": "feather"}}
    return Recipe(**{**fields, **changes})


def test_a_recipe_round_trips_through_the_library_and_rerenders_identically(lib, files):
    scene_id, product_id = imported(lib, *files)
    recipe = recipe_for(scene_id, product_id)
    recipe_id = create_recipe(lib, recipe).value
    assert lib.undo.undo_label() == "New Kata recipe Bottle on the floor"
    loaded = load_recipe(lib, recipe_id)
    assert loaded == recipe and [r.name for r in list_recipes(lib)] == ["Bottle on the floor"]

    first = render_recipe(loaded, library_resolver(lib))
    again = render_recipe(load_recipe(lib, recipe_id), library_resolver(lib))
    from_paths = render_recipe(recipe_for(str(files[0]), str(files[1])))
    assert first.image.shape == (640, 960, 3)  # the scene's full resolution
    assert np.array_equal(first.image, again.image) and np.array_equal(first.image, from_paths.image)
    assert first.mask.max() > 0.9

    lib.undo.undo()
    assert list_recipes(lib) == []


def test_each_edit_is_one_undo_step(lib, files):
    recipe = recipe_for(str(files[0]), str(files[1]))
    recipe_id = create_recipe(lib, recipe).value
    moved = recipe.model_copy(update={"placement": PlacementSpec(x=300, y=600, height_px=60)})
    save_recipe(lib, recipe_id, moved, "Move product")
    assert load_recipe(lib, recipe_id).placement.x == 300
    lib.undo.undo()
    assert load_recipe(lib, recipe_id) == recipe
    delete_recipe(lib, recipe_id)
    assert list_recipes(lib) == []
    lib.undo.undo()
    assert load_recipe(lib, recipe_id) == recipe


def test_save_as_asset_imports_the_full_resolution_render_in_one_step(lib, files):
    scene_id, product_id = imported(lib, *files)
    recipe = recipe_for(scene_id, product_id)
    asset_id = save_as_asset(lib, recipe)
    asset = get_asset(lib, asset_id)
    assert (asset.width, asset.height, asset.kind) == (960, 640, "image")
    saved = load_rgb(lib.media_path(asset.sha256, asset.ext))
    assert np.array_equal(saved, render_recipe(recipe, library_resolver(lib)).image)
    assert save_as_asset(lib, recipe) == asset_id  # the same pixels are not stored twice
    lib.undo.undo()
    assert get_asset(lib, asset_id) is None


def test_bad_recipes_and_missing_assets_are_refused_clearly(lib, files):
    with pytest.raises(BadInput, match="recipe is not valid.*placement"):
        Recipe.from_document({"scene": "a.png", "product": "b.png"})
    with pytest.raises(BadInput, match="compositing settings are not valid"):
        recipe_for(str(files[0]), str(files[1]), params={"blend": "smudge"}).compose_params()
    with pytest.raises(BadInput, match="Asset 999 is not in the library"):
        render_recipe(recipe_for(999, str(files[1])), library_resolver(lib))
    with pytest.raises(BadInput, match="open it with --library"):
        render_recipe(recipe_for(999, str(files[1])))
    with pytest.raises(BadInput, match="There is no Kata recipe 42"):
        load_recipe(lib, 42)
    assert list_recipes(lib) == []
