"""A written summary of a period's performance.

    summary = summarize(lib, date(2026, 11, 1), date(2026, 11, 30))              # rules, offline
    summary = summarize(lib, date(2026, 11, 1), date(2026, 11, 30), provider="auto")  # an AI writes it

The facts are always computed here, from kpis: the totals per currency against the period
of the same length just before, the campaigns that moved most in spend, conversions, CPA and
ROAS, the campaigns new this period, and the best and worst ROAS. Amounts in different
currencies are never added up. The rules summary is those facts as plain sentences, the same
text for the same data. With a provider the facts go to the model, which only writes the
prose (it is told to use no other numbers, and a note flags any number in its text that is
not in the facts); when that call fails the rules summary comes back with a note saying why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from studio.core.ai.providers import AIError, complete
from studio.core.analytics.ingest.sources import METRICS
from studio.core.analytics.kpis import RATIOS, data_range, kpis
from studio.core.errors import BadInput, SecretsUnavailable
from studio.core.secrets import SERVICES

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
TOP_MOVERS = 3  # campaigns named per metric
MOVERS = {"spend": "spend", "conversions": "conversions", "cpa": "CPA", "roas": "ROAS"}
PLATFORMS = {"meta": "Meta", "google": "Google Ads", "tiktok": "TikTok", "linkedin": "LinkedIn"}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
SYSTEM = ("You are a performance-marketing analyst writing for an agency's client. Write a short summary of the "
          "period (two or three paragraphs of plain prose, no headings or lists) from the facts given. Use only "
          "those facts and their numbers exactly as written: compute nothing, invent nothing, and keep amounts in "
          "different currencies apart.")


@dataclass(frozen=True)
class Summary:
    text: str
    source: str  # "rules", "anthropic" or "openai": who wrote the text
    facts: list[str] = field(default_factory=list)  # the numbers, as computed here
    note: str = ""  # why the AI's text was not used, or which of its numbers to check; also the text's last paragraph


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length that ends the day before date_from."""
    days = (date_to - date_from).days + 1
    return date_from - timedelta(days=days), date_from - timedelta(days=1)


def currency_totals(lib, date_from: date, date_to: date) -> pd.DataFrame:
    """The sums and KPIs of every platform's facts, one row per currency (the index, sorted)."""
    frame = kpis(lib, "platform", date_from, date_to, compare=False)
    totals = frame.groupby("currency")[list(METRICS)].sum().sort_index()
    for name, (num, den, factor) in RATIOS.items():
        totals[name] = totals[num] / totals[den].where(totals[den] > 0) * factor
    return totals


def period_facts(lib, date_from: date, date_to: date) -> list[str]:
    """The facts of the period as sentences. No data in it: BadInput saying where the data is."""
    current = currency_totals(lib, date_from, date_to)
    if current.empty:
        whole = data_range(lib)
        where = (f"the library has data from {whole[0]} to {whole[1]}" if whole
                 else "the library has none yet: import reports with `studio analytics ingest`")
        raise BadInput(f"There is no performance data from {date_from} to {date_to}; {where}. Choose a period with data.")
    prev_from, prev_to = previous_period(date_from, date_to)
    previous = currency_totals(lib, prev_from, prev_to)
    days = (date_to - date_from).days + 1
    facts = [f"Period: {date_from} to {date_to} ({days} day{'s' * (days != 1)}), compared with {prev_from} to {prev_to}."]
    for currency, row in current.iterrows():
        facts.append(_totals_sentence(currency, row, previous.loc[currency] if currency in previous.index else None))
    campaigns = kpis(lib, ("platform", "campaign"), date_from, date_to, compare=True)
    campaigns = campaigns.sort_values(["platform", "campaign", "currency"], ignore_index=True)
    facts += [s for metric in MOVERS if (s := _movers_sentence(campaigns, metric))]
    facts += [s for s in (_new_sentence(campaigns), _roas_sentence(campaigns)) if s]
    return facts


def summarize(lib, date_from: date, date_to: date, *, provider: str | None = None, store=None,
              endpoint: str | None = None, timeout: float = 60.0) -> Summary:
    """The period's summary: by the rules, or written by provider ("auto", "anthropic",
    "openai") from the same facts. store and endpoint go to studio.core.ai.providers.complete."""
    facts = period_facts(lib, date_from, date_to)
    rules = Summary("\n".join(facts), "rules", facts)
    if provider is None:
        return rules
    prompt = "Facts about the advertising performance of the period:\n" + "\n".join(f"- {f}" for f in facts)
    try:
        reply = complete(prompt, system=SYSTEM, provider=provider, max_tokens=800, timeout=timeout,
                         endpoint=endpoint, store=store, lib=lib)
        if not reply.text:
            raise AIError(f"{SERVICES[reply.provider].title} returned an empty text.")
    except (AIError, SecretsUnavailable) as exc:
        note = f"The AI summary could not be written: {exc} This summary comes from the built-in rules."
        return Summary(f"{rules.text}\n\n{note}", "rules", facts, note)
    invented = unsupported_numbers(reply.text, facts)
    if not invented:
        return Summary(reply.text, reply.provider, facts)
    note = f"Check these figures: the AI's text has {', '.join(invented)}, which the computed facts do not."
    return Summary(f"{reply.text}\n\n{note}", reply.provider, facts, note)


def unsupported_numbers(text: str, facts: list[str]) -> list[str]:
    """The numbers in text that none of the facts has (1,234.50 and 1234.5 are the same number)."""
    def values(s: str) -> dict[float, str]:
        return {float(n.replace(",", "")): n for n in _NUMBER.findall(s)}

    known = values(" ".join(facts))
    return [shown for value, shown in values(text).items() if value not in known]


def money(value: float, currency: str) -> str:
    """1234.5, "USD" -> "$1,234.50"; currencies without a symbol here: "1,234.50 CHF"."""
    sign = "-" if value < 0 else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{abs(value):,.2f}" if symbol else f"{sign}{abs(value):,.2f} {currency}"


def number(value: float) -> str:
    """Counts with thousands separators; fractions (Google's modelled conversions) to 2 places."""
    return f"{value:,.2f}".removesuffix(".00")


def platform_name(platform: str) -> str:
    return PLATFORMS.get(platform, platform)


def _known(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def format_metric(metric: str, value: float, currency: str) -> str:
    """A sum or KPI as people read it: amounts with their currency, ROAS to 2 places, rates in %."""
    if metric in ("spend", "conversion_value", "cpa", "cpc", "cpm"):
        return money(value, currency)
    if metric == "roas":
        return f"{value:.2f}"
    if metric in ("ctr", "conversion_rate"):
        return f"{value:.2%}"
    return number(value)


def _change(metric: str, now, before, currency: str) -> str:
    """ "up 50.0% from $30.00", "unchanged", or "" when there is nothing to compare with."""
    if not _known(now) or not _known(before) or before == 0:
        return ""
    if now == before:
        return "unchanged"
    return f"{'up' if now > before else 'down'} {abs(now / before - 1):.1%} from {format_metric(metric, before, currency)}"


def _totals_sentence(currency: str, row: pd.Series, before: pd.Series | None) -> str:
    def part(metric: str, label: str) -> str:
        value = row[metric]
        if not _known(value):
            return f"no {label}"
        change = _change(metric, value, before[metric], currency) if before is not None else ""
        return f"{label} {format_metric(metric, value, currency)}" + (f" ({change})" if change else "")

    parts = [part(m, label) for m, label in (("spend", "spend"), ("conversions", "conversions"),
                                              ("conversion_value", "conversion value"), ("cpa", "CPA"), ("roas", "ROAS"))]
    volume = f"{number(row.impressions)} impressions, {number(row.clicks)} clicks" + (
        f" (CTR {format_metric('ctr', row.ctr, currency)})" if _known(row.ctr) else "")
    tail = "" if before is not None else f"; nothing in {currency} in the previous period"
    return f"In {currency}: " + ", ".join(parts) + f"; {volume}{tail}."


def _label(row) -> str:
    return f"{row.campaign} ({platform_name(row.platform)}, {row.currency})"


def _movers_sentence(campaigns: pd.DataFrame, metric: str) -> str:
    if f"{metric}_change" not in campaigns:
        return ""
    moved = campaigns[campaigns[f"{metric}_change"].notna() & (campaigns[f"{metric}_change"] != 0)]
    if moved.empty:
        return ""
    order = moved.assign(size=-moved[f"{metric}_change"].abs()).sort_values(["size", "platform", "campaign", "currency"])
    items = [f"{_label(r)} {'up' if getattr(r, metric + '_change') > 0 else 'down'} {abs(getattr(r, metric + '_change')):.1%} "
             f"to {format_metric(metric, getattr(r, metric), r.currency)} from {format_metric(metric, getattr(r, metric + '_prev'), r.currency)}"
             for r in order.head(TOP_MOVERS).itertuples()]
    return f"Biggest changes in {MOVERS[metric]} by campaign: " + "; ".join(items) + "."


def _new_sentence(campaigns: pd.DataFrame) -> str:
    if "spend_prev" not in campaigns:
        return ""
    new = campaigns[(campaigns.spend > 0) & ~(campaigns.spend_prev > 0)]
    if new.empty:
        return ""
    names = [f"{_label(r)} with {money(r.spend, r.currency)}" for r in new.itertuples()]
    shown = names[:5] + ([f"{len(names) - 5} more"] if len(names) > 5 else [])
    return "Spending this period but not in the previous one: " + ", ".join(shown) + "."


def _roas_sentence(campaigns: pd.DataFrame) -> str:
    ranked = campaigns[(campaigns.spend > 0) & campaigns.roas.notna()]
    if ranked.empty:
        return ""
    ranked = ranked.sort_values(["roas", "platform", "campaign", "currency"], ascending=[False, True, True, True])
    best, worst = ranked.iloc[0], ranked.iloc[-1]

    def said(r) -> str:
        return f"{_label(r)} at {r.roas:.2f} on {money(r.spend, r.currency)} spend"

    if len(ranked) == 1:
        return f"Only one campaign had spend to compare: ROAS {said(best)}."
    return f"Best ROAS: {said(best)}. Worst ROAS: {said(worst)}."
