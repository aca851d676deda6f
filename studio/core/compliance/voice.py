"""A brand's voice, learned from its own texts, and how far new copy strays from it.

    report = voice_score(samples, ["Quietly made, built to last.", "HUGE SALE!!! BUY NOW 🔥"])
    report.score         # 0–100: how close the texts sound to the brand
    report.sentences[0]  # the sentence furthest from the voice, how far, and why

Every sentence is described twice: by what it says and how it spells it (TF-IDF of word and
character n-grams, fitted on the brand's own sentences) and by a few style measures (length,
exclamation and question marks, "you", capitals, emoji, digits). Each is measured against the
spread of the brand's own sentences (a z-score), so a distance of 1 means "as different as the
brand's sentences are from one another". A floor under each spread keeps a habit the brand
never varies (no exclamation marks at all) from making any difference infinite.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from studio.core.compliance.rules import Hit, check
from studio.core.errors import BadInput

MIN_SAMPLES = 3
THRESHOLD = 2.0  # distance above which a sentence is reported as off-voice (the rule's default)
SCALE = 2.0  # a sentence this far from the voice counts a third (e^-1) towards the score
CLIP = 6.0  # one habit alone cannot outweigh all the others
CONTENT_WEIGHT = 2.0  # what a sentence says and how it spells it counts as two style measures
WHY_FROM = 1.5  # a measure this many spreads away is named in the "why"

# A sentence ends at . ! ? … (and closing quotes) before a space, at CJK full stops, or at a line break.
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)|[。！？]+|\n")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SECOND_PERSON = frozenset({
    "you", "your", "yours", "yourself", "yourselves", "ya",  # en
    "vous", "votre", "vos", "tu", "ton", "ta", "tes", "toi", "te",  # fr
    "du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "ihr", "euch", "euer", "eure",  # de
    "tú", "tus", "usted", "ustedes", "ti", "vosotros", "vosotras", "vuestro", "vuestra",  # es
    "tuo", "tua", "tuoi", "tue", "voi", "vostro", "vostra",  # it
    "você", "vocês", "seu", "sua", "teu",  # pt
    "je", "jij", "jou", "jouw", "jullie", "u", "uw",  # nl
})


@dataclass(frozen=True)
class Style:
    """One style measure: how to read it off a sentence, the least spread it is measured by, and
    the words that say how a sentence differs in it."""

    name: str
    floor: float
    more: str
    fewer: str
    never: str | None = None  # when the brand's sentences never show it at all


STYLES = (  # {much} is "much " where the sentence is far out in that measure
    Style("length", 12.0, "{much}longer sentences than the brand's", "{much}shorter sentences than the brand's"),
    Style("exclamation", 0.3, "{much}more exclamation marks than the brand's", "{much}fewer exclamation marks than the brand's",
          "exclamation marks the brand never uses"),
    Style("question", 0.3, "{much}more questions than the brand asks", "{much}fewer questions than the brand asks", "questions the brand never asks"),
    Style("you", 0.05, "“you” {much}more often than the brand writes it", "“you” {much}less often than the brand writes it",
          "“you”, which the brand never writes"),
    Style("capitals", 0.05, "{much}more capitals than the brand's", "{much}fewer capitals than the brand's", "capitals the brand never writes"),
    Style("emoji", 0.3, "{much}more emoji than the brand's", "{much}fewer emoji than the brand's", "emoji the brand never uses"),
    Style("digits", 0.03, "{much}more numbers than the brand's", "{much}fewer numbers than the brand's", "numbers the brand never uses"),
)
CONTENT_WHY = "words and phrasing unlike the brand's texts"


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # characters [start, end) in the text it comes from
    end: int
    index: int = 0  # which of the scored texts


@dataclass(frozen=True)
class VoiceSentence:
    text: str
    distance: float  # in spreads of the brand's own sentences: 0 is the brand itself
    why: str  # the biggest differences, in words
    start: int
    end: int
    index: int  # which of the scored texts it is in


@dataclass(frozen=True)
class VoiceReport:
    score: int  # 0–100
    sentences: list[VoiceSentence]  # furthest from the voice first

    def as_dict(self) -> dict:
        return {"score": self.score, "sentences": [{"text": s.text, "distance": s.distance, "why": s.why, "span": [s.start, s.end],
                                                    "text_index": s.index} for s in self.sentences]}


def split_sentences(text: str, index: int = 0) -> list[Sentence]:
    """The sentences of a text with their spans; pieces of nothing but punctuation are skipped."""
    out, start = [], 0
    for m in [*_END.finditer(text), None]:
        end = m.end() if m else len(text)
        piece = text[start:end]
        stripped = piece.strip()
        if any(c.isalnum() or ord(c) > 0x2000 for c in stripped):  # words, or emoji and symbols
            first = start + piece.index(stripped)
            out.append(Sentence(stripped, first, first + len(stripped), index))
        start = end
    return out


def _style(sentence: str) -> list[float]:
    import emoji

    words = _WORD.findall(sentence)
    cased = [c for c in sentence if c.isupper() or c.islower()]
    return [len(sentence),
            sum(sentence.count(c) for c in "!！¡"),
            sum(sentence.count(c) for c in "?？¿"),
            sum(w.lower() in _SECOND_PERSON for w in words) / max(1, len(words)),
            sum(c.isupper() for c in cased) / max(1, len(cased)),
            emoji.emoji_count(sentence),
            sum(c.isdigit() for c in sentence) / max(1, len(sentence))]


class _Yardstick:
    """The spread of the brand's own sentences (or texts) in every measure, and how many spreads
    away a new one is. Content vectors are sparse rows (TF-IDF): cosines are worked out from dot
    products, never by densifying a long text's thousands of sentences."""

    def __init__(self, vectors, styles: np.ndarray):
        n = vectors.shape[0]
        self.centroid = np.asarray(vectors.mean(axis=0)).ravel()
        self.centroid_sq = float(self.centroid @ self.centroid)
        # How alike each of the brand's own is to the rest (leaving itself out): the content yardstick.
        with_centroid, own_sq = vectors @ self.centroid, _row_squares(vectors)
        rest_dot = (n * with_centroid - own_sq) / max(1, n - 1)
        rest_sq = np.maximum(n * n * self.centroid_sq - 2 * n * with_centroid + own_sq, 0) / max(1, n - 1) ** 2
        own = _cosine(rest_dot, own_sq * rest_sq)
        self.content_mean, self.content_spread = float(own.mean()), max(float(own.std()), 0.05)
        self.style_mean = styles.mean(axis=0)
        self.style_spread = np.maximum(styles.std(axis=0), [s.floor for s in STYLES])
        self.never = styles.max(axis=0) == 0

    def away(self, vectors, styles: np.ndarray):
        """Distances, and the style and content z-scores they come from."""
        similarity = _cosine(vectors @ self.centroid, _row_squares(vectors) * self.centroid_sq)
        content_z = np.clip((self.content_mean - similarity) / self.content_spread, 0, CLIP)  # only being less alike counts
        style_z = np.clip((styles - self.style_mean) / self.style_spread, -CLIP, CLIP)
        squares = (style_z ** 2).sum(axis=1) + CONTENT_WEIGHT * content_z ** 2
        return np.sqrt(squares / (len(STYLES) + CONTENT_WEIGHT)), style_z, content_z


def _row_squares(vectors) -> np.ndarray:
    return np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel()


def _cosine(dot: np.ndarray, norms_sq: np.ndarray) -> np.ndarray:
    """dot / (|a| |b|), and 0 where either is empty (a sentence of nothing the brand writes)."""
    return np.divide(dot, np.sqrt(norms_sq), out=np.zeros_like(dot, dtype=float), where=norms_sq > 0)


class Voice:
    """The voice of a brand's sample texts: fitted once, then measures any sentence or text.
    Sentences are measured against the brand's sentences; whole texts (their mean style) against
    its texts, where a habit shows more steadily than in any one sentence."""

    def __init__(self, samples: tuple[str, ...]):
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [s for s in samples if s.strip()]
        if len(texts) < MIN_SAMPLES:
            raise BadInput(f"A brand's voice is learned from at least {MIN_SAMPLES} of its own texts; {len(texts)} "
                           f"{'was' if len(texts) == 1 else 'were'} given. Add texts the brand has published, one per line.")
        sentences = [s for i, t in enumerate(texts) for s in split_sentences(t, i)]
        if len({s.index for s in sentences}) < MIN_SAMPLES or not any(_WORD.search(s.text) for s in sentences):
            raise BadInput(f"A brand's voice is learned from its words: give at least {MIN_SAMPLES} texts with sentences in them.")
        self.vectorizers = [TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", sublinear_tf=True),
                            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=False, sublinear_tf=True)]
        for vectorizer in self.vectorizers:
            vectorizer.fit([s.text for s in sentences])
        self.by_sentence = _Yardstick(self._content([s.text for s in sentences]), np.array([_style(s.text) for s in sentences]))
        self.by_text = _Yardstick(self._content(texts), self._text_styles(sentences, len(texts)))

    def _content(self, texts: list[str]):
        from scipy.sparse import hstack
        from sklearn import config_context

        with config_context(skip_parameter_validation=True, assume_finite=True):  # called per copy line: skip the checks
            parts = [v.transform(texts) for v in self.vectorizers]  # each row unit length (the vectorizers' l2 norm)
        return (hstack(parts) / math.sqrt(len(parts))).tocsr()  # the whole unit length too

    @staticmethod
    def _text_styles(sentences: list[Sentence], count: int) -> np.ndarray:
        """Each text's style: the mean of its sentences' (a text without any counts as the brand's plain zero)."""
        rows = [[_style(s.text) for s in sentences if s.index == i] for i in range(count)]
        return np.array([np.mean(r, axis=0) if r else np.zeros(len(STYLES)) for r in rows])

    def measure(self, sentences: list[Sentence]) -> list[VoiceSentence]:
        if not sentences:
            return []
        styles = np.array([_style(s.text) for s in sentences])
        distance, style_z, content_z = self.by_sentence.away(self._content([s.text for s in sentences]), styles)
        return [VoiceSentence(s.text, round(float(d), 2), self._why(z, cz, values), s.start, s.end, s.index)
                for s, d, z, cz, values in zip(sentences, distance, style_z, content_z, styles)]

    def text_distances(self, texts: list[str], sentences: list[Sentence]) -> list[float]:
        """How far each text (that has sentences) is from the brand's texts."""
        kept = sorted({s.index for s in sentences})
        styles = self._text_styles(sentences, len(texts))[kept]
        distance, _, _ = self.by_text.away(self._content([texts[i] for i in kept]), styles)
        return [float(d) for d in distance]

    def _why(self, style_z, content_z, values) -> str:
        named = [(abs(z), self._style_words(spec, z, value, never))
                 for spec, z, value, never in zip(STYLES, style_z, values, self.by_sentence.never) if abs(z) >= WHY_FROM]
        if content_z >= WHY_FROM:
            named.append((content_z, CONTENT_WHY))
        named.sort(key=lambda pair: -pair[0])
        return ", ".join(words for _, words in named[:3]) or "close to the brand's voice"

    @staticmethod
    def _style_words(spec: Style, z: float, value: float, never: bool) -> str:
        if never and value > 0 and spec.never:
            return spec.never
        return (spec.more if z > 0 else spec.fewer).format(much="much " if abs(z) >= 3 else "")


@lru_cache(maxsize=16)
def learn_voice(samples: tuple[str, ...]) -> Voice:
    """The brand's voice (cached: copy is checked line by line, for each platform)."""
    return Voice(samples)


def closeness(distance: float) -> float:
    return math.exp(-(distance / SCALE) ** 2)


def voice_score(samples: list[str], texts: list[str]) -> VoiceReport:
    """How close the texts sound to the brand's samples (0–100, the mean over the texts), and every
    sentence, furthest from the voice first."""
    voice = learn_voice(tuple(samples))
    sentences = [s for i, text in enumerate(texts) for s in split_sentences(text, i)]
    if not sentences:
        raise BadInput("There is no text to score: give the copy to compare with the brand's voice.")
    measured = voice.measure(sentences)
    distances = voice.text_distances(texts, sentences)
    score = round(100 * sum(closeness(d) for d in distances) / len(distances))
    return VoiceReport(score, sorted(measured, key=lambda s: (-s.distance, s.index, s.start)))


@lru_cache(maxsize=2048)
def _measured(samples: tuple[str, ...], text: str) -> list[VoiceSentence]:
    """A text's sentences against the voice (cached: the same line is checked for every platform)."""
    return learn_voice(samples).measure(split_sentences(text))


@check("brand_voice")
def brand_voice(text, params, ctx):
    """Sentences far from the brand's voice (params: samples, the brand's own texts; threshold)."""
    for s in _measured(tuple(params.get("samples", [])), text):
        if s.distance > params.get("threshold", THRESHOLD):
            yield Hit(s.start, s.end, excerpt=s.text, values={"why": s.why, "distance": f"{s.distance:.1f}"})
