"""Quick fixes: a copy finding's replacement written into its ad_copy line with set_copy, so
each field (and scope) a fix touches is one step of Edit ▸ Undo. Several fixes on one line are
applied from its end, so earlier spans keep their places; one that overlaps a fix already
applied is left for the next check. The lines' versions are read before their texts: a colleague's
save in between is not overwritten (ConflictError, and the main window asks whose text to keep)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from studio.core.compliance.store import StoredFinding
from studio.core.db.models import AdCopyRow
from studio.core.errors import BadInput
from studio.core.ops.copy import campaign_copy, set_copy
from studio.core.ops.tx import edited_from, row_versions


@dataclass(frozen=True)
class CopyLine:
    id: int
    campaign_id: int
    scope: str | None
    field: str
    text: str
    position: int


def line_id(target: str) -> int | None:
    """The ad_copy id a "copy:<id>" target names (None for other targets)."""
    kind, _, raw_id = target.partition(":")
    return int(raw_id) if kind == "copy" and raw_id.isdigit() else None


def copy_line(lib, target: str) -> CopyLine | None:
    """The ad_copy line a "copy:<id>" target names (None for other targets or a line gone since)."""
    if (row_id := line_id(target)) is None:
        return None
    with lib.read() as conn:
        row = conn.execute(select(AdCopyRow.id, AdCopyRow.campaign_id, AdCopyRow.scope, AdCopyRow.field, AdCopyRow.text,
                                  AdCopyRow.position).where(AdCopyRow.id == row_id)).first()
    return CopyLine(*row) if row else None


def can_fix(stored: StoredFinding) -> bool:
    fix = stored.finding.fix or {}
    return stored.target.startswith("copy:") and len(fix.get("replace") or ()) == 3


def fixed_text(text: str, replacements) -> str:
    """text with each (start, end, new) replaced; spans count in the text as checked (NFC)."""
    out, applied_from = unicodedata.normalize("NFC", text), None
    for start, end, new in sorted(set(replacements), reverse=True):
        if applied_from is not None and end > applied_from:
            continue  # overlaps a replacement already made
        out, applied_from = out[:start] + new + out[end:], start
    return out


def apply_fixes(lib, findings: list[StoredFinding]) -> int:
    """Apply every finding's quick fix; returns how many lines changed. BadInput when none can be."""
    by_line: dict[str, list] = defaultdict(list)
    for f in findings:
        if can_fix(f):
            by_line[f.target].append(f.finding)
    # The fixed lines are the only ones set_copy updates: their versions, read before their texts.
    seen = row_versions(lib, *(("ad_copy", i) for target in by_line if (i := line_id(target)) is not None))
    lines = [(line, found) for target, found in by_line.items() if (line := copy_line(lib, target))]
    if not lines:
        raise BadInput("None of these findings has a quick fix that still applies: check the campaign again, or edit the copy.")
    groups: dict[tuple, dict[int, tuple]] = defaultdict(dict)  # (campaign, scope, field) -> position -> (old, new)
    for line, found in lines:
        replacements = [tuple(f.fix["replace"]) for f in found]
        groups[line.campaign_id, line.scope, line.field][line.position] = (line.text, fixed_text(line.text, replacements))
    for (campaign_id, scope, field), new_texts in groups.items():
        before = campaign_copy(lib, campaign_id).get(scope, {}).get(field, [])
        texts = list(before)
        for position, (old, new) in new_texts.items():
            if position >= len(texts) or texts[position] != old:
                raise BadInput("The copy changed since it was checked: check the campaign again, then fix.")
            texts[position] = new
        with edited_from(seen):
            set_copy(lib, campaign_id, field, texts, scope, loaded=before)
    return len(lines)
