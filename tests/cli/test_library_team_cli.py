"""`studio library login | migrate-to | offline-copy` against the test PostgreSQL server."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.cli.test_cli import studio

pytestmark = pytest.mark.sqlite_only  # starts from a personal library


def test_login_migrate_to_and_open_by_address(demo, test_server, tmp_path, monkeypatch):
    shutil.copytree(demo[0], tmp_path / "personal")
    database = test_server.new_database()
    url = f"postgresql://127.0.0.1:{test_server.port}/{database}"
    monkeypatch.setenv("STUDIO_MASTER_PASSWORD", "correct horse battery")
    monkeypatch.delenv("PGPASSFILE")  # the keyring's login, stored by `login`, is the only way in
    wrong = studio("library", "login", url, "--user", test_server.user, "--password-stdin", stdin="nope\n")
    assert wrong.returncode == 2 and "refused the login" in wrong.stderr
    ok = studio("library", "login", url, "--user", test_server.user, "--password-stdin", "--json", stdin=test_server.password + "\n")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"server": f"127.0.0.1:{test_server.port}/{database}", "user": test_server.user, "stored": True}

    done = studio("library", "migrate-to", url, "--folder", str(tmp_path / "share"), "--library", str(tmp_path / "personal"), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verified"] is True and report["rows"] > 100 and report["tables"]["assets"] > 0
    listed = studio("assets", "list", "--library", url, "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == report["tables"]["assets"]

    saved = studio("library", "offline-copy", "--library", str(tmp_path / "share"), "--json")
    assert saved.returncode == 0, saved.stderr and json.loads(saved.stdout)["bytes"] > 0


def test_migrate_to_an_unreachable_server_says_so_and_changes_nothing(demo, tmp_path):
    shutil.copytree(demo[0], tmp_path / "personal")
    result = studio("library", "migrate-to", "postgresql://127.0.0.1:1/team", "--library", str(tmp_path / "personal"))
    assert result.returncode != 0 and "cannot be reached" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "personal" / "library.db").is_file() and not (tmp_path / "personal" / "team-library.json").exists()
