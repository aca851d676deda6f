"""Ingest as a job: provenance, re-imports that never double count, removing an import, Cancel.
The report builders here (files as the platforms' UI downloads write them) serve the other analytics tests too."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from studio.core.analytics import store
from studio.core.analytics.ingest import IngestParams, ingest
from studio.core.analytics.store import list_imports, remove_import
from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState

META_HEADER = ("Reporting starts,Reporting ends,Campaign name,Ad set name,Ad name,Day,Amount spent ({cur}),Impressions,Reach,"
               "Frequency,Link clicks,Clicks (all),Purchases,Purchases conversion value")


def write(path: Path, content: str, encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bom + content.encode(encoding))
    return path


def meta_csv(path: Path, rows, currency: str = "USD") -> Path:
    """rows: (campaign, ad set, ad, day, spend, impressions, reach, link clicks, clicks, purchases, value); a totals row
    (no campaign name) comes first, as Ads Manager writes it; UTF-8 with a byte-order mark."""
    total = [sum(r[i] for r in rows) for i in range(4, 11)]
    lines = [META_HEADER.format(cur=currency), ",,,,,," + ",".join(str(v) for v in total[:3]) + ",1.5," + ",".join(str(v) for v in total[3:])]
    for c, s, a, day, spend, imp, reach, link, clicks, purch, value in rows:
        lines.append(f"2026-11-01,2026-11-30,{c},{s},{a},{day},{spend},{imp},{reach},1.2,{link},{clicks},{purch},{value}")
    return write(path, "\n".join(lines) + "\n", bom=codecs.BOM_UTF8)


def google_report(path: Path, rows, *, utf16_tsv: bool = False) -> Path:
    """rows: (campaign, day, currency, impressions, clicks, cost, conversions, conv value) as the UI writes them
    (strings: "1,234", "--"). Title and date-range lines first, Total rows last."""
    sep = "\t" if utf16_tsv else ","
    quote = (lambda v: v) if utf16_tsv else (lambda v: f'"{v}"' if "," in v else v)
    head = ["Campaign performance", '"November 1, 2026 - November 30, 2026"' if not utf16_tsv else "November 1, 2026 - November 30, 2026",
            sep.join(["Campaign", "Day", "Campaign status", "Currency code", "Impr.", "Clicks", "CTR", "Avg. CPC", "Cost",
                      "Conversions", "Conv. value"])]
    body = [sep.join(quote(v) for v in (c, day, "Enabled", cur, imp, clicks, "6.00%", "0.52", cost, conv, value))
            for c, day, cur, imp, clicks, cost, conv, value in rows]
    totals = [sep.join(quote(v) for v in (label, "--", "--", "--", "9,999", "999", "6.00%", "--", "9,999.00", "99", "--"))
              for label in ("Total: Account", "Total: Search", "Total: Campaigns")]
    content = "\n".join(head + body + totals) + "\n"
    if utf16_tsv:
        return write(path, content, "utf-16-le", codecs.BOM_UTF16_LE)
    return write(path, content)


def tiktok_csv(path: Path, rows) -> Path:
    """rows: (campaign, ad group, ad, date, currency, cost, impressions, reach, clicks, conversions, value, video views)."""
    lines = ["Campaign name,Ad group name,Ad name,Date,Currency,Cost,Impressions,Reach,Clicks,Conversions,Total purchase value,Video views"]
    lines += [",".join(map(str, r)) for r in rows]
    return write(path, "\n".join(lines) + "\n")


def run_ingest(lib, *paths, mapping=None, currency=None):
    return ingest(IngestParams(str(lib.root), [str(p) for p in paths], mapping, currency), JobState(), lib)


def facts(lib, columns: str = "platform, campaign, date, currency, spend, impressions, clicks, conversions, conversion_value",
          order: str = "platform, campaign, date, currency, ad"):
    """The stored facts as tuples of these columns (None where a report had no value), sorted by order."""
    frame = store.facts(lib).sort_values([c.strip() for c in order.split(",")])
    frame = frame[[c.strip() for c in columns.split(",")]].astype(object)
    return list(frame.where(frame.notna(), None).itertuples(index=False, name=None))


def count(lib, table: str) -> int:
    with lib.read() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


ROWS = [
    ("Autumn", "Set A", "Ad 1", "2026-11-01", 100.25, 20000, 15000, 200, 260, 6, 600.5),
    ("Autumn", "Set A", "Ad 1", "2026-11-02", 50.25, 10000, 8000, 100, 140, 4, 300.0),
    ("Autumn", "Set B", "Ad 2", "2026-11-02", 20.0, 4000, 3900, 30, 41, 1, 80.0),
    ("Winter", "Set C", "Ad 3", "2026-11-03", 10.0, 1000, 900, 12, 15, 0, 0.0),
]


def test_a_meta_export_is_stored_with_its_provenance(lib, tmp_path):
    path = meta_csv(tmp_path / "meta.csv", ROWS)
    [report] = run_ingest(lib, path)
    assert report.imported and report.source == "meta" and report.error is None and report.errors == []
    assert (report.rows_added, report.rows_replaced, report.rows_unchanged) == (4, 0, 0)
    assert report.skipped == [{"line": 2, "reason": "a totals row (no campaign name)"}]
    assert (report.date_from, report.date_to) == ("2026-11-01", "2026-11-03")
    assert report.totals == [{"platform": "meta", "currency": "USD", "spend": 180.5, "impressions": 35000.0, "clicks": 456.0,
                              "conversions": 11.0, "conversion_value": 980.5}]
    assert facts(lib, "campaign, ad_group, ad, date, currency, spend, impressions, reach, link_clicks, clicks, conversions, "
                      "conversion_value, video_views, source_line")[0] == (
        "Autumn", "Set A", "Ad 1", "2026-11-01", "USD", 100.25, 20000, 15000, 200, 260, 6, 600.5, None, 3)
    [batch] = {f[0] for f in facts(lib, "batch_id")}
    with lib.read() as conn:
        sha, source, name = conn.execute(text("SELECT file_sha256, source, file_name FROM import_batches WHERE id = :b"), {"b": batch}).one()
    assert (sha, source, name) == (hashlib.sha256(path.read_bytes()).hexdigest(), "meta", "meta.csv")


def test_reimporting_the_same_file_adds_nothing(lib, tmp_path):
    path = meta_csv(tmp_path / "meta.csv", ROWS)
    run_ingest(lib, path)
    before = facts(lib)
    [again] = run_ingest(lib, path)
    assert again.imported and (again.rows_added, again.rows_replaced, again.rows_unchanged) == (0, 0, 4)
    assert facts(lib) == before and store.fact_count(lib) == 4


def test_an_overlapping_file_replaces_changed_days_and_adds_new_ones(lib, tmp_path):
    run_ingest(lib, meta_csv(tmp_path / "first.csv", ROWS[:3]))
    later = [ROWS[1], ROWS[2][:4] + (25.0,) + ROWS[2][5:], ROWS[3]]  # day 2 again, Set B restated, day 3 new
    [report] = run_ingest(lib, meta_csv(tmp_path / "second.csv", later))
    assert (report.rows_added, report.rows_replaced, report.rows_unchanged) == (1, 1, 1)
    assert sum(f[0] for f in facts(lib, "spend")) == 100.25 + 50.25 + 25.0 + 10.0
    assert sorted(facts(lib, "date, ad, batch_id")) == [("2026-11-01", "Ad 1", 1), ("2026-11-02", "Ad 1", 1), ("2026-11-02", "Ad 2", 2),
                                                        ("2026-11-03", "Ad 3", 2)]


def test_remove_import_takes_its_facts_back_out(lib, tmp_path):
    run_ingest(lib, meta_csv(tmp_path / "first.csv", ROWS[:2]))
    [second] = run_ingest(lib, meta_csv(tmp_path / "second.csv", ROWS[2:]))
    assert [b.facts for b in list_imports(lib)] == [2, 2]
    assert remove_import(lib, second.batch_id) == 2
    assert [f[2] for f in facts(lib)] == ["2026-11-01", "2026-11-02"] and [b.id for b in list_imports(lib)] == [1]
    with pytest.raises(BadInput, match="no import 99"):
        remove_import(lib, 99)
    with lib.read() as conn:
        assert "Remove imported report second.csv" in conn.execute(text("SELECT action FROM audit_events")).scalars().all()


def test_rows_of_a_breakdown_add_up_into_one_daily_fact(lib, tmp_path):
    by_age = [("Autumn", "Set A", "Ad 1", "2026-11-01", 10.0, 1000, 800, 10, 12, 1, 50.0),
              ("Autumn", "Set A", "Ad 1", "2026-11-01", 5.0, 500, 450, 5, 6, 0, 0.0)]
    [report] = run_ingest(lib, meta_csv(tmp_path / "ages.csv", by_age))
    assert report.rows_added == 1 and report.rows_merged == 1
    assert facts(lib, "spend, impressions, reach, clicks") == [(15.0, 1500, 800, 18)]


class CancelAfter:
    """A Cancel flag the user presses at the n-th look: deterministic, unlike a timer."""

    def __init__(self, looks: int):
        self.looks = looks

    def is_set(self) -> bool:
        self.looks -= 1
        return self.looks < 0

    def set(self) -> None:
        self.looks = 0


def test_cancel_while_writing_leaves_nothing(lib, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "CHUNK", 1)
    flag = CancelAfter(5)  # the job looks before the file, after sniffing and reading, before writing, then before each chunk
    with pytest.raises(Cancelled):
        ingest(IngestParams(str(lib.root), [str(meta_csv(tmp_path / "meta.csv", ROWS))]), JobState(cancel_event=flag), lib)
    assert flag.looks == -1  # it stopped at the second chunk of three (one per ad)
    assert store.fact_count(lib) == count(lib, "import_batches") == 0


def test_the_job_opens_the_library_itself(tmp_path, new_library):
    new_library(tmp_path / "lib").close()
    [report] = ingest(IngestParams(str(tmp_path / "lib"), [str(meta_csv(tmp_path / "meta.csv", ROWS))]), JobState())
    assert report.imported and report.rows_added == 4
