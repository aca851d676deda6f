"""Imported performance facts in the library.

An import writes one batch: the import_batches row (file name and sha256, source, counts,
date range) and its facts, each with the batch and the file line it came from. Facts are
de-duplicated on their natural key (platform, account, campaign, ad group, ad, day,
currency): a row already stored with the same numbers is left alone (counted unchanged), one
with other numbers is replaced and now belongs to the new batch, so re-importing the same or
an overlapping report never counts a day twice. At import, an ad whose name is a library
asset's file name (without the extension) or an ad-package rendition of it is linked to that
asset (asset_id), so KPIs can be read by creative.

Undo: a report can hold a million rows, too many for the row-level undo log, so facts and
batches are written outside it (they are not in UNDOABLE_TABLES). Taking an import back is
its own explicit action, remove_import(lib, batch_id): it deletes the facts that batch
wrote. Rows it had replaced are not brought back; re-import the older file for those.
Imports and removals are audit events. campaign_days, the facts added up by campaign and
day, is rebuilt in the same transaction for the platforms and days a batch touched. Column mappings are library settings, set through
the undoable settings op.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import delete, func, insert, select, update

from studio.core import audit
from studio.core.analytics.ingest.sources import METRICS
from studio.core.db.models import AdFact, Asset, ImportBatch, Setting
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.settings import set_setting
from studio.core.ops.tx import OpResult, actor

KEY = ("platform", "account", "campaign", "ad_group", "ad", "date", "currency")
COLUMNS = (*KEY, *METRICS, "source_line")
CHUNK = 50_000  # rows per executemany: Cancel is checked between chunks
IMPORT_CACHE_KIB = -262_144  # SQLite page cache while an import writes (negative: KiB), 256 MB at most
MAPPING_PREFIX = "analytics.mapping."
CHANGES = frozenset({"ad_facts", "import_batches", "campaign_days"})
ROLLUP_KEY = ("platform", "account", "campaign", "date", "currency")


@dataclass(frozen=True)
class BatchInfo:
    id: int
    file_name: str
    file_sha256: str
    source: str
    rows_added: int
    rows_replaced: int
    rows_skipped: int
    date_from: date | None
    date_to: date | None
    imported_at: datetime
    facts: int  # rows that still belong to this batch


@dataclass(frozen=True)
class Written:
    batch_id: int
    added: int
    replaced: int
    unchanged: int


WRITTEN = (*COLUMNS, "asset_id")  # the library asset an ad shows, found by its name (_linked_assets)
_COLS = ", ".join(WRITTEN)
_SAME = " AND ".join(f"f.{m} IS i.{m}" for m in METRICS)
_ON_KEY = " AND ".join(f"f.{k} = i.{k}" for k in KEY)
_INSERT = f"INSERT INTO ad_facts ({_COLS}, batch_id) VALUES ({', '.join('?' * len(WRITTEN))}, ?)"
_UPSERT = (
    f"INSERT INTO ad_facts ({_COLS}, batch_id) SELECT {_COLS}, ? FROM temp.incoming WHERE true "
    f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*METRICS, "source_line", "asset_id", "batch_id"))
    + " WHERE NOT (" + " AND ".join(f"ad_facts.{m} IS excluded.{m}" for m in METRICS) + ")"
)


def write_batch(lib, facts: pd.DataFrame, *, file_name: str, sha256: str, source: str, skipped: int,
                state: JobState | None = None) -> Written:
    """Store one file's facts (columns COLUMNS, date as YYYY-MM-DD text, NaN for no value) in
    one transaction: all of them or, on an error or Cancel, none."""
    state = state or JobState()
    # In key order, the natural-key index grows at its end instead of all over (several times faster);
    # sqlite stores NaN as NULL.
    ordered = facts.sort_values(list(KEY))
    links = _linked_assets(lib, facts["ad"].unique())
    assets = [links.get(ad) for ad in ordered["ad"].tolist()]
    rows = list(zip(*(ordered[c].to_numpy().tolist() for c in COLUMNS), assets))
    first, last = (facts["date"].min(), facts["date"].max()) if len(facts) else (None, None)
    with lib.write_lock, lib.engine.begin() as conn:
        batch_id = conn.execute(insert(ImportBatch).values(
            file_name=file_name[:500], file_sha256=sha256, source=source, rows_added=0, rows_replaced=0, rows_skipped=skipped,
            date_from=date.fromisoformat(first) if first else None, date_to=date.fromisoformat(last) if last else None,
        )).inserted_primary_key[0]
        raw = conn.connection.driver_connection
        cache = raw.execute("PRAGMA cache_size").fetchone()[0]
        raw.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")  # the natural-key index of a big report stays in memory
        try:
            written = _write_facts(raw, facts, ordered, rows, batch_id, first, last, state)
        finally:
            raw.execute(f"PRAGMA cache_size = {cache}")
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
            rows_added=written.added, rows_replaced=written.replaced, rows_skipped=skipped + written.unchanged))
        audit.append(conn, actor(), f"Import performance report {file_name}", {
            "batch_id": batch_id, "sha256": sha256, "source": source, "added": written.added,
            "replaced": written.replaced, "unchanged": written.unchanged, "skipped": skipped})
    lib.notify(OpResult(CHANGES, batch_id, f"Import {file_name}"))
    return written


def _write_facts(raw, facts, ordered, rows, batch_id, first, last, state) -> Written:
    """The facts, and campaign_days for their days."""
    if _overlaps(raw, facts, first, last):
        raw.execute(f"CREATE TEMP TABLE incoming AS SELECT {_COLS} FROM ad_facts WHERE 0")
        _insert_chunks(raw, f"INSERT INTO temp.incoming VALUES ({', '.join('?' * len(WRITTEN))})", rows, state, ())
        known, same = raw.execute(
            f"SELECT count(f.id), coalesce(sum({_SAME}), 0) FROM temp.incoming i JOIN ad_facts f ON {_ON_KEY}").fetchone()
        raw.execute(_UPSERT, (batch_id,))
        raw.execute("DROP TABLE temp.incoming")
        state.check()
        for platform in facts["platform"].unique():
            _rebuild_campaign_days(raw, platform, first, last)
        return Written(batch_id, len(rows) - known, known - same, same)
    # the usual first import of a period: nothing to compare with, nothing rolled up there yet
    _insert_chunks(raw, _INSERT, rows, state, (batch_id,))
    state.check()
    _add_campaign_days(raw, ordered)
    return Written(batch_id, len(rows), 0, 0)


# how ad packages name their files (studio.core.export.plan): <campaign>_<placement>_<source>_<W>x<H>[-n]
_RENDITION = re.compile(r"_(?P<source>[a-z0-9-]+)_\d+x\d+(?:-\d+)?$")


def _linked_assets(lib, ads) -> dict[str, int]:
    """ad name -> the library asset it shows, where its name says so: the asset's file name without
    the extension (an ad made from a library image), or an ad-package rendition of it. Names are
    compared as slugs; a name that fits two assets links to neither."""
    from studio.core.export.plan import slug

    with lib.read() as conn:
        assets = conn.execute(select(Asset.id, Asset.name).where(Asset.trashed_at.is_(None))).all()
    by_slug: dict[str, int | None] = {}
    for asset_id, name in assets:
        key = slug(name.rsplit(".", 1)[0])
        by_slug[key] = None if key in by_slug else asset_id
    links = {}
    for ad in ads:
        rendition = _RENDITION.search(ad.strip().lower())
        found = by_slug.get(rendition["source"] if rendition else slug(ad))
        if found is not None:
            links[ad] = found
    return links


def _overlaps(raw, facts: pd.DataFrame, first, last) -> bool:
    if first is None:
        return False
    return any(raw.execute("SELECT 1 FROM campaign_days WHERE platform = ? AND date BETWEEN ? AND ? LIMIT 1", (p, first, last)).fetchone()
               for p in facts["platform"].unique())


def _rebuild_campaign_days(raw, platform: str, first: str, last: str) -> None:
    where = "platform = ? AND date BETWEEN ? AND ?"
    raw.execute(f"DELETE FROM campaign_days WHERE {where}", (platform, first, last))
    raw.execute(f"INSERT INTO campaign_days ({', '.join(ROLLUP_KEY)}, {', '.join(METRICS)}) "
                f"SELECT {', '.join(ROLLUP_KEY)}, {', '.join(f'sum({m})' for m in METRICS)} FROM ad_facts "
                f"WHERE {where} GROUP BY {', '.join(ROLLUP_KEY)}", (platform, first, last))


def _add_campaign_days(raw, facts: pd.DataFrame) -> None:
    """The rollup of facts whose days had none yet, added up here rather than read back from ad_facts."""
    sums = facts.groupby(list(ROLLUP_KEY), sort=False)[list(METRICS)].sum(min_count=1).reset_index()  # all-NaN stays NULL
    raw.executemany(f"INSERT INTO campaign_days ({', '.join(ROLLUP_KEY)}, {', '.join(METRICS)}) "
                    f"VALUES ({', '.join('?' * (len(ROLLUP_KEY) + len(METRICS)))})",
                    zip(*(sums[c].to_numpy().tolist() for c in (*ROLLUP_KEY, *METRICS))))


def _insert_chunks(raw, sql: str, rows: list, state: JobState, extra: tuple) -> None:
    for start in range(0, len(rows), CHUNK):
        state.check()
        chunk = rows[start:start + CHUNK]
        raw.executemany(sql, [r + extra for r in chunk] if extra else chunk)
        state.set_progress(min(start + CHUNK, len(rows)), len(rows))


def remove_import(lib, batch_id: int) -> int:
    """Take an import back out: delete the facts batch_id wrote, and the batch. Returns how many facts went."""
    with lib.write_lock, lib.engine.begin() as conn:
        batch = conn.execute(select(ImportBatch.file_name).where(ImportBatch.id == batch_id)).scalar()
        if batch is None:
            raise BadInput(f"There is no import {batch_id}; `studio analytics imports` lists them.")
        spans = conn.execute(select(AdFact.platform, func.min(AdFact.day), func.max(AdFact.day))
                             .where(AdFact.batch_id == batch_id).group_by(AdFact.platform)).all()
        removed = conn.execute(delete(AdFact).where(AdFact.batch_id == batch_id)).rowcount
        raw = conn.connection.driver_connection
        for platform, first, last in spans:
            _rebuild_campaign_days(raw, platform, first.isoformat(), last.isoformat())
        conn.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
        audit.append(conn, actor(), f"Remove imported report {batch}", {"batch_id": batch_id, "facts": removed})
    lib.notify(OpResult(CHANGES, removed, f"Remove import {batch}"))
    return removed


def list_imports(lib) -> list[BatchInfo]:
    facts = select(AdFact.batch_id, func.count().label("facts")).group_by(AdFact.batch_id).subquery()
    batches = ImportBatch.__table__
    query = (select(batches, func.coalesce(facts.c.facts, 0).label("facts"))
             .outerjoin(facts, facts.c.batch_id == batches.c.id).order_by(batches.c.id))
    with lib.read() as conn:
        return [BatchInfo(**row) for row in conn.execute(query).mappings()]


def save_mapping(lib, signature: str, document: dict):
    """Remember a column mapping for reports with this header layout (an undoable op)."""
    return set_setting(lib, MAPPING_PREFIX + signature, document)


def stored_mappings(lib) -> dict[str, dict]:
    """signature -> mapping document, for every remembered mapping."""
    with lib.read() as conn:
        rows = conn.execute(select(Setting.key, Setting.value).where(Setting.key.startswith(MAPPING_PREFIX))).all()
    return {key[len(MAPPING_PREFIX):]: value for key, value in rows}

