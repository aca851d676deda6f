"""A brief's version history and the differences between two versions, section by section:
word runs the editor colours (equal, insert, delete) and a unified diff for the command line."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from studio.core.briefs.sections import SECTIONS, brief_summary
from studio.core.db.models import BriefSection, BriefVersion
from studio.core.errors import BadInput


@dataclass(frozen=True)
class VersionInfo:
    number: int
    author: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    runs: tuple[tuple[str, str], ...]  # (equal | insert | delete, text), in reading order
    unified: str  # "" when the section did not change

    @property
    def changed(self) -> bool:
        return any(op != "equal" for op, _ in self.runs)


def list_versions(lib, brief_id: int) -> list[VersionInfo]:
    """A brief's versions, newest first."""
    brief_summary(lib, brief_id)  # refuses an unknown brief
    with lib.read() as conn:
        rows = conn.execute(select(BriefVersion.number, BriefVersion.author, BriefVersion.note, BriefVersion.created_at)
                            .where(BriefVersion.brief_id == brief_id).order_by(BriefVersion.number.desc())).all()
    return [VersionInfo(*row) for row in rows]


def version_sections(lib, brief_id: int, number: int | None) -> dict[str, dict]:
    """A version's sections ({key: {"text", "data"}}); number None: the brief as it is now."""
    brief_summary(lib, brief_id)
    with lib.read() as conn:
        if number is None:
            rows = conn.execute(select(BriefSection.key, BriefSection.text, BriefSection.data).where(BriefSection.brief_id == brief_id))
            return {key: {"text": text, "data": data} for key, text, data in rows}
        sections = conn.execute(select(BriefVersion.sections).where(BriefVersion.brief_id == brief_id, BriefVersion.number == number)).scalar()
    if sections is None:
        raise BadInput(f"Brief {brief_id} has no version {number}; its version history lists the ones there are.")
    return sections


def _as_text(section: dict | None) -> str:
    """What a reader sees of a section: its Markdown, and for deliverables the list too."""
    if not section:
        return ""
    lines = [f"- {d['spec_id']} × {d['count']}" + (f": {d['notes']}" if d.get("notes") else "") for d in section.get("data") or []]
    return "\n".join(filter(None, [section.get("text") or "", "\n".join(lines)]))


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def diff_texts(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level runs from old to new; neighbouring runs of the same kind are joined."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    runs: list[tuple[str, str]] = []

    def add(op: str, tokens) -> None:
        text = "".join(tokens)
        if not text:
            return
        if runs and runs[-1][0] == op:
            runs[-1] = (op, runs[-1][1] + text)
        else:
            runs.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return tuple(runs)


def diff_versions(lib, brief_id: int, old: int | None, new: int | None) -> list[SectionDiff]:
    """Every section's difference from version `old` to version `new` (None: the brief now)."""
    before, after = version_sections(lib, brief_id, old), version_sections(lib, brief_id, new)
    names = (f"version {old}" if old is not None else "current", f"version {new}" if new is not None else "current")
    out = []
    for key, title in SECTIONS.items():
        a, b = _as_text(before.get(key)), _as_text(after.get(key))
        unified = "" if a == b else "\n".join(difflib.unified_diff(
            a.splitlines(), b.splitlines(), f"{title} ({names[0]})", f"{title} ({names[1]})", lineterm="")) + "\n"
        out.append(SectionDiff(key, title, diff_texts(a, b), unified))
    return out
