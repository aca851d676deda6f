"""The write transaction every op runs in: it records row-level before/after states so
the undo stack can reverse it, and reports which kinds of things changed."""

from __future__ import annotations

import contextlib
import getpass
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Table, and_, select

from studio.core.db.models import UNDOABLE_TABLES, Base

TABLES: dict[str, Table] = Base.metadata.tables


@dataclass(frozen=True)
class OpResult:
    """What an op did: `changes` names the tables touched (views refresh on those)."""

    changes: frozenset[str]
    value: Any = None
    label: str = ""


def _encode(value):
    return value.isoformat() if isinstance(value, date) else value  # datetime is a date too


def row_state(conn: Connection, table: Table, pk: list) -> dict | None:
    row = conn.execute(select(table).where(pk_clause(table, pk))).mappings().first()
    return {k: _encode(v) for k, v in row.items()} if row else None


def _decode(column_type, value):
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def decode_state(table: Table, state: dict) -> dict:
    return {k: _decode(table.c[k].type, v) for k, v in state.items()}


def pk_clause(table: Table, pk: list):
    return and_(*(col == val for col, val in zip(table.primary_key.columns, pk)))


def pk_of(table: Table, values: dict) -> list:
    return [values[col.name] for col in table.primary_key.columns]


@dataclass
class Tx:
    """Handed to ops inside lib.write(...). Every insert/update/delete goes through it."""

    conn: Connection
    label: str
    steps: list = field(default_factory=list)
    changes: set = field(default_factory=set)
    audit_details: dict = field(default_factory=dict)
    value: Any = None  # what the op returns to its caller (a new id, ...)

    def insert(self, table: str, **values) -> int | list:
        t = self._table(table)
        pk = list(self.conn.execute(t.insert().values(**values)).inserted_primary_key)
        self._record(table, pk, None, row_state(self.conn, t, pk))
        return pk[0] if len(pk) == 1 else pk

    def update(self, table: str, pk, **values) -> None:
        t, pk = self._table(table), self._pk(pk)
        before = row_state(self.conn, t, pk)
        if before is None:
            raise LookupError(f"{table} {pk} does not exist")
        self.conn.execute(t.update().where(pk_clause(t, pk)).values(**values))
        self._record(table, pk, before, row_state(self.conn, t, pk))

    def delete(self, table: str, pk) -> None:
        t, pk = self._table(table), self._pk(pk)
        before = row_state(self.conn, t, pk)
        if before is None:
            return
        self.conn.execute(t.delete().where(pk_clause(t, pk)))
        self._record(table, pk, before, None)

    def note(self, **details) -> None:
        """Extra details for this op's audit event."""
        self.audit_details.update(details)

    def _record(self, table, pk, before, after) -> None:
        self.steps.append([table, pk, before, after])
        self.changes.add(table)

    @staticmethod
    def _pk(pk) -> list:
        return list(pk) if isinstance(pk, (list, tuple)) else [pk]

    @staticmethod
    def _table(name: str) -> Table:
        if name not in UNDOABLE_TABLES:
            raise ValueError(f"{name} is not written through ops")
        return TABLES[name]


def apply_state(conn: Connection, table_name: str, pk: list, state: dict | None) -> None:
    """Make one row look like `state` (None: absent). Used by undo and redo."""
    table = TABLES[table_name]
    exists = conn.execute(select(*table.primary_key.columns).where(pk_clause(table, pk))).first()
    if state is None:
        if exists:
            conn.execute(table.delete().where(pk_clause(table, pk)))
    elif exists:
        conn.execute(table.update().where(pk_clause(table, pk)).values(**decode_state(table, state)))
    else:
        conn.execute(table.insert().values(**decode_state(table, state)))


def actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


_GROUP: ContextVar[tuple[str, str] | None] = ContextVar("undo_group", default=None)


@contextlib.contextmanager
def one_undo_step(label: str, merge_key: str | None = None):
    """Every op run inside (in this thread) lands in one undo entry called label, so one Undo takes
    them all back: an action built from several ops, like the demo library. merge_key: join the
    entry that writes with that key made (default: a new one)."""
    token = _GROUP.set((label, merge_key or f"group:{uuid.uuid4().hex}"))
    try:
        yield
    finally:
        _GROUP.reset(token)


@contextlib.contextmanager
def write_transaction(lib, label: str, *, merge_key=None, merge_window=None):
    """Run the body in one transaction with its undo entry and audit event; notify on commit.
    The OpResult is available afterwards as tx.result."""
    from studio.core import audit
    from studio.core.undo import record_entry

    with lib.write_lock, lib.engine.begin() as conn:
        tx = Tx(conn, label)
        yield tx
        if tx.steps:
            if group := _GROUP.get():
                record_entry(conn, group[0], tx.steps, merge_key=group[1], merge_window=float("inf"))
            else:
                record_entry(conn, label, tx.steps, merge_key=merge_key, merge_window=merge_window)
            audit.append(conn, actor(), label, {"tables": sorted(tx.changes), **tx.audit_details})
    tx.result = OpResult(frozenset(tx.changes), tx.value, label)
    if tx.steps:
        lib.notify(tx.result)
