"""The next 14 or 30 days of spend or conversions, with an interval.

    forecast(lib, metric="spend", horizon=14, by="platform")

Each daily series is fitted with additive Holt-Winters (ETS(A,A,A): level, trend and a weekday
season, each corrected by the one-step error): the smoothing weights are chosen from a grid by
the least sum of squared one-step errors, evaluated for every grid point and every series at
once, so a thousand campaigns cost about what one does. The interval's spread grows with the
horizon as the model's errors pile up (Hyndman et al. 2008, class 1: the h-step variance is
σ²(1 + Σ_{j<h} c_j²) with c_j = α + jβ + γ·[j is a whole number of weeks]); its shape comes
from the quantiles of the one-step errors, so a skewed series gets a skewed interval.

Amounts in different currencies are never added up: spend is forecast per currency.
Days a campaign reported nothing count as nothing spent and nothing converted.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from studio.core.db.raw import Raw
from studio.core.errors import BadInput

SEASON = 7
MIN_DAYS = 4 * SEASON  # two weeks to start the season and trend, one to settle, one to learn the errors from
BURN_IN = SEASON  # one-step errors of the first week only reflect the rough start
METRICS = ("spend", "conversions")
BY = ("platform", "campaign")
ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
TREND_SHARES = (0.0, 0.01, 0.05, 0.1, 0.3)  # β as a share of α
GAMMAS = (0.0, 0.05, 0.1, 0.2, 0.4)


def forecast(source, metric: str = "spend", horizon: int = 14, by: str | None = None, *, platform: str | None = None,
             level: float = 0.9) -> pd.DataFrame:
    """Columns: the group columns (by, and currency where there is one), date, value, low, high.

    `source` is a library or a DataFrame with date and value columns (and the `by` column, any name)."""
    if metric not in METRICS:
        raise BadInput(f"Cannot forecast {metric!r}; choose {' or '.join(METRICS)}.")
    if horizon < 1 or horizon > 366:
        raise BadInput(f"Forecast 1 to 366 days ahead (got {horizon}); 14 and 30 are the usual.")
    if by is not None and by not in BY and not isinstance(source, pd.DataFrame):
        raise BadInput(f"Cannot forecast by {by!r}; choose {' or '.join(BY)}, or nothing for the total.")
    if not 0 < level < 1:
        raise BadInput(f"The interval level must be between 0 and 1 (got {level}); 0.9 is a 90 % interval.")
    frame = source if isinstance(source, pd.DataFrame) else _daily(source, metric, by, platform)
    keys = [k for k in (by, "currency") if k and (k == by or k in frame.columns)]
    wide = _wide(frame, keys)
    fit = fit_holt_winters(wide.to_numpy())
    values, low, high = fit.predict(horizon, level)
    values, low, high = (np.maximum(x, 0.0) for x in (values, low, high))  # spend and conversions are never negative
    days = pd.date_range(wide.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
    parts = []
    for i, group in enumerate(wide.columns):
        part = pd.DataFrame({"date": days, "value": values[:, i], "low": low[:, i], "high": high[:, i]})
        for key, name in zip(keys, group if isinstance(group, tuple) else (group,)):
            part.insert(len(part.columns) - 4, key, name)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _daily(lib, metric: str, by: str | None, platform: str | None) -> pd.DataFrame:
    groups = [g for g in (by, "currency" if metric == "spend" else None) if g]
    columns = ", ".join([*groups, "date"])
    sql = (f"SELECT {columns}, sum({metric}) AS value FROM campaign_days" + (" WHERE platform = ?" if platform else "")
           + f" GROUP BY {columns}")
    with lib.read() as conn:
        rows = Raw(conn).rows(sql, (platform,) if platform else ())
    if not rows:
        raise BadInput("No facts to forecast from: `studio analytics ingest FILE` imports a report.")
    return pd.DataFrame(rows, columns=[*groups, "date", "value"])


def _wide(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """day × series, every day from the first to the last, series with too little history left out."""
    missing = [c for c in ("date", "value", *keys) if c not in frame.columns]
    if missing:
        raise BadInput(f"The daily data has no {', '.join(missing)} column(s); it needs date, value and the columns to group by.")
    data = frame.assign(date=pd.to_datetime(frame["date"], errors="coerce"), value=pd.to_numeric(frame["value"], errors="coerce"))
    if data["date"].isna().any() or data["value"].isna().any():
        raise BadInput("Some days have a date or a value that cannot be read; fix those rows first.")
    wide = (data.pivot_table(index="date", columns=keys, values="value", aggfunc="sum") if keys
            else data.groupby("date")["value"].sum().to_frame("total"))
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="D"))
    started = wide.notna().cumsum() > 0
    wide = wide.where(~started, wide.fillna(0.0))  # before a series starts it is unknown, after it a gap is a zero
    long_enough = wide.notna().sum() >= MIN_DAYS
    if not long_enough.any():
        raise BadInput(f"A forecast needs at least {MIN_DAYS} days of daily data; there are {int(wide.notna().sum().max())}.")
    return wide.loc[:, long_enough]


@dataclass(frozen=True)
class HoltWinters:
    """Fitted states and weights of many series (columns) at once."""

    level: np.ndarray  # (series,)
    trend: np.ndarray
    season: np.ndarray  # (SEASON, series), by day index mod SEASON
    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    errors: np.ndarray  # one-step errors after the burn-in, (days, series), NaN where a series had not started
    last: int  # index of the last fitted day

    def predict(self, horizon: int, level: float = 0.9):
        """(value, low, high), each (horizon, series)."""
        h = np.arange(1, horizon + 1)[:, None]
        season = self.season[(self.last + h[:, 0]) % SEASON]
        value = self.level + h * self.trend + season
        j = np.arange(1, horizon)[:, None]
        c = self.alpha + j * self.beta + self.gamma * (j % SEASON == 0)
        growth = np.sqrt(1.0 + np.concatenate([np.zeros((1, c.shape[1])), np.cumsum(c ** 2, axis=0)]))
        sigma = np.sqrt(np.nanmean(self.errors ** 2, axis=0))
        with np.errstate(invalid="ignore"):
            standard = self.errors / np.where(sigma > 0, sigma, 1.0)
        tails = np.nanquantile(standard, [(1 - level) / 2, (1 + level) / 2], axis=0)
        return value, value + tails[0] * sigma * growth, value + tails[1] * sigma * growth


def fit_holt_winters(y: np.ndarray) -> HoltWinters:
    """Fit ETS(A,A,A) with a weekly season to each column of y (days × series; leading NaNs: not started yet)."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    start = np.argmax(~np.isnan(y), axis=0)  # first day of each series
    series = np.arange(y.shape[1])
    first, second = (np.stack([y[start + d + w * SEASON, series] for d in range(SEASON)]) for w in (0, 1))
    trend = (second.mean(axis=0) - first.mean(axis=0)) / SEASON
    level = second.mean(axis=0) + 3 * trend  # a week's mean sits on its middle day; the level wanted is its last
    season = np.empty((SEASON, y.shape[1]))  # by day index mod SEASON
    season[(start + np.arange(SEASON)[:, None]) % SEASON, series] = ((first - first.mean(axis=0)) + (second - second.mean(axis=0))) / 2
    initial = (level, trend, season)
    grid = np.array([(a, a * share, g) for a, share, g in itertools.product(ALPHAS, TREND_SHARES, GAMMAS) if g <= 1 - a])
    sse = _run(y, start, initial, *(grid[:, i, None] for i in range(3)))[3]
    alpha, beta, gamma = (grid[np.argmin(sse, axis=0), i][None, :] for i in range(3))
    level, trend, season, _, errors = _run(y, start, initial, alpha, beta, gamma, keep_errors=True)
    return HoltWinters(level[0], trend[0], season[:, 0], alpha[0], beta[0], gamma[0], errors[:, 0], y.shape[0] - 1)


def _run(y, start, initial, alpha, beta, gamma, keep_errors: bool = False):
    """The error-correction recursion for weights of shape (grid points or 1, 1 or series), from each series'
    third week on. Returns the final level, trend and season, the sum of squared one-step errors after the
    burn-in, and (keep_errors) those errors by day."""
    shape = np.broadcast_shapes(alpha.shape, (1, y.shape[1]))
    level, trend = (np.broadcast_to(x, shape).copy() for x in initial[:2])
    season = np.broadcast_to(initial[2][:, None, :], (SEASON, *shape)).copy()
    sse = np.zeros(shape)
    errors = np.full((y.shape[0], *shape), np.nan) if keep_errors else None
    for t in range(int(start.min()) + 2 * SEASON, y.shape[0]):
        active = t >= start + 2 * SEASON  # series that start later keep their initial states until then
        slot = t % SEASON
        e = np.where(active, y[t] - (level + trend + season[slot]), 0.0)
        level = np.where(active, level + trend + alpha * e, level)
        trend = trend + beta * e
        season[slot] += gamma * e
        counted = t >= start + 2 * SEASON + BURN_IN
        sse += np.where(counted, e * e, 0.0)
        if keep_errors:
            errors[t] = np.where(counted, e, np.nan)
    return level, trend, season, sse, errors
