"""`studio kata analyze|place|batch` on synthetic scenes."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from tests.cli.test_cli import studio
from tests.kata import scenes


def product_png(path, color=(30, 120, 60)):
    rgba = np.zeros((160, 80, 4), np.uint8)  # the bottle on a transparent margin
    rgba[30:150, 15:65] = (*color, 255)
    rgba[10:30, 32:48] = (200, 200, 200, 255)
    Image.fromarray(rgba).save(path)
    return path


def saved(path, image):
    Image.fromarray(image).save(path)
    return path


def test_analyze_lists_surfaces_and_ranked_zones(tmp_path):
    image, truth = scenes.floor_scene()
    out = studio("kata", "analyze", saved(tmp_path / "floor.png", image), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert (doc["width"], doc["height"]) == truth.size
    assert any(s["kind"] == "floor" for s in doc["surfaces"])
    assert doc["zones"] and [z["id"] for z in doc["zones"]] == list(range(1, len(doc["zones"]) + 1))
    assert set(doc["zones"][0]["parts"]) >= {"size", "support", "occlusion", "perspective", "face", "subject", "text"}


def test_place_writes_the_composite_on_the_floor_at_the_true_size(tmp_path):
    image, truth = scenes.floor_scene()
    scene = saved(tmp_path / "floor.png", image)
    out_png = tmp_path / "out.png"
    out = studio("kata", "place", scene, product_png(tmp_path / "bottle.png"), "--height-m", "0.25", "--out", out_png, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert Image.open(out_png).size == truth.size
    x, y = doc["zone"]["contact"]
    assert truth.floor_mask[int(y), int(x)]
    true_px = 0.25 * truth.px_per_metre(y)
    assert abs(doc["zone"]["height_px"] - true_px) <= 0.15 * true_px
    x0, y0, x1, y1 = doc["box"]
    assert x0 <= x <= x1 and y0 < y <= y1 + 2
    assert 0 <= doc["total"] <= 100 and isinstance(doc["reasons"], list) and doc["flags"] == []

    text = studio("kata", "place", scene, product_png(tmp_path / "bottle.png"), "--out", out_png)
    assert text.returncode == 0 and "score" in text.stdout and text.stdout.startswith(f"Wrote {out_png}")


def test_a_wall_has_no_zone_and_the_cli_offers_manual_placement(tmp_path):
    wall = saved(tmp_path / "wall.png", scenes.wall_scene()[0])
    bottle = product_png(tmp_path / "bottle.png")
    out = studio("kata", "place", wall, bottle, "--out", tmp_path / "out.png")
    assert out.returncode == 2
    assert out.stderr.startswith("error: No plausible place for the product") and "--at X,Y" in out.stderr
    assert not (tmp_path / "out.png").exists()
    analyzed = studio("kata", "analyze", wall, "--json")
    assert analyzed.returncode == 0 and json.loads(analyzed.stdout)["zones"] == []


def test_manual_placement_and_its_bad_input(tmp_path):
    image, truth = scenes.floor_scene()
    scene = saved(tmp_path / "floor.png", image)
    bottle = product_png(tmp_path / "bottle.png")
    w, h = truth.size
    out = studio("kata", "place", scene, bottle, "--at", f"{w // 2},{h - 40}", "--out", tmp_path / "out.png", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["zone"] is None and doc["placement"]["x"] == w // 2
    for at, message in (("nope", "is not a point"), (f"{w + 5},10", "outside"), (f"10,{int(truth.horizon_y) - 20}", "above the scene's horizon")):
        bad = studio("kata", "place", scene, bottle, "--at", at, "--out", tmp_path / "bad.png")
        assert bad.returncode == 2 and message in bad.stderr and bad.stderr.startswith("error:")
    assert not (tmp_path / "bad.png").exists()
    missing = studio("kata", "place", tmp_path / "none.png", bottle, "--out", tmp_path / "bad.png")
    assert missing.returncode == 2 and "neither an image file nor an asset id" in missing.stderr
    no_zone = studio("kata", "place", scene, bottle, "--zone", "99", "--out", tmp_path / "bad.png")
    assert no_zone.returncode == 2 and "There is no zone 99" in no_zone.stderr


def test_batch_writes_a_png_per_pair_and_a_contact_sheet(tmp_path):
    scene_files = [saved(tmp_path / "floor.png", scenes.floor_scene()[0]), saved(tmp_path / "wall.png", scenes.wall_scene()[0])]
    products = [product_png(tmp_path / "green.png"), product_png(tmp_path / "red.png", (180, 30, 30))]
    out = studio("kata", "batch", "--products", *products, "--scenes", *scene_files, "--out", tmp_path / "sheet", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert len(doc["pairs"]) == 4 and "100%" in out.stderr
    on_floor = [p for p in doc["pairs"] if p["scene"].endswith("floor.png")]
    on_wall = [p for p in doc["pairs"] if p["scene"].endswith("wall.png")]
    assert all(p["path"] and Image.open(p["path"]).size == (1024, 768) for p in on_floor)
    assert all(p["path"] is None and "--at X,Y" in p["reason"] for p in on_wall)
    sheet = Image.open(doc["contact_sheet"])
    assert sheet.size == (8 + 2 * (256 + 8), 8 + 2 * (256 + 8))


def test_place_takes_library_asset_ids(tmp_path):
    lib = tmp_path / "lib"
    image, truth = scenes.floor_scene()
    imported = studio("assets", "import", saved(tmp_path / "floor.png", image), product_png(tmp_path / "bottle.png"), "--library", lib, "--json")
    assert imported.returncode == 0, imported.stderr
    scene_id, product_id = (row["id"] for row in json.loads(imported.stdout)["imported"])
    out = studio("kata", "place", scene_id, product_id, "--out", tmp_path / "out.png", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    assert Image.open(tmp_path / "out.png").size == truth.size
    gone = studio("kata", "place", 999, product_id, "--out", tmp_path / "bad.png", "--library", lib)
    assert gone.returncode == 2 and "Asset 999 is not in the library" in gone.stderr


def test_place_save_stores_a_recipe_that_rerenders_the_output(tmp_path):
    from studio.core.library import Library
    from studio.core.ops.kata import library_resolver, list_recipes, load_recipe
    from studio.kata.recipe import render_recipe

    lib_dir = tmp_path / "lib"
    scene = saved(tmp_path / "floor.png", scenes.floor_scene()[0])
    bottle = product_png(tmp_path / "bottle.png")
    out = studio("kata", "place", scene, bottle, "--height-m", "0.25", "--out", tmp_path / "out.png", "--save", "--library", lib_dir, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert isinstance(doc["recipe_id"], int)
    again = studio("kata", "place", scene, bottle, "--at", "512,700", "--out", tmp_path / "by-hand.png", "--save", "--library", lib_dir)
    assert again.returncode == 0, again.stderr
    assert again.stdout.rstrip().endswith(f"Saved as Kata recipe {doc['recipe_id'] + 1}")
    with Library.open(lib_dir, lock=False) as lib:
        assert [r.name for r in list_recipes(lib)] == ["bottle in floor", "bottle in floor"]
        recipe = load_recipe(lib, doc["recipe_id"])
        by_hand = load_recipe(lib, doc["recipe_id"] + 1)
        # The files were imported once: both recipes name the same library assets.
        assert isinstance(recipe.scene, int) and isinstance(recipe.product, int)
        assert (by_hand.scene, by_hand.product) == (recipe.scene, recipe.product)
        assert recipe.zone_id == doc["zone"]["id"] and by_hand.zone_id is None
        assert (recipe.placement.x, recipe.placement.y) == (doc["placement"]["x"], doc["placement"]["y"])
        assert recipe.height_m == 0.25 and by_hand.placement.x == 512
        rendered = render_recipe(recipe, library_resolver(lib))
    assert np.array_equal(rendered.image, np.asarray(Image.open(tmp_path / "out.png")))
    plain = studio("kata", "place", scene, bottle, "--out", tmp_path / "out.png", "--json")
    assert json.loads(plain.stdout)["recipe_id"] is None


def test_batch_takes_asset_ids_as_well_as_paths(tmp_path):
    lib = tmp_path / "lib"
    floor = saved(tmp_path / "floor.png", scenes.floor_scene()[0])
    imported = studio("assets", "import", floor, product_png(tmp_path / "green.png"), "--library", lib, "--json")
    assert imported.returncode == 0, imported.stderr
    scene_id, product_id = (row["id"] for row in json.loads(imported.stdout)["imported"])
    red = product_png(tmp_path / "red.png", (180, 30, 30))
    out = studio("kata", "batch", "--products", product_id, red, "--scenes", scene_id, "--out", tmp_path / "sheet", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    pairs = json.loads(out.stdout)["pairs"]
    assert len(pairs) == 2 and all(p["path"] and Image.open(p["path"]).size == (1024, 768) for p in pairs)
    assert pairs[1]["product"] == str(red)
    gone = studio("kata", "batch", "--products", 999, "--scenes", scene_id, "--out", tmp_path / "bad", "--library", lib)
    assert gone.returncode == 2 and "Asset 999 is not in the library" in gone.stderr
    missing = studio("kata", "batch", "--products", tmp_path / "none.png", "--scenes", floor, "--out", tmp_path / "bad")
    assert missing.returncode == 2 and "neither an image file nor an asset id" in missing.stderr
