"""Library-wide settings (per-user window state lives in the UI's QSettings instead)."""

from __future__ import annotations

from sqlalchemy import select

from studio.core.db.models import Setting
from studio.core.ops.tx import OpResult


def set_setting(lib, key: str, value) -> OpResult:
    with lib.read() as conn:
        exists = conn.execute(select(Setting.key).where(Setting.key == key)).first()
    with lib.write(f"Change setting {key}", merge_key=f"setting:{key}") as tx:
        if exists:
            tx.update("settings", key, value=value)
        else:
            tx.insert("settings", key=key, value=value)
    return tx.result


def get_setting(lib, key: str, default=None):
    with lib.read() as conn:
        row = conn.execute(select(Setting.value).where(Setting.key == key)).first()
    return row[0] if row else default
