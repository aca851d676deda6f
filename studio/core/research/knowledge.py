"""The knowledge base: a brand's documents cut into chunks and indexed for search.

TF-IDF over words (and word pairs) and character n-grams finds passages offline, with no
model: words give precision, character n-grams catch other forms of a word ("roasted" for
"roast"). When a local embedding model is given, its cosine similarity is blended in, so a
question put in other words still finds its passage. Features are hashed, so the index is
nothing but arrays: it saves to one .npz file and loads without pickle.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.preprocessing import normalize

from studio.core.errors import BadInput

log = logging.getLogger(__name__)

FORMAT = "conext-knowledge-index"
VERSION = 1
INDEX_FILE = "knowledge.npz"
N_FEATURES = 2**20  # per analyzer; collisions among a brand's vocabulary stay rare
WORD_WEIGHT = 0.65  # the rest of the TF-IDF score is character n-grams
EMBED_WEIGHT = 0.5  # share of the blended score when an embedder is given
EMBED_BATCH = 256
SNIPPET_CHARS = 280
MIN_SCORE = 0.02  # below this a hit is a few shared character n-grams, not a match

Embedder = Callable[[list[str]], np.ndarray]

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# a sentence ends at . ! ? or … (perhaps followed by a closing quote or bracket) and a space
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+")
_STOP_WORDS = re.compile(r"\b(?:" + "|".join(sorted(ENGLISH_STOP_WORDS, key=len, reverse=True)) + r")\b")
_WORD = re.compile(r"\w\w+")


def _without_stop_words(text: str) -> str:
    return _STOP_WORDS.sub(" ", text.lower())


_WORDS = HashingVectorizer(n_features=N_FEATURES, stop_words="english", ngram_range=(1, 2),
                           alternate_sign=False, norm=None, dtype=np.float32)
_CHARS = HashingVectorizer(n_features=N_FEATURES, analyzer="char_wb", ngram_range=(3, 5),
                           preprocessor=_without_stop_words, alternate_sign=False, norm=None, dtype=np.float32)
_BLOCKS = ((_WORDS, WORD_WEIGHT), (_CHARS, 1 - WORD_WEIGHT))


# ---- chunking ---------------------------------------------------------------------------

def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph, whitespace collapsed."""
    return [s for s in _SENTENCE_BREAK.split(" ".join(text.split())) if s]


def chunk(text: str, max_chars: int = 1000, overlap: int | None = None) -> list[str]:
    """Cut text into chunks of at most max_chars, breaking between paragraphs where it can,
    else between sentences, else between words (never inside a word: a single word longer
    than max_chars makes a chunk of its own). Each chunk after the first repeats the last
    sentences of the one before, up to overlap characters (15 % of max_chars unless given),
    so a passage cut in two is still found whole."""
    overlap = max_chars * 15 // 100 if overlap is None else overlap
    if max_chars < 20:
        raise ValueError(f"max_chars must be at least 20, not {max_chars}")
    if not 0 <= overlap <= max_chars // 2:
        raise ValueError(f"overlap must be between 0 and half of max_chars ({max_chars // 2}), not {overlap}")
    units = []  # (piece, starts a paragraph)
    for paragraph in _PARAGRAPH_BREAK.split(text):
        pieces = [p for s in split_sentences(paragraph) for p in _fit(s, max_chars)]
        units += [(p, i == 0) for i, p in enumerate(pieces)]
    chunks, current = [], []
    for unit in units:
        if current and _length(current + [unit]) > max_chars:
            chunks.append(_join(current))
            current = _tail(current, overlap)
            while current and _length(current + [unit]) > max_chars:
                current.pop(0)
        current.append(unit)
    if current:
        chunks.append(_join(current))
    return chunks


def _fit(sentence: str, max_chars: int) -> list[str]:
    """A sentence as pieces of at most max_chars, cut between words."""
    if len(sentence) <= max_chars:
        return [sentence]
    pieces, words = [], []
    for word in sentence.split(" "):
        if words and len(" ".join(words + [word])) > max_chars:
            pieces.append(" ".join(words))
            words = []
        words.append(word)
    return pieces + [" ".join(words)]


def _join(units) -> str:
    return "".join(("\n\n" if starts else " ") + piece if i else piece for i, (piece, starts) in enumerate(units))


def _length(units) -> int:
    return len(_join(units))


def _tail(units, overlap: int) -> list:
    tail = []
    for unit in reversed(units[1:]):  # never the whole chunk again
        if _length([unit] + tail) > overlap:
            break
        tail.insert(0, unit)
    return tail


# ---- the index --------------------------------------------------------------------------

@dataclass(frozen=True)
class ChunkIn:
    """One chunk of a document, as the library hands it to the index."""

    doc_id: int | str
    source: str  # where it came from: a URL or a file name
    title: str
    text: str


@dataclass(frozen=True)
class Snippet:
    """A search hit: a short passage around the best-matching sentence, and its source."""

    doc_id: int | str
    source: str
    title: str
    text: str  # the snippet (at most about SNIPPET_CHARS)
    score: float  # 0..1, higher is closer
    chunk: str  # the whole chunk the snippet comes from


def chunk_document(doc_id: int | str, source: str, title: str, text: str,
                   max_chars: int = 1000, overlap: int | None = None) -> list[ChunkIn]:
    """A document's chunks, ready for KnowledgeIndex.build."""
    return [ChunkIn(doc_id, source, title, piece) for piece in chunk(text, max_chars, overlap)]


def embedder_id(embed: Embedder | None) -> str:
    """What identifies an embedder in a saved index: its `model_id` attribute when it has
    one, else its qualified name (a model swapped behind the same function name should set
    model_id, or its old index would be trusted)."""
    if embed is None:
        return "tfidf"
    return str(getattr(embed, "model_id", None)
               or f"{getattr(embed, '__module__', '')}.{getattr(embed, '__qualname__', repr(embed))}")


def fingerprint(chunks: Iterable[ChunkIn], embed: Embedder | None = None) -> str:
    """Changes whenever the chunks, the embedder or the index format change."""
    digest = hashlib.sha256(json.dumps([FORMAT, VERSION, N_FEATURES, WORD_WEIGHT, EMBED_WEIGHT,
                                        embedder_id(embed)]).encode())
    for c in chunks:
        digest.update(json.dumps([c.doc_id, c.source, c.title, c.text]).encode())
        digest.update(b"\0")
    return digest.hexdigest()


class KnowledgeIndex:
    """Chunks and their TF-IDF postings (features x chunks, so a query only touches the
    chunks that share a feature with it), plus unit-length embeddings when a model is given."""

    def __init__(self, chunks: Sequence[ChunkIn], postings: sp.csr_matrix, embeddings: np.ndarray | None,
                 embed: Embedder | None, fingerprint: str):
        self.chunks = list(chunks)
        self.fingerprint = fingerprint
        self._postings = postings
        self._idf = _idf(np.diff(postings.indptr), len(self.chunks))
        self._embeddings = embeddings
        self._embed = embed
        self._code_of: dict = {}  # doc_id -> a small int, so a filter by documents is one array operation
        self._row_codes = np.array([self._code_of.setdefault(c.doc_id, len(self._code_of)) for c in self.chunks], np.int64)

    def __len__(self) -> int:
        return len(self.chunks)

    @property
    def uses_embeddings(self) -> bool:
        return self._embeddings is not None

    @classmethod
    def build(cls, chunks: Iterable[ChunkIn], embed: Embedder | None = None, state=None) -> KnowledgeIndex:
        """Index the chunks; embed(list of texts) -> (n, d) array, when given, is a local model
        whose similarity is blended with TF-IDF. state (a JobState) gets progress and may cancel."""
        chunks = list(chunks)
        texts = [c.text for c in chunks]
        if chunks:
            counts = _counts(texts)
            idf = _idf(np.concatenate([np.bincount(b.indices, minlength=N_FEATURES) for b in counts]), len(chunks))
            postings = _weigh(counts, idf).T.tocsr()
        else:  # an empty library: an empty index, which says so when searched
            postings = sp.csr_matrix((2 * N_FEATURES, 0), dtype=np.float32)
        embeddings = _embed_all(embed, texts, state) if embed is not None else None
        if state is not None:
            state.set_progress(1.0)
        return cls(chunks, postings, embeddings, embed, fingerprint(chunks, embed))

    def search(self, query: str, k: int = 10, doc_ids: Iterable | None = None) -> list[Snippet]:
        """The k chunks closest to the query, best first, as snippets; only chunks of doc_ids
        when given. A query of nothing but common words ("the", "and") matches nothing."""
        if not query or not query.strip():
            raise BadInput("Nothing to search for: type a word or a phrase.")
        if not self.chunks:
            raise BadInput("The knowledge base is empty: crawl the brand's site or import its documents first.")
        if k < 1:
            raise BadInput(f"Ask for one result or more, not {k}.")
        q = _weigh(_counts([query]), self._idf)
        scores = np.zeros(len(self.chunks), np.float32)
        hits = (q @ self._postings).tocsr()
        scores[hits.indices] = hits.data
        if self._embeddings is not None:
            similarity = self._embeddings @ _unit_rows(_call_embed(self._embed, [query]))[0]
            scores = (1 - EMBED_WEIGHT) * scores + EMBED_WEIGHT * np.clip(similarity, 0, None)
        if doc_ids is not None:
            wanted = [self._code_of[d] for d in doc_ids if d in self._code_of]
            scores[~np.isin(self._row_codes, wanted)] = 0
        rows = np.flatnonzero(scores >= MIN_SCORE)
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        rows = rows[np.lexsort((rows, -scores[rows]))]  # best first; ties in index order
        texts = _snippets([self.chunks[row].text for row in rows], q, self._idf, query)
        return [Snippet(c.doc_id, c.source, c.title, text, min(float(scores[row]), 1.0), c.text)
                for row, text in zip(rows, texts) for c in [self.chunks[row]]]

    # ---- on disk ----

    def save(self, folder: str | os.PathLike) -> Path:
        """Write the index to folder/knowledge.npz: a temporary file first, then renamed over
        the old one, so a crash leaves the old index or the new, never half of one."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "version": VERSION, "fingerprint": self.fingerprint,
                "embedder": embedder_id(self._embed),
                "chunks": [[c.doc_id, c.source, c.title, c.text] for c in self.chunks]}
        arrays = {"meta": np.frombuffer(json.dumps(meta).encode(), np.uint8),
                  "data": self._postings.data, "indices": self._postings.indices, "indptr": self._postings.indptr}
        if self._embeddings is not None:
            arrays["embeddings"] = self._embeddings
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".knowledge-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, folder / INDEX_FILE)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return folder / INDEX_FILE

    @classmethod
    def load(cls, folder: str | os.PathLike, *, embed: Embedder | None = None,
             expected_fingerprint: str | None = None) -> KnowledgeIndex | None:
        """The index saved in folder, or None when there is none to trust: missing, damaged,
        written by something else or another format version, built with another embedder,
        or (given expected_fingerprint) built from other chunks. The caller rebuilds then."""
        path = Path(folder) / INDEX_FILE
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as npz:
                meta = json.loads(npz["meta"].tobytes().decode())
                why_not = _why_not_trusted(meta, embed, expected_fingerprint)
                if why_not:
                    log.info("Knowledge index %s is %s; it will be rebuilt", path, why_not)
                    return None
                chunks = [ChunkIn(*fields) for fields in meta["chunks"]]
                postings = sp.csr_matrix((npz["data"], npz["indices"], npz["indptr"]),
                                         shape=(2 * N_FEATURES, len(chunks)))
                embeddings = npz["embeddings"] if "embeddings" in npz.files else None
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, UnicodeDecodeError) as e:
            log.warning("Knowledge index %s cannot be read (%s); it will be rebuilt", path, e)
            return None
        if (embeddings is None) != (embed is None) or (embeddings is not None and len(embeddings) != len(chunks)):
            log.warning("Knowledge index %s has embeddings that do not fit its chunks; it will be rebuilt", path)
            return None
        return cls(chunks, postings, embeddings, embed, meta["fingerprint"])

    @classmethod
    def load_or_build(cls, folder: str | os.PathLike, chunks: Iterable[ChunkIn], embed: Embedder | None = None,
                      state=None) -> KnowledgeIndex:
        """The saved index when it was built from these very chunks and embedder, else a new
        one, built and saved."""
        chunks = list(chunks)
        index = cls.load(folder, embed=embed, expected_fingerprint=fingerprint(chunks, embed))
        if index is None:
            index = cls.build(chunks, embed, state)
            index.save(folder)
        return index


def _why_not_trusted(meta, embed: Embedder | None, expected_fingerprint: str | None) -> str | None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return "not a knowledge index"
    if meta.get("version") != VERSION:
        return f"format version {meta.get('version')}, not {VERSION}"
    if meta.get("embedder") != embedder_id(embed):
        return f"built with the embedder {meta.get('embedder')!r}, not {embedder_id(embed)!r}"
    if expected_fingerprint is not None and meta.get("fingerprint") != expected_fingerprint:
        return "stale (the documents changed since it was built)"
    return None


# ---- features ---------------------------------------------------------------------------

def _counts(texts: list[str]) -> list[sp.csr_matrix]:
    """Raw counts, one block per analyzer: words and word pairs, then character n-grams."""
    return [v.transform(texts) for v, _ in _BLOCKS]


def _idf(document_frequency: np.ndarray, n_chunks: int) -> np.ndarray:
    """Smoothed idf; 0 for features no chunk has (they cannot match, so they must not
    dilute a query's weight either)."""
    df = np.asarray(document_frequency, np.float32)
    return np.where(df > 0, np.log((1 + n_chunks) / (1 + df)) + 1, 0).astype(np.float32)


def _weigh(blocks: list[sp.csr_matrix], idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF, each block made unit length and weighted, so a dot product is
    WORD_WEIGHT * word cosine + the rest * character cosine."""
    weighed = []
    for i, (block, (_, weight)) in enumerate(zip(blocks, _BLOCKS)):
        block = block.astype(np.float32)
        block.data = (1 + np.log(block.data)) * idf[i * N_FEATURES + block.indices]
        weighed.append(normalize(block) * np.float32(np.sqrt(weight)))
    return sp.hstack(weighed, format="csr")


def _call_embed(embed: Embedder, texts: list[str]) -> np.ndarray:
    vectors = np.asarray(embed(texts), np.float32)
    if vectors.ndim != 2 or len(vectors) != len(texts):
        raise ValueError(f"The embedder returned an array of shape {vectors.shape} for {len(texts)} texts; "
                         "it must return one row per text.")
    return vectors


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _embed_all(embed: Embedder, texts: list[str], state) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), EMBED_BATCH):
        if state is not None:
            state.check()
            state.set_progress(start, len(texts))
        parts.append(_unit_rows(_call_embed(embed, texts[start:start + EMBED_BATCH])))
    return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)


# ---- snippets ---------------------------------------------------------------------------

def _snippets(texts: list[str], q: sp.csr_matrix, idf: np.ndarray, query: str) -> list[str]:
    """For each text, the sentence closest to the query with its neighbours while they fit in
    SNIPPET_CHARS (a long sentence is cut to a window around the first query word)."""
    sentences = [[s for p in _PARAGRAPH_BREAK.split(t) for s in split_sentences(p)] or [""] for t in texts]
    flat = [s for group in sentences for s in group]
    # all the sentences in one pass; only the query's features matter for the dot product
    scores = _weigh(_counts(flat), idf)[:, q.indices] @ q.data if flat else np.zeros(0)
    result, at = [], 0
    for group in sentences:
        result.append(_around(group, int(np.argmax(scores[at:at + len(group)])), query))
        at += len(group)
    return result


def _around(sentences: list[str], best: int, query: str) -> str:
    first = last = best
    for step in (1, -1, 1, -1):  # the next sentence, the one before, and so on
        i = last + 1 if step > 0 else first - 1
        if 0 <= i < len(sentences) and len(" ".join(sentences[min(first, i):max(last, i) + 1])) <= SNIPPET_CHARS:
            first, last = min(first, i), max(last, i)
    snippet = " ".join(sentences[first:last + 1])
    return snippet if len(snippet) <= SNIPPET_CHARS else _window(snippet, query)


def _window(sentence: str, query: str) -> str:
    words = [w for w in _WORD.findall(query.lower()) if w not in ENGLISH_STOP_WORDS]
    lower = sentence.lower()
    at = min((p for p in (lower.find(w) for w in words) if p >= 0), default=0)
    start = max(0, at - SNIPPET_CHARS // 3)
    if start:
        start = sentence.find(" ", start) + 1 or start  # to the next word boundary
    end = start + SNIPPET_CHARS
    if end < len(sentence):
        end = sentence.rfind(" ", start, end) if sentence.rfind(" ", start, end) > start else end
    return ("…" if start else "") + sentence[start:end].strip() + ("…" if end < len(sentence) else "")
