"""A brand's own compliance rules, each one undoable step: its banned words, the disclaimers its
copy must carry, its voice (learned from its own texts) and any rule a user writes.

Every rule is a studio.core.compliance.rules.Rule document in brand_rules, validated before it is
written; a rule id is unique within its brand. The common rules have fixed ids (brand.banned,
brand.required, brand.voice), so a brand has one of each and editing them replaces it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from studio.core.compliance.rules import CHECKS, TEXT_FIELDS, parse_rules, shipped_rules
from studio.core.db.models import Brand, BrandRuleRow, Campaign
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult

BANNED_ID, REQUIRED_ID, VOICE_ID = "brand.banned", "brand.required", "brand.voice"
REQUIRED_FIELDS = ("primary_text",)  # where a required disclaimer must be, unless the user says otherwise
VOICE_FIELDS = ("headline", "description", "primary_text", "post_text", "ad_text", "intro_text")
SOURCE = "Brand guidelines"
_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


@dataclass(frozen=True)
class BrandRule:
    row_id: int
    rule_id: str
    document: dict
    problem: str | None  # why the rule does not load (a row written by hand), else None


@dataclass(frozen=True)
class BrandGuidelines:
    """What the Brand rules dialog edits, read in one go."""

    brand_id: int
    name: str
    palette: tuple[str, ...]
    banned: tuple[str, ...]
    required: tuple[str, ...]
    required_fields: tuple[str, ...]
    voice_samples: tuple[str, ...]
    rules: tuple[BrandRule, ...]  # all of them, the common ones included


# ---- reads ------------------------------------------------------------------------------------
def find_brand(lib, ref: int | str) -> tuple[int, str]:
    """A brand by id or by name; an unknown one is refused with the brands there are."""
    with lib.read() as conn:
        brands = conn.execute(select(Brand.id, Brand.name).order_by(Brand.id)).all()
    for brand_id, name in brands:
        if str(brand_id) == str(ref).strip() or name.casefold() == str(ref).strip().casefold():
            return brand_id, name
    known = ", ".join(f"{i} {n}" for i, n in brands) or "none yet: create a client and a brand first"
    raise BadInput(f"There is no brand {ref!r}. The brands are: {known}.")


def campaign_brand(lib, campaign_id: int) -> int:
    with lib.read() as conn:
        brand_id = conn.execute(select(Campaign.brand_id).where(Campaign.id == campaign_id)).scalar()
    if brand_id is None:
        raise BadInput(f"There is no campaign {campaign_id}.")
    return brand_id


def list_brand_rules(lib, brand_id: int) -> list[BrandRule]:
    find_brand(lib, brand_id)
    with lib.read() as conn:
        rows = conn.execute(select(BrandRuleRow.id, BrandRuleRow.document).where(BrandRuleRow.brand_id == brand_id)
                            .order_by(BrandRuleRow.id)).all()
    out = []
    for row_id, document in rows:
        _, problems = parse_rules([document], "brand rules")
        rule_id = document.get("id", f"#{row_id}") if isinstance(document, dict) else f"#{row_id}"
        out.append(BrandRule(row_id, rule_id, document, problems[0] if problems else None))
    return out


def brand_guidelines(lib, brand_id: int) -> BrandGuidelines:
    _, name = find_brand(lib, brand_id)
    with lib.read() as conn:
        palette = conn.execute(select(Brand.palette).where(Brand.id == brand_id)).scalar() or []
    rules = list_brand_rules(lib, brand_id)
    params = {r.rule_id: r.document.get("params", {}) for r in rules if isinstance(r.document, dict)}
    required_rule = next((r.document for r in rules if r.rule_id == REQUIRED_ID), {})
    return BrandGuidelines(brand_id, name, tuple(palette), tuple(params.get(BANNED_ID, {}).get("banned", [])),
                           tuple(params.get(REQUIRED_ID, {}).get("required", [])),
                           tuple(required_rule.get("fields", REQUIRED_FIELDS)), tuple(params.get(VOICE_ID, {}).get("samples", [])),
                           tuple(rules))


# ---- the common rules ---------------------------------------------------------------------------
def banned_rule(words: list[str]) -> dict:
    return {"id": BANNED_ID, "check": "brand_words", "params": {"banned": words}, "fields": list(TEXT_FIELDS), "severity": "error",
            "message": "“{excerpt}” is a word the brand does not use.",
            "hint": "Rewrite the copy without it (the brand's banned words are under Compliance ▸ Brand rules).", "source": SOURCE}


def required_rule(phrases: list[str], fields: list[str]) -> dict:
    return {"id": REQUIRED_ID, "check": "brand_words", "params": {"required": phrases}, "fields": fields, "severity": "error",
            "message": "The brand requires “{required}” in this text.", "hint": "Add it; the quick fix puts it at the end.",
            "source": SOURCE}


def voice_rule(samples: list[str]) -> dict:
    from studio.core.compliance.voice import THRESHOLD

    return {"id": VOICE_ID, "check": "brand_voice", "params": {"samples": samples, "threshold": THRESHOLD},
            "fields": list(VOICE_FIELDS), "severity": "warning", "message": "This sentence is far from the brand's voice: {why}.",
            "hint": "Rewrite it the way the brand's own texts sound (its samples are under Compliance ▸ Brand rules).", "source": SOURCE}


def _clean_words(words: list[str], what: str) -> list[str]:
    """Trimmed, each once (in any case), in the order given."""
    out, seen = [], set()
    for word in words:
        word = " ".join(str(word).split())
        if word and word.casefold() not in seen:
            if not any(c.isalnum() for c in word):
                raise BadInput(f"“{word}” cannot be a {what}: it has no letters or digits.")
            seen.add(word.casefold())
            out.append(word)
    return out


def _clean_fields(fields: list[str]) -> list[str]:
    fields = list(dict.fromkeys(f.strip().lower().replace(" ", "_") for f in fields if f.strip()))
    unknown = [f for f in fields if f not in TEXT_FIELDS]
    if unknown or not fields:
        raise BadInput(f"Unknown copy field {', '.join(unknown) or '(none given)'}; use one or more of {', '.join(TEXT_FIELDS)}.")
    return fields


def clean_palette(colours: list[str]) -> list[str]:
    """"#RRGGBB" (upper case) for each colour; "#abc" and "abcdef" are read too."""
    out = []
    for colour in colours:
        m = _COLOUR.fullmatch(str(colour).strip())
        if m is None:
            raise BadInput(f"{colour!r} is not a colour; write it as #RRGGBB (for example #1F6FEB).")
        digits = m.group(1) if len(m.group(1)) == 6 else "".join(c * 2 for c in m.group(1))
        out.append("#" + digits.upper())
    return list(dict.fromkeys(out))


def save_brand_guidelines(lib, brand_id: int, *, banned: list[str] | None = None, required: list[str] | None = None,
                          required_fields: list[str] | None = None, voice_samples: list[str] | None = None,
                          palette: list[str] | None = None, label: str = "Change brand rules") -> OpResult:
    """Change what is given (None leaves it as it is; an empty list removes that rule) in one
    undoable step. Everything is checked before anything is written."""
    current = brand_guidelines(lib, brand_id)
    documents: dict[str, dict | None] = {}
    if banned is not None:
        words = _clean_words(banned, "banned word")
        documents[BANNED_ID] = banned_rule(words) if words else None
    if required is not None or required_fields is not None:
        phrases = _clean_words(required if required is not None else list(current.required), "required phrase")
        fields = _clean_fields(required_fields if required_fields is not None else list(current.required_fields))
        documents[REQUIRED_ID] = required_rule(phrases, fields) if phrases else None
    if voice_samples is not None:
        samples = [" ".join(s.split()) for s in voice_samples if s.strip()]
        if samples:
            from studio.core.compliance.voice import learn_voice

            learn_voice(tuple(samples))  # too few samples is refused here, not when the copy is checked
        documents[VOICE_ID] = voice_rule(samples) if samples else None
    colours = clean_palette(palette) if palette is not None else None
    existing = {r.rule_id: r for r in current.rules}
    with lib.write(label) as tx:
        for rule_id, document in documents.items():
            row = existing.get(rule_id)
            if document is None and row is not None:
                tx.delete("brand_rules", row.row_id)
            elif document is not None and row is None:
                tx.insert("brand_rules", brand_id=brand_id, document=document)
            elif document is not None and document != row.document:
                tx.update("brand_rules", row.row_id, document=document)
        if colours is not None and colours != list(current.palette):
            tx.update("brands", brand_id, palette=colours)
    return tx.result


def set_brand_words(lib, brand_id: int, *, banned: list[str] | None = None, required: list[str] | None = None,
                    fields: list[str] | None = None) -> OpResult:
    """The brand's banned words (in any copy) and required words or disclaimers (in `fields`)."""
    return save_brand_guidelines(lib, brand_id, banned=banned, required=required, required_fields=fields, label="Change brand words")


def set_voice_samples(lib, brand_id: int, texts: list[str]) -> OpResult:
    """The brand's own texts its copy is compared with (at least 3; none removes the voice rule)."""
    return save_brand_guidelines(lib, brand_id, voice_samples=texts, label="Change brand voice")


# ---- any rule -----------------------------------------------------------------------------------
def _dry_run(rule) -> str | None:
    """Why the rule's check cannot run with its params, found by running it on a sample sentence."""
    from studio.core.compliance.engine import Context

    if not set(rule.fields) & set(TEXT_FIELDS):
        return None
    try:
        list(CHECKS[rule.check]("A short sample sentence.", rule.params, Context()))
    except BadInput as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a user's params reach any check: whatever breaks it is the answer
        return f"its params do not suit the check {rule.check!r} ({type(exc).__name__}: {exc})"
    return None


def add_brand_rules(lib, brand_id: int, documents: list, origin: str = "the rule") -> OpResult:
    """Add rules in one undoable step, or none: a rule that does not load, cannot run, or takes an
    id in use is refused with which rule and why."""
    _, name = find_brand(lib, brand_id)
    rules, problems = parse_rules(documents, origin)
    taken = {r.rule_id for r in list_brand_rules(lib, brand_id)}
    shipped = {r.id for r in shipped_rules().rules}
    seen = set()
    for rule in rules:
        if rule.id in shipped:
            problems.append(f"{origin}: rule {rule.id} has the id of a shipped rule; give it an id of its own (brand.…).")
        elif rule.id in taken or rule.id in seen:
            problems.append(f"{origin}: rule {rule.id} is already a rule of {name}; remove that one first, or give this one another id.")
        elif why := _dry_run(rule):
            problems.append(f"{origin}: rule {rule.id} cannot run ({why}).")
        seen.add(rule.id)
    if problems:
        raise BadInput("\n".join(problems) + "\nNothing was added.")
    if not rules:
        raise BadInput(f"{origin} has no rules to add.")
    with lib.write(f"Add brand rule{'s' if len(rules) > 1 else ''} {', '.join(r.id for r in rules)}") as tx:
        tx.value = [tx.insert("brand_rules", brand_id=brand_id, document=r.model_dump(mode="json")) for r in rules]
    return tx.result


def add_brand_rule(lib, brand_id: int, document: dict) -> OpResult:
    return add_brand_rules(lib, brand_id, [document])


def remove_brand_rule(lib, brand_id: int, rule_id: str) -> OpResult:
    """Remove the brand's rule with this id (undoable)."""
    rules = list_brand_rules(lib, brand_id)
    row = next((r for r in rules if r.rule_id == rule_id), None)
    if row is None:
        known = ", ".join(r.rule_id for r in rules) or "none"
        raise BadInput(f"The brand has no rule {rule_id!r}; its rules are: {known}.")
    with lib.write(f"Remove brand rule {rule_id}") as tx:
        tx.delete("brand_rules", row.row_id)
    return tx.result
