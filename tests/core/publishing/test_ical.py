"""A campaign's calendar as iCalendar: one event per post on the calendar, in its channel's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from studio.core.errors import BadInput
from studio.core.ops import publishing as ops
from studio.core.publishing.calendar import get_post
from studio.core.publishing.ical import export_ical
from tests.core.publishing.calendar_fixtures import LONDON_FOLD, MORNING, approved_post, cal  # noqa: F401 - the fixture


def test_each_post_on_the_calendar_is_an_event_in_its_channels_zone(cal, tmp_path):
    launch = approved_post(cal, "Launch", copy={"headline": "Fresh today", "primary_text": "Our autumn roast."})
    ops.schedule_post(cal.lib, launch)
    search = ops.create_post(cal.lib, cal.campaign, cal.new_york, "Search", kind="ad", local_time=datetime(2030, 11, 3, 1, 30)).value
    ops.create_post(cal.lib, cal.campaign, cal.london, "Someday")  # no time: not an event
    gone = ops.create_post(cal.lib, cal.campaign, cal.london, "Gone", local_time=LONDON_FOLD).value
    ops.cancel_post(cal.lib, gone)

    out = export_ical(cal.lib, "Autumn", tmp_path / "autumn.ics")
    parsed = icalendar.Calendar.from_ical(out.read_bytes())
    events = {str(e["summary"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"Launch (Kestrel UK)", "Search (Kestrel US search)"}
    first = events["Launch (Kestrel UK)"]
    assert first["dtstart"].params["TZID"] == "Europe/London"
    assert first.decoded("dtstart") == MORNING.replace(tzinfo=ZoneInfo("Europe/London"))
    assert str(first["uid"]) == f"{get_post(cal.lib, launch).idempotency_key}@conext.studio"
    description = str(first["description"])
    assert "Status: scheduled" in description and "Headline: Fresh today" in description and "Primary text: Our autumn roast." in description
    second = events["Search (Kestrel US search)"]
    assert second["dtstart"].params["TZID"] == "America/New_York"
    assert second.decoded("dtstart").astimezone(ZoneInfo("UTC")).replace(tzinfo=None) == get_post(cal.lib, search).due_at
    assert {str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")} == {"Europe/London", "America/New_York"}
    assert str(parsed["version"]) == "2.0" and "Conext Studio" in str(parsed["prodid"])


def test_a_campaign_with_no_posts_on_the_calendar_is_refused_and_nothing_is_written(cal, tmp_path):
    (tmp_path / "exports").mkdir()
    out = tmp_path / "exports" / "autumn.ics"
    out.write_bytes(b"the previous export")
    ops.create_post(cal.lib, cal.campaign, cal.london, "Someday")  # not on the calendar
    with pytest.raises(BadInput, match="The campaign 'Autumn' has no posts on the calendar yet"):
        export_ical(cal.lib, cal.campaign, out)
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in out.parent.iterdir()) == ["autumn.ics"]  # no temporary file left behind


def test_an_unknown_campaign_is_refused(cal, tmp_path):
    with pytest.raises(BadInput, match="There is no campaign 'Winter'"):
        export_ical(cal.lib, "Winter", tmp_path / "x.ics")
