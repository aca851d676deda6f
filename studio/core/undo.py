"""The undo stack, Qt-free and kept in the library (table undo_log), so worker processes,
the CLI and the GUI all share one history and it survives a restart.

Entries past the top that were undone form the redo branch; a new op drops it.
Rapid edits with the same merge key (typing, dragging) merge into one entry.

In a team library each person has their own stack (entries carry the actor's name), and an undo
or redo never silently overwrites a row someone else changed after this person's step: it raises
ConflictError, and keep_mine on it forces the step through.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Connection, func, or_, select

from studio.core import audit
from studio.core.changes import record_change, session_of
from studio.core.db.models import UndoEntry
from studio.core.errors import ConflictError
from studio.core.ops.tx import OpResult, apply_state, check_state

MERGE_WINDOW_S = 2.0
MAX_ENTRIES = 500

T = UndoEntry.__table__
clock: Callable[[], float] = time.time  # tests replace it to control merging


def _whose(actor: str):
    """The entries of actor's stack (entries from before stacks had owners belong to everyone)."""
    return or_(T.c.actor == actor, T.c.actor.is_(None))


def record_entry(conn: Connection, label, steps, *, actor: str, merge_key=None, merge_window=None) -> None:
    now = clock()
    mine = _whose(actor)
    conn.execute(T.delete().where(mine, T.c.undone.is_(True)))
    top = conn.execute(select(T).where(mine).order_by(T.c.id.desc()).limit(1)).mappings().first()
    window = MERGE_WINDOW_S if merge_window is None else merge_window
    if merge_key and top and top["merge_key"] == merge_key and now - top["created_at"] <= window:
        conn.execute(
            T.update().where(T.c.id == top["id"]).values(steps=top["steps"] + steps, created_at=now, label=label)
        )
        return
    conn.execute(T.insert().values(label=label, merge_key=merge_key, created_at=now, steps=steps, undone=False, actor=actor))
    count = conn.execute(select(func.count()).select_from(T).where(mine)).scalar()
    if count > MAX_ENTRIES:
        cutoff = conn.execute(select(T.c.id).where(mine).order_by(T.c.id.desc()).offset(MAX_ENTRIES - 1).limit(1)).scalar()
        conn.execute(T.delete().where(mine, T.c.id < cutoff))


class UndoStack:
    def __init__(self, lib):
        self._lib = lib
        self._clean_id = self._top_id()

    def _top(self, conn, undone: bool, *columns):
        """The entry undo (undone=False) or redo (undone=True) would take; by default without
        its steps, which can be large (an import of thousands of files)."""
        order = T.c.id.asc() if undone else T.c.id.desc()
        query = (select(*(columns or (T.c.id, T.c.label))).where(_whose(session_of(self._lib).name), T.c.undone.is_(undone))
                 .order_by(order).limit(1))
        return conn.execute(query).mappings().first()

    def _top_id(self) -> int | None:
        with self._lib.read() as conn:
            top = self._top(conn, False)
        return top["id"] if top else None

    def undo_label(self) -> str | None:
        with self._lib.read() as conn:
            top = self._top(conn, False)
        return top["label"] if top else None

    def redo_label(self) -> str | None:
        with self._lib.read() as conn:
            top = self._top(conn, True)
        return top["label"] if top else None

    def can_undo(self) -> bool:
        return self.undo_label() is not None

    def can_redo(self) -> bool:
        return self.redo_label() is not None

    def undo(self) -> OpResult | None:
        return self._move(undone=False)

    def redo(self) -> OpResult | None:
        return self._move(undone=True)

    def _move(self, undone: bool, force_entry: int | None = None) -> OpResult | None:
        """force_entry: apply that entry even over others' changes (the user chose Keep mine);
        nothing happens if it is no longer the one to undo or redo."""
        session = session_of(self._lib)
        verb = "Redo" if undone else "Undo"
        try:
            with self._lib.write_lock, self._lib.engine.begin() as conn:
                entry = self._top(conn, undone, T.c.id, T.c.label, T.c.steps)
                if entry is None or force_entry not in (None, entry["id"]):
                    return None
                steps = entry["steps"] if undone else list(reversed(entry["steps"]))
                for table, pk, before, after in steps:
                    expected, wanted = (before, after) if undone else (after, before)
                    if force_entry is None:
                        check_state(conn, table, pk, expected, wanted, f"{verb} {entry['label']}")
                    apply_state(conn, table, pk, wanted)
                conn.execute(T.update().where(T.c.id == entry["id"]).values(undone=not undone))
                tables = {step[0] for step in steps}
                audit.append(conn, session.name, f"{verb}: {entry['label']}")
                record_change(conn, session, tables)
        except ConflictError as exc:
            exc.keep_mine = lambda: self._move(undone, force_entry=entry["id"])
            session.report(exc)
            raise
        for table, pk, _before, _after in steps:
            session.forget(table, pk)
        result = OpResult(frozenset(tables), None, f"{verb} {entry['label']}")
        self._lib.notify(result)
        return result

    def mark_clean(self) -> None:
        self._clean_id = self._top_id()

    def is_clean(self) -> bool:
        return self._top_id() == self._clean_id
