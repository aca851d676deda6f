"""The reviewer's side: comments (new, or replies to a thread) and approve/reject decisions on the
briefs of a bundle, written as a reply bundle that the sending library merges back. The reviewer
needs no library: the reply is made from the opened bundle alone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from studio.core.briefs.sections import check_section
from studio.core.db.models import utcnow
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.briefs import DECISIONS
from studio.core.review.bundle import Bundle, BundleInfo, new_manifest, write_zip

MAX_TEXT = 20_000
MAX_NAME = 200


@dataclass(frozen=True)
class NewComment:
    brief_id: int
    text: str
    section: str | None = None  # None: on the whole brief
    parent_uid: str | None = None  # a reply to this comment (one in the bundle, or an earlier new one)
    uid: str | None = None  # given by a caller that threads replies to its own new comments; else made here


@dataclass(frozen=True)
class NewDecision:
    brief_id: int
    decision: str  # approved | rejected
    note: str | None = None


def clean_text(value: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise BadInput(f"A {what} cannot be empty.")
    if len(value) > limit:
        raise BadInput(f"The {what} is {len(value)} characters long; keep it to {limit}.")
    return value


def _uid(given: str | None) -> str:
    if given is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(given))
    except ValueError:
        raise BadInput(f"{given!r} is not a comment uid; leave it out and one is made.") from None


def reply_bundle(bundle: Bundle, out_path, *, reviewer: str, comments=(), decisions=(), state: JobState | None = None) -> BundleInfo:
    """Write the reviewer's comments and decisions on `bundle` as a reply bundle at out_path."""
    if bundle.kind != "bundle":
        raise BadInput(f"{bundle.path.name} is itself a reply; open the review bundle it answers to reply to it.")
    reviewer = clean_text(reviewer, "reviewer's name", MAX_NAME)
    if not comments and not decisions:
        raise BadInput("A reply needs at least one comment, or a decision to approve or reject.")
    now = utcnow().isoformat()
    entries: dict[int, dict] = {}

    def entry(brief_id: int) -> dict:
        brief = bundle.brief(brief_id)
        return entries.setdefault(brief.id, {"id": brief.id, "title": brief.title, "comments": [], "approvals": []})

    for c in comments:
        thread = entry(c.brief_id)
        if c.section is not None:
            check_section(c.section)
        known = {k.uid for k in bundle.brief(c.brief_id).comments} | {k["uid"] for k in thread["comments"]}
        if c.parent_uid is not None and c.parent_uid not in known:
            raise BadInput(f"There is no comment {c.parent_uid} on brief {c.brief_id} to reply to.")
        uid = _uid(c.uid)
        if uid in known:
            raise BadInput(f"Comment {uid} is already in the thread; give each new comment its own uid.")
        thread["comments"].append({"uid": uid, "section": c.section, "author": reviewer,
                                   "text": clean_text(c.text, "comment", MAX_TEXT), "created_at": now, "parent_uid": c.parent_uid})
    for d in decisions:
        if d.decision not in DECISIONS:
            raise BadInput(f"{d.decision!r} is not a decision; use approved or rejected.")
        entry(d.brief_id)["approvals"].append({"uid": str(uuid.uuid4()), "approver": reviewer, "decision": d.decision,
                                               "note": (d.note or "").strip() or None, "at": now})
    uid = str(uuid.uuid4())
    manifest = new_manifest("reply", uid, bundle.library_uid, reviewer, reply_to=bundle.uid, briefs=list(entries.values()))
    size = write_zip(Path(out_path), manifest, {}, bundle.reply_key, state or JobState())
    return BundleInfo(Path(out_path), uid, len(entries), 0, size)
