"""The `studio` command: JSON output, exit codes, error messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import media


def studio(*args, env=None, user=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True, env=full_env, user=user, timeout=180)


def test_import_list_check_backup(tmp_path):
    lib = tmp_path / "lib"
    media.jpeg(tmp_path / "in" / "a.jpg")
    media.mp4(tmp_path / "in" / "b.mp4")
    (tmp_path / "in" / "c.txt").write_text("hello")
    out = studio("assets", "import", tmp_path / "in", "--campaign", "Launch", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert sorted(a["name"] for a in doc["imported"]) == ["a.jpg", "b.mp4"]
    assert all(isinstance(a["id"], int) and a["sha256"] for a in doc["imported"])
    assert [s["path"].endswith("c.txt") for s in doc["skipped"]] == [True]

    listed = json.loads(studio("assets", "list", "--library", lib, "--json").stdout)
    assert {a["name"] for a in listed} == {"a.jpg", "b.mp4"}
    assert json.loads(studio("assets", "list", "--campaign", "Launch", "--kind", "video", "--library", lib, "--json").stdout)[0]["name"] == "b.mp4"

    check = studio("library", "check", "--library", lib, "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["ok"] is True

    backup = studio("library", "backup", tmp_path / "copy.db", "--library", lib, "--json")
    assert backup.returncode == 0 and json.loads(backup.stdout)["backup"] == str(tmp_path / "copy.db")
    assert (tmp_path / "copy.db").stat().st_size > 0


def test_library_from_environment(tmp_path):
    media.jpeg(tmp_path / "a.jpg")
    out = studio("assets", "import", tmp_path / "a.jpg", env={"STUDIO_LIBRARY": str(tmp_path / "envlib")})
    assert out.returncode == 0 and (tmp_path / "envlib" / "library.db").exists()


def test_check_finds_a_damaged_media_file(tmp_path):
    lib = tmp_path / "lib"
    media.jpeg(tmp_path / "a.jpg")
    imported = json.loads(studio("assets", "import", tmp_path / "a.jpg", "--library", lib, "--json").stdout)["imported"][0]
    stored = lib / "media" / imported["sha256"][:2] / f"{imported['sha256']}.jpg"
    stored.write_bytes(b"tampered")
    check = studio("library", "check", "--library", lib, "--json")
    assert check.returncode == 1
    assert json.loads(check.stdout)["media"]["hash_mismatch"][0]["asset_id"] == imported["id"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["assets", "frobnicate"], "error: argument ACTION: invalid choice"),
        (["assets", "import"], "error: the following arguments are required: PATH"),
        (["assets", "import", "/no/such/file.jpg"], "error: Nothing to import"),
        (["assets", "list", "--campaign", "Nope"], "error: There is no campaign called 'Nope'"),
        (["library", "backup", "/no/such/folder/x.db"], "error: The folder /no/such/folder does not exist"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path, args, message):
    out = studio(*args, "--library", tmp_path / "lib")
    assert out.returncode == 2
    assert out.stderr.startswith(message), out.stderr
    assert "Traceback" not in out.stderr


def test_library_from_a_newer_version_exits_1(tmp_path):
    import sqlite3

    lib = tmp_path / "lib"
    assert studio("assets", "list", "--library", lib).returncode == 0
    con = sqlite3.connect(lib / "library.db")
    con.execute("update alembic_version set version_num='9999'")
    con.commit()
    con.close()
    out = studio("assets", "list", "--library", lib)
    assert out.returncode == 1 and out.stderr.startswith("error: The library") and "newer version" in out.stderr


def test_library_folder_that_is_not_writable(read_only_dir):
    out = studio("assets", "list", "--library", read_only_dir)
    assert out.returncode == 2, out.stderr
    assert "is not writable" in out.stderr and "--library" in out.stderr and "Traceback" not in out.stderr
    assert list(read_only_dir.iterdir()) == []


def test_headless_commands_do_not_load_qt(tmp_path):
    code = (
        "import sys; from studio.cli import main; rc = main(['assets', 'list', '--library', sys.argv[1], '--json']);"
        "assert not any(m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync', 'pyqtgraph') for m in sys.modules), 'Qt loaded';"
        "sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "lib")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
