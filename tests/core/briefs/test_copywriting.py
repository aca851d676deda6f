"""Copy generation for a brief's deliverables with the offline writer, on a real library: the
placements' copy fields and their limits (wide characters counted as Google counts them), an
over-long variant shortened once, brand rules flagging a variant, kept copy landing where the
export reads it and undone in one step, `studio brief copy`, and the messages for bad input."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from studio import cli
from studio.core.briefs.copywriting import Choice, CopyParams, generate_copy, keep_copy
from studio.core.db.models import AiCall
from studio.core.errors import BadInput, Cancelled
from studio.core.export.plan import make_plan
from studio.core.jobs import JobState
from studio.core.ops import briefs
from studio.core.ops.brand_rules import set_brand_words
from studio.core.ops.copy import campaign_copy
from studio.core.specs.text import char_count
from studio.core.undo import UndoStack

PROPOSITION = "Fresh coffee roasted every morning in the city.\n\nThe **cheap** cup that tastes like a treat."
WIDE = "毎朝 焼きたての 豆を 駅前の 店で お届けします"  # 20 wide characters and 5 spaces: 45 as Google counts


def make_brief(lib, place, deliverables, proposition=PROPOSITION, campaign=True) -> int:
    brief_id = briefs.create_brief(lib, place.brand_id, "Autumn launch", place.campaign_id if campaign else None).value
    briefs.save_section(lib, brief_id, "proposition", proposition)
    briefs.save_section(lib, brief_id, "reasons_to_believe", "- Roasted daily in our own roastery\n- Beans from three farms we visit")
    briefs.save_section(lib, brief_id, "tone", "Warm and plain-spoken")
    briefs.set_deliverables(lib, brief_id, [{"spec_id": s} for s in deliverables])
    return brief_id


def generate(lib, brief_id, count=3, state=None):
    return generate_copy(CopyParams(str(lib.root), brief_id, count, "offline"), state or JobState(), lib=lib)


def by_field(result):
    return {(f.spec_id, f.field): f for f in result.fields}


def test_variants_for_each_copy_field_within_its_limit_and_count(lib, place):
    brief_id = make_brief(lib, place, ["meta.feed_image", "google.rsa", "google.youtube_bumper", "meta.feed_image"])
    state = JobState()
    result = generate(lib, brief_id, count=1, state=state)

    # copy fields only (no URL or display paths), each placement once, the bumper said to have none
    assert list(by_field(result)) == [("meta.feed_image", "primary_text"), ("meta.feed_image", "headline"), ("meta.feed_image", "description"),
                                      ("google.rsa", "headline"), ("google.rsa", "description")]
    assert result.skipped == (("google.youtube_bumper", "YouTube bumper has no copy fields"),)
    assert result.provider == "offline" and state.progress == 1.0
    fields = by_field(result)
    # one variant asked for, but a responsive search ad needs at least 3 headlines and 2 descriptions
    assert [len(f.variants) for f in result.fields] == [1, 1, 1, 3, 2]
    assert (fields["meta.feed_image", "headline"].limit, fields["meta.feed_image", "headline"].hard) == (40, False)
    assert (fields["google.rsa", "headline"].limit, fields["google.rsa", "headline"].hard) == (30, True)
    for f in result.fields:
        for v in f.variants:
            assert v.length == char_count(v.text, f.wide_counts_double) <= f.limit and not v.over and v.shortened_from is None
    assert fields["meta.feed_image", "description"].variants[0].text == "Fresh coffee roasted every"  # cut to 30 at a word
    # written through the AI layer: one variants call per field, each counted
    with lib.read() as conn:
        purposes = conn.execute(select(AiCall.purpose, AiCall.provider, AiCall.status).order_by(AiCall.id)).all()
    assert [p for p, _, _ in purposes] == [f"Copy (variants): {s} {n}" for s, n in by_field(result)]
    assert {(provider, status) for _, provider, status in purposes} == {("offline", "done")}
    assert generate(lib, brief_id, count=1) == result  # the offline writer is deterministic


def test_wide_characters_count_double_and_an_overlong_variant_is_shortened_once(lib, place):
    brief_id = make_brief(lib, place, ["google.rsa", "meta.feed_image"], proposition=WIDE)
    fields = by_field(generate(lib, brief_id))

    # over the limit, so the writer was asked to shorten it (once, below), and could not: it fails, and says so
    google = fields["google.rsa", "headline"].variants[0]
    assert (google.text, google.length, google.limit, google.shortened_from) == (WIDE, 45, 30, None)
    assert google.over and not google.passed
    # the compliance check counts it the same way
    assert [(f.rule_id, f.severity, f.message) for f in google.findings] == [("limit.headline", "error", "The headline is 45 characters; the limit is 30.")]
    assert fields["google.rsa", "description"].variants[0].passed  # 45 of 90

    meta = fields["meta.feed_image", "headline"].variants[0]  # Meta counts each character once
    assert (meta.text, meta.length, meta.shortened_from) == (WIDE, len(WIDE), None) and meta.passed
    with lib.read() as conn:
        shortened = conn.execute(select(AiCall.purpose).where(AiCall.purpose.like("Copy (shorten)%"))).scalars().all()
    assert shortened == ["Copy (shorten): google.rsa headline"]


def test_a_variant_with_a_banned_word_is_flagged_by_the_brand_rules(lib, place):
    set_brand_words(lib, place.brand_id, banned=["cheap"])
    brief_id = make_brief(lib, place, ["meta.feed_image"])
    variants = by_field(generate(lib, brief_id))["meta.feed_image", "headline"].variants

    assert [v.text for v in variants] == ["Fresh coffee roasted every morning", "The cheap cup that tastes like a treat",
                                          "Roasted daily in our own roastery"]  # the Markdown emphasis is gone
    flagged = variants[1]
    assert not flagged.passed and not flagged.over
    assert [(f.rule_id, f.severity, f.excerpt) for f in flagged.findings] == [("brand.banned", "error", "cheap")]
    assert variants[0].passed and variants[2].passed


def test_kept_copy_is_what_the_export_reads_and_one_undo_removes_it(lib, place):
    brief_id = make_brief(lib, place, ["meta.feed_image", "google.rsa"])
    fields = by_field(generate(lib, brief_id))
    google = [v.text for v in fields["google.rsa", "headline"].variants]
    meta = fields["meta.feed_image", "headline"].variants[0].text
    result = keep_copy(lib, brief_id, [Choice("meta.feed_image", "headline", meta)] +
                       [Choice("google.rsa", "headline", t) for t in google])
    assert result.changes == {"ad_copy"} and result.value == {("meta.feed_image", "headline"): [meta], ("google.rsa", "headline"): google}

    plan = make_plan(lib, place.campaign_id, ["meta", "google"], spec_ids=["meta.feed_image", "google.rsa"])
    exported = {c.spec_id: c.copy for c in plan.copy_checks}
    assert exported["meta.feed_image"]["headline"] == [meta] and exported["google.rsa"]["headline"] == google
    assert "headline" not in plan.copy["meta"]  # scoped to the placements, not the whole platform

    undo = UndoStack(lib)
    assert undo.undo_label() == "Keep copy for Autumn launch"
    undo.undo()
    assert campaign_copy(lib, place.campaign_id) == {}
    undo.redo()
    assert campaign_copy(lib, place.campaign_id)["google.rsa"]["headline"] == google


def test_keeping_bad_choices_is_refused_and_writes_nothing(lib, place):
    brief_id = make_brief(lib, place, ["meta.feed_image"])
    cases = [
        ([], "Nothing to keep"),
        ([Choice("meta.feed_image", "headline", "One"), Choice("meta.feed_image", "headline", "Two")], "takes at most 1 headline"),
        ([Choice("meta.feed_image", "final_url", "https://roast.example")], "has no copy field 'final_url'"),
        ([Choice("meta.feed_image", "headline", "  ")], "is empty"),
        ([Choice("meta.nowhere", "headline", "One")], "There is no spec 'meta.nowhere'"),
    ]
    for choices, message in cases:
        with pytest.raises(BadInput, match=message):
            keep_copy(lib, brief_id, choices)
    no_campaign = make_brief(lib, place, ["meta.feed_image"], campaign=False)
    with pytest.raises(BadInput, match="has no campaign, and ad copy lives in a campaign"):
        keep_copy(lib, no_campaign, [Choice("meta.feed_image", "headline", "One")])
    assert campaign_copy(lib, place.campaign_id) == {}


def test_bad_briefs_get_a_clear_message(lib, place):
    empty = briefs.create_brief(lib, place.brand_id, "Empty").value
    with pytest.raises(BadInput, match="'Empty' has no deliverables yet; add placements to its Deliverables section"):
        generate(lib, empty)
    with pytest.raises(BadInput, match="There is no brief 99"):
        generate(lib, 99)
    bumper = make_brief(lib, place, ["google.youtube_bumper"])
    with pytest.raises(BadInput, match="None of the brief's placements takes copy: google.youtube_bumper: YouTube bumper has no copy fields"):
        generate(lib, bumper)
    unwritten = make_brief(lib, place, ["meta.reels"], proposition="")
    with pytest.raises(BadInput, match="has no proposition yet"):
        generate(lib, unwritten)
    with pytest.raises(BadInput, match="Ask for 1 to 20 variants per field, not 21"):
        generate(lib, unwritten, count=21)


def test_cancel_stops_between_fields(lib, place):
    brief_id = make_brief(lib, place, ["meta.feed_image"])
    state = JobState(lambda: state.cancel() if state.status.startswith("Writing Meta feed image: headline") else None)
    with pytest.raises(Cancelled):
        generate(lib, brief_id, state=state)
    with lib.read() as conn:
        assert conn.execute(select(AiCall.purpose)).scalars().all() == ["Copy (variants): meta.feed_image primary_text"]


def test_studio_brief_copy(lib, place, capsys):
    set_brand_words(lib, place.brand_id, banned=["cheap"])
    brief_id = make_brief(lib, place, ["meta.feed_image"])
    root = str(lib.root)

    assert cli.main(["brief", "copy", str(brief_id), "--count", "2", "--provider", "offline", "--json", "--library", root]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["provider"] == "offline" and [f["field"] for f in out["fields"]] == ["primary_text", "headline", "description"]
    headline = out["fields"][1]
    assert headline["variants"][1] == {"text": "The cheap cup that tastes like a treat", "length": 38, "limit": 40, "passed": False,
                                       "shortened_from": None, "findings": [{"rule_id": "brand.banned", "severity": "error",
                                       "message": headline["variants"][1]["findings"][0]["message"], "hint": headline["variants"][1]["findings"][0]["hint"]}]}

    assert cli.main(["brief", "copy", str(brief_id), "--count", "2", "--provider", "offline", "--library", root]) == 0
    text = capsys.readouterr().out
    assert "## Meta feed image · Headline (shown up to 40)" in text
    assert " 2. FAIL  38/40  The cheap cup that tastes like a treat" in text and "error: “cheap”" in text

    empty = briefs.create_brief(lib, place.brand_id, "Empty").value
    assert cli.main(["brief", "copy", str(empty), "--provider", "offline", "--library", root]) == 2
    assert capsys.readouterr().err.startswith("error: 'Empty' has no deliverables yet")
    assert cli.main(["brief", "copy", "99", "--library", root]) == 2
    assert capsys.readouterr().err == "error: There is no brief 99; `studio brief list` shows the briefs there are.\n"
    with pytest.raises(SystemExit):
        cli.main(["brief", "copy", str(brief_id), "--provider", "gpt", "--library", root])
    assert "invalid choice: 'gpt'" in capsys.readouterr().err
