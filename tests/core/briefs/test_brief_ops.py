"""Brief ops on a real library: create, rename, delete and undo; autosave merging; deliverables;
comments; status and approvals; bad input refused with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from studio.core import undo as undo_module
from studio.core.briefs.sections import SECTIONS, get_brief, list_briefs, list_comments
from studio.core.db.models import AuditEvent, BriefSection
from studio.core.errors import BadInput
from studio.core.ops import briefs as ops
from studio.core.ops import organize


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(undo_module, "clock", lambda: now[0])
    return now


def test_create_rename_delete_and_undo(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "  Autumn launch ", place.campaign_id).value
    brief = get_brief(lib, brief_id)
    assert (brief.title, brief.summary.status, brief.summary.campaign) == ("Autumn launch", "draft", "Autumn")
    assert list(brief.sections) == list(SECTIONS) and set(brief.sections.values()) == {""}
    ops.rename_brief(lib, brief_id, "Autumn relaunch")
    ops.save_section(lib, brief_id, "insight", "People **love** mornings")
    ops.add_comment(lib, brief_id, "Sharper, please", section="insight", author="Kim")
    ops.save_version(lib, brief_id, "first")
    ops.set_brief_status(lib, brief_id, "approved", approvers=["Dana"])
    ops.delete_brief(lib, brief_id)
    assert list_briefs(lib) == []
    lib.undo.undo()  # the delete: the brief comes back whole
    back = get_brief(lib, brief_id)
    assert back.title == "Autumn relaunch" and back.sections["insight"] == "People **love** mornings"
    assert [a.approver for a in back.approvals] == ["Dana"] and back.summary.status == "approved"
    assert [c.text for c in list_comments(lib, brief_id)] == ["Sharper, please"]


def test_typing_in_a_section_merges_into_one_undo_step(lib, place, clock):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    for text in ("W", "Wa", "Wake", "Wake up"):
        clock[0] += 0.4
        ops.save_section(lib, brief_id, "objective", text)
    clock[0] += 0.4
    ops.save_section(lib, brief_id, "tone", "Warm")  # another section: its own step
    assert lib.undo.undo_label() == "Edit Tone"
    lib.undo.undo()
    assert lib.undo.undo_label() == "Edit Objective"
    lib.undo.undo()
    assert get_brief(lib, brief_id).sections["objective"] == ""
    assert lib.undo.undo_label() == "New brief Brief"


def test_saving_unchanged_text_records_nothing(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    ops.save_section(lib, brief_id, "objective", "Same")
    result = ops.save_section(lib, brief_id, "objective", "Same")
    assert result.changes == frozenset() and lib.undo.undo_label() == "Edit Objective"


def test_changing_an_approved_brief_sends_it_back_to_review(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    assert ops.save_section(lib, brief_id, "objective", "Sell").value is None
    ops.set_brief_status(lib, brief_id, "in_review")
    ops.set_brief_status(lib, brief_id, "approved", approvers=["Dana", " Lee "], note="Good to go")
    brief = get_brief(lib, brief_id)
    assert brief.summary.status == "approved"
    assert [(a.approver, a.decision, a.note) for a in brief.approvals] == [("Dana", "approved", "Good to go"), ("Lee", "approved", "Good to go")]
    note = ops.save_section(lib, brief_id, "objective", "Sell more").value
    assert "back in review" in note and "approving again" in note
    assert get_brief(lib, brief_id).summary.status == "in_review"
    lib.undo.undo()  # the edit and the status change are one step
    assert get_brief(lib, brief_id).summary.status == "approved"
    assert get_brief(lib, brief_id).sections["objective"] == "Sell"


def test_approving_needs_a_name_and_statuses_are_known(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    with pytest.raises(BadInput, match="approver's name"):
        ops.set_brief_status(lib, brief_id, "approved", approvers=["  "])
    with pytest.raises(BadInput, match="not a brief status; use one of: draft, in_review, approved"):
        ops.set_brief_status(lib, brief_id, "done")
    with pytest.raises(BadInput, match="with approving"):
        ops.set_brief_status(lib, brief_id, "draft", approvers=["Dana"])
    brief = get_brief(lib, brief_id)
    assert brief.summary.status == "draft" and brief.approvals == ()


def test_status_changes_and_decisions_are_audited(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    ops.set_brief_status(lib, brief_id, "approved", approvers=["Dana"])
    uid = ops.record_decision(lib, brief_id, "Client Co", "rejected", note="Tone is off", uid="4d6c1c1e-0000-4000-8000-000000000001").value
    assert get_brief(lib, brief_id).summary.status == "draft"
    again = ops.record_decision(lib, brief_id, "Client Co", "rejected", uid=uid)  # a bundle merged twice
    assert again.changes == frozenset() and len(get_brief(lib, brief_id).approvals) == 2
    with lib.read() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)).all()
    assert ("Set brief status to Approved", "Dana") == (events[-2].action, events[-2].details["approvers"][0])
    assert events[-1].action == "Brief rejected by Client Co" and events[-1].details["note"] == "Tone is off"
    with pytest.raises(BadInput, match="approved or rejected"):
        ops.record_decision(lib, brief_id, "Client Co", "maybe")


def test_deliverables_are_bound_to_the_spec_catalog(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "count": 3, "notes": " hero cut "}, {"spec_id": "google.rda"}])
    assert [(d.spec_id, d.count, d.notes) for d in get_brief(lib, brief_id).deliverables] == [("meta.reels", 3, "hero cut"), ("google.rda", 1, "")]
    ops.save_section(lib, brief_id, "deliverables", "Cut-downs from the hero film")  # the text keeps the list
    assert len(get_brief(lib, brief_id).deliverables) == 2
    with pytest.raises(BadInput, match="There is no spec 'meta.reel'.*meta.reels"):
        ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reel"}])
    with pytest.raises(BadInput, match="asks for 0 pieces"):
        ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "count": 0}])
    with pytest.raises(BadInput, match="fields a deliverable does not have: size"):
        ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels", "size": 2}])
    assert [d.count for d in get_brief(lib, brief_id).deliverables] == [3, 1]


def test_comments_replies_and_resolving(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    first = ops.add_comment(lib, brief_id, "Too long", section="objective", author="Kim").value
    reply = ops.add_comment(lib, brief_id, "Cut it", author="Lee", parent_uid=first).value
    assert ops.add_comment(lib, brief_id, "Too long", uid=first).changes == frozenset()  # merged twice: no duplicate
    ops.resolve_comment(lib, first)
    comments = list_comments(lib, brief_id)
    assert [(c.author, c.section, c.parent_uid, c.resolved) for c in comments] == [("Kim", "objective", None, True), ("Lee", None, first, False)]
    assert [c.uid for c in list_comments(lib, brief_id, include_resolved=False)] == [reply]
    assert [c.uid for c in list_comments(lib, brief_id, section="objective")] == [first]
    lib.undo.undo()
    assert not list_comments(lib, brief_id)[0].resolved


def test_bad_input_is_refused_and_writes_nothing(lib, place):
    other = organize.create_brand(lib, organize.create_client(lib, "Other").value, "Other brand").value
    brief_id = ops.create_brief(lib, place.brand_id, "Brief").value
    with lib.read() as conn:
        before = conn.execute(select(func.count()).select_from(BriefSection)).scalar()
    cases = [
        (lambda: ops.create_brief(lib, place.brand_id, "   "), "brief title cannot be empty"),
        (lambda: ops.create_brief(lib, 999, "Brief"), "no brand 999"),
        (lambda: ops.create_brief(lib, other, "Brief", place.campaign_id), "belongs to another brand"),
        (lambda: ops.create_brief(lib, place.brand_id, "Brief", 999), "no campaign 999"),
        (lambda: ops.save_section(lib, brief_id, "summary", "x"), "no section 'summary'; the sections are: objective"),
        (lambda: ops.save_section(lib, 999, "objective", "x"), "no brief 999"),
        (lambda: ops.add_comment(lib, brief_id, " "), "comment cannot be empty"),
        (lambda: ops.add_comment(lib, brief_id, "Hi", parent_uid="nope"), "no comment nope on brief"),
        (lambda: ops.resolve_comment(lib, "nope"), "no comment nope"),
    ]
    for call, message in cases:
        with pytest.raises(BadInput, match=message):
            call()
    with lib.read() as conn:
        assert conn.execute(select(func.count()).select_from(BriefSection)).scalar() == before
    assert [b.id for b in list_briefs(lib)] == [brief_id] and lib.undo.undo_label() == "New brief Brief"
