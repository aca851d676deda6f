"""Migration 0012: a library at 0011 upgrades keeping its data and gains the research and brief
tables; the database itself refuses duplicate documents, comment uids and version numbers."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from studio.core.briefs.sections import get_brief
from studio.core.db import migrate
from studio.core.db.engine import make_engine, sqlite_url
from studio.core.library import Library
from studio.core.ops import briefs as ops
from studio.core.research.profile import get_brand_profile

NEW_TABLES = {"brand_profiles", "research_documents", "briefs", "brief_sections", "brief_versions", "brief_comments", "brief_approvals"}


@pytest.mark.sqlite_only  # sets up an old SQLite file
def test_upgrade_from_0011_keeps_data_and_downgrade_removes_only_the_new_tables(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    engine = make_engine(sqlite_url(root / "library.db"))
    with engine.begin() as conn:
        migrate.upgrade(conn, "0011")
        conn.execute(text("insert into clients(name, created_at) values ('Acme', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into brands(client_id, name, palette, created_at) values (1, 'Roast', '[\"#112233\"]', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into campaigns(brand_id, name, created_at) values (1, 'Autumn', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into ai_calls(provider, model, purpose, input_tokens, output_tokens, status, started_at, seconds) "
                          "values ('offline', 'templates', 'Brief', 10, 20, 'done', '2026-01-01 00:00:00', 0.1)"))
    engine.dispose()
    with Library.open(root) as lib:
        with lib.read() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
            assert conn.execute(text("select name, palette from brands")).one() == ("Roast", '["#112233"]')
            assert conn.execute(text("select purpose, output_tokens from ai_calls")).one() == ("Brief", 20)
        profile = get_brand_profile(lib, 1)
        assert (profile.name, profile.palette, profile.website, profile.competitors, profile.documents) == ("Roast", ("#112233",), None, (), 0)
        brief_id = ops.create_brief(lib, 1, "Autumn launch", 1).value
        assert get_brief(lib, brief_id).summary.campaign == "Autumn"
    engine = make_engine(sqlite_url(root / "library.db"))
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0011")
        tables = set(inspect(conn).get_table_names())
        assert not tables & NEW_TABLES and {"brands", "ai_calls", "campaigns"} <= tables
        assert conn.execute(text("select name from campaigns")).scalar() == "Autumn"
    engine.dispose()


def test_the_database_refuses_duplicates(lib):
    with lib.engine.begin() as conn:
        conn.execute(text("insert into clients(name, created_at) values ('Acme', '2026-01-01')"))
        conn.execute(text("insert into brands(client_id, name, palette, created_at) values (1, 'Roast', '[]', '2026-01-01')"))
        conn.execute(text("insert into briefs(brand_id, title, status, created_at, updated_at) values (1, 'B', 'draft', '2026-01-01', '2026-01-01')"))
    duplicates = [
        "insert into research_documents(brand_id, kind, source, title, text, sha256, fetched_at) values (1, 'txt', 'a.txt', 'A', 'x', 'h1', '2026-01-01')",
        "insert into brief_comments(uid, brief_id, author, text, created_at, resolved) values ('u1', 1, 'Kim', 'Hi', '2026-01-01', false)",
        "insert into brief_approvals(uid, brief_id, approver, decision, at) values ('a1', 1, 'Dana', 'approved', '2026-01-01')",
        "insert into brief_versions(brief_id, number, author, note, sections, created_at) values (1, 1, 'Kim', '', '{}', '2026-01-01')",
    ]
    for statement in duplicates:
        with lib.engine.begin() as conn:
            conn.execute(text(statement))
        with pytest.raises(IntegrityError), lib.engine.begin() as conn:
            conn.execute(text(statement))
