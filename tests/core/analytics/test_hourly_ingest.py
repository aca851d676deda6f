"""Reports broken down by hour of day: the daily facts add the hours up, campaign_hours keeps the
hourly sums by campaign for the best-time map, and taking the import back takes both out.
meta_hourly_csv here builds the files the best-time tests read too."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from studio.core.analytics import store
from studio.core.analytics.ingest.sources import resolve
from studio.core.analytics.store import remove_import
from studio.core.db.raw import Raw
from tests.core.analytics.test_ingest import count, facts, run_ingest, write

META_HOURLY_HEADER = ("Reporting starts,Reporting ends,Account name,Campaign name,Ad set name,Ad name,Day,"
                      "Time of day (ad account time zone),Amount spent (EUR),Impressions,Link clicks,Clicks (all),Purchases,"
                      "Purchases conversion value")


def meta_hourly_csv(path: Path, rows, *, account: str = "Kestrel Coffee") -> Path:
    """rows: (campaign, ad, day, hour, spend, impressions, clicks, purchases); hours written as Ads Manager does
    ("09:00:00 - 09:59:59"), a totals row first, UTF-8 with a byte-order mark."""
    lines = [META_HOURLY_HEADER, ",,,,,,,," + ",".join(str(sum(r[i] for r in rows)) for i in (4, 5, 6, 6, 7)) + ",0"]
    for campaign, ad, day, hour, spend, impressions, clicks, purchases in rows:
        slot = f"{hour:02d}:00:00 - {hour:02d}:59:59"
        lines.append(f"{day},{day},{account},{campaign},Set A,{ad},{day},{slot},{spend},{impressions},{clicks},{clicks},"
                     f"{purchases},{purchases * 20}")
    return write(path, "\n".join(lines) + "\n", bom=codecs.BOM_UTF8)


HOURLY = [  # two ads of one campaign, two days, hours 9, 10 and 20
    ("Autumn", "Ad 1", "2026-11-05", 9, 10.0, 1000, 20, 1),
    ("Autumn", "Ad 1", "2026-11-05", 10, 12.0, 1200, 30, 0),
    ("Autumn", "Ad 1", "2026-11-05", 20, 20.0, 2000, 90, 3),
    ("Autumn", "Ad 2", "2026-11-05", 20, 5.0, 500, 10, 1),
    ("Autumn", "Ad 1", "2026-11-06", 9, 8.0, 800, 16, 0),
    ("Winter", "Ad 3", "2026-11-06", 20, 4.0, 400, 4, 0),
]


def hours(lib, columns: str = "campaign, date, hour, spend, impressions, clicks, conversions"):
    with lib.read() as conn:
        return Raw(conn).rows(f"SELECT {columns} FROM campaign_hours ORDER BY campaign, date, hour")


def test_an_hourly_report_adds_up_into_daily_facts_and_keeps_its_hours_by_campaign(lib, tmp_path):
    [report] = run_ingest(lib, meta_hourly_csv(tmp_path / "hourly.csv", HOURLY))
    assert report.imported and report.errors == []
    assert report.rows_added == 4 and report.rows_merged == 2  # Ad 1 on the 5th: three hours into one day
    assert facts(lib, "campaign, ad, date, spend, impressions, clicks, conversions") == [
        ("Autumn", "Ad 1", "2026-11-05", 42.0, 4200, 140, 4), ("Autumn", "Ad 2", "2026-11-05", 5.0, 500, 10, 1),
        ("Autumn", "Ad 1", "2026-11-06", 8.0, 800, 16, 0), ("Winter", "Ad 3", "2026-11-06", 4.0, 400, 4, 0)]
    with lib.read() as conn:
        days = Raw(conn).rows("SELECT campaign, date, spend FROM campaign_days ORDER BY campaign, date")
    assert [tuple(d) for d in days] == [("Autumn", "2026-11-05", 47.0), ("Autumn", "2026-11-06", 8.0), ("Winter", "2026-11-06", 4.0)]
    assert hours(lib) == [  # hour 20 of the 5th: both ads of the campaign
        ("Autumn", "2026-11-05", 9, 10.0, 1000, 20, 1), ("Autumn", "2026-11-05", 10, 12.0, 1200, 30, 0),
        ("Autumn", "2026-11-05", 20, 25.0, 2500, 100, 4), ("Autumn", "2026-11-06", 9, 8.0, 800, 16, 0),
        ("Winter", "2026-11-06", 20, 4.0, 400, 4, 0)]
    assert {r[0] for r in hours(lib, "batch_id, account, currency")} == {report.batch_id}
    assert set(hours(lib, "account, currency")) == {("Kestrel Coffee", "EUR")}


def test_reimporting_an_hourly_report_never_counts_an_hour_twice(lib, tmp_path):
    path = meta_hourly_csv(tmp_path / "hourly.csv", HOURLY)
    run_ingest(lib, path)
    before = hours(lib)
    [again] = run_ingest(lib, path)
    assert again.imported and again.rows_unchanged == 4 and hours(lib) == before
    assert {r[0] for r in hours(lib, "batch_id")} == {again.batch_id}  # the newest import holds them


def test_remove_import_takes_its_hours_out(lib, tmp_path):
    [first] = run_ingest(lib, meta_hourly_csv(tmp_path / "first.csv", HOURLY[:4]))
    [second] = run_ingest(lib, meta_hourly_csv(tmp_path / "second.csv", HOURLY[4:]))
    assert count(lib, "campaign_hours") == 5
    remove_import(lib, second.batch_id)
    assert hours(lib, "date, hour") == [("2026-11-05", 9), ("2026-11-05", 10), ("2026-11-05", 20)]
    remove_import(lib, first.batch_id)
    assert count(lib, "campaign_hours") == store.fact_count(lib) == count(lib, "campaign_days") == 0


def test_a_google_report_by_hour_of_day(lib, tmp_path):
    content = "\n".join([
        "Campaign performance", '"November 1, 2026 - November 30, 2026"',
        "Campaign,Day,Hour of day,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value",
        'Search,2026-11-05,0,USD,"1,000",10,5.00,1,20.00',
        "Search,2026-11-05,23,USD,400,8,2.50,0,0.00",
        "Total: Account,--,--,--,\"1,400\",18,7.50,1,20.00"]) + "\n"
    [report] = run_ingest(lib, write(tmp_path / "google.csv", content))
    assert report.imported and report.rows_added == 1 and report.rows_merged == 1
    assert facts(lib, "campaign, spend, impressions, clicks") == [("Search", 7.5, 1400, 18)]
    assert hours(lib, "campaign, hour, impressions") == [("Search", 0, 1000), ("Search", 23, 400)]


def test_a_mapping_can_name_the_hour_column(lib, tmp_path):
    path = write(tmp_path / "snap.csv", "Day,Hour,Campaign,Spend\n2026-11-05,07:00,Snap,3.0\n2026-11-05,8,Snap,4.0\n")
    mapping = {"platform": "snapchat", "currency": "EUR",
               "columns": {"date": "Day", "hour": "Hour", "campaign": "Campaign", "spend": "Spend"}}
    [report] = run_ingest(lib, path, mapping=mapping)
    assert report.imported, report.error
    assert hours(lib, "platform, hour, spend") == [("snapchat", 7, 3.0), ("snapchat", 8, 4.0)]


@pytest.mark.parametrize("header", ["Time of day (viewer's time zone)", "Time of day (viewer’s time zone)",
                                   "Tageszeit (Zeitzone des Werbekontos)"])
def test_meta_hour_columns_are_recognised(header):
    cells = ["Campaign name", "Day", header, "Amount spent (EUR)", "Impressions"]
    layout = resolve(cells)
    assert layout.source.name == "meta" and layout.columns["hour"] == 2


def test_unreadable_hours_are_listed_and_nothing_is_imported(lib, tmp_path):
    path = meta_hourly_csv(tmp_path / "bad.csv", HOURLY[:3])
    content = path.read_text(encoding="utf-8-sig").replace("10:00:00 - 10:59:59", "noon")
    content = content.replace("20:00:00 - 20:59:59", "25:00:00 - 25:59:59")
    [report] = run_ingest(lib, write(path, content))
    assert not report.imported
    assert report.errors == [
        {"line": 4, "column": "Time of day (ad account time zone)",
         "why": "'noon' is not an hour of day (like 09:00:00 - 09:59:59 or 9)"},
        {"line": 5, "column": "Time of day (ad account time zone)",
         "why": "'25:00:00 - 25:59:59' is not an hour of day (like 09:00:00 - 09:59:59 or 9)"}]
    assert count(lib, "campaign_hours") == store.fact_count(lib) == count(lib, "import_batches") == 0
