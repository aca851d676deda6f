"""`studio analytics rules …` and `studio analytics actions …` as a user runs them (in-process,
through studio.cli.main)."""

from __future__ import annotations

import csv
import json

import pytest

from studio.core.library import Library
from tests.cli.test_cli import studio
from tests.core.analytics.test_decisions import GOOGLE, META, put, series


def studio_analytics(lib, *argv) -> str:
    out = studio("analytics", *argv, "--library", lib)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        put(lib, [*series(GOOGLE, "Search A", [800 / 7] * 7, [3] * 6 + [2]),
                  *series(META, "Prospecting D", [100] * 7, values=[300] * 7)])
    return root


def test_rules_then_propose_approve_reject_and_export(library, tmp_path):
    out = studio_analytics(library, "rules", "add", "CPA guard", "--kind", "cpa_above", "--set", "target_cpa=20",
                           "--set", "factor=1.5", "--platform", "Google", "--json")
    assert json.loads(out) == {"rule_id": 1}
    studio_analytics(library, "rules", "add", "Scale winners", "--kind", "roas_streak", "--set", "target_roas=2")
    studio_analytics(library, "rules", "add", "Gentle", "--kind", "max_daily_change", "--set", "max_pct=10")
    listed = json.loads(studio_analytics(library, "rules", "list", "--json"))
    assert [(r["name"], r["kind"], r["scope"]) for r in listed] == [
        ("CPA guard", "cpa_above", {"platform": "google"}), ("Scale winners", "roas_streak", {}), ("Gentle", "max_daily_change", {})]
    assert listed[0]["params"] == {"target_cpa": 20.0, "factor": 1.5, "min_conversions": 20, "window_days": 7}
    assert "on   CPA guard: cpa_above (target_cpa=20, factor=1.5, min_conversions=20, window_days=7) on platform=google" in \
        studio_analytics(library, "rules", "list")

    proposed = json.loads(studio_analytics(library, "actions", "propose", "--as-of", "2026-11-10", "--json"))
    assert [(p["id"], p["campaign"], p["kind"], p["proposed_value"]) for p in proposed] == [
        (1, "Search A", "pause", None), (2, "Prospecting D", "budget_change", pytest.approx(110))]
    assert "No new actions proposed." in studio_analytics(library, "actions", "propose")

    approved = json.loads(studio_analytics(library, "actions", "approve", 1, "--by", "Ann", "--json"))
    assert (approved["status"], approved["decided_by"]) == ("approved", "Ann")
    assert "Action 2 rejected by Bob" in studio_analytics(library, "actions", "reject", 2, "--by", "Bob", "--reason", "fixed budget")
    text = studio_analytics(library, "actions", "list", "--status", "rejected")
    assert "2  rejected  meta / Prospecting D: budget change" in text and "Clipped by rule “Gentle”" in text

    sheet = tmp_path / "editor.csv"
    exported = json.loads(studio_analytics(library, "actions", "export", "--platform", "google", "--out", sheet, "--json"))
    assert (exported["action_ids"], exported["rows"]) == ([1], 1)
    with sheet.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [["Campaign", "Campaign Status", "Budget"], ["Search A", "Paused", ""]]
    assert [a["status"] for a in json.loads(studio_analytics(library, "actions", "list", "--json"))] == ["exported", "rejected"]

    studio_analytics(library, "rules", "disable", 1)
    assert "Decision rule 1 removed" in studio_analytics(library, "rules", "remove", 1)
    assert [r["name"] for r in json.loads(studio_analytics(library, "rules", "list", "--json"))] == ["Scale winners", "Gentle"]


@pytest.mark.parametrize(("argv", "message"), [
    (("rules", "add", "Bad", "--kind", "cpa_above", "--set", "target_cpa"), "--set 'target_cpa' is not PARAM=VALUE"),
    (("rules", "add", "Bad", "--kind", "cpa_above", "--set", "target_cpa=20", "--set", "factor=-2"), "factor must be more than 0"),
    (("actions", "approve", 5, "--by", "Ann"), "There is no action 5"),
    (("actions", "propose", "--as-of", "10/11/2026"), "--as-of '10/11/2026' is not a date"),
    (("actions", "export", "--platform", "meta", "--out", "x.csv"), "No approved meta actions to export"),
])
def test_bad_input_says_what_to_do(library, argv, message):
    out = studio("analytics", *argv, "--library", library)
    assert out.returncode == 2 and message in out.stderr


def test_usage_errors_exit_2(library):
    out = studio("analytics", "actions", "reject", 1, "--by", "Ann", "--library", library)
    assert out.returncode == 2 and "--reason" in out.stderr
