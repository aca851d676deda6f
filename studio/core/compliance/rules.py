"""Rules as data, checks as code.

A rule file (resources/compliance/rules/*.json, versioned) lists rules; each names a
registered check function and its parameters, the platforms and fields it applies to, its
severity, message, fix hint and source. A brand adds its own rules in the library. A rule
that does not load (unknown check, bad parameters) is reported with its id and the reason,
and the other rules keep working.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studio.core.paths import resources_dir

SCHEMA_VERSION = 1
TEXT_FIELDS = ("headline", "description", "primary_text", "display_path", "image_text", "post_text", "ad_text", "intro_text")
MEDIA_FIELDS = ("image", "video", "audio")
# Placement text fields checked by the rules of a rule field they are a kind of; their own
# character limits still come from the spec catalog under their own names.
FIELD_KINDS = {"path1": "display_path", "path2": "display_path", "path": "display_path",
               "long_headline": "headline", "short_headline": "headline"}
PLATFORMS = ("meta", "google", "tiktok", "linkedin", "x")

# check name -> function. Text checks: fn(text, params, ctx) -> iterable of Hit.
# Media checks: fn(media, params, ctx) -> iterable of Hit. Registered with @check("name").
CHECKS: dict[str, Callable] = {}


def check(name: str):
    def register(fn):
        CHECKS[name] = fn
        return fn
    return register


@dataclass(frozen=True)
class Hit:
    """Where a check found its problem: a span of text, or a box on an image or frame."""

    start: int | None = None
    end: int | None = None
    box: tuple[int, int, int, int] | None = None
    frame: int | None = None
    excerpt: str = ""
    values: dict = field(default_factory=dict)  # fills the rule's message: {match}, {limit}, …
    fix: dict | None = None


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    check: str
    params: dict = {}
    platforms: list[Literal["*", "meta", "google", "tiktok", "linkedin", "x"]] = ["*"]
    fields: list[str] = Field(min_length=1)
    severity: Literal["error", "warning"]
    message: str  # may name {excerpt} and the check's values
    hint: str
    source: str = ""

    def applies(self, platform: str | None, field_name: str) -> bool:
        return ("*" in self.platforms or platform in self.platforms) and field_name in self.fields


@dataclass
class RuleSet:
    rules: list[Rule]
    versions: dict[str, str]  # rule file -> its version
    problems: list[str]  # rules that did not load, each with its id and why
    _by_field: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def for_field(self, platform: str | None, field_name: str) -> list[Rule]:
        key = (platform, field_name)
        if key not in self._by_field:  # copy is checked line by line: look each pair up once
            kind = FIELD_KINDS.get(field_name, field_name)
            self._by_field[key] = [r for r in self.rules if r.applies(platform, kind)]
        return self._by_field[key]


def parse_rules(documents: list[dict], origin: str) -> tuple[list[Rule], list[str]]:
    """Rules that load, and for the others: which rule and why."""
    _import_checks()
    rules, problems = [], []
    for n, doc in enumerate(documents):
        rule_id = doc.get("id", f"#{n + 1}") if isinstance(doc, dict) else f"#{n + 1}"
        try:
            rule = Rule.model_validate(doc)
        except ValidationError as exc:
            why = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'rule'}: {e['msg']}" for e in exc.errors()[:3])
            problems.append(f"{origin}: rule {rule_id} was skipped ({why}).")
            continue
        if rule.check not in CHECKS:
            problems.append(f"{origin}: rule {rule_id} was skipped (there is no check called {rule.check!r}).")
            continue
        unknown = [f for f in rule.fields if f not in TEXT_FIELDS + MEDIA_FIELDS]
        if unknown:
            problems.append(f"{origin}: rule {rule_id} was skipped (unknown field {', '.join(unknown)}).")
            continue
        rules.append(rule)
    return rules, problems


def load_rule_file(path: Path) -> tuple[str, list[Rule], list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return "?", [], [f"{path.name} cannot be read ({exc}); its rules were skipped."]
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION or not isinstance(data.get("rules"), list):
        return "?", [], [f"{path.name} is not a rule file of schema {SCHEMA_VERSION} (a JSON object with a \"rules\" list); its rules were skipped."]
    rules, problems = parse_rules(data["rules"], path.name)
    return str(data.get("rules_version", "?")), rules, problems


def shipped_rules() -> RuleSet:
    rules, versions, problems = [], {}, []
    for path in sorted((resources_dir() / "compliance" / "rules").glob("*.json")):
        version, loaded, skipped = load_rule_file(path)
        versions[path.name] = version
        rules += loaded
        problems += skipped
    return RuleSet(rules, versions, problems)


def load_rules(lib=None, brand_id: int | None = None) -> RuleSet:
    """The shipped rules, plus the brand's own from the library."""
    ruleset = shipped_rules()
    if lib is not None and brand_id is not None:
        from sqlalchemy import select

        from studio.core.db.models import BrandRuleRow

        with lib.read() as conn:
            documents = conn.execute(select(BrandRuleRow.document).where(BrandRuleRow.brand_id == brand_id).order_by(BrandRuleRow.id)).scalars().all()
        brand, problems = parse_rules(list(documents), "brand rules")
        ruleset = RuleSet(ruleset.rules + brand, ruleset.versions | {"brand": str(len(brand))}, ruleset.problems + problems)
    return ruleset


def _import_checks() -> None:
    """The modules that register checks (imported here so a rule file can name any of them)."""
    from studio.core.compliance import copy_checks, media_checks, voice  # noqa: F401
