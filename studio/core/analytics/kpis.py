"""KPIs of the imported facts, by any dimension and period.

    kpis(lib, by=("campaign", "day"), date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))

reads campaign_days (the facts added up by campaign and day) unless it groups by ad group, ad
or asset, and returns a DataFrame with one row per group and currency (amounts in different currencies
are never added up): the sums (spend, impressions, reach, clicks, link_clicks, conversions,
conversion_value, video_views) and CTR (clicks / impressions), CPC (spend / clicks), CPM
(spend per 1,000 impressions), CPA (spend / conversions), ROAS (conversion value / spend),
conversion rate (conversions / clicks) and frequency (impressions / reach). Reach is the
platforms' daily reach added up, which counts a person once per day, so over several days
frequency is a lower bound. A ratio whose denominator is 0 or missing is NaN.

With compare=True, each KPI also gets `<kpi>_prev` and `<kpi>_change` (relative change) from
the period of the same length just before: matched on the other dimensions, and for "day"
on the day as many days earlier. Weeks and months do not line up that way, so grouping by
them leaves the comparison out.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from studio.core.analytics.ingest.sources import METRICS
from studio.core.analytics.store import read_facts
from studio.core.db.raw import Raw
from studio.core.errors import BadInput

DIMENSIONS = {
    "platform": "platform",
    "account": "account",
    "campaign": "campaign",
    "ad_group": "ad_group",
    "ad": "ad",
    "asset": "asset_id",  # the library asset the ad shows, when its name says so (null: not known)
    "day": "date",
    "week": "strftime('%Y-W%W', date)",
    "month": "substr(date, 1, 7)",
}
# The same labels on PostgreSQL (%W: the week of the year, Monday first, 00 before the first Monday).
POSTGRES_DIMENSIONS = {
    "week": "to_char(date, 'YYYY') || '-W' || lpad(((extract(doy from date)::int + 7 - extract(isodow from date)::int) / 7)::text, 2, '0')",
    "month": "to_char(date, 'YYYY-MM')",
}
UNALIGNED = {"week", "month"}
ROLLED_UP = {"platform", "account", "campaign", "day", "week", "month"}  # campaign_days has these
RATIOS = {  # name: (numerator, denominator, factor)
    "ctr": ("clicks", "impressions", 1.0),
    "cpc": ("spend", "clicks", 1.0),
    "cpm": ("spend", "impressions", 1000.0),
    "cpa": ("spend", "conversions", 1.0),
    "roas": ("conversion_value", "spend", 1.0),
    "conversion_rate": ("conversions", "clicks", 1.0),
    "frequency": ("impressions", "reach", 1.0),
}
COMPARED = ("spend", "impressions", "clicks", "conversions", "conversion_value", *RATIOS)


def _dimensions(by) -> tuple[str, ...]:
    dims = (by,) if isinstance(by, str) else tuple(by)
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or not dims:
        raise BadInput(f"Cannot group KPIs by {', '.join(unknown) or 'nothing'}; choose from {', '.join(DIMENSIONS)}.")
    return dims


def _sums(lib, dims, date_from: date, date_to: date, platform: str | None, shift_days: int = 0) -> pd.DataFrame:
    """The summed metrics per group and currency; day keys moved shift_days later (for comparing).

    Rows are added up in pandas, where hashing them into groups costs far less than SQLite's
    sort for GROUP BY: campaign_days when the dimensions are there, else the facts themselves."""
    period = (date_from.isoformat(), date_to.isoformat())
    with lib.read() as conn:
        raw = Raw(conn)
        if ROLLED_UP.issuperset(dims):
            expr = {**DIMENSIONS, **POSTGRES_DIMENSIONS} if raw.postgres else DIMENSIONS
            shifted = f"date + {int(shift_days)}" if raw.postgres else f"date(date, '+{int(shift_days)} days')"
            select_dims = [shifted if d == "day" and shift_days else expr[d] for d in dims]
            columns = ", ".join(f"{e} AS {d}" for e, d in zip(select_dims, dims))
            sql = (f"SELECT {columns}, currency, {', '.join(METRICS)} FROM campaign_days WHERE date BETWEEN :date_from AND :date_to"
                   + (" AND platform = :platform" if platform else ""))
            rows = raw.rows(sql, {"date_from": period[0], "date_to": period[1], "platform": platform})  # plain tuples
            frame = pd.DataFrame(rows, columns=[*dims, "currency", *METRICS])
        else:
            facts = read_facts(raw, *period, platform)
            frame = pd.DataFrame({d: _fact_labels(facts, d, shift_days) for d in dims} | {"currency": facts["currency"]}
                                 | {m: facts[m] for m in METRICS})
    frame = frame.astype({m: "float64" for m in METRICS})
    # min_count=1: a sum of nothing but nulls stays null, as in SQL; dropna=False: so does a group of ads with no asset
    sums = frame.groupby([*dims, "currency"], sort=False, dropna=False).sum(min_count=1).reset_index()
    if "asset" in dims:  # asset ids as ints, None where the ads' asset is not known
        sums["asset"] = sums["asset"].astype(object).where(sums["asset"].notna(), None)
    return sums


def _fact_labels(facts: pd.DataFrame, dim: str, shift_days: int) -> pd.Series:
    """The facts' values of one dimension, labelled as campaign_days' SQL labels them."""
    if dim == "asset":
        return facts["asset_id"].astype("Int64")
    if dim not in ("day", "week", "month"):
        return facts[dim]
    codes, uniques = pd.factorize(facts["date"])
    days = pd.to_datetime(pd.Series(uniques)) + pd.Timedelta(days=shift_days if dim == "day" else 0)
    labels = days.dt.strftime({"day": "%Y-%m-%d", "week": "%Y-W%W", "month": "%Y-%m"}[dim])
    return pd.Series(labels.to_numpy()[codes], index=facts.index)


def _with_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    for name, (num, den, factor) in RATIOS.items():
        denominator = frame[den].where(frame[den] > 0)
        frame[name] = frame[num] / denominator * factor
    return frame


def data_range(lib, platform: str | None = None) -> tuple[date, date] | None:
    sql = "SELECT min(date), max(date) FROM campaign_days" + (" WHERE platform = :platform" if platform else "")
    with lib.read() as conn:
        first, last = Raw(conn).rows(sql, {"platform": platform})[0]
    return (date.fromisoformat(first), date.fromisoformat(last)) if first else None


def kpis(lib, by="platform", date_from: date | None = None, date_to: date | None = None, platform: str | None = None,
         compare: bool = True) -> pd.DataFrame:
    """KPIs per group and currency for date_from..date_to (default: all the data), see the module doc."""
    dims = _dimensions(by)
    if date_from is None or date_to is None:
        whole = data_range(lib, platform)
        if whole is None:
            return _with_ratios(pd.DataFrame(columns=[*dims, "currency", *METRICS]).astype({m: "float64" for m in METRICS}))
        date_from, date_to = date_from or whole[0], date_to or whole[1]
    if date_from > date_to:
        raise BadInput(f"The period starts ({date_from}) after it ends ({date_to}); swap --from and --to.")
    current = _with_ratios(_sums(lib, dims, date_from, date_to, platform))
    if not compare or UNALIGNED & set(dims):
        return current
    days = (date_to - date_from).days + 1
    prev_to = date_from - timedelta(days=1)
    previous = _with_ratios(_sums(lib, dims, prev_to - timedelta(days=days - 1), prev_to, platform, shift_days=days))
    keys = [*dims, "currency"]
    previous = previous[keys + list(COMPARED)].rename(columns={k: f"{k}_prev" for k in COMPARED})
    merged = current.merge(previous, on=keys, how="left")
    for k in COMPARED:
        base = merged[f"{k}_prev"]
        merged[f"{k}_change"] = (merged[k] - base) / base.where(base != 0)
    return merged.replace([np.inf, -np.inf], np.nan)
