"""The audit trail: append-only events, each hash-chained to the one before.

An event's hash is the sha256 of its content (time, actor, action, details) and of the
previous event's hash, and the newest event's id and hash are also kept apart (the
audit_head table). `verify` recomputes the chain: an edited event no longer matches its
hash, a deleted or reordered one breaks the link to its neighbour, and a deleted newest
event leaves the head pointing past the end.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from studio.core.db.models import AuditEvent, AuditHead, utcnow


def event_hash(prev_hash: str, at: datetime, actor: str, action: str, details: dict) -> str:
    payload = json.dumps({"prev": prev_hash, "at": at.isoformat(timespec="microseconds"), "actor": actor,
                          "action": action, "details": details or {}},
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(conn, actor: str, action: str, details: dict | None = None) -> None:
    """Add an event inside the caller's write transaction (which serializes writers)."""
    details = json.loads(json.dumps(details or {}, default=str))  # as it will read back from the JSON column
    prev = conn.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar() or ""
    at = utcnow()
    digest = event_hash(prev, at, actor, action, details)
    new_id = conn.execute(AuditEvent.__table__.insert().values(
        at=at, actor=actor, action=action, details=details, prev_hash=prev, hash=digest)).inserted_primary_key[0]
    _set_head(conn, new_id, digest)


def _set_head(conn, event_id: int, digest: str) -> None:
    table = AuditHead.__table__
    if conn.execute(table.update().where(table.c.id == 1).values(event_id=event_id, hash=digest)).rowcount == 0:
        conn.execute(table.insert().values(id=1, event_id=event_id, hash=digest))


def chain_existing(conn) -> None:
    """Link events written before the chain existed (a library upgraded to it), in id order."""
    table = AuditEvent.__table__
    prev, last_id = "", None
    for row in conn.execute(select(table).order_by(table.c.id)).mappings().all():
        digest = event_hash(prev, row["at"], row["actor"], row["action"], row["details"])
        conn.execute(table.update().where(table.c.id == row["id"]).values(prev_hash=prev, hash=digest))
        prev, last_id = digest, row["id"]
    if last_id is not None:
        _set_head(conn, last_id, prev)


@dataclass(frozen=True)
class Problem:
    event_id: int | None
    kind: str  # edited | broken_link | missing_tail
    message: str


def verify(lib) -> tuple[int, list[Problem]]:
    """(events checked, problems found); no problems: the trail is whole."""
    table = AuditEvent.__table__
    with lib.read() as conn:
        rows = conn.execute(select(table).order_by(table.c.id)).mappings().all()
        head = conn.execute(select(AuditHead.event_id, AuditHead.hash)).first()
    problems, prev, prev_id = [], "", None
    for row in rows:
        if row["prev_hash"] != prev:
            where = f"after event {prev_id}" if prev_id is not None else "at the start"
            problems.append(Problem(row["id"], "broken_link", f"Event {row['id']} ({row['action']!r}) does not follow the event {where}: "
                                                              "an event before it was deleted, or events were reordered."))
        if event_hash(row["prev_hash"], row["at"], row["actor"], row["action"], row["details"]) != row["hash"]:
            problems.append(Problem(row["id"], "edited", f"Event {row['id']} ({row['action']!r}) was changed after it was written."))
        prev, prev_id = row["hash"], row["id"]
    if head is not None and (head.hash != prev or head.event_id != prev_id):
        problems.append(Problem(head.event_id, "missing_tail", f"The newest event ({head.event_id}) is missing: events at the end were deleted."))
    return len(rows), problems
