"""Ops on assets already in the library: tag, move, rename, notes, trash and restore."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from studio.core.db.models import AssetTag, utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _clean_tag(tag: str) -> str:
    tag = (tag or "").strip().lower()
    if not tag or len(tag) > 100:
        raise BadInput("A tag is 1 to 100 characters long.")
    return tag


def add_tag(lib, asset_ids: Iterable[int], tag: str) -> OpResult:
    tag, asset_ids = _clean_tag(tag), list(asset_ids)
    with lib.read() as conn:
        have = set(conn.execute(select(AssetTag.asset_id).where(AssetTag.tag == tag)).scalars())
    with lib.write(f"Tag {_plural(len(asset_ids), 'asset')} {tag!r}") as tx:
        for asset_id in asset_ids:
            if asset_id not in have:
                tx.insert("asset_tags", asset_id=asset_id, tag=tag)
    return tx.result


def remove_tag(lib, asset_ids: Iterable[int], tag: str) -> OpResult:
    tag, asset_ids = _clean_tag(tag), list(asset_ids)
    with lib.write(f"Remove tag {tag!r}") as tx:
        for asset_id in asset_ids:
            tx.delete("asset_tags", [asset_id, tag])
    return tx.result


def move_to_campaign(lib, asset_ids: Iterable[int], campaign_id: int | None) -> OpResult:
    asset_ids = list(asset_ids)
    with lib.write(f"Move {_plural(len(asset_ids), 'asset')}") as tx:
        for asset_id in asset_ids:
            tx.update("assets", asset_id, campaign_id=campaign_id)
    return tx.result


def rename_asset(lib, asset_id: int, name: str) -> OpResult:
    name = (name or "").strip()
    if not name:
        raise BadInput("An asset needs a name.")
    with lib.write(f"Rename asset to {name}", merge_key=f"rename:assets:{asset_id}") as tx:
        tx.update("assets", asset_id, name=name)
    return tx.result


def set_notes(lib, asset_id: int, notes: str) -> OpResult:
    with lib.write("Edit notes", merge_key=f"notes:assets:{asset_id}") as tx:
        tx.update("assets", asset_id, notes=notes)
    return tx.result


def trash_assets(lib, asset_ids: Iterable[int]) -> OpResult:
    """Moves assets to the library trash (their files stay until the trash is emptied)."""
    asset_ids, now = list(asset_ids), utcnow()
    with lib.write(f"Delete {_plural(len(asset_ids), 'asset')}") as tx:
        for asset_id in asset_ids:
            tx.update("assets", asset_id, trashed_at=now)
    return tx.result


def restore_assets(lib, asset_ids: Iterable[int]) -> OpResult:
    asset_ids = list(asset_ids)
    with lib.write(f"Restore {_plural(len(asset_ids), 'asset')}") as tx:
        for asset_id in asset_ids:
            tx.update("assets", asset_id, trashed_at=None)
    return tx.result
