"""The KPIs the Analytics workspace shows: their labels, which way is good, and how each is written."""

from __future__ import annotations

import math

# key: (label, kind, good when it goes up?)  kind: money | count | ratio (x) | percent
METRICS = {
    "spend": ("Spend", "money", None),  # more spend is neither good nor bad by itself
    "impressions": ("Impressions", "count", True),
    "clicks": ("Clicks", "count", True),
    "conversions": ("Conversions", "count", True),
    "conversion_value": ("Value", "money", True),
    "ctr": ("CTR", "percent", True),
    "cpc": ("CPC", "money", False),
    "cpm": ("CPM", "money", False),
    "cpa": ("CPA", "money", False),
    "roas": ("ROAS", "ratio", True),
    "frequency": ("Frequency", "ratio", False),  # the same people shown the ad more often
}
ADDITIVE = ("spend", "impressions", "clicks", "conversions", "conversion_value")
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}


def label(metric: str) -> str:
    return METRICS[metric][0]


def fmt(metric: str, value, currency: str | None = None, *, short: bool = False) -> str:
    """A KPI as people read it: "€1,234.50", "12,345", "1.84 %", "3.20×"; "–" for no value.
    short: big amounts and counts shortened for tiles ("€141k", "3.03M")."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    kind = METRICS.get(metric, ("", "count", None))[1]
    if kind == "money":
        return money(value, currency, short=short)
    if kind == "percent":
        return f"{value * 100:.2f} %"
    if kind == "ratio":
        return f"{value:.2f}×"
    return _short(value) if short and abs(value) >= 100_000 else f"{value:,.0f}"


def _short(value: float) -> str:
    """141k, 3.03M, 1.2B: three figures at most."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            x = value / size
            return f"{x:.{2 if abs(x) < 10 else 1 if abs(x) < 100 else 0}f}{suffix}"
    return f"{value:,.0f}"


def money(value: float, currency: str | None, *, short: bool = False) -> str:
    symbol = SYMBOLS.get(currency or "")
    sign = "-" if value < 0 else ""
    amount = _short(abs(value)) if short and abs(value) >= 10_000 else f"{abs(value):,.2f}"
    if symbol:
        return f"{sign}{symbol}{amount}"
    return f"{sign}{amount} {currency}" if currency else f"{sign}{amount}"


def change_text(change) -> str:
    """+12.3 % / -4.0 %; "" when there is nothing to compare with."""
    if change is None or not math.isfinite(change):
        return ""
    return f"{'+' if change >= 0 else '−'}{abs(change) * 100:.1f} %"


def verdict(metric: str, change) -> str:
    """good | bad | neutral: whether this change is good news for this metric."""
    good_up = METRICS[metric][2]
    if change is None or not math.isfinite(change) or abs(change) < 0.005 or good_up is None:
        return "neutral"
    return "good" if (change > 0) == good_up else "bad"
