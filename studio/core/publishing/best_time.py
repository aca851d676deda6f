"""Best times to post, from the library's own analytics history.

    hm = heat_map(lib, "meta", account="Kestrel Coffee", metric="ctr", timezone="Europe/London")
    hm.values                                  # 7 x 24: weekday (Monday 0) x hour, NaN where no data
    suggested_slots(lib, channel_id, n=5)      # [Slot(weekday, hour, score, why)], best first, channel's zone
    next_slot(lib, channel_id, after, taken=…) # queue mode: the next free slot, a wall time in the channel's zone

The map reads campaign_hours (reports broken down by hour of day) over the last `weeks` weeks of
that data; where there is none it reads campaign_days, which tells weekdays apart but not hours,
and says so. Reports give hours in the ad account's time zone, which they never name: it is a
library setting (set_account_timezone). Known, the hours move into the asked zone date by date,
so daylight saving on either side lands right; unknown, they are taken as the asked zone's, and
the note says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import text

from studio.core.analytics.kpis import RATIOS
from studio.core.errors import BadInput
from studio.core.ops.settings import get_setting, set_setting
from studio.core.publishing.calendar import ChannelInfo, get_channel
from studio.core.publishing.timezones import now_utc, to_local, to_utc, zone

HOURLY, DAILY, NONE = "hourly reports", "daily reports: weekday only", "no reports"
METRICS = ("ctr", "conversion_rate", "cpa", "cpc", "cpm", "roas")  # the RATIOS campaign_hours can compute
LOWER_IS_BETTER = frozenset({"cpa", "cpc", "cpm"})
PROPORTIONS = frozenset({"ctr", "conversion_rate"})  # a share of the denominator (binomial)
ZONE_PREFIX = "analytics.account_timezone."
DEFAULT_HOUR = 9  # the hour offered when only daily reports exist (stated in each slot's why)
HORIZON_DAYS = 366  # how far queue mode looks for a free slot
WEEK_MINUTES = 7 * 24 * 60
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class HeatMap:
    values: np.ndarray  # 7 x 24 (weekday x hour), the metric after the volume guard; NaN where no data
    volume: np.ndarray  # 7 x 24, the metric's denominator summed (impressions for CTR: see volume_of)
    metric: str
    source: str  # HOURLY | DAILY | NONE
    note: str  # what the map rests on and what it cannot say
    weekday: np.ndarray  # 7: the metric by weekday (after the same guard)
    weekday_volume: np.ndarray  # 7
    volume_of: str  # "impressions", "clicks", "conversions" or "spend"
    mean: float  # the metric over everything the map read (what thin cells are pulled toward)
    higher_is_better: bool
    timezone: str | None  # the zone of the hours (None: as the reports give them)
    assumed: tuple[str, ...] = ()  # accounts whose time zone is not known: their hours are taken as `timezone`'s


@dataclass(frozen=True)
class Slot:
    weekday: int  # Monday 0
    hour: int  # 0..23, in the channel's time zone
    score: float  # the metric there (after the volume guard)
    why: str


def set_account_timezone(lib, platform: str, account: str, tz: str):
    """Say which IANA zone an ad account reports its hours in (an undoable settings op)."""
    zone(tz)
    return set_setting(lib, f"{ZONE_PREFIX}{platform}.{account}", tz)


def account_timezone(lib, platform: str, account: str) -> str | None:
    return get_setting(lib, f"{ZONE_PREFIX}{platform}.{account}")


def heat_map(lib, platform: str, *, account: str | None = None, campaign: str | None = None, metric: str = "ctr",
             weeks: int = 16, timezone: str | None = None) -> HeatMap:
    """The metric by weekday and hour for a platform (optionally one account or campaign)."""
    if metric not in METRICS:
        raise BadInput(f"The best-time map cannot show {metric!r}; use one of {', '.join(METRICS)}.")
    if weeks < 1:
        raise BadInput(f"weeks must be 1 or more (got {weeks}).")
    if timezone is not None:
        zone(timezone)
    num, den = RATIOS[metric][:2]
    where = {"platform": platform, "account": account, "campaign": campaign}
    hourly = _recent(lib, "campaign_hours", "date, hour, account, currency", num, den, where, weeks)
    if not hourly.empty:
        return _hourly_map(lib, hourly, metric, platform, timezone, weeks, _scope(platform, account, campaign))
    daily = _recent(lib, "campaign_days", "date, account, currency", num, den, where, weeks)
    return _daily_map(daily, metric, timezone, weeks, _scope(platform, account, campaign))


def suggested_slots(lib, channel_id: int, *, n: int = 5, metric: str = "ctr", weeks: int = 16) -> list[Slot]:
    """The n best weekday-hours of a channel, best first, in the channel's time zone. Slots closer
    to a better one than the channel's minimum gap are left out (they could not both be used)."""
    channel = get_channel(lib, channel_id)
    account, _ = channel_account(lib, channel)
    hm = heat_map(lib, channel.platform, account=account, metric=metric, weeks=weeks, timezone=channel.timezone)
    label = metric.upper() if metric != "conversion_rate" else "Conversion rate"
    if hm.source == NONE:
        return []
    if hm.source == DAILY:
        order = _ranked(hm.weekday, hm.higher_is_better)[:n]
        return [Slot(int(d), DEFAULT_HOUR, float(hm.weekday[d]), (
            f"{label} {_fmt(metric, hm.weekday[d])} on {DAYS[d]}s against {_fmt(metric, hm.mean)} overall "
            f"(daily reports, {int(hm.weekday_volume[d]):,} {hm.volume_of}); {DEFAULT_HOUR:02d}:00 is a default hour: "
            "import a report broken down by hour of day to find the best hour")) for d in order]
    assumed = (f"; the reports' hours are taken as {channel.timezone}'s, as the time zone of "
               f"{', '.join(map(repr, hm.assumed))} is not set" if hm.assumed else "")
    chosen: list[Slot] = []
    for cell in _ranked(hm.values.ravel(), hm.higher_is_better):
        d, h = divmod(int(cell), 24)
        if any(_week_distance(d, h, s.weekday, s.hour) < channel.min_gap_minutes for s in chosen):
            continue
        chosen.append(Slot(d, h, float(hm.values[d, h]), (
            f"{label} {_fmt(metric, hm.values[d, h])} on {DAYS[d]}s {h:02d}:00–{h:02d}:59 against "
            f"{_fmt(metric, hm.mean)} overall ({int(hm.volume[d, h]):,} {hm.volume_of} in {weeks} weeks)" + assumed)))
        if len(chosen) == n:
            break
    return chosen


def next_slot(lib, channel_id: int, after: datetime, *, taken=frozenset(), now: datetime | None = None,
              metric: str = "ctr") -> datetime:
    """Queue mode: the first slot after `after` (a wall time in the channel's zone) that is not in
    the past (`now`: naive UTC, the clock by default) and is at least the channel's minimum gap from
    every taken wall time. The channel's own slots come first; without them, its suggested slots.
    Returns a wall time in the channel's zone (what Post.local_time holds): a 09:00 slot is 09:00 on
    either side of a daylight-saving change, and a day whose slot time falls in the spring-forward
    gap is skipped."""
    if not isinstance(after, datetime):
        raise BadInput(f"Queue mode needs a date and time to start from, not {after!r}.")
    channel = get_channel(lib, channel_id)
    tz = channel.timezone
    slots = _channel_slots(channel) or [(s.weekday, time(s.hour)) for s in suggested_slots(lib, channel_id, metric=metric)]
    if not slots:
        raise BadInput(f"Channel {channel.name!r} has no posting slots and no analytics to suggest any. Set its slots "
                       "(weekday and time) or import a performance report for its account.")
    now = now or now_utc()
    start = max(_wall(after, tz), to_local(now, tz))
    gap = timedelta(minutes=channel.min_gap_minutes)
    taken_utc = [to_utc(_wall(t, tz), tz)[0] for t in taken]
    for offset in range(HORIZON_DAYS):
        day = start.date() + timedelta(days=offset)
        for weekday, at in sorted(slots, key=lambda s: s[1]):
            candidate = datetime.combine(day, at)
            if weekday != day.weekday() or candidate <= start:
                continue
            try:
                moment = to_utc(candidate, tz)[0]
            except BadInput:  # the wall time does not exist that day
                continue
            if moment > now and all(abs(moment - t) >= gap for t in taken_utc):
                return candidate
    raise BadInput(f"Channel {channel.name!r} has no free slot in the next {HORIZON_DAYS} days: every slot is taken or "
                   f"closer than {channel.min_gap_minutes} minutes to a post. Add slots or lower the minimum gap.")


def channel_account(lib, channel: ChannelInfo) -> tuple[str | None, str]:
    """The report account that is this channel (reports name it by its id or its name), or None
    when no report names it: then the channel's map reads all of the platform's reports; and a
    sentence saying which."""
    with lib.read() as conn:
        names = {r[0] for r in conn.execute(text(
            "SELECT DISTINCT account FROM campaign_hours WHERE platform = :p UNION "
            "SELECT DISTINCT account FROM campaign_days WHERE platform = :p"), {"p": channel.platform})}
    for candidate in (channel.account, channel.name):
        if candidate in names:
            return candidate, f"reports of account {candidate!r}"
    return None, (f"no report names account {channel.account!r} or {channel.name!r}, so every {channel.platform} "
                  "report is used")


# --- the volume guard ---------------------------------------------------------------------------

def _credible(cells: np.ndarray, num: np.ndarray, den: np.ndarray, size: int, proportion: bool):
    """Each cell's ratio pulled toward the overall one by how little it has seen (empirical Bayes,
    Bühlmann–Straub credibility): value = z * cell + (1 - z) * mean with z = volume / (volume + k).
    k = within / between: `within` is how much one observation (a day's hour, weighted by its
    volume) scatters around its cell's ratio, `between` how much the cells' true ratios differ,
    both estimated from the data; for proportions (CTR, conversion rate) `within` is at least the
    binomial p(1 - p). So a 1-impression hour with CTR 100 % counts about 1/k: it stays at the mean,
    while hours seen thousands of times keep their own ratio. Returns (values, volume, mean)."""
    volume = np.bincount(cells, den, size)
    total = np.bincount(cells, num, size)
    mean = num.sum() / den.sum() if den.sum() > 0 else np.nan
    seen = volume > 0
    ratio = np.divide(total, volume, out=np.full(size, np.nan), where=seen)
    if np.isnan(mean):
        return ratio, volume, mean
    counts = np.bincount(cells, minlength=size)
    spare = int((counts[seen] - 1).sum())  # degrees of freedom within the cells
    within = (den * (num / den - ratio[cells]) ** 2).sum() / spare if spare else np.nan
    if proportion:
        within = np.nanmax([within, mean * (1 - mean), 0.0])
    w = volume[seen]
    spread = w.sum() - (w ** 2).sum() / w.sum()
    between = ((w * (ratio[seen] - mean) ** 2).sum() - (seen.sum() - 1) * within) / spread if spread > 0 else 0.0
    if np.isnan(within):  # one observation per cell: a prior worth a typical cell
        k = float(np.median(w))
    else:
        k = within / between if between > 0 else np.inf  # no real differences: every cell is the mean
    z = np.divide(volume, volume + k, out=np.zeros(size), where=seen) if np.isfinite(k) else np.zeros(size)
    return np.where(seen, z * ratio + (1 - z) * mean, np.nan), volume, mean


# --- reading ------------------------------------------------------------------------------------

def _recent(lib, table: str, keys: str, num: str, den: str, where: dict, weeks: int) -> pd.DataFrame:
    """The numerator and denominator by keys, over the last `weeks` weeks of this table's data."""
    filters = " AND ".join(f"{k} = :{k}" for k, v in where.items() if v is not None)
    with lib.read() as conn:
        last = conn.execute(text(f"SELECT max(date) FROM {table} WHERE {filters}"), where).scalar()
        if last is None:
            return pd.DataFrame(columns=[*map(str.strip, keys.split(",")), "num", "den"])
        first = date.fromisoformat(str(last)) - timedelta(weeks=weeks) + timedelta(days=1)
        rows = conn.execute(text(
            f"SELECT {keys}, sum({num}) AS num, sum({den}) AS den FROM {table} WHERE {filters} AND date >= :first "
            f"AND {num} IS NOT NULL AND {den} > 0 GROUP BY {keys}"), {**where, "first": first.isoformat()}).all()
    return pd.DataFrame(rows, columns=[*map(str.strip, keys.split(",")), "num", "den"])


def _one_currency(frame: pd.DataFrame, metric: str) -> tuple[pd.DataFrame, str]:
    """Amounts in different currencies never add up: a money metric reads the currency with most rows."""
    if metric in PROPORTIONS or frame["currency"].nunique() < 2:
        return frame, ""
    main = frame["currency"].value_counts().idxmax()
    return frame[frame["currency"] == main], f" Only the {main} reports are read (amounts in other currencies do not add up)."


def _scope(platform: str, account: str | None, campaign: str | None) -> str:
    return f"{platform} reports" + (f" of account {account!r}" if account else ", all accounts") + (
        f", campaign {campaign!r}" if campaign else "")


def _hourly_map(lib, frame: pd.DataFrame, metric: str, platform: str, tz: str | None, weeks: int, scope: str) -> HeatMap:
    frame, currency_note = _one_currency(frame, metric)
    stamps = pd.to_datetime(frame["date"]) + pd.to_timedelta(frame["hour"].astype(int), unit="h")
    unknown = []
    if tz is not None:
        for account, rows in frame.groupby("account").groups.items():
            source = account_timezone(lib, platform, account)
            if source is None:
                unknown.append(account or "(no account name)")
            elif source != tz:
                moved = stamps[rows].dt.tz_localize(source, ambiguous=np.zeros(len(rows), bool), nonexistent="shift_forward")
                stamps[rows] = moved.dt.tz_convert(tz).dt.tz_localize(None)
    num, den = frame["num"].to_numpy(float), frame["den"].to_numpy(float)
    cells = (stamps.dt.day_of_week * 24 + stamps.dt.hour).to_numpy()
    proportion = metric in PROPORTIONS
    values, volume, mean = _credible(cells, num, den, 7 * 24, proportion)
    by_day = pd.DataFrame({"day": stamps.dt.normalize(), "num": num, "den": den}).groupby("day").sum()
    weekday, weekday_volume, _ = _credible(by_day.index.day_of_week.to_numpy(), by_day["num"].to_numpy(),
                                           by_day["den"].to_numpy(), 7, proportion)
    if tz is None:
        where = "Hours are as the reports give them (each ad account's time zone)."
    elif unknown:
        where = (f"Hours in {tz}; the time zone of {', '.join(map(repr, sorted(unknown)))} is not known, so its reports' "
                 f"hours are taken as {tz}'s (set the account's time zone if it differs).")
    else:
        where = f"Hours in {tz}."
    note = f"From hourly {scope}, the last {weeks} weeks. {where}{currency_note} Hours with little volume are pulled toward the mean."
    return HeatMap(values.reshape(7, 24), volume.reshape(7, 24), metric, HOURLY, note, weekday, weekday_volume,
                   RATIOS[metric][1], mean, metric not in LOWER_IS_BETTER, tz, tuple(sorted(unknown)))


def _daily_map(frame: pd.DataFrame, metric: str, tz: str | None, weeks: int, scope: str) -> HeatMap:
    empty = np.full((7, 24), np.nan)
    higher = metric not in LOWER_IS_BETTER
    if frame.empty:
        return HeatMap(empty, np.zeros((7, 24)), metric, NONE, f"No {scope} yet: import a performance report (broken "
                       "down by hour of day for hours).", np.full(7, np.nan), np.zeros(7), RATIOS[metric][1], np.nan, higher, tz)
    frame, currency_note = _one_currency(frame, metric)
    by_day = frame.groupby("date")[["num", "den"]].sum()
    days = pd.to_datetime(by_day.index).day_of_week.to_numpy()
    weekday, weekday_volume, mean = _credible(days, by_day["num"].to_numpy(float), by_day["den"].to_numpy(float), 7,
                                              metric in PROPORTIONS)
    note = (f"From daily {scope}, the last {weeks} weeks: weekdays only. Import a report broken down by hour of day "
            f"(Meta: Breakdown > By time > Time of day; Google Ads: Segment > Time > Hour of day) for hours.{currency_note}")
    return HeatMap(empty, np.zeros((7, 24)), metric, DAILY, note, weekday, weekday_volume, RATIOS[metric][1], mean, higher, tz)


# --- helpers ------------------------------------------------------------------------------------

def _ranked(values: np.ndarray, higher: bool) -> np.ndarray:
    """Indexes of the non-NaN values, best first (ties: the earlier cell)."""
    present = np.flatnonzero(~np.isnan(values))
    keys = -values[present] if higher else values[present]
    return present[np.argsort(keys, kind="stable")]


def _week_distance(d1: int, h1: int, d2: int, h2: int) -> int:
    apart = abs((d1 * 24 + h1) - (d2 * 24 + h2)) * 60
    return min(apart, WEEK_MINUTES - apart)


def _fmt(metric: str, value: float) -> str:
    if metric in PROPORTIONS:
        return f"{value:.2%}"
    return f"{value:.2f}" if metric != "roas" else f"{value:.2f}x"


def _channel_slots(channel: ChannelInfo) -> list[tuple[int, time]]:
    slots = []
    for slot in channel.slots or []:
        try:
            weekday, at = int(slot["weekday"]), time.fromisoformat(slot["time"])
        except (KeyError, TypeError, ValueError):
            weekday, at = -1, None
        if not 0 <= weekday <= 6:
            raise BadInput(f"Channel {channel.name!r} has a posting slot {slot!r} that is not a weekday (0 = Monday … 6) "
                           'and a time like "09:30"; fix it in the channel\'s settings.')
        slots.append((weekday, at))
    return slots


def _wall(moment: datetime, tz: str) -> datetime:
    """A wall time in zone tz: naive datetimes already are one; aware ones are converted."""
    return moment.astimezone(zone(tz)).replace(tzinfo=None) if moment.tzinfo else moment
