"""Shared fixtures: every test gets its own user folders, an encrypted-file keyring and,
where asked, a real library built by the real migrations."""

from __future__ import annotations

import os

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
