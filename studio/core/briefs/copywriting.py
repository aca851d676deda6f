"""Copy for a brief's deliverables: variants of each copy field of each placement, measured and checked.

    result = generate_copy(CopyParams(str(lib.root), brief_id, count=5), JobState(), lib=lib)
    keep_copy(lib, brief_id, [Choice("meta.feed_image", "headline", result.fields[0].variants[0].text)])

Per placement the brief's deliverables name and per copy field its spec lists (headline,
description, primary text…; not URLs, paths or names, which are facts rather than copy), the AI
layer writes N variants grounded in the brief (proposition, reasons to believe, audience,
insight, mandatories, tone) and the brand's profile (voice, key messages). Each variant is
counted as the platform counts it (Google: wide characters as two) against the field's limit,
an over-long one is shortened once and measured again, and every one goes through the same
compliance copy checks, brand rules included, that the Compliance workspace and export run.
Kept variants become the campaign's ad copy for that placement, where the export reads it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from functools import partial

from studio.core.ai.prompts import Request, parse_variants
from studio.core.ai.stream import run_stream
from studio.core.briefs.sections import Brief, get_brief
from studio.core.compliance.engine import Context, check_copy
from studio.core.compliance.model import Finding, has_errors
from studio.core.compliance.rules import FIELD_KINDS, load_rules
from studio.core.errors import BadInput
from studio.core.ops.copy import set_copy
from studio.core.ops.tx import OpResult
from studio.core.research.profile import get_brand_profile
from studio.core.specs.catalog import load_catalog
from studio.core.specs.model import Spec, TextField
from studio.core.specs.text import char_count

MAX_VARIANTS = 20  # what one AI request may ask for
# Field kinds that are copy to write; URLs, display paths and business names are facts to enter.
COPY_KINDS = ("headline", "description", "primary_text", "post_text", "ad_text", "intro_text")
# Brief sections lent to the writer as numbered sources (the proposition is the notes it writes from).
SOURCE_SECTIONS = ("reasons_to_believe", "insight", "audience", "mandatories")


@dataclass(frozen=True)
class CopyParams:
    library_root: str
    brief_id: int
    count: int = 3  # variants per field (at least the field's own minimum count)
    provider: str = "auto"  # auto | anthropic | openai | offline
    endpoint: str | None = None  # replaces the provider's base URL (a proxy, a test server)


@dataclass(frozen=True)
class Variant:
    text: str
    length: int  # as the platform counts it
    limit: int | None
    findings: tuple[Finding, ...]  # the compliance copy checks' findings, brand rules included
    shortened_from: str | None = None  # the first version, when it was over the limit and a shorter one replaced it

    @property
    def over(self) -> bool:
        return self.limit is not None and self.length > self.limit

    @property
    def passed(self) -> bool:
        return not self.over and not has_errors(self.findings)

    def as_dict(self) -> dict:
        return {"text": self.text, "length": self.length, "limit": self.limit, "passed": self.passed,
                "shortened_from": self.shortened_from,
                "findings": [{"rule_id": f.rule_id, "severity": f.severity, "message": f.message, "hint": f.hint}
                             for f in self.findings]}


@dataclass(frozen=True)
class FieldCopy:
    """The variants of one copy field of one placement."""

    spec_id: str
    placement: str  # the spec's name, "Meta Feed image"
    platform: str
    field: str  # the key the copy is stored under: headline, primary_text…
    label: str
    limit: int | None  # the hard limit, else where the platform cuts the text off in view
    hard: bool  # limit is a hard limit (False: text past it is only hidden)
    wide_counts_double: bool
    min_count: int
    max_count: int
    variants: tuple[Variant, ...]
    note: str | None = None  # why the answer was cut off, when it was

    def as_dict(self) -> dict:
        return {**{k: v for k, v in self.__dict__.items() if k != "variants"},
                "variants": [v.as_dict() for v in self.variants]}


@dataclass(frozen=True)
class CopyResult:
    brief_id: int
    title: str
    provider: str  # who wrote it: offline, anthropic or openai
    fields: tuple[FieldCopy, ...]
    skipped: tuple[tuple[str, str], ...]  # (spec id, why it got no copy)

    def as_dict(self) -> dict:
        return {"brief_id": self.brief_id, "title": self.title, "provider": self.provider,
                "fields": [f.as_dict() for f in self.fields], "skipped": [list(s) for s in self.skipped]}


@dataclass(frozen=True)
class Choice:
    """A variant to keep as the campaign's ad copy for a placement's field."""

    spec_id: str
    field: str
    text: str


@dataclass(frozen=True)
class _Note:  # a brief section or key message lent to the writer as a grounding source
    source: str
    text: str


# ---- generating ---------------------------------------------------------------------------------
def copy_fields(spec: Spec) -> list[TextField]:
    return [tf for tf in spec.text_fields if FIELD_KINDS.get(tf.name, tf.name) in COPY_KINDS]


def field_limit(tf: TextField) -> int | None:
    return tf.max_chars or tf.truncates_at


def placements(lib, brief: Brief) -> tuple[list[Spec], list[tuple[str, str]]]:
    """The brief's placements that take copy (once each, in the brief's order), and those skipped with why."""
    if not brief.deliverables:
        raise BadInput(f"{brief.title!r} has no deliverables yet; add placements to its Deliverables section, then generate copy.")
    catalog = load_catalog(lib)
    specs, skipped, seen = [], [], set()
    for d in brief.deliverables:
        if d.spec_id in seen:
            continue
        seen.add(d.spec_id)
        spec = catalog.entries.get(d.spec_id)
        if spec is None:
            skipped.append((d.spec_id, "no longer in the spec catalog"))
        elif not copy_fields(spec):
            skipped.append((d.spec_id, f"{spec.name} has no copy fields"))
        else:
            specs.append(spec)
    if not specs:
        raise BadInput("None of the brief's placements takes copy: " + "; ".join(f"{s}: {why}" for s, why in skipped) + ".")
    return specs, skipped


def generate_copy(params: CopyParams, state, lib=None, store=None) -> CopyResult:
    """The job: variants for every copy field of every placement the brief's deliverables name.
    store: the key store (default: the OS keyring; not opened by the offline provider)."""
    from studio.core.library import Library

    own = lib is None
    lib = lib or Library.open(params.library_root, lock=False, auto_backup=False)
    try:
        return _generate(lib, params, state, store)
    finally:
        if own:
            lib.close()


def _generate(lib, params: CopyParams, state, store) -> CopyResult:
    if not 1 <= params.count <= MAX_VARIANTS:
        raise BadInput(f"Ask for 1 to {MAX_VARIANTS} variants per field, not {params.count}.")
    brief = get_brief(lib, params.brief_id)
    specs, skipped = placements(lib, brief)
    notes = _plain(brief.sections["proposition"]) or _plain(brief.sections["objective"])
    if not notes:
        raise BadInput(f"{brief.title!r} has no proposition yet; write its Proposition (or at least its Objective): the copy is written from it.")
    profile = get_brand_profile(lib, brief.summary.brand_id)
    sources = tuple(_Note(f"Brief: {key.replace('_', ' ')}", text) for key in SOURCE_SECTIONS if (text := _plain(brief.sections[key])))
    sources += tuple(_Note("Brand key message", m) for m in profile.key_messages)
    voice = profile.voice + ((tone,) if (tone := _plain(brief.sections["tone"])) else ())
    # the rules and brand context the stored compliance checks use, so what passes here passes there
    ruleset = load_rules(lib, brief.summary.brand_id)
    brand = Context(brand_names=(profile.name,), palette=profile.palette)
    jobs = [(spec, tf) for spec in specs for tf in copy_fields(spec)]
    fields, provider = [], params.provider
    for done, (spec, tf) in enumerate(jobs):
        state.check()
        state.set_progress(done, len(jobs))
        state.set_status(f"Writing {spec.name}: {tf.label.lower()}…")
        context = replace(brand, platform=spec.platform, spec_id=spec.id)
        ask = _Asker(lib, params, state, store, voice, sources, spec, tf)
        fields.append(ask.field_copy(notes, partial(check_copy, platform=spec.platform, field=tf.name, ruleset=ruleset, context=context)))
        provider = ask.provider or provider
    state.set_progress(1.0)
    return CopyResult(brief.id, brief.title, provider, tuple(fields), tuple(skipped))


class _Asker:
    """The AI requests for one placement's field: its variants, and a shorter version of each
    that is over the limit."""

    def __init__(self, lib, params: CopyParams, state, store, voice, sources, spec: Spec, tf: TextField):
        self.lib, self.params, self.state, self.store = lib, params, state, store
        self.voice, self.sources, self.spec, self.tf = voice, sources, spec, tf
        self.limit = field_limit(tf)
        wide = " (wide characters such as Chinese, Japanese and Korean count as two)" if tf.wide_counts_double else ""
        self.topic = f"a {spec.name} ad {tf.label.lower()}" + (f" of at most {self.limit} characters{wide}" if self.limit else "")
        self.provider: str | None = None

    def _ask(self, task: str, text: str, **extra) -> tuple[str, str | None]:
        request = Request(task, text=text, topic=self.topic, sources=self.sources if task == "variants" else (),
                          voice=self.voice, provider=self.params.provider, purpose=f"Copy ({task}): {self.spec.id} {self.tf.name}", **extra)
        result = run_stream(request, self.state, lambda _piece: None, lib=self.lib, store=self.store, endpoint=self.params.endpoint)
        self.provider = result.provider
        return result.text, (result.reason if result.status == "partial" else None)

    def field_copy(self, notes: str, check) -> FieldCopy:
        tf = self.tf
        count = min(MAX_VARIANTS, max(self.params.count, tf.min_count))
        text, cut_off = self._ask("variants", notes, count=count, max_length=self.limit)
        lines = parse_variants(text)
        if cut_off:
            lines = lines[:-1]  # the last line may stop mid-word
        variants = [self._measured(line, check) for line in lines[:count]]
        return FieldCopy(self.spec.id, self.spec.name, self.spec.platform, tf.name, tf.label, self.limit, bool(tf.max_chars),
                         tf.wide_counts_double, tf.min_count, tf.max_count, tuple(variants), cut_off)

    def _measured(self, text: str, check) -> Variant:
        length = char_count(text, self.tf.wide_counts_double)
        first = None
        if self.limit is not None and length > self.limit:
            self.state.check()
            shorter = parse_variants(self._ask("shorten", text)[0])
            # once only; the attempt replaces the variant only where it is shorter
            if shorter and (n := char_count(shorter[0], self.tf.wide_counts_double)) < length:
                first, text, length = text, shorter[0], n
        return Variant(text, length, self.limit, tuple(check(text)), first)


_MARKDOWN = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)", re.MULTILINE)


def _plain(markdown: str) -> str:
    """A section's Markdown as plain sentences: no headings, list marks or emphasis; list items end
    as sentences so the writer reads them one by one."""
    lines = []
    for line in _MARKDOWN.sub("", markdown).splitlines():
        line = re.sub(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`", "", line).strip()
        if line:
            lines.append(line if line[-1] in ".!?…:。！？" else line + ".")
    return " ".join(lines)


# ---- keeping ------------------------------------------------------------------------------------
class _OneStep:
    """The library as set_copy sees it, with all its writes merged into one undo step under one
    label: keeping copy for several fields is one thing to undo."""

    def __init__(self, lib, label: str):
        self._lib, self._label, self._key = lib, label, f"keep-copy:{uuid.uuid4().hex}"

    def read(self):
        return self._lib.read()

    def write(self, _label: str, **_merge):
        return self._lib.write(self._label, merge_key=self._key, merge_window=3600.0)


def keep_copy(lib, brief_id: int, choices: list[Choice]) -> OpResult:
    """Store the chosen variants as the brief's campaign's ad copy, scoped to their placements: each
    placement's field chosen gets exactly these texts (in this order), replacing what it had. One
    undoable step. Value: {(spec_id, field): texts}."""
    brief = get_brief(lib, brief_id)
    campaign_id = brief.summary.campaign_id
    if campaign_id is None:
        raise BadInput(f"{brief.title!r} has no campaign, and ad copy lives in a campaign; set the brief's campaign first.")
    if not choices:
        raise BadInput("Nothing to keep: tick the variants to keep first.")
    catalog = load_catalog(lib)
    wanted: dict[tuple[str, str], list[str]] = {}
    for choice in choices:
        spec = catalog.get(choice.spec_id)
        tf = spec.text_field(choice.field)
        if tf is None or tf not in copy_fields(spec):
            raise BadInput(f"{spec.name} has no copy field {choice.field!r}; its copy fields are "
                           f"{', '.join(t.name for t in copy_fields(spec)) or 'none'}.")
        if not choice.text.strip():
            raise BadInput(f"A chosen {spec.name} {tf.label.lower()} is empty; untick it or write it first.")
        texts = wanted.setdefault((spec.id, tf.name), [])
        if choice.text.strip() not in texts:
            texts.append(choice.text.strip())
        if len(texts) > tf.max_count:
            raise BadInput(f"{spec.name} takes at most {tf.max_count} {tf.label.lower()}(s); keep no more than that.")
    one_step = _OneStep(lib, f"Keep copy for {brief.title}")
    changes: set[str] = set()
    for (spec_id, field), texts in wanted.items():
        changes |= set(set_copy(one_step, campaign_id, field, texts, spec_id).changes)
    return OpResult(frozenset(changes), wanted, f"Keep copy for {brief.title}")
