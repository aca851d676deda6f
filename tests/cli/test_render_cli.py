"""`studio render` and `studio compositions list`: output, stills, variants, refusals."""

from __future__ import annotations

import json

import av
from PIL import Image

from studio.core.library import Library
from studio.core.ops.compositions import create_composition
from studio.core.timeline.model import Composition, MediaClip, TextClip, Track
from studio.core.timeline.otio_io import export_otio
from tests import media
from tests.cli.test_cli import studio


def spot(tmp_path, **clip) -> Composition:
    clip = MediaClip(name="bg", path=str(media.mp4(tmp_path / "bg.mp4", size=(64, 48), seconds=1.0)), start=0, duration=30, **clip)
    return Composition(name="Launch spot", width=160, height=284, fps=(30, 1), duration=30, tracks=[
        Track(kind="video", clips=[clip]), Track(kind="text", clips=[TextClip(text="Hi", start=0, duration=30, size=40)]),
    ])


def stored(tmp_path, composition: Composition) -> tuple:
    with Library.open(tmp_path / "lib") as lib:
        composition_id = create_composition(lib, composition).value
    return tmp_path / "lib", composition_id


def test_list_render_and_still(tmp_path):
    lib, cid = stored(tmp_path, spot(tmp_path))
    listed = studio("compositions", "list", "--library", lib, "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [{"id": cid, "name": "Launch spot", "campaign_id": None, "width": 160, "height": 284, "fps": 30.0, "duration_s": 1.0}]

    out = studio("render", cid, "--variant", "9x16", "--out", tmp_path / "spot.mp4", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["path"] == str(tmp_path / "spot.mp4") and doc["frames"] == 30 and doc["bytes"] == (tmp_path / "spot.mp4").stat().st_size
    assert (doc["width"], doc["height"], doc["duration_s"]) == (160, 284, 1.0)
    assert doc["video_codec"].startswith("h264") and doc["audio_codec"].startswith("aac") and doc["loudness_lufs"] < -10
    with av.open(str(tmp_path / "spot.mp4")) as container:
        assert container.streams.video[0].frames == 30

    text = studio("render", cid, "--frame", "12", "--out", tmp_path / "still.png", "--library", lib)
    assert text.returncode == 0, text.stderr
    assert "Wrote frame 12" in text.stdout
    assert Image.open(tmp_path / "still.png").size == (160, 284)


def test_render_an_otio_file_needs_no_library(tmp_path):
    composition = spot(tmp_path)
    timeline = export_otio(composition, lambda clip: clip.path, tmp_path / "spot.otio")
    out = studio("render", timeline, "--out", tmp_path / "spot.mp4", "--preset", "quality", "--library", tmp_path / "lib")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"Rendered {tmp_path / 'spot.mp4'}") and "160x284, 30 fps, 30 frames" in out.stdout
    assert not (tmp_path / "lib").exists()


def test_missing_media_exits_2_listing_them(tmp_path):
    composition = spot(tmp_path)
    (tmp_path / "bg.mp4").unlink()
    lib, cid = stored(tmp_path, composition)
    out = studio("render", cid, "--out", tmp_path / "x.mp4", "--library", lib)
    assert out.returncode == 2
    assert out.stderr.startswith("error: 1 media file(s) of 'Launch spot' cannot be used") and "bg.mp4 (the file is missing)" in out.stderr
    assert not (tmp_path / "x.mp4").exists() and "Traceback" not in out.stderr


def test_bad_requests_exit_2_with_a_message(tmp_path):
    lib, cid = stored(tmp_path, spot(tmp_path))
    for args, message in [
        ([cid, "--variant", "16x9"], "error: 'Launch spot' has no variant 16x9; it has 9x16"),
        (["999"], "error: There is no composition 999"),
        ([tmp_path / "nope.otio"], "error: "),
        ([cid, "--frame", "30", "--out", tmp_path / "x.png"], "error: Frame 30 is outside 'Launch spot'"),
        ([cid, "--frame", "3", "--out", tmp_path / "x.gif"], "error: A still is written as .png or .jpg"),
        ([cid, "--out", tmp_path / "no" / "x.mp4"], f"error: The folder {tmp_path / 'no'} does not exist"),
        ([cid, "--preset", "turbo"], "error: argument --preset: invalid choice"),
    ]:
        out = studio("render", *args, "--library", lib)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stderr.startswith(message), (args, out.stderr)
        assert "Traceback" not in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bg.mp4", "lib"]


def test_otio_export_import_and_a_reframed_variant(tmp_path):
    lib, cid = stored(tmp_path, spot(tmp_path))
    exported = studio("compositions", "export", cid, tmp_path / "spot.otio", "--library", lib, "--json")
    assert exported.returncode == 0, exported.stderr
    imported = studio("compositions", "import", tmp_path / "spot.otio", "--library", lib, "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["clips"] == 2
    assert len(json.loads(studio("compositions", "list", "--library", lib, "--json").stdout)) == 2

    variant = studio("compositions", "variant", cid, "1x1", "--library", lib, "--json")
    assert variant.returncode == 0, variant.stderr
    assert json.loads(variant.stdout) == {"id": cid, "variant": "1x1", "width": 1080, "height": 1080, "reframed_clips": 2}
    out = studio("render", cid, "--variant", "1x1", "--frame", "10", "--out", tmp_path / "square.png", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    assert Image.open(tmp_path / "square.png").size == (1080, 1080)

    bad = studio("compositions", "import", tmp_path / "missing.otio", "--library", lib)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")
