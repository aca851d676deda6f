"""Trend momentum from an imported time series, such as a Google Trends CSV export.

A Google Trends export starts with a preamble ("Category: All categories" and a blank line),
then a header ("Week,coffee: (Worldwide),tea: (Worldwide)") and one dated row per week, day
or month; "<1" stands for interest above zero but under one. Any CSV with a header, a first
column of ISO dates and numbers in the others reads the same way.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput

LESS_THAN_ONE = 0.5  # "<1": some interest, under one
CHANGE_THRESHOLD = 0.10  # a period 10 % above (below) the one before is rising (falling)
# how many points make a period: the last quarter of weeks, month of days, day of hours...
WINDOW = {"hour": 24, "day": 28, "week": 12, "month": 3}
DROPPED_COLUMNS = {"ispartial"}  # pytrends' flag for an unfinished last period
_REGION = re.compile(r":\s*\([^)]*\)\s*$")  # "coffee: (Worldwide)" -> "coffee"
_FORMAT_HINT = ('A trends export has a header such as "Week,coffee: (Worldwide)" and then one row per date '
                '(2024-01-31) with a number for each term; export it again from Google Trends, or save it as such a CSV.')


@dataclass(frozen=True)
class TrendSeries:
    dates: list[date | datetime]
    values: dict[str, np.ndarray]  # term -> interest per date (0-100 in a Google Trends export)
    step: str  # hour, day, week, month, or point when the dates are spaced otherwise


@dataclass(frozen=True)
class Momentum:
    term: str
    label: str  # rising | steady | falling
    change: float | None  # recent mean against the previous period's, as a fraction (0.25: up 25 %); None from zero
    slope: float  # least-squares slope over the recent period, in interest per step
    recent_mean: float
    previous_mean: float
    window: int  # points in each period
    explanation: str


def read_trends(path: str | os.PathLike) -> TrendSeries:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{path} does not exist: choose the CSV you exported from Google Trends.") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path.name} is not a text file, so not a trends export. {_FORMAT_HINT}") from None
    except OSError as e:
        raise BadInput(f"{path} cannot be read ({e.strerror}).") from None
    return parse_trends(text, path.name)


def parse_trends(text: str, name: str = "The file") -> TrendSeries:
    """The series in a trends CSV's text; name says which file in messages."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    start = _header_row(rows)
    if start is None:
        raise BadInput(f"{name} is not a trends export: no header row followed by dated rows. {_FORMAT_HINT}")
    header = [cell.strip() for cell in rows[start]]
    keep = [i for i in range(1, len(header)) if header[i].lower() not in DROPPED_COLUMNS]
    if not keep:
        raise BadInput(f"{name} has dates but no terms: the header needs a column per term. {_FORMAT_HINT}")
    dates, columns = [], [[] for _ in keep]
    for line, row in enumerate(rows[start + 1:], start + 2):
        if not any(cell.strip() for cell in row):
            continue
        when = _date(row[0])
        if when is None:
            raise BadInput(f"{name}, line {line}: {row[0]!r} is not a date such as 2024-01-31. {_FORMAT_HINT}")
        if len(row) < len(header):
            raise BadInput(f"{name}, line {line}: {len(row)} values where the header has {len(header)}.")
        dates.append(when)
        for column, i in zip(columns, keep):
            column.append(_number(row[i], f"{name}, line {line}, {header[i]}"))
    if len(dates) < 4:
        raise BadInput(f"{name} has {len(dates)} dated rows; momentum needs at least 4.")
    if len({type(d) for d in dates}) > 1:
        raise BadInput(f"{name} mixes dates with dates and times; export it again with one kind of date.")
    if any(b <= a for a, b in pairwise(dates)):
        raise BadInput(f"{name}: the dates are not in order; sort the rows by date and import it again.")
    return TrendSeries(dates, dict(zip(_terms([header[i] for i in keep]), (np.array(c) for c in columns))),
                       _step(dates))


def trend_momentum(series: TrendSeries, window: int | None = None) -> list[Momentum]:
    """Each term's momentum: its last `window` points against the `window` before them
    (by default a quarter of weeks, four weeks of days, three months...)."""
    n = len(series.dates)
    window = window or min(WINDOW.get(series.step, max(1, n // 4)), n // 2)
    if not 1 <= window <= n // 2:
        raise BadInput(f"A period of {window} points does not fit twice in {n} points; choose at most {n // 2}.")
    return [_momentum(term, values, window, series.step) for term, values in series.values.items()]


def _momentum(term: str, values: np.ndarray, window: int, step: str) -> Momentum:
    recent, previous = values[-window:], values[-2 * window:-window]
    recent_mean, previous_mean = float(recent.mean()), float(previous.mean())
    slope = float(np.polyfit(np.arange(window), recent, 1)[0]) if window > 1 else 0.0
    period = f"last {window} {step}s" if window > 1 else f"last {step}"
    if previous_mean == 0:
        change = None
        label = "rising" if recent_mean > 0 else "steady"
        how = (f"from no measurable interest to an average of {recent_mean:.1f} in the {period}" if recent_mean > 0
               else f"no measurable interest in the {period} or before")
    else:
        change = recent_mean / previous_mean - 1
        label = "rising" if change >= CHANGE_THRESHOLD else "falling" if change <= -CHANGE_THRESHOLD else "steady"
        how = (f"the {period} averaged {recent_mean:.1f}, {'up' if change >= 0 else 'down'} "
               f"{abs(change):.0%} on the {window} before")
    trend = f"; now {'climbing' if slope > 0 else 'sliding'} {slope:+.1f} a {step}" if abs(slope) >= 0.05 else ""
    return Momentum(term, label, change, slope, recent_mean, previous_mean, window, f"{term} is {label}: {how}{trend}.")


def _header_row(rows: list[list[str]]) -> int | None:
    """The first row of two or more cells that is followed by a dated row (the preamble
    before it, if any, is skipped)."""
    for i in range(len(rows) - 1):
        if len(rows[i]) >= 2 and _date(rows[i][0]) is None and rows[i + 1] and _date(rows[i + 1][0]) is not None:
            return i
    return None


def _date(cell: str) -> date | datetime | None:
    cell = cell.strip()
    for parse in (date.fromisoformat, lambda c: datetime.strptime(c, "%Y-%m").date(), datetime.fromisoformat):
        try:
            return parse(cell)
        except ValueError:
            continue
    return None


def _number(cell: str, where: str) -> float:
    cell = cell.strip()
    if cell == "<1":
        return LESS_THAN_ONE
    try:
        value = float(cell.replace(",", ""))
    except ValueError:
        raise BadInput(f"{where}: {cell!r} is not a number. {_FORMAT_HINT}") from None
    if not np.isfinite(value) or value < 0:
        raise BadInput(f"{where}: {cell!r} is not an interest value (a number of 0 or more).")
    return value


def _terms(headers: list[str]) -> list[str]:
    """ "coffee: (Worldwide)" -> "coffee", unless two columns would then share a name."""
    short = [_REGION.sub("", h) or h for h in headers]
    return [s if short.count(s) == 1 else h for s, h in zip(short, headers)]


def _step(dates: list) -> str:
    days = float(np.median([(b - a).total_seconds() for a, b in pairwise(dates)])) / 86400
    if days < 1:
        return "hour"
    for step, (low, high) in {"day": (1, 1), "week": (6, 8), "month": (28, 31)}.items():
        if low <= days <= high:
            return step
    return "point"
