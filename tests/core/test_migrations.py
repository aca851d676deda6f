"""Models and migrations agree, and upgrading an old library keeps its data (after a backup)."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import text

from studio.core.analytics.store import read_facts
from studio.core.db import migrate
from studio.core.db.engine import make_engine, sqlite_url
from studio.core.db.raw import Raw
from studio.core.library import Library

pytestmark = pytest.mark.sqlite_only  # the SQLite file of a personal library


def test_models_and_migrations_agree(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "x.db"))
    with engine.begin() as conn:
        migrate.upgrade(conn, "head")
        command.check(migrate.alembic_config(conn))  # raises if autogenerate finds a difference


def test_create_all_and_migrations_build_the_same_schema(tmp_path):
    def schema(db):
        con = sqlite3.connect(db)
        cols = {t: sorted(r[1:4] for r in con.execute(f"PRAGMA table_info({t})")) for (t,) in con.execute("select name from sqlite_master where type='table'")}
        con.close()
        return cols

    Library.open(tmp_path / "a").close()
    engine = make_engine(sqlite_url(tmp_path / "b.db"))
    with engine.begin() as conn:
        migrate.upgrade(conn, "head")
    engine.dispose()
    assert schema(tmp_path / "a" / "library.db") == schema(tmp_path / "b.db")


def test_upgrade_from_first_revision_keeps_data_and_backs_up(tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    engine = make_engine(sqlite_url(root / "library.db"))
    with engine.begin() as conn:
        migrate.upgrade(conn, "0001")
        conn.execute(text("insert into clients(name, created_at) values ('Acme', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into brands(client_id, name, palette, created_at) values (1, 'Roast', '[\"#112233\"]', '2026-01-01 00:00:00')"))
        conn.execute(text("insert into campaigns(brand_id, name, created_at) values (1, 'Autumn', '2026-01-01 00:00:00')"))
        conn.execute(text(
            "insert into assets(sha256, kind, name, ext, size_bytes, has_alpha, campaign_id, imported_at) "
            "values ('ab', 'image', 'shot.jpg', '.jpg', 10, 0, 1, '2026-01-01 00:00:00')"
        ))
    engine.dispose()
    with Library.open(root) as lib, lib.read() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision() != "0001"
        assert conn.execute(text("select name, campaign_id, notes from assets")).one() == ("shot.jpg", 1, None)
        assert conn.execute(text("select name, starts_on from campaigns")).one() == ("Autumn", None)
    backups = list((root / "backups").glob("library-*-before-*.db"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("select version_num from alembic_version").fetchone()[0] == "0001"
    con.close()


def test_0009_moves_check_records_out_of_the_findings_and_back(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "x.db"))
    finding = ("insert into compliance_findings(target, campaign_id, content_hash, fingerprint, rule_id, severity, document, checked_at) "
               "values (:target, null, :digest, :fp, :rule, :severity, '{}', '2026-01-01 00:00:00')")
    with engine.begin() as conn:
        migrate.upgrade(conn, "0008")
        conn.execute(text(finding), {"target": "copy:1", "digest": "d1", "fp": "", "rule": "", "severity": "none"})  # a clean check
        for severity in ("error", "warning", "warning"):
            conn.execute(text(finding), {"target": "copy:2", "digest": "d2", "fp": severity, "rule": "r", "severity": severity})
        migrate.upgrade(conn, "0009")
        assert conn.execute(text("select target, content_hash, errors, warnings from compliance_checks order by target")).all() == [
            ("copy:1", "d1", 0, 0), ("copy:2", "d2", 1, 2)]
        assert conn.execute(text("select target, severity from compliance_findings order by id")).all() == [
            ("copy:2", "error"), ("copy:2", "warning"), ("copy:2", "warning")]
        command.downgrade(migrate.alembic_config(conn), "0008")
        assert conn.execute(text("select target, content_hash, severity from compliance_findings order by target, id")).all() == [
            ("copy:1", "d1", "none"), ("copy:2", "d2", "error"), ("copy:2", "d2", "warning"), ("copy:2", "d2", "warning")]


def test_0011_moves_facts_onto_ad_entities_and_back(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "x.db"))
    fact = ("meta", "", "Autumn", "Set A", "Ad 1", "2026-11-01", "USD", 12.5, 1000.0, 1, 7)
    with engine.begin() as conn:
        migrate.upgrade(conn, "0010")
        conn.execute(text("insert into import_batches(id, file_name, file_sha256, source, rows_added, rows_replaced, rows_skipped, "
                          "imported_at) values (1, 'meta.csv', 'ab', 'meta', 1, 0, 0, '2026-11-02 00:00:00')"))
        conn.execute(text("insert into ad_facts(platform, account, campaign, ad_group, ad, date, currency, spend, impressions, "
                          "batch_id, source_line) values (:p, :a, :c, :g, :ad, :d, :cur, :s, :i, :b, :l)"),
                     dict(zip(("p", "a", "c", "g", "ad", "d", "cur", "s", "i", "b", "l"), fact)))
        migrate.upgrade(conn, "0011")
        assert conn.execute(text("select e.platform, e.account, e.campaign, e.ad_group, e.ad, f.date, f.currency, f.spend, "
                                 "f.impressions, f.batch_id, f.source_line from ad_facts f join ad_entities e on e.id = f.entity_id")).one() == fact
        assert conn.execute(text("select facts from import_batches")).scalar() == 1
        command.downgrade(migrate.alembic_config(conn), "0010")
        assert conn.execute(text("select platform, account, campaign, ad_group, ad, date, currency, spend, impressions, batch_id, "
                                 "source_line from ad_facts")).one() == fact
    engine.dispose()


def test_0016_moves_facts_into_series_and_back(tmp_path):
    engine = make_engine(sqlite_url(tmp_path / "x.db"))
    facts = [("2026-11-01", 1, "EUR", 12.5, 1000.0, 1, 7), ("2026-11-03", 1, "EUR", 4.0, None, 2, 9), ("2026-11-02", 1, "USD", 3.0, 50.0, 1, 8)]
    with engine.begin() as conn:
        migrate.upgrade(conn, "0015")
        conn.execute(text("insert into ad_entities(id, platform, account, campaign, ad_group, ad) values (1, 'meta', '', 'Autumn', 'Set A', 'Ad 1')"))
        for fact in facts:
            conn.execute(text("insert into ad_facts(date, entity_id, currency, spend, impressions, batch_id, source_line) "
                              "values (:d, :e, :c, :s, :i, :b, :l)"), dict(zip("decsibl", fact)))
        migrate.upgrade(conn, "0016")
        assert conn.execute(text("select currency, first_day, last_day, days from ad_series order by currency")).all() == [
            ("EUR", "2026-11-01", "2026-11-03", 2), ("USD", "2026-11-02", "2026-11-02", 1)]
        stored = read_facts(Raw(conn)).sort_values(["currency", "date"])
        assert [tuple(None if v != v else v for v in row) for row in stored[
            ["date", "entity_id", "currency", "spend", "impressions", "batch_id", "source_line"]].itertuples(index=False)] == [
            facts[0], facts[1], facts[2]]
        command.downgrade(migrate.alembic_config(conn), "0015")
        assert conn.execute(text("select date, entity_id, currency, spend, impressions, batch_id, source_line from ad_facts "
                                 "order by currency, date")).all() == facts
    engine.dispose()
