"""Ingesting platform performance reports, as a job:

    report = ingest(IngestParams(library_root, [path, …], mapping=None, currency=None), JobState())

Each file goes in whole or not at all: a file with unreadable rows imports nothing and its
report lists every bad cell (line, column, why); a file the studio cannot place (an unknown
source without a mapping, a truncated or empty file) gets a message saying what to do. A
mapping given with the files is remembered for reports with the same header layout.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from studio.core.analytics import store
from studio.core.analytics.ingest.facts import to_facts
from studio.core.analytics.ingest.sniff import Sniffed, read_table, sniff
from studio.core.analytics.ingest.sources import BUILT_IN, Layout, Source, header_signature, mapping_source, match, resolve, score
from studio.core.errors import BadInput
from studio.core.jobs import JobState

_TOTALLING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-totals")
TOTALS = ("spend", "impressions", "clicks", "conversions", "conversion_value")


@dataclass
class IngestParams:
    library_root: str
    paths: list[str]
    mapping: dict | None = None  # a column mapping document (see sources.mapping_source)
    currency: str | None = None  # for reports that never say theirs


@dataclass
class FileReport:
    file: str
    imported: bool = False
    source: str | None = None
    sheet: str | None = None
    batch_id: int | None = None
    rows_added: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0  # already stored with the same numbers
    rows_merged: int = 0  # breakdown rows added into their day's fact
    skipped: list[dict] = field(default_factory=list)  # {"line", "reason"}
    errors: list[dict] = field(default_factory=list)  # {"line", "column", "why"}: nothing was imported
    error: str | None = None  # the whole file could not be read
    date_from: str | None = None
    date_to: str | None = None
    totals: list[dict] = field(default_factory=list)  # per platform and currency, never summed across currencies
    mapping_saved: bool = False


def ingest(params: IngestParams, state: JobState, lib=None) -> list[FileReport]:
    """Import every file (each whole or not at all); returns one FileReport per file."""
    if lib is None:
        from studio.core.library import Library

        with Library.open(params.library_root, lock=False) as own:
            return ingest(params, state, own)
    given = mapping_source(params.mapping, "given with --mapping") if params.mapping is not None else None
    remembered = {sig: mapping_source(doc, f"remembered for {sig}") for sig, doc in store.stored_mappings(lib).items()}
    reports = []
    for index, path in enumerate(params.paths):
        state.check()
        state.set_status(f"Importing {Path(path).name}")
        report = FileReport(str(path))
        try:
            share = _part(state, index / len(params.paths), (index + 1) / len(params.paths))
            _ingest_file(lib, Path(path), params, given, remembered, report, share)
        except BadInput as exc:
            report.error = str(exc)
        reports.append(report)
    state.set_progress(1.0)
    return reports


def _layout(sniffed: Sniffed, given: Source | None, remembered: dict[str, Source]) -> Layout:
    signature = header_signature(sniffed.header)
    if given is not None:
        layout = match(given, sniffed.header)
        if layout is None:
            raise BadInput(f"{sniffed.name}: the mapping given with --mapping names columns this file does not have "
                           f"(its columns are {', '.join(map(str, sniffed.header))}). Nothing was imported.")
        return layout
    if signature in remembered and (layout := match(remembered[signature], sniffed.header)):
        return layout
    layout = resolve(sniffed.header)
    if layout is None:
        raise BadInput(
            f"{sniffed.name} is not a report layout this studio knows (columns: {', '.join(map(str, sniffed.header))}). "
            "Give a column mapping with --mapping MAPPING.json saying which column holds the date, campaign and spend, "
            'e.g. {"platform": "snapchat", "columns": {"date": "Day", "campaign": "Campaign", "spend": "Spend"}, '
            '"currency": "EUR"}. It is remembered for files like this one. Nothing was imported.')
    return layout


def _ingest_file(lib, path: Path, params, given, remembered, report: FileReport, state: JobState) -> None:
    sources = [*BUILT_IN, *remembered.values(), *([given] if given else [])]
    sniffed = sniff(path, lambda cells: max(score(s, cells) for s in sources))
    layout = _layout(sniffed, given, remembered)
    report.source, report.sheet = layout.source.name, sniffed.sheet
    state.set_progress(0.1)
    state.check()
    # ";" is the separator of locales that write decimal commas: there pandas would take "10.000" for ten, so
    # every number goes through normalize, which decides each column's decimal mark from all its values
    comma_default = sniffed.separator == ";"
    text, other = layout.text_positions(), layout.other_positions()
    table = read_table(sniffed, text, other, numbers_as_text=comma_default)
    state.set_progress(0.3)
    state.check()
    facts = to_facts(table, layout, comma_default=comma_default, currency=params.currency, name=path.name)
    report.skipped, report.rows_merged = facts.skipped, facts.merged
    if facts.errors:
        report.errors = [e.as_dict() for e in facts.errors]
        return
    if facts.frame.empty:
        raise BadInput(f"{path.name} has a header but no rows of data. Download the report again with a date range that "
                       "has data. Nothing was imported.")
    state.set_progress(0.5)
    totals = _TOTALLING.submit(_totals, facts.frame)  # added up on the other core while the store writes
    written = store.write_batch(lib, facts.frame, file_name=path.name, sha256=sniffed.sha256, source=layout.source.name,
                                skipped=len(facts.skipped), state=_part(state, 0.5, 1.0))
    report.imported, report.batch_id = True, written.batch_id
    report.rows_added, report.rows_replaced, report.rows_unchanged = written.added, written.replaced, written.unchanged
    report.date_from, report.date_to = facts.frame["date"].min(), facts.frame["date"].max()
    report.totals = totals.result()
    if given is not None:
        store.save_mapping(lib, header_signature(sniffed.header), params.mapping)
        report.mapping_saved = True


def _part(state: JobState, start: float, end: float) -> JobState:
    """A state for the stretch start..end of a job's progress, sharing its Cancel."""
    part = JobState(lambda: state.set_progress(start + (end - start) * (part.progress or 0)), state.cancel_event)
    return part


def _totals(frame: pd.DataFrame) -> list[dict]:
    sums = frame.groupby(["platform", "currency"], observed=True)[list(TOTALS)].sum(min_count=1)
    return sorted(({"platform": p, "currency": c, **{k: (None if pd.isna(v) else round(float(v), 2)) for k, v in row.items()}}
                   for (p, c), row in sums.iterrows()), key=lambda t: (t["platform"], t["currency"]))  # by name, not code
