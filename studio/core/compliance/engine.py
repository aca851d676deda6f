"""Run the rules: copy through the text checks, files through the media checks.

    findings = check_copy("FLOWERS!!", platform="google", field="headline")
    findings = check_media(Path("story.mp4"), platform="meta", spec_id="meta.reels")

A Context carries what the brand declares (names it writes in capitals, its palette, its
logo) and the target locale; rules come from the shipped files plus the brand's own.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from studio.core.compliance.model import Finding
from studio.core.compliance.rules import (
    CHECKS,
    MEDIA_FIELDS,
    Hit,
    Rule,
    RuleSet,
    shipped_rules,
)

MAX_TEXT = 100_000  # characters checked per text; a longer one is checked up to here, and says so


@dataclass(frozen=True)
class Context:
    platform: str | None = None
    locale: str | None = None  # the audience's language, "en", "fr-FR"…: copy in another language is flagged
    brand_names: tuple[str, ...] = ()  # written as declared, even in capitals
    palette: tuple[str, ...] = ()  # "#RRGGBB"
    logo_box: tuple[int, int, int, int] | None = None  # where the logo sits in an image, when known
    spec_id: str | None = None  # for media: the placement it is meant for
    field: str | None = None  # the copy's field as its placement names it (path1, long_headline…): set by check_copy


class _Values(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _finding(rule: Rule, hit: Hit, platform: str | None, field: str) -> Finding:
    values = _Values(excerpt=hit.excerpt, **hit.values)
    span = (hit.start, hit.end) if hit.start is not None else None
    return Finding(rule.id, rule.severity, string.Formatter().vformat(rule.message, (), values),
                   string.Formatter().vformat(rule.hint, (), values), rule.source, platform, field, span,
                   hit.box, hit.frame, hit.excerpt, hit.fix)


def check_copy(text: str, platform: str | None, field: str, *, ruleset: RuleSet | None = None,
               context: Context | None = None) -> list[Finding]:
    """Every finding on one piece of copy, in reading order."""
    ruleset = ruleset or shipped_rules()
    context = context or Context(platform=platform)
    if not text or not text.strip():
        return [Finding("text.empty", "error", f"The {field.replace('_', ' ')} is empty.", "Write the text, or remove the field.",
                        platform=platform, field=field)]
    findings = []
    if len(text) > MAX_TEXT:
        findings.append(Finding("text.too_long_to_check", "warning", f"Only the first {MAX_TEXT:,} of {len(text):,} characters were checked.",
                                "Ad copy is never this long: check that the right text was pasted.", platform=platform, field=field))
        text = text[:MAX_TEXT]
    text = unicodedata.normalize("NFC", text)
    context = replace(context, field=field)
    for rule in ruleset.for_field(platform, field):
        findings += [_finding(rule, hit, platform, field) for hit in CHECKS[rule.check](text, rule.params, context)]
    return sorted(findings, key=lambda f: (f.span or (0, 0), f.rule_id))


def check_media(path: Path, platform: str | None, *, ruleset: RuleSet | None = None, context: Context | None = None) -> list[Finding]:
    """Every finding on an image or video: the media rules, and the copy rules on the text read in it."""
    from studio.core.compliance.media_checks import load_media

    ruleset = ruleset or shipped_rules()
    context = context or Context(platform=platform)
    media = load_media(Path(path), context)
    findings = []
    for kind in MEDIA_FIELDS:
        for rule in ruleset.for_field(platform, kind):
            if kind in media.kinds:
                findings += [_finding(rule, hit, platform, kind) for hit in CHECKS[rule.check](media, rule.params, context)]
    for line in media.text_lines():  # text seen in the picture goes through the copy rules
        for f in check_copy(line.text, platform, "image_text", ruleset=ruleset, context=context):
            findings.append(Finding(f.rule_id, f.severity, f.message, f.hint, f.source, platform, "image_text",
                                    f.span, line.box, line.frame, f.excerpt or line.text, None))
    return findings
