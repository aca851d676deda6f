"""Team libraries on the test PostgreSQL server: switching a personal library over (copied and
verified), logins from the keyring, and each way opening one can fail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from studio.core import team
from studio.core.db import copy as dbcopy
from studio.core.db import migrate
from studio.core.db.engine import make_engine
from studio.core.db.models import Asset, Base, Client
from studio.core.errors import BadInput, Cancelled, LibraryTooNew
from studio.core.jobs import JobState
from studio.core.library import Library, open_offline_copy
from studio.core.ops.organize import create_client
from studio.core.team_copy import MigrateParams, migrate_to, save_offline_copy

pytestmark = pytest.mark.sqlite_only  # they start from personal libraries and make their own team ones


@pytest.fixture
def personal(demo, tmp_path):
    """A personal library with real rows and media: a copy of the demo library."""
    import shutil

    shutil.copytree(demo[0], tmp_path / "personal")
    return tmp_path / "personal"


def counts(lib) -> dict[str, int]:
    with lib.read() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in Base.metadata.sorted_tables}


def on_the_server(before: dict[str, int]) -> dict[str, int]:
    """What a migrated library holds: every row, and the setting that names its shared folder."""
    return {**before, "settings": before["settings"] + 1}


def test_migrate_to_copies_every_row_and_file_verifies_and_switches_the_folder(personal, test_server, tmp_path):
    database = test_server.new_database()
    url = test_server.server(database).url
    with Library.open(personal) as lib:
        before, digests = counts(lib), None
        with lib.read() as conn:
            digests = dbcopy.digests(conn)
        report = migrate_to(lib, MigrateParams(url, str(tmp_path / "share")), JobState())
    assert report["verified"] and report["rows"] == sum(before.values()) > 100 and report["files"] > 10
    assert (tmp_path / "share" / team.POINTER).is_file()
    with Library.open(tmp_path / "share") as shared:  # the shared folder opens the team library
        assert shared.server.key == f"127.0.0.1:{test_server.port}/{database}" and shared.root == tmp_path / "share"
        assert counts(shared) == on_the_server(before)
        with shared.read() as conn:
            after = dbcopy.digests(conn)
        assert {k: v for k, v in after.items() if k != "settings"} == {k: v for k, v in digests.items() if k != "settings"}
        path = shared.media_path(*shared_first_media(shared))
        assert path.is_file() and str(path).startswith(str(tmp_path / "share"))
        new_id = create_client(shared, "Added on the server").value  # ids go on after the copied ones
        assert new_id > max(1, before["clients"])
    with Library.open(url) as by_address:  # the address alone finds the shared folder
        assert by_address.root == tmp_path / "share" and by_address.location == url


def shared_first_media(lib) -> tuple[str, str]:
    with lib.read() as conn:
        row = conn.execute(select(Asset.sha256, Asset.ext).limit(1)).one()
    return row.sha256, row.ext


def test_migrate_in_place_retires_the_personal_database_and_keeps_it(personal, test_server):
    url = test_server.server(test_server.new_database()).url
    with Library.open(personal) as lib:
        before = counts(lib)
        report = migrate_to(lib, MigrateParams(url), JobState())
    assert not (personal / "library.db").exists() and (personal / report["personal_copy"]).is_file()
    with Library.open(personal) as shared:
        assert shared.server is not None and counts(shared) == on_the_server(before)


def test_migrate_into_a_database_with_tables_is_refused_and_changes_nothing(personal, test_server, tmp_path):
    database = test_server.new_database()
    test_server.execute(database, "CREATE TABLE theirs (id int)")
    with Library.open(personal) as lib, pytest.raises(BadInput, match="already has tables"):
        migrate_to(lib, MigrateParams(test_server.server(database).url, str(tmp_path / "share")), JobState())
    assert test_server.execute(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == [("theirs",)]
    assert not (tmp_path / "share").exists() and (personal / "library.db").is_file()


def test_cancel_midway_leaves_nothing_on_the_server_or_the_share(personal, test_server, tmp_path):
    database = test_server.new_database()
    state = JobState(lambda: (state.progress or 0) > 0.6 and state.cancel())  # Cancel once rows are moving
    with Library.open(personal) as lib, pytest.raises(Cancelled):
        migrate_to(lib, MigrateParams(test_server.server(database).url, str(tmp_path / "share")), state)
    assert test_server.execute(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    assert not (tmp_path / "share").exists() and (personal / "library.db").is_file()


def team_library(test_server, tmp_path):
    test_server.new_library(tmp_path / "share")
    return tmp_path / "share"


def test_a_login_from_the_keyring_is_used_and_a_wrong_one_is_refused_clearly(test_server, tmp_path, key_store, monkeypatch):
    share = team_library(test_server, tmp_path)
    server = team.read_pointer(share)
    monkeypatch.delenv("PGPASSFILE")  # only the keyring can log in now
    monkeypatch.delenv("PGUSER")
    stale = {"user": test_server.user, "password": "not the password"}  # say the password was changed on the server
    key_store.set(team.login_entry(server), stale)
    with pytest.raises(team.LibraryLoginFailed, match=f"refused the login '{test_server.user}': wrong user name or password.*studio library login") as refused:
        Library.open(share, secrets=key_store)
    assert (refused.value.server.key, refused.value.user) == (server.key, test_server.user)
    with pytest.raises(team.LibraryLoginFailed):  # a login is stored only once the server accepts it
        team.save_login(key_store, server, test_server.user, "a wrong guess")
    assert key_store.get_fields(team.login_entry(server)) == stale
    team.save_login(key_store, server, test_server.user, test_server.password)
    with Library.open(share, secrets=key_store) as lib:
        assert lib.server.key == server.key


def test_a_password_in_the_address_is_refused():
    with pytest.raises(BadInput, match="Leave the password out of the address"):
        Library.open("postgresql://ann:secret@127.0.0.1/team")


def test_an_unreachable_server_says_so_and_the_offline_copy_opens_read_only(test_server, tmp_path):
    share = team_library(test_server, tmp_path)
    with Library.open(share) as lib:
        create_client(lib, "Acme")
        copy = save_offline_copy(lib, JobState())
    gone = team.Server("127.0.0.1", 1, team.read_pointer(share).database)  # nothing listens on port 1
    team.write_pointer(share, gone)
    (team.local_dir(gone) / team.OFFLINE_COPY).write_bytes(copy.read_bytes())
    team.remember_folder(gone, share)
    with pytest.raises(team.LibraryUnreachable, match="cannot be reached.*offline copy \\(read-only\\)") as caught:
        Library.open(share)
    offline = open_offline_copy(caught.value)
    try:
        assert offline.read_only and offline.root == share
        with offline.read() as conn:
            assert conn.execute(select(Client.name)).scalars().all() == ["Acme"]
        with pytest.raises(team.LibraryReadOnly, match="was not saved: the team library server cannot be reached"):
            create_client(offline, "Lost?")
    finally:
        offline.close()


def test_an_unreachable_server_without_an_offline_copy_says_what_to_check(tmp_path):
    team.write_pointer(tmp_path, team.Server("127.0.0.1", 1, "team"))
    with pytest.raises(team.LibraryUnreachable, match="Check the network or VPN connection") as caught:
        Library.open(tmp_path)
    assert caught.value.offline_copy is None


def test_a_schema_newer_than_the_app_is_refused_and_left_alone(test_server, tmp_path):
    share = team_library(test_server, tmp_path)
    database = team.read_pointer(share).database
    test_server.execute(database, "UPDATE alembic_version SET version_num = '0099_from_the_future'")
    with pytest.raises(LibraryTooNew, match="upgraded by a newer version of Conext Studio.*nothing was changed"):
        Library.open(share)
    assert test_server.execute(database, "SELECT version_num FROM alembic_version") == [("0099_from_the_future",)]


def test_a_shared_folder_that_is_not_mounted_is_named(test_server, tmp_path):
    share = team_library(test_server, tmp_path)
    url = team.read_pointer(share).url
    (share / team.POINTER).rename(tmp_path / "elsewhere.json")  # the share's mount point is empty
    with pytest.raises(team.SharedFolderMissing, match=f"shared folder {share} is not there: the network share is probably not mounted"):
        Library.open(url)


def test_the_migrations_build_on_postgresql_what_the_models_say(test_server):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    database = test_server.new_database()
    engine = make_engine(test_server.server(database).engine_url(test_server.user, test_server.password))
    try:
        with engine.begin() as conn:
            migrate.upgrade(conn, migrate.head_revision())
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_a_master_file_over_2_gb_fits_on_the_server(test_server, tmp_path):
    share = team_library(test_server, tmp_path)
    with Library.open(share) as lib:
        with lib.write("Import master.mov") as tx:
            tx.insert("assets", sha256="0" * 64, kind="video", name="master.mov", ext=".mov", size_bytes=5_000_000_000)
        with lib.read() as conn:
            assert conn.execute(select(Asset.size_bytes)).scalar() == 5_000_000_000


@pytest.mark.parametrize("store", ["file", "memory"])
def test_media_in_an_object_store_are_uploaded_cached_and_imported_into(personal, test_server, tmp_path, store):
    """Any fsspec filesystem: its local-file one (which other processes see too) and its in-memory one."""
    import fsspec

    from studio.core.assets import importer
    from studio.core.check import check_library

    url = (tmp_path / "store").as_uri() if store == "file" else f"memory://conext-{tmp_path.name}"
    database = test_server.new_database()
    with Library.open(personal) as lib:
        media = {(a.sha256, a.ext) for a in lib_assets(lib)}
        report = migrate_to(lib, MigrateParams(test_server.server(database).url, str(tmp_path / "share"), media=url), JobState())
    fs, root = fsspec.core.url_to_fs(url)
    assert sorted(fs.find(root)) == sorted(f"{root}/{sha[:2]}/{sha}{ext}" for sha, ext in media) and report["verified"]
    assert not (tmp_path / "share" / "media").exists() and (tmp_path / "share" / "thumbs").is_dir()
    with Library.open(tmp_path / "share") as shared:
        sha, ext = next(iter(media))
        cached = shared.media_path(sha, ext)  # fetched into this workstation's cache on first use
        assert cached.is_file() and str(cached).startswith(str(team.local_dir(shared.server)))
        assert check_library(shared, JobState())["ok"]
        new = tmp_path / "new.jpg"
        new.write_bytes((tmp_path / "share" / "thumbs").rglob("*.jpg").__next__().read_bytes())
        new_report = importer.run(importer.ImportParams(str(shared.root), [str(new)]), JobState(), lib=shared)
        assert len(new_report.imported) == 1, new_report.skipped
        added = [a for a in lib_assets(shared) if (a.sha256, a.ext) not in media]
        assert [fs.size(f"{root}/{a.sha256[:2]}/{a.sha256}{a.ext}") for a in added] == [new.stat().st_size]


def lib_assets(lib):
    with lib.read() as conn:
        return conn.execute(select(Asset.sha256, Asset.ext)).all()


def test_a_failed_switch_takes_its_uploads_back_out_of_the_store(personal, test_server, tmp_path):
    import fsspec

    url = f"memory://conext-failed-{tmp_path.name}"
    database = test_server.new_database()
    state = JobState(lambda: (state.progress or 0) > 0.6 and state.cancel())  # Cancel once the files are in the store
    with Library.open(personal) as lib, pytest.raises(Cancelled):
        migrate_to(lib, MigrateParams(test_server.server(database).url, str(tmp_path / "share"), media=url), state)
    fs, root = fsspec.core.url_to_fs(url)
    assert fs.find(root) == [] and not (tmp_path / "share").exists()
