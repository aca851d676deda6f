"""Knowledge-base search over 10,000 chunks (goal: under 50 ms a query after the build),
against scikit-learn's NearestNeighbors(metric="cosine", algorithm="brute") on the very
same TF-IDF matrix. The chunks are generated from a fixed vocabulary with a seed, so every
run searches the same text; the queries are words picked from chunks.

    python benchmarks/research_search.py [--chunks 10000] [--queries 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.neighbors import NearestNeighbors  # noqa: E402

from studio.core.research.knowledge import ChunkIn, KnowledgeIndex, _counts, _weigh  # noqa: E402

TOPICS = ("espresso roast origin farmer harvest washed natural honey altitude acidity body crema grinder burr "
          "kettle pour filter cold brew latte cappuccino oat milk subscription delivery courier parcel refund "
          "guarantee bag label compostable recycled carbon offset packaging cafe barista training workshop "
          "tasting notes chocolate cherry citrus caramel nutty floral berry jasmine bergamot toffee").split()
COMMON = ("the and of to in our we your with for every from is are that this it on at by as be our you "
          "coffee beans cup morning fresh").split()
SYLLABLES = "ka lo mi ne ru sa te vi zo ba de fi go hu ja".split()


def vocabulary(rng: np.random.Generator) -> list[str]:
    """The topic words plus 2,000 made-up ones (brand and place names, jargon)."""
    made_up = {"".join(rng.choice(SYLLABLES, size=rng.integers(2, 5))) for _ in range(2600)}
    return TOPICS + sorted(made_up)[:2000]


def sentence(rng, words: np.ndarray, weights: np.ndarray) -> str:
    size = rng.integers(8, 18)
    picked = np.where(rng.random(size) < 0.35, rng.choice(COMMON, size), rng.choice(words, size, p=weights))
    return " ".join(picked).capitalize() + "."


def corpus(n_chunks: int, seed: int = 7) -> list[ChunkIn]:
    rng = np.random.default_rng(seed)
    words = vocabulary(rng)
    weights = 1 / np.arange(1, len(words) + 1) ** 0.9  # a Zipf-like spread, as in real text
    weights /= weights.sum()
    order = rng.permutation(len(words))  # so the topic words are not always the frequent ones
    words = np.array(words)[order]
    return [ChunkIn(i // 8, f"https://brand.example/page/{i // 8}", f"Page {i // 8}",
                    " ".join(sentence(rng, words, weights) for _ in range(rng.integers(5, 9))))
            for i in range(n_chunks)]


def queries(chunks: list[ChunkIn], n: int, seed: int = 11) -> list[str]:
    rng = np.random.default_rng(seed)
    picked = []
    for i in rng.choice(len(chunks), size=n, replace=False):
        words = [w.strip(".").lower() for w in chunks[i].text.split() if w.strip(".").lower() not in COMMON]
        picked.append(" ".join(rng.choice(words, size=min(len(words), rng.integers(2, 5)), replace=False)))
    return picked


def median_ms(fn, items) -> tuple[float, list]:
    times, results = [], []
    for item in items:
        start = time.perf_counter()
        results.append(fn(item))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()

    chunks = corpus(args.chunks)
    asked = queries(chunks, args.queries)
    start = time.perf_counter()
    index = KnowledgeIndex.build(chunks)
    build_s = time.perf_counter() - start
    chars = sum(len(c.text) for c in chunks)
    print(f"{len(chunks):,} chunks ({chars / 1e6:.1f} M characters): index built in {build_s:.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        size = index.save(folder).stat().st_size
        save_s = time.perf_counter() - start
        start = time.perf_counter()
        KnowledgeIndex.load(folder)
        print(f"saved ({size / 2**20:.0f} MiB) in {save_s:.2f} s, loaded in {time.perf_counter() - start:.2f} s")

    index.search("warm up", k=10)
    ours_ms, ours = median_ms(lambda q: index.search(q, k=10), asked)

    matrix = index._postings.T.tocsr()  # the same TF-IDF rows, one per chunk
    peer = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(matrix)
    peer_ms, theirs = median_ms(lambda q: peer.kneighbors(_weigh(_counts([q]), index._idf), return_distance=False)[0], asked)

    same_first = sum(bool(o) and o[0].chunk == chunks[t[0]].text for o, t in zip(ours, theirs))
    print(f"search, median of {len(asked)} queries, top 10: ours {ours_ms:.1f} ms (goal < 50 ms)   "
          f"NearestNeighbors brute cosine {peer_ms:.1f} ms   ratio {peer_ms / ours_ms:.1f}x faster   "
          f"same best hit {same_first}/{len(asked)}")


if __name__ == "__main__":
    main()
