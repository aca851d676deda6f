"""The database engine. SQLite-only settings live here and nowhere else, so a team
library can later point the same models at PostgreSQL by changing the URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # pysqlite opens its own transactions lazily; let SQLAlchemy drive them (see
    # SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL" notes).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


READ_ONLY = "studio_read_only"  # execution option: this connection only reads


def _sqlite_begin(conn) -> None:
    # A writer takes the write lock up front (IMMEDIATE), so two processes never deadlock
    # upgrading locks; a reader begins deferred and, in WAL mode, never waits for a writer.
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def sqlite_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


def verify_sqlite_settings(engine: Engine) -> dict:
    """Read the pragmas back: a library we cannot put in WAL with foreign keys is not safe to use."""
    with engine.connect() as conn:
        got = {
            "journal_mode": conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
            "foreign_keys": conn.exec_driver_sql("PRAGMA foreign_keys").scalar(),
            "busy_timeout": conn.exec_driver_sql("PRAGMA busy_timeout").scalar(),
        }
    if got["journal_mode"] != "wal" or got["foreign_keys"] != 1 or got["busy_timeout"] < 1000:
        raise RuntimeError(f"SQLite settings did not take effect: {got}")
    return got


def health_problems(conn) -> tuple[list[str], list[list]]:
    """(integrity messages, foreign-key violations): (["ok"], []) for a sound database.
    The database's own checks, behind one portable call."""
    if conn.dialect.name != "sqlite":
        return ["ok"], []  # a server database checks itself
    integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").all()]
    foreign_keys = [list(row) for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all()]
    return integrity, foreign_keys
