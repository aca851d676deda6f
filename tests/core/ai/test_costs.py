"""The price table, the ai_calls rows and the totals the settings page shows, on a real library."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from studio.core.ai.costs import (
    CostTotal,
    cost_usd,
    month_start,
    price,
    record_call,
    totals,
)
from studio.core.db.models import utcnow
from studio.core.errors import BadInput


def test_prices_per_model_with_snapshots_and_unknown_models():
    assert cost_usd("anthropic", "claude-sonnet-4-6", 1_000_000, 100_000) == pytest.approx(3.0 + 1.5)
    assert price("claude-sonnet-4-5-20250929") == (3.0, 15.0)  # a dated snapshot: its model's price
    assert price("gpt-5.4-mini") == (0.75, 4.5) and price("gpt-5") == (1.25, 10.0)  # not gpt-5's price for gpt-5.4
    assert price("gpt-5.4") is None and cost_usd("openai", "gpt-test-large", 10, 10) is None  # unknown, not zero
    assert cost_usd("offline", "templates-1", 500, 500) == 0.0


def add(lib, provider, model, purpose, tokens_in, tokens_out, status="done", at=None):
    return record_call(lib, provider=provider, model=model, purpose=purpose, input_tokens=tokens_in, output_tokens=tokens_out,
                       status=status, error=None if status == "done" else "why", started_at=at or utcnow(), seconds=1.5)


def test_totals_this_month_per_provider_model_and_purpose(lib):
    heard = []
    lib.subscribe(heard.append)
    assert add(lib, "anthropic", "claude-sonnet-4-6", "Brief: improve", 1000, 200) == pytest.approx(0.006)
    add(lib, "anthropic", "claude-sonnet-4-6", "Brief: generate", 2000, 400, status="partial")
    add(lib, "openai", "gpt-test-large", "Brief: improve", 300, 30, status="cancelled")
    add(lib, "offline", "templates-1", "Brief: improve", 50, 40)
    last_month = month_start() - timedelta(days=3)
    add(lib, "anthropic", "claude-sonnet-4-6", "Brief: improve", 9_000_000, 0, at=last_month)
    assert [r.changes for r in heard] == [frozenset({"ai_calls"})] * 5  # the settings page refreshes on these

    by_model = totals(lib)
    assert by_model[0] == CostTotal("anthropic", "claude-sonnet-4-6", None, None, 2, 3000, 600, pytest.approx(0.018), 0)
    assert {(t.provider, t.model): (t.calls, t.cost_usd, t.unpriced) for t in by_model[1:]} == {
        ("openai", "gpt-test-large"): (1, 0.0, 1), ("offline", "templates-1"): (1, 0.0, 0)}
    by_purpose = {t.purpose: (t.calls, t.input_tokens) for t in totals(lib, by=("purpose",))}
    assert by_purpose == {"Brief: improve": (3, 1350), "Brief: generate": (1, 2000)}
    [everything] = totals(lib, by=(), since=datetime(2000, 1, 1))
    assert (everything.calls, everything.input_tokens, everything.cost_usd) == (5, 9_003_350, pytest.approx(27.018))
    assert {t.status: t.calls for t in totals(lib, by=("status",))} == {"done": 2, "partial": 1, "cancelled": 1}
    assert totals(lib, since=datetime(2000, 1, 1), until=month_start())[0].input_tokens == 9_000_000


def test_bad_groupings_and_statuses_are_refused(lib):
    with pytest.raises(BadInput, match="Cannot group AI costs by colour; choose from provider, model, purpose, status"):
        totals(lib, by=("colour",))
    with pytest.raises(ValueError, match="status 'ok' is not one of"):
        add(lib, "openai", "gpt-5", "x", 1, 1, status="ok")
    assert totals(lib) == []
