"""Brand research kept in the library: crawls and document imports stored as a brand's research
documents, the brand's knowledge index over them, and the comparisons drawn from them. The
`studio research` command and the Research workspace both call this module.

The crawl and the import are jobs, `fn(params, state, lib=None)`, that open the library
themselves when no lib is given. Each brand's knowledge index is saved under
`<library>/research/brand-<id>/` and kept in memory once loaded, so only the first search
after a change pays for loading or building it.

The library setting "research.embedding_model" names a local embedding model folder (see
studio.core.research.embeddings); while it holds a valid model, indexes blend its similarity in.
A configured model that cannot be used is logged once and named in each search's note, and
search falls back to TF-IDF.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from studio.core.db.models import AuditHead, ResearchDocument
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.brand_rules import find_brand
from studio.core.ops.research import add_research_documents, set_brand_profile
from studio.core.ops.settings import get_setting, set_setting
from studio.core.research.compare import (
    Comparison,
    PaletteDistance,
    compare_brands,
    palette_distance,
)
from studio.core.research.crawl import CrawlParams, crawl
from studio.core.research.documents import read_document
from studio.core.research.embeddings import FILES as MODEL_FILES
from studio.core.research.embeddings import Embedder, load_embedder
from studio.core.research.knowledge import (
    KnowledgeIndex,
    Snippet,
    chunk_document,
    embedder_id,
)
from studio.core.research.profile import BrandProfile, get_brand_profile
from studio.core.research.trends import Momentum, read_trends, trend_momentum

PROFILE_FONTS = 3  # a crawl's most used fonts that fill an empty profile; the ones after are mostly fallbacks
CACHED_INDEXES = 8  # brands whose knowledge index stays in memory
SITES_FILE = "competitor-sites.json"  # per brand: what crawls found of each competitor's site (palette, fonts)
EMBEDDING_SETTING = "research.embedding_model"  # a local embedding model's folder, or unset for TF-IDF alone

log = logging.getLogger(__name__)


def research_dir(lib, brand_id: int) -> Path:
    """Where a brand's knowledge index and competitor sites are kept in the library folder."""
    return lib.root / "research" / f"brand-{brand_id}"


def _opens_library(job):
    """A job (params, state, lib) that opens params.library_root itself when no lib is given
    (in a job thread or process, beside the studio that owns the library)."""

    @functools.wraps(job)
    def run(params, state: JobState, lib=None):
        if lib is not None:
            return job(params, state, lib)
        from studio.core.library import Library

        with Library.open(params.library_root, lock=False) as own:
            return job(params, state, own)

    return run


def _competitor(profile: BrandProfile, name: str | None) -> str | None:
    """The competitor as the profile spells it (matched whatever the case); None for the brand itself."""
    if name is None:
        return None
    for competitor in profile.competitors:
        if competitor.name.casefold() == name.strip().casefold():
            return competitor.name
    known = ", ".join(c.name for c in profile.competitors) or "none yet"
    raise BadInput(f"{name!r} is not one of {profile.name}'s competitors ({known}). "
                   "Add it to the brand profile's competitors first, then try again.")


# ---- crawling into the library ----------------------------------------------------------------

@dataclass
class CrawlIntoParams:
    library_root: str
    brand_id: int
    url: str
    max_pages: int = 50
    max_depth: int = 3
    requests_per_second: float = 5.0
    competitor: str | None = None  # the site is this competitor's (one of the profile's), not the brand's own
    concurrency: int = 8  # requests in flight at once


@dataclass
class CrawlSummary:
    url: str  # the start address, normalised
    pages: int  # pages read
    added: int  # of them, new in the knowledge base
    duplicates: int  # already there (the same text)
    skipped: list[tuple[str, str]]  # (url, why it was left out)
    palette: list[str]  # "#RRGGBB", biggest share first
    fonts: list[str]  # most used first
    error: str | None = None  # what went wrong with the crawl as a whole; the pages read are kept
    cancelled: bool = False


@_opens_library
def crawl_into_library(params: CrawlIntoParams, state: JobState, lib) -> CrawlSummary:
    """Crawl the site and keep its pages as the brand's research documents (as the competitor's
    when one is named). The brand's own site fills the profile's website, palette and fonts
    where they are empty; a competitor's fills its website and its palette is remembered."""
    profile = get_brand_profile(lib, params.brand_id)  # an unknown brand or competitor fails before any request
    competitor = _competitor(profile, params.competitor)
    result = crawl(CrawlParams(params.url, max_pages=params.max_pages, max_depth=params.max_depth,
                               concurrency=params.concurrency, requests_per_second=params.requests_per_second), state)
    palette = [swatch.hex.upper() for swatch in result.palette]
    summary = CrawlSummary(result.url, len(result.pages), 0, 0, list(result.skipped), palette, list(result.fonts),
                           result.error, result.cancelled)
    if not result.pages:
        return summary
    stored = add_research_documents(lib, params.brand_id, result.pages, competitor=competitor).value
    summary.added, summary.duplicates = len(stored.added), len(stored.duplicates)
    summary.skipped += [(url, "the page has no text to keep") for url in stored.empty]
    profile = get_brand_profile(lib, params.brand_id)  # afresh: it may have been edited while the crawl ran
    if competitor is None:
        _fill_profile(lib, profile, _origin(result.url), palette, summary.fonts)
    else:
        _remember_competitor_site(lib, profile, competitor, _origin(result.url), palette, summary.fonts)
    if stored.added:
        _update_index(lib, params.brand_id, state)
    return summary


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _fill_profile(lib, profile: BrandProfile, website: str, palette: list[str], fonts: list[str]) -> None:
    """Fill what the profile lacks; what a user set is never overwritten."""
    fields = {"website": website if not profile.website else None,
              "palette": palette if not profile.palette else None,
              "fonts": fonts[:PROFILE_FONTS] if not profile.fonts else None}
    fields = {name: value for name, value in fields.items() if value}
    if fields:
        set_brand_profile(lib, profile.brand_id, **fields)


def _remember_competitor_site(lib, profile: BrandProfile, competitor: str, website: str,
                              palette: list[str], fonts: list[str]) -> None:
    if any(c.name == competitor and not c.website for c in profile.competitors):
        set_brand_profile(lib, profile.brand_id, competitors=[
            {"name": c.name, "website": website if c.name == competitor else c.website} for c in profile.competitors])
    if palette or fonts:
        with _sites_lock:  # two crawls finishing at once must not lose one another's site
            sites = competitor_sites(lib, profile.brand_id)
            sites[competitor] = {"website": website, "palette": palette, "fonts": fonts}
            _write_json(research_dir(lib, profile.brand_id) / SITES_FILE, sites)


_sites_lock = threading.Lock()


def competitor_sites(lib, brand_id: int) -> dict[str, dict]:
    """What the latest crawl of each competitor's site found: {name: {"website", "palette", "fonts"}}.
    The schema has no place for a competitor's palette, so it is kept beside the knowledge index;
    crawling the competitor again rebuilds it."""
    path = research_dir(lib, brand_id) / SITES_FILE
    try:
        sites = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or damaged: as if never crawled
        return {}
    return sites if isinstance(sites, dict) else {}


def _write_json(path: Path, document) -> None:
    """Write to a temporary file, then rename it over the old one: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---- importing documents ----------------------------------------------------------------------

@dataclass
class ImportDocsParams:
    library_root: str
    brand_id: int
    paths: list[str]
    competitor: str | None = None


@dataclass
class ImportSummary:
    added: int
    duplicates: int  # files whose text was already in the knowledge base
    empty: int  # files with no text
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why it could not be read)


@_opens_library
def import_documents(params: ImportDocsParams, state: JobState, lib) -> ImportSummary:
    """Read each file (saved web page, PDF, DOCX, Markdown, text) and add those that read as one
    undoable step; a file that cannot be read is reported with the reason and the others go in.
    Cancelling adds nothing."""
    if not params.paths:
        raise BadInput("No files to import: choose saved web pages, PDF, Word (.docx), Markdown or text files.")
    competitor = _competitor(get_brand_profile(lib, params.brand_id), params.competitor)
    documents, failed = [], []
    for i, path in enumerate(params.paths):
        state.check()
        state.set_status(f"Reading {Path(path).name}")
        state.set_progress(i, len(params.paths))
        try:
            documents.append(read_document(path))
        except BadInput as exc:
            failed.append((str(path), str(exc)))
    state.check()
    stored = add_research_documents(lib, params.brand_id, documents, competitor=competitor).value if documents else None
    if stored is None:
        return ImportSummary(0, 0, 0, failed)
    if stored.added:
        _update_index(lib, params.brand_id, state)
    state.set_progress(1.0)
    return ImportSummary(len(stored.added), len(stored.duplicates), len(stored.empty), failed)


# ---- the embedding model ----------------------------------------------------------------------

@dataclass(frozen=True)
class EmbeddingModel:
    """The library's embedding model as configured: folder None when none is set."""

    folder: str | None
    embedder: Embedder | None  # loaded and checked; None when none is set or it cannot be used
    problem: str | None = None  # why the configured model is not used (search falls back to TF-IDF)

    def as_dict(self) -> dict:
        e = self.embedder
        return {"folder": self.folder, "in_use": e is not None, "problem": self.problem,
                "model_id": e.model_id if e else None, "dimensions": e.dimensions if e else None}


_models: dict[str, tuple[tuple, EmbeddingModel]] = {}  # folder -> (its files' stat stamp, the model)
_models_lock = threading.Lock()


def embedding_model(lib) -> EmbeddingModel:
    """The configured model, loaded once per version of its files; a model that cannot be used
    is logged once (per version) and comes back with its problem."""
    folder = get_setting(lib, EMBEDDING_SETTING)
    if not folder:
        return EmbeddingModel(None, None)
    stamp = _files_stamp(folder)
    with _models_lock:
        cached = _models.get(folder)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        model = EmbeddingModel(folder, load_embedder(folder))
    except BadInput as exc:
        model = EmbeddingModel(folder, None, str(exc))
        log.warning("The embedding model in %s is not used; research search matches words only: %s", folder, exc)
    with _models_lock:
        _models[folder] = (stamp, model)
    return model


def _files_stamp(folder: str) -> tuple:
    stamps = []
    for name in MODEL_FILES:
        try:
            info = os.stat(Path(folder) / name)
            stamps.append((info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def set_embedding_model(lib, folder: str | os.PathLike) -> EmbeddingModel:
    """Check the model in folder (it loads and embeds a sentence) and make it the library's, as
    one undoable step; brand indexes are rebuilt with it when next searched."""
    path = str(Path(folder).expanduser().resolve())
    stamp = _files_stamp(path)
    model = EmbeddingModel(path, load_embedder(path))
    set_setting(lib, EMBEDDING_SETTING, path)
    with _models_lock:
        _models[path] = (stamp, model)
    return model


def clear_embedding_model(lib) -> None:
    """Back to TF-IDF alone (undoable)."""
    set_setting(lib, EMBEDDING_SETTING, None)


# ---- the knowledge index and search -----------------------------------------------------------

@dataclass(frozen=True)
class _Cached:
    stamp: int | None  # the library's newest audit event when the catalogue was read
    catalogue: tuple  # the brand's documents as (id, sha256, competitor), in id order
    index: KnowledgeIndex
    embedder: str  # embedder_id of the model the index was built with


class SearchHits(list[Snippet]):
    """Search results, best first: a list of Snippets, with a note when the search fell back to
    TF-IDF because the configured embedding model cannot be used."""

    note: str | None = None


_indexes: OrderedDict[tuple[str, int], _Cached] = OrderedDict()  # by (library root, brand id), least recent first
_indexes_lock = threading.Lock()


def _stamp(lib) -> int | None:
    """The id of the library's newest audit event. Every op, undo and redo appends one in its own
    transaction, whatever process runs it, so while it stands still no document came or went."""
    with lib.read() as conn:
        return conn.execute(select(AuditHead.event_id).where(AuditHead.id == 1)).scalar()


def _catalogue(lib, brand_id: int) -> tuple:
    """The brand's documents as (id, sha256, competitor): enough to tell whether its index is
    current (documents are only ever added and removed) and which documents are whose."""
    with lib.read() as conn:
        rows = conn.execute(select(ResearchDocument.id, ResearchDocument.sha256, ResearchDocument.competitor)
                            .where(ResearchDocument.brand_id == brand_id).order_by(ResearchDocument.id))
        return tuple(map(tuple, rows))


def brand_index(lib, brand_id: int, state: JobState | None = None) -> KnowledgeIndex:
    """The knowledge index of the brand's documents, its own and its competitors' (a chunk's
    doc_id is its document's id): from memory when current, else loaded or built and saved."""
    find_brand(lib, brand_id)
    return _current(lib, brand_id, state).index


def _current(lib, brand_id: int, state: JobState | None = None) -> _Cached:
    """The brand's catalogue and index as the library stands: from memory while nothing was
    written since, or while its documents are the same; else loaded or built."""
    key = (str(lib.root), brand_id)
    stamp = _stamp(lib)  # read before the documents: a write in between only makes the next call look again
    model = embedding_model(lib)
    with _indexes_lock:
        cached = _indexes.get(key)
    if cached is None or cached.embedder != embedder_id(model.embedder):
        cached = _build(lib, brand_id, stamp, model, state)
    elif cached.stamp != stamp:
        catalogue = _catalogue(lib, brand_id)
        if cached.catalogue == catalogue:
            cached = _Cached(stamp, catalogue, cached.index, cached.embedder)
        else:
            cached = _build(lib, brand_id, stamp, model, state)
    with _indexes_lock:
        _indexes[key] = cached
        _indexes.move_to_end(key)
        while len(_indexes) > CACHED_INDEXES:
            _indexes.popitem(last=False)
    return cached


def _build(lib, brand_id: int, stamp: int | None, model: EmbeddingModel, state: JobState | None) -> _Cached:
    with lib.read() as conn:
        rows = conn.execute(select(ResearchDocument.id, ResearchDocument.sha256, ResearchDocument.competitor,
                                   ResearchDocument.source, ResearchDocument.title, ResearchDocument.text)
                            .where(ResearchDocument.brand_id == brand_id).order_by(ResearchDocument.id)).all()
    chunks = [c for row in rows for c in chunk_document(row.id, row.source, row.title, row.text)]
    index = KnowledgeIndex.load_or_build(research_dir(lib, brand_id), chunks, model.embedder, state)
    return _Cached(stamp, tuple(tuple(row[:3]) for row in rows), index, embedder_id(model.embedder))


def _update_index(lib, brand_id: int, state: JobState) -> None:
    """Bring the brand's index up to date inside the job that changed its documents, so the
    first search after it does not pay for the build."""
    state.set_status("Updating the knowledge index")
    _current(lib, brand_id, state)


def search(lib, query: str, *, brand_id: int | None = None, k: int = 10,
           competitor: bool | str | None = False) -> SearchHits:
    """The k passages closest to the query, best first, each with its source. brand_id None
    searches every brand's documents. competitor: False, the brand's own documents only;
    None, its competitors' as well; a name, only that competitor's. The result's note says
    why the configured embedding model was not used, when it was not."""
    if brand_id is not None:
        brands = [find_brand(lib, brand_id)[0]]
    else:
        with lib.read() as conn:
            brands = list(conn.execute(select(ResearchDocument.brand_id).distinct().order_by(ResearchDocument.brand_id)).scalars())
        if not brands:
            raise BadInput("There are no research documents yet: crawl a brand's site or import its documents first.")
    hits = []
    for brand in brands:
        current = _current(lib, brand)
        if competitor is None:
            wanted = None
        elif competitor is False:
            wanted = [doc_id for doc_id, _sha, about in current.catalogue if about is None]
        else:
            name = competitor.strip().casefold()
            wanted = [doc_id for doc_id, _sha, about in current.catalogue if about and about.casefold() == name]
        if wanted is not None and len(wanted) == len(current.catalogue):
            wanted = None  # every document: no filter to apply, which saves the index a pass over the ids
        hits += current.index.search(query, k, wanted)
    result = SearchHits(sorted(hits, key=lambda hit: -hit.score)[:k])
    problem = embedding_model(lib).problem
    if problem:
        result.note = f"The embedding model is not used, so this search matched words only. {problem}"
    return result


# ---- comparisons and trends -------------------------------------------------------------------

def compare_with_competitors(lib, brand_id: int) -> Comparison:
    """The brand against each competitor it has documents about: distinctive terms and overlap."""
    name = find_brand(lib, brand_id)[1]
    with lib.read() as conn:
        rows = conn.execute(select(ResearchDocument.competitor, ResearchDocument.text)
                            .where(ResearchDocument.brand_id == brand_id).order_by(ResearchDocument.id)).all()
    documents: dict[str, list[str]] = {name: []}
    for about, text in rows:
        documents.setdefault(about or name, []).append(text)
    return compare_brands(documents)


def palette_gap(lib, brand_id: int, competitor: str) -> PaletteDistance:
    """How far the brand's palette is from the competitor's, as its site's crawl found it."""
    profile = get_brand_profile(lib, brand_id)
    name = _competitor(profile, competitor)
    theirs = competitor_sites(lib, brand_id).get(name, {}).get("palette")
    if not theirs:
        raise BadInput(f"{name}'s palette is not known yet: crawl its site as {profile.name}'s competitor "
                       f"(`studio research crawl URL --brand {brand_id} --competitor \"{name}\"`), then compare again.")
    return palette_distance(list(profile.palette), theirs, profile.name, name)


def import_trends(path: str | os.PathLike) -> list[Momentum]:
    """Each term's momentum in a trends CSV (a Google Trends export, or dated rows of numbers)."""
    return trend_momentum(read_trends(path))
