"""A campaign's ad copy: headlines, descriptions, primary texts, URLs… per field. Texts are
shared by every placement (scope None), or belong to a platform ("google") or to one placement
("google.youtube_instream"); the narrower scope replaces the wider one's texts of that field."""

from __future__ import annotations

import functools
from collections import defaultdict

from sqlalchemy import select

from studio.core.db.models import AdCopyRow, Campaign
from studio.core.errors import BadInput, ConflictError
from studio.core.ops.tx import OpResult, edited_from, table_versions

PLATFORMS = ("meta", "google", "tiktok", "linkedin", "x")

Copy = dict[str | None, dict[str, list[str]]]  # scope -> field -> texts in order


def set_copy(lib, campaign_id: int, field: str, texts: list[str], scope: str | None = None, *,
             loaded: list[str] | None = None) -> OpResult:
    """Replace the field's texts (in this order) in the scope (one undoable step). loaded: the texts
    the editor showed (read after copy_versions, saved inside edited_from): if someone else changed
    a line since, ConflictError, and its Keep mine lays every line the editor changed on theirs."""
    if scope is not None and scope.split(".", 1)[0] not in PLATFORMS:
        raise BadInput(f"Unknown scope {scope!r}: give a platform ({', '.join(PLATFORMS)}), a placement such as "
                       "google.youtube_instream, or nothing for every placement.")
    field = field.strip().lower().replace(" ", "_")
    if not field:
        raise BadInput("Name the copy field (headline, description, primary_text, final_url…).")
    texts = [t.strip() for t in texts if t.strip()]
    with lib.read() as conn:
        if conn.execute(select(Campaign.id).where(Campaign.id == campaign_id)).first() is None:
            raise BadInput(f"There is no campaign {campaign_id}.")
        in_scope = AdCopyRow.scope.is_(None) if scope is None else AdCopyRow.scope == scope
        old = conn.execute(select(AdCopyRow.id, AdCopyRow.text, AdCopyRow.position).where(AdCopyRow.campaign_id == campaign_id, AdCopyRow.field == field, in_scope)
                           .order_by(AdCopyRow.position, AdCopyRow.id)).all()
    # Lines keep their rows (and so their compliance findings and waivers) where they stay:
    # an edited line is updated in place, only added or removed lines come and go.
    with lib.write(f"Set {field.replace('_', ' ')}{f' for {scope}' if scope else ''}") as tx:
        try:
            for position, (row, text) in enumerate(zip(old, texts)):
                if (row.text, row.position) != (text, position):
                    tx.update("ad_copy", row.id, text=text, position=position)
            for row in old[len(texts):]:
                tx.delete("ad_copy", row.id)
        except ConflictError as lost:
            if loaded is not None:  # the whole field is the editor's save, not only the line that lost
                lost.keep_mine = functools.partial(keep_my_copy, lib, campaign_id, field, scope, loaded, texts)
            raise
        for position, text in enumerate(texts[len(old):], len(old)):
            tx.insert("ad_copy", campaign_id=campaign_id, scope=scope, field=field, text=text, position=position)
    return tx.result


def keep_my_copy(lib, campaign_id: int, field: str, scope: str | None, loaded: list[str], mine: list[str]) -> OpResult:
    """Keep mine for a copy save that lost a race: the editor's lines laid on the stored ones. While
    the lines still pair up, a line the editor left as loaded keeps their text; else mine is written
    whole. A save in between this read and the write raises ConflictError again."""
    seen = copy_versions(lib, campaign_id)
    theirs = campaign_copy(lib, campaign_id).get(scope, {}).get(field, [])
    if len(loaded) == len(mine) == len(theirs):
        mine = [their if my == base else my for base, my, their in zip(loaded, mine, theirs)]
    with edited_from(seen):
        return set_copy(lib, campaign_id, field, mine, scope, loaded=theirs)


def campaign_copy(lib, campaign_id: int) -> Copy:
    with lib.read() as conn:
        rows = conn.execute(select(AdCopyRow.scope, AdCopyRow.field, AdCopyRow.text)
                            .where(AdCopyRow.campaign_id == campaign_id)
                            .order_by(AdCopyRow.scope, AdCopyRow.field, AdCopyRow.position, AdCopyRow.id)).all()
    out: dict = defaultdict(lambda: defaultdict(list))
    for scope, field, text in rows:
        out[scope][field].append(text)
    return {scope: dict(fields) for scope, fields in out.items()}


def copy_versions(lib, campaign_id: int) -> dict[tuple[str, tuple], int]:
    """{("ad_copy", (id,)): version} of every line of the campaign's copy, in one query: an editor
    reads it before campaign_copy and saves set_copy inside edited_from(it) (studio.core.ops.tx), so
    a line someone else changed or added since is not overwritten or deleted silently."""
    return table_versions(lib, "ad_copy", AdCopyRow.campaign_id == campaign_id)


def copy_for(copy: Copy, scope: str) -> dict[str, list[str]]:
    """The texts a platform ("meta") or a placement ("google.rsa") gets, the narrowest scope winning per field."""
    platform = scope.split(".", 1)[0]
    return {**copy.get(None, {}), **copy.get(platform, {}), **(copy.get(scope, {}) if scope != platform else {})}
