"""The `studio` command: JSON output, exit codes, error messages."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio import cli
from tests import media


def studio(*args, env=None, user=None, fresh=False, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `studio ARGS` and return its exit code, stdout and stderr. In this process by default
    (imports are paid once, not per command); in a new `python -m studio` process when the test
    needs a real one: another user, or fresh=True (say why at the call)."""
    argv = [str(a) for a in args]
    if user is not None or fresh:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([sys.executable, "-m", "studio", *argv], check=False, capture_output=True, text=True, env=full_env, user=user,
                              timeout=180, input=stdin)
    out, err = io.StringIO(), io.StringIO()
    # What a user's terminal shows of the log (main()'s basicConfig does nothing here: pytest's
    # handlers are already on the root logger).
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter(cli.LOG_FORMAT))
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    try:
        with _environ(env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _stdin(stdin):
            code = _exit_code(cli.main, argv)
    finally:
        logging.getLogger().removeHandler(handler)
    return subprocess.CompletedProcess(["studio", *argv], code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _stdin(text: str | None):
    saved = sys.stdin
    if text is not None:
        sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


def _exit_code(main, argv) -> int:
    """main(argv)'s return value, or its SystemExit's code as the interpreter would turn it into one."""
    try:
        return main(argv)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1


@contextlib.contextmanager
def _environ(changes: dict):
    saved = {name: os.environ.get(name) for name in changes}
    os.environ.update({name: str(value) for name, value in changes.items()})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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
    # A process of its own: this one may have loaded Qt for other tests.
    code = (
        "import sys; from studio.cli import main; rc = main(['assets', 'list', '--library', sys.argv[1], '--json']);"
        "assert not any(m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync', 'pyqtgraph') for m in sys.modules), 'Qt loaded';"
        "sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "lib")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_entry_points_run_in_a_process_of_their_own(tmp_path):
    # The point here is the entry points themselves, so each runs as a real process.
    usage = studio("--help", fresh=True)
    assert usage.returncode == 0 and usage.stdout.startswith("usage: studio") and "assets" in usage.stdout
    script = Path(sys.executable).with_name("studio")  # the console script pyproject.toml installs
    listed = subprocess.run([script, "assets", "list", "--library", tmp_path / "lib", "--json"], check=False, capture_output=True, text=True, timeout=180)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
