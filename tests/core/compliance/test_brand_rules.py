"""A brand's own rules through the ops on a real library: banned words and required disclaimers
reach the campaign's stored findings, every save is one undo step, and each bad input is refused
with what is wrong and nothing written."""

from __future__ import annotations

import pytest

from studio.core.compliance import store
from studio.core.compliance.engine import check_copy
from studio.core.compliance.rules import load_rules
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops import brand_rules as ops
from studio.core.ops.copy import set_copy
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.core.undo import UndoStack
from tests.core.compliance.test_voice import CALM, SHOUTY_NEW

CUSTOM = {"id": "brand.no_deals", "check": "phrases", "params": {"phrases": ["deal*"]}, "fields": ["headline"],
          "severity": "warning", "message": "“{excerpt}” sounds cheap for this brand.", "hint": "Say “offer”."}


@pytest.fixture
def brand(lib) -> int:
    return create_brand(lib, create_client(lib, "Linen House").value, "Harbour", ["#1F6FEB"]).value


@pytest.fixture
def campaign(lib, brand) -> int:
    campaign_id = create_campaign(lib, brand, "Autumn").value
    set_copy(lib, campaign_id, "headline", ["Cheap linen for every bed"])
    set_copy(lib, campaign_id, "primary_text", ["Woven slowly in Flanders."])
    return campaign_id


def stored_rules(lib, campaign_id: int) -> set[str]:
    store.recheck_campaign(lib, campaign_id, JobState())
    return {f.finding.rule_id for f in store.campaign_findings(lib, campaign_id)}


def snapshot(lib, brand_id: int):
    return ops.brand_guidelines(lib, brand_id), UndoStack(lib).undo_label()


def test_banned_and_required_words_become_findings_and_undo_takes_them_back(lib, brand, campaign):
    assert not {"brand.banned", "brand.required"} & stored_rules(lib, campaign)
    ops.set_brand_words(lib, brand, banned=["cheap", " Cheap ", ""], required=["Terms apply"])
    guidelines = ops.brand_guidelines(lib, brand)
    assert (guidelines.banned, guidelines.required, guidelines.required_fields) == (("cheap",), ("Terms apply",), ("primary_text",))
    assert [r.rule_id for r in ops.list_brand_rules(lib, brand)] == ["brand.banned", "brand.required"]
    assert {"brand.banned", "brand.required"} <= stored_rules(lib, campaign)
    banned = [f.finding for f in store.campaign_findings(lib, campaign) if f.finding.rule_id == "brand.banned"]
    assert {(f.span, f.excerpt, f.severity) for f in banned} == {((0, 5), "Cheap", "error")}
    ops.set_brand_words(lib, brand, required=["Terms apply"], fields=["headline"])  # only the fields change
    assert ops.brand_guidelines(lib, brand).required_fields == ("headline",)
    undo = UndoStack(lib)
    assert undo.undo_label() == "Change brand words"
    undo.undo()
    undo.undo()
    assert ops.list_brand_rules(lib, brand) == []
    assert not {"brand.banned", "brand.required"} & stored_rules(lib, campaign)


def test_one_save_of_words_voice_and_palette_is_one_undo_step(lib, brand):
    ops.save_brand_guidelines(lib, brand, banned=["cheap"], voice_samples=CALM, palette=["#abc", "10B981"])
    saved = ops.brand_guidelines(lib, brand)
    assert saved.palette == ("#AABBCC", "#10B981") and saved.voice_samples == tuple(CALM) and saved.banned == ("cheap",)
    voice = next(r for r in saved.rules if r.rule_id == "brand.voice")
    assert voice.document["check"] == "brand_voice" and voice.problem is None
    findings = check_copy(SHOUTY_NEW[1], "meta", "primary_text", ruleset=load_rules(lib, brand))
    assert "brand.voice" in {f.rule_id for f in findings}
    UndoStack(lib).undo()
    after = ops.brand_guidelines(lib, brand)
    assert (after.palette, after.rules) == (("#1F6FEB",), ())
    ops.set_voice_samples(lib, brand, CALM)
    ops.set_voice_samples(lib, brand, [])  # no samples: no voice rule
    assert ops.list_brand_rules(lib, brand) == []


def test_any_rule_is_added_checked_and_removed(lib, brand):
    ops.add_brand_rule(lib, brand, CUSTOM)
    assert [f.excerpt for f in check_copy("Great deals", "google", "headline", ruleset=load_rules(lib, brand))
            if f.rule_id == "brand.no_deals"] == ["deals"]
    ops.remove_brand_rule(lib, brand, "brand.no_deals")
    assert ops.list_brand_rules(lib, brand) == []
    UndoStack(lib).undo()
    assert [r.rule_id for r in ops.list_brand_rules(lib, brand)] == ["brand.no_deals"]


@pytest.mark.parametrize(("document", "why"), [
    ({**CUSTOM, "severity": "fatal"}, "rule brand.no_deals was skipped (severity: Input should be 'error' or 'warning')"),
    ({**CUSTOM, "check": "tone"}, "there is no check called 'tone'"),
    ({**CUSTOM, "fields": ["subtitle"]}, "unknown field subtitle"),
    ({**CUSTOM, "id": "google.click_here"}, "has the id of a shipped rule"),
    ({**CUSTOM, "check": "personal_attributes", "params": {}}, "cannot run (its params do not suit the check 'personal_attributes' (KeyError"),
    ({**CUSTOM, "check": "brand_voice", "params": {"samples": CALM[:2]}}, "at least 3 of its own texts; 2 were given"),
    ("not a rule", "rule #2 was skipped (rule: Input should be a valid dictionary"),
])
def test_a_bad_rule_is_refused_with_which_rule_and_why_and_nothing_is_written(lib, brand, document, why):
    before = snapshot(lib, brand)
    with pytest.raises(BadInput) as refused:
        ops.add_brand_rules(lib, brand, [CUSTOM | {"id": "brand.fine"}, document], origin="rules.json")
    assert why in str(refused.value) and str(refused.value).startswith("rules.json: rule") and "Nothing was added." in str(refused.value)
    assert snapshot(lib, brand) == before


def test_bad_values_are_refused_and_nothing_is_written(lib, brand):
    ops.add_brand_rule(lib, brand, CUSTOM)
    before = snapshot(lib, brand)
    for call, message in [
        (lambda: ops.add_brand_rule(lib, brand, CUSTOM), "already a rule of Harbour"),
        (lambda: ops.remove_brand_rule(lib, brand, "brand.nope"), "no rule 'brand.nope'; its rules are: brand.no_deals"),
        (lambda: ops.set_voice_samples(lib, brand, CALM[:2]), "at least 3 of its own texts"),
        (lambda: ops.set_brand_words(lib, brand, banned=["!!!"]), "“!!!” cannot be a banned word"),
        (lambda: ops.set_brand_words(lib, brand, required=["Terms apply"], fields=["footer"]), "Unknown copy field footer"),
        (lambda: ops.save_brand_guidelines(lib, brand, banned=["cheap"], palette=["#12345"]), "'#12345' is not a colour"),
        (lambda: ops.list_brand_rules(lib, 99), "There is no brand 99. The brands are: 1 Harbour."),
        (lambda: ops.add_brand_rules(lib, brand, []), "has no rules to add"),
    ]:
        with pytest.raises(BadInput) as refused:
            call()
        assert message in str(refused.value)
        assert snapshot(lib, brand) == before
    assert ops.find_brand(lib, "harbour") == (brand, "Harbour")
