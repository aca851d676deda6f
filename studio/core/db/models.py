"""The library's tables. Change them only together with a new Alembic revision."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Client(Base):
    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Brand(Base):
    __tablename__ = "brands"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    palette: Mapped[list] = mapped_column(JSON, default=list)
    # A plain id, not a foreign key: assets -> campaigns -> brands would otherwise be a cycle.
    logo_asset_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Asset(Base):
    __tablename__ = "assets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # image | video | audio
    name: Mapped[str] = mapped_column(String(500))
    ext: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))  # videos over 2 GB; SQLite's INTEGER is 64-bit
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    fps: Mapped[float | None] = mapped_column(Float, nullable=True)
    video_codec: Mapped[str | None] = mapped_column(String(32), nullable=True)
    audio_codec: Mapped[str | None] = mapped_column(String(32), nullable=True)
    audio_channels: Mapped[int | None] = mapped_column(Integer, nullable=True)
    has_alpha: Mapped[bool] = mapped_column(Boolean, default=False)
    orientation: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    thumbnail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True, index=True
    )
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    trashed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)


class CompositionRow(Base):
    """A composition: its document is studio.core.timeline.model.Composition as JSON."""

    __tablename__ = "compositions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    schema_version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class KataRecipeRow(Base):
    """A stored Kata placement: its document is studio.kata.recipe.Recipe as JSON."""

    __tablename__ = "kata_recipes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SpecEntryRow(Base):
    """A user's own ad-spec entry, or an override of a shipped one with the same spec_id
    (document: studio.core.specs.model.Spec as JSON)."""

    __tablename__ = "spec_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec_id: Mapped[str] = mapped_column(String(100), unique=True)
    document: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AdCopyRow(Base):
    """One piece of a campaign's ad copy: a headline, a description, a primary text…
    scope None serves every placement that has the field; a platform ("google") or one
    placement ("google.youtube_instream") replaces the wider texts of that field there."""

    __tablename__ = "ad_copy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str | None] = mapped_column(String(60), nullable=True)
    field: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AssetTag(Base):
    __tablename__ = "asset_tags"
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class AuditEvent(Base):
    """Append-only and hash-chained: each event's hash covers its content and the previous
    event's hash (studio.core.audit), so an edited, deleted or reordered event shows."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class AuditHead(Base):
    """The newest audit event's id and hash, kept apart from the events: deleting events at the end shows."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    event_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class BrandRuleRow(Base):
    """A brand's own compliance rule (document: studio.core.compliance.rules.Rule as JSON)."""

    __tablename__ = "brand_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ComplianceCheckRow(Base):
    """The last check of one target ("copy:<ad_copy id>", "asset:<id>", "composition:<id>"), clean
    or not. Derived data, outside the undo history: replaced when what it covers changes."""

    __tablename__ = "compliance_checks"
    target: Mapped[str] = mapped_column(String(60), primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=True, index=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # what was checked: a change makes the findings stale
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ComplianceFindingRow(Base):
    """A finding of the last check of one target (see ComplianceCheckRow). `fingerprint` stays
    the same across re-checks while the same problem remains, so a waiver (which names it) keeps
    applying."""

    __tablename__ = "compliance_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(60), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=True, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(10))
    platform: Mapped[str | None] = mapped_column(String(20), nullable=True)
    field: Mapped[str | None] = mapped_column(String(40), nullable=True)
    document: Mapped[dict] = mapped_column(JSON)  # the whole finding: message, hint, span/box, frame, fix
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WaiverRow(Base):
    """A person's decision to accept a finding, with their reason."""

    __tablename__ = "waivers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(60))
    rule_id: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class UndoEntry(Base):
    __tablename__ = "undo_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    merge_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)  # epoch seconds, for merging rapid edits
    steps: Mapped[list] = mapped_column(JSON)  # [[table, pk, before, after], ...]
    undone: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # whose step it is: each person undoes their own (None: written before team libraries, anyone's)
    actor: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)


class ChangeLogRow(Base):
    """One committed write transaction, for the change feed (studio.core.changes): every session
    polls for the rows of the others and refreshes its views. Rows older than a day are pruned."""

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_autoincrement": True}  # ids never come back after pruning: "id > last seen" holds
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    session: Mapped[str] = mapped_column(String(32))  # the writing Library object's id (studio.core.changes.Session)
    actor: Mapped[str] = mapped_column(String(200))
    tables: Mapped[list] = mapped_column(JSON)  # names of the tables it wrote


class ImportBatch(Base):
    """One ingested performance report file: where the facts it wrote came from."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(60))  # meta | google | tiktok | linkedin | mapping:<name>
    rows_added: Mapped[int] = mapped_column(Integer)
    rows_replaced: Mapped[int] = mapped_column(Integer)
    rows_skipped: Mapped[int] = mapped_column(Integer)
    facts: Mapped[int] = mapped_column(Integer, default=0)  # facts that still belong to this batch
    date_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AdEntity(Base):
    """One ad as reports name it: platform, account, campaign, ad set or ad group, ad, and the
    library asset it shows when its name says so (studio.core.analytics.store links them)."""

    __tablename__ = "ad_entities"
    __table_args__ = (UniqueConstraint("platform", "account", "campaign", "ad_group", "ad", name="uq_ad_entities_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(300))  # "" when the report does not say
    campaign: Mapped[str] = mapped_column(String(300))
    ad_group: Mapped[str] = mapped_column(String(300))
    ad: Mapped[str] = mapped_column(String(300))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"), nullable=True)


class AdSeries(Base):
    """One ad's numbers in one currency, day by day: an array of studio.core.analytics.series.RECORD
    (the day, the import batch and file line it came from, the metrics) in day order. One fact per
    ad, currency and day, so a re-import of the same or an overlapping report replaces days rather
    than adding them again. Arrays rather than a row per day: a million-row report is a thousand
    rows to write. first_day and last_day let a query of a period skip the ads it does not need.
    Outside the undo log: studio.core.analytics.store.remove_import takes a batch back out."""

    __tablename__ = "ad_series"
    entity_id: Mapped[int] = mapped_column(ForeignKey("ad_entities.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)  # how many facts the array holds
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AiCall(Base):
    """One call to a language model: who asked for what, the tokens it used and what it cost."""

    __tablename__ = "ai_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))  # anthropic | openai | offline
    model: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(200))  # "Brief: improve Insight", "Analytics summary"
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: the model's price is not known
    status: Mapped[str] = mapped_column(String(20))  # done | cancelled | failed | partial
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    seconds: Mapped[float] = mapped_column(Float)


class CampaignDay(Base):
    """The facts added up by campaign and day (per account and currency): what most KPI queries and
    charts read, 20 to 100 times fewer rows than the facts. Derived data, rebuilt for the days an
    import or a removal touches (studio.core.analytics.store)."""

    __tablename__ = "campaign_days"
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    account: Mapped[str] = mapped_column(String(300), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(300), primary_key=True)
    day: Mapped[date] = mapped_column("date", Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    spend: Mapped[float] = mapped_column(Float)
    impressions: Mapped[float | None] = mapped_column(Float, nullable=True)
    reach: Mapped[float | None] = mapped_column(Float, nullable=True)
    clicks: Mapped[float | None] = mapped_column(Float, nullable=True)
    link_clicks: Mapped[float | None] = mapped_column(Float, nullable=True)
    conversions: Mapped[float | None] = mapped_column(Float, nullable=True)
    conversion_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    video_views: Mapped[float | None] = mapped_column(Float, nullable=True)


class DecisionRuleRow(Base):
    """A decision rule (studio.core.analytics.decisions): its kind, its parameters and the
    campaigns it watches (scope: {"platform", "account", "campaign" (a glob), "currency"}, each optional)."""

    __tablename__ = "decision_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    scope: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProposedActionRow(Base):
    """An action a rule proposed for one campaign, waiting for (or carrying) a person's decision.
    kind: pause | budget_change (values are daily budgets) | spend_cap (a pause because a hard cap was
    reached; values are the spend and the cap). status: proposed | approved | rejected | exported | sent."""

    __tablename__ = "proposed_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A plain id, not a foreign key: removing a rule keeps the actions it proposed, as the audit trail names them.
    rule_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    platform: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(300))
    campaign: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    current_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    proposed_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    as_of: Mapped[date] = mapped_column(Date)  # the last day of data the rule read
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class BrandProfile(Base):
    """What research knows of a brand beyond its name, palette and logo (those stay on brands)."""

    __tablename__ = "brand_profiles"
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True)
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    fonts: Mapped[list] = mapped_column(JSON, default=list)  # family names
    voice: Mapped[list] = mapped_column(JSON, default=list)  # voice attributes: "warm", "plain-spoken"
    key_messages: Mapped[list] = mapped_column(JSON, default=list)
    audiences: Mapped[list] = mapped_column(JSON, default=list)
    competitors: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "website"}]
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ResearchDocument(Base):
    """A page or file in a brand's knowledge base. The sha256 of its text is unique per brand,
    so importing the same content again adds nothing."""

    __tablename__ = "research_documents"
    __table_args__ = (UniqueConstraint("brand_id", "sha256", name="uq_research_documents_brand_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # page | pdf | docx | md | txt | html
    source: Mapped[str] = mapped_column(Text)  # the URL, or the file's name
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    competitor: Mapped[str | None] = mapped_column(String(200), nullable=True)  # None: about the brand itself
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BriefRow(Base):
    __tablename__ = "briefs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | in_review | approved
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BriefSection(Base):
    """One section of a brief as Markdown; `data` holds the structured part where a section has
    one (deliverables: [{"spec_id", "count", "notes"}])."""

    __tablename__ = "brief_sections"
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[list | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BriefVersion(Base):
    """A saved snapshot of every section: {key: {"text", "data"}}."""

    __tablename__ = "brief_versions"
    __table_args__ = (UniqueConstraint("brief_id", "number", name="uq_brief_versions_brief_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    sections: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BriefComment(Base):
    """A comment on a brief or one of its sections. The uid stays the same in every library a
    review bundle carries it to, so merging a bundle back adds no duplicates."""

    __tablename__ = "brief_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    section: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None: the whole brief
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_uid: Mapped[str | None] = mapped_column(String(36), nullable=True)  # a reply's comment


class BriefApproval(Base):
    """A reviewer's decision on a brief (uid: as for comments)."""

    __tablename__ = "brief_approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    approver: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))  # approved | rejected
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

class CampaignHour(Base):
    """Reports broken down by hour of day (Meta's "Time of day"), added up by campaign, day and hour
    in the account's time zone: what the best-time heat map reads. Written by the import, like
    campaign_days, outside the undo log."""

    __tablename__ = "campaign_hours"
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    account: Mapped[str] = mapped_column(String(300), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(300), primary_key=True)
    day: Mapped[date] = mapped_column("date", Date, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0..23
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer, index=True)  # the import that wrote it (remove_import takes it out)
    spend: Mapped[float] = mapped_column(Float)
    impressions: Mapped[float | None] = mapped_column(Float, nullable=True)
    clicks: Mapped[float | None] = mapped_column(Float, nullable=True)
    link_clicks: Mapped[float | None] = mapped_column(Float, nullable=True)
    conversions: Mapped[float | None] = mapped_column(Float, nullable=True)
    conversion_value: Mapped[float | None] = mapped_column(Float, nullable=True)


class Channel(Base):
    """Where a brand publishes: one platform account (a Meta page or ad account, a Google Ads
    customer, a TikTok or LinkedIn account), with its own time zone and posting slots."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("brand_id", "platform", "account", name="uq_channels_account"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))  # meta | google | tiktok | linkedin | x
    name: Mapped[str] = mapped_column(String(200))  # "Kestrel Coffee (Facebook page)"
    account: Mapped[str] = mapped_column(String(100))  # the platform's id: page or act_ id, customer id
    timezone: Mapped[str] = mapped_column(String(64))  # IANA, e.g. "Europe/London"
    min_gap_minutes: Mapped[int] = mapped_column(Integer, default=120)  # closer posts on this channel conflict
    slots: Mapped[list] = mapped_column(JSON, default=list)  # queue slots: [{"weekday": 0..6, "time": "09:30"}]
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # UTC; None: not known
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Post(Base):
    """A post or ad launch on the calendar. local_time (the wall clock in the channel's time zone)
    is what the user chose and what daylight saving never moves; due_at is the same moment in UTC,
    kept for the publisher's queries and recomputed when the time or the channel's zone changes."""

    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="post")  # post | ad
    title: Mapped[str] = mapped_column(String(300))
    composition_id: Mapped[int | None] = mapped_column(ForeignKey("compositions.id", ondelete="SET NULL"), nullable=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"), nullable=True)
    spec_id: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the placement, e.g. meta.feed_image
    copy: Mapped[dict] = mapped_column(JSON, default=dict)  # field -> text (headline, primary_text, ...)
    local_time: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # None: not on the calendar yet
    due_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)  # UTC
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # the editorial state, which ops set and undo restores: draft | in_review | approved | scheduled | cancelled;
    # what the publisher did is in publications (publishing | published | failed), which undo never touches
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)  # a UUID, sent with every platform call
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Publication(Base):
    """What the publisher did with a post: outside the undo log, so undoing an edit can never make a
    published post look unpublished (and go out twice)."""

    __tablename__ = "publications"
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # publishing | published | failed | waiting (offline, retry)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # UTC: a retry's backoff
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # the platform's own message when it failed
    external_ids: Mapped[dict] = mapped_column(JSON, default=dict)  # what the platform made: {"post": "...", ...}
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CampaignReviewer(Base):
    """A person whose approval a campaign's posts need."""

    __tablename__ = "campaign_reviewers"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)


class PostDecision(Base):
    """A reviewer's approve or reject of a post, with a note; the post's status follows."""

    __tablename__ = "post_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))  # approved | rejected
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PostComment(Base):
    __tablename__ = "post_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PublishStep(Base):
    """One step of publishing a post that the platform has done (an image uploaded, a creative or a
    post created), written the moment the platform answers: a publisher that crashes or retries
    resumes after the last step instead of doing it again. Not undoable: it records the world."""

    __tablename__ = "publish_steps"
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[str] = mapped_column(String(40), primary_key=True)  # "upload_image", "creative", "post", ...
    external_id: Mapped[str] = mapped_column(String(200))
    done_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# Tables whose rows ops may change and undo may restore. The logs themselves are not undone.
UNDOABLE_TABLES = {t.name for t in Base.metadata.sorted_tables} - {"audit_events", "audit_head", "undo_log", "compliance_checks", "compliance_findings", "ad_series", "ad_entities", "import_batches", "campaign_days", "campaign_hours", "ai_calls",
                                                                     "publications", "publish_steps", "change_log"}

# Every editable row carries a version, 1 when made and one more with each op that changes it: a save
# prepared from version v is refused if the row moved on (optimistic concurrency, studio.core.ops.tx).
VERSION = "version"
for _name in sorted(UNDOABLE_TABLES):
    Base.metadata.tables[_name].append_column(Column(VERSION, Integer, nullable=False, server_default="1"))
