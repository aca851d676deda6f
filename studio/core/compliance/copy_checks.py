"""Checks on ad copy. Each takes (text, params, context) and yields a Hit per problem, with the
exact span; the rule file decides where each applies, how severe it is and what it says.

Word lists and patterns live in the rule files' params where they are policy (attribute
terms, restricted categories, claims); the code holds only how to look for them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from studio.core.compliance.rules import Hit, check

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def _words(text: str):
    return WORD.finditer(text)


def _phrase_pattern(phrases: list[str]) -> re.Pattern:
    """Whole-word, case-insensitive alternatives; a trailing * in a phrase matches any ending."""
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        body = r"\s+".join(re.escape(w).replace(r"\*", r"\w*") for w in phrase.split())
        parts.append(body)
    return re.compile(r"(?<![\w#])(?:" + "|".join(parts) + r")(?![\w%])", re.IGNORECASE | re.UNICODE)


@lru_cache(maxsize=256)
def _compiled(phrases: tuple[str, ...]) -> re.Pattern:
    return _phrase_pattern(list(phrases))


def _find_phrases(text: str, phrases) -> list[re.Match]:
    return list(_compiled(tuple(phrases)).finditer(text)) if phrases else []


# ---- limits ---------------------------------------------------------------------------------
@check("text_limit")
def text_limit(text, params, ctx):
    """The field's character limit in the placement the copy is for (context.spec_id), else in
    the platform's usual placement (params' default_specs); Google counts wide characters as two.
    kind "truncate": where the platform only cuts the text off in view (a softer rule)."""
    from studio.core.specs.catalog import shipped_catalog
    from studio.core.specs.text import char_count

    catalog = shipped_catalog()
    spec_id = ctx.spec_id if ctx.spec_id in catalog.entries else params.get("default_specs", {}).get(ctx.platform or "")
    if ctx.field and ctx.field not in params.get("spec_fields", []) and not ctx.spec_id:
        # a field the platform's usual placement lacks (a long headline): the first placement that has it
        spec_id = next((s.id for s in sorted(catalog.entries.values(), key=lambda s: s.id)
                        if s.platform == ctx.platform and s.text_field(ctx.field)), spec_id)
    if spec_id is None:
        return
    names = [ctx.field] if catalog.get(spec_id).text_field(ctx.field or "") else params.get("spec_fields", [])
    fields = [tf for tf in catalog.get(spec_id).text_fields if tf.name in names]
    limits = [(tf.max_chars if params.get("kind", "max") == "max" else tf.truncates_at, tf.wide_counts_double) for tf in fields]
    limits = [pair for pair in limits if pair[0]]
    if not limits:
        return
    limit, wide = min(limits)
    n = char_count(text, wide)
    if n > limit:
        count, cut = 0, len(text)
        for i, c in enumerate(text):  # the span starts where the text passes the limit
            count += char_count(c, wide)
            if count > limit:
                cut = i
                break
        yield Hit(cut, len(text), excerpt=text[cut:], values={"count": n, "limit": limit, "over": n - limit, "placement": catalog.get(spec_id).name},
                  fix={"replace": [cut, len(text), ""]} if params.get("kind", "max") == "max" else None)


# ---- capitals -------------------------------------------------------------------------------
@check("capitals")
def capitals(text, params, ctx):
    """Words in capitals (FLOWERS) or alternating case (FlOwErS). Allowed: short acronyms in the
    params' list, words with digits (coupon codes, SAVE20), a word right after "code"/"coupon",
    and the brand's declared names."""
    if _plain_case(text):
        return
    allowed = {w.upper() for w in params.get("acronyms", [])}
    declared = {w.upper() for name in ctx.brand_names for w in WORD.findall(name)}
    min_len = params.get("min_length", 3)
    tokens = list(re.finditer(r"[^\s/-]+", text))  # USB-C, Wi-Fi: each part on its own
    for i, token in enumerate(tokens):
        raw = token.group()
        if _plain_case(raw):
            continue
        word = raw.strip(".,;:!?\"'()[]{}«»“”‘’…")
        if not word:
            continue
        letters = [c for c in word if c.isalpha()]
        if len(letters) < min_len or any(c.isdigit() for c in word):
            continue
        previous = tokens[i - 1].group().lower().strip(":") if i else ""
        if previous in ("code", "coupon", "promo", "gutschein", "código", "codice") or word.upper() in declared:
            continue
        start = token.start() + raw.index(word)
        if all(c.isupper() for c in letters):
            if word.upper() in allowed or _acronym_like(word, params):
                continue
            yield Hit(start, start + len(word), excerpt=word, fix={"replace": [start, start + len(word), word.capitalize()]})
        elif _alternating(letters):
            yield Hit(start, start + len(word), excerpt=word, fix={"replace": [start, start + len(word), word.capitalize()]})
    yield from _odd_case_runs(text)


def _plain_case(text: str) -> bool:
    """No word has a capital after its first letter: nothing for the capitals rules (the fast path)."""
    return all(w[1:] == w[1:].lower() for w in text.split())


def _odd_case_runs(text):
    """ShOp ThE sAlE: short words with capitals inside, two or more in a row (one alone is a
    name like iPad)."""
    run = []
    for m in list(re.finditer(r"[^\W\d_]+", text)) + [None]:
        word = m.group() if m else ""
        if m and 2 <= len(word) <= 5 and not word.isupper() and any(c.isupper() for c in word[1:]) and not _alternating(list(word)):
            run.append(m)
            continue
        if len(run) >= 2:
            start, end = run[0].start(), run[-1].end()
            yield Hit(start, end, excerpt=text[start:end], fix={"replace": [start, end, text[start:end].capitalize()]})
        run = []


def _acronym_like(word: str, params) -> bool:
    """Dotted abbreviations (U.S.) and two-letter forms (TV, UK) read as acronyms, not shouting."""
    return bool(re.fullmatch(r"(?:[A-Z]\.){1,3}", word)) or len(word) <= params.get("acronym_max", 2)


def _alternating(letters: list[str]) -> bool:
    """FlOwErS: case flips inside the word more than twice (iPhone, McDonald, YouTube flip once or twice)."""
    flips = sum(1 for a, b in itertools.pairwise(letters[1:]) if a.isupper() != b.isupper())
    return flips >= 3 and sum(c.isupper() for c in letters[1:]) >= 2


# ---- punctuation and symbols ----------------------------------------------------------------
@check("repeated_punctuation")
def repeated_punctuation(text, params, ctx):
    for m in re.finditer(r"[!?]{2,}|\.{4,}|,{2,}|(?:\(\)){2,}|([*#~^=+_])\1+", text):
        keep = "…" if m.group().startswith("....") else m.group()[0]
        yield Hit(m.start(), m.end(), excerpt=m.group(), fix={"replace": [m.start(), m.end(), keep if keep in "!?.,…" else ""]})


@check("exclamation")
def exclamation(text, params, ctx):
    """An exclamation mark where the field allows none (max 0), or more than `max` in the text."""
    marks = [m for m in re.finditer(r"!", text)]
    limit = params.get("max", 0)
    if len(marks) > limit:
        for m in marks[limit:]:
            yield Hit(m.start(), m.end(), excerpt="!", values={"count": len(marks)}, fix={"replace": [m.start(), m.end(), ""]})


SUBSTITUTED = re.compile(r"(?<![\w@$])(?=\w*[a-z])(?:[A-Za-z]+[0-9@$€£]+[a-z][A-Za-z]*|[a-z]+[0-9@$€£][A-Za-z]*)(?!\w)")


@check("gimmicky_spelling")
def gimmicky_spelling(text, params, ctx):
    """Symbols or digits standing in for letters (f1owers, fl@wers, N4ke), letters spaced or dotted
    out (f l o w e r s, F.L.O.W.E.R.S.), words wrapped in asterisks (*flowers*), number words
    ("4 sale") and a lone currency sign used as a word. Allowed: 5* hotel, 4K, B2B, MP3."""
    allowed = {w.lower() for w in params.get("allowed", [])}
    for m in SUBSTITUTED.finditer(text):
        if m.group().lower() not in allowed:
            yield Hit(m.start(), m.end(), excerpt=m.group())
    for m in re.finditer(r"(?<!\w)(?:\w[.\s]){3,}\w\.?(?!\w)", text):
        letters = re.sub(r"[.\s]", "", m.group())
        if len(letters) >= 4 and letters.isalpha():
            yield Hit(m.start(), m.end(), excerpt=m.group())
    for m in re.finditer(r"(?<![\w*])\*[^\W\d_][^*\n]*\*(?!\w)", text):
        yield Hit(m.start(), m.end(), excerpt=m.group(), fix={"replace": [m.start(), m.end(), m.group()[1:-1]]})
    for m in re.finditer(r"(?<!\w)(?:[24]\s+(?:sale|less|you|u|ur|all|ever|free|good)|gr8|l8r|w8|m8|h8|b4|2day|2nite|4ever|4u)(?!\w)", text, re.IGNORECASE):
        yield Hit(m.start(), m.end(), excerpt=m.group())
    for m in re.finditer(r"(?<!\d\s)(?<![\w$€£])[$€£@](?![\s]?\d)(?!\w)", text):  # 50 € and $5 are prices
        yield Hit(m.start(), m.end(), excerpt=m.group())


@check("unsupported_characters")
def unsupported_characters(text, params, ctx):
    """Emoji (where the platform takes none), half-width katakana, control characters, symbols
    used as bullets, and characters from the params' list."""
    import emoji

    if params.get("emoji", True) and any(ord(c) > 0x2000 for c in text):
        for e in emoji.emoji_list(text):
            yield Hit(e["match_start"], e["match_end"], excerpt=e["emoji"], values={"what": "emoji"},
                      fix={"replace": [e["match_start"], e["match_end"], ""]})
    for m in re.finditer(r"[\uff66-\uff9f]+", text):
        yield Hit(m.start(), m.end(), excerpt=m.group(), values={"what": "half-width katakana"},
                  fix={"replace": [m.start(), m.end(), unicodedata.normalize("NFKC", m.group())]})
    for m in re.finditer(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", text):
        yield Hit(m.start(), m.end(), excerpt=repr(m.group())[1:-1], values={"what": "an invisible control character"},
                  fix={"replace": [m.start(), m.end(), ""]})
    for m in re.finditer(r"(?:^|\n)\s*([•◦▪►✓✔➤→]|\d+[.)])\s", text):
        yield Hit(m.start(1), m.end(1), excerpt=m.group(1), values={"what": "a bullet or list number"})
    extra = params.get("characters", "")
    for m in re.finditer(f"[{re.escape(extra)}]", text) if extra else ():
        yield Hit(m.start(), m.end(), excerpt=m.group(), values={"what": "an unsupported symbol"})


@check("spacing")
def spacing(text, params, ctx):
    """A missing space after punctuation (Sale,buy), a space before it (flowers !), doubled spaces."""
    for m in re.finditer(r"(?<=[^\W\d_])[,;!?](?=[^\W\d_])|(?<=[a-z])\.(?=[A-Z][a-z])", text):
        yield Hit(m.start(), m.end() + 1, excerpt=text[max(0, m.start() - 3):m.end() + 3], values={"what": "no space after"},
                  fix={"replace": [m.start(), m.end(), m.group() + " "]})
    for m in re.finditer(r"(?<=\w) +(?=[,;.!?](?:\s|$))", text):
        yield Hit(m.start(), m.end() + 1, excerpt=text[max(0, m.start() - 3):m.end() + 1], values={"what": "a space before"},
                  fix={"replace": [m.start(), m.end(), ""]})
    for m in re.finditer(r"(?<=\S)  +(?=\S)", text):
        yield Hit(m.start(), m.end(), excerpt="double space", values={"what": "extra spaces"}, fix={"replace": [m.start(), m.end(), " "]})


@check("phone_number")
def phone_number(text, params, ctx):
    """Phone numbers in ad text (libphonenumber finds them in any common format)."""
    import phonenumbers

    if sum(c.isdigit() for c in text) < 7:  # no phone number is shorter; saves the matcher's time
        return
    local = [ctx.locale.split("-")[-1].upper()] if ctx.locale and "-" in ctx.locale else []
    seen = set()
    for region_code in dict.fromkeys([*local, *params.get("regions", ["US"])]):
        for match in phonenumbers.PhoneNumberMatcher(text, region_code, leniency=phonenumbers.Leniency.VALID):
            if (match.start, match.end) not in seen:
                seen.add((match.start, match.end))
                yield Hit(match.start, match.end, excerpt=match.raw_string)
    for m in re.finditer(r"(?<!\w)1[-. ]?[89]00[-. ]?[A-Z0-9]{3}[-. ]?[A-Z0-9]{3,4}(?!\w)", text):
        if (m.start(), m.end()) not in seen:
            yield Hit(m.start(), m.end(), excerpt=m.group())


# ---- words and phrases ----------------------------------------------------------------------
@check("phrases")
def phrases(text, params, ctx):
    """Any of the params' phrases (whole words, any case; "cure*" matches cures, cured)."""
    for m in _find_phrases(text, params.get("phrases", [])):
        yield Hit(m.start(), m.end(), excerpt=m.group(), values={"category": params.get("category", "")})


@lru_cache(maxsize=64)
def _alternation(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE | re.UNICODE)


@check("patterns")
def patterns(text, params, ctx):
    """Any of the params' regular expressions (case-insensitive)."""
    for m in _alternation(tuple(params.get("patterns", []))).finditer(text):
        yield Hit(m.start(), m.end(), excerpt=m.group(), values={"category": params.get("category", "")})


@check("personal_attributes")
def personal_attributes(text, params, ctx):
    """Meta: copy that asserts or asks whether the viewer has a protected attribute. It takes the
    viewer being addressed (you, your, are you…) near an attribute term, or "other <group>" /
    "people like you who…"; naming a group without implying the viewer is in it is allowed."""
    terms = _compiled(tuple(t for group in params["attributes"].values() for t in group))
    address = _compiled(tuple(params["address"]))
    window = params.get("window", 40)
    for m in terms.finditer(text):
        group = next((g for g, ts in params["attributes"].items() if _compiled(tuple(ts)).fullmatch(m.group())), "")
        near = text[max(0, m.start() - window):m.end() + window]
        before = text[max(0, m.start() - 12):m.start()].lower()
        asked = re.match(r"[^.!?\n]*\?", text[m.start():])  # "Over 50 and single?": a question put to the viewer
        if address.search(near) or asked or re.search(r"\b(?:other|fellow|autres|andere|otros|otras)\s+$", before):
            yield Hit(m.start(), m.end(), excerpt=m.group(), values={"attribute": group.replace("_", " ")})


@check("brand_words")
def brand_words(text, params, ctx):
    """The brand's banned words (each use), or its required words and disclaimers when missing."""
    for m in _find_phrases(text, params.get("banned", [])):
        yield Hit(m.start(), m.end(), excerpt=m.group(), fix={"replace": [m.start(), m.end(), ""]})
    for required in params.get("required", []):
        if not _find_phrases(text, [required]):
            yield Hit(len(text), len(text), excerpt=required, values={"required": required},
                      fix={"replace": [len(text), len(text), (" " if text and not text.endswith(" ") else "") + required]})


# ---- language -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*[getattr(Language, n) for n in LANGUAGES.values()]).with_low_accuracy_mode().build()


LANGUAGES = {"en": "ENGLISH", "fr": "FRENCH", "de": "GERMAN", "es": "SPANISH", "it": "ITALIAN", "pt": "PORTUGUESE",
             "nl": "DUTCH", "ja": "JAPANESE", "zh": "CHINESE", "ko": "KOREAN", "pl": "POLISH", "sv": "SWEDISH"}


@check("language")
def language(text, params, ctx):
    """Copy in another language than the audience's (context.locale), when the text says so clearly."""
    if not ctx.locale:
        return
    wanted = ctx.locale.split("-")[0].lower()
    if wanted not in LANGUAGES or sum(c.isalpha() for c in text) < params.get("min_letters", 12):
        return
    sample = text[:2000]
    found = _detector().detect_language_of(sample)
    if found is None:
        return
    code = next((c for c, n in LANGUAGES.items() if n == found.name), None)
    if code and code != wanted:
        confidence = _detector().compute_language_confidence(sample, found)
        if confidence >= params.get("confidence", 0.6):
            yield Hit(0, len(text), excerpt=text[:60], values={"found": found.name.title(), "wanted": LANGUAGES[wanted].title()})
