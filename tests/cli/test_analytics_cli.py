"""`studio analytics ingest|imports|remove-import|kpis` as a user runs them."""

from __future__ import annotations

import json

from tests.cli.test_cli import studio
from tests.core.analytics.test_ingest import ROWS, google_report, meta_csv, write


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
