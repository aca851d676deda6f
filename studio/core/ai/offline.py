"""The offline provider: a template writer, not a language model.

It fills fixed templates from the request's text and its grounding sources, with plain rules
(pick the source sentences that share the most words with the request, drop filler and hedging
words, keep the highest-scoring sentences when shortening, cut lines at word boundaries to a
length limit). It understands nothing and invents nothing: every sentence it adds is a source's
own sentence, cited [n]. The same request always gives the same text. It is the default when no
API key is set, so every AI feature works without a network, and it streams word by word
(studio.core.ai.stream) so the UI path is the same as a model's.
"""

from __future__ import annotations

import re

from studio.core.ai.prompts import Request
from studio.core.errors import BadInput

MODEL = "templates-1"

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“(\[]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
STOP = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of", "on",
    "or", "our", "that", "the", "their", "this", "to", "was", "we", "were", "will", "with", "you", "your", "they",
    "them", "than", "then", "so", "but", "not", "no", "into", "about", "more", "most", "very"})
FILLER = ("really", "very", "just", "basically", "actually", "quite", "simply", "literally", "totally")
HEDGES = ("we think that", "we think", "we believe that", "we believe", "perhaps", "maybe", "possibly",
          "kind of", "sort of", "somewhat", "arguably", "it seems that", "it could be said that")


def write(request: Request) -> str:
    """The text for request, by the templates of its task."""
    if not request.text.strip() and not request.grounding:
        raise BadInput("The offline writer needs something to work from: write a few notes, or add documents "
                       "to the knowledge base (or set an AI key in Settings ▸ Accounts & keys).")
    return _WRITERS[request.task](request)


def _generate(request: Request) -> str:
    # the knowledge base already picked these sources for the request: all may lend a sentence
    lead = [_tidy(request.text)] if request.text.strip() else []
    return " ".join(lead + [_cite(s, n) for n, s in _supporting(request, 3, related_only=False)])


def _improve(request: Request) -> str:
    support = [_cite(s, n) for n, s in _supporting(request, 1, exclude=request.text)]
    return " ".join([_tidy(request.text)] + support)


def _shorten(request: Request) -> str:
    """The lead sentence, then the sentences sharing the most words with the rest, while the whole
    stays within half the words (one sentence: cut to half, asides in brackets dropped first)."""
    sentences = _sentences(_tidy(request.text))
    if len(sentences) == 1:
        return _cut(re.sub(r"\s*\([^)]*\)", "", sentences[0]), max(40, len(sentences[0]) // 2))
    budget = len(request.text.split()) / 2
    kept, count = {0}, len(sentences[0].split())
    for i in sorted(range(1, len(sentences)), key=lambda i: (-_score(sentences[i], sentences), i)):
        if count + len(sentences[i].split()) <= budget:
            kept.add(i)
            count += len(sentences[i].split())
    return " ".join(sentences[i] for i in sorted(kept))


def _brand_voice(request: Request) -> str:
    text = _tidy(_drop(request.text, HEDGES))
    voiced = _ranked(request, set(_words(" ".join(request.voice))), exclude=request.text)
    return " ".join([text] + [_cite(s, n) for n, s in voiced[:1]])


def _variants(request: Request) -> str:
    limit = request.max_length or 90
    candidates = _sentences(_tidy(request.text)) if request.text.strip() else []
    cited = [(None, s) for s in candidates] + _supporting(request, request.count * 2, related_only=False, one_per_source=False)
    lines, seen = [], set()
    for n, sentence in cited:
        line = _cut(sentence.rstrip(".!?"), limit)
        if line and line.lower() not in seen:
            seen.add(line.lower())
            lines.append(line + (f" [{n}]" if n else ""))
        if len(lines) == request.count:
            break
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


_WRITERS = {"generate": _generate, "improve": _improve, "shorten": _shorten,
            "brand_voice": _brand_voice, "variants": _variants}


def _supporting(request: Request, limit: int, **how) -> list[tuple[int, str]]:
    """Up to limit (source number, sentence), ranked by the words they share with the request."""
    return _ranked(request, set(_words(f"{request.topic} {request.text}")), **how)[:limit]


def _ranked(request: Request, wanted: set[str], *, exclude: str = "", related_only: bool = True,
            one_per_source: bool = True) -> list[tuple[int, str]]:
    """(source number, sentence) of the grounding sources, the most words in common with wanted
    first (ties: the earlier source, the earlier sentence). Sentences whose words exclude already
    has are left out; so are those sharing no word when related_only; one_per_source draws on
    several sources rather than one."""
    have = set(_words(exclude))
    scored = []
    for n, source in enumerate(request.grounding, 1):
        for order, sentence in enumerate(_sentences(" ".join(source.text.split()))):
            words = set(_words(sentence))
            if words and not words <= have and (words & wanted or not related_only):
                scored.append((-len(words & wanted), n, order, sentence))
    best, used = [], set()
    for _, n, _, sentence in sorted(scored):
        if not (one_per_source and n in used):
            used.add(n)
            best.append((n, _tidy(sentence)))
    return best


def _cite(sentence: str, n: int) -> str:
    """The sentence with its source's number before its closing mark: "… by hand [2]." """
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in ".!?" else (sentence, "")
    return f"{body} [{n}]{end}"


def _score(sentence: str, sentences: list[str]) -> int:
    """How many of the sentence's words the other sentences use too: what the text is about."""
    others = set(_words(" ".join(s for s in sentences if s is not sentence)))
    return len(set(_words(sentence)) & others)


def _tidy(text: str) -> str:
    """One space between words, no filler words, sentences capitalised and ended."""
    sentences = []
    for sentence in _sentences(_drop(" ".join(text.split()), FILLER)):
        sentence = sentence[0].upper() + sentence[1:]
        sentences.append(sentence if sentence[-1] in ".!?…\"”)]" else sentence + ".")
    return " ".join(sentences)


def _drop(text: str, phrases: tuple[str, ...]) -> str:
    for phrase in phrases:
        text = re.sub(rf"\b{re.escape(phrase)}\b,?\s*", "", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _cut(text: str, limit: int) -> str:
    """text at most limit characters, cut at a word boundary and not on a dangling little word."""
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split()[:-1] if text[limit:limit + 1] != " " else text[:limit].split()
    while words and words[-1].lower().strip(",;:") in STOP:
        words.pop()
    return " ".join(words).rstrip(",;:")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP and len(w) > 2]
