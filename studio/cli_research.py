"""`studio research`: crawl a brand's site and import its documents into its knowledge base,
search it, compare the brand with its competitors, read trends and show the brand profile
(registered by studio.cli)."""

from __future__ import annotations

import dataclasses
import sys

from studio.core.errors import BadInput


def add_parsers(sub, common, parser_class) -> None:
    research = sub.add_parser("research", help="brand research: crawl, import, search, compare, trends, profile").add_subparsers(
        dest="action", required=True, parser_class=parser_class, metavar="ACTION")
    crawl = research.add_parser("crawl", parents=[common], help="crawl a brand's (or a competitor's) site into its knowledge base")
    crawl.add_argument("url", metavar="URL")
    crawl.add_argument("--brand", required=True, metavar="NAME_OR_ID")
    crawl.add_argument("--max-pages", type=int, default=50, metavar="N", help="pages to read at most (default 50)")
    crawl.add_argument("--max-depth", type=int, default=3, metavar="N", help="links followed from the start page (default 3)")
    crawl.add_argument("--rps", type=float, default=5.0, metavar="R", help="requests per second to the site (default 5; 0: no limit)")
    crawl.add_argument("--competitor", metavar="NAME", help="the site is this competitor's (one of the brand profile's)")
    imp = research.add_parser("import", parents=[common], help="add saved web pages, PDF, DOCX, Markdown or text files")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--brand", required=True, metavar="NAME_OR_ID")
    imp.add_argument("--competitor", metavar="NAME", help="the files are about this competitor (one of the brand profile's)")
    find = research.add_parser("search", parents=[common], help="passages of the knowledge base closest to a query, with their source")
    find.add_argument("query", metavar="QUERY")
    find.add_argument("--brand", metavar="NAME_OR_ID", help="only this brand's documents (default: every brand's)")
    find.add_argument("-k", type=int, default=10, metavar="N", help="how many passages (default 10)")
    whose = find.add_mutually_exclusive_group()
    whose.add_argument("--competitor", metavar="NAME", help="only the documents about this competitor")
    whose.add_argument("--with-competitors", action="store_true", help="the competitors' documents too (default: the brands' own)")
    compare = research.add_parser("compare", parents=[common], help="the brand against its competitors: distinctive terms, overlap, palettes")
    compare.add_argument("--brand", required=True, metavar="NAME_OR_ID")
    trends = research.add_parser("trends", parents=[common], help="momentum of each term in a trends CSV (e.g. a Google Trends export)")
    trends.add_argument("file", metavar="FILE.csv")
    profile = research.add_parser("profile", parents=[common], help="show a brand's profile")
    profile.add_argument("--brand", required=True, metavar="NAME_OR_ID")
    model = research.add_parser("model", help="the local embedding model search blends in (else words only)").add_subparsers(
        dest="model_action", required=True, parser_class=parser_class, metavar="ACTION")
    model_set = model.add_parser("set", parents=[common], help="use the model in FOLDER (model.onnx, tokenizer.json, embedding.json)")
    model_set.add_argument("folder", metavar="FOLDER")
    model.add_parser("clear", parents=[common], help="stop using an embedding model: search matches words only")
    model.add_parser("show", parents=[common], help="the embedding model in use, or why the configured one is not")


def _progress(state) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{state.status}")
        sys.stderr.flush()


def cmd_research_crawl(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.jobs import JobState
    from studio.core.ops.brand_rules import find_brand
    from studio.core.research.library import CrawlIntoParams, crawl_into_library

    with open_library(args) as lib:
        brand_id, brand = find_brand(lib, args.brand)
        state = JobState(lambda: _progress(state))
        params = CrawlIntoParams(str(lib.root), brand_id, args.url, args.max_pages, args.max_depth, args.rps, args.competitor)
        summary = crawl_into_library(params, state, lib)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    whose = f"{args.competitor} (a competitor of {brand})" if args.competitor else brand
    pages = f"{summary.pages} page{'s' if summary.pages != 1 else ''}"
    lines = [f"Crawled {summary.url}: {pages} read, {summary.added} added to the knowledge base of {whose}, {summary.duplicates} already there"]
    lines += [f"Palette: {' '.join(summary.palette)}"] if summary.palette else []
    lines += [f"Fonts: {', '.join(summary.fonts)}"] if summary.fonts else []
    lines += [f"  skipped {url}: {why}" for url, why in summary.skipped]
    _print(args, dataclasses.asdict(summary), "\n".join(lines))
    if summary.error:
        sys.stderr.write(f"error: {summary.error}\n")
        return 1
    return 0


def cmd_research_import(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.jobs import JobState
    from studio.core.ops.brand_rules import find_brand
    from studio.core.research.library import ImportDocsParams, import_documents

    with open_library(args) as lib:
        brand_id, _brand = find_brand(lib, args.brand)
        summary = import_documents(ImportDocsParams(str(lib.root), brand_id, args.files, args.competitor), JobState(), lib)
    text = f"{summary.added} added, {summary.duplicates} already there, {summary.empty} without text, {len(summary.failed)} not readable"
    _print(args, dataclasses.asdict(summary), text)
    for _path, why in summary.failed:
        sys.stderr.write(f"error: {why}\n")
    return BadInput.exit_code if summary.failed else 0


def cmd_research_search(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops.brand_rules import find_brand
    from studio.core.research.library import search

    competitor = args.competitor if args.competitor else None if args.with_competitors else False
    with open_library(args) as lib:
        brand_id = find_brand(lib, args.brand)[0] if args.brand else None
        hits = search(lib, args.query, brand_id=brand_id, k=args.k, competitor=competitor)
    document = [{"doc_id": h.doc_id, "title": h.title, "source": h.source, "score": round(h.score, 4), "text": h.text} for h in hits]
    text = "\n".join(f"{h.score:.2f}  {h.title} ({h.source})\n      {h.text}" for h in hits)
    _print(args, document, text or f"Nothing in the knowledge base matches {args.query!r}; try other words.")
    if hits.note:
        sys.stderr.write(f"warning: {hits.note}\n")
    return 0


def cmd_research_compare(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops.brand_rules import find_brand
    from studio.core.research.library import (
        compare_with_competitors,
        competitor_sites,
        palette_gap,
    )

    with open_library(args) as lib:
        brand_id, _brand = find_brand(lib, args.brand)
        comparison = compare_with_competitors(lib, brand_id)
        palettes, notes = [], []
        for competitor in competitor_sites(lib, brand_id):
            try:
                palettes.append((competitor, palette_gap(lib, brand_id, competitor)))
            except BadInput as exc:  # no palette of the brand's own, or a competitor since removed
                notes.append(str(exc))
    lines = [comparison.summary, *(b.summary for b in comparison.brands), *(o.summary for o in comparison.overlaps if o.summary != comparison.summary),
             *(gap.summary for _name, gap in palettes)]
    _print(args, {**dataclasses.asdict(comparison),
                  "palettes": [{"competitor": name, **dataclasses.asdict(gap)} for name, gap in palettes]}, "\n".join(lines))
    for note in notes:
        sys.stderr.write(f"warning: {note}\n")
    return 0


def cmd_research_trends(args) -> int:
    from studio.cli import _print
    from studio.core.research.library import import_trends

    momenta = import_trends(args.file)
    _print(args, [dataclasses.asdict(m) for m in momenta], "\n".join(m.explanation for m in momenta))
    return 0


def cmd_research_profile(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.ops.brand_rules import find_brand
    from studio.core.research.profile import get_brand_profile

    with open_library(args) as lib:
        profile = get_brand_profile(lib, find_brand(lib, args.brand)[0])
    competitors = [c.name + (f" ({c.website})" if c.website else "") for c in profile.competitors]
    fields = [("Website", [profile.website] if profile.website else []), ("Palette", profile.palette), ("Fonts", profile.fonts),
              ("Voice", profile.voice), ("Key messages", profile.key_messages), ("Audiences", profile.audiences),
              ("Competitors", competitors)]
    lines = [f"{profile.name} (brand {profile.brand_id})", *(f"{label}: {', '.join(values) or '-'}" for label, values in fields),
             f"Research documents: {profile.documents}"]
    _print(args, profile.as_dict(), "\n".join(lines))
    return 0


def cmd_research_model(args) -> int:
    from studio.cli import _print, open_library
    from studio.core.research import library

    with open_library(args) as lib:
        if args.model_action == "set":
            library.set_embedding_model(lib, args.folder)
        elif args.model_action == "clear":
            library.clear_embedding_model(lib)
        model = library.embedding_model(lib)
    e = model.embedder
    if e is not None:
        text = f"Embedding model: {model.folder} ({e.dimensions} dimensions); search blends it with word matches."
    elif model.folder:
        text = f"Embedding model {model.folder} is not used; search matches words only. {model.problem}"
    else:
        text = "No embedding model: search matches words only. Set one with `studio research model set FOLDER`."
    _print(args, model.as_dict(), text)
    return 0


COMMANDS = {
    ("research", "crawl"): cmd_research_crawl,
    ("research", "import"): cmd_research_import,
    ("research", "search"): cmd_research_search,
    ("research", "compare"): cmd_research_compare,
    ("research", "trends"): cmd_research_trends,
    ("research", "profile"): cmd_research_profile,
    ("research", "model"): cmd_research_model,
}
