"""Reading compositions from the library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from studio.core.db.models import VERSION, CompositionRow
from studio.core.errors import BadInput
from studio.core.timeline.model import Composition


@dataclass(frozen=True)
class CompositionInfo:
    id: int
    name: str
    campaign_id: int | None
    width: int
    height: int
    fps: float
    duration_s: float
    updated_at: datetime


def list_compositions(lib, campaign_id: int | None = None) -> list[CompositionInfo]:
    query = select(CompositionRow).order_by(CompositionRow.updated_at.desc(), CompositionRow.id.desc())
    if campaign_id is not None:
        query = query.where(CompositionRow.campaign_id == campaign_id)
    with lib.read() as conn:
        rows = conn.execute(query).mappings().all()
    infos = []
    for row in rows:
        doc = row["document"]
        fps = doc["fps"][0] / doc["fps"][1]
        infos.append(CompositionInfo(row["id"], row["name"], row["campaign_id"], doc["width"], doc["height"], fps, doc["duration"] / fps, row["updated_at"]))
    return infos


def load_composition(lib, composition_id: int) -> Composition:
    return read_composition(lib, composition_id)[0]


def read_composition(lib, composition_id: int) -> tuple[Composition, int]:
    """The composition and its row version: an editor saves with it (expected_version), so a save
    over someone else's newer one is refused rather than silently overwriting it."""
    table = CompositionRow.__table__
    with lib.read() as conn:
        row = conn.execute(select(table.c.document, table.c[VERSION]).where(table.c.id == composition_id)).first()
    if row is None:
        raise BadInput(f"There is no composition {composition_id}; `studio compositions list` shows them.")
    return Composition.from_document(row.document), row.version


def composition_campaign(lib, composition_id: int) -> int | None:
    """The campaign a composition belongs to (None when it is in none, or is gone)."""
    with lib.read() as conn:
        return conn.execute(select(CompositionRow.campaign_id).where(CompositionRow.id == composition_id)).scalar()
