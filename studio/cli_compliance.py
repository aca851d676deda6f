"""`studio check`, `studio audit` and `studio compliance`: policy and brand checks of copy and
media, the audit trail and a campaign's stored findings from the command line (registered by
studio.cli). A check exits 3 when it finds an error, like `studio spec check`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from studio.core.errors import BadInput

CHECK_FAILED = 3
PLATFORMS = ("google", "meta", "tiktok", "linkedin", "x")
FIELDS = {"headline": "headline", "description": "description", "primary_text": "primary_text", "path": "display_path"}
CSV_LIMIT = 1 << 24  # characters in one CSV cell: a pasted text far longer than any ad is still read (and flagged)


def add_parsers(sub, common, parser_class) -> None:
    check = sub.add_parser("check", help="check ad copy or a creative against platform policies and brand rules; exit 3 on errors").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    ccopy = check.add_parser("copy", parents=[common], help="one text (--platform, --field), or a CSV with columns platform, field, text")
    ccopy.add_argument("text", nargs="?", metavar="TEXT")
    ccopy.add_argument("--platform", choices=PLATFORMS)
    ccopy.add_argument("--field", choices=list(FIELDS))
    ccopy.add_argument("--file", metavar="COPY.csv", help="check every row of a CSV (columns: platform, field, text)")
    ccopy.add_argument("--locale", metavar="LANG", help="the audience's language (en, fr-FR…): copy in another language is flagged")
    ccopy.add_argument("--rules", metavar="RULES.json", action="append", default=[], help="an extra rule file (may be repeated)")
    casset = check.add_parser("asset", parents=[common], help="an image or video: text in it, safe zones, loudness, the placement's spec")
    casset.add_argument("file", metavar="FILE")
    casset.add_argument("--spec", metavar="SPEC_ID", help="the placement it is meant for (its platform is then the one checked)")
    casset.add_argument("--platform", choices=PLATFORMS, help="check for this platform only (default: every platform)")
    casset.add_argument("--rules", metavar="RULES.json", action="append", default=[], help="an extra rule file (may be repeated)")

    audit = sub.add_parser("audit", help="the tamper-evident audit trail").add_subparsers(dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    audit.add_parser("verify", parents=[common], help="recompute the hash chain; exit 3 when an event was edited, deleted or reordered")
    rep = audit.add_parser("report", parents=[common], help="a campaign's compliance report (HTML and PDF)")
    rep.add_argument("--campaign", required=True, metavar="NAME_OR_ID")
    rep.add_argument("--out", required=True, metavar="DIR")

    comp = sub.add_parser("compliance", help="a campaign's stored findings").add_subparsers(dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    cchk = comp.add_parser("check", parents=[common], help="check the campaign's copy, media and compositions; exit 3 on errors nobody waived")
    cchk.add_argument("--campaign", required=True, metavar="NAME_OR_ID")
    capp = comp.add_parser("approve", parents=[common], help="sign the campaign off as checked (an audit event with your name)")
    capp.add_argument("--campaign", required=True, metavar="NAME_OR_ID")
    capp.add_argument("--by", required=True, metavar="NAME", help="who approves")
    capp.add_argument("--note", default="", metavar="TEXT")
    _add_brand_parsers(comp, common, parser_class)


def _add_brand_parsers(comp, common, parser_class) -> None:
    from studio.core.compliance.rules import TEXT_FIELDS

    brand = comp.add_parser("brand", help="a brand's own rules: banned words, required disclaimers, its voice, any rule you write")
    brand.add_argument("brand", metavar="BRAND", help="the brand's id or name")
    what = brand.add_subparsers(dest="brand_action", required=True, parser_class=parser_class, metavar="WHAT")
    what.add_parser("rules", parents=[common], help="list the brand's rules")
    ban = what.add_parser("ban", parents=[common], help="words the brand's copy must not use (added to those it has)")
    ban.add_argument("words", nargs="+", metavar="WORD")
    ban.add_argument("--remove", action="store_true", help="allow these words again")
    req = what.add_parser("require", parents=[common], help="words or disclaimers the brand's copy must carry (added to those it has)")
    req.add_argument("phrases", nargs="+", metavar="PHRASE")
    req.add_argument("--field", action="append", choices=TEXT_FIELDS, help="where they are required (may be repeated; default primary_text)")
    req.add_argument("--remove", action="store_true", help="no longer require these")
    voice = what.add_parser("voice", parents=[common], help="learn the brand's voice from its own texts")
    voice.add_argument("--samples", required=True, metavar="FILE.txt", help="one text the brand has published per line (at least 3)")
    score = what.add_parser("voice-score", parents=[common], help="how close copy sounds to the brand's voice (0–100) and the sentences furthest from it")
    score.add_argument("text", nargs="?", metavar="TEXT")
    score.add_argument("--file", metavar="FILE.txt", help="score every line of the file")
    add = what.add_parser("add-rule", parents=[common], help="add rules from a JSON file (a rule, a list of rules, or a rule file)")
    add.add_argument("file", metavar="RULE.json")
    remove = what.add_parser("remove-rule", parents=[common], help="remove the brand's rule with this id")
    remove.add_argument("rule_id", metavar="ID")


def _ruleset(paths: list[str]):
    """The shipped rules plus the given files; a rule that does not load is named on stderr, the rest work."""
    from studio.core.compliance.rules import RuleSet, load_rule_file, shipped_rules

    ruleset = shipped_rules()
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise BadInput(f"The rule file {path} does not exist.")
        version, rules, problems = load_rule_file(path)
        ruleset = RuleSet(ruleset.rules + rules, ruleset.versions | {path.name: version}, ruleset.problems + problems)
    for problem in ruleset.problems:
        sys.stderr.write(f"warning: {problem}\n")
    return ruleset


def _finding_text(f) -> str:
    where = f" [{f.span[0]}–{f.span[1]}]" if f.span else f" box {f.box}" + (f" frame {f.frame}" if f.frame is not None else "") if f.box else ""
    platform = f"{f.platform} " if f.platform else ""
    return f"  {f.severity}: {platform}{f.rule_id}{where}: {f.message}\n    fix: {f.hint}"


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise BadInput(f"{path} does not exist; give a CSV file with the columns platform, field, text.")
    csv.field_size_limit(max(csv.field_size_limit(), CSV_LIMIT))
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = {"platform", "field", "text"} - set(reader.fieldnames or [])
            if missing:
                raise BadInput(f"{path} lacks the column(s) {', '.join(sorted(missing))}; its first row must name platform, field, text.")
            rows = []
            for n, row in enumerate(reader, start=2):
                platform, field = (row["platform"] or "").strip().lower(), (row["field"] or "").strip().lower()
                if platform not in PLATFORMS:
                    raise BadInput(f"{path} line {n}: unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}.")
                if field not in FIELDS:
                    raise BadInput(f"{path} line {n}: unknown field {field!r}; use one of {', '.join(FIELDS)}.")
                rows.append({"line": n, "platform": platform, "field": field, "text": row["text"] or ""})
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadInput(f"{path} cannot be read as a UTF-8 CSV ({exc}).") from None
    return rows


def cmd_check_copy(args) -> int:
    from studio.cli import _print
    from studio.core.compliance.engine import Context, check_copy

    if (args.text is None) == (args.file is None):
        raise BadInput("Give the TEXT to check (with --platform and --field), or --file COPY.csv, not both.")
    if args.file is None:
        if not args.platform or not args.field:
            raise BadInput("Say where the text goes: --platform (google, meta, tiktok, linkedin, x) and --field "
                           "(headline, description, primary_text, path).")
        rows = [{"line": None, "platform": args.platform, "field": args.field, "text": args.text}]
    else:
        rows = _read_csv(Path(args.file))
    ruleset = _ruleset(args.rules)
    results, lines = [], []
    for row in rows:
        context = Context(platform=row["platform"], locale=args.locale)
        findings = check_copy(row["text"], row["platform"], FIELDS[row["field"]], ruleset=ruleset, context=context)
        results.append({**{k: row[k] for k in ("line", "platform", "field")}, "findings": [f.as_dict() for f in findings]})
        where = f"line {row['line']} " if row["line"] else ""
        lines.append(f"{where}{row['platform']} {row['field']}: " + ("passes" if not findings else f"{len(findings)} finding(s)"))
        lines += [_finding_text(f) for f in findings]
    errors = sum(f["severity"] == "error" for r in results for f in r["findings"])
    warnings = sum(f["severity"] == "warning" for r in results for f in r["findings"])
    document = {"passed": not errors, "errors": errors, "warnings": warnings, "rule_problems": ruleset.problems}
    document |= {"results": results} if args.file else {"findings": results[0]["findings"]}
    _print(args, document, "\n".join(lines + [f"{errors} error(s), {warnings} warning(s)"]))
    return CHECK_FAILED if errors else 0


def cmd_check_asset(args) -> int:
    from studio.cli import _print
    from studio.cli_export import _catalog
    from studio.core.compliance.engine import Context, check_media
    from studio.core.compliance.store import check_everywhere

    path = Path(args.file)
    if not path.is_file():
        raise BadInput(f"{path} does not exist or is not a file.")
    spec = _catalog(args).get(args.spec) if args.spec else None
    if spec is not None and args.platform and args.platform != spec.platform:
        raise BadInput(f"{spec.id} is a {spec.platform} placement; drop --platform or give --platform {spec.platform}.")
    platforms = [spec.platform] if spec else [args.platform] if args.platform else list(PLATFORMS)
    ruleset = _ruleset(args.rules)
    findings = check_everywhere(lambda p: check_media(path, p, ruleset=ruleset, context=Context(platform=p, spec_id=spec.id if spec else None)),
                                platforms)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    document = {"file": str(path), "spec": spec.id if spec else None, "platforms": platforms, "passed": not errors,
                "errors": errors, "warnings": warnings, "findings": [f.as_dict() for f in findings], "rule_problems": ruleset.problems}
    text = [f"{path.name}: " + ("passes" if not findings else f"{errors} error(s), {warnings} warning(s)")] + [_finding_text(f) for f in findings]
    _print(args, document, "\n".join(text))
    return CHECK_FAILED if errors else 0


def cmd_audit_verify(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.audit import verify

    with open_library(args) as lib:
        count, problems = verify(lib)
    document = {"events": count, "ok": not problems,
                "problems": [{"event_id": p.event_id, "kind": p.kind, "message": p.message} for p in problems]}
    text = f"The audit trail is whole: {count} event(s) verified." if not problems else \
        "\n".join([f"The audit trail has {len(problems)} problem(s) in {count} event(s):"] + [f"  {p.message}" for p in problems])
    _print(args, document, text)
    return CHECK_FAILED if problems else 0


def cmd_audit_report(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.compliance.report import write_report

    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out} is a file; give a folder for the report.")
    with open_library(args) as lib:
        written = write_report(lib, args.campaign, out)
    _print(args, {"html": str(written[0]), "pdf": str(written[1])}, "\n".join(f"Wrote {p}" for p in written))
    return 0


def cmd_compliance_approve(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.compliance.store import approve, blocking_findings
    from studio.core.export.plan import find_campaign

    with open_library(args) as lib:
        campaign_id, name = find_campaign(lib, args.campaign)
        approve(lib, campaign_id, args.by, args.note)
        blocking = len(blocking_findings(lib, campaign_id))
    _print(args, {"campaign_id": campaign_id, "campaign": name, "by": args.by.strip(), "blocking_findings": blocking},
           f"{name} approved by {args.by.strip()}" + (f" with {blocking} error(s) nobody waived still blocking export" if blocking else ""))
    return 0


def cmd_compliance_check(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.compliance.store import (
        campaign_findings,
        describe_target,
        recheck_campaign,
    )
    from studio.core.export.plan import find_campaign
    from studio.core.jobs import JobState

    with open_library(args) as lib:
        campaign_id, name = find_campaign(lib, args.campaign)
        state = JobState()
        if not args.json:
            state = JobState(lambda: print(f"\r{state.status}: {int((state.progress or 0) * 100)}%\033[K", end="", file=sys.stderr, flush=True))
        result = recheck_campaign(lib, campaign_id, state)
        found = campaign_findings(lib, campaign_id)
        labels = {f.target: describe_target(lib, f.target) for f in found}
    if not args.json:
        print(file=sys.stderr)
    blocking = [f for f in found if f.blocking]
    warnings = sum(f.finding.severity == "warning" for f in found)
    rows = [{"target": f.target, "item": labels[f.target], "fingerprint": f.fingerprint, "waived": f.waived,
             "waiver": {"reason": f.waiver.reason, "name": f.waiver.name} if f.waiver else None, **f.finding.as_dict()} for f in found]
    lines = [(f"{name}: {result['targets']} item(s), {result['rechecked']} checked now; {len(blocking)} error(s) to fix or waive, "
              f"{sum(f.waived for f in found)} waived, {warnings} warning(s)")]
    lines += [f"  {labels[f.target]}\n  {_finding_text(f.finding).strip()}" for f in blocking]
    document = {"campaign": name, "campaign_id": campaign_id, "targets": result["targets"], "rechecked": result["rechecked"],
                "blocking": len(blocking), "waived": sum(f.waived for f in found), "warnings": warnings,
                "rule_problems": result["rule_problems"], "findings": rows}
    _print(args, document, "\n".join(lines))
    return CHECK_FAILED if blocking else 0


def _read_lines(raw: str, what: str) -> list[str]:
    path = Path(raw)
    if not path.is_file():
        raise BadInput(f"{path} does not exist; give a text file with {what}, one per line.")
    try:
        return [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    except UnicodeDecodeError:
        raise BadInput(f"{path} is not UTF-8 text; save it as UTF-8 with {what}, one per line.") from None


def _read_rules(raw: str) -> list:
    """A rule, a list of rules, or a rule file ({"schema_version": 1, "rules": [...]})."""
    path = Path(raw)
    if not path.is_file():
        raise BadInput(f"{path} does not exist; give a JSON file with a rule, a list of rules, or a rule file.")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise BadInput(f"{path} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); nothing was added.") from None
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    return data if isinstance(data, list) else [data]


def _rule_line(rule) -> str:
    from studio.core.compliance.rules import TEXT_FIELDS

    doc = rule.document if isinstance(rule.document, dict) else {}
    params = doc.get("params", {})
    detail = {"brand_words": lambda: "; ".join(f"{k}: {', '.join(params[k])}" for k in ("banned", "required") if params.get(k)),
              "brand_voice": lambda: f"{len(params.get('samples', []))} sample text(s)"}.get(doc.get("check"), lambda: "")()
    fields = doc.get("fields", [])
    where = "every copy field" if set(fields) >= set(TEXT_FIELDS) else ", ".join(fields)
    line = f"  {rule.rule_id}  {doc.get('severity', '?')}  {doc.get('check', '?')}  [{where}]" + (f"  {detail}" if detail else "")
    return line + (f"\n    does not load: {rule.problem}" if rule.problem else "")


def cmd_compliance_brand(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops import brand_rules as ops

    with open_library(args) as lib:
        brand_id, name = ops.find_brand(lib, args.brand)
        action = args.brand_action
        if action == "voice-score":
            return _voice_score(args, lib, brand_id, name)
        if action == "ban":
            words = ops.brand_guidelines(lib, brand_id).banned
            ops.set_brand_words(lib, brand_id, banned=_merge(words, args.words, args.remove))
        elif action == "require":
            phrases = ops.brand_guidelines(lib, brand_id).required
            ops.set_brand_words(lib, brand_id, required=_merge(phrases, args.phrases, args.remove), fields=args.field)
        elif action == "voice":
            ops.set_voice_samples(lib, brand_id, _read_lines(args.samples, "texts the brand has published"))
        elif action == "add-rule":
            ops.add_brand_rules(lib, brand_id, _read_rules(args.file), origin=Path(args.file).name)
        elif action == "remove-rule":
            ops.remove_brand_rule(lib, brand_id, args.rule_id)
        guidelines = ops.brand_guidelines(lib, brand_id)
    document = {"brand_id": brand_id, "brand": name, "palette": list(guidelines.palette), "banned": list(guidelines.banned),
                "required": list(guidelines.required), "required_fields": list(guidelines.required_fields),
                "voice_samples": len(guidelines.voice_samples),
                "rules": [{"id": r.rule_id, "document": r.document, "problem": r.problem} for r in guidelines.rules]}
    lines = [f"{name} (brand {brand_id}): {len(guidelines.rules)} rule(s)" + (":" if guidelines.rules else "; add some with ban, require, voice or add-rule.")]
    _print(args, document, "\n".join(lines + [_rule_line(r) for r in guidelines.rules]))
    return 0


def _merge(current, given: list[str], remove: bool) -> list[str]:
    if remove:
        drop = {g.strip().casefold() for g in given}
        return [c for c in current if c.casefold() not in drop]
    return [*current, *given]


def _voice_score(args, lib, brand_id: int, name: str) -> int:
    from studio.cli import _print
    from studio.core.compliance.voice import voice_score
    from studio.core.ops.brand_rules import brand_guidelines

    if (args.text is None) == (args.file is None):
        raise BadInput("Give the TEXT to score, or --file FILE.txt (one text per line), not both.")
    samples = brand_guidelines(lib, brand_id).voice_samples
    if not samples:
        raise BadInput(f"{name} has no voice yet: give it its own texts with `studio compliance brand {brand_id} voice --samples FILE.txt`.")
    texts = [args.text] if args.file is None else _read_lines(args.file, "the copy to score")
    report = voice_score(list(samples), texts)
    lines = [f"{name} voice score: {report.score}/100 over {len(texts)} text(s). Furthest from the voice:"]
    lines += [f"  {s.distance:.2f}  “{s.text}”: {s.why}" for s in report.sentences[:5]]
    _print(args, {"brand_id": brand_id, "brand": name, **report.as_dict()}, "\n".join(lines))
    return 0


COMMANDS = {
    ("check", "copy"): cmd_check_copy,
    ("check", "asset"): cmd_check_asset,
    ("audit", "verify"): cmd_audit_verify,
    ("audit", "report"): cmd_audit_report,
    ("compliance", "check"): cmd_compliance_check,
    ("compliance", "approve"): cmd_compliance_approve,
    ("compliance", "brand"): cmd_compliance_brand,
}
