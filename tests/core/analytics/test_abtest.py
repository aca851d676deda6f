"""A/B statistics cross-checked against scipy and statsmodels, the Bayesian read against a seeded
Monte Carlo, and the sequential test against peeking with a plain z-test on simulated A/A tests."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from studio.core.analytics import abtest
from studio.core.errors import BadInput

proportion = pytest.importorskip("statsmodels.stats.proportion", reason="statsmodels is a test extra")
power = pytest.importorskip("statsmodels.stats.power")


def test_sample_size_matches_the_planning_rule_of_thumb_and_statsmodels():
    n = abtest.sample_size(0.05, 0.10)
    assert 31_000 < n < 31_400  # a 5 % baseline needs about 31.2k per arm for +10 %
    effect = proportion.proportion_effectsize(0.055, 0.05)
    theirs = power.NormalIndPower().solve_power(effect_size=effect, alpha=0.05, power=0.8, ratio=1.0)
    assert n == pytest.approx(theirs, rel=0.01)
    assert abtest.sample_size(0.05, 0.005, relative=False) == n
    assert abtest.sample_size(0.05, 0.10, power=0.9) > n


def test_minimum_detectable_effect_inverts_the_sample_size():
    lift = abtest.minimum_detectable_effect(0.05, 31_234)
    assert lift == pytest.approx(0.10, rel=1e-3)
    assert abtest.minimum_detectable_effect(0.05, 4 * 31_234) == pytest.approx(0.05, rel=0.05)


@pytest.mark.parametrize("alternative, theirs", [("two-sided", "two-sided"), ("larger", "larger"), ("smaller", "smaller")])
def test_z_test_matches_statsmodels(alternative, theirs):
    result = abtest.two_proportion_ztest(200, 5000, 245, 5000, alternative=alternative)
    z, p = proportion.proportions_ztest([245, 200], [5000, 5000], alternative=theirs)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(p)
    low, high = proportion.confint_proportions_2indep(245, 5000, 200, 5000, method="wald")
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))
    assert result.relative_lift == pytest.approx(0.225)


def test_welch_matches_scipy_from_summary_statistics():
    result = abtest.welch_ttest(12.0, 4.0, 80, 13.5, 6.5, 60)
    theirs = stats.ttest_ind_from_stats(13.5, 6.5, 60, 12.0, 4.0, 80, equal_var=False)
    assert result.statistic == pytest.approx(theirs.statistic)
    assert result.p_value == pytest.approx(theirs.pvalue)
    rng = np.random.default_rng(3)
    a, b = rng.normal(10, 2, 40), rng.normal(11, 5, 55)
    from_data = abtest.welch_ttest(a.mean(), a.std(ddof=1), 40, b.mean(), b.std(ddof=1), 55, alternative="larger")
    assert from_data.p_value == pytest.approx(stats.ttest_ind(b, a, equal_var=False, alternative="greater").pvalue)


def test_bayesian_read_matches_a_seeded_monte_carlo():
    result = abtest.bayesian(200, 5000, 235, 5000)
    rng = np.random.default_rng(11)
    a = rng.beta(201, 4801, 2_000_000)
    b = rng.beta(236, 4766, 2_000_000)
    assert result.chance_to_beat_control == pytest.approx((b > a).mean(), abs=2e-3)
    assert result.expected_loss_b == pytest.approx(np.maximum(a - b, 0).mean(), rel=0.02)
    assert result.expected_loss_a == pytest.approx(np.maximum(b - a, 0).mean(), rel=0.02)
    assert result.ci_b_minus_a == pytest.approx(tuple(np.quantile(b - a, [0.025, 0.975])), abs=2e-4)


def test_identical_arms_are_a_coin_flip_with_equal_losses():
    result = abtest.bayesian(50, 1000, 50, 1000)
    assert result.chance_to_beat_control == pytest.approx(0.5, abs=1e-6)
    assert result.expected_loss_a == pytest.approx(result.expected_loss_b, rel=1e-6)


def test_sample_ratio_mismatch_matches_scipy_and_flags_a_broken_split():
    healthy = abtest.sample_ratio_mismatch([5000, 5050])
    assert healthy.p_value == pytest.approx(stats.chisquare([5000, 5050]).pvalue)
    assert not healthy.mismatch
    broken = abtest.sample_ratio_mismatch([5000, 5400])
    assert broken.mismatch
    planned = abtest.sample_ratio_mismatch([9000, 1000], weights=[90, 10])
    assert planned.p_value == pytest.approx(1.0) and planned.expected == (9000, 1000)


def simulated_looks(rate_a: float, rate_b: float, experiments: int = 3000, looks: int = 10, per_look: int = 2000):
    rng = np.random.default_rng(5)
    conv_a = rng.binomial(per_look, rate_a, (experiments, looks)).cumsum(axis=1)
    conv_b = rng.binomial(per_look, rate_b, (experiments, looks)).cumsum(axis=1)
    n = np.arange(1, looks + 1) * per_look
    return conv_a, n, conv_b, n


def test_the_sequential_test_survives_peeking_where_a_z_test_does_not():
    conv_a, n_a, conv_b, n_b = simulated_looks(0.05, 0.05)
    always_valid = abtest.msprt_pvalues(conv_a, n_a, conv_b, n_b)
    false_alarms = (always_valid[:, -1] < 0.05).mean()  # the running minimum: stopped at any look
    assert false_alarms <= 0.05
    pooled = (conv_a + conv_b) / (n_a + n_b)
    z = (conv_b / n_b - conv_a / n_a) / np.sqrt(pooled * (1 - pooled) * 2 / n_a)
    peeking = (2 * stats.norm.sf(np.abs(z)) < 0.05).any(axis=1).mean()
    assert peeking > 0.1  # re-reading a fixed-horizon test ten times inflates 5 % well past 10 %


def test_the_sequential_test_finds_a_real_lift_and_p_values_never_go_back_up():
    conv_a, n_a, conv_b, n_b = simulated_looks(0.05, 0.06, experiments=500)
    p = abtest.msprt_pvalues(conv_a, n_a, conv_b, n_b)
    assert (np.diff(p, axis=1) <= 0).all()
    assert (p[:, -1] < 0.05).mean() > 0.7


@pytest.mark.parametrize("call, message", [
    (lambda: abtest.two_proportion_ztest(10, 5, 1, 100), "Arm A needs 0 <= conversions <= visitors"),
    (lambda: abtest.two_proportion_ztest(1, 100, 1, 0), "Arm B"),
    (lambda: abtest.sample_size(5, 0.1), "between 0 and 1"),
    (lambda: abtest.sample_size(0.5, 1.5), "rate the variant should reach"),
    (lambda: abtest.sample_size(0.05, 0), "must not be zero"),
    (lambda: abtest.minimum_detectable_effect(0.05, 1), "at least two visitors"),
    (lambda: abtest.minimum_detectable_effect(0.9, 3), "cannot detect any lift"),
    (lambda: abtest.welch_ttest(1, 0, 10, 1, 0, 10), "no spread"),
    (lambda: abtest.two_proportion_ztest(1, 10, 2, 10, alternative="bigger"), "Unknown alternative"),
    (lambda: abtest.sample_ratio_mismatch([100]), "at least two arms"),
    (lambda: abtest.sample_ratio_mismatch([100, 100], weights=[1]), "one positive planned weight"),
    (lambda: abtest.msprt_pvalues([5], [10], [20], [10]), "conversions <= visitors"),
])
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(BadInput, match=message):
        call()
