"""Shared fixtures: every test gets its own user folders, an encrypted-file keyring and,
where asked, a real library built by the real migrations."""

from __future__ import annotations

import os
import subprocess

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["STUDIO_KEYRING"] = "file"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("STUDIO_LIBRARY", raising=False)
    yield


@pytest.fixture
def lib(tmp_path):
    from studio.core.library import Library

    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


@pytest.fixture
def read_only_dir(tmp_path):
    """A folder this process cannot write to: chmod for a normal user; root ignores
    permissions, so for root the folder is made immutable (chattr +i)."""
    folder = tmp_path / "read-only-lib"
    folder.mkdir()
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not supported on this filesystem")
        yield folder
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
