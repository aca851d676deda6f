"""A review round trip between two libraries: A sends a bundle, a reviewer at another workstation
comments, replies and approves, A merges the reply (once, however often it is imported), and
replies that A must refuse: from another library, edited, about a deleted brief."""

from __future__ import annotations

import json
import uuid
import zipfile

import pytest
from sqlalchemy import select

from studio.core.briefs.sections import get_brief, list_comments
from studio.core.db.models import AuditEvent
from studio.core.errors import BadInput
from studio.core.library import Library
from studio.core.ops import briefs
from studio.core.review import (
    NewComment,
    NewDecision,
    export_bundle,
    import_reply,
    open_bundle,
    reply_bundle,
)
from studio.core.review.bundle import sign
from tests.core.review.conftest import make_sender


def _actions(lib) -> list[str]:
    with lib.read() as conn:
        return list(conn.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars())


def _reply(bundle_file, out, sender, **kw):
    mine = str(uuid.uuid4())
    with open_bundle(bundle_file) as bundle:
        return reply_bundle(bundle, out, reviewer="Client Carla", comments=kw.get("comments", [
            NewComment(sender.brief_id, "Love the objective.", section="objective", uid=mine),
            NewComment(sender.brief_id, "Yes, it is.", parent_uid=sender.comment_uid),
            NewComment(sender.brief_id, "…and the tone too.", parent_uid=mine),
        ]), decisions=kw.get("decisions", [NewDecision(sender.brief_id, "approved", note="Go ahead")]))


def test_round_trip_merges_once_with_audit(sender, bundle_file, tmp_path, new_library):
    with new_library(tmp_path / "b") as reviewer_lib:  # the reviewer has a library of their own, which plays no part
        info = _reply(bundle_file, tmp_path / "reply.zip", sender)
        assert (info.briefs, info.assets) == (1, 0) and reviewer_lib.root != sender.lib.root
    before = len(_actions(sender.lib))

    report = import_reply(sender.lib, tmp_path / "reply.zip")
    assert (report.comments_added, report.comments_known, report.decisions_added, report.decisions_known) == (3, 0, 1, 0)
    assert report.reviewer == "Client Carla" and report.reply_uid == info.uid
    thread = list_comments(sender.lib, sender.brief_id)
    by_text = {c.text: c for c in thread}
    assert [c.author for c in thread] == ["Ana", "Client Carla", "Client Carla", "Client Carla"]
    assert by_text["Yes, it is."].parent_uid == sender.comment_uid
    assert by_text["…and the tone too."].parent_uid == by_text["Love the objective."].uid
    assert by_text["Love the objective."].section == "objective"
    brief = get_brief(sender.lib, sender.brief_id)
    assert brief.summary.status == "approved"
    assert [(a.approver, a.decision, a.note) for a in brief.approvals] == [("Client Carla", "approved", "Go ahead")]
    added = _actions(sender.lib)[before:]
    assert added == ["Add comment"] * 3 + ["Brief approved by Client Carla", "Merge review reply from Client Carla"]

    again = import_reply(sender.lib, tmp_path / "reply.zip")
    assert (again.comments_added, again.comments_known, again.decisions_added, again.decisions_known) == (0, 3, 0, 1)
    assert len(list_comments(sender.lib, sender.brief_id)) == 4 and len(get_brief(sender.lib, sender.brief_id).approvals) == 1
    assert len(_actions(sender.lib)) == before + len(added)


def test_a_second_round_carries_the_merged_thread(sender, bundle_file, tmp_path):
    _reply(bundle_file, tmp_path / "reply.zip", sender)
    import_reply(sender.lib, tmp_path / "reply.zip")
    export_bundle(sender.lib, [sender.brief_id], [], tmp_path / "round2.zip")
    with open_bundle(tmp_path / "round2.zip") as bundle:
        assert len(bundle.brief(sender.brief_id).comments) == 4
        assert [a.decision for a in bundle.brief(sender.brief_id).approvals] == ["approved"]
        reply_bundle(bundle, tmp_path / "reply2.zip", reviewer="Client Carla", decisions=[NewDecision(sender.brief_id, "rejected", "Budget")])
    report = import_reply(sender.lib, tmp_path / "reply2.zip")
    assert (report.comments_added, report.decisions_added) == (0, 1)
    assert get_brief(sender.lib, sender.brief_id).summary.status == "draft"


def test_a_reply_from_another_library_is_refused(sender, tmp_path, new_library):
    other = make_sender(new_library, tmp_path / "other", tmp_path / "other-files")
    try:
        export_bundle(other.lib, [other.brief_id], [], tmp_path / "theirs.zip")
        _reply(tmp_path / "theirs.zip", tmp_path / "their-reply.zip", other)
    finally:
        other.lib.close()
    before = _actions(sender.lib)
    with pytest.raises(BadInput, match="answers a bundle sent from another library .* nothing was imported"):
        import_reply(sender.lib, tmp_path / "their-reply.zip")
    assert _actions(sender.lib) == before and len(list_comments(sender.lib, sender.brief_id)) == 1


def test_an_edited_reply_is_refused(sender, bundle_file, tmp_path):
    _reply(bundle_file, tmp_path / "reply.zip", sender, decisions=[NewDecision(sender.brief_id, "rejected")])
    with zipfile.ZipFile(tmp_path / "reply.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["briefs"][0]["approvals"][0]["decision"] = "approved"  # someone on the way turns the rejection round
    with zipfile.ZipFile(tmp_path / "edited.zip", "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(BadInput, match="changed after the reviewer wrote it"):
        import_reply(sender.lib, tmp_path / "edited.zip")
    assert get_brief(sender.lib, sender.brief_id).approvals == ()


def test_a_reply_about_a_deleted_brief_is_refused(sender, bundle_file, tmp_path):
    _reply(bundle_file, tmp_path / "reply.zip", sender)
    briefs.delete_brief(sender.lib, sender.brief_id)
    with pytest.raises(BadInput, match=r"brief \d+ \(Autumn launch\), which this library no longer has"):
        import_reply(sender.lib, tmp_path / "reply.zip")
    sender.lib.undo.undo()
    assert import_reply(sender.lib, tmp_path / "reply.zip").comments_added == 3


def test_importing_the_bundle_itself_is_refused(sender, bundle_file):
    with pytest.raises(BadInput, match="is a review bundle to open and review, not a reviewer's reply"):
        import_reply(sender.lib, bundle_file)


def test_bad_replies_are_refused_before_writing(sender, bundle_file, tmp_path):
    out = tmp_path / "reply.zip"
    with open_bundle(bundle_file) as bundle:
        for kw, message in (({"reviewer": " "}, "reviewer's name cannot be empty"),
                            ({}, "at least one comment"),
                            ({"comments": [NewComment(99, "x")]}, "holds no brief 99"),
                            ({"comments": [NewComment(sender.brief_id, "  ")]}, "comment cannot be empty"),
                            ({"comments": [NewComment(sender.brief_id, "x", section="colour")]}, "no section 'colour'"),
                            ({"comments": [NewComment(sender.brief_id, "x", parent_uid="nope")]}, "no comment nope"),
                            ({"comments": [NewComment(sender.brief_id, "x", uid="short")]}, "not a comment uid"),
                            ({"decisions": [NewDecision(sender.brief_id, "maybe")]}, "not a decision")):
            with pytest.raises(BadInput, match=message):
                reply_bundle(bundle, out, **{"reviewer": "Carla", **kw})
    assert not out.exists()
    with open_bundle(bundle_file) as bundle:
        reply_bundle(bundle, out, reviewer="Carla", comments=[NewComment(sender.brief_id, "ok")])
    with open_bundle(out) as reply, pytest.raises(BadInput, match="is itself a reply"):
        reply_bundle(reply, tmp_path / "again.zip", reviewer="Carla", comments=[NewComment(sender.brief_id, "x")])


def test_a_signed_reply_with_values_the_ops_refuse_is_refused_whole(sender, bundle_file, tmp_path):
    """A reply made by another tool (signed with the bundle's key) whose second comment is empty:
    nothing is merged, not even the first comment."""
    _reply(bundle_file, tmp_path / "reply.zip", sender)
    with zipfile.ZipFile(tmp_path / "reply.zip") as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["briefs"][0]["comments"][1]["text"] = "   "
    with open_bundle(bundle_file) as bundle:
        manifest["signature"] = sign(manifest, bundle.reply_key)
    with zipfile.ZipFile(tmp_path / "odd.zip", "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(BadInput, match="cannot take: A comment cannot be empty. Nothing was imported."):
        import_reply(sender.lib, tmp_path / "odd.zip")
    assert len(list_comments(sender.lib, sender.brief_id)) == 1 and get_brief(sender.lib, sender.brief_id).approvals == ()
