"""Approved actions sent through the real Meta SDK to a local fake: a dry run of every change
first, the real changes only when all pass, and the actions marked sent."""

from __future__ import annotations

import pytest

from studio.core.analytics.connectors.changes import Connections
from studio.core.analytics.decisions import evaluate, list_actions, send_actions
from studio.core.errors import BadInput
from studio.core.ops.decisions import add_rule, approve_action
from studio.core.secrets import SecretStore
from tests.core.analytics.test_decisions import AS_OF, META, put, series
from tests.fake_meta import FakeMeta, fake_meta

TOKEN = "EAAsend-token-808"


@pytest.fixture
def connections(tmp_path):
    store = SecretStore(file_path=tmp_path / "keys.cfg")
    store.unlock("correct horse battery")
    store.set("meta", TOKEN)
    campaigns = {"act_77": [{"id": "3101", "name": "Search A", "status": "ACTIVE", "daily_budget": "2000"}]}
    with fake_meta(FakeMeta(TOKEN, campaigns=campaigns)) as fake:
        yield fake, Connections(store, {"meta": fake.url})


def approved_pauses(lib, campaigns) -> list[int]:
    """Facts where each campaign's CPA is far over target, the rule's proposals, all approved."""
    put(lib, [row for c in campaigns for row in series(META, c, [100] * 7, [3] * 7)])
    add_rule(lib, "CPA guard", "cpa_above", {"target_cpa": 5, "factor": 1.5, "min_conversions": 20})
    proposals = evaluate(lib, AS_OF)
    for action in list_actions(lib, "proposed"):
        approve_action(lib, action.id, "Ann")
    return [p.campaign for p in proposals]


def test_approved_actions_are_dry_run_then_sent_and_marked(lib, connections):
    fake, conns = connections
    assert approved_pauses(lib, ["Search A"]) == ["Search A"]
    results = send_actions(lib, "meta", "act_77", connections=conns)
    assert [(r.validated, r.applied) for r in results] == [(True, True)]
    posts = [s["params"] for s in fake.seen if s["method"] == "POST"]
    assert [(p.get("status"), p.get("execution_options")) for p in posts] == [("PAUSED", '["validate_only"]'), ("PAUSED", None)]
    assert fake.campaigns["act_77"][0]["status"] == "PAUSED"
    assert [a.status for a in list_actions(lib)] == ["sent"]
    lib.undo.undo()  # marking them sent is one undoable step (the platform's change is not undone)
    assert [a.status for a in list_actions(lib)] == ["approved"]


def test_a_failed_dry_run_sends_nothing_and_keeps_them_approved(lib, connections):
    fake, conns = connections
    approved_pauses(lib, ["Search A", "Not on Meta"])  # the second campaign does not exist in the account
    results = send_actions(lib, "meta", "act_77", connections=conns)
    by_campaign = {r.change.campaign: r for r in results}
    assert {c: (r.validated, r.applied) for c, r in by_campaign.items()} == {"Search A": (True, False), "Not on Meta": (False, False)}
    assert "Not applied" in by_campaign["Search A"].message
    assert all("execution_options" in s["params"] for s in fake.seen if s["method"] == "POST")
    assert fake.campaigns["act_77"][0]["status"] == "ACTIVE"
    assert {a.status for a in list_actions(lib)} == {"approved"}


def test_nothing_approved_or_another_platform_is_refused(lib, connections):
    _, conns = connections
    with pytest.raises(BadInput, match="No approved meta actions"):
        send_actions(lib, "meta", "act_77", connections=conns)
    with pytest.raises(BadInput, match="not 'tiktok'"):
        send_actions(lib, "tiktok", "x", connections=conns)
