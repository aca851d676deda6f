"""The database engine. The settings of each database live here and nowhere else: SQLite for a
personal library, PostgreSQL for a team library (studio.core.team), the same models on both."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url

from studio.core.db.checkpoints import LOG_BYTES, Checkpoints

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
    cur.execute("PRAGMA wal_autocheckpoint=0")  # studio.core.db.checkpoints runs them, off the committing thread
    cur.execute(f"PRAGMA journal_size_limit={LOG_BYTES}")  # a log emptied by a checkpoint shrinks back to this
    cur.close()


READ_ONLY = "studio_read_only"  # execution option: this connection only reads


def _sqlite_begin(conn) -> None:
    # A writer takes the write lock up front (IMMEDIATE), so two processes never deadlock
    # upgrading locks; a reader begins deferred and, in WAL mode, never waits for a writer.
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


# Any constant: the key of the server-wide lock that makes one team library's writers take
# turns, as SQLite's write lock does for a personal one (the audit chain and the undo log
# read what the last writer wrote).
WRITE_LOCK_KEY = 0x436F6E657874  # "Conext"
CONNECT_TIMEOUT_S = 5


def _postgres_begin(conn) -> None:
    if not conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


def make_engine(url) -> Engine:
    if make_url(url).get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S, "application_name": "Conext Studio"})
        event.listen(engine, "begin", _postgres_begin)
        return engine
    engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    database = make_url(url).database
    if database and database != ":memory:":
        Checkpoints(engine, Path(database))
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
