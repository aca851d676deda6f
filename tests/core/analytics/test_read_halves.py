"""A big report is read in two halves on two cores: the same table, line numbers and messages as a
read in one go, and one go where a cut could fall inside a quoted cell."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from studio.core.analytics.ingest.facts import to_facts
from studio.core.analytics.ingest.sources import BUILT_IN, resolve, score
from studio.core.errors import BadInput
from tests.core.analytics.test_ingest import ROWS, facts, google_report, meta_csv, run_ingest, write

sniffing = importlib.import_module("studio.core.analytics.ingest.sniff")  # the module (the package's `sniff` is its function)


def read(path, parallel: bool, monkeypatch):
    monkeypatch.setattr(sniffing, "PARALLEL_BYTES", 0 if parallel else 1 << 40)
    sniffed = sniffing.sniff(path, lambda cells: max(score(s, cells) for s in BUILT_IN))
    layout = resolve(sniffed.header)
    return sniffed, sniffing.read_table(sniffed, layout.text_positions(), layout.other_positions())


def many_rows(count: int):
    return [(f"Campaign {i % 7}", f"Set {i % 5}", f"Ad {i}", f"2026-11-{1 + i % 28:02d}", 10.5 + i, 1000 + i, 900, 10, 12, i % 3, 20.0)
            for i in range(count)]


@pytest.mark.parametrize("make", [
    lambda tmp: meta_csv(tmp / "meta.csv", many_rows(41)),  # a totals row first, a byte-order mark
    lambda tmp: google_report(tmp / "google.csv", [("Brand", f"2026-11-{d:02d}", "EUR", "1,234", "12", "3.50", "--", "0")
                                                   for d in range(1, 30)]),  # a title, a date range, Total rows last
])
def test_two_halves_give_the_same_facts_as_one_go(tmp_path, monkeypatch, make):
    path = make(tmp_path)
    sniffed, whole = read(path, parallel=False, monkeypatch=monkeypatch)
    assert sniffing._halves(sniffed) is None  # (small files are read in one go)
    monkeypatch.setattr(sniffing, "PARALLEL_BYTES", 0)
    assert sniffing._halves(sniffed) is not None
    _, halves = read(path, parallel=True, monkeypatch=monkeypatch)
    pd.testing.assert_series_equal(halves.lines, whole.lines)
    layout = resolve(sniffed.header)
    assert all(isinstance(halves.cells[c].dtype, pd.CategoricalDtype) for c in layout.text_positions())
    # a half may read a number column natively where the whole file holds text ("9,999.00" in a Total row): normalized, they agree
    one, two = (to_facts(t, layout, comma_default=False, currency=None, name=path.name) for t in (whole, halves))
    pd.testing.assert_frame_equal(two.frame, one.frame)
    assert two.skipped == one.skipped and len(one.frame) > 20


def test_a_file_cut_off_in_its_second_half_is_refused_with_the_whole_files_message(tmp_path, monkeypatch):
    path = meta_csv(tmp_path / "meta.csv", many_rows(30))
    path.write_bytes(path.read_bytes() + b'2026-11-01,2026-11-30,Brand,Set,"Ad cut off')
    with pytest.raises(BadInput, match="ends inside a quoted value"):
        read(path, parallel=True, monkeypatch=monkeypatch)


def test_a_cut_that_would_fall_inside_a_quoted_cell_reads_in_one_go(tmp_path, monkeypatch):
    notes = "Ad with notes" + "\nand another line of notes" * 100  # a quoted cell across the middle of the file
    header = "Campaign name,Ad set name,Ad name,Day,Amount spent (EUR),Impressions"
    path = write(tmp_path / "meta.csv", f'{header}\nBrand,Set,"{notes}",2026-11-01,10,100\nBrand,Set,Ad 2,2026-11-02,5,50\n')
    monkeypatch.setattr(sniffing, "PARALLEL_BYTES", 0)
    sniffed = sniffing.sniff(path, lambda cells: max(score(s, cells) for s in BUILT_IN))
    assert sniffing._halves(sniffed) is None
    _, table = read(path, parallel=True, monkeypatch=monkeypatch)
    assert table.cells[2].tolist() == [notes, "Ad 2"]


def test_an_import_read_in_halves_stores_the_same_facts(lib, tmp_path, monkeypatch):
    monkeypatch.setattr(sniffing, "PARALLEL_BYTES", 0)
    [report] = run_ingest(lib, meta_csv(tmp_path / "meta.csv", ROWS))
    assert report.imported and report.rows_added == 4 and report.skipped == [{"line": 2, "reason": "a totals row (no campaign name)"}]
    assert [f[1] for f in facts(lib, "campaign, source_line")] == [3, 4, 5, 6]
