"""`studio kata track` on a clip panning over a floor with a cut, and `studio render` of a
composition holding a tracked Kata clip: the product is in the written frames where the track
says and nowhere in the other shot. Bad input exits 2 saying what to do and writes nothing."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

from studio.core.kata_video.frames import VideoFrames
from studio.core.library import Library
from studio.core.ops.compositions import add_recipe_clip, create_composition
from studio.core.ops.kata import load_recipe
from studio.core.timeline.model import Composition
from tests.cli.test_cli import studio
from tests.core.test_kata_video import (
    ANCHOR,
    AT,
    CUT,
    PAN,
    SIZE,
    floor_frames,
    greenness,
    write_clip,
)
from tests.core.timeline.test_kata_clip import bottle_file
from tests.kata.clips import flat_clip


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clip")
    return write_clip(folder / "pan.mp4", floor_frames()), bottle_file(folder / "bottle.png")


@pytest.fixture(scope="module")
def tracked(files, tmp_path_factory):
    """One `studio kata track --save` run: (its JSON, the folder with OUT.mp4 and the library)."""
    clip, bottle = files
    folder = tmp_path_factory.mktemp("tracked")
    out = studio("kata", "track", clip, bottle, "--frame", ANCHOR, "--at", f"{AT.x:g},{AT.y:g}", "--height-m", "0.5",
                 "--out", folder / "out.mp4", "--save", "--library", folder / "lib", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), folder


def decoded(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def product_base(rgb: np.ndarray, source: np.ndarray) -> tuple[float, float, int]:
    """(mean x, lowest y, pixel count) of the bottle's green that the source frame does not have."""
    ys, xs = np.nonzero(greenness(rgb) & ~greenness(source))
    return (float(xs.mean()), float(ys.max()), len(xs)) if len(xs) else (np.nan, np.nan, 0)


def assert_product_follows(written: list[np.ndarray], clip, corners) -> None:
    """The product stands on its base where the track's corners moved it, and is absent where they are None."""
    source = list(VideoFrames(clip).frames())
    assert len(written) == len(source) == 30 and written[0].shape == (SIZE[1], SIZE[0], 3)
    for i in range(0, 30, 3):
        x, bottom, count = product_base(written[i], source[i])
        if corners[i] is None:
            assert count == 0, i
        else:
            base = np.array([AT.x, AT.y]) + np.mean(np.array(corners[i]) - corners[ANCHOR], axis=0)
            assert count > 80 and abs(x - base[0]) < 4 and abs(bottom - base[1]) < 5, (i, x, bottom, base)


def test_track_writes_the_clip_and_reports_corners_cuts_and_timing(files, tracked):
    clip, _bottle = files
    doc, folder = tracked
    assert (doc["frames"], doc["width"], doc["height"], doc["fps"], doc["anchor"]) == (30, *SIZE, 25.0, ANCHOR)
    assert doc["cuts"] == [CUT[0]] and doc["lost"] == []
    assert doc["states"] == ["tracked"] * CUT[0] + ["other_shot"] * (30 - CUT[0])
    corners = doc["corners"]
    assert all(c is None for c in corners[CUT[0]:])
    for i in (0, 15, 19):  # the floor moves by -PAN a frame: so do the corners
        assert np.allclose(np.array(corners[i]) - corners[ANCHOR], -np.array(PAN) * (i - ANCHOR), atol=1.0)
    timing = doc["timing"]
    assert {"decode_s", "analyse_s", "track_s", "measure_s", "render_s", "total_s", "wall_s"} <= set(timing) and timing["fps"] > 0
    assert_product_follows(decoded(folder / "out.mp4"), clip, corners)
    assert sorted(p.name for p in folder.iterdir()) == ["lib", "out.mp4"]  # no temporary file left


def test_render_draws_the_saved_tracked_recipe_where_the_track_says(files, tracked, tmp_path):
    clip, _bottle = files
    doc, folder = tracked
    with Library.open(folder / "lib") as lib:
        recipe = load_recipe(lib, doc["recipe_id"])
        assert isinstance(recipe.scene, int) and recipe.video.tracked().to_document()["state"] == doc["states"]
        assert len(list((folder / "lib" / "kata-plates").glob("*.npz"))) == 1  # the clean plate, for occlusion
        cid = create_composition(lib, Composition(name="Tracked spot", width=SIZE[0], height=SIZE[1], fps=(25, 1), duration=30)).value
        add_recipe_clip(lib, cid, doc["recipe_id"], start=0, duration=30)
    out = studio("render", cid, "--out", tmp_path / "spot.mp4", "--library", folder / "lib", "--json")
    assert out.returncode == 0, out.stderr
    assert_product_follows(decoded(tmp_path / "spot.mp4"), clip, doc["corners"])


def run_cli(*args) -> tuple[int, str]:
    out = studio("kata", "track", *args)
    return out.returncode, out.stderr


def test_bad_input_exits_2_saying_what_to_do_and_writes_nothing(files, tmp_path):
    clip, bottle = files
    out = tmp_path / "out" / "clip.mp4"
    out.parent.mkdir()
    short = write_clip(tmp_path / "short.mp4", floor_frames(20, cut=None))
    (tmp_path / "notes.mp4").write_text("not a video")
    cases = [
        ((short, bottle, "--frame", 0, "--at", "160,150"), "short.mp4 lasts 0.80 s; tracking needs a clip of at least 1 s"),
        ((tmp_path / "notes.mp4", bottle, "--frame", 0), "notes.mp4 cannot be opened"),
        ((tmp_path / "gone.mp4", bottle, "--frame", 0), "gone.mp4 is neither a video file nor an asset id"),
        ((clip, bottle, "--frame", 30, "--at", "160,150"), "--frame 30 is outside pan.mp4, which has frames 0–29"),
        ((clip, bottle, "--frame", ANCHOR, "--zone", 99), "There is no zone 99; this scene has zones 1, 2"),
        ((clip, bottle, "--frame", 5, "--at", "400,150"), "--at 400,150 lies outside the 320x180 scene"),
    ]
    for args, message in cases:
        code, err = run_cli(*args, "--out", out)
        assert code == 2 and err.startswith("error: ") and message in err, (args, err)
    assert list(out.parent.iterdir()) == []


def test_a_featureless_clip_says_a_fixed_placement_is_possible_and_fixed_holds_it_still(tmp_path):
    wall = write_clip(tmp_path / "wall.mp4", flat_clip(size=SIZE, n=26).frames())
    bottle = bottle_file(tmp_path / "bottle.png")
    out = tmp_path / "out" / "wall-bottle.mp4"
    out.parent.mkdir()
    code, err = run_cli(wall, bottle, "--frame", 13, "--at", "160,170", "--out", out)
    assert code == 2 and "too little texture" in err and "add --fixed" in err
    assert list(out.parent.iterdir()) == []

    fixed = studio("kata", "track", wall, bottle, "--frame", 13, "--at", "160,170", "--fixed", "--out", out, "--json")
    assert fixed.returncode == 0, fixed.stderr
    doc = json.loads(fixed.stdout)
    assert doc["fixed"] and doc["states"] == ["tracked"] * 26 and all(c == doc["corners"][0] for c in doc["corners"])
    assert len(decoded(out)) == 26
