"""Every bad report a user can drop in: a clear message or a per-row report, and nothing half-imported."""

from __future__ import annotations

import openpyxl
import pytest

from studio.core.analytics import store
from studio.core.analytics.ingest.sniff import sniff
from studio.core.analytics.store import stored_mappings
from tests.core.analytics.test_ingest import ROWS, count, facts, meta_csv, run_ingest, write

UNKNOWN = "Date,Campaign,Spend,Swipe ups\n2026-11-03,Snap Autumn,12.5,40\n2026-11-04,Snap Autumn,7,12\n"
MAPPING = {"platform": "snapchat", "columns": {"date": "Date", "campaign": "Campaign", "spend": "Spend", "clicks": "Swipe ups"},
           "currency": "EUR"}


def nothing_imported(lib) -> bool:
    return store.fact_count(lib) == count(lib, "import_batches") == 0


def test_an_unknown_source_without_a_mapping_asks_for_one_and_imports_nothing(lib, tmp_path):
    [report] = run_ingest(lib, write(tmp_path / "snap.csv", UNKNOWN))
    assert not report.imported and "--mapping MAPPING.json" in report.error and "Date, Campaign, Spend, Swipe ups" in report.error
    assert nothing_imported(lib)


def test_a_mapping_imports_it_and_is_remembered_for_the_next_file_like_it(lib, tmp_path):
    [report] = run_ingest(lib, write(tmp_path / "snap.csv", UNKNOWN), mapping=MAPPING)
    assert report.imported and report.source == "mapping:snapchat" and report.mapping_saved
    assert facts(lib, "platform, campaign, date, currency, spend, clicks") == [
        ("snapchat", "Snap Autumn", "2026-11-03", "EUR", 12.5, 40), ("snapchat", "Snap Autumn", "2026-11-04", "EUR", 7.0, 12)]
    assert list(stored_mappings(lib).values()) == [MAPPING]
    [later] = run_ingest(lib, write(tmp_path / "snap2.csv", "Campaign,Date,Swipe ups,Spend\nSnap Winter,2026-12-01,3,1.5\n"))
    assert later.imported and later.source == "mapping:snapchat" and not later.mapping_saved
    lib.undo.undo()  # remembering the mapping is an ordinary undoable op
    assert stored_mappings(lib) == {}


@pytest.mark.parametrize("mapping, message", [
    ({"columns": {}}, "needs a platform and columns"),
    ({"platform": "snap", "columns": {"date": "Date", "campaign": "Campaign"}}, "which column holds spend"),
    ({"platform": "snap", "columns": {"date": "Date", "campaign": "Campaign", "spend": "Spend", "likes": "L"}}, "does not store: likes"),
    ({"platform": "snap", "columns": {"date": "Date", "campaign": "Campaign", "spend": "Spend"}, "currency": "euro"}, "three-letter"),
])
def test_a_bad_mapping_says_what_is_wrong(lib, tmp_path, mapping, message):
    from studio.core.errors import BadInput

    with pytest.raises(BadInput, match=message):
        run_ingest(lib, write(tmp_path / "snap.csv", UNKNOWN), mapping=mapping)
    assert nothing_imported(lib)


def test_a_report_with_no_currency_anywhere_asks_for_one(lib, tmp_path):
    path = write(tmp_path / "snap.csv", UNKNOWN)
    no_currency = {**MAPPING, "currency": None}
    [report] = run_ingest(lib, path, mapping=no_currency)
    assert "--currency EUR" in report.error and nothing_imported(lib)
    [report] = run_ingest(lib, path, mapping=no_currency, currency="GBP")
    assert report.imported and {f[3] for f in facts(lib)} == {"GBP"}


def test_unparseable_dates_name_their_rows_and_nothing_is_imported(lib, tmp_path):
    rows = [ROWS[0], ROWS[1][:3] + ("2026-13-45",) + ROWS[1][4:], ROWS[2][:3] + ("yesterday",) + ROWS[2][4:], ROWS[3]]
    [report] = run_ingest(lib, meta_csv(tmp_path / "meta.csv", rows))
    assert not report.imported and report.errors == [
        {"line": 4, "column": "Day", "why": "'2026-13-45' is not a date this column's format can read (like 2026-11-01)"},
        {"line": 5, "column": "Day", "why": "'yesterday' is not a date this column's format can read (like 2026-11-01)"}]
    assert nothing_imported(lib)


def test_unreadable_numbers_name_their_rows(lib, tmp_path):
    path = write(tmp_path / "meta.csv", "Campaign name,Day,Amount spent (USD),Impressions\n"
                                        "Autumn,2026-11-03,10,1000\nAutumn,2026-11-04,12 dollars,1000\nAutumn,2026-11-05,3,many\n")
    [report] = run_ingest(lib, path)
    assert report.errors == [{"line": 3, "column": "Amount spent (USD)", "why": "'12 dollars' is not a number"},
                             {"line": 4, "column": "Impressions", "why": "'many' is not a number"}]
    assert nothing_imported(lib)


def test_a_truncated_file_is_refused(lib, tmp_path):
    whole = meta_csv(tmp_path / "meta.csv", ROWS).read_bytes()
    cut = write(tmp_path / "cut.csv", "")
    cut.write_bytes(whole[: whole.rindex(b",Ad 3,") + 6])  # the download stopped in the last row
    [report] = run_ingest(lib, cut)
    assert not report.imported and "truncated" in report.error and "line 6 has" in report.error
    quoted = write(tmp_path / "quoted.csv", "Campaign name,Day,Amount spent (USD)\nAutumn,2026-11-03,10\n\"Winter,2026-11")
    [report] = run_ingest(lib, quoted)
    assert "truncated" in report.error
    assert nothing_imported(lib)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"), (b"\xef\xbb\xbf\r\n\r\n", "is empty"),
    ("Campaign name,Day,Amount spent (USD),Impressions\n".encode(), "no rows of data"),
])
def test_an_empty_file_says_so(lib, tmp_path, content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    [report] = run_ingest(lib, path)
    assert not report.imported and message in report.error and nothing_imported(lib)


def test_xlsx_with_several_sheets_uses_the_one_with_the_report(lib, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Exported for the November review"])
    sheet = book.create_sheet("Campaign report")
    sheet.append(["Campaign performance"])
    sheet.append(["Campaign", "Day", "Currency code", "Impr.", "Clicks", "Cost"])
    sheet.append(["Search - Brand", "2026-11-03", "EUR", 1234, 74, 1020.5])
    sheet.append(["Total: Account", None, None, 1234, 74, 1020.5])
    book.save(tmp_path / "report.xlsx")
    [report] = run_ingest(lib, tmp_path / "report.xlsx")
    assert report.imported and report.sheet == "Campaign report" and report.skipped[0]["line"] == 4
    assert facts(lib) == [("google", "Search - Brand", "2026-11-03", "EUR", 1020.5, 1234, 74, None, None)]


def test_xlsx_without_a_report_sheet_names_its_sheets(lib, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Budget"
    book.active.append(["Month", "Amount"])
    book.create_sheet("Ideas").append(["Idea"])
    book.save(tmp_path / "other.xlsx")
    [report] = run_ingest(lib, tmp_path / "other.xlsx")
    assert "'Budget', 'Ideas'" in report.error and "--mapping" in report.error and nothing_imported(lib)


def test_one_bad_file_does_not_stop_the_others(lib, tmp_path):
    good, bad = meta_csv(tmp_path / "good.csv", ROWS), write(tmp_path / "bad.csv", UNKNOWN)
    reports = run_ingest(lib, bad, good)
    assert [r.imported for r in reports] == [False, True] and store.fact_count(lib) == 4


def test_the_header_is_found_below_a_preamble_by_its_words(tmp_path):
    path = write(tmp_path / "r.csv", "Ad performance\nAccount: 1234\n\nCampaign name;Day;Amount spent (EUR)\nA;2026-11-03;1,5\n")
    sniffed = sniff(path, lambda cells: sum(c in {"Campaign name", "Day", "Amount spent (EUR)"} for c in cells))
    assert (sniffed.header_index, sniffed.separator, sniffed.header) == (3, ";", ["Campaign name", "Day", "Amount spent (EUR)"])


def test_blank_lines_are_passed_over_and_lines_keep_the_files_numbers(lib, tmp_path):
    path = meta_csv(tmp_path / "meta.csv", ROWS)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:3] + [b"", b",,,,,,,,,,,,,"] + lines[3:]))  # an empty line and one of empty cells, after line 3
    [report] = run_ingest(lib, path)
    assert report.imported and report.rows_added == 4
    assert [f[0] for f in facts(lib, "source_line", order="source_line")] == [3, 6, 7, 8]
    lines = path.read_bytes().split(b"\n")
    lines[6] = lines[6].replace(b"2026-11-02", b"someday")
    path.write_bytes(b"\n".join(lines))
    [report] = run_ingest(lib, path)
    assert not report.imported and [(e["line"], e["column"]) for e in report.errors] == [(7, "Day")]
