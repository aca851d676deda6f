"""A brief's sections and the reads of a brief: its sections, deliverables, comments and approvals,
as plain dataclasses (no live ORM rows leave core)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from studio.core.db.models import (
    Brand,
    BriefApproval,
    BriefComment,
    BriefRow,
    BriefSection,
    Campaign,
)
from studio.core.errors import BadInput

# Section keys in the order a brief reads, with their headings.
SECTIONS: dict[str, str] = {
    "objective": "Objective",
    "background": "Background",
    "audience": "Audience",
    "insight": "Insight",
    "proposition": "Proposition",
    "reasons_to_believe": "Reasons to believe",
    "tone": "Tone",
    "mandatories": "Mandatories",
    "deliverables": "Deliverables",
    "channels": "Channels",
    "budget": "Budget",
    "timeline": "Timeline",
    "kpis": "KPIs",
}
STATUSES = {"draft": "Draft", "in_review": "In review", "approved": "Approved"}
MAX_DELIVERABLE_COUNT = 100


@dataclass(frozen=True)
class Deliverable:
    """One thing the brief asks for: `count` pieces for a placement of the spec catalog."""

    spec_id: str
    count: int = 1
    notes: str = ""

    def as_dict(self) -> dict:
        return {"spec_id": self.spec_id, "count": self.count, "notes": self.notes}


@dataclass(frozen=True)
class BriefSummary:
    id: int
    title: str
    status: str
    brand_id: int
    brand: str
    campaign_id: int | None
    campaign: str | None
    created_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Comment:
    uid: str
    brief_id: int
    section: str | None
    author: str
    text: str
    created_at: datetime
    resolved: bool
    parent_uid: str | None


@dataclass(frozen=True)
class Approval:
    uid: str
    brief_id: int
    approver: str
    decision: str
    note: str | None
    at: datetime


@dataclass(frozen=True)
class Brief:
    """A whole brief: `sections` holds every key of SECTIONS in order (Markdown, "" when empty)."""

    summary: BriefSummary
    sections: dict[str, str]
    deliverables: tuple[Deliverable, ...]
    approvals: tuple[Approval, ...]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def title(self) -> str:
        return self.summary.title

    def as_dict(self) -> dict:
        return {**self.summary.as_dict(), "sections": dict(self.sections),
                "deliverables": [d.as_dict() for d in self.deliverables],
                "approvals": [{**a.__dict__, "at": a.at.isoformat()} for a in self.approvals]}


def check_section(key: str) -> str:
    if key not in SECTIONS:
        raise BadInput(f"A brief has no section {key!r}; the sections are: {', '.join(SECTIONS)}.")
    return key


def parse_deliverables(items, catalog) -> list[Deliverable]:
    """Deliverables from dicts or Deliverable objects, each checked against the spec catalog."""
    out = []
    for n, item in enumerate(items, 1):
        d = item if isinstance(item, Deliverable) else Deliverable(**_deliverable_fields(item, n))
        catalog.get(d.spec_id)  # refuses an unknown placement, naming the known ones
        if not isinstance(d.count, int) or not 1 <= d.count <= MAX_DELIVERABLE_COUNT:
            raise BadInput(f"Deliverable {n} ({d.spec_id}) asks for {d.count!r} pieces; give a whole number from 1 to {MAX_DELIVERABLE_COUNT}.")
        out.append(Deliverable(d.spec_id, d.count, (d.notes or "").strip()))
    return out


def _deliverable_fields(item, n: int) -> dict:
    if not isinstance(item, dict) or not item.get("spec_id"):
        raise BadInput(f"Deliverable {n} needs a spec_id (a placement from `studio spec list`), with an optional count and notes.")
    unknown = set(item) - {"spec_id", "count", "notes"}
    if unknown:
        raise BadInput(f"Deliverable {n} has fields a deliverable does not have: {', '.join(sorted(unknown))}; use spec_id, count and notes.")
    return item


# ---- reads ------------------------------------------------------------------------------------
def _summary_query():
    return (select(BriefRow.id, BriefRow.title, BriefRow.status, BriefRow.brand_id, Brand.name, BriefRow.campaign_id,
                   Campaign.name, BriefRow.created_at, BriefRow.updated_at)
            .join(Brand, Brand.id == BriefRow.brand_id).outerjoin(Campaign, Campaign.id == BriefRow.campaign_id))


def list_briefs(lib, *, brand_id: int | None = None, campaign_id: int | None = None) -> list[BriefSummary]:
    """The briefs, newest change first, optionally of one brand or campaign."""
    query = _summary_query().order_by(BriefRow.updated_at.desc(), BriefRow.id.desc())
    if brand_id is not None:
        query = query.where(BriefRow.brand_id == brand_id)
    if campaign_id is not None:
        query = query.where(BriefRow.campaign_id == campaign_id)
    with lib.read() as conn:
        return [BriefSummary(*row) for row in conn.execute(query)]


def brief_summary(lib, brief_id: int) -> BriefSummary:
    with lib.read() as conn:
        row = conn.execute(_summary_query().where(BriefRow.id == brief_id)).first()
    if row is None:
        raise BadInput(f"There is no brief {brief_id}; `studio brief list` shows the briefs there are.")
    return BriefSummary(*row)


def get_brief(lib, brief_id: int) -> Brief:
    summary = brief_summary(lib, brief_id)
    with lib.read() as conn:
        rows = {key: (text, data) for key, text, data in conn.execute(
            select(BriefSection.key, BriefSection.text, BriefSection.data).where(BriefSection.brief_id == brief_id))}
        approvals = conn.execute(select(BriefApproval.uid, BriefApproval.brief_id, BriefApproval.approver, BriefApproval.decision,
                                        BriefApproval.note, BriefApproval.at)
                                 .where(BriefApproval.brief_id == brief_id).order_by(BriefApproval.at, BriefApproval.id)).all()
    sections = {key: rows.get(key, ("", None))[0] for key in SECTIONS}
    deliverables = tuple(Deliverable(**d) for d in (rows.get("deliverables", ("", None))[1] or []))
    return Brief(summary, sections, deliverables, tuple(Approval(*a) for a in approvals))


def list_comments(lib, brief_id: int, *, section: str | None = None, include_resolved: bool = True) -> list[Comment]:
    """A brief's comments, oldest first (replies name their parent's uid)."""
    query = select(BriefComment.uid, BriefComment.brief_id, BriefComment.section, BriefComment.author, BriefComment.text,
                   BriefComment.created_at, BriefComment.resolved, BriefComment.parent_uid).where(BriefComment.brief_id == brief_id)
    if section is not None:
        query = query.where(BriefComment.section == check_section(section))
    if not include_resolved:
        query = query.where(BriefComment.resolved.is_(False))
    with lib.read() as conn:
        return [Comment(*row) for row in conn.execute(query.order_by(BriefComment.created_at, BriefComment.id))]
