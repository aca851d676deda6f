"""Ops on compositions. Each save stores the whole validated document, so undo restores
exactly the composition as it was; edits with a merge key (a drag, typing) merge."""

from __future__ import annotations

from studio.core.db.models import utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult
from studio.core.timeline.model import Composition


def create_composition(lib, composition: Composition, campaign_id: int | None = None) -> OpResult:
    with lib.write(f"New composition {composition.name}") as tx:
        tx.value = tx.insert(
            "compositions", name=composition.name, campaign_id=campaign_id,
            schema_version=composition.schema_version, document=composition.to_document(),
        )
    return tx.result


def save_composition(lib, composition_id: int, composition: Composition, label: str = "Edit composition", *, merge_key: str | None = None) -> OpResult:
    """Store an edited composition as one undoable step (merge_key: rapid edits merge)."""
    document = Composition.from_document(composition.to_document()).to_document()  # validates the whole
    with lib.write(label, merge_key=merge_key and f"composition:{composition_id}:{merge_key}") as tx:
        tx.update(
            "compositions", composition_id, name=composition.name, schema_version=composition.schema_version,
            document=document, updated_at=utcnow(),
        )
    return tx.result


def delete_composition(lib, composition_id: int) -> OpResult:
    with lib.write("Delete composition") as tx:
        tx.delete("compositions", composition_id)
    if not tx.steps:
        raise BadInput(f"There is no composition {composition_id}.")
    return tx.result
