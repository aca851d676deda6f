"""Ops on the clients ▸ brands ▸ campaigns tree."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from studio.core.db.models import Asset, Brand, Campaign, Client, CompositionRow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise BadInput(f"A {what} needs a name.")
    if len(name) > 200:
        raise BadInput(f"The {what} name is {len(name)} characters long; keep it under 200.")
    return name


def create_client(lib, name: str) -> OpResult:
    name = _clean_name(name, "client")
    with lib.read() as conn:
        if conn.execute(select(Client.id).where(Client.name == name)).first():
            raise BadInput(f"There is already a client called {name!r}.")
    with lib.write(f"New client {name}") as tx:
        tx.value = tx.insert("clients", name=name)
    return tx.result


def rename_client(lib, client_id: int, name: str) -> OpResult:
    name = _clean_name(name, "client")
    with lib.write(f"Rename client to {name}", merge_key=f"rename:clients:{client_id}") as tx:
        tx.update("clients", client_id, name=name)
    return tx.result


def create_brand(lib, client_id: int, name: str, palette: list[str] | None = None) -> OpResult:
    name = _clean_name(name, "brand")
    with lib.write(f"New brand {name}") as tx:
        tx.value = tx.insert("brands", client_id=client_id, name=name, palette=list(palette or []))
    return tx.result


def rename_brand(lib, brand_id: int, name: str) -> OpResult:
    name = _clean_name(name, "brand")
    with lib.write(f"Rename brand to {name}", merge_key=f"rename:brands:{brand_id}") as tx:
        tx.update("brands", brand_id, name=name)
    return tx.result


def set_brand_look(lib, brand_id: int, *, palette: list[str] | None = None, logo_asset_id: int | None = None) -> OpResult:
    values = {}
    if palette is not None:
        values["palette"] = list(palette)
    if logo_asset_id is not None:
        values["logo_asset_id"] = logo_asset_id
    with lib.write("Change brand look") as tx:
        tx.update("brands", brand_id, **values)
    return tx.result


def create_campaign(lib, brand_id: int, name: str, starts_on: date | None = None, ends_on: date | None = None) -> OpResult:
    name = _clean_name(name, "campaign")
    if starts_on and ends_on and ends_on < starts_on:
        raise BadInput(f"The campaign ends ({ends_on}) before it starts ({starts_on}).")
    with lib.write(f"New campaign {name}") as tx:
        tx.value = tx.insert("campaigns", brand_id=brand_id, name=name, starts_on=starts_on, ends_on=ends_on)
    return tx.result


def rename_campaign(lib, campaign_id: int, name: str) -> OpResult:
    name = _clean_name(name, "campaign")
    with lib.write(f"Rename campaign to {name}", merge_key=f"rename:campaigns:{campaign_id}") as tx:
        tx.update("campaigns", campaign_id, name=name)
    return tx.result


def delete_campaign(lib, campaign_id: int) -> OpResult:
    """Deletes the campaign; its assets and compositions stay in the library, unassigned. Undoable."""
    with lib.read() as conn:
        asset_ids = conn.execute(select(Asset.id).where(Asset.campaign_id == campaign_id)).scalars().all()
        composition_ids = conn.execute(select(CompositionRow.id).where(CompositionRow.campaign_id == campaign_id)).scalars().all()
    with lib.write("Delete campaign") as tx:  # unassign explicitly, so undo puts them back
        for asset_id in asset_ids:
            tx.update("assets", asset_id, campaign_id=None)
        for composition_id in composition_ids:
            tx.update("compositions", composition_id, campaign_id=None)
        tx.delete("campaigns", campaign_id)
    return tx.result


def find_or_create_campaign(lib, name: str) -> int:
    """A campaign by name; created (under a default client and brand) if there is none."""
    name = _clean_name(name, "campaign")
    with lib.read() as conn:
        found = conn.execute(select(Campaign.id).where(Campaign.name == name).order_by(Campaign.id)).first()
        if found:
            return found[0]
        brand = conn.execute(select(Brand.id).order_by(Brand.id)).first()
    if brand is None:
        with lib.read() as conn:
            client = conn.execute(select(Client.id).order_by(Client.id)).first()
        client_id = client[0] if client else create_client(lib, "My agency").value
        brand_id = create_brand(lib, client_id, "My brand").value
    else:
        brand_id = brand[0]
    return create_campaign(lib, brand_id, name).value
