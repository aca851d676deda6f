"""One report's rows turned into daily facts: summary rows dropped, numbers and dates read,
the currency found, rows of one key (a breakdown by age or placement) added together.
A report broken down by hour of day keeps its rows per hour (column "hour", 0..23): the store
adds them up into days (add_up) and keeps the hourly sums by campaign (campaign_hours).

    facts = to_facts(table, layout, comma_default=False, currency=None)
    facts.frame   # columns of studio.core.analytics.store.COLUMNS
    facts.errors  # RowError for every cell that cannot be read: then nothing is imported
    facts.skipped # {"line", "reason"} for summary rows
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from studio.core.analytics.ingest.normalize import MAX_ERRORS, RowError, coded, dates, filled, numbers, per_unique, stripped
from studio.core.analytics.ingest.sniff import RawTable
from studio.core.analytics.ingest.sources import HOUR, METRICS, TEXT_FIELDS, Layout
from studio.core.errors import BadInput

KEY = ("platform", "account", "campaign", "ad_group", "ad", "date", "currency")
_TOTAL = re.compile(r"(?i)^\s*(?:total|totaux|gesamt|summe)\b")
# "09:00:00 - 09:59:59" (Meta), "9" or "09:00" (Google Ads, a mapping), "9.0" (a spreadsheet's number)
_HOUR = r"^\s*(\d{1,2})(?:\.0+)?(?::[0-5]\d(?::[0-5]\d)?)?(?:\s*[-–]\s*\d{1,2}:[0-5]\d(?::[0-5]\d)?)?\s*$"


@dataclass
class Facts:
    frame: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    merged: int = 0  # rows added into another row of the same key (or, by hour, of the same day)


def _text(cells: pd.DataFrame, layout: Layout, fld: str) -> pd.Series | None:
    return cells[layout.columns[fld]] if fld in layout.columns else None


def _summary_rows(cells: pd.DataFrame, layout: Layout) -> tuple[np.ndarray, dict[int, str]]:
    """Rows that are report totals: "Total: Account" (Google) in the campaign or date column, or
    no campaign name at all (Meta's totals row). Returns the mask and each such row's reason."""
    summary = _text(cells, layout, "campaign").isna().to_numpy()
    reasons = dict.fromkeys(np.flatnonzero(summary).tolist(), "a totals row (no campaign name)")
    for fld in ("campaign", "date", "date_start"):
        values = _text(cells, layout, fld)
        if values is None:
            continue
        total = per_unique(values, lambda u: u.str.contains(_TOTAL, na=False)).to_numpy(dtype=bool) & ~summary
        reasons.update((i, f"a summary row ({values.iloc[i]})") for i in np.flatnonzero(total).tolist())
        summary = summary | total
    return summary, reasons


def to_facts(table: RawTable, layout: Layout, *, comma_default: bool, currency: str | None, name: str) -> Facts:
    cells, errors = table.cells.copy(deep=False), []
    for fld in TEXT_FIELDS:
        if fld in layout.columns:
            cells[layout.columns[fld]] = stripped(cells[layout.columns[fld]])
    summary, reasons = _summary_rows(cells, layout)
    skipped = [{"line": int(table.lines.iloc[i]), "reason": reasons[i]} for i in sorted(reasons)]
    cells, lines = _without(cells, summary), _without(table.lines, summary).to_numpy()
    header = layout.header
    # text columns stay coded (categorical) from here to the store: see normalize.coded
    frame = pd.DataFrame({"platform": _constant(layout.source.platform, len(cells))}, index=cells.index)
    for fld in ("account", "campaign", "ad_group", "ad"):
        values = _text(cells, layout, fld)
        frame[fld] = _constant("", len(cells)) if values is None else filled(values, "")
    frame["date"] = _days(cells, layout, lines, errors)
    frame["currency"] = _currency(cells, layout, currency, lines, errors, name)
    if HOUR in layout.columns:
        frame[HOUR] = _hours(cells[layout.columns[HOUR]], layout.header[layout.columns[HOUR]], lines, errors)
    for metric in METRICS:
        if metric in layout.columns:
            position = layout.columns[metric]
            frame[metric] = numbers(cells[position], header[position], lines, comma_default=comma_default, errors=errors)
        else:
            frame[metric] = np.nan
    frame["spend"] = frame["spend"].fillna(0.0)
    frame["source_line"] = lines
    if errors:
        return Facts(frame.iloc[0:0], sorted(errors, key=lambda e: e.line), skipped)
    if HOUR not in frame:
        return _merge_duplicates(Facts(frame, [], skipped))
    rows = len(frame)
    frame, _ = add_up(frame, (*KEY, HOUR))  # the store adds the hours up into days
    return Facts(frame, [], skipped, rows - frame.groupby(list(KEY), sort=False, observed=True).ngroups)


def _without(rows, summary: np.ndarray):
    """rows (a frame or series) without the summary rows. Reports put their totals first or last:
    the rows left are then one stretch, a view rather than a copy of a million rows."""
    kept = np.flatnonzero(~summary)
    if len(kept) and kept[-1] - kept[0] + 1 == len(kept):
        return rows.iloc[kept[0]:kept[-1] + 1].reset_index(drop=True)
    return rows[~summary].reset_index(drop=True)


def _constant(value: str, rows: int) -> pd.Categorical:
    """A column of one value, coded like the others (see normalize.coded)."""
    return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), [value])


def _days(cells: pd.DataFrame, layout: Layout, lines: np.ndarray, errors: list[RowError]) -> pd.Series:
    formats, header = layout.source.date_formats, layout.header
    if "date" in layout.columns:
        position = layout.columns["date"]
        day = dates(cells[position], header[position], lines, formats=formats, errors=errors)
    else:  # Meta without a Day breakdown: each row must cover one day
        start_pos, end_pos = layout.columns["date_start"], layout.columns.get("date_end")
        day = dates(cells[start_pos], header[start_pos], lines, formats=formats, errors=errors)
        if end_pos is not None:
            end = dates(cells[end_pos], header[end_pos], lines, formats=formats, errors=errors)
            longer = (end != day) & end.notna() & day.notna()
            for i in np.flatnonzero(longer.to_numpy())[:MAX_ERRORS]:
                errors.append(RowError(int(lines[i]), header[end_pos], (
                    f"the row covers {day.iloc[i]:%Y-%m-%d} to {end.iloc[i]:%Y-%m-%d}, not one day; export the report "
                    "broken down by day (Breakdown > By time > Day)")))
    return coded(day, lambda u: u.dt.strftime("%Y-%m-%d"), ordered=True)


def _currency(cells: pd.DataFrame, layout: Layout, given: str | None, lines, errors: list[RowError], name: str):
    fallback = layout.header_currency or layout.source.currency or given
    column = _text(cells, layout, "currency")
    if column is None:
        if fallback is None:
            raise BadInput(f"{name} does not say its currency (no currency column and no \"(EUR)\" in the headers). "
                           "Give it with --currency EUR (or \"currency\" in the mapping). Nothing was imported.")
        return _constant(fallback, len(cells))
    values = filled(coded(column, lambda u: u.str.upper()), fallback or "")
    bad = ~per_unique(values, lambda u: u.str.fullmatch(r"[A-Z]{3}")).to_numpy(dtype=bool)
    header = layout.header[layout.columns["currency"]]
    for i in np.flatnonzero(bad)[:MAX_ERRORS]:
        why = f"{column.iloc[i]!r} is not a currency code such as EUR" if pd.notna(column.iloc[i]) else "has no currency; give --currency EUR"
        errors.append(RowError(int(lines[i]), header, why))
    return values


def _hours(values: pd.Series, column: str, lines: np.ndarray, errors: list[RowError]) -> pd.Series:
    """The hour of day (0..23) of each row; each cell that is not one is an error."""
    hour = per_unique(values, lambda u: pd.to_numeric(u.astype(str).str.extract(_HOUR)[0], errors="coerce").where(lambda h: h <= 23))
    for i in np.flatnonzero(hour.isna().to_numpy())[:MAX_ERRORS]:
        raw = values.iloc[i]
        why = "has no hour of day" if pd.isna(raw) else f"{str(raw).strip()!r} is not an hour of day (like 09:00:00 - 09:59:59 or 9)"
        errors.append(RowError(int(lines[i]), column, why))
    return hour.fillna(-1).astype(np.int8)


def _merge_duplicates(facts: Facts) -> Facts:
    """The facts with the rows of one key added up into one daily fact (see add_up)."""
    facts.frame, facts.merged = add_up(facts.frame, KEY)
    return facts


def add_up(frame: pd.DataFrame, key) -> tuple[pd.DataFrame, int]:
    """Rows with the same key (a report broken down by age, gender, placement or hour) added up into
    one; reach does not add across audiences, so the largest is kept (a lower bound). Returns the
    frame and how many rows went into another."""
    ids = group_ids(frame, key)
    if not pd.Series(ids).duplicated().any():
        return frame, 0
    duplicated = pd.Series(ids).duplicated(keep=False).to_numpy()
    sums = {m: (m, lambda s: s.sum(min_count=1)) for m in METRICS if m != "reach"}
    merged = frame[duplicated].groupby(list(key), sort=False, as_index=False, observed=True).agg(
        **sums, reach=("reach", "max"), source_line=("source_line", "min"))
    return pd.concat([frame[~duplicated], merged], ignore_index=True), int(duplicated.sum()) - len(merged)


def group_ids(frame: pd.DataFrame, columns) -> np.ndarray:
    """One int64 per row, the same for rows whose values in these columns are the same. Categorical
    columns count by their codes (a million rows cost no hashing); the running key is folded into
    dense ids only when the next column could overflow it."""
    ids, span = np.zeros(len(frame), dtype=np.int64), 1
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes, size = values.cat.codes.to_numpy().astype(np.int64) + 1, len(values.cat.categories) + 1  # missing: 0
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            size = len(uniques)
        if span * size >= 1 << 62:
            ids, uniques = pd.factorize(ids)
            span = len(uniques)
        ids, span = ids * size + codes, span * size
    return ids
