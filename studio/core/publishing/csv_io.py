"""The schedule as CSV: export a campaign's (or a date range's) posts, and import a bulk schedule.

Import columns (header names are case- and space-insensitive):
    channel       the channel's name, or platform:account ("meta:1234567890")
    title         the post's title
    local_time    the wall clock in the channel's zone (ISO "2027-03-28 09:30" or a common format;
                  empty: not on the calendar yet); also accepted as "local time", "time"
    kind          post (default) or ad
    asset         an asset's name in the library;  composition: a composition's name
    spec          the placement, e.g. meta.feed_image
    any other     copy, by field name: headline, primary_text, description, ...
The export's read-only columns (channel_name, timezone, status, due_utc) are ignored, so an
exported file imports again. Import is all or nothing: every row is checked first, and any bad row
stops it with a report of all of them; the posts are added as one undo step."""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from studio.core.db.models import Asset, Campaign, Channel, CompositionRow
from studio.core.errors import BadInput
from studio.core.ops import publishing as ops
from studio.core.publishing import write_file_atomically
from studio.core.publishing.calendar import PostView, list_posts
from studio.core.publishing.timezones import check_future, parse_local, to_utc

FIELDS = ("channel", "title", "local_time", "kind", "asset", "composition", "spec")
READ_ONLY = ("channel_name", "timezone", "status", "due_utc")
ALIASES = {"local time": "local_time", "time": "local_time", "platform_account": "channel", "placement": "spec"}
COPY_ORDER = ("headline", "primary_text", "description")
MAX_REPORTED = 25


# ---- export -----------------------------------------------------------------------------------
def _row(post: PostView, names: dict) -> dict:
    return {
        "channel": f"{post.platform}:{names['account'][post.channel_id]}", "channel_name": post.channel_name,
        "title": post.title, "local_time": post.local_time.strftime("%Y-%m-%d %H:%M") if post.local_time else "",
        "timezone": post.timezone, "kind": post.kind, "asset": names["asset"].get(post.asset_id, ""),
        "composition": names["composition"].get(post.composition_id, ""), "spec": post.spec_id or "",
        "status": post.shown_status, "due_utc": post.due_at.strftime("%Y-%m-%d %H:%M") if post.due_at else "",
        **post.copy,
    }


def schedule_csv(lib, *, campaign_id: int | None = None, date_from=None, date_to=None) -> tuple[str, int]:
    """The schedule as CSV text and its number of posts: a campaign's (every post, those without
    a time last) or a date range's, or a campaign's within a range."""
    if campaign_id is None and (date_from is None or date_to is None):
        raise BadInput("Say which schedule to export: a campaign, or a date range (from and to).")
    whole = date_from is None and date_to is None
    posts = list_posts(lib, date_from or datetime.min, date_to or datetime.max, campaign_id=campaign_id,
                       include_unscheduled=whole, with_warnings=False)
    with lib.read() as conn:
        names = {
            "account": dict(conn.execute(select(Channel.id, Channel.account)).all()),
            "asset": dict(conn.execute(select(Asset.id, Asset.name).where(Asset.id.in_({p.asset_id for p in posts}))).all()),
            "composition": dict(conn.execute(select(CompositionRow.id, CompositionRow.name)
                                             .where(CompositionRow.id.in_({p.composition_id for p in posts}))).all()),
        }
    copy_fields = sorted({k for p in posts for k in p.copy}, key=lambda k: (k not in COPY_ORDER, COPY_ORDER.index(k) if k in COPY_ORDER else 0, k))
    out = io.StringIO()
    writer = csv.DictWriter(out, [*FIELDS[:2], "channel_name", *FIELDS[2:3], "timezone", *FIELDS[3:], "status", "due_utc", *copy_fields],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(_row(p, names) for p in posts)
    return out.getvalue(), len(posts)


def export_csv(lib, out: Path, **which) -> int:
    """Write schedule_csv(lib, **which) to `out` atomically; returns the number of posts."""
    text, count = schedule_csv(lib, **which)
    write_file_atomically(Path(out), text.encode("utf-8"))
    return count


# ---- import -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportedRow:
    line: int
    post_id: int
    title: str
    channel: str
    local_time: str  # "" when not on the calendar
    note: str = ""  # e.g. a wall clock that happens twice


@dataclass(frozen=True)
class ImportReport:
    file: str
    rows: list[ImportedRow]

    def as_dict(self) -> dict:
        return {"file": self.file, "imported": len(self.rows), "rows": [asdict(r) for r in self.rows]}


def _header(name: str) -> str:
    name = (name or "").strip().lower()
    return ALIASES.get(name, name.replace(" ", "_"))


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"There is no file {path}; check the path.") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path} is not UTF-8 text; save it from your spreadsheet as CSV UTF-8 and import that.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [_header(h) for h in next(reader, [])]
    missing = [c for c in ("channel", "title") if c not in header]
    if missing:
        raise BadInput(f"{Path(path).name} needs the columns {', '.join(missing)}; its header is: {', '.join(header) or '(empty)'}. "
                       f"The columns are: {', '.join(FIELDS)} and copy fields such as headline, primary_text.")
    rows = []
    for values in reader:
        if any(v.strip() for v in values):
            rows.append((reader.line_num, {h: v.strip() for h, v in zip(header, values) if h}))
    if not rows:
        raise BadInput(f"{Path(path).name} has a header but no rows; add one row per post.")
    return header, rows


class _Resolver:
    """Finds what a row names, in the campaign's brand and the library."""

    def __init__(self, lib, campaign_id: int):
        from studio.core.specs.catalog import load_catalog

        with lib.read() as conn:
            brand_id = conn.execute(select(Campaign.brand_id).where(Campaign.id == campaign_id)).scalar()
            self.channels = conn.execute(select(Channel.id, Channel.name, Channel.platform, Channel.account, Channel.timezone)
                                         .where(Channel.brand_id == brand_id).order_by(Channel.name)).all()
            self.assets = conn.execute(select(Asset.id, Asset.name, Asset.campaign_id).where(Asset.trashed_at.is_(None))).all()
            self.compositions = conn.execute(select(CompositionRow.id, CompositionRow.name, CompositionRow.campaign_id)).all()
        self.campaign_id = campaign_id
        self.catalog = load_catalog(lib)

    def channel(self, ref: str):
        if not ref:
            raise BadInput("no channel given")
        platform, sep, account = ref.partition(":")
        if sep:
            platform = platform.strip().lower()
            if platform not in ops.PLATFORMS:
                raise BadInput(f"unknown platform {platform!r}; use one of {', '.join(ops.PLATFORMS)}")
            found = [c for c in self.channels if c.platform == platform and c.account == account.strip()]
        else:
            found = [c for c in self.channels if c.name.casefold() == ref.casefold()]
        if not found:
            known = ", ".join(f"{c.name} ({c.platform}:{c.account})" for c in self.channels) or "none yet (add one with `studio calendar add-channel`)"
            raise BadInput(f"no channel {ref!r} on the campaign's brand; its channels: {known}")
        return found[0]

    def named(self, rows, name: str, what: str) -> int:
        found = [r for r in rows if r.name.casefold() == name.casefold()]
        own = [r for r in found if r.campaign_id == self.campaign_id]
        found = own or found
        if not found:
            raise BadInput(f"no {what} named {name!r} in the library")
        if len(found) > 1:
            raise BadInput(f"{len(found)} {what}s are named {name!r}; rename one so the name says which")
        return found[0].id


def _post_fields(row: dict, resolve: _Resolver) -> tuple[dict, str]:
    """create_posts' fields for one row, and its note; BadInput says what is wrong with it."""
    channel = resolve.channel(row.get("channel", ""))
    fields = {"channel_id": channel.id, "title": row.get("title", ""), "kind": row.get("kind") or "post",
              "copy": {k: v for k, v in row.items() if k not in FIELDS and k not in READ_ONLY and v}}
    if not fields["title"]:
        raise BadInput("no title")
    if fields["kind"] not in ops.KINDS:
        raise BadInput(f"kind {fields['kind']!r} is neither post nor ad")
    note = ""
    if row.get("local_time"):
        local = parse_local(row["local_time"])
        check_future(local, channel.timezone)
        note = to_utc(local, channel.timezone)[1] or ""
        fields["local_time"] = local
    if row.get("asset"):
        fields["asset_id"] = resolve.named(resolve.assets, row["asset"], "asset")
    if row.get("composition"):
        fields["composition_id"] = resolve.named(resolve.compositions, row["composition"], "composition")
    if row.get("spec"):
        fields["spec_id"] = resolve.catalog.get(row["spec"]).id
    return fields, note


def import_csv(lib, path: Path, campaign: str | int):
    """Add every row of the CSV as a draft post of the campaign (by name or id), as one undo step,
    or nothing when any row is bad (BadInput lists each bad row). The OpResult's value is an
    ImportReport."""
    from studio.core.export.plan import find_campaign

    campaign_id, _ = find_campaign(lib, campaign)
    _, rows = _read(path)
    resolve = _Resolver(lib, campaign_id)
    good, problems = [], []
    for line, row in rows:
        try:
            good.append((line, *_post_fields(row, resolve)))
        except BadInput as exc:
            problems.append(f"row {line}: {str(exc).rstrip('.')}")
    if problems:
        more = f"\n  … and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise BadInput(f"Nothing was imported from {Path(path).name}: {len(problems)} of {len(rows)} rows need fixing.\n  "
                       + "\n  ".join(problems[:MAX_REPORTED]) + more)
    result = ops.create_posts(lib, campaign_id, [fields for _, fields, _ in good],
                              label=f"Import {len(good)} posts from {Path(path).name}")
    names = {c.id: c.name for c in resolve.channels}
    report = ImportReport(str(path), [
        ImportedRow(line, post_id, fields["title"], names[fields["channel_id"]],
                    fields["local_time"].strftime("%Y-%m-%d %H:%M") if "local_time" in fields else "", note)
        for (line, fields, note), post_id in zip(good, result.value)])
    return dataclasses.replace(result, value=report)
