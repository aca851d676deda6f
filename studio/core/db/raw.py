"""Plain DB-API access for bulk work (a million report rows read or written as tuples, not
rows of objects), with one spelling of SQL for both databases: `?` and `:name` placeholders,
dates read back as 'YYYY-MM-DD' text, NaN stored as NULL. On PostgreSQL, bulk inserts go
through COPY, its fast path."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection


class Raw:
    def __init__(self, conn: Connection):
        self.dbapi = conn.connection.driver_connection
        self.postgres = conn.dialect.name == "postgresql"

    def _sql(self, sql: str) -> str:
        if not self.postgres:
            return sql
        sql = sql.replace("%", "%%")
        sql = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)
        return sql.replace("?", "%s")

    def _cursor(self):
        cursor = self.dbapi.cursor()
        if self.postgres:
            from psycopg.types.string import TextLoader

            cursor.adapters.register_loader("date", TextLoader)  # as SQLite gives them
        return cursor

    def execute(self, sql: str, params: Sequence | dict = ()):
        cursor = self._cursor()
        cursor.execute(self._sql(sql), _nulls(params) if self.postgres else params)
        return cursor

    def rows(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        cursor = self._cursor()
        if self.postgres:
            rows = [_nulls(r) for r in rows]
            if not rows:
                return
        cursor.executemany(self._sql(sql), rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: list[Sequence]) -> None:
        """Many rows into table (NaN is NULL)."""
        if not self.postgres:
            self.dbapi.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
            return
        with self.dbapi.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(_nulls(row))


def insert(conn: Connection, table):
    """The database's own INSERT construct, which has on_conflict_do_nothing/do_update."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table)


def _nulls(values):
    if isinstance(values, dict):
        return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in values.items()}
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]
