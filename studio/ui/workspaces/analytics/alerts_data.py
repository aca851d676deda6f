"""What the Alerts & forecast tab shows, read from core. No Qt here: both run as jobs.

    find_alerts   the period's anomalies (core's detect), and the recent days of every flagged series,
                  so choosing an alert draws its chart at once
    run_forecast  core's forecast of spend or conversions, with the daily history it was fitted on"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from studio.core.analytics.anomalies import WEEKS, Anomaly, detect
from studio.core.analytics.forecast import forecast
from studio.core.analytics.kpis import data_range, kpis
from studio.core.errors import BadInput
from studio.core.jobs import JobState

HISTORY_DAYS = WEEKS * 7  # an alert's chart starts with the weeks its band was learnt from
SHOWN_HISTORY = 90  # days of history drawn before a forecast
TOTAL = "Total"


# ---- alerts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AlertsParams:
    start: date
    end: date
    platform: str | None = None
    currency: str | None = None


@dataclass
class Alerts:
    anomalies: list[Anomaly]
    days: dict[tuple, pd.DataFrame] = field(default_factory=dict)  # series_key -> day and every KPI per day
    empty: bool = False  # the library has no facts at all


def series_key(a: Anomaly) -> tuple:
    return a.platform, a.campaign, a.currency


def find_alerts(params: AlertsParams, state: JobState, lib) -> Alerts:
    state.set_status("Looking for alerts")
    if data_range(lib) is None:
        return Alerts([], empty=True)
    found = [a for a in detect(lib, date_from=params.start, date_to=params.end, platform=params.platform)
             if params.currency in (None, a.currency)]
    state.set_progress(1, 3)
    wanted = {series_key(a) for a in found}
    days = {}
    first = params.start - timedelta(days=HISTORY_DAYS)
    for dims, campaigns in ((("platform", "campaign", "day"), True), (("platform", "day"), False)):
        if not any((key[1] is not None) == campaigns for key in wanted):
            continue
        state.check()
        frame = kpis(lib, dims, first, params.end, params.platform, compare=False)
        if not campaigns:
            frame = frame.assign(campaign=None)
        for (platform, campaign, currency), part in frame.groupby(["platform", "campaign", "currency"], dropna=False, sort=False):
            key = (platform, None if pd.isna(campaign) else campaign, currency)
            if key in wanted:
                days[key] = part.assign(day=pd.to_datetime(part["day"])).sort_values("day").reset_index(drop=True)
        state.set_progress(2 if campaigns else 3, 3)
    return Alerts(found, days)


# ---- forecast ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ForecastParams:
    metric: str = "spend"  # spend | conversions
    horizon: int = 14
    by: str | None = None  # None: the total; "platform": one forecast per platform
    platform: str | None = None
    currency: str | None = None  # spend is forecast in one currency; conversions add up across them


@dataclass
class Outlook:
    history: pd.DataFrame  # index: the last SHOWN_HISTORY days; one column per series
    forecast: pd.DataFrame  # series, date, value, low, high


def run_forecast(params: ForecastParams, state: JobState, lib) -> Outlook:
    state.set_status(f"Forecasting {params.metric}")
    dims = ("platform", "day") if params.by else ("day",)
    frame = kpis(lib, dims, platform=params.platform, compare=False)
    if frame.empty:
        raise BadInput("No facts to forecast from: import performance reports first.")
    if params.metric == "spend":
        if params.currency:
            frame = frame[frame["currency"] == params.currency]
        elif frame["currency"].nunique() > 1:
            raise BadInput("The library has spend in several currencies: choose one in the filters bar.")
    keys = ["platform"] if params.by else []
    daily = (frame.groupby([*keys, "day"], as_index=False)[params.metric].sum()
             .rename(columns={"day": "date", params.metric: "value"}))
    state.check()
    result = forecast(daily, params.metric, params.horizon, by=params.by)
    result.insert(0, "series", result.pop("platform") if params.by else TOTAL)
    wide = (daily.pivot_table(index="date", columns="platform", values="value", aggfunc="sum") if params.by
            else daily.set_index("date")[["value"]].rename(columns={"value": TOTAL}))
    wide.index = pd.to_datetime(wide.index)
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="D"))
    wide = wide.where(wide.notna().cumsum() == 0, wide.fillna(0.0))  # as forecast reads it: a gap after the start is a zero
    shown = [s for s in wide.columns if s in set(result["series"])]  # series too short to forecast are left out
    return Outlook(wide[shown].iloc[-SHOWN_HISTORY:], result)
