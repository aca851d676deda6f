"""Copying a library's rows from one database to another (SQLite ↔ PostgreSQL), and proving
the copy whole: per table, the row count and a digest of every row in key order, computed on
each side from what its own driver reads back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, text

from studio.core.db.models import Base

CHUNK = 5_000


def copy_rows(src: Connection, dst: Connection, on_rows: Callable[[int], None] | None = None) -> dict[str, int]:
    """Every table of the model, parents before children. Returns rows per table."""
    counts = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = 0
        result = src.execution_options(yield_per=CHUNK).execute(select(table).order_by(*table.primary_key.columns))
        for chunk in result.mappings().partitions():
            dst.execute(table.insert(), [dict(row) for row in chunk])
            counts[table.name] += len(chunk)
            if on_rows:
                on_rows(len(chunk))
    if dst.dialect.name == "postgresql":
        _reset_sequences(dst)
    return counts


def row_total(conn: Connection) -> int:
    return sum(conn.execute(select(func.count()).select_from(t)).scalar() for t in Base.metadata.sorted_tables)


def _reset_sequences(conn: Connection) -> None:
    """Rows came in with their ids: start each id sequence after the largest one."""
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and keys[0].autoincrement in (True, "auto") and keys[0].type.python_type is int:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": keys[0].name}).scalar()
            if sequence:
                conn.execute(text(f"SELECT setval('{sequence}', coalesce((SELECT max({keys[0].name}) FROM {table.name}), 0) + 1, false)"))


def digests(conn: Connection) -> dict[str, tuple[int, str]]:
    """table → (rows, digest): equal on both sides when the copy is whole. The digest is the sum
    of the rows' sha256 values, so it needs no order (the two databases sort text differently)."""
    out = {}
    for table in Base.metadata.sorted_tables:
        total, rows = 0, 0
        for chunk in conn.execution_options(yield_per=CHUNK).execute(select(table)).partitions():
            for row in chunk:
                line = json.dumps([_plain(v) for v in row], default=str, sort_keys=True).encode()
                total += int.from_bytes(hashlib.sha256(line).digest(), "big")
                rows += 1
        out[table.name] = (rows, f"{total % (1 << 256):064x}")
    return out


def _plain(value):
    # a whole number in a float column may read back as int from SQLite (dynamic typing), and
    # a time with a zone as naive: compare the values, not how each driver spells them
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
