"""Decision rules on a real library: each rule fires exactly when it should, the queue never holds
the same action twice, decisions are undoable audit events, approved actions export as bulk sheets."""

from __future__ import annotations

import csv
import hashlib
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select, text

from studio.core import audit
from studio.core.analytics import decisions
from studio.core.analytics.store import COLUMNS, write_batch
from studio.core.db.models import AuditEvent
from studio.core.errors import BadInput
from studio.core.ops import decisions as ops

AS_OF = date(2026, 11, 10)
GOOGLE, META = ("google", "123-456-7890", "USD"), ("meta", "act_1", "EUR")


def day(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


def series(where, campaign, spends, conversions=None, values=None):
    """Facts for the days ending on AS_OF (last value on AS_OF)."""
    platform, account, currency = where
    n = len(spends)
    return [(platform, account, campaign, day(n - 1 - i), currency, spends[i],
             (conversions or [0] * n)[i], (values or [0] * n)[i]) for i in range(n)]


def put(lib, rows) -> None:
    """Store rows (platform, account, campaign, date, currency, spend, conversions, value) through the store."""
    frame = pd.DataFrame([{"platform": p, "account": a, "campaign": c, "ad_group": "AG", "ad": "Ad", "date": d, "currency": cur,
                           "spend": float(s), "impressions": 1000.0, "reach": float("nan"), "clicks": 50.0,
                           "link_clicks": float("nan"), "conversions": float(conv), "conversion_value": float(v),
                           "video_views": float("nan"), "source_line": i + 2}
                          for i, (p, a, c, d, cur, s, conv, v) in enumerate(rows)], columns=list(COLUMNS))
    write_batch(lib, frame, file_name="synthetic.csv", sha256=hashlib.sha256(repr(rows).encode()).hexdigest(),
                source="synthetic", skipped=0)


@pytest.fixture
def stocked(lib):
    put(lib, [
        # CPA 800 / 20 = 40 over the 7-day window; with target 20 × 1.5 = 30 it fires.
        *series(GOOGLE, "Search A", [800 / 7] * 7, [3, 3, 3, 3, 3, 3, 2]),
        # The same CPA on 19 conversions in the window (the 5 conversions 8 days ago fall outside it).
        *series(GOOGLE, "Search B", [100] + [800 / 7] * 7, [5, 3, 3, 3, 3, 3, 2, 2]),
        # Enough conversions but CPA 28, under the limit.
        *series(GOOGLE, "Search C", [100] * 7, [4, 4, 4, 4, 3, 3, 3]),
        # Brand G spends 1,000 in November so far (the cap), Brand H 999; both spent in October too.
        *series(GOOGLE, "Brand G", [500] + [100] * 10),
        *series(GOOGLE, "Brand H", [500] + [99.9] * 10),
        # ROAS 3 every day against a target of 2; Retarget E dips to 1.5 on one of the last three days.
        *series(META, "Prospecting D", [100] * 7, values=[300] * 7),
        *series(META, "Retarget E", [80] * 7, values=[240] * 5 + [120, 240]),
    ])
    return lib


def count(lib, table: str) -> int:
    with lib.read() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def queued(proposals):
    return sorted((p.campaign, p.kind) for p in proposals)


def test_cpa_above_pauses_after_enough_conversions_only(stocked):
    ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20, "factor": 1.5, "min_conversions": 20, "window_days": 7})
    proposals = decisions.evaluate(stocked)
    assert queued(proposals) == [("Search A", "pause")]
    pause = proposals[0]
    assert (pause.platform, pause.account, pause.currency, pause.as_of) == (*GOOGLE[:2], "USD", AS_OF)
    assert pause.evidence["conversions"] == 20 and pause.evidence["cpa"] == pytest.approx(40)
    assert "CPA was 40.00 USD" in pause.reason and "20 conversions" in pause.reason and "= 30.00 USD" in pause.reason
    assert [(a.campaign, a.status) for a in decisions.list_actions(stocked)] == [("Search A", "proposed")]


def test_roas_streak_raises_the_budget_only_after_every_day_beats_the_target(stocked):
    ops.add_rule(stocked, "Scale winners", "roas_streak", {"target_roas": 2, "days": 3, "raise_pct": 20})
    proposals = decisions.evaluate(stocked)
    assert queued(proposals) == [("Prospecting D", "budget_change")]
    raise_ = proposals[0]
    assert (raise_.current_value, raise_.proposed_value) == (pytest.approx(100), pytest.approx(120))
    assert "average daily spend of the last 7 days" in raise_.reason and "3.00, 3.00, 3.00" in raise_.reason


def test_max_daily_change_clips_every_budget_change_and_says_so(stocked):
    ops.add_rule(stocked, "Scale winners", "roas_streak", {"target_roas": 2, "raise_pct": 50})
    ops.add_rule(stocked, "Gentle", "max_daily_change", {"max_pct": 10})
    ops.add_rule(stocked, "Gentle on Google only", "max_daily_change", {"max_pct": 5}, {"platform": "google"})
    [raise_] = decisions.evaluate(stocked)
    assert raise_.proposed_value == pytest.approx(110)  # 50 % wanted, 10 % allowed; the 5 % guard covers Google only
    assert "Clipped by rule “Gentle”" in raise_.reason and "150.00 EUR becomes 110.00 EUR" in raise_.reason
    assert raise_.evidence["unclipped"] == pytest.approx(150)


def test_spend_cap_pauses_when_the_cap_is_reached(stocked):
    ops.add_rule(stocked, "Brand cap", "spend_cap", {"cap": 1000, "period": "month"}, {"campaign": "brand*", "platform": "google"})
    [capped] = decisions.evaluate(stocked)
    assert (capped.campaign, capped.kind, capped.current_value, capped.proposed_value) == ("Brand G", "spend_cap", pytest.approx(1000), 1000)
    assert "since 2026-11-01 is 1,000.00 USD" in capped.reason


def test_spend_cap_per_platform_adds_up_the_scopes_campaigns(stocked):
    ops.add_rule(stocked, "Google cap", "spend_cap", {"cap": 1999, "period": "month", "per": "platform"},
                 {"campaign": "Brand*", "platform": "google"})
    assert queued(decisions.evaluate(stocked)) == [("Brand G", "spend_cap"), ("Brand H", "spend_cap")]


def test_re_evaluating_never_proposes_the_same_action_twice(stocked):
    ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20})
    ops.add_rule(stocked, "Stricter CPA guard", "cpa_above", {"target_cpa": 20, "factor": 1.45})  # Search A again: one pause
    ops.add_rule(stocked, "Scale winners", "roas_streak", {"target_roas": 2})
    first = decisions.evaluate(stocked)
    assert queued(first) == [("Prospecting D", "budget_change"), ("Search A", "pause")]
    assert decisions.evaluate(stocked) == [] and decisions.evaluate(stocked, AS_OF) == []
    pause, raise_ = first
    ops.reject_action(stocked, pause.id, "Ann", "a seasonal dip")
    ops.reject_action(stocked, raise_.id, "Ann", "the budget is fixed this month")
    assert decisions.evaluate(stocked) == []  # a rejection on this data stands, for the stricter rule too
    put(stocked, [("meta", "act_1", "Prospecting D", (AS_OF + timedelta(days=1)).isoformat(), "EUR", 100, 0, 300)])
    again = decisions.evaluate(stocked)  # a new day of data: the rejected raise may be proposed again
    assert queued(again) == [("Prospecting D", "budget_change")] and again[0].as_of == AS_OF + timedelta(days=1)
    assert count(stocked, "proposed_actions") == 3



def test_an_open_pause_holds_back_budget_changes(stocked):
    ops.add_rule(stocked, "Meta cap", "spend_cap", {"cap": 500, "period": "month"}, {"platform": "meta"})
    ops.add_rule(stocked, "Scale winners", "roas_streak", {"target_roas": 2})
    assert queued(decisions.evaluate(stocked)) == [("Prospecting D", "spend_cap"), ("Retarget E", "spend_cap")]

def test_approve_reject_and_undo(stocked):
    ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20})
    ops.add_rule(stocked, "Brand cap", "spend_cap", {"cap": 1000}, {"campaign": "Brand*"})
    pause, cap = decisions.evaluate(stocked)
    ops.approve_action(stocked, pause.id, "Ann", "agreed with the client")
    approved = decisions.get_action(stocked, pause.id)
    assert (approved.status, approved.decided_by, approved.note) == ("approved", "Ann", "agreed with the client")
    stocked.undo.undo()
    assert decisions.get_action(stocked, pause.id).status == "proposed"
    stocked.undo.redo()
    assert decisions.get_action(stocked, pause.id).status == "approved"
    assert decisions.evaluate(stocked) == []  # an approved action stays the only one
    ops.reject_action(stocked, cap.id, "Bob", "the cap is being raised")
    rejected = decisions.get_action(stocked, cap.id)
    assert (rejected.status, rejected.decided_by, rejected.note) == ("rejected", "Bob", "the cap is being raised")
    assert [c.campaign for c in decisions.approved_changes(stocked)] == ["Search A"]
    stocked.undo.undo()
    stocked.undo.undo()
    assert [a.status for a in decisions.list_actions(stocked)] == ["proposed", "proposed"]
    stocked.undo.undo()  # the proposals themselves
    assert decisions.list_actions(stocked) == []


def test_decisions_and_exports_are_audit_events_and_the_chain_verifies(stocked, tmp_path):
    ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20})
    [pause] = decisions.evaluate(stocked)
    ops.approve_action(stocked, pause.id, "Ann")
    decisions.export_actions(stocked, "google", tmp_path / "google.csv")
    with stocked.read() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.details).where(AuditEvent.action.not_like("Import%"))
                              .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["Add decision rule CPA guard", "Propose actions from decision rules",
                                          "Approve action 1: pause Search A", "Export 1 approved google action"]
    assert events[2].details["by"] == "Ann" and events[3].details["file"]
    checked, problems = audit.verify(stocked)
    assert checked == 5 and problems == []


def read_sheet(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_google_export_is_an_ads_editor_csv_and_marks_the_actions_exported(stocked, tmp_path):
    ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20})
    ops.add_rule(stocked, "Brand cap", "spend_cap", {"cap": 1000}, {"campaign": "Brand*"})
    for action in decisions.evaluate(stocked):
        ops.approve_action(stocked, action.id, "Ann")
    (tmp_path / "out").mkdir()
    result = decisions.export_actions(stocked, "google", tmp_path / "out" / "changes.csv")
    headers, rows = read_sheet(result.path)
    assert headers == ["Campaign", "Campaign Status", "Budget"]
    assert rows == [{"Campaign": "Search A", "Campaign Status": "Paused", "Budget": ""},
                    {"Campaign": "Brand G", "Campaign Status": "Paused", "Budget": ""}]
    assert (result.account, result.rows) == ("123-456-7890", 2)
    assert {a.status for a in decisions.list_actions(stocked)} == {"exported"}
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["changes.csv"]  # no partial file left behind
    with pytest.raises(BadInput, match="No approved google actions to export"):
        decisions.export_actions(stocked, "google", tmp_path / "out" / "again.csv")
    assert not (tmp_path / "out" / "again.csv").exists()


def test_meta_export_carries_the_new_daily_budget(stocked, tmp_path):
    ops.add_rule(stocked, "Scale winners", "roas_streak", {"target_roas": 2})
    [raise_] = decisions.evaluate(stocked)
    ops.approve_action(stocked, raise_.id, "Ann")
    assert decisions.approved_changes(stocked) == [
        decisions.Change(raise_.id, "meta", "act_1", "Prospecting D", "budget_change", pytest.approx(120), "EUR")]
    headers, rows = read_sheet(decisions.export_actions(stocked, "meta", tmp_path / "meta.csv").path)
    assert headers == ["Campaign Name", "Campaign Status", "Campaign Daily Budget"]
    assert rows == [{"Campaign Name": "Prospecting D", "Campaign Status": "", "Campaign Daily Budget": "120.00"}]


def test_an_export_spanning_accounts_asks_for_one(stocked, tmp_path):
    put(stocked, series(("google", "999-000-1111", "USD"), "Search Z", [800 / 7] * 7, [3] * 6 + [2]))
    ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20})
    for action in decisions.evaluate(stocked):
        ops.approve_action(stocked, action.id, "Ann")
    with pytest.raises(BadInput, match="several accounts .*--account"):
        decisions.export_actions(stocked, "google", tmp_path / "x.csv")
    result = decisions.export_actions(stocked, "google", tmp_path / "x.csv", account="999-000-1111")
    assert [r["Campaign"] for r in read_sheet(result.path)[1]] == ["Search Z"]
    with pytest.raises(BadInput, match="existing folder"):
        decisions.export_actions(stocked, "google", tmp_path / "missing" / "x.csv")
    with pytest.raises(BadInput, match="google and meta, not 'tiktok'"):
        decisions.export_actions(stocked, "tiktok", tmp_path / "t.csv")


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("cpa_over", {"target_cpa": 20}, "Unknown rule kind 'cpa_over'; choose from cpa_above, roas_streak"),
    ("cpa_above", {"target_cpa": 20, "factor": -1.5}, "factor must be more than 0, not -1.5"),
    ("cpa_above", {}, "cpa_above needs target_cpa"),
    ("cpa_above", {"target_cpa": "cheap"}, "target_cpa must be a number, not 'cheap'"),
    ("cpa_above", {"target_cpa": 20, "min_conversions": 2.5}, "min_conversions must be a whole number of at least 1"),
    ("roas_streak", {"target_roas": 2, "streak": 3}, "roas_streak has no parameter streak; it takes target_roas, days, raise_pct"),
    ("spend_cap", {"cap": 100, "period": "year"}, "period must be one of day, week, month, not 'year'"),
])
def test_bad_rules_say_what_is_wrong_and_write_nothing(lib, kind, params, message):
    with pytest.raises(BadInput, match=message):
        ops.add_rule(lib, "Bad", kind, params)
    assert (count(lib, "decision_rules"), count(lib, "audit_events"), count(lib, "undo_log")) == (0, 0, 0)


def test_bad_decisions_say_what_is_wrong_and_write_nothing(stocked):
    ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20})
    [pause] = decisions.evaluate(stocked)
    ops.reject_action(stocked, pause.id, "Bob", "seasonal dip")
    before = (count(stocked, "audit_events"), count(stocked, "undo_log"))
    with pytest.raises(BadInput, match=f"Action {pause.id} is already rejected by Bob; only proposed actions can be approved"):
        ops.approve_action(stocked, pause.id, "Ann")
    with pytest.raises(BadInput, match="reason .* is required"):
        ops.reject_action(stocked, pause.id, "Ann", "  ")
    with pytest.raises(BadInput, match="name .* is required"):
        ops.approve_action(stocked, pause.id, "")
    with pytest.raises(BadInput, match="There is no action 99"):
        ops.approve_action(stocked, 99, "Ann")
    with pytest.raises(BadInput, match="There is no decision rule 7"):
        ops.remove_rule(stocked, 7)
    assert (count(stocked, "audit_events"), count(stocked, "undo_log")) == before
    assert decisions.get_action(stocked, pause.id).status == "rejected"


def test_disabled_and_removed_rules_propose_nothing(stocked):
    rule_id = ops.add_rule(stocked, "CPA guard", "cpa_above", {"target_cpa": 20}).value
    ops.set_rule_enabled(stocked, rule_id, False)
    assert decisions.evaluate(stocked) == []
    with pytest.raises(BadInput, match="already disabled"):
        ops.set_rule_enabled(stocked, rule_id, False)
    ops.set_rule_enabled(stocked, rule_id, True)
    [pause] = decisions.evaluate(stocked)
    ops.remove_rule(stocked, rule_id)
    assert decisions.list_rules(stocked) == [] and decisions.get_action(stocked, pause.id).rule_id == rule_id
    stocked.undo.undo()
    assert [(r.name, r.enabled) for r in decisions.list_rules(stocked)] == [("CPA guard", True)]


def test_evaluating_a_library_without_data_proposes_and_writes_nothing(lib):
    ops.add_rule(lib, "CPA guard", "cpa_above", {"target_cpa": 20})
    before = (count(lib, "audit_events"), count(lib, "undo_log"))
    assert decisions.evaluate(lib) == []
    assert (count(lib, "audit_events"), count(lib, "undo_log"), count(lib, "proposed_actions")) == (*before, 0)
