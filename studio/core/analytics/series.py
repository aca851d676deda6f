"""Each ad's daily numbers as one stored array per ad and currency (table ad_series).

A report of a million rows is a thousand ads over a thousand days. Stored as a million SQLite
rows it takes seconds to write, however lean the rows; stored as a thousand arrays it takes a
fraction of one, and reading every fact back is one join of bytes and one numpy view. Each
array holds RECORD per day, in day order: the day, the import batch and file line it came
from (its provenance) and the metrics (NaN where the report had no value).

    blob = encode(records)              # records: a RECORD array of one ad and currency
    frame = decode(rows)                # rows of (entity_id, currency, blob): one row per fact
    frame = records_frame(facts, entity_ids, batch_id)  # an import's facts as decode gives them
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from studio.core.analytics.ingest.sources import METRICS

RECORD = np.dtype([("day", "<i4"), ("batch_id", "<i4"), ("source_line", "<i4"), *((m, "<f8") for m in METRICS)])
FIELDS = RECORD.names
KEY = ["entity_id", "currency", "day"]  # one fact per ad, currency and day
EPOCH = np.datetime64("1970-01-01", "D")


def encode(records: np.ndarray) -> bytes:
    return records.tobytes()


def decode(rows: list[tuple]) -> pd.DataFrame:
    """(entity_id, currency, blob) rows → one row per fact: entity_id, currency, then FIELDS."""
    if not rows:
        return empty()
    entity, currency, blobs = zip(*rows)
    blobs = [bytes(b) for b in blobs]  # PostgreSQL may hand back memoryviews
    counts = np.fromiter((len(b) // RECORD.itemsize for b in blobs), dtype=np.int64, count=len(blobs))
    records = np.frombuffer(b"".join(blobs), dtype=RECORD)
    frame = pd.DataFrame({name: records[name] for name in FIELDS})
    frame.insert(0, "currency", np.repeat(np.array(currency, dtype=object), counts))
    frame.insert(0, "entity_id", np.repeat(np.array(entity, dtype=np.int64), counts))
    return frame


def empty() -> pd.DataFrame:
    frame = pd.DataFrame({name: np.array([], dtype=RECORD[name]) for name in FIELDS})
    frame.insert(0, "currency", np.array([], dtype=object))
    frame.insert(0, "entity_id", np.array([], dtype=np.int64))
    return frame


def records_frame(facts: pd.DataFrame, entity: np.ndarray, batch_id: int) -> pd.DataFrame:
    """An import's facts (date as YYYY-MM-DD text, possibly categorical) in decode's columns."""
    return pd.DataFrame({"entity_id": entity, "currency": facts["currency"].array, "day": to_days(facts["date"]),
                         "batch_id": np.full(len(facts), batch_id, dtype=np.int32),
                         "source_line": facts["source_line"].to_numpy(dtype=np.int32),
                         **{metric: facts[metric].to_numpy(dtype=np.float64) for metric in METRICS}}, copy=False)  # (a view, not a copy)


def to_days(dates: pd.Series) -> np.ndarray:
    """YYYY-MM-DD text (or categories of it) as days since 1970, int32; each distinct text is read once."""
    codes, uniques = pd.factorize(dates)
    days = (np.asarray(uniques, dtype="datetime64[D]") - EPOCH).astype(np.int32)
    return days[codes]


def day_text(days: np.ndarray) -> np.ndarray:
    """Days since 1970 as YYYY-MM-DD text."""
    codes, uniques = pd.factorize(days)
    return (uniques.astype("timedelta64[D]") + EPOCH).astype(str).astype(object)[codes]


def day_number(day) -> int:
    """A date (or YYYY-MM-DD text) as days since 1970."""
    return int((np.datetime64(str(day), "D") - EPOCH).astype(np.int64))


def grouped(frame: pd.DataFrame) -> list[tuple[int, str, str, str, int, bytes]]:
    """decode's frame → ad_series rows (entity_id, currency, first day, last day, days, blob): its facts
    sorted by ad, currency and day and cut into one array per ad and currency."""
    if frame.empty:
        return []
    currency_codes, currencies = pd.factorize(frame["currency"], sort=True)
    entity, day = frame["entity_id"].to_numpy(np.int64), frame["day"].to_numpy(np.int64)
    first_day = day.min()  # one sort key: ad, then currency, then day (ids and day spans are far below 2^63 together)
    order = np.argsort((entity * len(currencies) + currency_codes) * (day.max() - first_day + 1) + (day - first_day))
    records = np.empty(len(frame), dtype=RECORD)
    for name in FIELDS:  # (sorting each column, then filling, is faster than sorting the records)
        records[name] = frame[name].to_numpy()[order]
    entity, currency_codes = entity[order], currency_codes[order]
    starts = np.flatnonzero(np.r_[True, (np.diff(entity) != 0) | (np.diff(currency_codes) != 0)])
    ends = np.r_[starts[1:], len(frame)]
    firsts, lasts = day_text(records["day"][starts]), day_text(records["day"][ends - 1])
    return [(int(entity[s]), currencies[currency_codes[s]], first, last, int(e - s), encode(records[s:e]))
            for s, e, first, last in zip(starts.tolist(), ends.tolist(), firsts, lasts)]
