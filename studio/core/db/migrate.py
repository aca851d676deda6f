"""Schema revisions through Alembic, run programmatically when a library opens."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from studio.core.paths import migrations_dir


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = connection
    return cfg


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return script().get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in script().walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, target: str = "head") -> None:
    command.upgrade(alembic_config(connection), target)


def stamp(connection: Connection, target: str = "head") -> None:
    command.stamp(alembic_config(connection), target)
