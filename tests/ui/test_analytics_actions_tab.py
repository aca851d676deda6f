"""The Analytics Actions tab over a real library: rules added, edited, disabled and removed through
the rule dialog (bad values refused with core's message, nothing saved), Propose now as a job,
Approve (the name asked once) and Reject (name and reason), each undone by the undo stack, the
bulk sheet exported as a job and parsed, and approved actions sent through the real Meta SDK to a
local fake that records a dry run before the real change."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextDocumentFragment

from studio.core.analytics import decisions
from studio.core.ops import decisions as ops
from studio.core.secrets import SecretStore
from studio.ui.workspaces.analytics.actions_tab import APPROVER_KEY, ActionsTab
from studio.ui.workspaces.analytics.view import AnalyticsView
from tests.core.analytics.test_decisions import GOOGLE, META, put, series
from tests.fake_meta import FakeMeta, fake_meta

JOB_MS = 60_000
TOKEN = "EAAactions-tab-token-31"
CPA_GUARD = {"target_cpa": 20, "factor": 1.5, "min_conversions": 20, "window_days": 7}


@pytest.fixture
def facts(lib):
    """Seven days to AS_OF: Search A (Google) at CPA 40 and Prospect M (Meta) at CPA 33.33 are over
    1.5 × 20 = 30; Search C at CPA 28 is not."""
    put(lib, [*series(GOOGLE, "Search A", [800 / 7] * 7, [3, 3, 3, 3, 3, 3, 2]),
              *series(GOOGLE, "Search C", [100] * 7, [4, 4, 4, 4, 3, 3, 3]),
              *series(META, "Prospect M", [100] * 7, [3] * 7)])
    return lib


@pytest.fixture
def tab(facts, ctx, qtbot) -> ActionsTab:
    view = AnalyticsView(ctx)
    tab = ActionsTab(ctx, view.filters)
    view.tabs.setCurrentIndex(view.add_tab(tab, "Actions", "mdi6.scale-balance"))
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    return tab


def rows(tab) -> list[tuple[str, str]]:
    return sorted((a.campaign, a.status) for a in tab.model.actions)


def propose(tab, qtbot) -> None:
    with qtbot.waitSignal(tab.proposed, timeout=JOB_MS) as done:
        tab.propose_button.click()
    assert done.args[0].status == "done", done.args[0].error


def choose(tab, campaign: str) -> int:
    action = next(a for a in tab.model.actions if a.campaign == campaign)
    tab.select({action.id})
    return action.id


def said(tab) -> str:
    """The outcome line under the buttons, as a person reads it."""
    return QTextDocumentFragment.fromHtml(tab.message.text()).toPlainText()


def statuses(lib) -> dict[str, str]:
    return {a.campaign: a.status for a in decisions.list_actions(lib)}


def test_a_rule_is_added_through_the_dialog_and_bad_values_are_refused(tab, qtbot):
    lib = tab.ctx.lib
    assert tab.rules.empty.isVisible() and not tab.rules.edit_button.isEnabled()
    tab.rules.add_button.click()
    dialog = tab.rule_dialog
    assert dialog.isVisible()
    dialog.kind.setCurrentIndex(dialog.kind.findData("spend_cap"))
    assert list(dialog.fields) == ["cap", "period", "per"]  # built from the kind's Param specs
    dialog.kind.setCurrentIndex(dialog.kind.findData("cpa_above"))
    assert list(dialog.fields) == ["target_cpa", "factor", "min_conversions", "window_days"]
    dialog.set_param("target_cpa", "20")
    dialog.ok_button.click()
    assert dialog.isVisible() and "Give the rule a name" in dialog.error.text()
    dialog.name.setText("Pause expensive search")
    dialog.set_param("target_cpa", "0")
    dialog.ok_button.click()
    assert dialog.isVisible() and "target_cpa must be more than 0" in dialog.error.text()
    dialog.set_param("target_cpa", "20")
    dialog.set_param("min_conversions", "2.5")
    dialog.ok_button.click()
    assert "min_conversions must be a whole number of at least 1" in dialog.error.text()
    assert decisions.list_rules(lib) == []  # nothing saved while the dialog refuses
    dialog.set_param("min_conversions", "")  # blank: the default
    dialog.platform.setCurrentIndex(dialog.platform.findData("google"))
    dialog.campaign.setText("Search*")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    [rule] = decisions.list_rules(lib)
    assert (rule.name, rule.kind, rule.enabled) == ("Pause expensive search", "cpa_above", True)
    assert rule.params == CPA_GUARD and rule.scope == {"platform": "google", "campaign": "Search*"}
    qtbot.waitUntil(lambda: tab.rules.table.rowCount() == 1 and tab.rules.table.isVisible())
    table = tab.rules.table
    assert (table.item(0, 0).text(), table.item(0, 1).text()) == ("Pause expensive search", "CPA above target")
    assert table.item(0, 2).text() == "Target CPA 20 · Factor 1.5× · Min. conversions 20 · Window 7 days — Google, campaigns Search*"
    lib.undo.undo()  # Ctrl+Z in the studio
    qtbot.waitUntil(lambda: tab.rules.empty.isVisible())
    assert decisions.list_rules(lib) == []


def test_a_rule_is_disabled_edited_and_removed_undoably(tab, qtbot):
    lib = tab.ctx.lib
    rule_id = ops.add_rule(lib, "CPA guard", "cpa_above", {"target_cpa": 20}).value
    qtbot.waitUntil(lambda: tab.rules.table.rowCount() == 1)
    tab.rules.table.item(0, 0).setCheckState(Qt.Unchecked)  # the tick box
    assert [r.enabled for r in decisions.list_rules(lib)] == [False]
    tab.propose_button.click()
    assert "No rule is enabled" in said(tab) and tab.job is None
    tab.rules.select(rule_id)
    tab.rules.edit_button.click()
    dialog = tab.rule_dialog
    assert dialog.name.text() == "CPA guard" and dialog.fields["target_cpa"].text() == "20"
    dialog.set_param("factor", "-1")
    dialog.ok_button.click()
    assert "factor must be more than 0" in dialog.error.text()
    assert [r.params["factor"] for r in decisions.list_rules(lib)] == [1.5]
    dialog.set_param("factor", "2")
    dialog.ok_button.click()
    [edited] = decisions.list_rules(lib)
    assert (edited.name, edited.enabled, edited.params["factor"], edited.params["target_cpa"]) == ("CPA guard", False, 2, 20)
    assert edited.id == rule_id and lib.undo.undo_label() == "Edit decision rule CPA guard"  # one step, the same rule
    qtbot.waitUntil(lambda: "Factor 2×" in tab.rules.table.item(0, 2).text())
    assert tab.rules.table.item(0, 0).checkState() == Qt.Unchecked
    tab.rules.select(edited.id)
    tab.rules.remove_button.click()
    assert decisions.list_rules(lib) == [] and "Ctrl+Z brings it back" in said(tab)
    lib.undo.undo()
    qtbot.waitUntil(lambda: tab.rules.table.rowCount() == 1)
    assert [r.name for r in decisions.list_rules(lib)] == ["CPA guard"]


def test_propose_approve_and_reject_each_undoable(tab, qtbot):
    lib = tab.ctx.lib
    ops.add_rule(lib, "CPA guard", "cpa_above", CPA_GUARD)
    qtbot.waitUntil(lambda: tab.rules.table.rowCount() == 1)
    assert not tab.approve_button.isEnabled() and not tab.export_button.isEnabled()
    propose(tab, qtbot)
    assert rows(tab) == [("Prospect M", "proposed"), ("Search A", "proposed")]
    assert "2 new actions proposed" in said(tab) and len(tab.selected()) == 2
    choose(tab, "Search A")
    detail = tab.detail.toPlainText()
    assert "CPA was 40.00 USD over the 7 days to 2026-11-10" in detail and "pause Search A" in detail
    assert "conversions" in detail and "limit" in detail and "30.00" in detail  # the evidence
    assert tab.model.index(tab.model.actions.index(tab.selected()[0]), 4).data() == "running → paused"

    tab.approve_button.click()  # the first approval asks who approves
    dialog = tab.decision_dialog
    assert dialog.isVisible() and not dialog.reason.isVisible()
    dialog.ok_button.click()
    assert dialog.isVisible() and "name (who approves) is required" in dialog.error.text()
    assert statuses(lib)["Search A"] == "proposed"
    dialog.name.setText("Ann")
    dialog.ok_button.click()
    assert not dialog.isVisible() and statuses(lib)["Search A"] == "approved"
    assert QSettings().value(APPROVER_KEY) == "Ann"
    qtbot.waitUntil(lambda: rows(tab) == [("Prospect M", "proposed")])  # the Proposed queue
    choose(tab, "Prospect M")
    tab.approve_button.click()  # the name is remembered: no question this time
    assert not tab.decision_dialog.isVisible()
    assert decisions.get_action(lib, tab.model.actions[0].id).decided_by == "Ann"
    lib.undo.undo()
    qtbot.waitUntil(lambda: rows(tab) == [("Prospect M", "proposed")])
    assert statuses(lib) == {"Search A": "approved", "Prospect M": "proposed"}

    choose(tab, "Prospect M")
    dialog = tab.reject_selected()
    assert dialog.name.text() == "Ann" and dialog.reason.isVisible()
    dialog.ok_button.click()
    assert dialog.isVisible() and "reason (why the action is rejected) is required" in dialog.error.text()
    dialog.reason.setText("The client keeps it running")
    dialog.ok_button.click()
    rejected = next(a for a in decisions.list_actions(lib) if a.campaign == "Prospect M")
    assert (rejected.status, rejected.decided_by, rejected.note) == ("rejected", "Ann", "The client keeps it running")
    tab.set_queue("decided")
    qtbot.waitUntil(lambda: rows(tab) == [("Prospect M", "rejected"), ("Search A", "approved")])
    assert tab.model.index(0, 5).data() in ("rejected by Ann", "approved by Ann")
    lib.undo.undo()
    qtbot.waitUntil(lambda: rows(tab) == [("Search A", "approved")])
    assert statuses(lib)["Prospect M"] == "proposed"


def approve_all(lib, platform: str) -> None:
    ops.add_rule(lib, "CPA guard", "cpa_above", CPA_GUARD)
    decisions.evaluate(lib)
    for action in decisions.list_actions(lib, "proposed", platform):
        ops.approve_action(lib, action.id, "Ann")


def test_export_writes_the_bulk_sheet_as_a_job(tab, qtbot, tmp_path):
    lib = tab.ctx.lib
    approve_all(lib, "google")
    qtbot.waitUntil(tab.export_button.isEnabled)
    tab.export_button.click()
    dialog = tab.export_dialog
    assert dialog.platform.currentData() == "google" and dialog.account.currentData() == GOOGLE[1]
    assert "1 approved Google action" in dialog.intro.text()
    dialog.path.setText("")
    dialog.ok_button.click()
    assert dialog.isVisible() and "Choose where to write" in dialog.error.text()
    out = tmp_path / "google-sheet.csv"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(tab.exported, timeout=JOB_MS) as done:
        dialog.ok_button.click()
    assert done.args[0].status == "done", done.args[0].error
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.DictReader(f)) == [{"Campaign": "Search A", "Campaign Status": "Paused", "Budget": ""}]
    assert statuses(lib) == {"Search A": "exported", "Prospect M": "proposed"}
    assert "Exported 1 action as 1 row" in said(tab) and "Pause Search A" in said(tab)
    qtbot.waitUntil(lambda: rows(tab) == [("Search A", "exported")])  # the Exported queue
    lib.undo.undo()
    assert statuses(lib)["Search A"] == "approved"


@pytest.fixture
def meta_account(ctx, tmp_path):
    """A key store in tmp with the Meta token, and a local fake Meta with the campaign in act_77."""
    store = SecretStore(file_path=tmp_path / "keys.cfg")
    store.unlock("correct horse battery")
    store.set("meta", TOKEN)
    ctx.secrets = store
    campaigns = {"act_77": [{"id": "7701", "name": "Prospect M", "status": "ACTIVE", "daily_budget": "10000"}]}
    with fake_meta(FakeMeta(TOKEN, campaigns=campaigns)) as fake:
        QSettings().setValue("accounts/meta/endpoint", fake.url)
        yield fake


def test_send_through_the_api_dry_runs_then_marks_them_sent(tab, qtbot, meta_account):
    lib = tab.ctx.lib
    approve_all(lib, "meta")
    qtbot.waitUntil(tab.send_button.isEnabled)
    tab.send_button.click()
    dialog = tab.send_dialog
    assert dialog.platform.currentData() == "meta" and "A dry run runs first" in dialog.intro.text()
    assert "1 approved Meta action" in dialog.intro.text()
    dialog.ok_button.click()
    assert dialog.isVisible() and "account's id" in dialog.error.text()
    dialog.account.setText("act_77")
    with qtbot.waitSignal(tab.sent, timeout=JOB_MS) as done:
        dialog.ok_button.click()
    job = done.args[0]
    assert job.status == "done", job.error
    assert [(r.validated, r.applied) for r in job.result] == [(True, True)]
    posts = [s["params"] for s in meta_account.seen if s["method"] == "POST"]
    assert [p.get("execution_options") for p in posts] == ['["validate_only"]', None]  # the dry run first
    assert meta_account.campaigns["act_77"][0]["status"] == "PAUSED"
    assert statuses(lib) == {"Search A": "proposed", "Prospect M": "sent"}
    assert "1 of 1 change sent to Meta" in said(tab) and "Done: pause Meta campaign 'Prospect M'" in said(tab)
    qtbot.waitUntil(lambda: rows(tab) == [("Prospect M", "sent")])
    assert QSettings().value("analytics/actions/account/meta") == "act_77"  # offered next time


def test_a_refused_dry_run_sends_nothing_and_says_why(tab, qtbot, meta_account):
    lib = tab.ctx.lib
    meta_account.campaigns["act_77"][0]["name"] = "Renamed on Meta"
    approve_all(lib, "meta")
    qtbot.waitUntil(tab.send_button.isEnabled)
    with qtbot.waitSignal(tab.sent, timeout=JOB_MS) as done:
        tab.send("meta", "act_77")
    assert [(r.validated, r.applied) for r in done.args[0].result] == [(False, False)]
    assert "0 of 1 change sent" in said(tab) and "no campaign named 'Prospect M'" in said(tab)
    assert meta_account.campaigns["act_77"][0]["status"] == "ACTIVE" and statuses(lib)["Prospect M"] == "approved"
