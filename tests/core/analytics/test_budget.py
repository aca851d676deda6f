"""Response curves fitted on synthetic daily data made from known parameters, and budget splits
checked against a brute-force search over the same curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.core.analytics import budget as B
from studio.core.errors import BadInput

# decay, half-saturation, shape, ceiling
TRUTH = {"search": (0.3, 900.0, 1.5, 4000.0), "social": (0.6, 1500.0, 2.2, 5000.0), "video": (0.75, 2500.0, 2.8, 6000.0)}


def synthetic(seed: int = 2, days: int = 365, noise: float = 0.03) -> pd.DataFrame:
    """Daily spend that ranges from nothing to well past saturation; revenue with 3 % noise."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-01", periods=days)
    frames = []
    for channel, (decay, half, shape, beta) in TRUTH.items():
        spend = rng.uniform(0, 1, days) ** 1.3 * half * (1 - decay) * 3
        spend[rng.random(days) < 0.1] = 0
        revenue = B.ResponseCurve(channel, decay, half, shape, beta).predict(spend) * (1 + rng.normal(0, noise, days))
        frames.append(pd.DataFrame({"date": dates, "channel": channel, "spend": spend, "revenue": revenue}))
    return pd.concat(frames, ignore_index=True).sample(frac=1, random_state=1)  # row order must not matter


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return synthetic()


@pytest.fixture(scope="module")
def curves(frame) -> dict[str, B.ResponseCurve]:
    return B.fit_curves(frame)


def test_adstock_and_hill_follow_their_definitions():
    assert B.adstock([100, 0, 0, 50], 0.5).tolist() == [100, 50, 25, 62.5]
    assert B.hill(np.array([0.0, 10.0, 1e12]), 10.0, 2.0).tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert B.hill(30.0, 10.0, 2.0) == pytest.approx(900 / 1000)


def test_the_fit_recovers_every_known_parameter_within_10_percent(curves):
    assert sorted(curves) == sorted(TRUTH)
    for channel, truth in TRUTH.items():
        curve = curves[channel]
        fitted = (curve.decay, curve.half_saturation, curve.shape, curve.beta)
        assert np.allclose(fitted, truth, rtol=0.10), (channel, fitted)


def test_the_split_is_as_good_as_a_brute_force_search_and_sums_to_the_budget(curves):
    plan = B.allocate(curves, 3000)
    assert plan.total_spend == pytest.approx(3000)
    grid = np.arange(0, 3001, 25.0)
    best = max(curves["search"].daily_revenue(a) + curves["social"].daily_revenue(b) + curves["video"].daily_revenue(3000 - a - b)
               for a in grid for b in grid if a + b <= 3000)
    assert plan.total_revenue >= best - 1e-6 * best
    assert plan.total_revenue == pytest.approx(sum(plan.revenue.values()))


def test_minimums_and_maximums_are_kept(curves):
    plan = B.allocate(curves, 3000, minimum={"search": 1200}, maximum={"video": 300})
    assert plan.spend["search"] >= 1200 - 1e-6
    assert plan.spend["video"] <= 300 + 1e-6
    assert sum(plan.spend.values()) == pytest.approx(3000)


def test_a_target_roas_spends_only_as_much_as_keeps_the_return(curves):
    free = B.allocate(curves, 3000)
    target = free.roas * 1.2
    plan = B.allocate(curves, 3000, target_roas=target)
    assert plan.total_spend < 3000
    assert plan.roas == pytest.approx(target, rel=0.01)
    assert B.allocate(curves, 3000, target_roas=free.roas * 0.5).total_spend == pytest.approx(3000)


def test_the_band_from_refitted_curves_holds_the_expected_and_the_true_revenue(frame, curves):
    samples = B.bootstrap_curves(frame, curves, n=20, seed=4)
    plan = B.allocate(curves, 3000, uncertainty=samples)
    truth = sum(B.ResponseCurve(ch, *TRUTH[ch]).daily_revenue(s) for ch, s in plan.spend.items())
    assert plan.revenue_low < plan.total_revenue < plan.revenue_high
    assert plan.revenue_low <= truth <= plan.revenue_high
    assert plan.revenue_high - plan.revenue_low < 0.05 * plan.total_revenue


def test_plan_budget_runs_the_whole_chain_with_other_column_names(frame):
    renamed = frame.rename(columns={"date": "day", "spend": "cost", "revenue": "conversion_value"})
    plan = B.plan_budget(renamed, 2000, samples=5, date="day", spend="cost", revenue="conversion_value")
    assert plan.total_spend == pytest.approx(2000)
    assert set(plan.curves) == set(TRUTH)


@pytest.mark.parametrize("kwargs, message", [
    ({"total": 100, "minimum": {"search": 200}}, "cannot cover the minimums"),
    ({"total": 3000, "maximum": {"search": 1, "social": 1, "video": 1}}, "more than the maximums allow"),
    ({"total": 3000, "minimum": {"tv": 10}}, "No spend data for tv; the channels are search, social, video"),
    ({"total": 3000, "target_roas": 1000}, "No split of this budget reaches a ROAS of 1000"),
    ({"total": 3000, "target_roas": -1}, "must be positive"),
])
def test_impossible_budgets_say_what_to_change(curves, kwargs, message):
    with pytest.raises(BadInput, match=message):
        B.allocate(curves, **kwargs)


def test_data_that_cannot_support_a_curve_is_refused():
    with pytest.raises(BadInput, match="at least 21"):
        B.fit_curve(np.ones(10), np.ones(10), "search")
    with pytest.raises(BadInput, match="barely varies"):
        B.fit_curve(np.full(60, 100.0), np.full(60, 300.0), "search")
    with pytest.raises(BadInput, match="zero or more"):
        B.fit_curve(np.r_[-1.0, np.arange(59.0)], np.arange(60.0), "search")
    bad = pd.DataFrame({"date": ["2025-01-01", "someday"], "channel": ["a", "a"], "spend": [1, 2], "revenue": [3, 4]})
    with pytest.raises(BadInput, match="Rows 3 of the daily data"):
        B.fit_curves(bad)
    with pytest.raises(BadInput, match="no revenue column"):
        B.fit_curves(bad.drop(columns="revenue"))
