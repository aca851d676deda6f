"""`studio render` draws a composition's Kata clips: the saved recipe's composite, rendered
from the library's original files."""

from __future__ import annotations

import json

import av
import numpy as np
from PIL import Image

from studio.core.library import Library
from studio.core.ops.compositions import add_recipe_clip, create_composition
from studio.core.ops.kata import create_recipe, delete_recipe
from studio.core.timeline.model import Composition, TextClip, Track
from tests.cli.test_cli import studio
from tests.core.timeline.test_kata_clip import SCENE, bottle_file, expected, imported, recipe, scene_file


def test_render_draws_a_kata_clip_in_the_video_and_in_a_still(tmp_path):
    files = scene_file(tmp_path / "room.png"), bottle_file(tmp_path / "bottle.png")
    with Library.open(tmp_path / "lib") as lib:
        rec = recipe(*imported(lib, *files))
        recipe_id = create_recipe(lib, rec).value
        comp = Composition(name="Kata spot", width=SCENE[0] // 2, height=SCENE[1] // 2, duration=15, tracks=[
            Track(kind="text", clips=[TextClip(text="Hi", start=10, duration=5, size=30)])])
        cid = create_composition(lib, comp).value
        add_recipe_clip(lib, cid, recipe_id, start=0, duration=15)
        want = expected(lib, rec)

    still = studio("render", cid, "--frame", "3", "--out", tmp_path / "still.png", "--library", tmp_path / "lib")
    assert still.returncode == 0, still.stderr
    pixels = np.asarray(Image.open(tmp_path / "still.png").convert("RGB")).astype(int)
    assert np.abs(pixels - want).max() <= 1

    out = studio("render", cid, "--out", tmp_path / "spot.mp4", "--library", tmp_path / "lib", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["frames"] == 15
    with av.open(str(tmp_path / "spot.mp4")) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    assert np.abs(first - want).mean() < 4  # H.264 in yuv420p: close, not exact


def test_render_refuses_a_kata_clip_whose_recipe_is_gone(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        recipe_id = create_recipe(lib, recipe(str(tmp_path / "room.png"), str(tmp_path / "bottle.png"))).value
        cid = create_composition(lib, Composition(name="Kata spot", width=240, height=160, duration=15)).value
        add_recipe_clip(lib, cid, recipe_id)
        delete_recipe(lib, recipe_id)
    for extra in (("--out", tmp_path / "spot.mp4"), ("--frame", "0", "--out", tmp_path / "still.png")):
        out = studio("render", cid, *extra, "--library", tmp_path / "lib")
        assert out.returncode != 0
        assert "Bottle on the floor: no file (the Kata recipe is no longer in the library)" in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib"]
