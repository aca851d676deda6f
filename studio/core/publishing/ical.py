"""A campaign's publishing calendar as iCalendar (RFC 5545), for the calendars people already use.

One VEVENT per post on the calendar (cancelled ones left out): DTSTART is the post's wall clock with
the TZID of its channel's zone (a VTIMEZONE for each zone is included), UID is the post's
idempotency key, so re-importing an updated export updates the events instead of doubling them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import icalendar

from studio.core.errors import BadInput
from studio.core.publishing import write_file_atomically
from studio.core.publishing.calendar import PostView, list_posts
from studio.core.publishing.timezones import now_utc, zone

UID_DOMAIN = "conext.studio"
EVENT_LENGTH = timedelta(minutes=15)  # a post is a moment; calendars show it as a short slot


def campaign_calendar(lib, campaign_id: int, campaign_name: str) -> icalendar.Calendar:
    """The calendar of a campaign's posts; BadInput when none is on the calendar."""
    posts = [p for p in list_posts(lib, datetime.min, datetime.max, campaign_id=campaign_id, with_warnings=False) if p.status != "cancelled"]
    if not posts:
        raise BadInput(f"The campaign {campaign_name!r} has no posts on the calendar yet, so there is nothing to export. "
                       "Give its posts a time first (drag them onto a day in the Publish workspace).")
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Conext Studio//Publishing calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{campaign_name} – publishing")
    stamp = now_utc().replace(microsecond=0, tzinfo=timezone.utc)
    for post in posts:
        cal.add_component(_event(post, stamp))
    cal.add_missing_timezones()
    return cal


def _event(post: PostView, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{post.idempotency_key}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    start = post.local_time.replace(tzinfo=zone(post.timezone))
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    event.add("summary", f"{post.title} ({post.channel_name})")
    event.add("description", _description(post))
    event.add("categories", [post.platform, post.kind])
    event.add("status", "CANCELLED" if post.status == "cancelled" else "CONFIRMED" if post.status == "scheduled" else "TENTATIVE")
    return event


def _description(post: PostView) -> str:
    lines = [f"Status: {post.shown_status.replace('_', ' ')}",
             f"Channel: {post.channel_name} ({post.platform}), {post.timezone}",
             f"Kind: {post.kind}"]
    if post.spec_id:
        lines.append(f"Placement: {post.spec_id}")
    lines += [f"{name.replace('_', ' ').capitalize()}: {text}" for name, text in post.copy.items()]
    if post.error:
        lines.append(f"Error: {post.error}")
    return "\n".join(lines)


def export_ical(lib, campaign: str | int, out: Path) -> Path:
    """Write the campaign's calendar (by name or id) to `out` atomically; returns the path."""
    from studio.core.export.plan import find_campaign

    campaign_id, name = find_campaign(lib, campaign)
    return write_file_atomically(Path(out), campaign_calendar(lib, campaign_id, name).to_ical())
