"""Anomalies: planted ones are found and explained, a weekly rhythm and small numbers are not flagged."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from studio.core.analytics import store
from studio.core.analytics.anomalies import Anomaly, detect, explain
from studio.core.errors import BadInput

START = date(2026, 1, 5)  # a Monday
WEEKDAY = (1.0, 1.05, 1.1, 1.0, 0.9, 0.6, 0.55)  # spend by weekday, Monday first: weekends are quiet


def daily_facts(campaign: str, *, seed: int, days: int = 112, spend: float = 400.0, platform: str = "meta",
                currency: str = "EUR", cpm: float = 8.0, ctr: float = 0.015, cvr: float = 0.05, order_value: float = 60.0,
                spend_factor=None, cpm_factor=None) -> pd.DataFrame:
    """One campaign's daily facts with a weekly rhythm and realistic noise (Poisson clicks and conversions);
    spend_factor / cpm_factor: {day index: multiplier} to plant anomalies, a callable for steps."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(days):
        day = START + timedelta(days=i)
        spent = spend * WEEKDAY[day.weekday()] * (1 + rng.normal(0, 0.04)) * _factor(spend_factor, i)
        impressions = round(spent / (cpm * _factor(cpm_factor, i)) * 1000 * (1 + rng.normal(0, 0.03)))
        clicks = rng.poisson(impressions * ctr)
        conversions = rng.poisson(clicks * cvr)
        rows.append((platform, "", campaign, "", "", day.isoformat(), currency, round(spent, 2), impressions, np.nan, clicks,
                     np.nan, conversions, round(conversions * order_value * (1 + rng.normal(0, 0.05)), 2), np.nan, i + 2))
    return pd.DataFrame(rows, columns=list(store.COLUMNS))


def _factor(factor, i: int) -> float:
    if factor is None:
        return 1.0
    return factor(i) if callable(factor) else factor.get(i, 1.0)


def stock(lib, *frames: pd.DataFrame) -> None:
    store.write_batch(lib, pd.concat(frames, ignore_index=True), file_name="facts.csv", sha256="0" * 64, source="meta", skipped=0)


def day(i: int) -> date:
    return START + timedelta(days=i)


def test_a_weekly_rhythm_with_ordinary_noise_is_not_flagged(lib):
    stock(lib, *(daily_facts(f"Campaign {n}", seed=n) for n in range(12)))
    assert detect(lib, date_from=day(56), date_to=day(111)) == []


def test_a_spend_spike_is_found_against_the_same_weekday_and_explained(lib):
    spike = 100  # a Wednesday: the usual Wednesday is 1.1 × 400
    stock(lib, daily_facts("Summer Sale", seed=1, spend_factor={spike: 3.0}), daily_facts("Other", seed=2))
    found = detect(lib, date_from=day(84), date_to=day(111), metrics=("spend",))
    campaign = [a for a in found if a.campaign == "Summer Sale"]
    assert [(a.metric, a.kind, a.day, a.direction, a.severity) for a in campaign] == [("spend", "point", day(spike), "up", "high")]
    a = campaign[0]
    assert a.band[0] < a.expected < a.band[1] < a.value and a.expected == pytest.approx(440, rel=0.08)
    assert a.sentence.startswith(f"Spend on 'Summer Sale' (meta) was €{a.value:,.0f} on Wed 15 Apr 2026, ")
    assert f"{a.value / a.expected:.1f}× the usual Wednesday (€" in a.sentence
    # the platform total carries the spike too, and says it is the total in which currency
    total = [a for a in found if a.campaign is None]
    assert [(a.day, a.metric) for a in total] == [(day(spike), "spend")]
    assert total[0].sentence.startswith("Spend on meta (all campaigns, EUR) was")


def test_the_same_numbers_on_a_quiet_weekday_are_normal_on_a_busy_one(lib):
    # a Saturday spending a weekday's amount is unusual for a Saturday; the band follows the weekday
    saturday = 103
    stock(lib, daily_facts("Summer Sale", seed=3, spend_factor={saturday: 1.0 / WEEKDAY[5]}))
    found = detect(lib, date_from=day(84), date_to=day(111), metrics=("spend",))
    assert [(a.campaign, a.day, a.direction) for a in found if a.campaign] == [("Summer Sale", day(saturday), "up")]
    assert "the usual Saturday" in found[0].sentence


def test_volume_guards_keep_small_numbers_out(lib):
    # a tiny campaign: spend and conversions jump wildly, but a few euros and two conversions prove nothing
    tiny = daily_facts("Tiny", seed=4, spend=4.0, spend_factor={100: 3.0, 101: 0.2})
    stock(lib, tiny)
    assert detect(lib, date_from=day(84), date_to=day(111)) == []


def test_a_cpa_from_a_handful_of_conversions_is_not_flagged_but_a_busy_one_is(lib):
    busy = daily_facts("Busy", seed=5, spend=2000.0)
    busy.loc[busy.source_line == 100 + 2, "conversions"] = 40  # usual: ~187 conversions; CPA ≈ 4.7×
    small = daily_facts("Small", seed=6, spend=100.0)  # ~9 conversions a day
    small.loc[small.source_line == 100 + 2, "conversions"] = 2
    stock(lib, busy, small)
    cpa = [a for a in detect(lib, date_from=day(84), date_to=day(111), metrics=("cpa",)) if a.campaign]
    assert [(a.campaign, a.day, a.direction) for a in cpa] == [("Busy", day(100), "up")]
    assert cpa[0].sentence.startswith("CPA on 'Busy' (meta) was €") and "the usual Wednesday" in cpa[0].sentence


def test_a_lasting_cpc_rise_is_one_step_on_the_day_it_began(lib):
    # CPM up 50 % from day 95 on (an auction got dearer): CPC follows, both are level shifts
    stock(lib, daily_facts("Summer Sale", seed=7, cpm_factor=lambda i: 1.5 if i >= 95 else 1.0))
    found = [a for a in detect(lib, date_from=day(84), date_to=day(111), metrics=("cpc", "cpm")) if a.campaign]
    assert sorted((a.metric, a.kind, a.day, a.direction) for a in found) == [
        ("cpc", "step", day(95), "up"), ("cpm", "step", day(95), "up")]
    cpm = next(a for a in found if a.metric == "cpm")
    assert cpm.value == pytest.approx(12.0, rel=0.05) and cpm.expected == pytest.approx(8.0, rel=0.05)
    assert cpm.sentence == (f"CPM on 'Summer Sale' (meta) stepped up to about €{cpm.value:.2f} from Fri 10 Apr 2026 on, "
                            f"{cpm.value / cpm.expected - 1:.0%} above the level of the four weeks before (€{cpm.expected:.2f}), "
                            "and has stayed there.")


def test_a_one_day_cpc_blip_is_a_point_not_a_step(lib):
    stock(lib, daily_facts("Summer Sale", seed=8, cpm_factor={100: 2.0}))
    found = [a for a in detect(lib, date_from=day(84), date_to=day(111), metrics=("cpc", "cpm")) if a.campaign]
    assert {(a.metric, a.kind, a.day) for a in found} == {("cpc", "point", day(100)), ("cpm", "point", day(100))}


def test_currencies_are_judged_apart(lib):
    # the same campaign name bought in EUR and in USD: a spike in the USD series alone
    stock(lib, daily_facts("Global", seed=9), daily_facts("Global", seed=10, currency="USD", spend_factor={100: 4.0}))
    found = detect(lib, date_from=day(84), date_to=day(111), metrics=("spend",))
    assert {(a.campaign, a.currency) for a in found} == {("Global", "USD"), (None, "USD")}
    assert "$" in found[0].sentence and "€" not in found[0].sentence


def test_filters_and_bad_input(lib):
    assert detect(lib) == []  # an empty library has nothing unusual
    stock(lib, daily_facts("Summer Sale", seed=11, spend_factor={100: 3.0}),
          daily_facts("Search", seed=12, platform="google", spend_factor={100: 3.0}))
    assert {a.platform for a in detect(lib, platform="google", metrics=("spend",))} == {"google"}
    assert detect(lib, date_from=day(101), metrics=("spend",)) == []
    assert {a.day for a in detect(lib, metrics=("spend",))} == {day(100)}  # default: the last four weeks
    with pytest.raises(BadInput, match="Cannot watch clickz; choose from"):
        detect(lib, metrics=("clickz",))
    with pytest.raises(BadInput, match="swap --from and --to"):
        detect(lib, date_from=day(100), date_to=day(90))


def test_sentences_for_drops_and_ratios():
    a = Anomaly("google", "Brand", "GBP", date(2026, 3, 10), "ctr", "point", 0.012, 0.03, (0.02, 0.04), "down", "high", 9.0, "")
    assert explain(a) == "CTR on 'Brand' (google) was 1.20% on Tue 10 Mar 2026, 60% below the usual Tuesday (2.00%–4.00%)."
    b = Anomaly("tiktok", None, "SEK", date(2026, 3, 11), "spend", "point", 1240.0, 400.0, (380.0, 420.0), "up", "high", 20.0, "")
    assert explain(b) == "Spend on tiktok (all campaigns, SEK) was 1,240 SEK on Wed 11 Mar 2026, 3.1× the usual Wednesday (380 SEK–420 SEK)."
