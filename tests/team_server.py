"""The test PostgreSQL server (started by `./bootstrap.sh test` on 127.0.0.1, address in
$STUDIO_TEST_POSTGRES): fresh team libraries in their own databases, cloned from a template
made once per test process by the real model and migrations stamp."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import make_url

ADMIN_URL = os.environ.get("STUDIO_TEST_POSTGRES")  # postgresql://USER:PASSWORD@127.0.0.1:PORT/postgres
BACKEND = os.environ.get("STUDIO_TEST_BACKEND", "sqlite")  # "postgresql": the core suite on team libraries
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


class TestServer:
    def __init__(self, admin_url: str, pgpass_dir: Path):
        url = make_url(admin_url)
        self.host, self.port, self.user, self.password = url.host, url.port or 5432, url.username, url.password
        self._admin = psycopg.connect(admin_url.replace("+psycopg", ""), autocommit=True)
        # copying a small template's files is several times quicker than logging it block by block
        self._strategy = " STRATEGY FILE_COPY" if self._admin.info.server_version >= 150000 else ""
        self._template = None
        self.made: list[str] = []
        # libraries opened with no key store log in through libpq's password file, as a
        # workstation with a ~/.pgpass would
        pgpass = pgpass_dir / "pgpass"
        pgpass.write_text(f"{self.host}:{self.port}:*:{self.user}:{self.password}\n")
        pgpass.chmod(0o600)
        os.environ["PGPASSFILE"] = str(pgpass)
        os.environ["PGUSER"] = self.user

    def server(self, database: str):
        from studio.core.team import Server

        return Server(self.host, self.port, database, self.user)

    def new_database(self, *, template: str | None = None) -> str:
        name = f"t_{_WORKER}_{uuid.uuid4().hex[:12]}"
        self._admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"{self._strategy}' if template else ""))
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, database: str, sql: str) -> list:
        with psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password, dbname=database,
                             autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def new_library(self, folder: Path) -> None:
        """A fresh team library (the head schema, no rows) whose shared folder is folder."""
        from studio.core.team import FOLDER_SETTING, write_pointer

        name = self.new_database(template=self._schema_template())
        folder.mkdir(parents=True, exist_ok=True)
        self.execute(name, f"INSERT INTO settings (key, value) VALUES ('{FOLDER_SETTING}', '\"{folder}\"')")
        write_pointer(folder, self.server(name))

    def clone_library(self, source: Path, folder: Path) -> None:
        """folder becomes a copy of the team library at source (its files were copied already)."""
        from studio.core.team import read_pointer, write_pointer

        name = self.new_database(template=read_pointer(source).database)
        self.execute(name, f"UPDATE settings SET value = '\"{folder}\"' WHERE key = 'team.folder'")
        write_pointer(folder, self.server(name))

    def _schema_template(self) -> str:
        if self._template is None:
            from sqlalchemy import create_engine

            from studio.core.db import migrate
            from studio.core.db.models import Base

            self._template = self.new_database()
            engine = create_engine(self.server(self._template).engine_url(self.user, self.password))
            with engine.begin() as conn:
                Base.metadata.create_all(conn)
                migrate.stamp(conn, migrate.head_revision())
            engine.dispose()
        return self._template

    def close(self) -> None:
        for name in reversed(self.made):
            self.drop(name)
        self._admin.close()


def open_new_library(request, folder: Path, **kwargs):
    """A fresh library at folder on the backend under test (for fixtures of any scope)."""
    from studio.core.library import Library

    if BACKEND == "postgresql" and not any(Path(folder).glob("*")):
        request.getfixturevalue("test_server").new_library(Path(folder))
    return Library.open(folder, **kwargs)
