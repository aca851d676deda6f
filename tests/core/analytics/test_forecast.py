"""Forecasts: agree with statsmodels' ETS (a test-only oracle), intervals cover what they promise,
and from the library spend stays apart by currency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from studio.core.analytics.forecast import forecast
from studio.core.errors import BadInput
from tests.core.analytics.test_anomalies import daily_facts, stock

WEEK = np.array([0.0, 10, 20, 10, 0, -30, -40])


def trend_and_season(seed: int, days: int, noise: float = 15.0) -> np.ndarray:
    t = np.arange(days)
    return 300 + 1.0 * t + WEEK[t % 7] + np.random.default_rng(seed).normal(0, noise, days)


def ets_process(rng, days: int, alpha=0.3, beta=0.02, gamma=0.1, sigma=10.0) -> np.ndarray:
    """Series drawn from ETS(A,A,A) itself, so the model's interval is the right one."""
    level, trend, season = 500.0, 0.5, list(WEEK)
    y = np.empty(days)
    for t in range(days):
        e = rng.normal(0, sigma)
        y[t] = level + trend + season[t % 7] + e
        level, trend = level + trend + alpha * e, trend + beta * e
        season[t % 7] += gamma * e
    return y


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_statsmodels_ets(seed):
    days = 140
    y = trend_and_season(seed, days)
    ours = forecast(pd.DataFrame({"date": pd.date_range("2026-01-05", periods=days), "value": y}), horizon=14)
    model = ETSModel(pd.Series(y, index=pd.date_range("2026-01-05", periods=days, freq="D")), error="add", trend="add",
                     seasonal="add", seasonal_periods=7).fit(disp=False)
    oracle = model.get_prediction(start=days, end=days + 13).summary_frame(alpha=0.1)
    assert list(ours["date"]) == list(pd.date_range("2026-05-25", periods=14))
    level = y[-28:].mean()
    assert np.abs(ours["value"].to_numpy() - oracle["mean"].to_numpy()).mean() < 0.02 * level
    ratio = (ours["high"] - ours["low"]).to_numpy() / (oracle["pi_upper"] - oracle["pi_lower"]).to_numpy()
    assert 0.7 < ratio.mean() < 1.3
    assert (ours["low"] < ours["value"]).all() and (ours["value"] < ours["high"]).all()


def test_a_90_percent_interval_covers_about_90_percent():
    rng = np.random.default_rng(7)
    days, horizon, runs = 112, 14, 300
    series = np.stack([ets_process(rng, days + horizon) for _ in range(runs)], axis=1)
    frame = pd.DataFrame({"date": np.tile(pd.date_range("2026-01-05", periods=days), runs),
                          "series": np.repeat(np.arange(runs), days), "value": series[:days].T.ravel()})
    out = forecast(frame, horizon=horizon, by="series", level=0.9)
    low, high = (out.pivot(index="date", columns="series", values=c).to_numpy() for c in ("low", "high"))
    actual = series[days:]
    inside = (low <= actual) & (actual <= high)
    assert 0.8 <= inside.mean() <= 0.95
    # the interval widens with the horizon, so the last days are covered about as often as the first
    assert inside[-4:].mean() > 0.75 and (high - low)[-1].mean() > 1.2 * (high - low)[0].mean()


def test_from_the_library_by_platform_and_currency(lib):
    stock(lib, daily_facts("Summer Sale", seed=1), daily_facts("Search", seed=2, platform="google"),
          daily_facts("Global", seed=3, currency="USD", spend=1000.0))
    out = forecast(lib, metric="spend", horizon=30, by="platform")
    assert sorted(out.groupby(["platform", "currency"]).size().items()) == [
        (("google", "EUR"), 30), (("meta", "EUR"), 30), (("meta", "USD"), 30)]
    assert list(out.columns) == ["platform", "currency", "date", "value", "low", "high"]
    assert out["date"].min() == pd.Timestamp("2026-04-27")  # the day after the last fact
    usd = out[out.currency == "USD"]
    weekday = usd[usd.date.dt.day_of_week == 2]["value"]  # Wednesdays: 1.1 × 1,000
    assert weekday.to_numpy() == pytest.approx(1100, rel=0.1)
    saturday = usd[usd.date.dt.day_of_week == 5]["value"]
    assert saturday.to_numpy() == pytest.approx(600, rel=0.15)
    total = forecast(lib, metric="conversions", horizon=14)
    assert list(total.columns) == ["date", "value", "low", "high"] and len(total) == 14  # counts add up across currencies
    assert (total["low"] >= 0).all()


def test_bad_input(lib, tmp_path):
    with pytest.raises(BadInput, match="No facts to forecast from"):
        forecast(lib)
    short = pd.DataFrame({"date": pd.date_range("2026-01-01", periods=20), "value": 1.0})
    with pytest.raises(BadInput, match="at least 28 days of daily data; there are 20"):
        forecast(short)
    with pytest.raises(BadInput, match="choose spend or conversions"):
        forecast(short, metric="clicks")
    with pytest.raises(BadInput, match="choose platform or campaign"):
        forecast(lib, by="ad")
    with pytest.raises(BadInput, match="no ad column"):
        forecast(short, by="ad")
    with pytest.raises(BadInput, match="cannot be read"):
        forecast(pd.DataFrame({"date": ["2026-01-01", "someday"], "value": [1, 2]}))
