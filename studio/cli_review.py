"""`studio review`: export a review bundle, reply to one as a reviewer, and import a bundle or a
reviewer's reply (registered by studio.cli)."""

from __future__ import annotations

import sys

from studio.core.briefs.sections import SECTIONS


def add_parsers(sub, common, parser_class) -> None:
    review = sub.add_parser("review", help="offline review bundles: export, reply, import").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    rexp = review.add_parser("export", parents=[common], help="write briefs and asset proxies to one file for a reviewer")
    rexp.add_argument("--brief", dest="briefs", type=int, action="append", required=True, metavar="ID", help="a brief to send (repeat for more)")
    rexp.add_argument("--asset", dest="assets", type=int, action="append", default=[], metavar="ID", help="an asset to send a proxy of (repeat for more)")
    rexp.add_argument("--out", required=True, metavar="FILE")
    rimp = review.add_parser("import", parents=[common], help="merge a reviewer's reply, or show what a bundle to review holds")
    rimp.add_argument("file", metavar="FILE")
    rrep = review.add_parser("reply", parents=[common], help="as the reviewer: comment, approve or reject, and write the reply")
    rrep.add_argument("bundle", metavar="BUNDLE")
    rrep.add_argument("--reviewer", required=True, metavar="NAME")
    rrep.add_argument("--brief", type=int, metavar="ID", help="the brief to answer (needed when the bundle holds several)")
    rrep.add_argument("--comment", dest="comments", action="append", default=[], metavar="TEXT", help="a comment (repeat for more)")
    rrep.add_argument("--section", choices=list(SECTIONS), help="the section the comments are on (default: the whole brief)")
    rrep.add_argument("--reply-to", metavar="COMMENT_UID", help="make the comments replies in this comment's thread")
    decision = rrep.add_mutually_exclusive_group()
    decision.add_argument("--approve", dest="decision", action="store_const", const="approved")
    decision.add_argument("--reject", dest="decision", action="store_const", const="rejected")
    rrep.add_argument("--note", help="a note with the decision")
    rrep.add_argument("--out", required=True, metavar="FILE")


def _progress(state) -> None:
    print(f"\r{state.status}: {int((state.progress or 0) * 100)}%", end="", file=sys.stderr, flush=True)


def cmd_review_export(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.jobs import JobState
    from studio.core.review import export_bundle

    state = JobState(lambda: _progress(state))
    with open_library(args) as lib:
        info = export_bundle(lib, args.briefs, args.assets, args.out, state=state)
    print(file=sys.stderr)
    _print(args, info.as_dict(), f"Wrote review bundle {info.path}: {info.briefs} brief(s), {info.assets} asset(s), "
                                 f"{info.size_bytes / 1e6:.1f} MB.")
    return 0


def cmd_review_import(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.review import merge_reply, open_bundle

    with open_bundle(args.file) as bundle:
        if bundle.kind == "bundle":
            return _show_bundle(args, bundle)
        with open_library(args) as lib:
            report = merge_reply(lib, bundle)
    _print(args, {"kind": "reply", **report.as_dict()},
           f"Merged the reply from {report.reviewer}: {report.comments_added} comment(s) and {report.decisions_added} decision(s) added"
           f" ({report.comments_known} comment(s) and {report.decisions_known} decision(s) were already here).")
    return 0


def _show_bundle(args, bundle) -> int:
    from studio.cli import _print

    doc = {"kind": "bundle", "uid": bundle.uid, "from": bundle.author, "created_at": bundle.created_at.isoformat(),
           "briefs": [{"id": b.id, "title": b.title, "status": b.status, "comments": len(b.comments), "approvals": len(b.approvals)}
                      for b in bundle.briefs],
           "assets": [{"name": a.name, "kind": a.kind, "sha256": a.sha256, "size_bytes": a.size_bytes} for a in bundle.assets]}
    lines = [f"{bundle.path.name} is a review bundle to review (nothing was imported): sent by {bundle.author} on {bundle.created_at:%Y-%m-%d}."]
    lines += [f"  brief {b.id}: {b.title} [{b.status}], {len(b.comments)} comment(s)" for b in bundle.briefs]
    lines += [f"  {a.kind} {a.name}" for a in bundle.assets]
    lines.append(f"Answer it with `studio review reply {bundle.path} --reviewer NAME --comment TEXT --approve|--reject --out REPLY`.")
    _print(args, doc, "\n".join(lines))
    return 0


def cmd_review_reply(args) -> int:
    from studio.cli import _print
    from studio.core.errors import BadInput
    from studio.core.review import NewComment, NewDecision, open_bundle, reply_bundle

    with open_bundle(args.bundle) as bundle:
        if args.brief is None and len(bundle.briefs) > 1:
            raise BadInput(f"The bundle holds {len(bundle.briefs)} briefs; name the one you answer with --brief "
                           f"({', '.join(str(b.id) for b in bundle.briefs)}).")
        brief_id = args.brief if args.brief is not None else bundle.briefs[0].id
        if args.note and not args.decision:
            raise BadInput("--note goes with a decision; add --approve or --reject.")
        comments = [NewComment(brief_id, text, section=args.section, parent_uid=args.reply_to) for text in args.comments]
        decisions = [NewDecision(brief_id, args.decision, args.note)] if args.decision else []
        info = reply_bundle(bundle, args.out, reviewer=args.reviewer, comments=comments, decisions=decisions)
    _print(args, info.as_dict(), f"Wrote the reply {info.path}: send it back to be imported with `studio review import`.")
    return 0


COMMANDS = {
    ("review", "export"): cmd_review_export,
    ("review", "import"): cmd_review_import,
    ("review", "reply"): cmd_review_reply,
}
