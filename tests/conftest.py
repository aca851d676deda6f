"""Shared fixtures: every test gets its own user folders, an encrypted-file keyring and,
where asked, a real library built by the real migrations: a personal library (SQLite), or
with STUDIO_TEST_BACKEND=postgresql a team library on the test PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.team_server import BACKEND

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


LIBRARY_FIXTURES = {"lib", "new_library", "demo", "copy_library", "other", "test_server"}


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass: the tests about a personal library's SQLite file, and those that
    open no library at all (they ran in the first pass, and the database changes nothing for
    them), are left out."""
    if BACKEND != "postgresql":
        return
    sqlite_only = pytest.mark.skip(reason="about the SQLite file of a personal library")
    no_library = pytest.mark.skip(reason="opens no library")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(sqlite_only)
        elif not (LIBRARY_FIXTURES & set(getattr(item, "fixturenames", ())) or _opens_its_own(item)):
            item.add_marker(no_library)


def _opens_its_own(item) -> bool:
    """A module fixture of the test's file makes a library itself (open_new_library)."""
    import inspect

    return "open_new_library" in inspect.getsource(item.module)


@pytest.fixture(scope="session")
def test_server(tmp_path_factory):
    """The test PostgreSQL server (./bootstrap.sh test starts it and sets STUDIO_TEST_POSTGRES)."""
    from tests.team_server import ADMIN_URL, TestServer

    if not ADMIN_URL:
        pytest.skip("no test PostgreSQL server: `./bootstrap.sh test` starts one and sets STUDIO_TEST_POSTGRES")
    server = TestServer(ADMIN_URL, tmp_path_factory.mktemp("pg"))
    yield server
    server.close()


@pytest.fixture
def new_library(request):
    """new_library(folder, **open_args): a fresh library there, on the backend under test."""
    from tests.team_server import open_new_library

    opened = []

    def make(folder, **kwargs):
        library = open_new_library(request, folder, **kwargs)
        opened.append(library)
        return library

    yield make
    for library in opened:
        library.close()


@pytest.fixture
def copy_library(request):
    """copy_library(source, folder): folder becomes an independent copy of the closed library at source."""

    def copy(source, folder):
        shutil.copytree(source, folder)
        if BACKEND == "postgresql":
            request.getfixturevalue("test_server").clone_library(Path(source), Path(folder))

    return copy


@pytest.fixture
def lib(tmp_path, new_library):
    return new_library(tmp_path / "lib")


@pytest.fixture
def other(lib):
    """A second person's session on lib's library (lib is Alice's, this one Bob's)."""
    from studio.core.changes import session_of
    from studio.core.library import Library

    second = Library.open(lib.root, lock=False)
    session_of(lib).own_name = "Alice"
    session_of(second).own_name = "Bob"
    yield second
    second.close()


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
def _key_files(tmp_path_factory) -> dict:
    return {}  # the keys' JSON -> an unlocked store holding them


@pytest.fixture
def saved_keys(_key_files, tmp_path_factory):
    """saved_keys(meta=TOKEN, …) -> a real encrypted-file key store, unlocked, holding these keys.
    Made once per session for each set of keys (an unlock and each write derive a key: about a
    second each); its file is copied to this test's own config folder, where the command line or a
    process of its own opens it with the master password. What a test changes is put back after it."""
    import json
    import shutil

    from studio.core.secrets import SecretStore, default_keyring_file

    used = []

    def saved(**keys) -> SecretStore:
        name = json.dumps(keys, sort_keys=True)
        store = _key_files.get(name)
        if store is None:
            store = _key_files[name] = SecretStore(file_path=tmp_path_factory.mktemp("keys") / "keys.cfg")
            store.unlock("correct horse battery")
            for service, value in keys.items():
                store.set(service, value)
        used.append((store, {service: store.get_fields(service) for service in keys}))
        default_keyring_file().parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(store.file_path, default_keyring_file())
        return store

    yield saved
    for store, kept in used:
        for service, fields in kept.items():
            if store.get_fields(service) != fields:
                store.set(service, fields)


@pytest.fixture(scope="session")
def demo(tmp_path_factory, request):
    """The demo library, built once per session and closed: (root, build summary, progress seen).
    Building it takes seconds of real media work; a test that changes it works on a copy."""
    from studio.core.demo import build_demo
    from studio.core.jobs import JobState
    from tests.team_server import open_new_library

    root = tmp_path_factory.mktemp("demo") / "lib"
    progress = []
    state = JobState(lambda: progress.append(state.progress))
    with open_new_library(request, root) as library:
        summary = build_demo(library, state)
    return root, summary, progress
