"""`studio spec`, `studio copy` and `studio export package` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from studio.core.export.manifest import Manifest, verify
from tests.cli.test_cli import studio
from tests.core.specs.media import image, video


def test_spec_list_and_show(tmp_path):
    listed = json.loads(studio("spec", "list", "--platform", "tiktok", "--library", tmp_path / "lib", "--json").stdout)
    assert [s["id"] for s in listed["specs"]] == ["tiktok.infeed"] and listed["catalog_version"]
    shown = studio("spec", "show", "google.rsa", "--library", tmp_path / "lib")
    assert shown.returncode == 0 and "text_fields" in shown.stdout and "official, checked" in shown.stdout
    entry = json.loads(studio("spec", "show", "google.rsa", "--library", tmp_path / "lib", "--json").stdout)
    assert entry["text_fields"][0] == {"name": "headline", "label": "Headline", "max_chars": 30, "min_count": 3, "max_count": 15,
                                       "wide_counts_double": True}


def test_spec_check_exits_0_on_a_pass_and_3_on_a_failure(tmp_path):
    good = image(tmp_path / "good.png", (1200, 628))
    out = studio("spec", "check", good, "--spec", "google.rda", "--library", tmp_path / "lib", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["passed"] is True
    long = video(tmp_path / "long.mp4", (640, 360), 7)
    out = studio("spec", "check", long, "--spec", "google.youtube_bumper", "--library", tmp_path / "lib", "--json")
    doc = json.loads(out.stdout)
    assert out.returncode == 3 and doc["passed"] is False
    assert any(f["code"] == "duration" and "at most 6 s" in f["message"] for f in doc["findings"])
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps({"headline": ["Short", "Also short", "A headline that is much too long for Google"], "description": ["One", "Two"]}))
    out = studio("spec", "check", "--copy", copy, "--spec", "google.rsa", "--library", tmp_path / "lib")
    assert out.returncode == 3 and "the limit is 30" in out.stdout and "Shorten it by" in out.stdout


def test_spec_override_changes_checks_and_remove_restores(tmp_path):
    lib = tmp_path / "lib"
    entry = json.loads(studio("spec", "show", "google.youtube_bumper", "--library", lib, "--json").stdout)
    entry["duration_s"] = [1, 3]
    (tmp_path / "bumper.json").write_text(json.dumps(entry))
    assert studio("spec", "override", tmp_path / "bumper.json", "--library", lib).returncode == 0
    clip = video(tmp_path / "four.mp4", (640, 360), 4)
    assert studio("spec", "check", clip, "--spec", "google.youtube_bumper", "--library", lib).returncode == 3
    assert studio("spec", "remove", "google.youtube_bumper", "--library", lib).returncode == 0
    assert studio("spec", "check", clip, "--spec", "google.youtube_bumper", "--library", lib).returncode == 0


def test_bad_spec_input_gets_a_message(tmp_path):
    (tmp_path / "bad.json").write_text('{"id": "x.thing"}')
    out = studio("spec", "override", tmp_path / "bad.json", "--library", tmp_path / "lib")
    assert out.returncode == 2 and out.stderr.startswith("error: The spec entry is not valid")
    out = studio("spec", "check", tmp_path / "bad.json", "--spec", "meta.reel", "--library", tmp_path / "lib")
    assert out.returncode == 2 and "There is no spec 'meta.reel'" in out.stderr and "meta.reels" in out.stderr


def test_export_package_from_the_demo(tmp_path):
    lib = tmp_path / "lib"
    assert studio("demo", "--library", lib).returncode == 0
    assert studio("copy", "set", "--campaign", "Autumn Roast Launch", "--scope", "tiktok", "ad_text",
                  "Autumn Roast is here: roasted this week", "--library", lib).returncode == 0
    out = studio("export", "package", "--campaign", "Autumn Roast Launch", "--platforms", "tiktok,google",
                 "--specs", "tiktok.infeed,google.rsa", "--out", tmp_path / "out", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    folder = Path(result["folder"])
    assert verify(folder) == [] and Path(result["zip"]).is_file()
    manifest = Manifest.loads((folder / "manifest.json").read_text())
    assert [f.spec_id for f in manifest.files if f.role == "rendition"] == ["tiktok.infeed"]
    assert next(c for c in manifest.copy_checks if c.spec_id == "tiktok.infeed").texts["ad_text"] == ["Autumn Roast is here: roasted this week"]
    again = studio("export", "package", "--campaign", "Autumn Roast Launch", "--platforms", "tiktok", "--specs", "tiktok.infeed",
                   "--out", tmp_path / "out", "--library", lib)
    assert again.returncode == 2 and "already exists: a package is never overwritten" in again.stderr


def test_spec_and_export_commands_do_not_load_qt(tmp_path):
    # A process of its own: this one may have loaded Qt for other tests.
    code = ("import sys; from studio.cli import main; rc = main(['spec', 'list', '--library', sys.argv[1], '--json']);"
            "assert not any(m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync', 'pyqtgraph') for m in sys.modules), 'Qt loaded';"
            "sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "lib")], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
