"""Reads of a brand's profile and its research documents, as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from studio.core.db.models import Brand, ResearchDocument
from studio.core.db.models import BrandProfile as ProfileRow
from studio.core.errors import BadInput

# Profile fields that are lists of short texts; competitors are {"name", "website"} records.
LIST_FIELDS = ("fonts", "voice", "key_messages", "audiences")
DOCUMENT_KINDS = ("page", "pdf", "docx", "md", "txt", "html")


@dataclass(frozen=True)
class Competitor:
    name: str
    website: str | None = None


@dataclass(frozen=True)
class BrandProfile:
    brand_id: int
    name: str
    palette: tuple[str, ...]
    logo_asset_id: int | None
    website: str | None
    fonts: tuple[str, ...]
    voice: tuple[str, ...]  # voice attributes
    key_messages: tuple[str, ...]
    audiences: tuple[str, ...]
    competitors: tuple[Competitor, ...]
    documents: int  # how many research documents the brand has

    def as_dict(self) -> dict:
        return {**{k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()},
                "competitors": [c.__dict__ for c in self.competitors]}


@dataclass(frozen=True)
class DocumentInfo:
    """A research document without its text (get_document has that)."""

    id: int
    brand_id: int
    kind: str
    source: str
    title: str
    competitor: str | None
    fetched_at: datetime
    chars: int


def get_brand_profile(lib, brand_id: int) -> BrandProfile:
    """The brand's profile; a brand nobody has researched yet has empty fields."""
    with lib.read() as conn:
        brand = conn.execute(select(Brand.name, Brand.palette, Brand.logo_asset_id).where(Brand.id == brand_id)).first()
        if brand is None:
            raise BadInput(f"There is no brand {brand_id}; pick one from the brands there are.")
        row = conn.execute(select(ProfileRow).where(ProfileRow.brand_id == brand_id)).mappings().first()
        documents = conn.execute(select(func.count()).select_from(ResearchDocument).where(ResearchDocument.brand_id == brand_id)).scalar()
    row = row or {}
    lists = {field: tuple(row.get(field) or ()) for field in LIST_FIELDS}
    competitors = tuple(Competitor(c["name"], c.get("website")) for c in row.get("competitors") or ())
    return BrandProfile(brand_id, brand.name, tuple(brand.palette or ()), brand.logo_asset_id, row.get("website"),
                        competitors=competitors, documents=documents, **lists)


_INFO = (ResearchDocument.id, ResearchDocument.brand_id, ResearchDocument.kind, ResearchDocument.source, ResearchDocument.title,
         ResearchDocument.competitor, ResearchDocument.fetched_at, func.length(ResearchDocument.text))


def list_documents(lib, brand_id: int, *, competitor: str | None | bool = False) -> list[DocumentInfo]:
    """A brand's research documents, newest first. competitor: False for all of them, None for those
    about the brand itself, a name for those about that competitor."""
    query = select(*_INFO).where(ResearchDocument.brand_id == brand_id)
    if competitor is None:
        query = query.where(ResearchDocument.competitor.is_(None))
    elif competitor is not False:
        query = query.where(ResearchDocument.competitor == competitor)
    with lib.read() as conn:
        return [DocumentInfo(*row) for row in conn.execute(query.order_by(ResearchDocument.fetched_at.desc(), ResearchDocument.id.desc()))]


def get_document(lib, document_id: int) -> tuple[DocumentInfo, str]:
    """One document's facts and its text."""
    with lib.read() as conn:
        row = conn.execute(select(*_INFO, ResearchDocument.text).where(ResearchDocument.id == document_id)).first()
    if row is None:
        raise BadInput(f"There is no research document {document_id}; it may have been removed.")
    return DocumentInfo(*row[:-1]), row[-1]
