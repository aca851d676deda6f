"""Read-side queries: plain dataclasses out, no live ORM objects (safe across threads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select

from studio.core.db.models import Asset, AssetTag, Brand, Campaign, Client


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    brand_id: int
    name: str
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class BrandInfo:
    id: int
    client_id: int
    name: str
    palette: list = field(default_factory=list)
    logo_asset_id: int | None = None
    campaigns: list[CampaignInfo] = field(default_factory=list)


@dataclass(frozen=True)
class ClientInfo:
    id: int
    name: str
    brands: list[BrandInfo] = field(default_factory=list)


def client_tree(lib) -> list[ClientInfo]:
    with lib.read() as conn:
        clients = conn.execute(select(Client).order_by(func.lower(Client.name))).mappings().all()
        brands = conn.execute(select(Brand).order_by(func.lower(Brand.name))).mappings().all()
        campaigns = conn.execute(select(Campaign).order_by(func.lower(Campaign.name))).mappings().all()
    by_brand: dict[int, list] = {}
    for c in campaigns:
        by_brand.setdefault(c["brand_id"], []).append(
            CampaignInfo(c["id"], c["brand_id"], c["name"], c["starts_on"], c["ends_on"])
        )
    by_client: dict[int, list] = {}
    for b in brands:
        by_client.setdefault(b["client_id"], []).append(
            BrandInfo(b["id"], b["client_id"], b["name"], list(b["palette"] or []), b["logo_asset_id"], by_brand.get(b["id"], []))
        )
    return [ClientInfo(c["id"], c["name"], by_client.get(c["id"], [])) for c in clients]


@dataclass(frozen=True)
class AssetInfo:
    id: int
    sha256: str
    kind: str
    name: str
    ext: str
    size_bytes: int
    width: int | None
    height: int | None
    duration: float | None
    fps: float | None
    video_codec: str | None
    audio_codec: str | None
    audio_channels: int | None
    has_alpha: bool
    orientation: str | None
    thumbnail: str | None
    source_path: str | None
    notes: str | None
    campaign_id: int | None
    imported_at: datetime
    trashed_at: datetime | None
    tags: tuple[str, ...] = ()


FEW = 1000  # assets found, up to which list_assets reads only their tags


@dataclass
class AssetFilter:
    text: str = ""
    kinds: tuple[str, ...] = ()  # image / video / audio; empty: all
    orientation: str | None = None  # landscape / portrait / square
    min_duration: float | None = None
    max_duration: float | None = None
    tags: tuple[str, ...] = ()  # every tag must be present
    campaign_id: int | None = None
    unassigned: bool = False  # only assets in no campaign
    trashed: bool = False


def _where(filt: AssetFilter):
    conds = [Asset.trashed_at.is_not(None) if filt.trashed else Asset.trashed_at.is_(None)]
    if filt.text:
        like = f"%{filt.text.strip().lower()}%"
        tagged = select(AssetTag.asset_id).where(func.lower(AssetTag.tag).like(like))
        conds.append(or_(func.lower(Asset.name).like(like), func.lower(Asset.notes).like(like), Asset.id.in_(tagged)))
    if filt.kinds:
        conds.append(Asset.kind.in_(filt.kinds))
    if filt.orientation:
        conds.append(Asset.orientation == filt.orientation)
    if filt.min_duration is not None:
        conds.append(Asset.duration >= filt.min_duration)
    if filt.max_duration is not None:
        conds.append(Asset.duration <= filt.max_duration)
    for tag in filt.tags:
        conds.append(Asset.id.in_(select(AssetTag.asset_id).where(AssetTag.tag == tag)))
    if filt.campaign_id is not None:
        conds.append(Asset.campaign_id == filt.campaign_id)
    if filt.unassigned:
        conds.append(Asset.campaign_id.is_(None))
    return conds


def list_assets(lib, filt: AssetFilter | None = None, *, ids: list[int] | None = None) -> list[AssetInfo]:
    """Newest first. With ids: just those assets (in any state)."""
    conds = [Asset.id.in_(ids)] if ids is not None else _where(filt or AssetFilter())
    query = select(Asset).where(*conds).order_by(Asset.imported_at.desc(), Asset.id.desc())
    with lib.read() as conn:
        rows = conn.execute(query).mappings().all()
        tag_query = select(AssetTag.asset_id, AssetTag.tag).order_by(AssetTag.tag)
        if len(rows) <= FEW:  # a search found a few of many: only their tags (else reading them all is cheaper)
            tag_query = tag_query.where(AssetTag.asset_id.in_([row["id"] for row in rows]))
        tag_rows = conn.execute(tag_query).all()
    tags: dict[int, list[str]] = {}
    for asset_id, tag in tag_rows:
        tags.setdefault(asset_id, []).append(tag)
    return [AssetInfo(**row, tags=tuple(tags.get(row["id"], ()))) for row in rows]


def get_asset(lib, asset_id: int) -> AssetInfo | None:
    found = list_assets(lib, ids=[asset_id])
    return found[0] if found else None


def asset_by_hash(lib, sha256: str) -> AssetInfo | None:
    with lib.read() as conn:
        asset_id = conn.execute(select(Asset.id).where(Asset.sha256 == sha256)).scalar()
    return get_asset(lib, asset_id) if asset_id else None


def all_tags(lib) -> list[str]:
    with lib.read() as conn:
        return list(conn.execute(select(AssetTag.tag).distinct().order_by(AssetTag.tag)).scalars())


def count_assets(lib, filt: AssetFilter | None = None) -> int:
    with lib.read() as conn:
        return conn.execute(select(func.count()).select_from(Asset).where(*_where(filt or AssetFilter()))).scalar()
