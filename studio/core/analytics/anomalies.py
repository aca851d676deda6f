"""Early warnings: days whose numbers fall outside what that campaign usually does.

    detect(lib, date_from=date(2026, 11, 1), date_to=date(2026, 11, 28), platform="meta")

judges every campaign's daily series, and every platform's total, per currency (amounts in
different currencies are never added up):

  point  a day against the same weekday of the previous WEEKS weeks: the band is the median
         ± K robust standard deviations (1.4826 × MAD), never narrower than counting noise
         (Poisson: √n on the counts behind the number) or MIN_CHANGE of the median, so a quiet,
         steady series does not flag every wobble. Mondays are compared with Mondays, so a
         weekly rhythm is not an anomaly.
  step   a level shift in CPC or CPM that persists: the median of the last STEP_DAYS days
         against the median of the STEP_BEFORE days before them, with nearly every recent day
         on the new side. Reported once, on the day the shift began.

Volume guards (Guards) keep small numbers out: no CPA from a handful of conversions, no CTR
from a few hundred impressions, no spend flag on pocket money. Each Anomaly carries a sentence
that explains it in plain English. The daily sums come from campaign_days in one SQL query;
the rest is numpy over a day × series matrix, so a million facts take well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from studio.core.analytics.kpis import RATIOS as KPI_RATIOS
from studio.core.analytics.kpis import data_range
from studio.core.db.raw import Raw
from studio.core.errors import BadInput

SUMS = ("spend", "impressions", "clicks", "conversions", "conversion_value")
RATIOS = {name: ratio for name, ratio in KPI_RATIOS.items() if name != "frequency"}  # reach does not add up across ads
COUNTS = {"impressions", "clicks", "conversions"}
# the count whose Poisson noise a metric carries: n events make it wobble by about 1/√n of its level
NOISE = {"impressions": "impressions", "clicks": "clicks", "conversions": "conversions", "conversion_value": "conversions",
         "ctr": "clicks", "cpc": "clicks", "cpm": "impressions", "cpa": "conversions", "roas": "conversions",
         "conversion_rate": "conversions"}
METRICS = ("spend", "conversions", "cpa", "ctr", "cpc", "cpm", "roas")
ALL_METRICS = (*SUMS, *RATIOS)
STEP_METRICS = ("cpc", "cpm")
WEEKS = 8  # weeks of same-weekday history behind a band
MIN_WEEKS = 4  # fewer same-weekday days than this: no judgement
MAD_FACTOR = 1.4826 * 1.185  # σ from the MAD; deviations from a median of eight understate it by about 1/1.185
K = 5.0  # band half-width in robust standard deviations (4 flags ordinary Poisson wobbles too often)
MIN_CHANGE = 0.25  # the band is at least ± this share of the usual value
HIGH = 10.0  # robust z from which an anomaly is "high" rather than "medium"
STEP_DAYS, STEP_BEFORE, STEP_MIN = 7, 28, 0.2  # recent window, window before it, smallest shift (20 %)
CHUNK_DAYS = 64  # days judged at once
DEFAULT_DAYS = 28  # without date_from: the last four weeks of data
LABELS = {"spend": "Spend", "impressions": "Impressions", "clicks": "Clicks", "conversions": "Conversions",
          "conversion_value": "Conversion value", "ctr": "CTR", "cpc": "CPC", "cpm": "CPM", "cpa": "CPA",
          "roas": "ROAS", "conversion_rate": "Conversion rate"}
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}


@dataclass(frozen=True)
class Guards:
    """The least volume, per day, behind a number before it can be flagged."""

    spend: float = 20.0  # in the series' currency
    impressions: float = 1000.0  # for CTR and CPM
    clicks: float = 30.0  # for CPC
    conversions: float = 10.0  # for CPA, ROAS and conversion rate, and conversions themselves

    def volume(self, metric: str) -> str:
        return {"spend": "spend", "conversion_value": "spend", "roas": "conversions", "cpa": "conversions",
                "conversions": "conversions", "ctr": "impressions", "cpm": "impressions", "impressions": "impressions",
                "cpc": "clicks", "clicks": "clicks", "conversion_rate": "conversions"}[metric]


@dataclass(frozen=True)
class Anomaly:
    platform: str
    campaign: str | None  # None: the platform's total
    currency: str
    day: date  # for a step, the day the new level began
    metric: str
    kind: str  # "point" or "step"
    value: float  # the day's value (for a step: the median since)
    expected: float  # the usual value (for a step: the median before)
    band: tuple[float, float]  # the normal range
    direction: str  # "up" or "down"
    severity: str  # "high" or "medium"
    score: float  # how far out, in robust standard deviations
    sentence: str


def detect(lib, *, date_from: date | None = None, date_to: date | None = None, platform: str | None = None,
           metrics=METRICS, guards: Guards = Guards()) -> list[Anomaly]:
    """Anomalies in date_from..date_to (default: the last four weeks of data), newest first."""
    unknown = [m for m in metrics if m not in ALL_METRICS]
    if unknown:
        raise BadInput(f"Cannot watch {', '.join(unknown)}; choose from {', '.join(ALL_METRICS)}.")
    whole = data_range(lib, platform)
    if whole is None:
        return []
    date_to = date_to or whole[1]
    date_from = date_from or max(whole[0], date_to - timedelta(days=DEFAULT_DAYS - 1))
    if date_from > date_to:
        raise BadInput(f"The period starts ({date_from}) after it ends ({date_to}); swap --from and --to.")
    history = max(WEEKS * 7 + 6, STEP_DAYS + STEP_BEFORE)
    daily = _daily_sums(lib, date_from - timedelta(days=history), date_to, platform)
    if daily.empty:
        return []
    totals = daily.groupby(["platform", "currency", "date"], as_index=False)[list(SUMS)].sum(min_count=1)
    found = [*_detect_level(daily, ["platform", "account", "campaign", "currency"], date_from, date_to, metrics, guards),
             *_detect_level(totals, ["platform", "currency"], date_from, date_to, metrics, guards)]
    return sorted(found, key=lambda a: (-a.day.toordinal(), -a.score))


def _daily_sums(lib, first: date, last: date, platform: str | None) -> pd.DataFrame:
    sql = (f"SELECT platform, account, campaign, currency, date, {', '.join(SUMS)} FROM campaign_days "
           "WHERE date BETWEEN ? AND ?" + (" AND platform = ?" if platform else ""))
    params = (first.isoformat(), last.isoformat(), *((platform,) if platform else ()))
    with lib.read() as conn:
        rows = Raw(conn).rows(sql, params)  # plain tuples: fast for many rows
    frame = pd.DataFrame(rows, columns=["platform", "account", "campaign", "currency", "date", *SUMS])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.astype({m: "float64" for m in SUMS})


def _detect_level(frame: pd.DataFrame, keys: list[str], date_from: date, date_to: date, metrics, guards: Guards) -> list[Anomaly]:
    """Anomalies of the series that `keys` tell apart (campaigns, or platform totals), one row per series and day."""
    days = pd.date_range(frame["date"].min(), pd.Timestamp(date_to), freq="D")
    # day × series matrices; a day without a report is missing (NaN), not zero
    code = frame.groupby(keys, sort=False).ngroup().to_numpy()
    series = frame[keys].drop_duplicates().to_dict("records")
    row = (frame["date"] - days[0]).dt.days.to_numpy()
    sums = {}
    for m in SUMS:
        sums[m] = np.full((len(days), len(series)), np.nan)
        sums[m][row, code] = frame[m].to_numpy()
    window = np.flatnonzero((days >= pd.Timestamp(date_from)) & (days <= pd.Timestamp(date_to)))
    found = []
    with np.errstate(all="ignore"):
        for metric in metrics:
            values = _metric(sums, metric)
            steps = _steps(values, sums, metric, window, guards) if metric in STEP_METRICS else []
            # a step explains the days from its start on: no point anomalies on top
            began = {s: first for s, first, *_ in sorted(steps, key=lambda step: -step[1])}
            for s, d, *numbers in _points(values, sums, metric, window, guards):
                if d < began.get(s, len(days)):
                    found.append(_anomaly(series[s], metric, "point", days[d].date(), *numbers))
            for s, first, *numbers in steps:
                found.append(_anomaly(series[s], metric, "step", days[first].date(), *numbers))
    return found


def _nanmedian(a: np.ndarray, axis: int) -> np.ndarray:
    """np.nanmedian without its slow masked-array path: sort (NaN goes last) and take the middle of what is there."""
    a = np.sort(np.moveaxis(a, axis, -1), axis=-1)
    n = np.sum(~np.isnan(a), axis=-1, keepdims=True)
    low = np.take_along_axis(a, np.maximum((n - 1) // 2, 0), axis=-1)
    high = np.take_along_axis(a, np.maximum(n // 2, 0) - (n == 0), axis=-1)
    return np.where(n > 0, (low + high) / 2, np.nan)[..., 0]


def _metric(sums: dict, metric: str) -> np.ndarray:
    if metric in SUMS:
        return sums[metric]
    num, den, factor = RATIOS[metric]
    return np.where(sums[den] > 0, sums[num] / sums[den] * factor, np.nan)


def _rows(matrix: np.ndarray, index: np.ndarray) -> np.ndarray:
    """matrix[index] with NaN rows where the index falls before the first day."""
    return np.where((index >= 0)[:, None], matrix[np.maximum(index, 0)], np.nan)


def _points(values: np.ndarray, sums: dict, metric: str, window: np.ndarray, guards: Guards):
    """(series, day index, value, expected, low, high, score) for each day outside its weekday band."""
    chunks = np.array_split(window, -(-len(window) // CHUNK_DAYS))  # bounds the memory a long period takes
    return [row for chunk in chunks for row in _chunk_points(values, sums, metric, chunk, guards)]


def _chunk_points(values: np.ndarray, sums: dict, metric: str, window: np.ndarray, guards: Guards):
    """Ratios are judged in logs: a CPA doubles when conversions halve, and halves only when they double."""
    ratio = metric in RATIOS
    if ratio:
        values = np.log(np.where(values > 0, values, np.nan))
    # the level comes from the same weekday; the spread, relative to the level, from the deviations of all
    # seven weekdays together (eight values alone give too shaky a MAD)
    ext = np.arange(max(window[0] - 6, 0), window[-1] + 1)
    past = np.stack([_rows(values, ext - 7 * k) for k in range(1, WEEKS + 1)])
    median = _nanmedian(past, 0)
    deviations = np.abs(past - median) / (1.0 if ratio else np.abs(median))
    padded = np.concatenate([np.full((WEEKS, 6, deviations.shape[2]), np.nan), deviations], axis=1)
    weekly = np.lib.stride_tricks.sliding_window_view(padded, 7, axis=1)  # (week, day, series, weekday)
    spread = MAD_FACTOR * _nanmedian(np.moveaxis(weekly, 0, -1).reshape(*weekly.shape[1:3], -1), -1)
    at = window - ext[0]
    median, spread, enough = median[at], spread[at], np.sum(~np.isnan(past[:, at]), axis=0) >= MIN_WEEKS
    # never narrower than MIN_CHANGE of the level, nor than the Poisson noise of the counts behind it
    relative = np.maximum(spread, MIN_CHANGE / K)
    weeks = [window - 7 * k for k in range(1, WEEKS + 1)]
    if metric in NOISE:
        typical = _nanmedian(np.stack([_rows(sums[NOISE[metric]], w) for w in weeks]), 0)
        relative = np.maximum(relative, 1.0 / np.sqrt(np.maximum(np.nan_to_num(typical), 1.0)))
    scale = relative if ratio else np.abs(median) * relative
    value = values[window]
    score = np.abs(value - median) / scale
    volume = guards.volume(metric)
    minimum = getattr(guards, volume)
    busy = np.nan_to_num(sums[volume][window]) >= minimum
    if not ratio:  # a collapse from plenty to little counts too; a ratio needs the volume on the day itself
        busy |= np.nan_to_num(_nanmedian(np.stack([_rows(sums[volume], w) for w in weeks]), 0)) >= minimum
    flagged = enough & busy & (scale > 0) & (score > K)
    low, high = median - K * scale, median + K * scale
    if ratio:
        value, median, low, high = np.exp(value), np.exp(median), np.exp(low), np.exp(high)
    low = np.maximum(low, 0.0)
    return [(s, window[i], value[i, s], median[i, s], low[i, s], high[i, s], score[i, s]) for i, s in zip(*np.nonzero(flagged))]


def _steps(values: np.ndarray, sums: dict, metric: str, window: np.ndarray, guards: Guards):
    """(series, first day, level since, level before, low, high, score) per persisting shift."""
    need = STEP_DAYS + STEP_BEFORE
    ends = window[window >= need - 1]
    if not len(ends):
        return []
    frames = np.lib.stride_tricks.sliding_window_view(values, need, axis=0)[ends - need + 1]  # (day, series, need)
    before, recent = frames[..., :STEP_BEFORE], frames[..., STEP_BEFORE:]
    volume = guards.volume(metric)
    busy = _nanmedian(np.lib.stride_tricks.sliding_window_view(sums[volume], need, axis=0)[ends - need + 1], axis=-1)
    old, new = _nanmedian(before, axis=-1), _nanmedian(recent, axis=-1)
    sd = np.maximum(1.4826 * _nanmedian(np.abs(before - old[..., None]), axis=-1), np.abs(old) * 0.02)
    beyond = np.maximum(np.sum(recent > (old + sd)[..., None], axis=-1), np.sum(recent < (old - sd)[..., None], axis=-1))
    shift = np.abs(new / old - 1)
    z = np.abs(new - old) / (sd * 1.25 / np.sqrt(STEP_DAYS))  # the median of 7 days varies about 1.25 σ/√7
    flagged = ((np.nan_to_num(busy) >= getattr(guards, volume)) & (shift >= STEP_MIN) & (beyond >= STEP_DAYS - 1)
               & (z > K) & (np.sum(~np.isnan(before), axis=-1) >= STEP_BEFORE // 2))
    rows = []
    for s in np.unique(np.nonzero(flagged)[1]):
        # one report per run of flagged days, read where the shift is clearest and dated where it began
        hits = np.flatnonzero(flagged[:, s])
        for run in np.split(hits, np.flatnonzero(np.diff(hits) > STEP_DAYS) + 1):
            i = run[np.argmax(z[run, s])]
            began = ends[i] - need + 1 + _change_point(frames[i, s])
            rows.append((s, began, new[i, s], old[i, s], max(old[i, s] - K * sd[i, s], 0.0),
                         old[i, s] + K * sd[i, s], z[i, s]))
    return rows


def _change_point(x: np.ndarray) -> int:
    """Where one level gives way to another: the split with the least absolute deviation from each side's median."""
    x = np.where(np.isnan(x), _nanmedian(x, 0), x)

    def cost(c):
        return np.abs(x[:c] - np.median(x[:c])).sum() + np.abs(x[c:] - np.median(x[c:])).sum()

    return min(range(STEP_DAYS // 2, len(x) - 2), key=cost)


def _anomaly(series: dict, metric: str, kind: str, day: date, value, expected, low, high, score) -> Anomaly:
    value, expected, low, high, score = (float(x) for x in (value, expected, low, high, score))
    ratio = value / expected if expected else np.inf
    severity = "high" if score >= HIGH or not 1 / 3 < ratio < 3 else "medium"
    anomaly = Anomaly(series["platform"], series.get("campaign"), series["currency"], day, metric, kind, value, expected,
                      (low, high), "up" if value > expected else "down", severity, score, "")
    return replace(anomaly, sentence=explain(anomaly))


def fmt(metric: str, value: float, currency: str) -> str:
    """A metric's value as people write it: €1,240, €0.85, 2.40%, 3.10× (ROAS), 1,200."""
    if metric in ("ctr", "conversion_rate"):
        return f"{value:.2%}"
    if metric == "roas":
        return f"{value:.2f}×"
    if metric in COUNTS:
        return f"{value:,.0f}"
    symbol = SYMBOLS.get(currency)
    number = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def explain(a: Anomaly) -> str:
    """One plain-English sentence, e.g. "Spend on 'Summer Sale' (meta) was €1,240 on Tue 12 Mar 2024,
    3.1× the usual Tuesday (€380–€420)." """
    where = f"'{a.campaign}' ({a.platform})" if a.campaign is not None else f"{a.platform} (all campaigns, {a.currency})"
    day = f"{a.day:%a} {a.day.day} {a.day:%b %Y}"
    ratio = a.value / a.expected if a.expected else np.inf
    change = f"{ratio:.1f}×" if ratio >= 2 else f"{abs(ratio - 1):.0%} {'above' if ratio > 1 else 'below'}"
    value = fmt(a.metric, a.value, a.currency)
    if a.kind == "step":
        return (f"{LABELS[a.metric]} on {where} stepped {a.direction} to about {value} from {day} on, {change} "
                f"the level of the four weeks before ({fmt(a.metric, a.expected, a.currency)}), and has stayed there.")
    band = f"{fmt(a.metric, a.band[0], a.currency)}–{fmt(a.metric, a.band[1], a.currency)}"
    return f"{LABELS[a.metric]} on {where} was {value} on {day}, {change} the usual {a.day:%A} ({band})."
