"""Imported performance facts in the library.

An import writes one batch: the import_batches row (file name and sha256, source, counts,
date range) and its facts, each with the batch and the file line it came from. Each ad is
named once in ad_entities (platform, account, campaign, ad group, ad); its facts are one array
per ad and currency in ad_series (studio.core.analytics.series), which is what lets a
million-row report go in within a second or two. Facts are de-duplicated on (date, ad,
currency): a fact already stored with the same numbers is left alone (counted unchanged), one
with other numbers is replaced and now belongs to the new batch, so re-importing the same or an
overlapping report never counts a day twice. At import, an ad whose name is a library asset's
file name (without the extension) or an ad-package rendition of it is linked to that asset
(ad_entities.asset_id), so KPIs can be read by creative; ads not linked yet are looked at
again by every import. read_facts gives the facts back as a table, one row per ad, currency
and day.

Undo: a report can hold a million rows, too many for the row-level undo log, so facts and
batches are written outside it (they are not in UNDOABLE_TABLES). Taking an import back is
its own explicit action, remove_import(lib, batch_id): it deletes the facts that batch
wrote. Facts it had replaced are not brought back; re-import the older file for those.
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, update

from studio.core import audit
from studio.core.analytics import series
from studio.core.analytics.ingest.facts import add_up, group_ids
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
CHUNK = 50_000  # facts per insert: Cancel is checked between chunks
IMPORT_CACHE_KIB = -262_144  # SQLite page cache while an import writes (negative: KiB), 256 MB at most
MAPPING_PREFIX = "analytics.mapping."
CHANGES = frozenset({"ad_series", "import_batches", "campaign_days", "campaign_hours"})
ROLLUP_KEY = ("platform", "account", "campaign", "date", "currency")
HOUR_METRICS = ("spend", "impressions", "clicks", "link_clicks", "conversions", "conversion_value")  # campaign_hours has these
_HOUR_COLUMNS = (*ROLLUP_KEY, HOUR, *HOUR_METRICS)
_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="analytics-import")
_HOUR_UPSERT = (
    f"INSERT INTO campaign_hours ({', '.join(_HOUR_COLUMNS)}, batch_id) VALUES ({', '.join('?' * len(_HOUR_COLUMNS))}, ?) "
    f"ON CONFLICT ({', '.join(ROLLUP_KEY)}, {HOUR}) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*HOUR_METRICS, "batch_id"))
)
SERIES_COLUMNS = ("entity_id", "currency", "first_day", "last_day", "days", "data")  # as series.grouped gives them


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
        rollup = _WORKERS.submit(_campaign_days, facts)  # added up on the other core while the ads are looked up
        with _big_cache(raw):
            incoming = series.records_frame(facts, _entity_ids(raw, facts), batch_id)
            written = Written(batch_id, *_write_facts(raw, facts, incoming, rollup, first, last, state))
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
    """SQLite's page cache made big while an import writes: campaign_days' key stays in memory."""
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
    ids, firsts = _groups(facts, NAME)
    distinct = list(facts[list(NAME)].iloc[firsts].itertuples(index=False, name=None))
    raw.executemany(f"INSERT INTO ad_entities ({', '.join(NAME)}) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", distinct)
    platforms = sorted({d[0] for d in distinct})
    known = {tuple(r[1:]): r[0] for r in raw.rows(
        f"SELECT id, {', '.join(NAME)} FROM ad_entities WHERE platform IN ({', '.join('?' * len(platforms))})", platforms)}
    return np.array([known[d] for d in distinct], dtype=np.int64)[ids]


def _write_facts(raw, facts: pd.DataFrame, incoming: pd.DataFrame, rollup: Future, first, last, state) -> tuple[int, int, int]:
    """The facts into their ads' series, and campaign_days for their days (rollup: the facts' own
    campaign_days rows). A fact already stored with the same numbers stays as it was (unchanged);
    one with other numbers is replaced. Returns how many facts were added, replaced and unchanged."""
    state.check()
    ads = incoming["entity_id"].unique()
    stored = _stored(raw, ads)
    replaced = unchanged = 0
    if not stored.empty:
        incoming, replaced_from, unchanged = _merged(stored, incoming)
        raw.executemany("UPDATE import_batches SET facts = facts - ? WHERE id = ?",
                        [(int(n), int(b)) for b, n in replaced_from.items()])
        _delete_series(raw, ads)
        replaced = int(replaced_from.sum())
    encoding = _WORKERS.submit(series.grouped, incoming)  # numpy sorts and copies on the other core meanwhile
    overlaps = _overlaps(raw, facts, first, last)
    if not overlaps:  # nothing rolled up for these days yet: the facts' own sums go in
        raw.insert_rows("campaign_days", (*ROLLUP_KEY, *METRICS), rollup.result())
    _insert_series(raw, encoding.result(), state)
    state.check()
    if overlaps:
        for platform in facts["platform"].unique():
            _rebuild_campaign_days(raw, platform, first, last)
    return len(facts) - replaced - unchanged, replaced, unchanged


def _merged(stored: pd.DataFrame, incoming: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, int]:
    """stored and incoming facts as one: on a day both have, incoming replaces a stored fact whose
    numbers differ. Returns the facts, how many each stored batch lost, and how many were the same."""
    both = pd.concat([stored, incoming], ignore_index=True)
    twice = both[both.duplicated(series.KEY, keep=False)].sort_values(series.KEY, kind="stable")  # stored first, then incoming
    old, new = twice.iloc[0::2], twice.iloc[1::2]
    same = np.logical_and.reduce([_same(old[m].to_numpy(), new[m].to_numpy()) for m in METRICS])
    dropped = np.concatenate([old.index[~same], new.index[same]])
    return both.drop(index=dropped), old["batch_id"][~same].value_counts(), int(same.sum())


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _read_series(raw, where: str = "true", params=()) -> pd.DataFrame:
    """The stored facts of the series matching where (on ad_series s and ad_entities e), as series.decode gives them."""
    return series.decode(raw.rows("SELECT s.entity_id, s.currency, s.data FROM ad_series s "
                                  f"JOIN ad_entities e ON e.id = s.entity_id WHERE {where}", params))


def _stored(raw, ads) -> pd.DataFrame:
    """The stored facts of these ads (entity ids), in every currency."""
    parts = [_read_series(raw, f"s.entity_id IN ({', '.join('?' * len(chunk))})", chunk) for chunk in _chunks(ads)]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0] if parts else series.empty()


def _delete_series(raw, ads) -> None:
    """The stored series of these ads (entity ids), in every currency."""
    for chunk in _chunks(ads):
        raw.execute(f"DELETE FROM ad_series WHERE entity_id IN ({', '.join('?' * len(chunk))})", chunk)


def _chunks(ids, size: int = 500) -> list[list[int]]:
    """ids in lists short enough for one statement's placeholders."""
    ids = [int(i) for i in ids]
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def _insert_series(raw: Raw, rows: list[tuple], state: JobState) -> None:
    """ad_series rows (series.grouped), about CHUNK facts at a time so Cancel is heard and progress moves."""
    total, done, start, size = sum(r[4] for r in rows), 0, 0, 0
    for end, row in enumerate(rows, 1):
        size += row[4]
        if size >= CHUNK or end == len(rows):
            state.check()
            raw.insert_rows("ad_series", SERIES_COLUMNS, rows[start:end])
            done, start, size = done + size, end, 0
            state.set_progress(done, total)


def read_facts(raw: Raw, date_from: str | None = None, date_to: str | None = None, platform: str | None = None) -> pd.DataFrame:
    """The stored facts from date_from to date_to (YYYY-MM-DD, each optional), one row per ad,
    currency and day: the ad (entity_id, NAME, asset_id), date (YYYY-MM-DD text), currency, METRICS,
    and where each came from (batch_id, source_line)."""
    where, params = ["true"], []
    if platform:
        where.append("e.platform = ?")
        params.append(platform)
    if date_to:
        where.append("s.first_day <= ?")
        params.append(date_to)
    if date_from:
        where.append("s.last_day >= ?")
        params.append(date_from)
    frame = _read_series(raw, " AND ".join(where), params)
    if date_from or date_to:
        days = frame["day"].to_numpy()
        keep = (days >= series.day_number(date_from or "0001-01-01")) & (days <= series.day_number(date_to or "9999-12-31"))
        frame = frame[keep]
    entities = pd.DataFrame(raw.rows(f"SELECT id, {', '.join(NAME)}, asset_id FROM ad_entities"), columns=["entity_id", *NAME, "asset_id"])
    named = frame.merge(entities, on="entity_id", how="left")
    named["date"] = series.day_text(named["day"].to_numpy())
    return named[["entity_id", *NAME, "asset_id", "date", "currency", *METRICS, "batch_id", "source_line"]]


def facts(lib, date_from: str | None = None, date_to: str | None = None, platform: str | None = None) -> pd.DataFrame:
    """read_facts on the library."""
    with lib.read() as conn:
        return read_facts(Raw(conn), date_from, date_to, platform)


def fact_count(lib) -> int:
    with lib.read() as conn:
        return int(Raw(conn).rows("SELECT coalesce(sum(days), 0) FROM ad_series")[0][0])


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
    raw.insert_rows("campaign_days", (*ROLLUP_KEY, *METRICS), _campaign_days(read_facts(raw, first, last, platform)))


def _campaign_days(facts: pd.DataFrame) -> list[tuple]:
    """The facts added up into campaign_days rows (ROLLUP_KEY, METRICS), in key order: the table's b-tree then grows at its end."""
    ids, firsts = _groups(facts, ROLLUP_KEY)
    sums = facts[list(METRICS)].groupby(ids, sort=True).sum(min_count=1)  # all-NaN stays NULL; group i is row i
    keys = pd.DataFrame({c: facts[c].take(firsts).to_numpy() for c in ROLLUP_KEY})  # plain values: text sorts as in the database
    order = keys.sort_values(list(ROLLUP_KEY)).index.to_numpy()
    columns = [keys[c].to_numpy()[order].tolist() for c in ROLLUP_KEY] + [sums[m].to_numpy()[order].tolist() for m in METRICS]
    return list(zip(*columns))


def _groups(frame: pd.DataFrame, columns) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group by these columns (0, 1, … in order of first appearance) and each group's first row."""
    ids = pd.Series(pd.factorize(group_ids(frame, columns))[0])
    return ids.to_numpy(), ids.drop_duplicates().index.to_numpy()  # a group's id counts its first appearance


def remove_import(lib, batch_id: int) -> int:
    """Take an import back out: delete the facts batch_id wrote, and the batch. Returns how many facts went."""
    with logged_write(lib, CHANGES) as conn:
        batch = conn.execute(select(ImportBatch).where(ImportBatch.id == batch_id)).first()
        if batch is None:
            raise BadInput(f"There is no import {batch_id}; `studio analytics imports` lists them.")
        raw = Raw(conn)
        removed = 0
        if batch.date_from is not None:
            stored = read_facts(raw, batch.date_from.isoformat(), batch.date_to.isoformat())  # the batch's facts are in its dates
            mine = stored["batch_id"].to_numpy() == batch_id
            removed = int(mine.sum())
            spans = stored[mine].groupby("platform")["date"].agg(["min", "max"])
            ads = stored.loc[mine, "entity_id"].unique()
            left = _stored(raw, ads)
            _delete_series(raw, ads)
            _insert_series(raw, series.grouped(left[left["batch_id"] != batch_id]), JobState())
            for platform, (first, last) in spans.iterrows():
                _rebuild_campaign_days(raw, platform, first, last)
        raw.execute("DELETE FROM campaign_hours WHERE batch_id = ?", (batch_id,))
        conn.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
        audit.append(conn, actor(), f"Remove imported report {batch.file_name}", {"batch_id": batch_id, "facts": removed})
    lib.notify(OpResult(CHANGES, removed, f"Remove import {batch.file_name}"))
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

