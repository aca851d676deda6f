"""Ops on brand research, each one undoable step: the brand profile's fields (typing in one field
merges into one step) and the research documents of a brand's knowledge base."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from studio.core.db.models import Asset, Brand, BrandProfile, ResearchDocument, utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult
from studio.core.research.profile import DOCUMENT_KINDS, LIST_FIELDS, get_brand_profile

BRAND_FIELDS = ("name", "palette", "logo_asset_id")  # kept on brands, where compliance reads them
PROFILE_FIELDS = ("website", *LIST_FIELDS, "competitors")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
KIND_ALIASES = {"markdown": "md", "text": "txt"}


@dataclass(frozen=True)
class AddedDocuments:
    added: tuple[int, ...]  # ids of the new documents
    duplicates: tuple[int, ...]  # ids of documents already there with the same text
    empty: tuple[str, ...]  # sources of documents left out because they had no text


def set_brand_profile(lib, brand_id: int, **fields) -> OpResult:
    """Set any of: name, palette (["#RRGGBB", …]), logo_asset_id (an image asset, or None), website,
    fonts, voice, key_messages, audiences (lists of texts), competitors (names, or {"name", "website"})."""
    unknown = set(fields) - set(BRAND_FIELDS) - set(PROFILE_FIELDS)
    if unknown or not fields:
        raise BadInput(f"A brand profile has no field {', '.join(sorted(unknown))}; the fields are: {', '.join(BRAND_FIELDS + PROFILE_FIELDS)}."
                       if unknown else "Give at least one brand profile field to set.")
    values = {k: _CLEAN[k](v) for k, v in fields.items()}
    key = ",".join(sorted(values))
    with lib.write(f"Edit brand {key.replace('_', ' ')}", merge_key=f"brand_profile:{brand_id}:{key}") as tx:
        if tx.conn.execute(select(Brand.id).where(Brand.id == brand_id)).first() is None:
            raise BadInput(f"There is no brand {brand_id}; pick one from the brands there are.")
        logo = values.get("logo_asset_id")
        if logo is not None and tx.conn.execute(select(Asset.kind).where(Asset.id == logo, Asset.trashed_at.is_(None))).scalar() != "image":
            raise BadInput(f"Asset {logo} is not an image in the library; import the logo as an image file and choose that.")
        on_brand = {k: v for k, v in values.items() if k in BRAND_FIELDS}
        on_profile = {k: v for k, v in values.items() if k in PROFILE_FIELDS}
        if on_brand:
            tx.update("brands", brand_id, **on_brand)
        if on_profile:
            if tx.conn.execute(select(BrandProfile.brand_id).where(BrandProfile.brand_id == brand_id)).first():
                tx.update("brand_profiles", brand_id, updated_at=utcnow(), **on_profile)
            else:
                empty = {f: [] for f in (*LIST_FIELDS, "competitors")}
                tx.insert("brand_profiles", brand_id=brand_id, updated_at=utcnow(), **{**empty, **on_profile})
    return tx.result


def _texts(what: str):
    def clean(items) -> list[str]:
        if isinstance(items, str) or not isinstance(items, Iterable):
            raise BadInput(f"The brand's {what} are a list of texts, one per entry.")
        out = []
        for item in items:
            text = str(item).strip()
            if text and text.casefold() not in {o.casefold() for o in out}:
                out.append(text[:500])
        return out
    return clean


def _name(value) -> str:
    name = str(value or "").strip()
    if not name or len(name) > 200:
        raise BadInput("A brand needs a name of 1 to 200 characters.")
    return name


def _palette(colours) -> list[str]:
    colours = _texts("palette colours")(colours)
    bad = [c for c in colours if not _COLOUR.fullmatch(c)]
    if bad:
        raise BadInput(f"{', '.join(bad)} {'is not a colour' if len(bad) == 1 else 'are not colours'}; write colours as #RRGGBB.")
    return [c.upper() for c in colours]


def _website(url) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname and parts.hostname != "localhost":
        raise BadInput(f"{url!r} is not a website address; write it as https://example.com.")
    return url


def _competitors(items) -> list[dict]:
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise BadInput("Competitors are a list: names, or {\"name\", \"website\"} entries.")
    out: list[dict] = []
    for item in items:
        entry = {"name": item} if isinstance(item, str) else dict(item)
        name = str(entry.get("name") or "").strip()
        if not name:
            raise BadInput("Every competitor needs a name.")
        if name.casefold() not in {c["name"].casefold() for c in out}:
            out.append({"name": name[:200], "website": _website(entry.get("website"))})
    return out


def _logo(asset_id) -> int | None:
    if asset_id is not None and not isinstance(asset_id, int):
        raise BadInput(f"The logo is an asset id (a number) or none, not {asset_id!r}.")
    return asset_id


_CLEAN = {"name": _name, "palette": _palette, "logo_asset_id": _logo, "website": _website, "competitors": _competitors,
          **{f: _texts(f.replace("_", " ")) for f in LIST_FIELDS}}


# ---- research documents -----------------------------------------------------------------------
def _field(document, name: str, default=None):
    return document.get(name, default) if isinstance(document, dict) else getattr(document, name, default)


def _kind(document) -> str | None:
    """Its kind in our words: importers say markdown and text, a crawled page has a url and no kind."""
    kind = _field(document, "kind") or ("page" if _field(document, "url") else None)
    return KIND_ALIASES.get(kind, kind)


def _source(document) -> str:
    return str(_field(document, "source") or _field(document, "url") or "")


def content_hash(text: str) -> str:
    """The hash that makes a document unique in its brand: its text, whitespace runs made one space."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def add_research_documents(lib, brand_id: int, documents: Iterable, *, competitor: str | None = None) -> OpResult:
    """Add documents to the brand's knowledge base as one undoable step: objects or dicts with title,
    text, kind, source and, optionally, fetched_at (research.documents.Document), or crawled pages (their
    url is the source). competitor names the competitor they are about (one of the profile's). A document
    whose text is already there is not added again. Value: AddedDocuments."""
    documents = list(documents)
    for doc in documents:
        if _kind(doc) not in DOCUMENT_KINDS:
            raise BadInput(f"{_source(doc)!r} is a {_kind(doc)!r} document; the kinds are: {', '.join(DOCUMENT_KINDS)}.")
    if competitor is not None:
        known = [c.name for c in get_brand_profile(lib, brand_id).competitors]
        if competitor not in known:
            raise BadInput(f"{competitor!r} is not one of the brand's competitors ({', '.join(known) or 'none yet'}); add it to the profile first.")
    added, duplicates, empty = [], [], []
    with lib.write(f"Add {len(documents)} research document{'s' if len(documents) != 1 else ''}") as tx:
        if tx.conn.execute(select(Brand.id).where(Brand.id == brand_id)).first() is None:
            raise BadInput(f"There is no brand {brand_id}; pick one from the brands there are.")
        seen = dict(tx.conn.execute(select(ResearchDocument.sha256, ResearchDocument.id).where(ResearchDocument.brand_id == brand_id)).all())
        for doc in documents:
            text, source = (_field(doc, "text") or "").strip(), _source(doc)
            if not text:
                empty.append(source)
                continue
            digest = content_hash(text)
            if digest in seen:
                duplicates.append(seen[digest])
                continue
            title = (_field(doc, "title") or "").strip() or source or "Untitled"
            seen[digest] = tx.insert("research_documents", brand_id=brand_id, kind=_kind(doc), source=source, title=title[:500],
                                     text=text, sha256=digest, competitor=competitor, fetched_at=_field(doc, "fetched_at") or utcnow())
            added.append(seen[digest])
        tx.value = AddedDocuments(tuple(added), tuple(duplicates), tuple(empty))
        tx.note(brand=brand_id, added=len(added), duplicates=len(duplicates), competitor=competitor)
    return tx.result


def remove_research_documents(lib, document_ids: Iterable[int]) -> OpResult:
    """Remove documents as one undoable step; if any is not there, nothing is removed."""
    ids = list(dict.fromkeys(document_ids))
    with lib.write(f"Remove {len(ids)} research document{'s' if len(ids) != 1 else ''}") as tx:
        found = set(tx.conn.execute(select(ResearchDocument.id).where(ResearchDocument.id.in_(ids))).scalars())
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise BadInput(f"There is no research document {', '.join(missing)}; refresh the list and choose again (nothing was removed).")
        for document_id in ids:
            tx.delete("research_documents", document_id)
    return tx.result
