"""Imported performance facts in the library.

An import writes one batch: the import_batches row (file name and sha256, source, counts,
date range) and its facts, each with the batch and the file line it came from. Each ad is
named once in ad_entities (platform, account, campaign, ad group, ad) and the facts carry its
id: a fact row is a date, an entity, a currency and the numbers, which is what lets a
million-row report go in at the speed SQLite can write. Facts are de-duplicated on (date,
ad, currency): a row already stored with the same numbers is left alone (counted unchanged),
one with other numbers is replaced and now belongs to the new batch, so re-importing the
same or an overlapping report never counts a day twice. At import, an ad whose name is a
library asset's file name (without the extension) or an ad-package rendition of it is linked
to that asset (ad_entities.asset_id), so KPIs can be read by creative; ads not linked yet are
looked at again by every import.

Undo: a report can hold a million rows, too many for the row-level undo log, so facts and
batches are written outside it (they are not in UNDOABLE_TABLES). Taking an import back is
its own explicit action, remove_import(lib, batch_id): it deletes the facts that batch
wrote. Rows it had replaced are not brought back; re-import the older file for those.
Imports and removals are audit events. campaign_days, the facts added up by campaign and
day, is rebuilt in the same transaction for the platforms and days a batch touched. A report
broken down by hour of day (facts with an "hour" column) is added up into days before the
write; its hourly sums by campaign go into campaign_hours with the batch (the newest import of
a campaign's hour replaces an older one, and remove_import takes the batch's hours out). Column
mappings are library settings, set through the undoable settings op.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, update

from studio.core import audit
from studio.core.analytics.ingest.facts import add_up
from studio.core.analytics.ingest.sources import HOUR, METRICS
from studio.core.changes import logged_write
from studio.core.db.models import ImportBatch, Setting
from studio.core.db.raw import Raw
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.names import slug
from studio.core.ops.settings import set_setting
from studio.core.ops.tx import OpResult, actor

NAME = ("platform", "account", "campaign", "ad_group", "ad")  # an ad, as reports name it (ad_entities)
KEY = (*NAME, "date", "currency")
COLUMNS = (*KEY, *METRICS, "source_line")  # what write_batch takes (and HOUR, optionally)
CHUNK = 50_000  # rows per executemany: Cancel is checked between chunks
IMPORT_CACHE_KIB = -262_144  # SQLite page cache while an import writes (negative: KiB), 256 MB at most
MAPPING_PREFIX = "analytics.mapping."
CHANGES = frozenset({"ad_facts", "import_batches", "campaign_days", "campaign_hours"})
ROLLUP_KEY = ("platform", "account", "campaign", "date", "currency")
HOUR_METRICS = ("spend", "impressions", "clicks", "link_clicks", "conversions", "conversion_value")  # campaign_hours has these
_HOUR_COLUMNS = (*ROLLUP_KEY, HOUR, *HOUR_METRICS)
_HOUR_UPSERT = (
    f"INSERT INTO campaign_hours ({', '.join(_HOUR_COLUMNS)}, batch_id) VALUES ({', '.join('?' * len(_HOUR_COLUMNS))}, ?) "
    f"ON CONFLICT ({', '.join(ROLLUP_KEY)}, {HOUR}) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*HOUR_METRICS, "batch_id"))
)
FACTS_JOINED = "ad_facts JOIN ad_entities ON ad_entities.id = ad_facts.entity_id"  # facts with their ads' names


@dataclass(frozen=True)
class BatchInfo:
    id: int
    file_name: str
    file_sha256: str
    source: str
    rows_added: int
    rows_replaced: int
    rows_skipped: int
    facts: int  # rows that still belong to this batch
    date_from: date | None
    date_to: date | None
    imported_at: datetime


@dataclass(frozen=True)
class Written:
    batch_id: int
    added: int
    replaced: int
    unchanged: int


STORED = ("date", "entity_id", "currency", *METRICS, "source_line")  # a fact row as write_batch binds it
_COLS = ", ".join(STORED)
_VALUES = ", ".join("?" * len(STORED))
_SAME = "CASE WHEN " + " AND ".join(f"f.{m} IS NOT DISTINCT FROM i.{m}" for m in METRICS) + " THEN 1 ELSE 0 END"
_UPSERT = (
    f"INSERT INTO ad_facts ({_COLS}, batch_id) SELECT {_COLS}, ? FROM incoming WHERE true "
    "ON CONFLICT (date, entity_id, currency) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*METRICS, "source_line", "batch_id"))
    + " WHERE NOT (" + " AND ".join(f"ad_facts.{m} IS NOT DISTINCT FROM excluded.{m}" for m in METRICS) + ")"
)


def write_batch(lib, facts: pd.DataFrame, *, file_name: str, sha256: str, source: str, skipped: int,
                state: JobState | None = None) -> Written:
    """Store one file's facts (columns COLUMNS, date as YYYY-MM-DD text, NaN for no value) in
    one transaction: all of them or, on an error or Cancel, none. Facts with an HOUR column are
    added up into days; their sums by campaign and hour go into campaign_hours."""
    state = state or JobState()
    hours = None
    if HOUR in facts:
        hours = facts.groupby([*ROLLUP_KEY, HOUR], sort=False, observed=True)[list(HOUR_METRICS)].sum(min_count=1).reset_index()
        facts, _ = add_up(facts.drop(columns=HOUR), KEY)
    first, last = (facts["date"].min(), facts["date"].max()) if len(facts) else (None, None)
    with logged_write(lib, CHANGES) as conn:  # other sessions on a team library refresh their views
        batch_id = conn.execute(insert(ImportBatch).values(
            file_name=file_name[:500], file_sha256=sha256, source=source, rows_added=0, rows_replaced=0, rows_skipped=skipped,
            facts=0, date_from=date.fromisoformat(first) if first else None, date_to=date.fromisoformat(last) if last else None,
        )).inserted_primary_key[0]
        raw = Raw(conn)
        with _big_cache(raw):
            rows = _fact_rows(facts, _entity_ids(raw, facts))
            written = _write_facts(raw, facts, rows, batch_id, first, last, state)
            if hours is not None:
                raw.executemany(_HOUR_UPSERT, zip(*(hours[c].to_numpy().tolist() for c in _HOUR_COLUMNS),
                                                 [batch_id] * len(hours)))
        _link_assets(lib, raw)
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
            rows_added=written.added, rows_replaced=written.replaced, rows_skipped=skipped + written.unchanged,
            facts=written.added + written.replaced))
        audit.append(conn, actor(), f"Import performance report {file_name}", {
            "batch_id": batch_id, "sha256": sha256, "source": source, "added": written.added,
            "replaced": written.replaced, "unchanged": written.unchanged, "skipped": skipped})
    lib.notify(OpResult(CHANGES, batch_id, f"Import {file_name}"))
    return written


@contextlib.contextmanager
def _big_cache(raw: Raw):
    """SQLite's page cache made big while an import writes: the key of a big report stays in memory."""
    if raw.postgres:  # the server sizes its own
        yield
        return
    cache = raw.rows("PRAGMA cache_size")[0][0]
    raw.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {cache}")


def _entity_ids(raw, facts: pd.DataFrame) -> np.ndarray:
    """Each row's ad_entities id, adding the ads not named before."""
    codes = np.zeros(len(facts), dtype=np.int64)
    for column in NAME:  # one code per distinct name, column by column (factorizing ints is fast)
        column_codes, uniques = pd.factorize(facts[column])
        codes, _ = pd.factorize(codes * len(uniques) + column_codes)  # stays below the row count: no overflow
    firsts = np.unique(codes, return_index=True)[1]  # codes count in order of first appearance
    distinct = list(facts[list(NAME)].iloc[firsts].itertuples(index=False, name=None))
    raw.executemany(f"INSERT INTO ad_entities ({', '.join(NAME)}) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", distinct)
    platforms = sorted({d[0] for d in distinct})
    known = {tuple(r[1:]): r[0] for r in raw.rows(
        f"SELECT id, {', '.join(NAME)} FROM ad_entities WHERE platform IN ({', '.join('?' * len(platforms))})", platforms)}
    return np.array([known[d] for d in distinct], dtype=np.int64)[codes]


def _fact_rows(facts: pd.DataFrame, entity: np.ndarray) -> list[tuple]:
    """Rows of STORED in key order: the table's b-tree then grows at its end instead of all over."""
    day_codes, _ = pd.factorize(facts["date"], sort=True)
    currency_codes, _ = pd.factorize(facts["currency"], sort=True)
    order = np.lexsort((currency_codes, entity, day_codes))
    columns = [facts["date"].to_numpy()[order].tolist(), entity[order].tolist(), facts["currency"].to_numpy()[order].tolist()]
    columns += [facts[c].to_numpy()[order].tolist() for c in (*METRICS, "source_line")]
    return list(zip(*columns))


def _write_facts(raw, facts, rows, batch_id, first, last, state) -> Written:
    """The facts, and campaign_days for their days."""
    if _overlaps(raw, facts, first, last):
        raw.execute(f"CREATE TEMP TABLE incoming AS SELECT {_COLS} FROM ad_facts WHERE false")
        _insert_chunks(raw, "incoming", rows, state)
        owners = raw.rows(  # per batch that owns some of these rows: how many, and how many with the same numbers
            f"SELECT f.batch_id, count(*), sum({_SAME}) FROM incoming i "
            "JOIN ad_facts f ON f.date = i.date AND f.entity_id = i.entity_id AND f.currency = i.currency GROUP BY f.batch_id")
        raw.executemany("UPDATE import_batches SET facts = facts - ? WHERE id = ?", [(n - same, b) for b, n, same in owners])
        raw.execute(_UPSERT, (batch_id,))
        raw.execute("DROP TABLE incoming")
        state.check()
        for platform in facts["platform"].unique():
            _rebuild_campaign_days(raw, platform, first, last)
        known, same = sum(n for _, n, _ in owners), sum(s for _, _, s in owners)
        return Written(batch_id, len(rows) - known, known - same, same)
    # the usual first import of a period: nothing to compare with, nothing rolled up there yet
    _insert_chunks(raw, "ad_facts", [row + (batch_id,) for row in rows] if raw.postgres else rows, state, batch_id)
    state.check()
    _add_campaign_days(raw, facts)
    return Written(batch_id, len(rows), 0, 0)


# how ad packages name their files (studio.core.export.plan): <campaign>_<placement>_<source>_<W>x<H>[-n]
_RENDITION = re.compile(r"_(?P<source>[a-z0-9-]+)_\d+x\d+(?:-\d+)?$")


def _link_assets(lib, raw) -> None:
    """Link each ad not linked yet to the library asset it shows, where its name says so: the
    asset's file name without the extension (an ad made from a library image), or an ad-package
    rendition of it. Names are compared as slugs; a name that fits two assets links to neither."""
    unlinked = raw.rows("SELECT id, ad FROM ad_entities WHERE asset_id IS NULL")
    if not unlinked:
        return
    by_slug: dict[str, int | None] = {}
    for asset_id, name in raw.rows("SELECT id, name FROM assets WHERE trashed_at IS NULL"):
        key = slug(name.rsplit(".", 1)[0])
        by_slug[key] = None if key in by_slug else asset_id
    links = []
    for entity_id, ad in unlinked:
        rendition = _RENDITION.search(ad.strip().lower())
        found = by_slug.get(rendition["source"] if rendition else slug(ad))
        if found is not None:
            links.append((found, entity_id))
    raw.executemany("UPDATE ad_entities SET asset_id = ? WHERE id = ?", links)


def _overlaps(raw, facts: pd.DataFrame, first, last) -> bool:
    if first is None:
        return False
    return any(raw.rows("SELECT 1 FROM campaign_days WHERE platform = ? AND date BETWEEN ? AND ? LIMIT 1", (p, first, last))
               for p in facts["platform"].unique())


def _rebuild_campaign_days(raw, platform: str, first: str, last: str) -> None:
    raw.execute("DELETE FROM campaign_days WHERE platform = ? AND date BETWEEN ? AND ?", (platform, first, last))
    raw.execute(f"INSERT INTO campaign_days ({', '.join(ROLLUP_KEY)}, {', '.join(METRICS)}) "
                f"SELECT {', '.join(ROLLUP_KEY)}, {', '.join(f'sum({m})' for m in METRICS)} FROM {FACTS_JOINED} "
                f"WHERE platform = ? AND date BETWEEN ? AND ? GROUP BY {', '.join(ROLLUP_KEY)}", (platform, first, last))


def _add_campaign_days(raw, facts: pd.DataFrame) -> None:
    """The rollup of facts whose days had none yet, added up here rather than read back from ad_facts."""
    sums = facts.groupby(list(ROLLUP_KEY), sort=False, observed=True)[list(METRICS)].sum(min_count=1).reset_index()  # all-NaN stays NULL
    raw.insert_rows("campaign_days", (*ROLLUP_KEY, *METRICS), list(zip(*(sums[c].to_numpy().tolist() for c in (*ROLLUP_KEY, *METRICS)))))


def _insert_chunks(raw: Raw, table: str, rows: list, state: JobState, batch_id: int | None = None) -> None:
    """rows of STORED into table (and batch_id, given as a constant on SQLite and in the rows on
    PostgreSQL), chunk by chunk so Cancel is heard."""
    for start in range(0, len(rows), CHUNK):
        state.check()
        chunk = rows[start:start + CHUNK]
        if batch_id is not None and not raw.postgres:  # the constant costs SQLite nothing per row
            raw.dbapi.executemany(f"INSERT INTO {table} ({_COLS}, batch_id) VALUES ({_VALUES}, {int(batch_id)})", chunk)
        else:
            raw.insert_rows(table, (*STORED, "batch_id") if batch_id is not None else STORED, chunk)
        state.set_progress(min(start + CHUNK, len(rows)), len(rows))


def remove_import(lib, batch_id: int) -> int:
    """Take an import back out: delete the facts batch_id wrote, and the batch. Returns how many facts went."""
    with logged_write(lib, CHANGES) as conn:
        batch = conn.execute(select(ImportBatch.file_name).where(ImportBatch.id == batch_id)).scalar()
        if batch is None:
            raise BadInput(f"There is no import {batch_id}; `studio analytics imports` lists them.")
        raw = Raw(conn)
        spans = raw.rows(f"SELECT platform, min(date), max(date) FROM {FACTS_JOINED} WHERE batch_id = ? GROUP BY platform",
                         (batch_id,))
        removed = raw.execute("DELETE FROM ad_facts WHERE batch_id = ?", (batch_id,)).rowcount
        raw.execute("DELETE FROM campaign_hours WHERE batch_id = ?", (batch_id,))
        for platform, first, last in spans:
            _rebuild_campaign_days(raw, platform, first, last)
        conn.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
        audit.append(conn, actor(), f"Remove imported report {batch}", {"batch_id": batch_id, "facts": removed})
    lib.notify(OpResult(CHANGES, removed, f"Remove import {batch}"))
    return removed


def list_imports(lib) -> list[BatchInfo]:
    batches = ImportBatch.__table__
    with lib.read() as conn:
        return [BatchInfo(**row) for row in conn.execute(select(batches).order_by(batches.c.id)).mappings()]


def save_mapping(lib, signature: str, document: dict):
    """Remember a column mapping for reports with this header layout (an undoable op)."""
    return set_setting(lib, MAPPING_PREFIX + signature, document)


def stored_mappings(lib) -> dict[str, dict]:
    """signature -> mapping document, for every remembered mapping."""
    with lib.read() as conn:
        rows = conn.execute(select(Setting.key, Setting.value).where(Setting.key.startswith(MAPPING_PREFIX))).all()
    return {key[len(MAPPING_PREFIX):]: value for key, value in rows}

