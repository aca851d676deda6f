"""Competitor comparison: the words that set each brand apart, what brands share, and how
far apart their palettes are.

Distinctive terms are the weighted log-odds of a term in one brand's documents against all
the others', with an informative Dirichlet prior from the pooled counts (Monroe, Colaresi
and Quinn, "Fightin' Words", 2008): a z-score, so a word said often and only by one brand
ranks above one said twice. Overlap is the TF-IDF cosine of two brands' documents. Palette
distance pairs the colours of two palettes so the total CIEDE2000 ΔE is least.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment
from skimage.color import deltaE_ciede2000
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from studio.core.compliance.palette import parse_palette
from studio.core.errors import BadInput

PRIOR_SHARE = 0.1  # the prior is this share of the pooled counts: enough to calm rare words
MIN_Z = 0.5  # below this z-score a term is not this brand's more than the others'; a word said once scores about 0.7
_WORD = re.compile(r"\b[^\W\d_][^\W\d_'’]*[^\W\d_]\b")  # letters only: numbers and prices say little of a brand
_CLAUSE_BREAK = re.compile(r"[.!?;:()\[\]\n]+")


@dataclass(frozen=True)
class Term:
    term: str
    score: float  # the log-odds z-score: over 2 is clearly this brand's word


@dataclass(frozen=True)
class BrandTerms:
    brand: str
    terms: list[Term]
    summary: str


@dataclass(frozen=True)
class Overlap:
    a: str
    b: str
    similarity: float  # 0 (nothing in common) to 1 (the same words in the same measure)
    shared: list[str]  # the terms both use most
    summary: str


@dataclass(frozen=True)
class Comparison:
    brands: list[BrandTerms]
    overlaps: list[Overlap]  # one per pair of brands, most alike first
    summary: str


def compare_brands(documents: Mapping[str, Sequence[str]], top: int = 10) -> Comparison:
    """Compare brands by their documents ({brand name: [text, ...]}): at least two brands,
    each with some text."""
    brands = list(documents)
    if len(brands) < 2:
        raise BadInput("Comparing needs at least two brands: add a competitor with its site or documents.")
    texts = ["\n".join(documents[b]) for b in brands]
    vectorizer = CountVectorizer(analyzer=_terms)
    try:
        counts = vectorizer.fit_transform(texts).toarray().astype(np.float64)
    except ValueError:  # sklearn: "empty vocabulary"
        counts = np.zeros((len(brands), 0))
    for brand, row in zip(brands, counts):
        if not row.sum():
            raise BadInput(f"{brand} has no text to compare: crawl its site or import its documents first.")
    terms = vectorizer.get_feature_names_out()
    distinctive = [_brand_terms(brand, _log_odds_z(counts, i), terms, top) for i, brand in enumerate(brands)]
    overlaps = _overlaps(brands, counts, terms, top)
    closest = overlaps[0]
    summary = (f"Of {len(brands)} brands, {closest.a} and {closest.b} are the most alike "
               f"(similarity {closest.similarity:.2f}).") if len(brands) > 2 else closest.summary
    return Comparison(distinctive, overlaps, summary)


def _terms(text: str) -> Iterator[str]:
    """The words of text that are not stop words, and the pairs of such words side by side
    in one clause (so "roast date" counts, but not "date bag" from "date on every bag")."""
    for clause in _CLAUSE_BREAK.split(text.lower()):
        words = _WORD.findall(clause)
        for i, word in enumerate(words):
            if word not in ENGLISH_STOP_WORDS:
                yield word
                if i + 1 < len(words) and words[i + 1] not in ENGLISH_STOP_WORDS:
                    yield f"{word} {words[i + 1]}"


def _log_odds_z(counts: np.ndarray, i: int) -> np.ndarray:
    """z-scores of each term's log-odds in brand i against all the other brands together."""
    ours, others = counts[i], counts.sum(axis=0) - counts[i]
    prior = PRIOR_SHARE * counts.sum(axis=0)
    a0 = prior.sum()
    n_ours, n_others = ours.sum(), others.sum()
    delta = (np.log((ours + prior) / (n_ours + a0 - ours - prior))
             - np.log((others + prior) / (n_others + a0 - others - prior)))
    return delta / np.sqrt(1 / (ours + prior) + 1 / (others + prior))


def _brand_terms(brand: str, z: np.ndarray, terms: np.ndarray, top: int) -> BrandTerms:
    # ties (same counts) go to the longer term: "cold brew" before "cold" and "brew"
    order = np.lexsort((-np.char.str_len(terms.astype(str)), -np.round(z, 9)))
    ranked = [j for j in order if z[j] >= MIN_Z]
    picked = [Term(str(terms[j]), float(z[j])) for j in _new_words_only(terms, ranked, top)]
    if picked:
        summary = f"{brand} stands apart with: {', '.join(t.term for t in picked[:5])}."
    else:
        summary = f"{brand} uses no words that the others do not use as much."
    return BrandTerms(brand, picked, summary)


def _overlaps(brands: list[str], counts: np.ndarray, terms: np.ndarray, top: int) -> list[Overlap]:
    vectors = normalize(TfidfTransformer(sublinear_tf=True).fit_transform(counts).toarray())
    shares = counts / counts.sum(axis=1, keepdims=True)
    result = []
    for i, j in combinations(range(len(brands)), 2):
        similarity = float(np.clip(vectors[i] @ vectors[j], 0, 1))
        both = np.minimum(shares[i], shares[j])
        ranked = [t for t in np.argsort(-both, kind="stable") if both[t] > 0]
        shared = [str(terms[t]) for t in _new_words_only(terms, ranked, top)]
        degree = "a lot" if similarity >= 0.5 else "somewhat" if similarity >= 0.25 else "little"
        summary = f"{brands[i]} and {brands[j]} overlap {degree} (similarity {similarity:.2f})"
        summary += f"; both talk about {', '.join(shared[:5])}." if shared else "; they share no terms."
        result.append(Overlap(brands[i], brands[j], similarity, shared, summary))
    return sorted(result, key=lambda o: -o.similarity)


def _new_words_only(terms: np.ndarray, ranked: list[int], top: int) -> list[int]:
    """The first `top` of ranked, skipping a term whose words were all named already
    ("roast" after "roast date" adds nothing)."""
    picked, named = [], set()
    for j in ranked:
        words = set(terms[j].split())
        if not words <= named:
            picked.append(j)
            named |= words
        if len(picked) == top:
            break
    return picked


# ---- palettes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ColourMatch:
    a: str  # "#RRGGBB"
    b: str
    delta_e: float  # CIEDE2000: about 2 is just visible, over 10 reads as another colour


@dataclass(frozen=True)
class PaletteDistance:
    pairs: list[ColourMatch]  # closest first
    unmatched_a: list[str]  # colours left over when one palette has more
    unmatched_b: list[str]
    mean_delta_e: float
    summary: str


def palette_distance(a: Sequence[str], b: Sequence[str], a_name: str = "the first palette",
                     b_name: str = "the second palette") -> PaletteDistance:
    """Pair the colours of two palettes ("#RRGGBB" lists) so the summed ΔE is least
    (the Hungarian method), and say how close they are."""
    for name, palette in ((a_name, a), (b_name, b)):
        if not palette:
            raise BadInput(f"{name[0].upper() + name[1:]} has no colours: add its palette as #RRGGBB colours first.")
    lab_a, lab_b = parse_palette(a), parse_palette(b)
    cost = deltaE_ciede2000(lab_a[:, None, :], lab_b[None, :, :])
    rows, cols = linear_sum_assignment(cost)
    pairs = sorted((ColourMatch(_hex(a[r]), _hex(b[c]), float(cost[r, c])) for r, c in zip(rows, cols)),
                   key=lambda m: m.delta_e)
    unmatched_a = [_hex(a[r]) for r in sorted(set(range(len(a))) - set(rows))]
    unmatched_b = [_hex(b[c]) for c in sorted(set(range(len(b))) - set(cols))]
    mean = float(np.mean([p.delta_e for p in pairs]))
    degree = ("nearly the same" if mean < 5 else "similar" if mean < 15 else "different" if mean < 30
              else "very different")
    summary = (f"The palettes of {a_name} and {b_name} are {degree} (average ΔE {mean:.1f}); "
               f"the closest pair is {pairs[0].a} and {pairs[0].b} (ΔE {pairs[0].delta_e:.1f}).")
    left = len(unmatched_a) + len(unmatched_b)
    if left:
        summary += f" {left} colour{'s' if left > 1 else ''} of the larger palette had no partner."
    return PaletteDistance(pairs, unmatched_a, unmatched_b, mean, summary)


def _hex(colour: str) -> str:
    return "#" + str(colour).strip().lstrip("#").upper()
