"""Wall clocks and UTC across daylight saving, in two zones: gaps are refused with the nearest valid
times, folds take the first occurrence and say so; past times are refused with the zone's now."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from studio.core.errors import BadInput
from studio.core.publishing.timezones import check_future, parse_local, to_local, to_utc, zone
from tests.core.publishing.calendar_fixtures import LONDON_FOLD, LONDON_GAP, NEW_YORK_FOLD, NEW_YORK_GAP


@pytest.mark.parametrize(("local", "tz", "before", "after"), [
    (LONDON_GAP, "Europe/London", "00:59", "02:00"),
    (NEW_YORK_GAP, "America/New_York", "01:59", "03:00"),
])
def test_a_wall_clock_in_the_spring_gap_is_refused_with_the_nearest_valid_times(local, tz, before, after):
    with pytest.raises(BadInput) as err:
        to_utc(local, tz)
    message = str(err.value)
    assert "does not exist" in message and tz in message
    assert f"Choose {before} or {after}" in message
    # and the suggestions are real wall clocks there
    for hhmm in (before, after):
        hour, minute = map(int, hhmm.split(":"))
        utc, note = to_utc(local.replace(hour=hour, minute=minute), tz)
        assert note is None
        assert to_local(utc, tz) == local.replace(hour=hour, minute=minute)


@pytest.mark.parametrize(("local", "tz", "first_utc"), [
    (LONDON_FOLD, "Europe/London", datetime(2030, 10, 27, 0, 30)),  # BST, UTC+1
    (NEW_YORK_FOLD, "America/New_York", datetime(2030, 11, 3, 5, 30)),  # EDT, UTC-4
])
def test_a_wall_clock_in_the_autumn_fold_takes_the_first_occurrence_and_says_so(local, tz, first_utc):
    utc, note = to_utc(local, tz)
    assert utc == first_utc
    assert "happens twice" in note and "first one" in note
    # the second occurrence is one hour later, and it is the same wall clock
    assert to_local(utc + timedelta(hours=1), tz) == local


def test_ordinary_times_convert_both_ways_without_a_note():
    utc, note = to_utc(datetime(2030, 7, 1, 9, 0), "America/New_York")
    assert (utc, note) == (datetime(2030, 7, 1, 13, 0), None)
    utc, note = to_utc(datetime(2030, 1, 15, 9, 0), "Europe/London")
    assert (utc, note) == (datetime(2030, 1, 15, 9, 0), None)


def test_a_time_already_past_in_the_zone_is_refused_with_its_local_now():
    now_ny = datetime.now(ZoneInfo("America/New_York")).replace(tzinfo=None)
    with pytest.raises(BadInput) as err:
        check_future(now_ny - timedelta(minutes=5), "America/New_York")
    assert f"it is {now_ny:%Y-%m-%d} " in str(err.value) and "America/New_York" in str(err.value)
    check_future(now_ny + timedelta(hours=1), "America/New_York")


def test_an_unknown_zone_is_refused_with_how_to_name_one():
    with pytest.raises(BadInput, match="IANA name"):
        zone("Mars/Olympus")


@pytest.mark.parametrize("text", ["2030-06-04 09:30", "2030-06-04T09:30", "04/06/2030 09:30", "4 Jun 2030 09:30",
                                  "Jun 4 2030 9:30 AM", "2030/06/04 09:30"])
def test_common_time_formats_are_read(text):
    assert parse_local(text) == datetime(2030, 6, 4, 9, 30)


@pytest.mark.parametrize("text", ["next tuesday", "2030-13-01 09:00", "", "2030-06-04 09:30+02:00"])
def test_unreadable_times_are_refused(text):
    with pytest.raises(BadInput):
        parse_local(text)
