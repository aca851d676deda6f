"""A/B test statistics for ad and landing-page experiments.

Plan (sample size, minimum detectable effect), read at a fixed horizon (two-proportion z-test,
Welch t-test), read the Bayesian way (chance to beat control, expected loss), check the split
(sample-ratio mismatch) and, for people who look before the end, a sequential test whose
p-values stay valid however often they look (mSPRT, Johari et al. 2017).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, stats

from studio.core.errors import BadInput

SRM_ALPHA = 0.001  # the usual gate: a mismatch this unlikely means the split itself is broken


@dataclass(frozen=True)
class TestResult:
    effect: float  # B minus A (difference of rates or means)
    relative_lift: float  # effect / A, nan when A is zero
    statistic: float
    p_value: float
    ci_low: float  # confidence interval of the effect
    ci_high: float
    significant: bool


@dataclass(frozen=True)
class BayesResult:
    chance_to_beat_control: float  # P(rate B > rate A)
    expected_loss_b: float  # rate given up, on average, if B is chosen and A was better
    expected_loss_a: float  # the same for keeping A
    ci_b_minus_a: tuple[float, float]  # 95 % credible interval of the difference


@dataclass(frozen=True)
class SrmResult:
    statistic: float
    p_value: float
    mismatch: bool
    expected: tuple[float, ...]


def _check_counts(conversions: int, visitors: int, arm: str) -> None:
    if visitors <= 0 or conversions < 0 or conversions > visitors:
        raise BadInput(f"Arm {arm} needs 0 <= conversions <= visitors and at least one visitor "
                       f"(got {conversions}/{visitors}). Give counts as CONVERSIONS/VISITORS, e.g. 120/4000.")


def _check_rate(rate: float, what: str) -> None:
    if not 0 < rate < 1:
        raise BadInput(f"The {what} must be a rate between 0 and 1 (got {rate}); 3.5 % is 0.035.")


def _z(alpha: float, two_sided: bool) -> float:
    return stats.norm.ppf(1 - alpha / 2 if two_sided else 1 - alpha)


# ---- planning ---------------------------------------------------------------------------------

def sample_size(baseline: float, mde: float, *, relative: bool = True, alpha: float = 0.05, power: float = 0.8,
                two_sided: bool = True) -> int:
    """Visitors per arm to detect a change of `mde` (relative to the baseline rate by default)."""
    _check_rate(baseline, "baseline conversion rate")
    target = baseline * (1 + mde) if relative else baseline + mde
    if mde == 0:
        raise BadInput("The minimum detectable effect must not be zero.")
    _check_rate(target, "rate the variant should reach")
    pooled = (baseline + target) / 2
    spread = (_z(alpha, two_sided) * math.sqrt(2 * pooled * (1 - pooled))
              + stats.norm.ppf(power) * math.sqrt(baseline * (1 - baseline) + target * (1 - target)))
    return math.ceil(spread ** 2 / (target - baseline) ** 2)


def minimum_detectable_effect(baseline: float, visitors_per_arm: int, *, alpha: float = 0.05, power: float = 0.8,
                              two_sided: bool = True) -> float:
    """The smallest relative lift a test of this size detects with the given power."""
    _check_rate(baseline, "baseline conversion rate")
    if visitors_per_arm < 2:
        raise BadInput(f"A test needs at least two visitors per arm (got {visitors_per_arm}).")

    def shortfall(lift: float) -> float:
        target = baseline * (1 + lift)
        pooled = (baseline + target) / 2
        spread = (_z(alpha, two_sided) * math.sqrt(2 * pooled * (1 - pooled))
                  + stats.norm.ppf(power) * math.sqrt(baseline * (1 - baseline) + target * (1 - target)))
        return (spread / (target - baseline)) ** 2 - visitors_per_arm

    ceiling = (1 - 1e-9) / baseline - 1
    if shortfall(ceiling) > 0:
        raise BadInput(f"{visitors_per_arm} visitors per arm cannot detect any lift from a {baseline:.2%} baseline "
                       "with this power; plan for more visitors.")
    return optimize.brentq(shortfall, 1e-9, ceiling, xtol=1e-12)


# ---- fixed-horizon tests --------------------------------------------------------------------------

def two_proportion_ztest(conv_a: int, n_a: int, conv_b: int, n_b: int, *, alpha: float = 0.05,
                         alternative: str = "two-sided") -> TestResult:
    """Pooled z-test of B's rate against A's; the interval uses the unpooled standard error."""
    _check_counts(conv_a, n_a, "A")
    _check_counts(conv_b, n_b, "B")
    p_a, p_b = conv_a / n_a, conv_b / n_b
    pooled = (conv_a + conv_b) / (n_a + n_b)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (p_b - p_a) / se_pooled if se_pooled > 0 else 0.0
    p_value = _p_value(stats.norm, z, alternative)
    se = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    half = stats.norm.ppf(1 - alpha / 2) * se
    return TestResult(p_b - p_a, (p_b - p_a) / p_a if p_a else math.nan, z, p_value,
                      p_b - p_a - half, p_b - p_a + half, p_value < alpha)


def welch_ttest(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int, *,
                alpha: float = 0.05, alternative: str = "two-sided") -> TestResult:
    """Welch's t-test from summary statistics (revenue per visitor, order value, time on page)."""
    if min(n_a, n_b) < 2 or min(sd_a, sd_b) < 0:
        raise BadInput("Welch's test needs at least two observations per arm and standard deviations >= 0.")
    var_a, var_b = sd_a ** 2 / n_a, sd_b ** 2 / n_b
    se = math.sqrt(var_a + var_b)
    if se == 0:
        raise BadInput("Both arms have no spread at all; a t-test cannot compare them.")
    dof = (var_a + var_b) ** 2 / (var_a ** 2 / (n_a - 1) + var_b ** 2 / (n_b - 1))
    t = (mean_b - mean_a) / se
    dist = stats.t(dof)
    half = dist.ppf(1 - alpha / 2) * se
    p_value = _p_value(dist, t, alternative)
    effect = mean_b - mean_a
    return TestResult(effect, effect / mean_a if mean_a else math.nan, t, p_value, effect - half, effect + half,
                      p_value < alpha)


def _p_value(dist, statistic: float, alternative: str) -> float:
    if alternative == "two-sided":
        return float(2 * dist.sf(abs(statistic)))
    if alternative == "larger":  # B above A
        return float(dist.sf(statistic))
    if alternative == "smaller":
        return float(dist.cdf(statistic))
    raise BadInput(f"Unknown alternative {alternative!r}; use two-sided, larger or smaller.")


# ---- Bayesian ----------------------------------------------------------------------------------

def bayesian(conv_a: int, n_a: int, conv_b: int, n_b: int, *, prior: tuple[float, float] = (1.0, 1.0)) -> BayesResult:
    """Beta-Binomial posteriors; chance to beat control and expected losses by 1-D quadrature."""
    _check_counts(conv_a, n_a, "A")
    _check_counts(conv_b, n_b, "B")
    a = stats.beta(prior[0] + conv_a, prior[1] + n_a - conv_a)
    b = stats.beta(prior[0] + conv_b, prior[1] + n_b - conv_b)
    lo, hi = min(a.ppf(1e-12), b.ppf(1e-12)), max(a.isf(1e-12), b.isf(1e-12))
    points = [a.mean(), b.mean()]

    def integral(f) -> float:
        return integrate.quad(f, lo, hi, points=points, limit=200, epsabs=1e-12)[0]

    chance = integral(lambda x: b.pdf(x) * a.cdf(x))
    # E[(X - y)+] for X ~ Beta(α, β) is mean·P(Beta(α+1, β) > y) - y·P(X > y)
    shifted_a = stats.beta(a.args[0] + 1, a.args[1])
    shifted_b = stats.beta(b.args[0] + 1, b.args[1])
    loss_b = integral(lambda y: b.pdf(y) * (a.mean() * shifted_a.sf(y) - y * a.sf(y)))
    loss_a = integral(lambda y: a.pdf(y) * (b.mean() * shifted_b.sf(y) - y * b.sf(y)))
    sd = math.sqrt(a.var() + b.var())  # the difference of two narrow Betas is close to normal
    diff = b.mean() - a.mean()
    return BayesResult(float(chance), float(max(loss_b, 0.0)), float(max(loss_a, 0.0)),
                       (diff - 1.959964 * sd, diff + 1.959964 * sd))


# ---- health and peeking ---------------------------------------------------------------------------

def sample_ratio_mismatch(visitors: Sequence[int], weights: Sequence[float] | None = None) -> SrmResult:
    """Chi-square test of the observed split against the planned one (equal unless `weights`)."""
    observed = np.asarray(visitors, dtype=float)
    if len(observed) < 2 or (observed < 0).any() or observed.sum() == 0:
        raise BadInput("The split check needs visitor counts (>= 0) for at least two arms.")
    weights = np.ones(len(observed)) if weights is None else np.asarray(weights, dtype=float)
    if len(weights) != len(observed) or (weights <= 0).any():
        raise BadInput("Give one positive planned weight per arm, e.g. 50/50 or 90/10.")
    expected = observed.sum() * weights / weights.sum()
    statistic = float(((observed - expected) ** 2 / expected).sum())
    p_value = float(stats.chi2.sf(statistic, len(observed) - 1))
    return SrmResult(statistic, p_value, p_value < SRM_ALPHA, tuple(expected.tolist()))


def msprt_pvalues(conv_a, n_a, conv_b, n_b, *, tau: float = 0.01) -> np.ndarray:
    """Always-valid p-values after each look, for cumulative counts given in look order.

    A normal mixture SPRT on the difference of rates with mixing standard deviation `tau`
    (about the size of effect you expect, as a difference of rates). The last axis is the look;
    leading axes (many experiments at once) broadcast. Stopping the first time p < alpha keeps
    the false-positive rate under alpha, unlike a z-test re-read at every look."""
    conv_a, n_a, conv_b, n_b = (np.asarray(x, dtype=float) for x in (conv_a, n_a, conv_b, n_b))
    if (n_a <= 0).any() or (n_b <= 0).any() or (conv_a < 0).any() or (conv_b < 0).any() \
            or (conv_a > n_a).any() or (conv_b > n_b).any():
        raise BadInput("Each look needs 0 <= conversions <= visitors and visitors > 0 in both arms.")
    if tau <= 0:
        raise BadInput(f"The mixing standard deviation tau must be positive (got {tau}).")
    p_a, p_b = conv_a / n_a, conv_b / n_b
    pooled = (conv_a + conv_b) / (n_a + n_b)
    variance = np.maximum(pooled * (1 - pooled) * (1 / n_a + 1 / n_b), 1e-12)
    t2 = tau ** 2
    log_lr = 0.5 * np.log(variance / (variance + t2)) + t2 * (p_b - p_a) ** 2 / (2 * variance * (variance + t2))
    return np.minimum.accumulate(np.minimum(1.0, np.exp(-log_lr)), axis=-1)
