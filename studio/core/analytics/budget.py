"""Budget optimizer: per-channel response curves and the split of a budget across channels.

Each channel's daily revenue is modelled as beta · hill(adstock(spend)): geometric adstock
carries part of each day's spend into the next days, and a Hill curve saturates it. Curves are
fitted per channel from daily spend and revenue (the conversion value each platform reports),
bounded least squares from a grid of starts. A budget is split to maximize predicted revenue
within per-channel minimum and maximum spends (SLSQP from several starts), or cut back until a
target ROAS is reached. The spread of the expected revenue comes from refitting the curves on
block-bootstrapped residuals.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, signal, special

from studio.core.errors import BadInput

MIN_DAYS = 21
DECAY_MAX = 0.95
SHAPE_BOUNDS = (0.5, 5.0)
BLOCK_DAYS = 7  # residuals are resampled a week at a time: adstock makes neighbouring days alike


def adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    """Geometric adstock: today's effective spend is today's plus `decay` times yesterday's."""
    return signal.lfilter([1.0], [1.0, -decay], np.asarray(spend, dtype=float))


def hill(x: np.ndarray, half_saturation: float, shape: float) -> np.ndarray:
    """x^shape / (x^shape + half^shape), written in logs so that zero and huge spends stay finite."""
    with np.errstate(divide="ignore"):
        return special.expit(shape * (np.log(np.maximum(np.asarray(x, dtype=float), 0.0)) - np.log(half_saturation)))


@dataclass(frozen=True)
class ResponseCurve:
    channel: str
    decay: float  # share of a day's spend still working the next day
    half_saturation: float  # adstocked daily spend at which half the ceiling is reached
    shape: float  # Hill slope: above 1 the curve is S-shaped
    beta: float  # revenue per day at full saturation
    residual_sd: float = 0.0

    def predict(self, spend: np.ndarray) -> np.ndarray:
        """Daily revenue for a daily spend series."""
        return self.beta * hill(adstock(spend, self.decay), self.half_saturation, self.shape)

    def daily_revenue(self, spend_per_day):
        """Revenue per day once a steady daily spend has built up its adstock."""
        return self.beta * hill(np.asarray(spend_per_day, dtype=float) / (1.0 - self.decay), self.half_saturation,
                                self.shape)


@dataclass(frozen=True)
class Plan:
    spend: dict[str, float]  # per day
    revenue: dict[str, float]  # expected per day
    total_spend: float
    total_revenue: float
    revenue_low: float  # 5th and 95th percentiles over the bootstrapped curves
    revenue_high: float
    curves: dict[str, ResponseCurve] = field(repr=False)

    @property
    def roas(self) -> float:
        return self.total_revenue / self.total_spend if self.total_spend else 0.0


# ---- fitting -------------------------------------------------------------------------------------

def fit_curve(spend, revenue, channel: str = "") -> ResponseCurve:
    """Fit decay, half-saturation, shape and ceiling for one channel's daily data."""
    spend, revenue = np.asarray(spend, dtype=float), np.asarray(revenue, dtype=float)
    _check_series(spend, revenue, channel)
    s_scale, r_scale = spend[spend > 0].mean(), max(revenue.mean(), 1e-12)
    x, y = spend / s_scale, revenue / r_scale
    starts = _grid_starts(x, y)
    best = min((_refine(x, y, start) for start in starts), key=lambda fit: fit.cost)
    return _curve(channel, best.x, s_scale, r_scale, best.fun)


def fit_curves(frame: pd.DataFrame, *, date: str = "date", channel: str = "channel", spend: str = "spend",
               revenue: str = "revenue") -> dict[str, ResponseCurve]:
    """One curve per channel from daily rows; days a channel did not run count as zero spend."""
    missing = [c for c in (date, channel, spend, revenue) if c not in frame.columns]
    if missing:
        raise BadInput(f"The daily data has no {', '.join(missing)} column(s); it needs date, channel, spend and revenue.")
    daily = _daily(frame, date, channel, spend, revenue)
    return {name: fit_curve(group["spend"].to_numpy(), group["revenue"].to_numpy(), name)
            for name, group in daily.groupby("channel", sort=True)}


def bootstrap_curves(frame: pd.DataFrame, curves: Mapping[str, ResponseCurve], n: int = 50, seed: int = 0, *,
                     date: str = "date", channel: str = "channel", spend: str = "spend",
                     revenue: str = "revenue") -> list[dict[str, ResponseCurve]]:
    """`n` alternative curve sets, refitted on the fit plus week-long blocks of resampled residuals."""
    rng = np.random.default_rng(seed)
    daily = _daily(frame, date, channel, spend, revenue)
    samples: list[dict[str, ResponseCurve]] = [{} for _ in range(n)]
    for name, group in daily.groupby("channel", sort=True):
        curve = curves[name]
        x = group["spend"].to_numpy()
        fitted = curve.predict(x)
        residuals = group["revenue"].to_numpy() - fitted
        s_scale, r_scale = x[x > 0].mean(), max(group["revenue"].mean(), 1e-12)
        start = _scaled(curve, s_scale, r_scale)
        blocks = int(np.ceil(len(x) / BLOCK_DAYS))
        for sample in samples:
            begin = rng.integers(0, max(len(x) - BLOCK_DAYS, 1), blocks)
            index = (begin[:, None] + np.arange(BLOCK_DAYS)).ravel()[:len(x)] % len(x)
            y = (fitted + residuals[index]) / r_scale
            fit = _refine(x / s_scale, y, start)
            sample[name] = _curve(name, fit.x, s_scale, r_scale, fit.fun)
    return samples


def _daily(frame, date, channel, spend, revenue) -> pd.DataFrame:
    data = pd.DataFrame({"date": pd.to_datetime(frame[date], errors="coerce"), "channel": frame[channel].astype(str),
                         "spend": pd.to_numeric(frame[spend], errors="coerce"),
                         "revenue": pd.to_numeric(frame[revenue], errors="coerce")})
    bad = data[["date", "spend", "revenue"]].isna().any(axis=1)
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise BadInput(f"Rows {rows} of the daily data have a date, spend or revenue that cannot be read.")
    data = data.groupby(["channel", "date"], as_index=False)[["spend", "revenue"]].sum()
    days = pd.date_range(data["date"].min(), data["date"].max(), freq="D")
    full = pd.MultiIndex.from_product([sorted(data["channel"].unique()), days], names=["channel", "date"])
    return data.set_index(["channel", "date"]).reindex(full, fill_value=0.0).reset_index()


def _check_series(spend: np.ndarray, revenue: np.ndarray, channel: str) -> None:
    name = f" for {channel}" if channel else ""
    if len(spend) != len(revenue):
        raise BadInput(f"Spend and revenue{name} cover different numbers of days.")
    if len(spend) < MIN_DAYS:
        raise BadInput(f"Only {len(spend)} days of data{name}; a response curve needs at least {MIN_DAYS}.")
    if not (np.isfinite(spend).all() and np.isfinite(revenue).all()) or (spend < 0).any() or (revenue < 0).any():
        raise BadInput(f"Spend and revenue{name} must be numbers of zero or more.")
    if np.count_nonzero(spend) < MIN_DAYS // 2 or np.ptp(spend[spend > 0]) == 0:
        raise BadInput(f"Spend{name} barely varies, so its effect on revenue cannot be told apart; "
                       "a curve needs weeks with different spend levels.")


def _model(params, x):
    decay, half, shape, beta = params
    return beta * hill(adstock(x, decay), half, shape)


def _grid_starts(x, y, keep: int = 3):
    """The best few of a coarse grid, with the ceiling solved exactly for each point."""
    scored = []
    for decay, shape in itertools.product((0.0, 0.25, 0.5, 0.75), (1.0, 2.0, 3.0)):
        stocked = adstock(x, decay)
        for half in np.quantile(stocked[stocked > 0], (0.25, 0.5, 0.75, 0.95)) * (1.0, 1.0, 1.0, 2.0):
            h = hill(stocked, half, shape)
            beta = float(h @ y / max(h @ h, 1e-12))
            scored.append((float(((y - beta * h) ** 2).sum()), (decay, half, shape, beta)))
    scored.sort(key=lambda item: item[0])
    return [start for _, start in scored[:keep]]


def _bounds(x):
    top = adstock(x, DECAY_MAX).max()
    return ([0.0, 1e-3, SHAPE_BOUNDS[0], 0.0], [DECAY_MAX, 10.0 * top, SHAPE_BOUNDS[1], 1e3])


def _refine(x, y, start):
    low, high = _bounds(x)
    start = np.clip(start, np.add(low, 1e-9), np.subtract(high, 1e-9))
    return optimize.least_squares(lambda p: _model(p, x) - y, start, bounds=(low, high), x_scale="jac",
                                  method="trf", max_nfev=400)


def _curve(channel, params, s_scale, r_scale, residuals) -> ResponseCurve:
    decay, half, shape, beta = params
    return ResponseCurve(channel, float(decay), float(half * s_scale), float(shape), float(beta * r_scale),
                         float(np.std(residuals) * r_scale))


def _scaled(curve: ResponseCurve, s_scale: float, r_scale: float) -> np.ndarray:
    return np.array([curve.decay, curve.half_saturation / s_scale, curve.shape, curve.beta / r_scale])


# ---- allocation ----------------------------------------------------------------------------------

def allocate(curves: Mapping[str, ResponseCurve], total: float, *, minimum: Mapping[str, float] | None = None,
             maximum: Mapping[str, float] | None = None, target_roas: float | None = None,
             uncertainty: list[Mapping[str, ResponseCurve]] = ()) -> Plan:
    """Split a daily budget to maximize revenue; with `target_roas`, spend only as much of it as
    keeps the return at or above the target. `uncertainty` (from `bootstrap_curves`) sets the band."""
    names = sorted(curves)
    low, high = _limits(names, total, minimum or {}, maximum or {})
    if target_roas is None:
        spend = _best_split(curves, names, total, low, high)
    else:
        spend = _split_for_roas(curves, names, total, low, high, target_roas)
    revenue = {n: float(curves[n].daily_revenue(s)) for n, s in zip(names, spend)}
    outcomes = [sum(float(sample[n].daily_revenue(s)) for n, s in zip(names, spend)) for sample in uncertainty]
    expected = sum(revenue.values())
    band = np.percentile(outcomes, [5, 95]) if outcomes else (expected, expected)
    return Plan(dict(zip(names, map(float, spend))), revenue, float(spend.sum()), expected, float(band[0]),
                float(band[1]), dict(curves))


def plan_budget(frame: pd.DataFrame, total: float, *, minimum=None, maximum=None, target_roas=None,
                samples: int = 50, seed: int = 0, **columns) -> Plan:
    """Fit, bootstrap and allocate in one call (the `studio analytics budget` command)."""
    curves = fit_curves(frame, **columns)
    return allocate(curves, total, minimum=minimum, maximum=maximum, target_roas=target_roas,
                    uncertainty=bootstrap_curves(frame, curves, samples, seed, **columns))


def _limits(names, total, minimum, maximum):
    unknown = sorted((set(minimum) | set(maximum)) - set(names))
    if unknown:
        raise BadInput(f"No spend data for {', '.join(unknown)}; the channels are {', '.join(names)}.")
    low = np.array([float(minimum.get(n, 0.0)) for n in names])
    high = np.array([float(maximum.get(n, np.inf)) for n in names])
    if (low < 0).any() or (low > high).any():
        raise BadInput("Each channel's minimum must be zero or more and not above its maximum.")
    if total < low.sum() or total <= 0:
        raise BadInput(f"A budget of {total:,.2f} cannot cover the minimums, which add up to {low.sum():,.2f}.")
    if total > high.sum():
        raise BadInput(f"A budget of {total:,.2f} is more than the maximums allow ({high.sum():,.2f}); "
                       "raise a maximum or lower the budget.")
    return low, np.minimum(high, total)


def _best_split(curves, names, total, low, high) -> np.ndarray:
    """SLSQP from a few starts (the Hill curve's S-shape gives local optima), best one kept.
    It works on shares of the budget so that its tolerances mean the same at any budget."""

    def negative(share):
        return -sum(float(curves[n].daily_revenue(v * total)) for n, v in zip(names, share))

    best = None
    for start in _starts(curves, names, total, low, high):
        result = optimize.minimize(negative, start / total, method="SLSQP", bounds=list(zip(low / total, high / total)),
                                   constraints=[{"type": "eq", "fun": lambda share: share.sum() - 1.0}],
                                   options={"ftol": 1e-12, "maxiter": 500})
        share = _repair(result.x, low / total, high / total, 1.0)
        if best is None or negative(share) < negative(best):
            best = share
    return best * total


def _starts(curves, names, total, low, high):
    """Even split, split by half-saturation points and a greedy marginal-return split."""
    halves = np.array([curves[n].half_saturation * (1 - curves[n].decay) for n in names])
    yield _repair(np.full(len(names), total / len(names)), low, high, total)
    yield _repair(total * halves / halves.sum(), low, high, total)
    spend = low.copy()
    step = (total - low.sum()) / 200
    for _ in range(200):
        room = high - spend >= step
        if not room.any():
            break
        gain = np.array([curves[n].daily_revenue(s + step) - curves[n].daily_revenue(s) for n, s in zip(names, spend)])
        spend[np.argmax(np.where(room, gain, -np.inf))] += step
    yield _repair(spend, low, high, total)


def _repair(x, low, high, total) -> np.ndarray:
    """Clip to the limits and spread what is left over (or missing) on channels with room."""
    x = np.clip(x, low, high)
    for _ in range(len(x) + 1):
        gap = total - x.sum()
        room = (high - x) if gap > 0 else (x - low)
        if abs(gap) < 1e-9 * max(total, 1.0) or room.sum() <= 0:
            break
        x = np.clip(x + gap * room / room.sum(), low, high)
    return x


def _split_for_roas(curves, names, total, low, high, target) -> np.ndarray:
    """The largest budget up to `total` whose best split still returns `target` per unit spent."""
    if target <= 0:
        raise BadInput(f"The target ROAS must be positive (got {target}).")

    def best(budget):
        spend = _best_split(curves, names, budget, low, np.minimum(high, budget))
        return spend, sum(float(curves[n].daily_revenue(s)) for n, s in zip(names, spend)) / budget

    spend, roas = best(total)
    if roas >= target:
        return spend
    # the return of the best split usually falls as the budget grows; past an S-curve's foot it
    # first rises, so look along the range for the best return before bisecting down from total
    floor = max(low.sum(), total * 1e-3)
    budgets = np.geomspace(floor, total, 12)[:-1]
    tried = [(b, *best(b)) for b in budgets]
    good = [t for t in tried if t[2] >= target]
    if not good:
        top = max(tried, key=lambda t: t[2])
        raise BadInput(f"No split of this budget reaches a ROAS of {target:g}; the best is {top[2]:.2f} "
                       f"at {top[0]:,.2f} a day. Lower the target or loosen the minimums.")
    ok, ok_spend = good[-1][0], good[-1][1]
    fail = next(b for b in list(budgets) + [total] if b > ok)
    for _ in range(30):
        middle = (ok + fail) / 2
        spend, roas = best(middle)
        if roas >= target:
            ok, ok_spend = middle, spend
        else:
            fail = middle
        if fail - ok < 1e-4 * total:
            break
    return ok_spend
