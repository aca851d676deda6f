"""Working together on one library (a team library on a server, or several sessions on one file).

- Who: each open Library is a session with an id and a person's name (the display name the user
  set, else the login name); the audit trail, the change log and conflict messages use the name.
- What others changed: every write transaction adds one change_log row (session, name, tables) in
  the same transaction; ChangeFeed(lib).poll() returns what *other* sessions wrote since the last
  poll, so the studio refreshes its open views within seconds.
- Lost races: a save prepared from a row version that moved on raises ConflictError (built here),
  which says field by field what the other person changed, who and when.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from studio.core.db.models import VERSION, ChangeLogRow, UndoEntry, utcnow
from studio.core.errors import ConflictError

USER_NAME_ENV = "STUDIO_USER_NAME"  # the display name; in the environment so job processes and the CLI use it too
KEEP_FOR = timedelta(days=1)  # change_log rows older than this are pruned (a poll is seconds behind at most)
LOOK_BACK = 300  # undo entries searched for who changed a conflicting row and what it was before
NOISE = {VERSION, "updated_at"}  # fields that change with every save and say nothing to the user


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def actor() -> str:
    """This person's name: the one set in Settings (Your name in the team library), else the login name."""
    return os.environ.get(USER_NAME_ENV, "").strip() or login_name()


def set_user_name(name: str | None) -> None:
    """Use `name` for this process and the job processes it starts (empty: the login name)."""
    name = (name or "").strip()
    if len(name) > 200:
        raise ValueError(f"A name is at most 200 characters; {name[:20]!r}… has {len(name)}.")
    if name:
        os.environ[USER_NAME_ENV] = name
    else:
        os.environ.pop(USER_NAME_ENV, None)


@dataclass(eq=False)
class Session:
    """One open Library in one process."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    own_name: str | None = None  # a name for this session only (tests: two people in one process)
    _conflict_listeners: list[Callable] = field(default_factory=list)
    _written: dict[tuple, set[int]] = field(default_factory=dict)  # (table, pk): versions this session's ops made

    def wrote(self, table: str, pk, version: int) -> None:
        self._written.setdefault((table, tuple(pk)), set()).add(version)

    def forget(self, table: str, pk) -> None:
        """An undo or redo put back an older version number: what this session made is no longer sure."""
        self._written.pop((table, tuple(pk)), None)

    def made_all(self, table: str, pk, after: int, upto: int) -> bool:
        """Whether this session made every version of the row after `after` up to `upto`: a save
        prepared from `after` then races only with itself (another view, a job of this window)."""
        mine = self._written.get((table, tuple(pk)), set())
        return upto > after and all(v in mine for v in range(after + 1, upto + 1))

    @property
    def name(self) -> str:
        return self.own_name or actor()

    def on_conflict(self, listener: Callable) -> None:
        """listener(ConflictError) whenever an op or an undo of this session loses a race (any thread)."""
        self._conflict_listeners.append(listener)

    def report(self, conflict: ConflictError) -> None:
        for listener in list(self._conflict_listeners):
            listener(conflict)


_SESSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def session_of(lib) -> Session:
    session = _SESSIONS.get(lib)
    if session is None:
        session = _SESSIONS[lib] = Session()
    return session


# ---- the change feed --------------------------------------------------------------------------
CL = ChangeLogRow.__table__


def record_change(conn: Connection, session: Session, tables) -> None:
    """Log one write transaction (inside it) and prune what every poller has long seen."""
    now = utcnow()
    conn.execute(CL.insert().values(at=now, session=session.id, actor=session.name, tables=sorted(tables)))
    conn.execute(CL.delete().where(CL.c.at < now - KEEP_FOR))


@contextlib.contextmanager
def logged_write(lib, tables: Iterable[str]):
    """A write outside the undo stack (report imports, compliance findings, publishing status, AI
    call costs): one transaction under the library's write lock, logged in the change feed so other
    sessions' views of `tables` refresh too. Yields the connection."""
    with lib.write_lock, lib.engine.begin() as conn:
        yield conn
        record_change(conn, session_of(lib), tables)


@dataclass(frozen=True)
class Changes:
    """What other sessions wrote since the last poll: the tables (views refresh on those) and who."""

    tables: frozenset[str]
    actors: tuple[str, ...]


class ChangeFeed:
    """Polls the change_log for other sessions' writes. Cheap: one query on the primary key."""

    def __init__(self, lib):
        self._lib = lib
        self._session = session_of(lib)
        with lib.read() as conn:
            self._last = conn.execute(select(func.max(CL.c.id))).scalar() or 0

    def poll(self) -> Changes | None:
        """None when nobody else wrote since the last poll."""
        with self._lib.read() as conn:
            rows = conn.execute(select(CL.c.id, CL.c.session, CL.c.actor, CL.c.tables)
                                .where(CL.c.id > self._last).order_by(CL.c.id)).all()
        if not rows:
            return None
        self._last = rows[-1].id
        others = [r for r in rows if r.session != self._session.id]
        if not others:
            return None
        tables = frozenset(t for r in others for t in r.tables)
        return Changes(tables, tuple(dict.fromkeys(r.actor for r in others)))


# ---- conflicts --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """One field that differs between this session's version of a row and theirs. theirs_changed:
    the other person changed it since this session read the row (None: what it read is not known).
    kept: what Keep mine leaves there (mine where this session changed it, else theirs)."""

    field: str
    mine: Any
    theirs: Any
    theirs_changed: bool | None
    kept: Any = None


def _label(value, index: int) -> tuple[str, str]:
    """(key, shown name) of a list item: items with ids keep their place by id, shown by name."""
    if isinstance(value, dict) and value.get("id") is not None:
        shown = next((v for k in ("name", "title", "text") if isinstance(v := value.get(k), str) and v), str(value["id"]))
        return str(value["id"]), shown if len(shown) <= 40 else shown[:39] + "…"
    return str(index), str(index + 1)


def _flatten(value, key=(), shown=()) -> dict[tuple, tuple[str, Any]]:
    """{path: (readable path, leaf value)}; lists of objects go item by item, lists of plain values stay whole."""
    if isinstance(value, dict) and value:
        out = {}
        for k, v in value.items():
            out.update(_flatten(v, (*key, str(k)), (*shown, str(k))))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, item in enumerate(value):
            item_key, item_shown = _label(item, i)
            out.update(_flatten(item, (*key, item_key), (*shown, item_shown)))
        return out
    return {key: (" › ".join(shown), value)}


def field_changes(mine: dict | None, theirs: dict | None, base: dict | None, merges: bool = True) -> list[FieldChange]:
    """The fields where this session's row (base with its own changes) and theirs differ. merges:
    Keep mine merges (an op's save) rather than writing the whole of mine (an undo forced through)."""
    if mine is None or theirs is None:
        return []
    mine_full = {**(base or theirs), **mine}
    kept = {**theirs, **merged_values(base, mine, theirs)} if merges else mine_full
    flat = [_flatten({k: v for k, v in row.items() if k not in NOISE}) if row is not None else None
            for row in (mine_full, theirs, base, kept)]
    flat_mine, flat_theirs, flat_base, flat_kept = flat
    missing = ("", None)
    out = []
    for path in dict.fromkeys([*flat_mine, *flat_theirs]):
        shown, mine_value = flat_mine.get(path, missing)
        theirs_shown, theirs_value = flat_theirs.get(path, missing)
        if _same(mine_value, theirs_value):
            continue
        changed = None if flat_base is None else not _same(flat_base.get(path, missing)[1], theirs_value)
        out.append(FieldChange(shown or theirs_shown, mine_value, theirs_value, changed, flat_kept.get(path, missing)[1]))
    return out


# ---- three-way merge: Keep mine lays this session's changes on theirs --------------------------
MISSING = object()  # a key or list item that is not there (deleted, or not yet added)


def merged_values(base: dict | None, mine: dict, theirs: dict) -> dict:
    """The columns an op set (mine), merged onto the row as it is now (theirs) relative to the row
    this session read (base): fields and document parts only the other person changed stay theirs.
    Without a base every column is mine."""
    if base is None:
        return dict(mine)
    return {k: merge(base.get(k, MISSING), v, theirs.get(k, MISSING))[0] for k, v in mine.items()}


def merge(base, mine, theirs) -> tuple[Any, bool]:
    """(merged, collided). Documents merge key by key, and lists of items with ids item by item;
    a value both sides changed differently is a collision, and mine wins it."""
    if _same(mine, theirs) or _same(theirs, base):
        return mine, False
    if _same(mine, base):
        return theirs, False
    if all(isinstance(v, dict) for v in (base, mine, theirs)):
        out, collided = {}, False
        for key in dict.fromkeys([*theirs, *mine]):
            value, clash = merge(base.get(key, MISSING), mine.get(key, MISSING), theirs.get(key, MISSING))
            collided |= clash
            if value is not MISSING:
                out[key] = value
        return out, collided
    if all(_items_with_ids(v) for v in (base, mine, theirs)):
        return _merge_items(base, mine, theirs)
    return mine, True


def _items_with_ids(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and v.get("id") is not None for v in value)


def _merge_items(base: list, mine: list, theirs: list) -> tuple[list, bool]:
    """Items keep theirs' order; items this session added go after the item they followed in mine."""
    by_id = [{item["id"]: item for item in side} for side in (base, mine, theirs)]
    order = list(by_id[2])
    for previous, item_id in zip([None, *by_id[1]], by_id[1]):
        if item_id not in by_id[0] and item_id not in by_id[2]:
            order.insert(order.index(previous) + 1 if previous in order else 0, item_id)
    out, collided = [], False
    for item_id in order:
        value, clash = merge(*(side.get(item_id, MISSING) for side in by_id))
        collided |= clash
        if value is not MISSING:
            out.append(value)
    return out, collided


def _same(a, b) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _history(conn: Connection, table: str, pk: list, theirs_version, read_version):
    """From the undo log: (who made the row's current version, when, the row as it was at read_version)."""
    by = at = base = None
    entries = conn.execute(select(UndoEntry.actor, UndoEntry.created_at, UndoEntry.steps)
                           .order_by(UndoEntry.id.desc()).limit(LOOK_BACK)).all()
    for entry in entries:
        for step_table, step_pk, before, after in reversed(entry.steps):
            if step_table != table or list(step_pk) != list(pk):
                continue
            made_theirs = after is None if theirs_version is None else after and after.get(VERSION) == theirs_version
            if by is None and made_theirs:
                by, at = entry.actor, datetime.fromtimestamp(entry.created_at, UTC).replace(tzinfo=None)
            if base is None and read_version is not None:
                base = next((s for s in (after, before) if s and s.get(VERSION) == read_version), None)
        if by is not None and (base is not None or read_version is None):
            break
    return by, at, base


def noun(table: str, row: dict | None) -> str:
    """'composition "Spring 15s"', 'brief section "insight"': what a row is, for a message."""
    what = table.replace("_", " ").removesuffix("s")
    name = next((row[k] for k in ("name", "title", "key") if row and row.get(k)), None)
    return f'{what} "{name}"' if name else what


def conflict(conn: Connection, table: str, pk: list, *, mine: dict | None, theirs: dict | None, label: str,
             read_version: int | None = None, base: dict | None = None, merges: bool = True) -> ConflictError:
    """The ConflictError for a row that moved on: who changed it and what, from the undo log.
    merges: whether Keep mine merges (see field_changes)."""
    by, at, found = _history(conn, table, pk, theirs.get(VERSION) if theirs else None, read_version)
    base = base or found
    fields = field_changes(mine, theirs, base, merges)
    thing = noun(table, theirs or base or mine)
    who = by or "Someone"
    when = f" at {at:%H:%M} UTC" if at else ""
    if theirs is None:
        what = f"{who} deleted this {thing}{when}"
    elif mine is None:
        what = f"{who} changed this {thing}{when} " + ("since you opened it" if merges else "after your step")
    else:
        shown = ", ".join(f.field for f in fields[:3]) + ("…" if len(fields) > 3 else "")
        what = f"{who} changed this {thing}{when} since you opened it" + (f" ({shown})" if shown else "")
    choose = ("Nothing was written." if theirs is None else
              "Choose Keep mine to write your changes on top of theirs, or Take theirs to see theirs; nothing was lost.")
    message = f"{label or 'Your change'} was not saved: {what}. {choose}"
    return ConflictError(message, table=table, pk=list(pk), mine=mine, theirs=theirs, base=base, by=by, at=at,
                         fields=fields, label=label)
