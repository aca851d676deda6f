"""Pulling daily performance facts from the ad platforms' APIs, as jobs:

    report = pull_meta(PullParams(library_root, ["act_123"], "2026-11-01", "2026-11-07"), JobState())
    report = pull_google(PullParams(library_root, ["123-456-7890"], "2026-11-01", "2026-11-07"), JobState())

Credentials come from the keyring (studio.core.secrets). Every page is fetched before anything
is written; then the rows go in as one import batch through the same write path as a report
file (studio.core.analytics.store.write_batch), so a re-pull of the same or an overlapping
range replaces rows rather than counting them twice, and a Cancel or an error writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from studio.core.analytics import store
from studio.core.analytics.ingest import _part, _totals
from studio.core.analytics.ingest.facts import Facts, _merge_duplicates
from studio.core.errors import BadInput
from studio.core.jobs import JobState


@dataclass
class PullParams:
    library_root: str
    accounts: list[str]  # Meta ad account ids (act_123 or 123); Google Ads customer ids (123-456-7890)
    date_from: str  # YYYY-MM-DD, both days included
    date_to: str
    endpoint: str | None = None  # another address for the platform's API: a proxy, or a local test server
    token_uri: str | None = None  # Google only: another OAuth token endpoint (a local test server)
    conversion_actions: tuple[str, ...] = ("offsite_conversion.fb_pixel_purchase", "purchase")  # Meta only


@dataclass
class PullReport:
    platform: str
    accounts: list[str]
    date_from: str
    date_to: str
    pages: int = 0
    rows: int = 0
    batch_id: int | None = None  # None when the platform had no rows for the range
    rows_added: int = 0
    rows_replaced: int = 0
    rows_unchanged: int = 0
    totals: list[dict] = field(default_factory=list)  # per platform and currency


def days(params: PullParams) -> tuple[date, date]:
    """The pull's range, checked."""
    try:
        first, last = date.fromisoformat(params.date_from), date.fromisoformat(params.date_to)
    except (TypeError, ValueError):
        raise BadInput(f"The range {params.date_from!r} to {params.date_to!r} is not two dates; write them as YYYY-MM-DD.") from None
    if first > last:
        raise BadInput(f"The range starts ({first}) after it ends ({last}); give the earlier day first.")
    if not params.accounts:
        raise BadInput("Name at least one account to pull (--account ID).")
    return first, last


def range_progress(state: JobState, first: date, last: date, part: int = 0, parts: int = 1) -> Callable[[str], None]:
    """Progress of the part-th of parts accounts of a pull, by the latest day seen (platforms return
    the days roughly in order); the last tenth of the job is the write."""
    span, latest = (last - first).days + 1, [first]

    def seen(day: str) -> None:
        latest[0] = max(latest[0], date.fromisoformat(day))
        state.set_progress(0.9 * (part + ((latest[0] - first).days + 1) / span) / parts)

    return seen


def saved_credentials(service: str, secrets=None) -> dict[str, str]:
    """The service's fields from the keyring (secrets: an unlocked SecretStore; default: the user's)."""
    from studio.core.secrets import SERVICES, SecretStore

    fields = (secrets if secrets is not None else SecretStore()).get_fields(service)
    if not any(fields.values()):
        raise BadInput(f"No {SERVICES[service].title} credentials are saved: add them in Settings ▸ Accounts & keys, then pull again.")
    return fields


def redact(text: str, secrets: Iterable[str]) -> str:
    for value in secrets:
        if value:
            text = text.replace(value, "[secret]")
    return text


def library_job(params: PullParams, lib, work: Callable):
    """work(lib) on the given library, or on the one at params.library_root opened for the job."""
    if lib is not None:
        return work(lib)
    from studio.core.library import Library

    with Library.open(params.library_root, lock=False) as own:
        return work(own)


def write_pulled(lib, rows: list[dict], report: PullReport, source: str, state: JobState) -> PullReport:
    """Store the pulled rows (dicts with the keys of store.COLUMNS but source_line) as one import
    batch named after the pull; its hash is that of the rows, so equal pulls have equal hashes."""
    report.rows = len(rows)
    if not rows:
        state.set_progress(1.0)
        return report
    frame = pd.DataFrame(rows).assign(source_line=range(1, len(rows) + 1))
    frame = frame.reindex(columns=list(store.COLUMNS))
    for metric in store.METRICS:
        frame[metric] = pd.to_numeric(frame[metric], errors="coerce").astype(float)
    frame["spend"] = frame["spend"].fillna(0.0)
    # the key holds names, not ids: two ads of one ad group with the same name become one fact, as in a report file
    frame = _merge_duplicates(Facts(frame)).frame
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
    name = f"{source} {', '.join(report.accounts)} {report.date_from}..{report.date_to}"
    written = store.write_batch(lib, frame, file_name=name, sha256=digest, source=source, skipped=0,
                                  state=_part(state, 0.9, 1.0))
    report.batch_id, report.rows_added = written.batch_id, written.added
    report.rows_replaced, report.rows_unchanged = written.replaced, written.unchanged
    report.totals = _totals(frame)
    state.set_progress(1.0)
    return report

