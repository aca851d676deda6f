"""KPIs by dimension and period, currencies apart, compared with the period before."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from studio.core.analytics.kpis import kpis
from studio.core.errors import BadInput
from tests.core.analytics.test_ingest import run_ingest, tiktok_csv

# campaign, ad group, ad, date, currency, cost, impressions, reach, clicks, conversions, value, video views
ROWS = [
    ("Launch", "AG", "V1", "2026-11-01", "USD", 10, 1000, 800, 20, 2, 40, 100),   # previous period
    ("Launch", "AG", "V1", "2026-11-02", "USD", 20, 2000, 1000, 40, 2, 60, 100),  # previous period
    ("Launch", "AG", "V1", "2026-11-03", "USD", 30, 3000, 1500, 60, 3, 90, 100),
    ("Launch", "AG", "V1", "2026-11-04", "USD", 10, 1000, 500, 0, 0, 0, 100),
    ("Launch", "AG", "V1", "2026-11-04", "EUR", 9, 900, 900, 9, 1, 18, 100),
    ("Teaser", "AG", "V2", "2026-11-03", "USD", 5, 500, 500, 5, 0, 0, 0),
]


@pytest.fixture
def stocked(lib, tmp_path):
    run_ingest(lib, tiktok_csv(tmp_path / "tiktok.csv", ROWS))
    return lib


def rows(frame, *columns):
    return [tuple(None if v != v else round(v, 4) if isinstance(v, float) else v for v in r)
            for r in frame[list(columns)].itertuples(index=False)]


def test_kpis_by_campaign_keep_currencies_apart(stocked):
    frame = kpis(stocked, "campaign", date(2026, 11, 3), date(2026, 11, 4)).sort_values(["campaign", "currency"])
    assert rows(frame, "campaign", "currency", "spend", "impressions", "clicks", "conversions", "conversion_value") == [
        ("Launch", "EUR", 9.0, 900.0, 9.0, 1.0, 18.0), ("Launch", "USD", 40.0, 4000.0, 60.0, 3.0, 90.0),
        ("Teaser", "USD", 5.0, 500.0, 5.0, 0.0, 0.0)]
    launch_usd = frame[(frame.campaign == "Launch") & (frame.currency == "USD")].iloc[0]
    assert launch_usd.ctr == pytest.approx(60 / 4000) and launch_usd.cpc == pytest.approx(40 / 60)
    assert launch_usd.cpm == pytest.approx(10.0) and launch_usd.cpa == pytest.approx(40 / 3)
    assert launch_usd.roas == pytest.approx(90 / 40) and launch_usd.conversion_rate == pytest.approx(3 / 60)
    assert launch_usd.frequency == pytest.approx(4000 / 2000)
    teaser = frame[frame.campaign == "Teaser"].iloc[0]
    assert teaser.cpa != teaser.cpa  # no conversions: CPA is NaN, not infinite


def test_period_over_period_compares_with_the_days_just_before(stocked):
    frame = kpis(stocked, "platform", date(2026, 11, 3), date(2026, 11, 4), compare=True).sort_values("currency")
    usd = frame[frame.currency == "USD"].iloc[0]
    assert (usd.spend, usd.spend_prev) == (45.0, 30.0) and usd.spend_change == pytest.approx(0.5)
    assert usd.ctr_prev == pytest.approx(60 / 3000) and usd.ctr_change == pytest.approx((65 / 4500) / (60 / 3000) - 1)
    eur = frame[frame.currency == "EUR"].iloc[0]
    assert eur.spend_prev != eur.spend_prev  # nothing in EUR before: no comparison


def test_by_day_each_day_is_compared_with_the_same_offset(stocked):
    frame = kpis(stocked, ("campaign", "day"), date(2026, 11, 3), date(2026, 11, 4), platform="tiktok")
    usd = frame[(frame.campaign == "Launch") & (frame.currency == "USD")].sort_values("day")
    assert rows(usd, "day", "spend", "spend_prev") == [("2026-11-03", 30.0, 10.0), ("2026-11-04", 10.0, 20.0)]


def test_weeks_months_and_filters(stocked):
    assert rows(kpis(stocked, "month").sort_values("currency"), "month", "currency", "spend") == [
        ("2026-11", "EUR", 9.0), ("2026-11", "USD", 75.0)]
    assert "spend_prev" not in kpis(stocked, "week").columns
    assert kpis(stocked, "platform", platform="meta").empty
    whole = kpis(stocked, "platform", compare=False)
    assert sorted(whole.spend) == [9.0, 75.0] and "spend_prev" not in whole.columns


def test_an_empty_library_gives_an_empty_table(lib):
    frame = kpis(lib, "campaign")
    assert frame.empty and {"campaign", "currency", "ctr", "roas"} <= set(frame.columns)


def test_bad_arguments_say_what_to_do(stocked):
    with pytest.raises(BadInput, match="choose from platform, account"):
        kpis(stocked, "colour")
    with pytest.raises(BadInput, match="swap --from and --to"):
        kpis(stocked, "platform", date(2026, 11, 5), date(2026, 11, 1))


def test_campaign_totals_stay_true_to_the_facts_through_reimports_and_removals(lib, tmp_path):
    from studio.core.analytics.store import remove_import

    def agree():
        rolled = kpis(lib, ("campaign", "day"), compare=False).set_index(["campaign", "day", "currency"]).sort_index()
        by_ad = kpis(lib, ("campaign", "ad", "day"), compare=False)  # read from the facts themselves
        summed = by_ad.groupby(["campaign", "day", "currency"])[["spend", "clicks", "conversion_value"]].sum().sort_index()
        pd.testing.assert_frame_equal(rolled[["spend", "clicks", "conversion_value"]], summed, check_names=False)
        return rolled.spend.sum()

    run_ingest(lib, tiktok_csv(tmp_path / "a.csv", ROWS[:4]))
    assert agree() == 70.0
    restated = [ROWS[3][:5] + (15,) + ROWS[3][6:], ROWS[5]]
    [second] = run_ingest(lib, tiktok_csv(tmp_path / "b.csv", restated))
    assert agree() == 80.0
    remove_import(lib, second.batch_id)
    assert agree() == 60.0  # the restated day went with its batch
