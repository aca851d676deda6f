"""Decision rules and the queue of actions they propose.

A rule watches the campaigns in its scope (platform, account, currency, and a campaign name glob
such as "Brand*", each optional) in campaign_days and proposes an action with a sentence saying
why and the numbers behind it (evidence):

- cpa_above: pause when CPA over the last window_days is above factor × target_cpa, once the
  campaign has at least min_conversions conversions in that window.
- roas_streak: raise the daily budget by raise_pct % when ROAS beat target_roas on each of the
  last `days` days.
- max_daily_change: proposes nothing itself; a guard on every budget change in its scope, which
  is clipped to at most max_pct % up or down, and the reason says so.
- spend_cap: when spend since the start of the period (day, week or month) has reached `cap`,
  per campaign or for the whole platform account (per="platform"), propose pausing (kind
  spend_cap: current_value is the spend, proposed_value the cap).

The reports carry no budgets, so a campaign's current daily budget is taken as its average
daily spend over the last BUDGET_DAYS days with data; the reason says so.

An action is never proposed twice: not while an action of the same family (a pause or spend
cap, or a budget change; an open pause also holds back budget changes) for the campaign is open
(proposed or approved), and never again for the same campaign and data day, whatever became of
it (a rejection on this data stands for every rule). A person approves or rejects each action
(studio.core.ops.decisions); approved actions go out as a platform bulk sheet (export_actions)
or, through the connectors, from approved_changes(lib).
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from studio.core.db.models import (
    CampaignDay,
    DecisionRuleRow,
    ProposedActionRow,
    utcnow,
)
from studio.core.errors import BadInput
from studio.core.export.sheets import _write as write_sheet

BUDGET_DAYS = 7
OPEN = ("proposed", "approved")
STATUSES = ("proposed", "approved", "rejected", "exported", "sent")
ACTION_KINDS = ("pause", "budget_change", "spend_cap")
FAMILY = {"pause": "status", "spend_cap": "status", "budget_change": "budget"}
SCOPE_KEYS = ("platform", "account", "campaign", "currency")


@dataclass(frozen=True)
class Param:
    default: float | str | None  # None: the rule needs it
    help: str
    minimum: float = 0.0  # numbers must be above it (at least it, for whole numbers)
    whole: bool = False
    choices: tuple[str, ...] = ()


KINDS: dict[str, tuple[str, dict[str, Param]]] = {
    "cpa_above": ("pause when CPA exceeds factor × target after enough conversions", {
        "target_cpa": Param(None, "the CPA you aim for, in the campaign's currency"),
        "factor": Param(1.5, "how far above the target CPA may go"),
        "min_conversions": Param(20, "conversions needed in the window before judging", minimum=1, whole=True),
        "window_days": Param(7, "days of data to judge on, ending on the last day", minimum=1, whole=True),
    }),
    "roas_streak": ("raise the budget when ROAS beats the target several days running", {
        "target_roas": Param(None, "the ROAS to beat (conversion value / spend)"),
        "days": Param(3, "days running", minimum=1, whole=True),
        "raise_pct": Param(20, "how much to raise the daily budget, in %"),
    }),
    "max_daily_change": ("never change a budget more than max_pct % a day (clips every budget change)", {
        "max_pct": Param(None, "the largest change in one day, in %"),
    }),
    "spend_cap": ("pause when spend in the period reaches a hard cap", {
        "cap": Param(None, "the most to spend in the period, in the campaign's currency"),
        "period": Param("month", "day, week or month (calendar)", choices=("day", "week", "month")),
        "per": Param("campaign", "campaign, or platform (all the scope's campaigns on one platform account)",
                     choices=("campaign", "platform")),
    }),
}


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    enabled: bool
    kind: str
    params: dict
    scope: dict


@dataclass(frozen=True)
class Proposal:
    rule_id: int
    platform: str
    account: str
    campaign: str
    currency: str
    kind: str
    current_value: float | None
    proposed_value: float | None
    as_of: date
    reason: str
    evidence: dict
    id: int | None = None  # set once queued


@dataclass(frozen=True)
class Action:
    id: int
    rule_id: int | None
    platform: str
    account: str
    campaign: str
    kind: str
    current_value: float | None
    proposed_value: float | None
    currency: str
    as_of: date
    reason: str
    evidence: dict
    status: str
    decided_by: str | None
    decided_at: datetime | None
    note: str | None


@dataclass(frozen=True)
class Change:
    """One approved change to make on a platform: value is the new daily budget for a budget_change,
    None for a pause (kind pause, or spend_cap: a pause because the cap was reached)."""

    action_id: int
    platform: str
    account: str
    campaign: str
    kind: str
    value: float | None
    currency: str


# ---- rules ----------------------------------------------------------------------------------
def _number(kind: str, name: str, spec: Param, value) -> float | int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{kind} parameter {name} must be a number, not {value!r}.") from None
    if not math.isfinite(number):
        raise BadInput(f"{kind} parameter {name} must be a finite number, not {value!r}.")
    if spec.whole:
        if number != int(number) or number < spec.minimum:
            raise BadInput(f"{kind} parameter {name} must be a whole number of at least {spec.minimum:g}, not {value!r}.")
        return int(number)
    if number <= spec.minimum:
        raise BadInput(f"{kind} parameter {name} must be more than {spec.minimum:g}, not {value!r} ({spec.help}).")
    return number


def validate_rule(kind: str, params: dict, scope: dict | None) -> tuple[dict, dict]:
    """The rule's parameters with defaults filled in and its scope tidied; BadInput saying what is wrong."""
    if kind not in KINDS:
        raise BadInput(f"Unknown rule kind {kind!r}; choose from {', '.join(KINDS)}.")
    specs = KINDS[kind][1]
    unknown = sorted(set(params) - set(specs))
    if unknown:
        raise BadInput(f"{kind} has no parameter {', '.join(unknown)}; it takes {', '.join(specs)}.")
    clean = {}
    for name, spec in specs.items():
        value = params.get(name, spec.default)
        if value is None:
            raise BadInput(f"{kind} needs {name} ({spec.help}).")
        if spec.choices:
            if value not in spec.choices:
                raise BadInput(f"{kind} parameter {name} must be one of {', '.join(spec.choices)}, not {value!r}.")
            clean[name] = value
        else:
            clean[name] = _number(kind, name, spec, value)
    scope = {k: str(v).strip() for k, v in (scope or {}).items() if v is not None and str(v).strip()}
    unknown = sorted(set(scope) - set(SCOPE_KEYS))
    if unknown:
        raise BadInput(f"A rule's scope has no {', '.join(unknown)}; it takes {', '.join(SCOPE_KEYS)}.")
    if "platform" in scope:
        scope["platform"] = scope["platform"].lower()
    if "currency" in scope:
        scope["currency"] = scope["currency"].upper()
    return clean, scope


def list_rules(lib) -> list[Rule]:
    with lib.read() as conn:
        rows = conn.execute(select(DecisionRuleRow.__table__).order_by(DecisionRuleRow.id)).mappings().all()
    return [Rule(**{k: row[k] for k in ("id", "name", "enabled", "kind", "params", "scope")}) for row in rows]


def _in_scope(scope: dict, key: tuple) -> bool:
    values = dict(zip(SCOPE_KEYS, key))
    for name, wanted in scope.items():
        if name == "campaign":
            if not fnmatch.fnmatchcase(values[name].casefold(), wanted.casefold()):
                return False
        elif values[name] != wanted:
            return False
    return True


# ---- reading the numbers ----------------------------------------------------------------------
_KEY_COLUMNS = (CampaignDay.platform, CampaignDay.account, CampaignDay.campaign, CampaignDay.currency)


@dataclass(frozen=True)
class _Sums:
    spend: float
    conversions: float
    value: float
    days: int


class _Facts:
    """campaign_days up to as_of, queried per window and kept for the other rules of one evaluation."""

    def __init__(self, conn, as_of: date):
        self.conn, self.as_of, self._cache = conn, as_of, {}

    def sums(self, first: date) -> dict[tuple, _Sums]:
        if ("sums", first) not in self._cache:
            query = (select(*_KEY_COLUMNS, func.sum(CampaignDay.spend), func.coalesce(func.sum(CampaignDay.conversions), 0),
                            func.coalesce(func.sum(CampaignDay.conversion_value), 0), func.count())
                     .where(CampaignDay.day.between(first, self.as_of)).group_by(*_KEY_COLUMNS))
            self._cache["sums", first] = {tuple(r[:4]): _Sums(*r[4:]) for r in self.conn.execute(query)}
        return self._cache["sums", first]

    def last_days(self, days: int) -> dict[tuple, dict[date, tuple[float, float]]]:
        """key -> day -> (spend, conversion value) for the last `days` days."""
        query = (select(*_KEY_COLUMNS, CampaignDay.day, CampaignDay.spend, func.coalesce(CampaignDay.conversion_value, 0))
                 .where(CampaignDay.day.between(self.as_of - timedelta(days=days - 1), self.as_of)))
        out: dict[tuple, dict] = {}
        for *key, day, spend, value in self.conn.execute(query):
            out.setdefault(tuple(key), {})[day] = (spend, value)
        return out

    def budget(self, key: tuple) -> float | None:
        """The current daily budget, taken as the average daily spend of the last BUDGET_DAYS days with data."""
        sums = self.sums(self.as_of - timedelta(days=BUDGET_DAYS - 1)).get(key)
        return sums.spend / sums.days if sums and sums.days else None


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


_BUDGET_NOTE = (f"the current daily budget is taken as the average daily spend of the last {BUDGET_DAYS} days "
                "(performance reports carry no budgets)")


# ---- the rule kinds ---------------------------------------------------------------------------
def _cpa_above(rule: Rule, facts: _Facts) -> list[Proposal]:
    p = rule.params
    first = facts.as_of - timedelta(days=p["window_days"] - 1)
    out = []
    for key, s in sorted(facts.sums(first).items()):
        if not _in_scope(rule.scope, key) or s.conversions < p["min_conversions"]:
            continue
        cpa, limit = s.spend / s.conversions, p["factor"] * p["target_cpa"]
        if cpa <= limit:
            continue
        currency = key[3]
        reason = (f"CPA was {_money(cpa, currency)} over the {p['window_days']} days to {facts.as_of} ({s.conversions:g} conversions "
                  f"for {_money(s.spend, currency)}), above {p['factor']:g} × the target {_money(p['target_cpa'], currency)} "
                  f"= {_money(limit, currency)}: pause {key[2]}.")
        evidence = {"from": first, "to": facts.as_of, "spend": s.spend, "conversions": s.conversions, "cpa": cpa,
                    "target_cpa": p["target_cpa"], "factor": p["factor"], "limit": limit}
        out.append(_proposal(rule, key, "pause", None, None, facts.as_of, reason, evidence))
    return out


def _roas_streak(rule: Rule, facts: _Facts) -> list[Proposal]:
    p = rule.params
    wanted = [facts.as_of - timedelta(days=i) for i in range(p["days"] - 1, -1, -1)]
    out = []
    for key, by_day in sorted(facts.last_days(p["days"]).items()):
        if not _in_scope(rule.scope, key):
            continue
        roas = [by_day[d][1] / by_day[d][0] if d in by_day and by_day[d][0] > 0 else None for d in wanted]
        if any(r is None or r <= p["target_roas"] for r in roas):
            continue
        current = facts.budget(key)
        proposed = current * (1 + p["raise_pct"] / 100)
        currency = key[3]
        reason = (f"ROAS beat the target {p['target_roas']:g} on each of the {p['days']} days to {facts.as_of} "
                  f"({', '.join(f'{r:.2f}' for r in roas)}): raise the daily budget of {key[2]} by {p['raise_pct']:g} % "
                  f"from {_money(current, currency)} to {_money(proposed, currency)}; {_BUDGET_NOTE}.")
        evidence = {"days": wanted, "roas": roas, "target_roas": p["target_roas"], "raise_pct": p["raise_pct"],
                    "current_budget": current, "budget_days": BUDGET_DAYS}
        out.append(_proposal(rule, key, "budget_change", current, proposed, facts.as_of, reason, evidence))
    return out


def _period_start(as_of: date, period: str) -> date:
    return {"day": as_of, "week": as_of - timedelta(days=as_of.weekday()), "month": as_of.replace(day=1)}[period]


def _spend_cap(rule: Rule, facts: _Facts) -> list[Proposal]:
    p = rule.params
    first = _period_start(facts.as_of, p["period"])
    sums = {k: s for k, s in facts.sums(first).items() if _in_scope(rule.scope, k) and s.spend > 0}
    groups: dict[tuple, list[tuple]] = {}
    for key in sorted(sums):  # per campaign: each its own group; per platform: one per platform account and currency
        groups.setdefault(key if p["per"] == "campaign" else (key[0], key[1], key[3]), []).append(key)
    out = []
    for keys in groups.values():
        spent = sum(sums[k].spend for k in keys)
        if spent < p["cap"]:
            continue
        for key in keys:
            currency = key[3]
            whose = key[2] if p["per"] == "campaign" else f"{key[0]} account {key[1] or '(unnamed)'}"
            reason = (f"Spend on {whose} since {first} is {_money(spent, currency)}, at or over the {p['period']}'s "
                      f"cap of {_money(p['cap'], currency)}: pause {key[2]}.")
            evidence = {"from": first, "to": facts.as_of, "spent": spent, "cap": p["cap"], "period": p["period"],
                        "per": p["per"], "campaign_spend": sums[key].spend}
            out.append(_proposal(rule, key, "spend_cap", spent, p["cap"], facts.as_of, reason, evidence))
    return out


PROPOSERS = {"cpa_above": _cpa_above, "roas_streak": _roas_streak, "spend_cap": _spend_cap}


def _proposal(rule, key, kind, current, proposed, as_of, reason, evidence) -> Proposal:
    platform, account, campaign, currency = key
    return Proposal(rule.id, platform, account, campaign, currency, kind, current, proposed, as_of,
                    f"Rule “{rule.name}”: {reason}", _jsonable({"rule": rule.name, **evidence}))


def _clip(proposal: Proposal, guards: list[Rule]) -> Proposal:
    """Hold a budget change within the tightest max_daily_change guard whose scope covers it."""
    key = (proposal.platform, proposal.account, proposal.campaign, proposal.currency)
    covering = [g for g in guards if _in_scope(g.scope, key)]
    if proposal.kind != "budget_change" or not covering or not proposal.current_value:
        return proposal
    guard = min(covering, key=lambda g: g.params["max_pct"])
    limit = guard.params["max_pct"] / 100
    current, wanted = proposal.current_value, proposal.proposed_value
    clipped = min(max(wanted, current * (1 - limit)), current * (1 + limit))
    if clipped == wanted:
        return proposal
    currency = proposal.currency
    reason = (f"{proposal.reason} Clipped by rule “{guard.name}” (never change a budget more than {guard.params['max_pct']:g} % "
              f"a day): {_money(wanted, currency)} becomes {_money(clipped, currency)}.")
    evidence = {**proposal.evidence, "unclipped": wanted, "clipped_by": guard.id, "max_pct": guard.params["max_pct"]}
    return replace(proposal, proposed_value=clipped, reason=reason, evidence=evidence)


def _existing(conn) -> tuple[set, set]:
    """(open: (campaign key, family), done: (campaign key, kind, as_of)) of the actions already queued."""
    rows = conn.execute(select(ProposedActionRow.platform, ProposedActionRow.account,
                               ProposedActionRow.campaign, ProposedActionRow.currency, ProposedActionRow.kind,
                               ProposedActionRow.as_of, ProposedActionRow.status)).all()
    open_ = {((r.platform, r.account, r.campaign, r.currency), FAMILY[r.kind]) for r in rows if r.status in OPEN}
    done = {((r.platform, r.account, r.campaign, r.currency), r.kind, r.as_of) for r in rows}
    return open_, done


def _last_day(conn) -> date | None:
    return conn.execute(select(func.max(CampaignDay.day))).scalar()


def evaluate(lib, as_of: date | None = None) -> list[Proposal]:
    """Run every enabled rule on the data up to as_of (default: the last day with data) and queue the
    new proposals in one undoable step. Returns them, with their queue ids."""
    rules = [r for r in list_rules(lib) if r.enabled]
    guards = [r for r in rules if r.kind == "max_daily_change"]
    with lib.write("Propose actions from decision rules") as tx:
        as_of = as_of or _last_day(tx.conn)
        if as_of is None:
            return []
        facts = _Facts(tx.conn, as_of)
        open_, done = _existing(tx.conn)
        queued = []
        for rule in (r for r in rules if r.kind in PROPOSERS):
            for proposal in PROPOSERS[rule.kind](rule, facts):
                key = (proposal.platform, proposal.account, proposal.campaign, proposal.currency)
                # An open pause also holds back budget changes: they would not matter to a paused campaign.
                if {(key, FAMILY[proposal.kind]), (key, "status")} & open_ or (key, proposal.kind, as_of) in done:
                    continue
                open_.add((key, FAMILY[proposal.kind]))
                proposal = _clip(proposal, guards)
                new_id = tx.insert("proposed_actions", rule_id=rule.id, platform=proposal.platform, account=proposal.account,
                                   campaign=proposal.campaign, kind=proposal.kind, current_value=proposal.current_value,
                                   proposed_value=proposal.proposed_value, currency=proposal.currency, as_of=as_of,
                                   reason=proposal.reason, evidence=proposal.evidence, status="proposed",
                                   created_at=utcnow())
                queued.append(replace(proposal, id=new_id))
        tx.note(as_of=as_of, actions=[p.id for p in queued])
    return queued


def _jsonable(evidence: dict) -> dict:
    return {k: ([_jsonable_value(v) for v in value] if isinstance(value, list) else _jsonable_value(value))
            for k, value in evidence.items()}


def _jsonable_value(value):
    return value.isoformat() if isinstance(value, date) else value


# ---- the queue --------------------------------------------------------------------------------
_ACTION_FIELDS = [f.name for f in fields(Action)]


def _action(row) -> Action:
    return Action(**{k: row[k] for k in _ACTION_FIELDS})


def list_actions(lib, status: str | None = None, platform: str | None = None) -> list[Action]:
    if status is not None and status not in STATUSES:
        raise BadInput(f"Unknown status {status!r}; choose from {', '.join(STATUSES)}.")
    query = select(ProposedActionRow.__table__).order_by(ProposedActionRow.id)
    if status:
        query = query.where(ProposedActionRow.status == status)
    if platform:
        query = query.where(ProposedActionRow.platform == platform)
    with lib.read() as conn:
        return [_action(r) for r in conn.execute(query).mappings().all()]


def get_action(lib, action_id: int) -> Action:
    with lib.read() as conn:
        row = conn.execute(select(ProposedActionRow.__table__).where(ProposedActionRow.id == action_id)).mappings().first()
        if row is None:
            raise BadInput(f"There is no action {action_id}; `studio analytics actions list` lists them.")
        return _action(row)


def approved_changes(lib, platform: str | None = None) -> list[Change]:
    """The approved actions as changes to make on the platforms (what an export or a connector sends)."""
    return [Change(a.id, a.platform, a.account, a.campaign, a.kind,
                   a.proposed_value if a.kind == "budget_change" else None, a.currency)
            for a in list_actions(lib, "approved", platform)]


# ---- bulk sheets ------------------------------------------------------------------------------
# Google Ads Editor: a blank cell means "no change" (support.google.com/google-ads/editor/answer/57747);
# `Budget` is an alias of the campaign daily budget. Meta: its import sheet's campaign columns
# (third-party sources only; export a template from the account if the import complains).
EXPORT_SHEETS = {  # platform -> (name column, status column, budget column, paused value)
    "google": ("Campaign", "Campaign Status", "Budget", "Paused"),
    "meta": ("Campaign Name", "Campaign Status", "Campaign Daily Budget", "PAUSED"),
}


@dataclass(frozen=True)
class Export:
    path: Path
    platform: str
    account: str
    action_ids: list[int]
    rows: int


def _sheet_rows(platform: str, changes: list[Change]) -> list[dict]:
    name, status, budget, paused = EXPORT_SHEETS[platform]
    rows: dict[str, dict] = {}
    for c in changes:  # one row per campaign, a pause and a budget change together
        row = rows.setdefault(c.campaign, {name: c.campaign, status: "", budget: ""})
        if c.kind == "budget_change":
            row[budget] = f"{c.value:.2f}"
        else:
            row[status] = paused
    return list(rows.values())


def export_actions(lib, platform: str, out: Path | str, account: str | None = None) -> Export:
    """Write the approved actions of one platform account as its bulk sheet (temp file, then rename)
    and mark them exported, in one undoable step with its audit event."""
    if platform not in EXPORT_SHEETS:
        raise BadInput(f"Bulk sheets are written for {' and '.join(EXPORT_SHEETS)}, not {platform!r}.")
    out = Path(out)
    if out.is_dir() or not out.parent.is_dir():
        raise BadInput(f"Cannot write {out}: give a file name in an existing folder.")
    changes = [c for c in approved_changes(lib, platform) if account is None or c.account == account]
    if not changes:
        raise BadInput(f"No approved {platform} actions{f' for account {account}' if account else ''} to export; "
                       "approve some with `studio analytics actions approve ID --by NAME`.")
    accounts = sorted({c.account for c in changes})
    if len(accounts) > 1:
        raise BadInput(f"The approved {platform} actions are for several accounts ({', '.join(a or '(unnamed)' for a in accounts)}); "
                       "a bulk sheet goes into one account: export them one account at a time with --account.")
    name, status, budget, _ = EXPORT_SHEETS[platform]
    rows = _sheet_rows(platform, changes)
    partial = out.with_name(f".{out.name}.partial")
    ids = [c.action_id for c in changes]
    try:
        write_sheet(partial, [name, status, budget], rows)
        with lib.write(f"Export {len(ids)} approved {platform} action{'s' if len(ids) != 1 else ''}") as tx:
            for action_id in ids:
                tx.update("proposed_actions", action_id, status="exported")
            tx.note(platform=platform, account=accounts[0], file=str(out), actions=ids, rows=len(rows))
            partial.replace(out)  # inside the transaction: a failed rename leaves the actions approved
    finally:
        partial.unlink(missing_ok=True)
    return Export(out, platform, accounts[0], ids, len(rows))



# ---- sending through the platforms' APIs ------------------------------------------------------
def send_actions(lib, platform: str, account_id: str, *, connections=None) -> list:
    """Send the approved actions of one platform account through its API: every change as a
    validate-only dry run first, and only when all pass, for real (connectors.changes). The ones
    applied are marked sent in one undoable step; every dry run and send is an audit event.
    account_id is the platform's own (Meta act_123, Google 123-456-7890): reports often name the
    account differently, so the approved actions must all come from one reported account."""
    from studio.core.analytics.connectors.changes import CampaignChange, dry_run_then_apply

    if platform not in ("meta", "google"):
        raise BadInput(f"Actions are sent to Meta or Google Ads, not {platform!r}; export a bulk sheet for the others.")
    changes = approved_changes(lib, platform)
    if not changes:
        raise BadInput(f"No approved {platform} actions to send; approve some with `studio analytics actions approve ID --by NAME`.")
    reported = sorted({c.account for c in changes})
    if len(reported) > 1:
        raise BadInput(f"The approved {platform} actions come from several accounts ({', '.join(a or '(unnamed)' for a in reported)}); "
                       "send one account's at a time: reject or export the others first.")
    results = dry_run_then_apply([
        CampaignChange(platform, account_id, c.campaign, "set_daily_budget", c.value, c.currency) if c.kind == "budget_change"
        else CampaignChange(platform, account_id, c.campaign, "pause") for c in changes], connections=connections, lib=lib)
    sent = [c.action_id for c, r in zip(changes, results) if r.applied]
    if sent:
        with lib.write(f"Sent {len(sent)} approved {platform} action{'s' if len(sent) != 1 else ''}") as tx:
            for action_id in sent:
                tx.update("proposed_actions", action_id, status="sent")
            tx.note(platform=platform, account=account_id, actions=sent)
    return results
