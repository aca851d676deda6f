"""The knowledge base: chunking, TF-IDF search with snippets, the embedder blend, and the
index on disk (atomic saves; stale, foreign and damaged indexes rebuilt, not trusted)."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.pipeline import make_pipeline

from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.core.research.knowledge import (
    INDEX_FILE, SNIPPET_CHARS, ChunkIn, KnowledgeIndex, Snippet, chunk, chunk_document, fingerprint,
)

# A coffee roaster's pages and a competitor's, as the crawler would hand them over.
PAGES = [
    (1, "https://beanco.example/about", "About Bean & Co.",
     "Bean & Co. is a small roastery in Leeds. We roast single-origin beans in small batches every Tuesday "
     "and Friday.\n\nOur farmers in Huila, Colombia and Sidamo, Ethiopia are paid well above fair-trade "
     "prices, and we visit every harvest. Every bag shows its roast date and the farm it came from."),
    (2, "https://beanco.example/shipping", "Shipping and returns",
     "Orders over £30 ship free. Delivery takes two to four working days across the UK.\n\n"
     "Not happy with your coffee? Return the bag within 30 days for a full refund, no questions asked."),
    (3, "https://beanco.example/subscriptions", "Subscriptions",
     "A subscription sends freshly roasted beans every two or four weeks. You can pause, skip or cancel "
     "a subscription at any time from your account page. Subscribers save ten percent on every bag."),
    (4, "https://beanco.example/brew-guide", "Brewing guide",
     "For a filter brew use 60 grams of coffee per litre of water just off the boil. Grind medium-coarse "
     "for a cafetière and steep for four minutes. For espresso, dose 18 grams and aim for a 28 second "
     "extraction; a finer grind slows the shot and a coarser one speeds it up."),
    (5, "https://dailygrind.example/about", "About Daily Grind",
     "Daily Grind serves fast coffee for busy mornings. Our drive-through hands you a flat white or a "
     "cold brew in under two minutes, and the app lets you order ahead."),
    (6, "https://dailygrind.example/rewards", "Grind Rewards",
     "Earn a star with every drink. Ten stars buy a free drink, and members get a birthday treat. "
     "Stars expire after six months."),
]


def corpus_chunks(max_chars: int = 400) -> list[ChunkIn]:
    return [c for page in PAGES for c in chunk_document(*page, max_chars=max_chars, overlap=80)]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return KnowledgeIndex.build(corpus_chunks())


# ---- chunking ----

def test_chunks_break_between_paragraphs_and_sentences_never_inside_a_word():
    text = PAGES[0][3] + "\n\n" + PAGES[3][3]
    chunks = chunk(text, max_chars=160, overlap=0)
    assert len(chunks) > 3
    words = set(text.split())
    for piece in chunks:
        assert len(piece) <= 160
        assert set(piece.split()) <= words  # every word whole
        assert piece[-1] in ".!?"  # these sentences are all shorter than a chunk
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())  # nothing lost, nothing repeated


def test_a_chunk_keeps_paragraphs_apart_and_overlap_repeats_the_last_sentence():
    text = "First short paragraph.\n\nSecond paragraph, one sentence. And another one here."
    assert chunk(text, max_chars=200) == ["First short paragraph.\n\nSecond paragraph, one sentence. And another one here."]
    pieces = chunk(text, max_chars=70, overlap=35)
    assert pieces == ["First short paragraph.\n\nSecond paragraph, one sentence.",
                      "Second paragraph, one sentence. And another one here."]


def test_a_sentence_longer_than_a_chunk_is_cut_between_words_and_a_huge_word_stays_whole():
    long_sentence = " ".join(f"word{i}" for i in range(60))
    pieces = chunk(long_sentence, max_chars=50, overlap=0)
    assert all(len(p) <= 50 for p in pieces) and " ".join(pieces) == long_sentence
    url = "https://example.com/" + "a" * 120
    assert chunk(f"See {url} now.", max_chars=50, overlap=0) == ["See", url, "now."]


def test_chunk_arguments_are_checked_and_empty_text_has_no_chunks():
    assert chunk("  \n\n  ") == []
    with pytest.raises(ValueError, match="overlap"):
        chunk("text", max_chars=100, overlap=80)
    with pytest.raises(ValueError, match="max_chars"):
        chunk("text", max_chars=5)


# ---- search ----

@pytest.mark.parametrize("query, source, phrase", [
    ("when do you roast", "https://beanco.example/about", "We roast single-origin beans in small batches"),
    ("refund if I am not happy", "https://beanco.example/shipping", "full refund"),
    ("pause my subscription", "https://beanco.example/subscriptions", "pause, skip or cancel"),
    ("espresso dose and extraction time", "https://beanco.example/brew-guide", "dose 18 grams"),
    ("drive-through cold brew", "https://dailygrind.example/about", "drive-through"),
    ("rewards stars expire", "https://dailygrind.example/rewards", "Stars expire"),
    ("farmer pay fair trade", "https://beanco.example/about", "fair-trade"),  # "farmer" finds "farmers"
])
def test_search_returns_the_right_snippet_first(index, query, source, phrase):
    hits = index.search(query, k=5)
    assert hits and isinstance(hits[0], Snippet)
    assert hits[0].source == source
    assert phrase in hits[0].text
    assert hits[0].text in " ".join(hits[0].chunk.split())  # the snippet is a passage of its chunk
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert 0 < hits[-1].score <= hits[0].score <= 1


def test_search_is_limited_to_k_and_to_the_documents_asked_for(index):
    assert len(index.search("coffee", k=2)) == 2
    hits = index.search("free drink", doc_ids=[2, 3])
    assert hits and {h.doc_id for h in hits} <= {2, 3}
    assert index.search("free drink")[0].doc_id == 6  # without the filter, Daily Grind's rewards page wins
    assert index.search("free drink", doc_ids=[404]) == []


def test_a_long_chunk_gives_a_short_snippet_around_the_best_sentence():
    filler = " ".join(f"Sentence {i} talks about nothing in particular." for i in range(30))
    long_sentence = ("Our decaf is made with the Swiss Water process, " + "which uses only water and time, " * 12
                     + "so no chemical solvents ever touch the beans.")
    index = KnowledgeIndex.build([ChunkIn(7, "decaf.html", "Decaf", f"{filler} {long_sentence} {filler}")])
    (hit,) = index.search("chemical solvents")
    assert len(hit.text) <= SNIPPET_CHARS + 2  # with the ellipses
    assert "chemical solvents" in hit.text and hit.text.startswith("…")
    assert "Sentence" not in hit.text
    assert len(hit.chunk) > 1000


def test_empty_query_empty_index_and_common_words_only_give_clear_answers(index):
    for blank in ("", "   "):
        with pytest.raises(BadInput, match="Nothing to search for"):
            index.search(blank)
    with pytest.raises(BadInput, match="knowledge base is empty.*import its documents"):
        KnowledgeIndex.build([]).search("coffee")
    assert index.search("the and of it") == []
    assert index.search("zzyzx qwxv") == []


# ---- the embedder blend ----

BACKGROUND = [  # what the small model learns from: words that go together
    "The courier brings the parcel to your door. Delivery by courier, parcel tracking, dispatch and postage.",
    "Dispatch and postage: the parcel goes out by courier for delivery the next day.",
    "Postage is free; the courier handles delivery and dispatch of every parcel.",
    "Refund, money back, return the item, reimbursement, guarantee of satisfaction.",
    "A full refund or your money back: return it within 30 days for reimbursement under our guarantee.",
    "Money back guarantee: refund and reimbursement when you return the product.",
    "Barista, espresso machine, crema, tamping, extraction, portafilter.",
    "Extraction with the portafilter: the barista tamps for crema on the espresso.",
]


def lsa_embedder():
    """A small real embedding model: hashed TF-IDF reduced to 3 latent topics (LSA)."""
    model = make_pipeline(HashingVectorizer(n_features=2**12, stop_words="english", alternate_sign=False),
                          TfidfTransformer(), TruncatedSVD(n_components=3, random_state=0)).fit(BACKGROUND)

    def embed(texts: list[str]) -> np.ndarray:
        return model.transform(texts)

    embed.model_id = "lsa-3-test"
    return embed


BLEND_CHUNKS = [
    ChunkIn(1, "shipping.html", "Shipping", "Orders ship by courier within two days. Postage is free over £30."),
    ChunkIn(2, "returns.html", "Returns", "Not happy? Return the bag within 30 days for a full refund."),
    ChunkIn(3, "brewing.html", "Brewing", "Tamp evenly and aim for a 25 second extraction for rich crema."),
]


@pytest.mark.parametrize("query, doc_id", [
    ("money back guarantee", 2), ("dispatch and parcel tracking", 1), ("portafilter barista", 3)])
def test_the_embedder_finds_what_words_alone_miss(query, doc_id):
    words_only = KnowledgeIndex.build(BLEND_CHUNKS).search(query)
    assert not words_only or words_only[0].doc_id != doc_id  # no shared words: TF-IDF misses it
    blended = KnowledgeIndex.build(BLEND_CHUNKS, embed=lsa_embedder())
    assert blended.uses_embeddings
    assert blended.search(query)[0].doc_id == doc_id


def test_embedding_reports_progress_and_can_be_cancelled():
    chunks = [ChunkIn(i, f"p{i}", "P", f"Parcel {i} goes by courier.") for i in range(600)]
    progress = []
    state = JobState(lambda: progress.append(state.progress))
    KnowledgeIndex.build(chunks, embed=lsa_embedder(), state=state)
    assert progress[-1] == 1.0 and len(progress) >= 2

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        KnowledgeIndex.build(chunks, embed=lsa_embedder(), state=JobState(cancel_event=cancel))


def test_an_embedder_that_returns_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match="one row per text"):
        KnowledgeIndex.build(BLEND_CHUNKS, embed=lambda texts: np.zeros(4))


# ---- on disk ----

def test_save_and_load_round_trip(tmp_path, index):
    path = index.save(tmp_path / "kb")
    assert path.name == INDEX_FILE and [p.name for p in path.parent.iterdir()] == [INDEX_FILE]
    loaded = KnowledgeIndex.load(tmp_path / "kb", expected_fingerprint=fingerprint(corpus_chunks()))
    assert loaded is not None and len(loaded) == len(index) and loaded.chunks == index.chunks
    for query in ("pause my subscription", "espresso dose", "free drink"):
        assert loaded.search(query) == index.search(query)


def test_an_index_with_embeddings_round_trips_only_with_the_same_embedder(tmp_path):
    embed = lsa_embedder()
    KnowledgeIndex.build(BLEND_CHUNKS, embed=embed).save(tmp_path)
    loaded = KnowledgeIndex.load(tmp_path, embed=embed)
    assert loaded.uses_embeddings and loaded.search("money back guarantee")[0].doc_id == 2
    assert KnowledgeIndex.load(tmp_path) is None  # no embedder now: not trusted
    other = lsa_embedder()
    other.model_id = "another-model"
    assert KnowledgeIndex.load(tmp_path, embed=other) is None


def test_a_stale_index_is_rebuilt_not_trusted(tmp_path, index):
    index.save(tmp_path)
    changed = corpus_chunks() + [ChunkIn(9, "https://beanco.example/decaf", "Decaf",
                                         "Our decaf uses the Swiss Water process, with no solvents.")]
    assert KnowledgeIndex.load(tmp_path, expected_fingerprint=fingerprint(changed)) is None
    rebuilt = KnowledgeIndex.load_or_build(tmp_path, changed)
    assert rebuilt.search("swiss water decaf")[0].doc_id == 9
    # and what was saved is the new one
    assert KnowledgeIndex.load(tmp_path, expected_fingerprint=fingerprint(changed)).search("decaf")[0].doc_id == 9
    assert KnowledgeIndex.load_or_build(tmp_path, changed).fingerprint == rebuilt.fingerprint


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign npz", "other version"])
def test_a_foreign_or_damaged_index_is_not_trusted(tmp_path, index, damage):
    path = index.save(tmp_path)
    if damage == "garbage":
        path.write_bytes(b"this is not an index at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "foreign npz":
        np.savez(path.with_suffix(""), weights=np.arange(10))  # np.savez adds the .npz back
    else:
        with np.load(path) as npz:
            arrays = dict(npz)
        meta = json.loads(arrays["meta"].tobytes())
        meta["version"] = 0
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        np.savez(path.with_suffix(""), **arrays)
    assert KnowledgeIndex.load(tmp_path) is None
    assert KnowledgeIndex.load_or_build(tmp_path, corpus_chunks()).search("refund")[0].doc_id == 2
    assert KnowledgeIndex.load(tmp_path) is not None  # rebuilt and saved over the damaged one


def test_a_save_that_fails_midway_leaves_the_old_index_whole(tmp_path, index, monkeypatch):
    index.save(tmp_path)
    before = (tmp_path / INDEX_FILE).read_bytes()

    def savez_then_crash(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", savez_then_crash)
    with pytest.raises(OSError, match="No space"):
        KnowledgeIndex.build(BLEND_CHUNKS).save(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [INDEX_FILE]  # no temporary file left behind
    assert (tmp_path / INDEX_FILE).read_bytes() == before
    assert KnowledgeIndex.load(tmp_path).search("refund")[0].doc_id == 2


def test_loading_from_a_folder_without_an_index_gives_none(tmp_path):
    assert KnowledgeIndex.load(tmp_path / "nowhere") is None
    empty = KnowledgeIndex.load_or_build(tmp_path / "kb", [])
    assert len(empty) == 0 and KnowledgeIndex.load(tmp_path / "kb") is not None
