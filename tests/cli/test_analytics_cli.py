"""`studio analytics` as a user runs it: ingest, imports, remove-import, kpis, anomalies, forecast,
attribution, budget, abtest and segments."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest
from statsmodels.stats.proportion import proportions_ztest

from tests.cli.test_cli import studio
from tests.core.analytics.test_anomalies import daily_facts
from tests.core.analytics.test_budget import synthetic as budget_synthetic
from tests.core.analytics.test_ingest import ROWS, google_report, meta_csv, tiktok_csv, write
from tests.core.analytics.test_segments import orders as planted_orders
from tests.core.analytics.test_segments import write_orders


def test_ingest_then_kpis(tmp_path):
    lib = tmp_path / "lib"
    meta = meta_csv(tmp_path / "meta.csv", ROWS, currency="EUR")
    google = google_report(tmp_path / "google.csv", [("Brand", "2026-11-03", "EUR", "1,000", "50", "25.00", "2", "80.00")])
    out = studio("analytics", "ingest", meta, google, "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert (doc["rows_added"], doc["rows_skipped"], doc["date_from"], doc["date_to"]) == (5, 4, "2026-11-01", "2026-11-03")
    assert [(t["platform"], t["currency"], t["spend"]) for t in doc["totals"]] == [("google", "EUR", 25.0), ("meta", "EUR", 180.5)]
    assert [f["skipped"][0]["reason"] for f in doc["files"]] == ["a totals row (no campaign name)", "a summary row (Total: Account)"]

    again = json.loads(studio("analytics", "ingest", meta, "--library", lib, "--json").stdout)
    assert (again["rows_added"], again["rows_unchanged"]) == (0, 4)

    out = studio("analytics", "kpis", "--by", "platform", "--from", "2026-11-02", "--to", "2026-11-03", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    by_platform = {r["platform"]: r for r in json.loads(out.stdout)}
    assert by_platform["meta"]["spend"] == 80.25 and by_platform["meta"]["spend_prev"] == 100.25
    assert by_platform["google"]["ctr"] == 0.05 and by_platform["google"]["spend_prev"] is None
    text = studio("analytics", "kpis", "--by", "campaign,day", "--library", lib).stdout
    assert "Autumn / 2026-11-01  EUR: spend 100.25" in text

    listed = json.loads(studio("analytics", "imports", "--library", lib, "--json").stdout)
    assert [(b["file_name"], b["facts"]) for b in listed] == [("meta.csv", 4), ("google.csv", 1), ("meta.csv", 0)]
    removed = studio("analytics", "remove-import", str(listed[1]["id"]), "--library", lib, "--json")
    assert json.loads(removed.stdout) == {"batch_id": listed[1]["id"], "facts_removed": 1}


def test_bad_files_exit_2_with_what_to_do(tmp_path):
    lib = tmp_path / "lib"
    unknown = write(tmp_path / "snap.csv", "Date,Campaign,Spend\n2026-11-03,Snap,1\n")
    out = studio("analytics", "ingest", unknown, "--library", lib, "--json")
    assert out.returncode == 2 and "error: snap.csv is not a report layout" in out.stderr and "--mapping" in out.stderr
    assert json.loads(out.stdout)["rows_added"] == 0

    mapping = write(tmp_path / "m.json", json.dumps({"platform": "snapchat", "columns": {"date": "Date", "campaign": "Campaign", "spend": "Spend"}}))
    out = studio("analytics", "ingest", unknown, "--mapping", mapping, "--currency", "eur", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["totals"][0]["currency"] == "EUR"

    bad_dates = write(tmp_path / "dates.csv", "Campaign name,Day,Amount spent (USD)\nA,2026-11-03,1\nA,someday,2\n")
    out = studio("analytics", "ingest", bad_dates, "--library", lib)
    assert out.returncode == 2 and "line 3, Day: 'someday' is not a date" in out.stderr and "nothing was imported" in out.stderr

    out = studio("analytics", "kpis", "--from", "Nov 1", "--library", lib)
    assert out.returncode == 2 and "write it as YYYY-MM-DD" in out.stderr
    out = studio("analytics", "ingest", tmp_path / "m.json", "--mapping", tmp_path / "nope.json", "--library", lib)
    assert out.returncode == 2 and "cannot be read as JSON" in out.stderr


# ---- anomalies, forecast, attribution, budget, A/B tests, segments ----------------------------------

def tiktok_report(path, *frames) -> str:
    """Daily facts (as tests.core.analytics.test_anomalies builds them) written as a TikTok Ads export."""
    rows = [(r.campaign, "AG", "Ad", r.date, r.currency, r.spend, int(r.impressions), int(r.impressions * 0.8), int(r.clicks),
             int(r.conversions), r.conversion_value, 0) for f in frames for r in f.itertuples(index=False)]
    return str(tiktok_csv(path, rows))


def test_anomalies_and_forecast_of_ingested_reports(tmp_path):
    lib = tmp_path / "lib"
    out = studio("analytics", "anomalies", "--library", lib)
    assert out.returncode == 0 and "No facts yet" in out.stdout
    out = studio("analytics", "forecast", "--library", lib)
    assert out.returncode == 2 and "No facts to forecast from" in out.stderr

    report = tiktok_report(tmp_path / "tiktok.csv", daily_facts("Summer Sale", seed=1, spend_factor={100: 3.0}),
                           daily_facts("Always On", seed=2))
    assert studio("analytics", "ingest", report, "--library", lib).returncode == 0
    out = studio("analytics", "anomalies", "--metrics", "spend", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert [(a["campaign"], a["day"], a["metric"], a["direction"]) for a in found] == [
        ("Summer Sale", "2026-04-15", "spend", "up"), (None, "2026-04-15", "spend", "up")]
    assert found[0]["sentence"].startswith("Spend on 'Summer Sale' (tiktok) was €") and len(found[0]["band"]) == 2
    text = studio("analytics", "anomalies", "--from", "2026-04-01", "--to", "2026-04-20", "--library", lib).stdout
    assert f"2026-04-15  high   {found[0]['sentence']}" in text
    assert "Nothing unusual" in studio("analytics", "anomalies", "--from", "2026-04-16", "--library", lib).stdout
    out = studio("analytics", "anomalies", "--metrics", "spend,clickz", "--library", lib)
    assert out.returncode == 2 and "Cannot watch clickz" in out.stderr

    out = studio("analytics", "forecast", "--metric", "conversions", "--days", "30", "--by", "campaign", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    days = json.loads(out.stdout)
    assert len(days) == 60 and {d["campaign"] for d in days} == {"Summer Sale", "Always On"}
    assert days[0]["date"] == "2026-04-27" and all(d["low"] <= d["value"] <= d["high"] for d in days)
    text = studio("analytics", "forecast", "--library", lib).stdout
    assert len(text.splitlines()) == 14 and text.startswith("EUR  2026-04-27  ")
    out = studio("analytics", "forecast", "--days", "7", "--library", lib)
    assert out.returncode == 2 and "invalid choice: 7" in out.stderr


def test_attribution_of_a_journeys_file(tmp_path):
    journeys = tmp_path / "paths.csv"
    journeys.write_text("path;total_conversions;total_conversion_value;total_null\nfacebook > search > email;2;100;1\n"
                        "search;1;30;2\nfacebook > email;1;50;0\n", encoding="utf-8")
    out = studio("analytics", "attribution", journeys, "--model", "markov", "--order", "1", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc["channels"]) == {"facebook", "search", "email"}
    assert sum(c["conversions"] for c in doc["channels"].values()) == pytest.approx(4)
    assert sum(c["value"] for c in doc["channels"].values()) == pytest.approx(180)
    first = json.loads(studio("analytics", "attribution", journeys, "--model", "first", "--json").stdout)["channels"]
    assert (first["facebook"], first["search"]) == ({"conversions": 3.0, "value": 150.0}, {"conversions": 1.0, "value": 30.0})
    assert "search" in studio("analytics", "attribution", journeys, "--model", "linear").stdout

    odd = tmp_path / "odd.csv"
    odd.write_text("path#conversions\nfacebook > search#1\n", encoding="utf-8")
    out = studio("analytics", "attribution", odd)
    assert out.returncode == 2 and "Cannot tell how the columns of odd.csv are separated" in out.stderr
    slashes = tmp_path / "slashes.csv"
    slashes.write_text("path,conversions\nfacebook ~ search,1\nsearch ~ email,2\n", encoding="utf-8")
    out = studio("analytics", "attribution", slashes)
    assert out.returncode == 2 and "seem to be separated by “~”" in out.stderr
    assert studio("analytics", "attribution", slashes, "--sep", "~", "--json").returncode == 0
    out = studio("analytics", "attribution", journeys, "--model", "markov", "--order", "4")
    assert out.returncode == 2 and "order must be 1, 2 or 3" in out.stderr


def test_budget_split_from_the_library(tmp_path):
    lib = tmp_path / "lib"
    out = studio("analytics", "budget", "--total", "3000", "--library", lib)
    assert out.returncode == 2 and "No facts to fit response curves on" in out.stderr
    rows = [(r.channel, "AG", "Ad", f"{r.date:%Y-%m-%d}", "EUR", round(r.spend, 2), 1000, 800, 10, 1, round(r.revenue, 2), 0)
            for r in budget_synthetic(days=200).itertuples(index=False)]
    assert studio("analytics", "ingest", tiktok_csv(tmp_path / "t.csv", rows), "--library", lib).returncode == 0
    out = studio("analytics", "budget", "--total", "3000", "--by", "campaign", "--min", "search=400", "--max", "video=900",
                 "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert set(plan["spend"]) == {"search", "social", "video"} and plan["currency"] == "EUR"
    assert sum(plan["spend"].values()) == pytest.approx(3000, rel=1e-6)
    assert plan["spend"]["search"] >= 400 - 1e-6 and plan["spend"]["video"] <= 900 + 1e-6
    assert plan["revenue_low"] <= plan["total_revenue"] <= plan["revenue_high"]
    text = studio("analytics", "budget", "--total", "3000", "--by", "campaign", "--library", lib).stdout
    assert "Expected revenue" in text and "EUR a day" in text

    for flags, message in ((["--min", "search=abc"], "'abc' is not an amount"), (["--min", "=5"], "needs a channel and an amount"),
                           (["--max", "tv=100"], "No spend data for tv"), (["--currency", "USD"], "The facts are in EUR")):
        out = studio("analytics", "budget", "--total", "3000", "--by", "campaign", *flags, "--library", lib)
        assert out.returncode == 2 and message in out.stderr, (flags, out.stderr)
    out = studio("analytics", "budget", "--total", "lots", "--library", lib)
    assert out.returncode == 2 and "'lots' is not a number" in out.stderr


def test_abtest_reading(tmp_path):
    out = studio("analytics", "abtest", "--a", "120/4000", "--b", "160/4000", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    z, p = proportions_ztest([160, 120], [4000, 4000])
    assert doc["z_test"]["statistic"] == pytest.approx(z) and doc["z_test"]["p_value"] == pytest.approx(p)
    assert doc["z_test"]["significant"] is True and 0.98 < doc["bayesian"]["chance_to_beat_control"] < 1
    assert doc["srm"]["mismatch"] is False
    text = studio("analytics", "abtest", "--a", "120/4000", "--b", "160/5000").stdout
    assert "Sample-ratio mismatch" in text and "B beats A with" in text
    assert "Split check: fine" in studio("analytics", "abtest", "--a", "120/4000", "--b", "160/5000", "--split", "4/5").stdout

    for flags, message in ((["--a", "5/0", "--b", "1/10"], "at least one visitor (got 5/0)"),
                           (["--a", "5 of 10", "--b", "1/10"], "is not CONVERSIONS/VISITORS"),
                           (["--a", "1/10", "--b", "1/10", "--alpha", "5"], "--alpha must be between 0 and 1"),
                           (["--a", "1/10", "--b", "1/10", "--split", "half"], "is not a planned split")):
        out = studio("analytics", "abtest", *flags)
        assert out.returncode == 2 and message in out.stderr, (flags, out.stderr)


def test_segments_of_an_orders_file(tmp_path):
    orders_csv = write_orders(tmp_path / "orders.csv", planted_orders(per_kind=30))
    out = studio("analytics", "segments", orders_csv, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["customers"] == 120 and doc["k"] == 4
    champions = next(s for s in doc["segments"] if s["name"] == "Champions")
    assert champions["size"] == 30 and "referral programme" in champions["channels"]
    text = studio("analytics", "segments", orders_csv, "--k", "3").stdout
    assert "k-means: 3 clusters" in text and "Hibernating" in text
    bad = write(tmp_path / "bad.csv", "Customer,Day,Total\nA,2026-01-01,5\n")
    out = studio("analytics", "segments", bad)
    assert out.returncode == 2 and "has no date column" in out.stderr


def test_report_writes_pdf_and_html_for_the_last_30_days(tmp_path):
    lib = tmp_path / "lib"
    assert studio("analytics", "ingest", meta_csv(tmp_path / "meta.csv", ROWS, currency="EUR"), "--library", lib).returncode == 0
    out = studio("analytics", "report", "--out", tmp_path / "nov.pdf", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert (doc["from"], doc["to"]) == ("2026-11-01", "2026-11-03")
    assert sorted(doc["files"]) == [str(tmp_path / "nov.html"), str(tmp_path / "nov.pdf")]
    assert (tmp_path / "nov.pdf").read_bytes()[:5] == b"%PDF-" and "Autumn" in (tmp_path / "nov.html").read_text(encoding="utf-8")

    empty = studio("analytics", "report", "--out", tmp_path / "none.pdf", "--library", tmp_path / "empty")
    assert empty.returncode == 2 and "no facts to report on" in empty.stderr and not (tmp_path / "none.pdf").exists()


def test_facts_come_with_the_file_and_line_they_came_from(tmp_path):
    lib = tmp_path / "lib"
    meta = meta_csv(tmp_path / "meta.csv", ROWS, currency="EUR")
    assert studio("analytics", "ingest", meta, "--library", lib).returncode == 0
    out = studio("analytics", "facts", "--from", "2026-11-02", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    sha = hashlib.sha256(meta.read_bytes()).hexdigest()
    assert [(r["date"], r["ad"], r["spend"], r["file_name"], r["file_sha256"], r["file_line"]) for r in rows] == [
        ("2026-11-02", "Ad 1", 50.25, "meta.csv", sha, 4), ("2026-11-02", "Ad 2", 20.0, "meta.csv", sha, 5),
        ("2026-11-03", "Ad 3", 10.0, "meta.csv", sha, 6)]
    target = tmp_path / "facts.csv"
    written = studio("analytics", "facts", "--out", target, "--library", lib)
    assert written.returncode == 0 and f"Wrote 4 facts to {target}" in written.stdout
    table = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["campaign"], r["date"], r["currency"], r["file_line"]) for r in table] == [
        ("Autumn", "2026-11-01", "EUR", "3"), ("Autumn", "2026-11-02", "EUR", "4"), ("Autumn", "2026-11-02", "EUR", "5"),
        ("Winter", "2026-11-03", "EUR", "6")]
    bad = studio("analytics", "facts", "--to", "November", "--library", lib)
    assert bad.returncode == 2 and "--to 'November' is not a date" in bad.stderr
