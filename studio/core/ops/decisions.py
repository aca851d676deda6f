"""Decision rules and the decisions people take on the actions they propose: each an undoable
step with its audit event (studio.core.analytics.decisions evaluates the rules and exports)."""

from __future__ import annotations

from sqlalchemy import select

from studio.core.analytics.decisions import get_action, validate_rule
from studio.core.db.models import DecisionRuleRow, utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult


def _required(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise BadInput(f"A {what} is required.")
    return value


def add_rule(lib, name: str, kind: str, params: dict | None = None, scope: dict | None = None, enabled: bool = True) -> OpResult:
    """A new rule (value: its id). params and scope are checked first: nothing is written when one is wrong."""
    name = _required(name, "rule name (say what the rule is for)")
    params, scope = validate_rule(kind, params or {}, scope)
    with lib.write(f"Add decision rule {name}") as tx:
        now = utcnow()
        tx.value = tx.insert("decision_rules", name=name, enabled=enabled, kind=kind, params=params, scope=scope,
                             created_at=now, updated_at=now)
        tx.note(rule_id=tx.value, kind=kind, params=params, scope=scope)
    return tx.result


def _rule(lib, rule_id: int):
    with lib.read() as conn:
        row = conn.execute(select(DecisionRuleRow.name, DecisionRuleRow.enabled).where(DecisionRuleRow.id == rule_id)).first()
    if row is None:
        raise BadInput(f"There is no decision rule {rule_id}; `studio analytics rules list` lists them.")
    return row


def update_rule(lib, rule_id: int, name: str, kind: str, params: dict | None = None, scope: dict | None = None) -> OpResult:
    """Change a rule in place (it keeps its id, its enabled state and the actions it proposed)."""
    _rule(lib, rule_id)
    name = _required(name, "rule name (say what the rule is for)")
    params, scope = validate_rule(kind, params or {}, scope)
    with lib.write(f"Edit decision rule {name}") as tx:
        tx.update("decision_rules", rule_id, name=name, kind=kind, params=params, scope=scope, updated_at=utcnow())
        tx.note(rule_id=rule_id, kind=kind, params=params, scope=scope)
    return tx.result


def remove_rule(lib, rule_id: int) -> OpResult:
    """Remove a rule; the actions it proposed stay in the queue."""
    name = _rule(lib, rule_id).name
    with lib.write(f"Remove decision rule {name}") as tx:
        tx.delete("decision_rules", rule_id)
        tx.note(rule_id=rule_id)
    return tx.result


def set_rule_enabled(lib, rule_id: int, enabled: bool) -> OpResult:
    row = _rule(lib, rule_id)
    if row.enabled == enabled:
        raise BadInput(f"Decision rule {rule_id} ({row.name}) is already {'enabled' if enabled else 'disabled'}.")
    with lib.write(f"{'Enable' if enabled else 'Disable'} decision rule {row.name}") as tx:
        tx.update("decision_rules", rule_id, enabled=enabled, updated_at=utcnow())
        tx.note(rule_id=rule_id)
    return tx.result


def _decide(lib, action_id: int, by: str, status: str, allowed: tuple[str, ...], note: str | None) -> OpResult:
    action = get_action(lib, action_id)
    if action.status not in allowed:
        who = f" by {action.decided_by}" if action.decided_by else ""
        raise BadInput(f"Action {action_id} is already {action.status}{who}; only {' or '.join(allowed)} actions can be "
                       f"{status}. Run `studio analytics actions propose` for fresh proposals.")
    verb = "Approve" if status == "approved" else "Reject"
    with lib.write(f"{verb} action {action_id}: {action.kind.replace('_', ' ')} {action.campaign}") as tx:
        tx.update("proposed_actions", action_id, status=status, decided_by=by, decided_at=utcnow(), note=note or None)
        tx.note(action_id=action_id, by=by, platform=action.platform, account=action.account, campaign=action.campaign,
                kind=action.kind, proposed_value=action.proposed_value, currency=action.currency, note=note or None)
    return tx.result


def approve_action(lib, action_id: int, by: str, note: str = "") -> OpResult:
    return _decide(lib, action_id, _required(by, "name (who approves)"), "approved", ("proposed",), note.strip())


def reject_action(lib, action_id: int, by: str, reason: str) -> OpResult:
    """Reject a proposed action, or an approved one not yet exported; the reason is kept as its note."""
    by, reason = _required(by, "name (who rejects)"), _required(reason, "reason (why the action is rejected)")
    return _decide(lib, action_id, by, "rejected", ("proposed", "approved"), reason)
