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


@pytest.fixture(scope="session")
def _unlocked_key_store(tmp_path_factory):
    from studio.core.secrets import SecretStore

    store = SecretStore(file_path=tmp_path_factory.mktemp("keyring") / "keys.cfg")
    store.unlock("correct horse battery")
    return store


@pytest.fixture
def key_store(_unlocked_key_store):
    """A real encrypted-file key store, empty at the start of each test. Unlocked once per session:
    every unlock costs two Argon2 key derivations (seconds each), which tests about other things
    need not pay again and again."""
    from studio.core.secrets import SERVICES

    yield _unlocked_key_store
    for service in SERVICES:
        _unlocked_key_store.delete(service)


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo library, built once per session and closed: (root, build summary, progress seen).
    Building it takes seconds of real media work; a test that changes it works on a copy."""
    from studio.core.demo import build_demo
    from studio.core.jobs import JobState
    from studio.core.library import Library

    root = tmp_path_factory.mktemp("demo") / "lib"
    progress = []
    state = JobState(lambda: progress.append(state.progress))
    with Library.open(root) as library:
        summary = build_demo(library, state)
    return root, summary, progress
