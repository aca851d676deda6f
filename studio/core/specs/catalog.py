"""The spec catalog: resources/specs/catalog.json, with a library's own entries laid over it.

A library entry with a shipped entry's id replaces it (an agency that knows a newer value);
one with a new id adds a placement. The shipped file is never written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from pydantic import ValidationError
from sqlalchemy import select

from studio.core.db.models import SpecEntryRow, utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult, table_versions
from studio.core.paths import resources_dir
from studio.core.specs.model import Spec

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Catalog:
    version: str
    entries: dict[str, Spec]
    origins: dict[str, str]  # spec id -> "shipped" | "library" | "library override"

    def get(self, spec_id: str) -> Spec:
        try:
            return self.entries[spec_id]
        except KeyError:
            close = [i for i in self.entries if i.split(".")[0] == spec_id.split(".")[0]] or list(self.entries)
            raise BadInput(f"There is no spec {spec_id!r}. Known specs include: {', '.join(sorted(close))} "
                           "(`studio spec list` shows them all).") from None

    def for_platforms(self, platforms) -> list[Spec]:
        return [s for s in self.entries.values() if s.platform in set(platforms)]


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, dict[str, Spec]]:
    data = json.loads((resources_dir() / "specs" / "catalog.json").read_text(encoding="utf-8"))
    if data.get("schema_version") != SCHEMA_VERSION:
        raise RuntimeError(f"The shipped spec catalog has schema {data.get('schema_version')}; this studio reads {SCHEMA_VERSION}.")
    entries = [Spec.model_validate(e) for e in data["entries"]]
    return data["catalog_version"], {s.id: s for s in entries}


def shipped_catalog() -> Catalog:
    version, entries = _shipped()
    return Catalog(version, dict(entries), {i: "shipped" for i in entries})


def load_catalog(lib=None) -> Catalog:
    """The shipped catalog with lib's entries (if a library is given) laid over it."""
    catalog = shipped_catalog()
    if lib is None:
        return catalog
    with lib.read() as conn:
        rows = conn.execute(select(SpecEntryRow.spec_id, SpecEntryRow.document).order_by(SpecEntryRow.spec_id)).all()
    for spec_id, document in rows:
        catalog.origins[spec_id] = "library override" if spec_id in catalog.entries else "library"
        catalog.entries[spec_id] = Spec.model_validate(document)
    return Catalog(catalog.version + (f"+{len(rows)} library" if rows else ""), catalog.entries, catalog.origins)


def entry_versions(lib) -> dict[tuple[str, tuple], int]:
    """{("spec_entries", (row id,)): version} of the library's entries, in one query: an editor reads
    it before load_catalog and saves inside edited_from(it) (studio.core.ops.tx), so an entry someone
    else changed since is not overwritten silently."""
    return table_versions(lib, "spec_entries")


def parse_entry(document: dict | str) -> Spec:
    """A user's entry checked as a whole, with a message naming what is wrong."""
    try:
        data = json.loads(document) if isinstance(document, str) else document
        return Spec.model_validate(data)
    except json.JSONDecodeError as exc:
        raise BadInput(f"The spec entry is not valid JSON ({exc.msg} at line {exc.lineno}); fix the file and try again.") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors()[:5])
        raise BadInput(f"The spec entry is not valid: {problems}. `studio spec show meta.reels --json` shows a complete entry to copy from.") from None


def save_entry(lib, spec: Spec) -> OpResult:
    """Add or override a spec in the library (one undoable step)."""
    document = spec.model_dump(mode="json", exclude_unset=True)
    with lib.read() as conn:
        row_id = conn.execute(select(SpecEntryRow.id).where(SpecEntryRow.spec_id == spec.id)).scalar()
    verb = "Override" if spec.id in shipped_catalog().entries else "Add"
    with lib.write(f"{verb} spec {spec.id}") as tx:
        if row_id is None:
            tx.value = tx.insert("spec_entries", spec_id=spec.id, document=document, updated_at=utcnow())
        else:
            tx.update("spec_entries", row_id, document=document, updated_at=utcnow())
            tx.value = row_id
    return tx.result


def remove_entry(lib, spec_id: str) -> OpResult:
    """Drop the library's entry: an override falls back to the shipped values."""
    with lib.read() as conn:
        row_id = conn.execute(select(SpecEntryRow.id).where(SpecEntryRow.spec_id == spec_id)).scalar()
    if row_id is None:
        raise BadInput(f"The library has no entry of its own for {spec_id!r}; shipped specs cannot be removed.")
    with lib.write(f"Remove spec {spec_id}") as tx:
        tx.delete("spec_entries", row_id)
    return tx.result
