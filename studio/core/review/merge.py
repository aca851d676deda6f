"""The sender's side: merge a reviewer's reply into the library that sent the bundle.

Everything is checked before anything is written: the reply must answer a bundle this library
sent (its library uid, and its signature under the key derived for that bundle), and every brief
and every comment it replies to must still be here. Comments and decisions keep the uids the
reviewer gave them, so merging the same reply twice adds nothing. Each one added is an op of its
own (undoable, in the audit trail), and the merge as a whole is one more audit event."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from studio.core import audit
from studio.core.briefs.sections import check_section
from studio.core.db.models import BriefApproval, BriefComment, BriefRow
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.briefs import DECISIONS, add_comment, record_decision
from studio.core.ops.tx import actor
from studio.core.review.bundle import (
    Bundle,
    library_identity,
    open_bundle,
    reply_key,
    signed_by,
)
from studio.core.review.reply import MAX_NAME, MAX_TEXT, clean_text


@dataclass(frozen=True)
class MergeReport:
    reply_uid: str
    reviewer: str
    comments_added: int
    comments_known: int
    decisions_added: int
    decisions_known: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def import_reply(lib, path, *, state: JobState | None = None) -> MergeReport:
    """Open, verify and merge the reply at path."""
    with open_bundle(path) as reply:
        return merge_reply(lib, reply, state=state)


def merge_reply(lib, reply: Bundle, *, state: JobState | None = None) -> MergeReport:
    state = state or JobState()
    _check_origin(lib, reply)
    comments = [c for b in reply.briefs for c in b.comments]
    decisions = sorted((a for b in reply.briefs for a in b.approvals), key=lambda a: a.at)
    with lib.read() as conn:
        briefs = set(conn.execute(select(BriefRow.id).where(BriefRow.id.in_([b.id for b in reply.briefs]))).scalars())
        known_comments = set(conn.execute(select(BriefComment.uid).where(BriefComment.uid.in_([c.uid for c in comments]))).scalars())
        known_decisions = set(conn.execute(select(BriefApproval.uid).where(BriefApproval.uid.in_([a.uid for a in decisions]))).scalars())
        parents = {c.parent_uid for c in comments if c.parent_uid} - {c.uid for c in comments}
        present = dict(conn.execute(select(BriefComment.uid, BriefComment.brief_id).where(BriefComment.uid.in_(parents))).all())
    gone = [b for b in reply.briefs if b.id not in briefs]
    if gone:
        raise BadInput(f"The reply is about brief{'s' if len(gone) > 1 else ''} {', '.join(f'{b.id} ({b.title})' for b in gone)}, "
                       "which this library no longer has (undo its deletion to bring it back). Nothing was imported.")
    for c in comments:
        if c.parent_uid in parents and present.get(c.parent_uid) != c.brief_id:
            raise BadInput(f"A comment in the reply answers comment {c.parent_uid}, which brief {c.brief_id} no longer has. Nothing was imported.")
    _check_values(comments, decisions)
    state.check()  # past here the merge runs to its end: a half-merged reply would only be finished by importing it again
    new_comments = [c for c in comments if c.uid not in known_comments]
    new_decisions = [a for a in decisions if a.uid not in known_decisions]
    for n, c in enumerate(new_comments):
        add_comment(lib, c.brief_id, c.text, section=c.section, author=c.author, parent_uid=c.parent_uid, uid=c.uid, created_at=c.created_at)
        state.set_progress(n + 1, len(new_comments) + len(new_decisions))
    for n, a in enumerate(new_decisions, len(new_comments)):
        record_decision(lib, a.brief_id, a.approver, a.decision, note=a.note, uid=a.uid, at=a.at)
        state.set_progress(n + 1, len(new_comments) + len(new_decisions))
    report = MergeReport(reply.uid, reply.author, len(new_comments), len(comments) - len(new_comments),
                         len(new_decisions), len(decisions) - len(new_decisions))
    if new_comments or new_decisions:
        with lib.write_lock, lib.engine.begin() as conn:
            audit.append(conn, actor(), f"Merge review reply from {reply.author}", {
                **report.as_dict(), "bundle_uid": reply.reply_to, "file": Path(reply.path).name,
                "comment_uids": [c.uid for c in new_comments], "decision_uids": [a.uid for a in new_decisions]})
    return report


def _check_values(comments, decisions) -> None:
    """What the ops would refuse halfway through the merge, refused before it starts."""
    try:
        for c in comments:
            clean_text(c.text, "comment", MAX_TEXT)
            clean_text(c.author, "comment's author", MAX_NAME)
            if c.section is not None:
                check_section(c.section)
        for a in decisions:
            clean_text(a.approver, "approver's name", MAX_NAME)
            if a.decision not in DECISIONS:
                raise BadInput(f"{a.decision!r} is not a decision")
    except BadInput as exc:
        raise BadInput(f"The reply holds something this studio cannot take: {exc} Nothing was imported.") from None


def _check_origin(lib, reply: Bundle) -> None:
    name = reply.path.name
    if reply.kind != "reply":
        raise BadInput(f"{name} is a review bundle to open and review, not a reviewer's reply; nothing was imported. "
                       "Open it with `studio review import` to see what it holds.")
    identity = library_identity(lib, create=False)
    if identity is None or identity[0] != reply.library_uid:
        raise BadInput(f"{name} answers a bundle sent from another library ({reply.library_uid}), not this one; nothing was imported. "
                       "Import it into the library that sent the bundle.")
    if not isinstance(reply.reply_to, str) or not signed_by(reply.manifest, reply_key(identity[1], reply.reply_to)):
        raise BadInput(f"{name} does not carry this library's signature for the bundle it answers: it was changed after the "
                       "reviewer wrote it, or answers a bundle this library never sent. Nothing was imported.")
