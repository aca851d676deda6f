"""What the Analytics workspace shows, read from core. No Qt here: the import and curve-fit
jobs run these functions off the GUI thread (the fit in a worker process)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from studio.core.analytics import store
from studio.core.analytics.budget import fit_curves
from studio.core.analytics.ingest import FileReport, IngestParams, ingest
from studio.core.analytics.ingest.sniff import sniff, split_line
from studio.core.analytics.ingest.sources import (
    BUILT_IN,
    header_signature,
    mapping_source,
    match,
    resolve,
    score,
)
from studio.core.analytics.kpis import RATIOS, kpis
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.ui.workspaces.analytics.metrics import ADDITIVE

PREVIEW_ROWS = 8
PRESETS = (("7", "Last 7 days"), ("14", "Last 14 days"), ("30", "Last 30 days"), ("90", "Last 90 days"),
           ("month", "This month"), ("custom", "Custom"))
SUMMED = (*ADDITIVE, "reach")


# ---- importing ---------------------------------------------------------------------------------
@dataclass
class Preview:
    """An unknown report's header row and its first rows, for the column-mapping dialog."""

    path: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class ImportOutcome:
    reports: list[FileReport]
    unknown: list[Preview]  # files that need a column mapping (nothing of them was imported)


def run_import(params: IngestParams, state: JobState, lib) -> ImportOutcome:
    """The ingest job, plus a preview of each file no known layout or remembered mapping fits."""
    reports = ingest(params, state, lib)
    unknown = []
    if params.mapping is None:
        for report in reports:
            if not report.imported and report.error and (preview := unknown_layout(lib, Path(report.file))):
                unknown.append(preview)
    return ImportOutcome(reports, unknown)


def unknown_layout(lib, path: Path) -> Preview | None:
    """The file's header and first rows when it is a readable table that no built-in report layout
    or remembered mapping fits (the case ingest turns away for want of a mapping); else None."""
    remembered = {sig: mapping_source(doc, sig) for sig, doc in store.stored_mappings(lib).items()}
    sources = [*BUILT_IN, *remembered.values()]
    try:
        known = sniff(path, lambda cells: max(score(s, cells) for s in sources))
        signature = header_signature(known.header)
        if resolve(known.header) or (signature in remembered and match(remembered[signature], known.header)):
            return None  # a layout the studio knows: its report says what else is wrong
    except BadInput:
        pass  # no known header words at all
    try:  # the header of an unknown table: the first row with the most filled cells
        sniffed = sniff(path, lambda cells: sum(bool(str(c).strip()) for c in cells))
    except BadInput:
        return None  # empty or unreadable: its report says so
    if sniffed.sheet_rows is not None:
        rows = [["" if v is None else str(v) for v in r] for r in sniffed.sheet_rows[:PREVIEW_ROWS]]
    else:
        lines = sniffed.body[:200_000].decode("utf-8-sig", errors="replace").splitlines()
        body = lines[sniffed.header_index + 1:sniffed.header_index + 1 + PREVIEW_ROWS]
        rows = [split_line(line, sniffed.separator) for line in body if line.strip()]
    return Preview(str(path), [str(h) for h in sniffed.header], rows)


# ---- periods -----------------------------------------------------------------------------------
def preset_period(preset: str, last_day: date) -> tuple[date, date]:
    """A preset's days, ending on the latest day with data (reports arrive days after the fact)."""
    if preset == "month":
        return last_day.replace(day=1), last_day.replace(day=calendar.monthrange(last_day.year, last_day.month)[1])
    return last_day - timedelta(days=int(preset) - 1), last_day


def previous_period(start: date, end: date) -> tuple[date, date]:
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


# ---- numbers -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    platform: str | None = None
    currency: str | None = None
    compare: bool = True


def _only(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    return frame[frame["currency"] == currency] if currency else frame


def totals(frame: pd.DataFrame) -> dict[str, float]:
    """The sums of these KPI rows and the ratios of those sums (as kpis computes them)."""
    sums = {m: float(frame[m].sum(min_count=1)) if len(frame) else float("nan") for m in SUMMED}
    for name, (num, den, factor) in RATIOS.items():
        if num in sums and den in sums:
            sums[name] = sums[num] / sums[den] * factor if sums[den] > 0 else float("nan")
    return sums


def summary(lib, f: Filters) -> tuple[dict[str, float], dict[str, float] | None]:
    """The period's totals and, when comparing, those of the period just before."""
    current = totals(_only(kpis(lib, "platform", f.start, f.end, f.platform, compare=False), f.currency))
    if not f.compare:
        return current, None
    before = previous_period(f.start, f.end)
    return current, totals(_only(kpis(lib, "platform", *before, f.platform, compare=False), f.currency))


def breakdown(lib, f: Filters, by: str) -> pd.DataFrame:
    frame = _only(kpis(lib, by, f.start, f.end, f.platform, compare=f.compare and by != "week"), f.currency)
    return frame.sort_values("spend", ascending=False, na_position="last").reset_index(drop=True)


@dataclass
class Series:
    """Daily values of one metric: x in seconds since the epoch (for a date axis), one row per series."""

    x: np.ndarray
    names: list[str]
    values: np.ndarray  # shape (len(names), len(x)); NaN where a ratio has no denominator


def daily_series(lib, f: Filters, metric: str, split: str) -> Series:
    """metric per day for the whole selection ("total") or per platform or campaign, biggest spender first."""
    by = ("day",) if split == "total" else (split, "day")
    frame = _only(kpis(lib, by, f.start, f.end, f.platform, compare=False), f.currency)
    days = pd.date_range(f.start, f.end, freq="D")
    x = (days.to_numpy().astype("datetime64[s]").astype(np.int64)).astype(float)
    if frame.empty:
        return Series(x, [], np.empty((0, len(days))))
    if split == "total":
        frame = frame.assign(total="Total")
        split = "total"
    if frame["currency"].nunique() > 1 or metric not in ADDITIVE:
        # several currencies (no currency chosen) or a ratio: per series and day, from the summed parts
        grouped = frame.groupby([split, "day"], sort=False)[list(SUMMED)].sum(min_count=1).reset_index()
        for name, (num, den, factor) in RATIOS.items():
            grouped[name] = grouped[num] / grouped[den].where(grouped[den] > 0) * factor
        frame = grouped
    table = frame.pivot_table(index=split, columns="day", values=metric, aggfunc="sum", dropna=False)
    table.columns = pd.to_datetime(table.columns)
    table = table.reindex(columns=days)
    if metric in ADDITIVE:
        table = table.fillna(0.0)
    order = table.sum(axis=1).sort_values(ascending=False).index
    table = table.loc[order]
    return Series(x, [str(n) for n in table.index], table.to_numpy(dtype=float))


def stacked(series: Series, keep: int) -> Series:
    """The `keep` biggest series and the rest added up as "Other", as running totals (bottom first)."""
    values, names = series.values, list(series.names)
    if len(names) > keep:
        values = np.vstack([values[:keep], values[keep:].sum(axis=0)])
        names = names[:keep] + ["Other"]
    return Series(series.x, names, np.cumsum(np.nan_to_num(values), axis=0))


def campaign_points(lib, f: Filters) -> pd.DataFrame:
    """Spend and ROAS per campaign (and currency) for the scatter."""
    frame = _only(kpis(lib, "campaign", f.start, f.end, f.platform, compare=False), f.currency)
    return frame[frame["spend"] > 0][["campaign", "currency", "spend", "roas", "conversions"]].reset_index(drop=True)


# ---- response curves (a job) -------------------------------------------------------------------
def curve_input(lib, currency: str | None) -> pd.DataFrame:
    """Daily spend and revenue (conversion value) per platform over all the library's data."""
    frame = _only(kpis(lib, ("platform", "day"), compare=False), currency)
    return pd.DataFrame({"date": frame["day"], "channel": frame["platform"], "spend": frame["spend"].fillna(0.0),
                         "revenue": frame["conversion_value"].fillna(0.0)})


def fit_platform_curves(frame: pd.DataFrame, state: JobState) -> dict:
    """channel -> (curve, mean daily spend) for every platform with enough varied days; the others
    -> the reason they have no curve."""
    state.set_status("Fitting response curves")
    fitted, reasons = {}, {}
    channels = sorted(frame["channel"].unique())
    for i, channel in enumerate(channels):
        state.check()
        part = frame[frame["channel"] == channel]
        try:
            curve = fit_curves(part)[channel]
            fitted[channel] = (curve, float(part.groupby("date")["spend"].sum().mean()))
        except BadInput as exc:
            reasons[channel] = str(exc)
        state.set_progress(i + 1, len(channels))
    return {"curves": fitted, "reasons": reasons}
