"""The write transaction every op runs in: it records row-level before/after states so
the undo stack can reverse it, and reports which kinds of things changed.

Every editable row has a version (1 when inserted, one more with each update). An update prepared
from a version this session read earlier names it (expected_version): if the row moved on, someone
else saved in between, and the update raises ConflictError instead of overwriting their work."""

from __future__ import annotations

import contextlib
import functools
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Table, and_, select

from studio.core.changes import (
    Session,
    actor,
    conflict,
    merged_values,
    record_change,
    session_of,
)
from studio.core.db.models import UNDOABLE_TABLES, VERSION, Base
from studio.core.errors import ConflictError

__all__ = ["OpResult", "Tx", "actor", "apply_state", "edited_from", "keep_mine", "one_undo_step", "row_versions",
           "write_transaction"]

TABLES: dict[str, Table] = Base.metadata.tables


@dataclass(frozen=True)
class OpResult:
    """What an op did: `changes` names the tables touched (views refresh on those)."""

    changes: frozenset[str]
    value: Any = None
    label: str = ""
    versions: dict = field(default_factory=dict, compare=False)  # {(table, pk tuple): version}: rows it wrote

    def version_of(self, table: str, pk) -> int | None:
        """The version the op left a row at (an editor keeps it for its next save); None: not written."""
        return self.versions.get((table, tuple(pk) if isinstance(pk, (list, tuple)) else (pk,)))


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
    session: Session
    steps: list = field(default_factory=list)
    changes: set = field(default_factory=set)
    audit_details: dict = field(default_factory=dict)
    value: Any = None  # what the op returns to its caller (a new id, ...)

    def insert(self, table: str, **values) -> int | list:
        t = self._table(table)
        pk = list(self.conn.execute(t.insert().values(**values, **{VERSION: 1})).inserted_primary_key)
        self._record(table, pk, None, row_state(self.conn, t, pk))
        return pk[0] if len(pk) == 1 else pk

    def update(self, table: str, pk, *, expected_version: int | None = None, **values) -> None:
        """Change a row and bump its version. expected_version: the version the values were prepared
        from; the update applies only if the row is still at it, else ConflictError (nothing written)."""
        t, pk = self._table(table), self._pk(pk)
        if expected_version is None:
            expected_version = self._edited_from(table, pk)
        before = row_state(self.conn, t, pk)
        if before is None and expected_version is None:
            raise LookupError(f"{table} {pk} does not exist")
        if before is not None and expected_version is not None and self.session.made_all(table, pk, expected_version, before[VERSION]):
            expected_version = before[VERSION]  # every save since was this session's own: nobody else's work to lose
        where = pk_clause(t, pk)
        if expected_version is not None:
            where = and_(where, t.c[VERSION] == expected_version)
        done = self.conn.execute(t.update().where(where).values(**values, **{VERSION: t.c[VERSION] + 1})).rowcount
        if done == 0:
            raise conflict(self.conn, table, pk, mine=_encoded(values), theirs=before, label=self.label,
                           read_version=expected_version)
        self._record(table, pk, before, row_state(self.conn, t, pk))

    def delete(self, table: str, pk, *, expected_version: int | None = None) -> None:
        """Delete a row. expected_version (or edited_from): the version the deletion was decided on;
        if someone else changed the row since, ConflictError (nothing deleted)."""
        t, pk = self._table(table), self._pk(pk)
        before = row_state(self.conn, t, pk)
        if before is None:
            return
        if expected_version is None:
            expected_version = self._edited_from(table, pk)
        if (expected_version is not None and before[VERSION] != expected_version
                and not self.session.made_all(table, pk, expected_version, before[VERSION])):
            raise conflict(self.conn, table, pk, mine=None, theirs=before, label=self.label, read_version=expected_version)
        self.conn.execute(t.delete().where(pk_clause(t, pk)))
        self._record(table, pk, before, None)

    def note(self, **details) -> None:
        """Extra details for this op's audit event."""
        self.audit_details.update(details)

    def _record(self, table, pk, before, after) -> None:
        self.steps.append([table, pk, before, after])
        self.changes.add(table)

    def _edited_from(self, table: str, pk: list) -> int | None:
        """The version an editor read of the row (edited_from). A row of a table whose rows it read,
        but not this one, was not there then (0): a colleague made it since. None: not an editor's."""
        seen = _EDITED_FROM.get()
        if (table, tuple(pk)) in seen:
            return seen[(table, tuple(pk))]
        made_here = any(t == table and p == pk and before is None for t, p, before, _after in self.steps)
        return 0 if not made_here and any(t == table for t, _pk in seen) else None

    def versions(self) -> dict:
        return {(table, tuple(pk)): after[VERSION] for table, pk, _before, after in self.steps if after}

    @staticmethod
    def _pk(pk) -> list:
        return list(pk) if isinstance(pk, (list, tuple)) else [pk]

    @staticmethod
    def _table(name: str) -> Table:
        if name not in UNDOABLE_TABLES:
            raise ValueError(f"{name} is not written through ops")
        return TABLES[name]


def _encoded(values: dict) -> dict:
    return {k: _encode(v) for k, v in values.items()}


def check_state(conn: Connection, table_name: str, pk: list, expected: dict | None, wanted: dict | None, label: str) -> None:
    """Undo and redo: the row must still be as this session's step left it (`expected`), else someone
    else changed it since and putting `wanted` back would silently overwrite their work: ConflictError.
    Compared by version (states recorded before versions existed are not checked)."""
    current = row_state(conn, TABLES[table_name], pk)
    if expected is None or current is None:
        unchanged = expected is None and current is None
    else:
        unchanged = current[VERSION] == expected.get(VERSION, current[VERSION])
    if not unchanged:
        raise conflict(conn, table_name, pk, mine=wanted, theirs=current, label=label, base=expected, merges=False)


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

    session = session_of(lib)
    try:
        with lib.write_lock, lib.engine.begin() as conn:
            tx = Tx(conn, label, session)
            yield tx
            if tx.steps:
                if group := _GROUP.get():
                    record_entry(conn, group[0], tx.steps, merge_key=group[1], merge_window=float("inf"), actor=session.name)
                else:
                    record_entry(conn, label, tx.steps, merge_key=merge_key, merge_window=merge_window, actor=session.name)
                audit.append(conn, session.name, label, {"tables": sorted(tx.changes), **tx.audit_details})
                record_change(conn, session, tx.changes)
    except ConflictError as exc:
        if exc.keep_mine is None and exc.theirs is not None:
            exc.keep_mine = functools.partial(keep_mine, lib, exc)
        session.report(exc)
        raise
    tx.result = OpResult(frozenset(tx.changes), tx.value, label, tx.versions())
    for (table, pk), version in tx.result.versions.items():
        session.wrote(table, pk, version)
    if tx.steps:
        lib.notify(tx.result)


def keep_mine(lib, lost: ConflictError) -> OpResult:
    """Write this session's side of a lost race on top of the row as the other person left it: a new
    undoable step. What this session changed wins; what only they changed stays theirs (see
    changes.merge), unless the merged document would not be valid, then the whole of mine is written.
    A third save in between raises ConflictError again."""
    if lost.mine is None:  # a deletion: delete theirs too
        with lib.write(f"{lost.label or 'Delete'} (kept mine)") as tx:
            tx.delete(lost.table, lost.pk, expected_version=lost.theirs[VERSION])
        return tx.result
    table = TABLES[lost.table]
    keys = {col.name for col in table.primary_key.columns} | {VERSION}
    mine = {k: v for k, v in lost.mine.items() if k not in keys}
    merged = merged_values(lost.base, mine, lost.theirs)
    if merged != mine and not _valid(lost.table, {**lost.theirs, **merged}):
        merged = mine
    with lib.write(f"{lost.label or 'Save'} (kept mine)") as tx:
        tx.update(lost.table, lost.pk, expected_version=lost.theirs[VERSION], **decode_state(table, merged))
    return tx.result


def _valid(table: str, row: dict) -> bool:
    """Whether a merged row still makes a valid document (a timeline whose transitions meet their
    clips, a Kata recipe); other rows have nothing to check."""
    from studio.core.errors import StudioError
    from studio.core.timeline.model import Composition
    from studio.kata.recipe import Recipe

    check = {"compositions": Composition.from_document, "kata_recipes": Recipe.from_document}.get(table)
    try:
        check and check(row["document"])
    except (StudioError, ValueError):
        return False
    return True


# ---- editors: save what a view shows, not what it missed ----------------------------------------
_EDITED_FROM: ContextVar[MappingProxyType] = ContextVar("edited_from", default=MappingProxyType({}))


def row_versions(lib, *rows: tuple[str, Any]) -> dict[tuple[str, tuple], int]:
    """{(table, pk): version} of the rows (table, pk) now. An editor reads them *before* the data it
    shows: a save that slips in between then makes a needless question, never a lost change.
    A row that is not there is version 0: one a colleague makes meanwhile is a change too."""
    out = {}
    with lib.read() as conn:
        for table, pk in rows:
            pk = Tx._pk(pk)
            found = conn.execute(select(TABLES[table].c[VERSION]).where(pk_clause(TABLES[table], pk))).scalar()
            out[(table, tuple(pk))] = found or 0
    return out


def table_versions(lib, table: str, *where) -> dict[tuple[str, tuple | None], int]:
    """row_versions of every row of `table` (matching `where`) in one query, with (table, None): the
    view read them all, so a row not among them was made since."""
    t = TABLES[table]
    with lib.read() as conn:
        rows = conn.execute(select(*t.primary_key.columns, t.c[VERSION]).where(*where)).all()
    return {(table, None): 0} | {(table, tuple(row[:-1])): row[-1] for row in rows}


@contextlib.contextmanager
def edited_from(versions: dict[tuple[str, tuple], int]):
    """Ops run inside (in this thread) were prepared from these row versions (row_versions): an
    update of such a row that someone else changed since raises ConflictError, as with an explicit
    expected_version. Versions this session's own saves made since do not count as someone else's.
    A row of a named table that is not named was made since (version 0); the key (table, None)
    names a table whose rows the view read all of, even when there were none."""
    token = _EDITED_FROM.set(MappingProxyType({**_EDITED_FROM.get(), **versions}))
    try:
        yield
    finally:
        _EDITED_FROM.reset(token)
