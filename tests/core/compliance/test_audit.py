"""The hash-chained audit trail against tampering done with raw SQL, as someone with the database
file would do it; and a library upgraded from before the chain gets its events linked."""

from __future__ import annotations


import pytest
from sqlalchemy import select, text

from studio.core import audit
from studio.core.db import migrate
from studio.core.db.engine import make_engine, sqlite_url
from studio.core.db.models import AuditEvent
from studio.core.library import Library
from studio.core.ops.organize import create_brand, create_campaign, create_client


@pytest.fixture
def trail(lib):
    """A library with five audit events, from real ops."""
    client = create_client(lib, "Acme").value
    brand = create_brand(lib, client, "Roast").value
    for name in ("Autumn", "Winter", "Spring"):
        create_campaign(lib, brand, name)
    count, problems = audit.verify(lib)
    assert (count, problems) == (5, [])
    return lib


def tamper(lib, *statements: str) -> None:
    """Change the database behind the studio's back, as someone with a database client could."""
    with lib.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def kinds(lib) -> list[tuple[int | None, str]]:
    return [(p.event_id, p.kind) for p in audit.verify(lib)[1]]


def test_an_edited_event_is_found(trail):
    tamper(trail, """update audit_events set details = '{"tables": []}' where id = 3""")
    assert kinds(trail) == [(3, "edited")]
    assert "Event 3" in audit.verify(trail)[1][0].message


def test_an_edited_actor_is_found_even_with_its_hash_recomputed_by_hand(trail):
    tamper(trail, "update audit_events set actor = 'someone else' where id = 2")
    with trail.engine.begin() as conn:  # a careful forger rehashes the event, but cannot fix the next one's link
        row = conn.execute(select(AuditEvent.prev_hash, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.details)
                           .where(AuditEvent.id == 2)).mappings().one()
        digest = audit.event_hash(row["prev_hash"], row["at"], row["actor"], row["action"], row["details"])
        conn.execute(text("update audit_events set hash = :h where id = 2"), {"h": digest})
    assert kinds(trail) == [(3, "broken_link")]


def test_a_deleted_event_is_found(trail):
    tamper(trail, "delete from audit_events where id = 2")
    assert kinds(trail) == [(3, "broken_link")]


def test_reordered_events_are_found(trail):
    tamper(trail, "update audit_events set id = -2 where id = 2", "update audit_events set id = 2 where id = 4",
           "update audit_events set id = 4 where id = -2")
    found = kinds(trail)
    assert (2, "broken_link") in found and all(kind == "broken_link" for _, kind in found)


def test_deleting_the_newest_events_is_found(trail):
    tamper(trail, "delete from audit_events where id >= 4")
    assert kinds(trail) == [(5, "missing_tail")]


def test_new_events_chain_on_after_verification(trail):
    create_client(trail, "Another")
    assert audit.verify(trail) == (6, [])


@pytest.mark.sqlite_only  # sets up an old SQLite file
def test_a_library_from_before_the_chain_gets_its_events_linked(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    engine = make_engine(sqlite_url(root / "library.db"))
    with engine.begin() as conn:
        migrate.upgrade(conn, "0005")
        for n, action in enumerate(("Create client", "Create brand", "Import 3 files"), start=1):
            conn.execute(text("insert into audit_events(at, actor, action, details) values (:at, 'ann', :action, :details)"),
                         {"at": f"2026-0{n}-01 10:00:00.000000", "action": action, "details": '{"tables": ["clients"]}'})
    engine.dispose()
    with Library.open(root) as lib:
        assert audit.verify(lib) == (3, [])
        with lib.read() as conn:
            rows = conn.execute(text("select id, prev_hash, hash from audit_events order by id")).all()
        assert rows[0].prev_hash == "" and all(len(r.hash) == 64 for r in rows)
        assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
        create_client(lib, "Acme")  # a new event links onto the upgraded ones
        assert audit.verify(lib) == (4, [])
        tamper(lib, "update audit_events set action = 'Create brand (edited)' where id = 2")
        assert kinds(lib) == [(2, "edited")]
