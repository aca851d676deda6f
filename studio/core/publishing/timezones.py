"""Wall-clock times in a channel's time zone and the UTC moments they name.

A post's local_time is what the user chose (daylight saving never moves it); its due_at is the
UTC moment of that wall clock. Two wall clocks need care: one inside a spring-forward gap does
not exist (refused, with the nearest valid times suggested), one inside a fall-back fold happens
twice (the first occurrence is taken, and the caller is told so)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from studio.core.errors import BadInput

_MINUTE = timedelta(minutes=1)
_LONGEST_GAP = timedelta(hours=3)  # no zone jumps further than this at a transition


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or BadInput saying how to name one."""
    try:
        return ZoneInfo((name or "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"{name!r} is not a time zone; use an IANA name such as Europe/London or America/New_York.") from None


def now_utc() -> datetime:
    """Now, as naive UTC (how the library stores moments)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def now_local(tz_name: str) -> datetime:
    """The wall clock in `tz_name` now (naive)."""
    return datetime.now(zone(tz_name)).replace(tzinfo=None, microsecond=0)


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    aware = local.replace(tzinfo=tz)
    return aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) == local


def _nearest_valid(local: datetime, tz: ZoneInfo, step: timedelta) -> datetime:
    probe = local.replace(second=0, microsecond=0)
    for _ in range(int(_LONGEST_GAP / _MINUTE) + 1):
        probe += step
        if _exists(probe, tz):
            return probe
    raise AssertionError(f"no valid wall clock near {local} in {tz}")  # a zone with a gap over 3 hours


def to_utc(local: datetime, tz_name: str) -> tuple[datetime, str | None]:
    """The naive-UTC moment of the naive wall clock `local` in `tz_name`, and a note when the wall
    clock is ambiguous (None otherwise). A wall clock that does not exist raises BadInput."""
    tz = zone(tz_name)
    local = local.replace(tzinfo=None)
    if not _exists(local, tz):
        before, after = _nearest_valid(local, tz, -_MINUTE), _nearest_valid(local, tz, _MINUTE)
        raise BadInput(
            f"{local:%Y-%m-%d %H:%M} does not exist in {tz_name}: the clocks go forward then. "
            f"Choose {before:%H:%M} or {after:%H:%M} instead.")
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    utc = first.astimezone(timezone.utc).replace(tzinfo=None)
    if first.utcoffset() == second.utcoffset():
        return utc, None
    return utc, (f"{local:%Y-%m-%d %H:%M} happens twice in {tz_name} (the clocks go back); "
                 f"the post goes out at the first one ({first:%H:%M} {first.tzname()}, {utc:%H:%M} UTC).")


def to_local(utc: datetime, tz_name: str) -> datetime:
    """The naive wall clock in `tz_name` of the naive-UTC moment `utc`."""
    return utc.replace(tzinfo=timezone.utc).astimezone(zone(tz_name)).replace(tzinfo=None)


def check_future(local: datetime, tz_name: str) -> None:
    """BadInput when the wall clock `local` in `tz_name` has already passed there."""
    now = now_local(tz_name)
    if local.replace(tzinfo=None) <= now:
        raise BadInput(
            f"{local:%Y-%m-%d %H:%M} is in the past for this channel: it is {now:%Y-%m-%d %H:%M} now in {tz_name}. "
            "Pick a later time.")


def parse_local(text: str) -> datetime:
    """A wall clock typed by a user or read from a CSV: ISO 8601 ("2027-03-28 09:30", with T or
    without seconds) or a common day-first or month-name format. BadInput when none fits."""
    text = (text or "").strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in _FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise BadInput(f"{text!r} is not a time I can read; write it as 2027-03-28 09:30.")
    if parsed.tzinfo is not None:
        raise BadInput(f"{text!r} carries its own UTC offset; give the wall-clock time in the channel's zone, without an offset.")
    return parsed


_FORMATS = (
    "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M", "%d %b %Y %H:%M", "%d %B %Y %H:%M", "%b %d %Y %H:%M", "%B %d %Y %H:%M",
    "%d/%m/%Y %I:%M %p", "%d %b %Y %I:%M %p", "%b %d %Y %I:%M %p", "%Y/%m/%d %H:%M",
)
