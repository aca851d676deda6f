"""Best time from the library's own reports: the heat map, the suggested slots and queue mode, on
synthetic Meta exports broken down by hour where Thursday 19:00-21:59 clearly does best."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from studio.core.errors import BadInput
from studio.core.ops import organize
from studio.core.ops.publishing import add_channel
from studio.core.publishing.best_time import (
    DAILY, DEFAULT_HOUR, HOURLY, NONE, heat_map, next_slot, set_account_timezone, suggested_slots,
)
from tests.core.analytics.test_hourly_ingest import meta_hourly_csv
from tests.core.analytics.test_ingest import meta_csv, run_ingest

FIRST_DAY = date(2026, 7, 27)  # a Monday; 16 weeks to Sunday 2026-11-15, across both DST ends (EU and US)
BEST = (3, (19, 20, 21))  # Thursday evening
NOW = datetime(2027, 1, 1)  # naive UTC, before every queue date below


def history(path, *, extra=()):
    """16 weeks of hours 06..23: CTR 2 % everywhere but 6 % on Thursdays 19:00-21:59, ~1,000 impressions
    an hour with binomial clicks (seeded), two ads of one campaign."""
    rng = np.random.default_rng(7)
    rows = []
    for offset in range(16 * 7):
        day = FIRST_DAY + timedelta(days=offset)
        for hour in range(6, 24):
            ctr = 0.06 if (day.weekday(), hour in BEST[1]) == (BEST[0], True) else 0.02
            for ad in ("Ad 1", "Ad 2"):
                impressions = int(rng.integers(400, 600))
                rows.append(("Autumn", ad, day.isoformat(), hour, 1.0, impressions, int(rng.binomial(impressions, ctr)), 0))
    return meta_hourly_csv(path, [*rows, *extra])


@pytest.fixture
def brand(lib):
    client = organize.create_client(lib, "Kestrel").value
    return organize.create_brand(lib, client, "Kestrel Coffee").value


def channel(lib, brand, zone="Europe/London", *, slots=(), gap=120, account="Kestrel Coffee"):
    return add_channel(lib, brand, "meta", f"Kestrel {zone}", account, zone, min_gap_minutes=gap, slots=slots).value


def test_the_heat_map_shows_the_best_hours(lib, tmp_path):
    run_ingest(lib, history(tmp_path / "hourly.csv"))
    hm = heat_map(lib, "meta", metric="ctr")
    assert hm.source == HOURLY and hm.values.shape == hm.volume.shape == (7, 24)
    assert np.isnan(hm.values[:, :6]).all() and (hm.volume[:, :6] == 0).all()  # no data before 06:00
    best = np.unravel_index(np.nanargmax(hm.values), hm.values.shape)
    assert best[0] == BEST[0] and best[1] in BEST[1]
    assert (hm.values[3, 19:22] > 0.05).all()
    others = np.delete(hm.values[:, 6:].ravel(), [3 * 18 + h - 6 for h in BEST[1]])
    assert np.nanmax(others) < 0.03
    assert 15 * 2 * 400 <= hm.volume[3, 20] <= 17 * 2 * 600  # 16 Thursdays, two ads
    assert "Hours are as the reports give them" in hm.note


def test_suggested_slots_put_the_best_hours_first_and_keep_the_channels_gap(lib, tmp_path, brand):
    run_ingest(lib, history(tmp_path / "hourly.csv"))
    slots = suggested_slots(lib, channel(lib, brand), n=5)
    assert len(slots) == 5
    assert slots[0].weekday == BEST[0] and slots[0].hour in BEST[1] and "Thursdays" in slots[0].why
    assert slots[0].score > 0.05 and all(s.score < slots[0].score for s in slots[1:])
    assert "taken as Europe/London's, as the time zone of 'Kestrel Coffee' is not set" in slots[0].why
    # the other evening hours are closer than the channel's 120 minutes to the first: left out
    assert not any(s.weekday == 3 and abs(s.hour - slots[0].hour) < 2 for s in slots[1:])
    wide = suggested_slots(lib, channel(lib, brand, "Europe/Paris", gap=30, account="act_2"), n=3)  # every meta report
    assert {(s.weekday, s.hour) for s in wide} == {(3, h) for h in BEST[1]}


def test_one_lucky_hour_does_not_win(lib, tmp_path, brand):
    lucky = [("Autumn", "Ad 1", "2026-11-15", 3, 0.01, 1, 1, 0)]  # Sunday 03:00: one impression, one click
    run_ingest(lib, history(tmp_path / "hourly.csv", extra=lucky))
    hm = heat_map(lib, "meta", metric="ctr")
    assert hm.volume[6, 3] == 1
    assert abs(hm.values[6, 3] - hm.mean) < 0.002  # a CTR of 100 % on one impression stays at the mean
    assert suggested_slots(lib, channel(lib, brand), n=1)[0].weekday == BEST[0]


def test_daily_reports_give_weekdays_only_and_say_so(lib, tmp_path, brand):
    rows = [("Autumn", "Set A", "Ad 1", (date(2026, 11, 2) + timedelta(days=d)).isoformat(), 10.0, 1000, 900, 10,
             40 if d % 7 == 4 else 10, 0, 0.0) for d in range(14)]  # Fridays: CTR 4 %, other days 1 %
    run_ingest(lib, meta_csv(tmp_path / "daily.csv", rows))
    hm = heat_map(lib, "meta", metric="ctr")
    assert hm.source == DAILY and np.isnan(hm.values).all()
    assert "weekdays only" in hm.note and "hour of day" in hm.note
    assert np.nanargmax(hm.weekday) == 4 and hm.weekday_volume[4] == 2000 and hm.weekday[4] > 0.035
    [slot] = suggested_slots(lib, channel(lib, brand), n=1)
    assert (slot.weekday, slot.hour) == (4, DEFAULT_HOUR) and "default hour" in slot.why
    nothing = heat_map(lib, "meta", campaign="Winter")
    assert nothing.source == NONE and nothing.note.startswith("No meta reports, all accounts, campaign 'Winter' yet")


def test_hours_move_from_the_accounts_zone_into_the_channels(lib, tmp_path, brand):
    run_ingest(lib, history(tmp_path / "hourly.csv"))
    unknown = heat_map(lib, "meta", timezone="Europe/London")
    assert "'Kestrel Coffee' is not known" in unknown.note and unknown.assumed == ("Kestrel Coffee",)
    set_account_timezone(lib, "meta", "Kestrel Coffee", "America/New_York")
    [slot] = suggested_slots(lib, channel(lib, brand), n=1)
    assert slot.weekday == 4 and slot.hour in (0, 1, 2)  # Thursday evening in New York is Friday night in London
    moved = heat_map(lib, "meta", timezone="Europe/London")
    assert "Hours in Europe/London." in moved.note and "not known" not in moved.note and moved.assumed == ()
    assert "not set" not in slot.why
    assert (moved.values[4, 0:3] > 0.05).all() and (moved.values[3, 19:22] < 0.03).all()
    assert np.isnan(moved.values[:, 5:10]).all()  # New York's 06:00-23:59 is 11:00-04:59 in London (10:00- for a week)
    with pytest.raises(BadInput, match="not a time zone"):
        set_account_timezone(lib, "meta", "Kestrel Coffee", "Mars/Olympus")


def test_queue_mode_fills_the_next_free_slots_in_order(lib, brand):
    slots = [{"weekday": 0, "time": "09:00"}, {"weekday": 0, "time": "10:00"}, {"weekday": 2, "time": "18:30"}]
    ch = channel(lib, brand, slots=slots, gap=120)
    monday = datetime(2027, 1, 4, 8, 0)
    taken: set[datetime] = set()
    filled = []
    for _ in range(4):
        when = next_slot(lib, ch, monday, taken=taken, now=NOW)
        taken.add(when)
        filled.append(when)
    # Monday 10:00 is an hour after 09:00, closer than the channel's two hours: never used while 09:00 is taken
    assert filled == [datetime(2027, 1, 4, 9), datetime(2027, 1, 6, 18, 30), datetime(2027, 1, 11, 9), datetime(2027, 1, 13, 18, 30)]
    assert next_slot(lib, ch, monday, taken={datetime(2027, 1, 4, 7, 30)}, now=NOW) == datetime(2027, 1, 4, 10)
    # never in the past: a start long gone begins at now (Monday 2027-01-04 09:30 UTC is 09:30 in London)
    assert next_slot(lib, ch, datetime(2026, 1, 1), now=datetime(2027, 1, 4, 9, 30)) == datetime(2027, 1, 4, 10)


def test_queue_mode_takes_the_suggested_slots_when_the_channel_has_none(lib, tmp_path, brand):
    run_ingest(lib, history(tmp_path / "hourly.csv"))
    ch = channel(lib, brand)
    monday = datetime(2027, 1, 4, 8, 0)
    upcoming = sorted(monday.replace(hour=s.hour) + timedelta(days=s.weekday) for s in suggested_slots(lib, ch))
    assert next_slot(lib, ch, monday, now=NOW) == upcoming[0]  # the earliest of the suggested slots
    assert next_slot(lib, ch, monday, taken={upcoming[0]}, now=NOW) == upcoming[1]


def test_a_slot_keeps_its_wall_clock_across_daylight_saving(lib, brand):
    ch = channel(lib, brand, slots=[{"weekday": 6, "time": "09:00"}, {"weekday": 6, "time": "01:30"}], gap=60)
    before = next_slot(lib, ch, datetime(2027, 3, 21, 2, 0), now=NOW)
    change = next_slot(lib, ch, datetime(2027, 3, 27, 12, 0), now=NOW)  # clocks go forward on Sunday 28 March
    assert (before, change) == (datetime(2027, 3, 21, 9), datetime(2027, 3, 28, 9))
    # 01:30 does not exist on 28 March in London: that day's slot is skipped
    assert next_slot(lib, ch, datetime(2027, 3, 28, 0, 0), taken={change}, now=NOW) == datetime(2027, 4, 4, 1, 30)
    # on 31 October 01:30 happens twice: still one slot at 01:30
    assert next_slot(lib, ch, datetime(2027, 10, 31, 0, 0), now=NOW) == datetime(2027, 10, 31, 1, 30)


def test_bad_input_says_what_to_do(lib, brand):
    with pytest.raises(BadInput, match="There is no channel 99"):
        suggested_slots(lib, 99)
    with pytest.raises(BadInput, match="cannot show 'frequency'"):
        heat_map(lib, "meta", metric="frequency")
    with pytest.raises(BadInput, match="no posting slots and no analytics"):
        next_slot(lib, channel(lib, brand), datetime(2027, 1, 4), now=NOW)
    with pytest.raises(BadInput, match="date and time to start from"):
        next_slot(lib, channel(lib, brand, slots=[{"weekday": 0, "time": "09:00"}], account="act_3"), "tomorrow", now=NOW)
