"""Stored findings, waivers and approvals.

A target is one thing that is checked: "copy:<ad_copy id>", "asset:<id>" or
"composition:<id>" (its text clips). Its findings are derived data, kept outside the undo
history and replaced only when what was checked changes: the content hash covers the
content, the platforms, the brand's context and the rules themselves; each target's last check
is one compliance_checks row (clean or not), so it is not checked again while it stays the same.

Waivers name a finding's fingerprint (stable across re-checks while the problem remains);
they are undoable ops. Checks, waivers, approvals and exports are audit events.

    recheck_campaign(lib, campaign_id, JobState())   # a job
    blocking_findings(lib, campaign_id)              # errors nobody waived
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select

from studio.core import audit
from studio.core.changes import logged_write
from studio.core.compliance.engine import Context, check_copy, check_media
from studio.core.compliance.model import Finding
from studio.core.compliance.rules import PLATFORMS, RuleSet, load_rules
from studio.core.db.models import (
    AdCopyRow,
    Asset,
    Brand,
    Campaign,
    ComplianceCheckRow,
    ComplianceFindingRow,
    CompositionRow,
    WaiverRow,
    utcnow,
)
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.tx import actor
from studio.core.timeline.model import Composition, MediaClip, TextClip

CHECKED_MEDIA = ("image", "video")
FINDINGS = frozenset({"compliance_findings", "compliance_checks"})  # what a check rewrites


@dataclass(frozen=True)
class Waiver:
    id: int
    fingerprint: str
    target: str
    rule_id: str
    reason: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class StoredFinding:
    id: int
    target: str
    fingerprint: str
    finding: Finding
    checked_at: datetime
    clip: str | None = None  # the text clip, for a composition's finding
    waiver: Waiver | None = None

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def blocking(self) -> bool:
        return self.finding.severity == "error" and not self.waived


@dataclass(frozen=True)
class _Target:
    """What one target's check needs: how to run it and what it depends on."""

    target: str
    content: str  # everything the findings follow from, apart from the rules
    run: Callable[[], list[tuple[Finding, dict]]]  # (finding, extra details to store)


# ---- checking -------------------------------------------------------------------------------
def check_everywhere(check: Callable[[str], list[Finding]], platforms: Iterable[str]) -> list[Finding]:
    """check(platform) on each platform. A finding that comes out the same on every platform (a
    rule for all of them) is kept once, with no platform, instead of once per platform."""
    platforms = list(platforms)
    per_platform = [check(p) for p in platforms]
    seen: dict[Finding, set[str]] = {}
    for platform, findings in zip(platforms, per_platform):
        for f in findings:
            seen.setdefault(dataclasses.replace(f, platform=None), set()).add(platform)
    out, merged = [], set()
    for platform, findings in zip(platforms, per_platform):
        for f in findings:
            general = dataclasses.replace(f, platform=None)
            if len(platforms) > 1 and len(seen[general]) == len(platforms):
                if general not in merged:
                    merged.add(general)
                    out.append(general)
            else:
                out.append(f)
    return out


def _campaign_context(lib, campaign_id: int) -> tuple[int, Context]:
    with lib.read() as conn:
        row = conn.execute(select(Brand.id, Brand.name, Brand.palette).join(Campaign, Campaign.brand_id == Brand.id)
                           .where(Campaign.id == campaign_id)).first()
    if row is None:
        raise BadInput(f"There is no campaign {campaign_id}.")
    return row.id, Context(brand_names=(row.name,), palette=tuple(row.palette or ()))


def _copy_target(row, context: Context, ruleset: RuleSet) -> _Target:
    scope = row.scope
    platforms = [scope.split(".", 1)[0]] if scope else list(PLATFORMS)
    spec_id = scope if scope and "." in scope else None

    def run():
        findings = check_everywhere(lambda p: check_copy(row.text, p, row.field, ruleset=ruleset,
                                                         context=dataclasses.replace(context, platform=p, spec_id=spec_id)), platforms)
        return [(f, {}) for f in findings]

    return _Target(f"copy:{row.id}", json.dumps([scope, row.field, row.text, platforms]), run)


def _asset_target(lib, asset, context: Context, ruleset: RuleSet) -> _Target:
    path = lib.media_path(asset.sha256, asset.ext)

    def run():
        if not path.is_file():
            return [(Finding("media.missing", "error", f"The file of {asset.name} is missing from the library.",
                             "Run `studio library check`, then re-import the file.", field=asset.kind, excerpt=asset.name), {})]
        try:
            findings = check_everywhere(lambda p: check_media(Path(path), p, ruleset=ruleset,
                                                              context=dataclasses.replace(context, platform=p)), PLATFORMS)
        except BadInput as exc:  # one unreadable file is a finding on it, not the end of the job
            return [(Finding("media.unreadable", "error", f"{asset.name} could not be checked: {exc}",
                             "Re-import the file, or remove it from the campaign.", field=asset.kind, excerpt=asset.name), {})]
        return [(f, {}) for f in findings]

    return _Target(f"asset:{asset.id}", json.dumps([asset.sha256, asset.kind]), run)


def _composition_target(composition_id: int, composition: Composition, context: Context, ruleset: RuleSet) -> _Target:
    """A composition's own words: its text clips, read as text in the picture."""
    texts = [(clip.id, clip.text) for _, clip in composition.clips() if isinstance(clip, TextClip)]

    def run():
        out = []
        for clip_id, text in texts:
            findings = check_everywhere(lambda p, text=text: check_copy(text, p, "image_text", ruleset=ruleset,
                                                                        context=dataclasses.replace(context, platform=p)), PLATFORMS)
            out += [(f, {"clip": clip_id}) for f in findings]
        return out

    return _Target(f"composition:{composition_id}", json.dumps(texts), run)


def _campaign_targets(lib, campaign_id: int, context: Context, ruleset: RuleSet, only: set[str] | None = None) -> list[_Target]:
    """The campaign's copy, compositions, and images and videos (its own and those its compositions use)."""
    with lib.read() as conn:
        copy_rows = conn.execute(select(AdCopyRow).where(AdCopyRow.campaign_id == campaign_id).order_by(AdCopyRow.id)).all()
        comp_rows = conn.execute(select(CompositionRow.id, CompositionRow.document)
                                 .where(CompositionRow.campaign_id == campaign_id).order_by(CompositionRow.id)).all()
    compositions = [(cid, Composition.from_document(doc)) for cid, doc in comp_rows]
    used = {clip.asset_id for _, comp in compositions for _, clip in comp.clips() if isinstance(clip, MediaClip) and clip.asset_id}
    with lib.read() as conn:
        assets = conn.execute(select(Asset).where(Asset.kind.in_(CHECKED_MEDIA), Asset.trashed_at.is_(None),
                                                  (Asset.campaign_id == campaign_id) | Asset.id.in_(used)).order_by(Asset.id)).all()
    targets = [_copy_target(r, context, ruleset) for r in copy_rows]
    targets += [_asset_target(lib, a, context, ruleset) for a in assets]
    targets += [_composition_target(cid, comp, context, ruleset) for cid, comp in compositions]
    return [t for t in targets if only is None or t.target in only]


def _rules_signature(ruleset: RuleSet) -> str:
    return json.dumps([r.model_dump(mode="json") for r in ruleset.rules], sort_keys=True)


def _content_hash(target: _Target, context: Context, rules: str) -> str:
    key = json.dumps([target.content, dataclasses.asdict(context), rules], sort_keys=True, default=str)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def campaign_targets(lib, campaign_id: int) -> list[str]:
    """Every target the campaign's findings concern."""
    _, context = _campaign_context(lib, campaign_id)
    return [t.target for t in _campaign_targets(lib, campaign_id, context, RuleSet([], {}, []))]


def recheck_campaign(lib, campaign_id: int, state, *, ruleset: RuleSet | None = None, only: set[str] | None = None) -> dict:
    """Job: check what changed since the last check of the campaign (or only the given targets),
    store the findings and record one audit event. Findings of copy, media and compositions the
    campaign no longer has are dropped. Returns the counts."""
    brand_id, context = _campaign_context(lib, campaign_id)
    ruleset = ruleset or load_rules(lib, brand_id)
    targets = _campaign_targets(lib, campaign_id, context, ruleset, only)
    rules = _rules_signature(ruleset)
    with lib.read() as conn:
        stored = dict(conn.execute(select(ComplianceCheckRow.target, ComplianceCheckRow.content_hash)
                                   .where(ComplianceCheckRow.campaign_id == campaign_id)).all())
    state.set_status(f"Checking {len(targets)} item(s)")
    results = {}
    for i, target in enumerate(targets):
        state.check()
        digest = _content_hash(target, context, rules)
        if stored.get(target.target) != digest:
            results[target.target] = (digest, target.run())
        state.set_progress(i + 1, len(targets))
    state.check()
    gone = set() if only is not None else set(stored) - {t.target for t in targets}
    counts = _store(lib, campaign_id, results, gone, ruleset)
    return {"campaign_id": campaign_id, "targets": len(targets), "rechecked": len(results), **counts,
            "rules": ruleset.versions, "rule_problems": ruleset.problems}


def recheck_target(lib, target: str, *, ruleset: RuleSet | None = None) -> dict:
    """Re-check one changed item (its campaign's rules and context); for the change listener."""
    kind, _, raw_id = target.partition(":")
    table = {"copy": AdCopyRow, "asset": Asset, "composition": CompositionRow}.get(kind)
    if table is None or not raw_id.isdigit():
        raise BadInput(f"{target!r} is not a compliance target; write copy:<id>, asset:<id> or composition:<id>.")
    with lib.read() as conn:
        campaign_id = conn.execute(select(table.campaign_id).where(table.id == int(raw_id))).scalar()
    if campaign_id is not None and target in campaign_targets(lib, campaign_id):
        return recheck_campaign(lib, campaign_id, JobState(), ruleset=ruleset, only={target})
    with logged_write(lib, FINDINGS) as conn:  # gone, trashed or in no campaign: its findings no longer apply
        conn.execute(delete(ComplianceFindingRow).where(ComplianceFindingRow.target == target))
        conn.execute(delete(ComplianceCheckRow).where(ComplianceCheckRow.target == target))
    return {"target": target, "rechecked": 0}


def _store(lib, campaign_id: int, results: dict, gone: set[str], ruleset: RuleSet) -> dict:
    """Replace the findings of the re-checked targets in one transaction, with its audit event."""
    now = utcnow()
    findings, checks = ComplianceFindingRow.__table__, ComplianceCheckRow.__table__
    errors = warnings = 0
    with logged_write(lib, FINDINGS) as conn:
        for target in set(results) | gone:
            conn.execute(findings.delete().where(findings.c.target == target))
            conn.execute(checks.delete().where(checks.c.target == target))
        for target, (digest, found) in sorted(results.items()):
            common = {"target": target, "campaign_id": campaign_id, "checked_at": now}
            if found:
                conn.execute(findings.insert(), [{**common, "fingerprint": f.fingerprint(target), "rule_id": f.rule_id, "severity": f.severity,
                                                  "platform": f.platform, "field": f.field, "document": f.as_dict() | extra} for f, extra in found])
            n_errors = sum(f.severity == "error" for f, _ in found)
            n_warnings = sum(f.severity == "warning" for f, _ in found)
            conn.execute(checks.insert(), {**common, "content_hash": digest, "errors": n_errors, "warnings": n_warnings})
            errors, warnings = errors + n_errors, warnings + n_warnings
        if results or gone:
            audit.append(conn, actor(), "Compliance check", {
                "campaign_id": campaign_id, "rechecked": sorted(results), "dropped": sorted(gone),
                "errors": errors, "warnings": warnings, "rules": ruleset.versions})
    return {"errors": errors, "warnings": warnings}


# ---- reading --------------------------------------------------------------------------------
def _finding(document: dict) -> Finding:
    names = {f.name for f in dataclasses.fields(Finding)}
    values = {k: v for k, v in document.items() if k in names}
    for key in ("span", "box"):
        if values.get(key) is not None:
            values[key] = tuple(values[key])
    return Finding(**values)


def findings_for(lib, targets: Iterable[str]) -> list[StoredFinding]:
    """The stored findings of these targets, each with its waiver if it has one."""
    targets = list(targets)
    if not targets:
        return []
    with lib.read() as conn:
        rows = conn.execute(select(ComplianceFindingRow).where(ComplianceFindingRow.target.in_(targets))
                            .order_by(ComplianceFindingRow.target, ComplianceFindingRow.id)).all()
        prints = {r.fingerprint for r in rows}
        waivers = {w.fingerprint: w for w in conn.execute(select(WaiverRow).where(WaiverRow.fingerprint.in_(prints))
                                                          .order_by(WaiverRow.id)).all()}
    out = []
    for r in rows:
        w = waivers.get(r.fingerprint)
        waiver = Waiver(w.id, w.fingerprint, w.target, w.rule_id, w.reason, w.name, w.created_at) if w else None
        out.append(StoredFinding(r.id, r.target, r.fingerprint, _finding(r.document), r.checked_at, r.document.get("clip"), waiver))
    return out


def campaign_findings(lib, campaign_id: int) -> list[StoredFinding]:
    return findings_for(lib, campaign_targets(lib, campaign_id))


def blocking_findings(lib, campaign_id: int) -> list[StoredFinding]:
    """Errors nobody waived: they block export."""
    return [f for f in campaign_findings(lib, campaign_id) if f.blocking]


def unchecked_targets(lib, targets: Iterable[str]) -> list[str]:
    targets = list(targets)
    with lib.read() as conn:
        checked = set(conn.execute(select(ComplianceCheckRow.target).where(ComplianceCheckRow.target.in_(targets))).scalars())
    return [t for t in targets if t not in checked]


def describe_target(lib, target: str) -> str:
    """A target as a person reads it: "Headline (google): Spring Sale is on", "Image summer.jpg"."""
    kind, _, raw_id = target.partition(":")
    with lib.read() as conn:
        if kind == "copy":
            row = conn.execute(select(AdCopyRow.scope, AdCopyRow.field, AdCopyRow.text).where(AdCopyRow.id == int(raw_id))).first()
            if row:
                return f"{row.field.replace('_', ' ').capitalize()}{f' ({row.scope})' if row.scope else ''}: {row.text}"
        elif kind == "asset":
            row = conn.execute(select(Asset.kind, Asset.name).where(Asset.id == int(raw_id))).first()
            if row:
                return f"{row.kind.capitalize()} {row.name}"
        elif kind == "composition":
            name = conn.execute(select(CompositionRow.name).where(CompositionRow.id == int(raw_id))).scalar()
            if name:
                return f"Composition {name}"
    return f"{target} (no longer in the library)"


# ---- waivers and approvals ------------------------------------------------------------------
def _required(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise BadInput(f"A {what} is required: say {'why the finding is accepted' if what == 'reason' else 'who decides'}.")
    return value


def waive(lib, fingerprint: str, reason: str, name: str):
    """Accept a finding (an error then no longer blocks export). One undoable step."""
    reason, name = _required(reason, "reason"), _required(name, "name")
    with lib.read() as conn:
        found = conn.execute(select(ComplianceFindingRow.target, ComplianceFindingRow.rule_id, ComplianceFindingRow.campaign_id)
                             .where(ComplianceFindingRow.fingerprint == fingerprint)).first()
        existing = conn.execute(select(WaiverRow.name).where(WaiverRow.fingerprint == fingerprint)).scalar()
    if found is None:
        raise BadInput(f"There is no finding {fingerprint[:12]}…: it was fixed, or the item was re-checked. Check the campaign again.")
    if existing is not None:
        raise BadInput(f"That finding is already waived (by {existing}).")
    with lib.write(f"Waive {found.rule_id}") as tx:
        tx.value = tx.insert("waivers", fingerprint=fingerprint, target=found.target, rule_id=found.rule_id,
                             reason=reason, name=name, created_at=utcnow())
        tx.note(rule=found.rule_id, target=found.target, campaign_id=found.campaign_id, fingerprint=fingerprint,
                reason=reason, name=name)
    return tx.result


def unwaive(lib, waiver_id: int):
    with lib.read() as conn:
        row = conn.execute(select(WaiverRow).where(WaiverRow.id == waiver_id)).first()
        campaign_id = conn.execute(select(ComplianceFindingRow.campaign_id).where(ComplianceFindingRow.target == row.target)).scalar() if row else None
    if row is None:
        raise BadInput(f"There is no waiver {waiver_id}.")
    with lib.write(f"Withdraw waiver of {row.rule_id}") as tx:
        tx.delete("waivers", waiver_id)
        tx.note(rule=row.rule_id, target=row.target, campaign_id=campaign_id, fingerprint=row.fingerprint)
    return tx.result


def record(lib, action: str, details: dict) -> None:
    """An audit event that is not an undoable edit (a check, an approval, an export)."""
    with lib.write_lock, lib.engine.begin() as conn:
        audit.append(conn, actor(), action, details)


def approve(lib, campaign_id: int, name: str, note: str = "") -> None:
    """Someone signs off a campaign: an audit event (a record, not an undoable edit)."""
    name = _required(name, "name")
    with lib.read() as conn:
        campaign = conn.execute(select(Campaign.name).where(Campaign.id == campaign_id)).scalar()
    if campaign is None:
        raise BadInput(f"There is no campaign {campaign_id}.")
    record(lib, "Approved campaign", {"campaign_id": campaign_id, "campaign": campaign, "name": name, "note": note.strip(),
                                      "blocking_findings": len(blocking_findings(lib, campaign_id))})
