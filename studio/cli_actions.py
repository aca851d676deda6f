"""`studio analytics rules …` and `studio analytics actions …`: decision rules and the queue of
actions they propose (registered by studio.cli_analytics)."""

from __future__ import annotations

import dataclasses

from studio.core.errors import BadInput

PLATFORMS = ("google", "meta")


def add_parsers(analytics, common, parser_class) -> None:
    """Add `rules` and `actions` to the `studio analytics` subcommands."""
    from studio.core.analytics.decisions import KINDS, STATUSES

    rules = analytics.add_parser("rules", help="decision rules that propose actions").add_subparsers(
        dest="step", required=True, parser_class=parser_class, metavar="STEP")
    rules.add_parser("list", parents=[common], help="the rules, with their parameters and scope")
    add = rules.add_parser("add", parents=[common], help="add a rule",
                           description="Kinds: " + "; ".join(f"{k}: {d} ({', '.join(p)})" for k, (d, p) in KINDS.items()))
    add.add_argument("name", metavar="NAME", help="what the rule is for, e.g. 'CPA guard'")
    add.add_argument("--kind", required=True, choices=list(KINDS), help="the kind of rule")
    add.add_argument("--set", dest="params", action="append", default=[], metavar="PARAM=VALUE",
                     help="a parameter, e.g. --set target_cpa=20 --set factor=1.5 (repeat for each)")
    for key, what in (("platform", "meta, google, …"), ("account", "the account name or id"),
                      ("campaign", "a campaign name, or a pattern such as 'Brand*'"), ("currency", "e.g. EUR")):
        add.add_argument(f"--{key}", metavar=key.upper(), help=f"only campaigns with this {key} ({what})")
    for step, what in (("remove", "remove a rule (the actions it proposed stay)"), ("enable", "switch a rule on"),
                       ("disable", "switch a rule off")):
        rules.add_parser(step, parents=[common], help=what).add_argument("rule_id", type=int, metavar="ID")

    actions = analytics.add_parser("actions", help="the queue of proposed actions: propose, approve, reject, export").add_subparsers(
        dest="step", required=True, parser_class=parser_class, metavar="STEP")
    propose = actions.add_parser("propose", parents=[common], help="run the enabled rules and queue what they propose")
    propose.add_argument("--as-of", metavar="YYYY-MM-DD", help="the last day of data to judge on (default: the last day imported)")
    lst = actions.add_parser("list", parents=[common], help="the queued actions with their reasons")
    lst.add_argument("--status", choices=STATUSES, help="only actions in this state")
    lst.add_argument("--platform", metavar="NAME", help="only this platform")
    approve = actions.add_parser("approve", parents=[common], help="approve a proposed action")
    approve.add_argument("action_id", type=int, metavar="ID")
    approve.add_argument("--by", required=True, metavar="NAME", help="who approves")
    approve.add_argument("--note", default="", metavar="TEXT", help="a note kept with the decision")
    reject = actions.add_parser("reject", parents=[common], help="reject a proposed or approved action")
    reject.add_argument("action_id", type=int, metavar="ID")
    reject.add_argument("--by", required=True, metavar="NAME", help="who rejects")
    reject.add_argument("--reason", required=True, metavar="TEXT", help="why")
    export = actions.add_parser("export", parents=[common], help="write the approved actions as a platform bulk sheet")
    export.add_argument("--platform", required=True, choices=PLATFORMS, help="google: Ads Editor CSV; meta: Ads Manager bulk import")
    export.add_argument("--out", required=True, metavar="FILE.csv", help="the sheet to write")
    export.add_argument("--account", metavar="ACCOUNT", help="the account, when approved actions span several")
    send = actions.add_parser("send", parents=[common], help="send the approved actions through the platform's API, "
                              "every one as a validate-only dry run first")
    send.add_argument("--platform", required=True, choices=("meta", "google"))
    send.add_argument("--account", required=True, metavar="ID", help="the platform's account id (Meta act_123, Google 123-456-7890)")
    send.add_argument("--endpoint", metavar="URL", help="another address for the platform's API (a proxy or a test server)")


def _param(text: str) -> tuple[str, float | str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise BadInput(f"--set {text!r} is not PARAM=VALUE; write it as, e.g., --set target_cpa=20.")
    try:
        return name.strip(), float(value)
    except ValueError:
        return name.strip(), value.strip()


def _rule_text(rule) -> str:
    params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in rule.params.items())
    scope = ", ".join(f"{k}={v}" for k, v in rule.scope.items()) or "every campaign"
    return f"{rule.id:>4}  {'on ' if rule.enabled else 'off'}  {rule.name}: {rule.kind} ({params}) on {scope}"


def cmd_rules_list(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.decisions import list_rules

    with open_library(args) as lib:
        rules = list_rules(lib)
    text = "\n".join(map(_rule_text, rules)) or "No decision rules yet: `studio analytics rules add NAME --kind KIND --set PARAM=VALUE` adds one."
    _print(args, [dataclasses.asdict(r) for r in rules], text)
    return 0


def cmd_rules_add(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops.decisions import add_rule

    params = dict(map(_param, args.params))
    scope = {k: getattr(args, k) for k in ("platform", "account", "campaign", "currency") if getattr(args, k)}
    with open_library(args) as lib:
        rule_id = add_rule(lib, args.name, args.kind, params, scope).value
    _print(args, {"rule_id": rule_id}, f"Added decision rule {rule_id} ({args.name})")
    return 0


def _rule_step(args, op, done: str) -> int:
    from studio.cli import _print, open_library

    with open_library(args) as lib:
        op(lib, args.rule_id)
    _print(args, {"rule_id": args.rule_id, "done": done}, f"Decision rule {args.rule_id} {done}")
    return 0


def cmd_rules_remove(args) -> int:
    from studio.core.ops.decisions import remove_rule

    return _rule_step(args, remove_rule, "removed")


def cmd_rules_enable(args) -> int:
    from studio.core.ops.decisions import set_rule_enabled

    return _rule_step(args, lambda lib, rule_id: set_rule_enabled(lib, rule_id, True), "enabled")


def cmd_rules_disable(args) -> int:
    from studio.core.ops.decisions import set_rule_enabled

    return _rule_step(args, lambda lib, rule_id: set_rule_enabled(lib, rule_id, False), "disabled")


def _action_text(a) -> str:
    return f"{a.id:>4}  {a.status:<9} {a.platform} / {a.campaign}: {a.kind.replace('_', ' ')}\n      {a.reason}"


def cmd_actions_propose(args) -> int:
    from studio.cli import _print, open_library
    from studio.cli_analytics import _day
    from studio.core.analytics.decisions import evaluate

    with open_library(args) as lib:
        proposals = evaluate(lib, _day(args.as_of, "--as-of"))
    text = "\n".join(f"{p.id:>4}  {p.platform} / {p.campaign}: {p.reason}" for p in proposals) or "No new actions proposed."
    _print(args, [dataclasses.asdict(p) for p in proposals], text)
    return 0


def cmd_actions_list(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.decisions import list_actions

    with open_library(args) as lib:
        actions = list_actions(lib, args.status, args.platform)
    text = "\n".join(map(_action_text, actions)) or "No actions queued: `studio analytics actions propose` runs the rules."
    _print(args, [dataclasses.asdict(a) for a in actions], text)
    return 0


def _decision(args, decide, *extra) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.decisions import get_action

    with open_library(args) as lib:
        decide(lib, args.action_id, args.by, *extra)
        action = get_action(lib, args.action_id)
    _print(args, dataclasses.asdict(action), f"Action {action.id} {action.status} by {action.decided_by}")
    return 0


def cmd_actions_approve(args) -> int:
    from studio.core.ops.decisions import approve_action

    return _decision(args, approve_action, args.note)


def cmd_actions_reject(args) -> int:
    from studio.core.ops.decisions import reject_action

    return _decision(args, reject_action, args.reason)


def cmd_actions_export(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.analytics.decisions import export_actions

    with open_library(args) as lib:
        result = export_actions(lib, args.platform, args.out, args.account)
    _print(args, dataclasses.asdict(result), f"Wrote {result.path}: {result.rows} campaign row(s) from actions "
                                             f"{', '.join(map(str, result.action_ids))}, now marked exported")
    return 0


def cmd_actions_send(args) -> int:
    from studio.cli import _print, open_library
    from studio.cli_pull import unlocked_secrets
    from studio.core.analytics.connectors.changes import Connections
    from studio.core.analytics.decisions import send_actions

    connections = Connections(unlocked_secrets(), {args.platform: args.endpoint} if args.endpoint else {})
    with open_library(args) as lib:
        results = send_actions(lib, args.platform, args.account, connections=connections)
    _print(args, [{"campaign": r.change.campaign, "kind": r.change.kind, "validated": r.validated, "applied": r.applied,
                   "message": r.message} for r in results], "\n".join(r.message for r in results))
    return 0 if all(r.applied for r in results) else 1


STEPS = {
    "rules": {"list": cmd_rules_list, "add": cmd_rules_add, "remove": cmd_rules_remove,
              "enable": cmd_rules_enable, "disable": cmd_rules_disable},
    "actions": {"propose": cmd_actions_propose, "list": cmd_actions_list, "approve": cmd_actions_approve,
                "reject": cmd_actions_reject, "export": cmd_actions_export, "send": cmd_actions_send},
}


def run(args) -> int:
    return STEPS[args.action][args.step](args)


COMMANDS = {("analytics", "rules"): run, ("analytics", "actions"): run}
