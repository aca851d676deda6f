"""Ops on briefs, each one undoable step: create, rename, delete; save a section (typing in one
section merges into one step); deliverables; versions and restore; comments; status and approvals.

Changing the text of an approved brief sends it back to review: the op's value then says so."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from studio.core.briefs.sections import (
    SECTIONS,
    STATUSES,
    check_section,
    parse_deliverables,
)
from studio.core.db.models import (
    VERSION,
    Brand,
    BriefApproval,
    BriefComment,
    BriefRow,
    BriefSection,
    BriefVersion,
    Campaign,
    utcnow,
)
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult, Tx, actor

DECISIONS = ("approved", "rejected")


def _clean(text: str, what: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise BadInput(f"A {what} cannot be empty.")
    if len(text) > limit:
        raise BadInput(f"The {what} is {len(text)} characters long; keep it to {limit}.")
    return text


def _brief(conn, brief_id: int):
    row = conn.execute(select(BriefRow.id, BriefRow.title, BriefRow.status, BriefRow.brand_id).where(BriefRow.id == brief_id)).first()
    if row is None:
        raise BadInput(f"There is no brief {brief_id}; it may have been deleted (undo brings it back).")
    return row


def _check_campaign(conn, campaign_id: int | None, brand_id: int) -> None:
    if campaign_id is None:
        return
    owner = conn.execute(select(Campaign.brand_id).where(Campaign.id == campaign_id)).scalar()
    if owner is None:
        raise BadInput(f"There is no campaign {campaign_id}; choose one of the brand's campaigns or none.")
    if owner != brand_id:
        raise BadInput(f"Campaign {campaign_id} belongs to another brand; a brief's campaign must be one of its own brand's.")


# ---- the brief ------------------------------------------------------------------------------
def create_brief(lib, brand_id: int, title: str, campaign_id: int | None = None) -> OpResult:
    """A new draft brief with every section empty; value: its id."""
    title = _clean(title, "brief title", 300)
    with lib.write(f"New brief {title}") as tx:
        if tx.conn.execute(select(Brand.id).where(Brand.id == brand_id)).first() is None:
            raise BadInput(f"There is no brand {brand_id}; create the brand first, or pick one from the brands there are.")
        _check_campaign(tx.conn, campaign_id, brand_id)
        now = utcnow()
        tx.value = tx.insert("briefs", brand_id=brand_id, campaign_id=campaign_id, title=title, status="draft",
                             created_at=now, updated_at=now)
        for key in SECTIONS:
            tx.insert("brief_sections", brief_id=tx.value, key=key, text="", data=[] if key == "deliverables" else None, updated_at=now)
    return tx.result


def rename_brief(lib, brief_id: int, title: str) -> OpResult:
    title = _clean(title, "brief title", 300)
    with lib.write(f"Rename brief to {title}", merge_key=f"brief:{brief_id}:title") as tx:
        _brief(tx.conn, brief_id)
        tx.update("briefs", brief_id, title=title, updated_at=utcnow())
    return tx.result


def set_brief_campaign(lib, brief_id: int, campaign_id: int | None) -> OpResult:
    with lib.write("Change the brief's campaign") as tx:
        _check_campaign(tx.conn, campaign_id, _brief(tx.conn, brief_id).brand_id)
        tx.update("briefs", brief_id, campaign_id=campaign_id, updated_at=utcnow())
    return tx.result


def delete_brief(lib, brief_id: int) -> OpResult:
    """Delete a brief with its sections, versions, comments and approvals (undo restores them all)."""
    with lib.write("Delete brief") as tx:
        brief = _brief(tx.conn, brief_id)
        for table in (BriefApproval, BriefComment, BriefVersion):
            for (row_id,) in tx.conn.execute(select(table.id).where(table.brief_id == brief_id)):
                tx.delete(table.__tablename__, row_id)
        for (key,) in tx.conn.execute(select(BriefSection.key).where(BriefSection.brief_id == brief_id)):
            tx.delete("brief_sections", [brief_id, key])
        tx.delete("briefs", brief_id)
        tx.note(brief=brief_id, title=brief.title)
    return tx.result


# ---- sections ---------------------------------------------------------------------------------
def _current_sections(conn, brief_id: int) -> dict[str, dict]:
    rows = conn.execute(select(BriefSection.key, BriefSection.text, BriefSection.data).where(BriefSection.brief_id == brief_id))
    return {key: {"text": text, "data": data} for key, text, data in rows}


def section_versions(lib, brief_id: int) -> dict[str, tuple[str, int]]:
    """Each section's stored text and row version: {key: (text, version)}. The editor saves with the
    version (save_section's expected_version), so typing over a colleague's newer text is refused."""
    table = BriefSection.__table__
    with lib.read() as conn:
        rows = conn.execute(select(table.c.key, table.c.text, table.c[VERSION]).where(table.c.brief_id == brief_id))
        return {key: (text, version) for key, text, version in rows}


def _set_sections(tx: Tx, brief, sections: dict[str, dict], expected_version: int | None = None) -> str | None:
    """Write the sections that differ; an approved brief whose text changed goes back to review.
    Returns the note saying so, else None. expected_version: of the one section given (a save
    prepared from it; ConflictError if someone saved the section since)."""
    current = _current_sections(tx.conn, brief.id)
    now = utcnow()
    changed = False
    for key, value in sections.items():
        old = current.get(key)
        if old == value:
            continue
        changed = True
        if old is None:  # a section a newer studio added: make its row
            tx.insert("brief_sections", brief_id=brief.id, key=key, updated_at=now, **value)
        else:
            tx.update("brief_sections", [brief.id, key], expected_version=expected_version, updated_at=now, **value)
    if not changed:
        return None
    if brief.status == "approved":
        tx.update("briefs", brief.id, status="in_review", updated_at=now)
        note = f"{brief.title!r} was approved; it changed, so it is back in review and needs approving again."
        tx.note(reopened=True)
        return note
    tx.update("briefs", brief.id, updated_at=now)
    return None


def save_section(lib, brief_id: int, key: str, text: str, *, expected_version: int | None = None) -> OpResult:
    """Save one section's Markdown (the editor's autosave). Saves in quick succession merge into one
    undo step. Value: None, or the note that the approved brief went back to review.
    expected_version: the section's version the text was typed over (section_versions); someone
    else's save since raises ConflictError. result.version_of("brief_sections", (brief_id, key))
    is the version after the save."""
    check_section(key)
    with lib.write(f"Edit {SECTIONS[key]}", merge_key=f"brief:{brief_id}:section:{key}") as tx:
        brief = _brief(tx.conn, brief_id)
        data = _current_sections(tx.conn, brief_id).get(key, {}).get("data")
        tx.value = _set_sections(tx, brief, {key: {"text": text or "", "data": data}}, expected_version)
    return tx.result


def set_deliverables(lib, brief_id: int, deliverables: Iterable) -> OpResult:
    """Replace the brief's deliverables: dicts {spec_id, count, notes} or Deliverable objects, each
    bound to a placement of the library's spec catalog. Value: as save_section's."""
    from studio.core.specs.catalog import load_catalog

    items = [d.as_dict() for d in parse_deliverables(list(deliverables), load_catalog(lib))]
    with lib.write("Edit deliverables", merge_key=f"brief:{brief_id}:deliverables") as tx:
        brief = _brief(tx.conn, brief_id)
        text = _current_sections(tx.conn, brief_id).get("deliverables", {}).get("text", "")
        tx.value = _set_sections(tx, brief, {"deliverables": {"text": text, "data": items}})
    return tx.result


# ---- versions ---------------------------------------------------------------------------------
def _add_version(tx: Tx, brief_id: int, note: str, author: str | None) -> int:
    number = (tx.conn.execute(select(func.max(BriefVersion.number)).where(BriefVersion.brief_id == brief_id)).scalar() or 0) + 1
    tx.insert("brief_versions", brief_id=brief_id, number=number, author=(author or "").strip() or actor(),
              note=(note or "").strip(), sections=_current_sections(tx.conn, brief_id), created_at=utcnow())
    return number


def save_version(lib, brief_id: int, note: str = "", author: str | None = None) -> OpResult:
    """Snapshot every section as the next version; value: its number."""
    with lib.write("Save brief version") as tx:
        _brief(tx.conn, brief_id)
        tx.value = _add_version(tx, brief_id, note, author)
    return tx.result


def restore_version(lib, brief_id: int, number: int, author: str | None = None) -> OpResult:
    """Make version `number`'s sections current and record that as a new version.
    Value: the new version's number."""
    with lib.write(f"Restore brief version {number}") as tx:
        brief = _brief(tx.conn, brief_id)
        snapshot = tx.conn.execute(select(BriefVersion.sections).where(
            BriefVersion.brief_id == brief_id, BriefVersion.number == number)).scalar()
        if snapshot is None:
            raise BadInput(f"Brief {brief_id} has no version {number}; its version history lists the ones there are.")
        _set_sections(tx, brief, {k: v for k, v in snapshot.items() if k in SECTIONS})
        tx.value = _add_version(tx, brief_id, f"Restored version {number}", author)
        tx.note(brief=brief_id, restored=number)
    return tx.result


# ---- comments ---------------------------------------------------------------------------------
def add_comment(lib, brief_id: int, text: str, *, section: str | None = None, author: str | None = None,
                parent_uid: str | None = None, uid: str | None = None, created_at: datetime | None = None) -> OpResult:
    """Comment on a brief or one section; a reply names its parent's uid. Value: the comment's uid.
    A uid already in the library (a review bundle merged twice) adds nothing."""
    text = _clean(text, "comment", 20_000)
    if section is not None:
        check_section(section)
    with lib.write("Add comment") as tx:
        _brief(tx.conn, brief_id)
        if uid and tx.conn.execute(select(BriefComment.id).where(BriefComment.uid == uid)).first():
            tx.value = uid
        else:
            if parent_uid is not None:
                parent = tx.conn.execute(select(BriefComment.brief_id).where(BriefComment.uid == parent_uid)).scalar()
                if parent != brief_id:
                    raise BadInput(f"There is no comment {parent_uid} on brief {brief_id} to reply to.")
            tx.value = uid or str(uuid.uuid4())
            tx.insert("brief_comments", uid=tx.value, brief_id=brief_id, section=section, author=(author or "").strip() or actor(),
                      text=text, created_at=created_at or utcnow(), resolved=False, parent_uid=parent_uid)
    return tx.result


def resolve_comment(lib, uid: str, resolved: bool = True) -> OpResult:
    with lib.write("Resolve comment" if resolved else "Reopen comment") as tx:
        row_id = tx.conn.execute(select(BriefComment.id).where(BriefComment.uid == uid)).scalar()
        if row_id is None:
            raise BadInput(f"There is no comment {uid}; it may have been deleted with its brief.")
        tx.update("brief_comments", row_id, resolved=resolved)
    return tx.result


# ---- status and approvals ---------------------------------------------------------------------
def set_brief_status(lib, brief_id: int, status: str, *, approvers: Iterable[str] = (), note: str | None = None) -> OpResult:
    """Move a brief to draft, in_review or approved. Approving needs at least one approver's name;
    each is recorded as an approval."""
    if status not in STATUSES:
        raise BadInput(f"{status!r} is not a brief status; use one of: {', '.join(STATUSES)}.")
    names = [n.strip() for n in approvers if n and n.strip()]
    if status == "approved" and not names:
        raise BadInput("Approving a brief needs the approver's name; give who approved it.")
    if status != "approved" and names:
        raise BadInput("Approver names go with approving a brief only.")
    with lib.write(f"Set brief status to {STATUSES[status]}") as tx:
        _brief(tx.conn, brief_id)
        for name in names:
            _record(tx, brief_id, name, "approved", note, None, None)
        tx.update("briefs", brief_id, status=status, updated_at=utcnow())
        tx.note(brief=brief_id, status=status, approvers=names)
    return tx.result


def record_decision(lib, brief_id: int, approver: str, decision: str, *, note: str | None = None,
                    uid: str | None = None, at: datetime | None = None) -> OpResult:
    """A reviewer's decision: approved makes the brief approved, rejected sends it back to draft.
    A uid already in the library (a review bundle merged twice) changes nothing. Value: the uid."""
    if decision not in DECISIONS:
        raise BadInput(f"{decision!r} is not a decision; use approved or rejected.")
    approver = _clean(approver, "approver's name", 200)
    with lib.write(f"Brief {decision} by {approver}") as tx:
        _brief(tx.conn, brief_id)
        if uid and tx.conn.execute(select(BriefApproval.id).where(BriefApproval.uid == uid)).first():
            tx.value = uid
        else:
            tx.value = _record(tx, brief_id, approver, decision, note, uid, at)
            tx.update("briefs", brief_id, status="approved" if decision == "approved" else "draft", updated_at=utcnow())
            tx.note(brief=brief_id, decision=decision, approver=approver, note=note)
    return tx.result


def _record(tx: Tx, brief_id, approver, decision, note, uid, at) -> str:
    uid = uid or str(uuid.uuid4())
    tx.insert("brief_approvals", uid=uid, brief_id=brief_id, approver=approver[:200], decision=decision,
              note=(note or "").strip() or None, at=at or utcnow())
    return uid
