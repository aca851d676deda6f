"""Version history: save, restore (undoable, recorded as a new version) and the diff between versions."""

from __future__ import annotations

from itertools import pairwise

import pytest

from studio.core.briefs.sections import get_brief
from studio.core.briefs.versions import diff_texts, diff_versions, list_versions
from studio.core.errors import BadInput
from studio.core.ops import briefs as ops
from studio.core.ops.tx import actor


def test_restore_makes_the_old_text_current_and_records_a_version(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    ops.save_section(lib, brief_id, "objective", "Sell coffee")
    ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "count": 2}])
    assert ops.save_version(lib, brief_id, "first draft", author="Kim").value == 1
    ops.save_section(lib, brief_id, "objective", "Sell tea")
    ops.save_section(lib, brief_id, "tone", "Calm")
    ops.set_deliverables(lib, brief_id, [])
    assert ops.save_version(lib, brief_id).value == 2

    assert ops.restore_version(lib, brief_id, 1, author="Lee").value == 3
    brief = get_brief(lib, brief_id)
    assert (brief.sections["objective"], brief.sections["tone"]) == ("Sell coffee", "")
    assert [(d.spec_id, d.count) for d in brief.deliverables] == [("meta.reels", 2)]
    assert [(v.number, v.author, v.note) for v in list_versions(lib, brief_id)] == [
        (3, "Lee", "Restored version 1"), (2, actor(), ""), (1, "Kim", "first draft")]

    lib.undo.undo()  # the restore is one step: text and the new version go together
    brief = get_brief(lib, brief_id)
    assert (brief.sections["objective"], brief.sections["tone"], brief.deliverables) == ("Sell tea", "Calm", ())
    assert [v.number for v in list_versions(lib, brief_id)] == [2, 1]


def test_restoring_an_approved_brief_sends_it_back_to_review(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    ops.save_version(lib, brief_id)
    ops.save_section(lib, brief_id, "objective", "Sell")
    ops.set_brief_status(lib, brief_id, "approved", approvers=["Dana"])
    ops.restore_version(lib, brief_id, 1)
    assert get_brief(lib, brief_id).summary.status == "in_review"


def test_diff_between_versions_per_section(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    ops.save_section(lib, brief_id, "objective", "Sell more coffee to students.\nKeep it warm.")
    ops.save_version(lib, brief_id)
    ops.save_section(lib, brief_id, "objective", "Sell more tea to students.\nKeep it warm.")
    ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "count": 2, "notes": "hero"}])
    ops.save_version(lib, brief_id)
    diffs = {d.key: d for d in diff_versions(lib, brief_id, 1, 2)}
    assert [k for k, d in diffs.items() if d.changed] == ["objective", "deliverables"]
    assert diffs["objective"].runs == (("equal", "Sell more "), ("delete", "coffee"), ("insert", "tea"),
                                       ("equal", " to students.\nKeep it warm."))
    assert "-Sell more coffee to students.\n+Sell more tea to students.\n Keep it warm." in diffs["objective"].unified
    assert diffs["objective"].unified.startswith("--- Objective (version 1)\n+++ Objective (version 2)\n")
    assert diffs["deliverables"].runs == (("insert", "- meta.reels × 2: hero"),)
    assert diffs["tone"].unified == "" and diffs["tone"].runs == ()
    ops.save_section(lib, brief_id, "tone", "Warm")
    assert [d.key for d in diff_versions(lib, brief_id, 2, None) if d.changed] == ["tone"]  # against the brief now


def test_diff_runs_rebuild_both_texts():
    old, new = "The quick brown fox, jumps.", "A quick red fox jumps over."
    runs = diff_texts(old, new)
    assert "".join(t for op, t in runs if op != "insert") == old
    assert "".join(t for op, t in runs if op != "delete") == new
    assert all(a[0] != b[0] for a, b in pairwise(runs))  # neighbouring runs differ in kind


def test_unknown_versions_are_refused(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    with pytest.raises(BadInput, match="has no version 4"):
        ops.restore_version(lib, brief_id, 4)
    with pytest.raises(BadInput, match="has no version 4"):
        diff_versions(lib, brief_id, 4, None)
    with pytest.raises(BadInput, match="no brief 77"):
        list_versions(lib, 77)
    assert lib.undo.undo_label() == "New brief Brief"
