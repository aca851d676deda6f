"""Tokens and cost of every AI call: the price table, one ai_calls row per call, and the totals
the settings page shows.

    cost_usd("anthropic", "claude-sonnet-4-6", 1200, 300)  -> 0.0081
    record_call(lib, provider=..., model=..., purpose=..., input_tokens=..., ...)
    totals(lib, by=("provider", "model"))  -> [CostTotal(...)], this month by default
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from studio.core.changes import logged_write
from studio.core.db.models import AiCall, utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult

log = logging.getLogger(__name__)

# USD per million tokens (input, output), standard tier, no caching or batch discounts, as the
# providers publish them (platform.claude.com/docs/en/about-claude/pricing, openai.com/api/pricing;
# collected 2026-11-22, GPT-5.4 mini/nano as announced in March 2026). Check there when adding a
# model or when a price changes. A model not listed costs None (unknown), never a guess; dated
# snapshots ("claude-sonnet-4-5-20250929") take their model's price.
PRICES: dict[str, tuple[float, float]] = {
    "claude-sonnet-4-6": (3.0, 15.0),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-opus-4-5": (5.0, 25.0),
    "gpt-5.4-mini": (0.75, 4.5),
    "gpt-5.4-nano": (0.20, 1.25),
    "gpt-5": (1.25, 10.0),
    "gpt-5-mini": (0.25, 2.0),
    "gpt-4.1": (2.0, 8.0),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4o": (2.50, 10.0),
    "gpt-4o-mini": (0.15, 0.60),
}
FREE_PROVIDERS = {"offline"}  # runs here: costs nothing
STATUSES = ("done", "cancelled", "failed", "partial")
GROUPS = ("provider", "model", "purpose", "status")
CHANGES = frozenset({"ai_calls"})
_SNAPSHOT = re.compile(r"-\d{4}-?\d{2}-?\d{2}$")


def price(model: str) -> tuple[float, float] | None:
    """(input, output) USD per million tokens for model, or None when it is not in PRICES."""
    return PRICES.get(model) or PRICES.get(_SNAPSHOT.sub("", model))


def cost_usd(provider: str, model: str, input_tokens: int, output_tokens: int) -> float | None:
    if provider in FREE_PROVIDERS:
        return 0.0
    rates = price(model)
    if rates is None:
        return None
    return (input_tokens * rates[0] + output_tokens * rates[1]) / 1_000_000


def record_call(lib, *, provider: str, model: str, purpose: str, input_tokens: int, output_tokens: int,
                status: str, error: str | None, started_at: datetime, seconds: float) -> float | None:
    """Write one ai_calls row in its own short transaction (usage records are not undoable edits)
    and tell the listeners; returns the cost. A failure to write it is logged, never raised: losing
    a usage row must not lose the text the user just got."""
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {STATUSES}")
    cost = cost_usd(provider, model, input_tokens, output_tokens)
    try:
        with logged_write(lib, CHANGES) as conn:
            row_id = conn.execute(insert(AiCall).values(
                provider=provider, model=model[:100], purpose=purpose[:200], input_tokens=input_tokens,
                output_tokens=output_tokens, cost_usd=cost, status=status, error=error,
                started_at=started_at, seconds=round(seconds, 3))).inserted_primary_key[0]
    except Exception:
        log.exception("Could not record the AI call (%s %s, %s)", provider, model, status)
        return cost
    lib.notify(OpResult(CHANGES, row_id, "AI call"))
    return cost


@dataclass(frozen=True)
class CostTotal:
    """One group of calls. Fields not grouped by are None. cost_usd adds up the priced calls;
    unpriced counts the calls whose model has no price (their cost is unknown, not zero)."""

    provider: str | None
    model: str | None
    purpose: str | None
    status: str | None
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    unpriced: int


def month_start(now: datetime | None = None) -> datetime:
    """The first moment of the current month, UTC (what ai_calls.started_at is in)."""
    now = now or utcnow()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def totals(lib, *, by: tuple[str, ...] = ("provider", "model"), since: datetime | None = None,
           until: datetime | None = None) -> list[CostTotal]:
    """Calls, tokens and cost per group from since (default: the start of this month, UTC) to
    until (default: now), biggest cost first. by: any of provider, model, purpose, status; () for one total."""
    unknown = [g for g in by if g not in GROUPS]
    if unknown:
        raise BadInput(f"Cannot group AI costs by {', '.join(unknown)}; choose from {', '.join(GROUPS)}.")
    columns = [getattr(AiCall, g) for g in by]
    query = select(*columns, func.count(), func.coalesce(func.sum(AiCall.input_tokens), 0),
                   func.coalesce(func.sum(AiCall.output_tokens), 0), func.coalesce(func.sum(AiCall.cost_usd), 0.0),
                   func.count() - func.count(AiCall.cost_usd))
    query = query.where(AiCall.started_at >= (since or month_start()))
    if until is not None:
        query = query.where(AiCall.started_at < until)
    if columns:
        query = query.group_by(*columns)
    with lib.read() as conn:
        rows = conn.execute(query).all()
    result = []
    for row in rows:
        keys = dict(zip(by, row[:len(by)]))
        calls, tokens_in, tokens_out, cost, unpriced = row[len(by):]
        if calls:
            result.append(CostTotal(*(keys.get(g) for g in GROUPS), calls, tokens_in, tokens_out, cost, unpriced))
    return sorted(result, key=lambda t: (-t.cost_usd, -t.calls, tuple(str(v) for v in (t.provider, t.model, t.purpose, t.status))))
