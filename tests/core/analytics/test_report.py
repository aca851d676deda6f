"""The analytics report: an HTML page with inline SVG charts and tables, a PDF of matplotlib
pages, written atomically; bad input and Cancel leave nothing behind."""

from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from studio.core.analytics.report import write_report
from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.core.secrets import SecretStore
from tests.core.analytics.test_insights import KEY, PERIOD, stock
from tests.fake_ai import fake_ai

PAGES = 6  # title with summary and totals, three charts, the platforms table, the campaigns table


@pytest.fixture
def stocked(lib, tmp_path):
    return stock(lib, tmp_path / "reports")


def pdf_pages(path) -> int:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    try:
        import pypdf
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page\b", data))
    return len(pypdf.PdfReader(path).pages)


def test_a_pdf_and_an_html_page_with_the_charts_tables_and_summary(stocked, tmp_path):
    out = tmp_path / "out" / "november.pdf"
    updates = []
    state = JobState(lambda: updates.append((state.status, state.progress)))
    paths = write_report(stocked, *PERIOD, out, progress=state)
    assert paths == [out, out.with_suffix(".html")]
    assert sorted(p.name for p in out.parent.iterdir()) == ["november.html", "november.pdf"]
    assert pdf_pages(out) == PAGES
    page = paths[1].read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "<link" not in page
    assert not re.search(r'(src|href)="(https?:|file:|//)', page)  # self-contained: nothing fetched from elsewhere
    for heading in ("Totals", "Daily spend and conversions", "Spend by platform", "CPA and ROAS by campaign", "Platforms",
                    "Top campaigns by spend"):
        assert f"<h2>{heading}" in page
    assert "<td>USD</td><td>$105.00</td><td>-22.2%</td><td>10,500</td>" in page  # the totals row
    assert "<td>Autumn</td><td>Meta</td><td>USD</td><td>$50.00</td><td>-50.0%</td>" in page  # the biggest campaign first
    assert html.escape("Best ROAS: Autumn (Meta, USD) at 6.00 on $50.00 spend.") in page
    assert "Summary written by the built-in rules" in page
    assert state.progress == 1.0 and any(status == "Drawing the PDF" for status, _ in updates)


def test_an_html_name_writes_the_pdf_beside_it(stocked, tmp_path):
    paths = write_report(stocked, *PERIOD, tmp_path / "week.html")
    assert [p.name for p in paths] == ["week.pdf", "week.html"] and all(p.stat().st_size > 1000 for p in paths)


def test_bad_names_and_periods_write_nothing(stocked, tmp_path):
    folder = tmp_path / "out"
    with pytest.raises(BadInput, match="should end in .pdf or .html"):
        write_report(stocked, *PERIOD, folder / "report.docx")
    with pytest.raises(BadInput, match="no performance data from 2026-12-01 to 2026-12-31"):
        write_report(stocked, date(2026, 12, 1), date(2026, 12, 31), folder / "report.pdf")
    with pytest.raises(BadInput, match="swap --from and --to"):
        write_report(stocked, PERIOD[1], PERIOD[0], folder / "report.pdf")
    assert not folder.exists()


def test_an_empty_library_writes_nothing(tmp_path, new_library):
    empty = new_library(tmp_path / "empty")
    try:
        with pytest.raises(BadInput, match="import reports with `studio analytics ingest`"):
            write_report(empty, *PERIOD, tmp_path / "out" / "report.pdf")
    finally:
        empty.close()
    assert not (tmp_path / "out").exists()


def test_cancel_midway_keeps_the_older_report_and_leaves_no_temporary_files(stocked, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "r.pdf").write_bytes(b"older pdf")
    (folder / "r.html").write_text("older page")

    def cancel_after_two_pages():
        if state.status == "Drawing the PDF" and (state.progress or 0) > 0.3:
            state.cancel()

    state = JobState(cancel_after_two_pages)
    with pytest.raises(Cancelled):
        write_report(stocked, *PERIOD, folder / "r.pdf", progress=state)
    assert sorted(p.name for p in folder.iterdir()) == ["r.html", "r.pdf"]
    assert (folder / "r.pdf").read_bytes() == b"older pdf" and (folder / "r.html").read_text() == "older page"


def test_an_unwritable_folder_is_a_clear_message(stocked, read_only_dir):
    with pytest.raises(BadInput, match="Cannot write the report to .*Choose another place"):
        write_report(stocked, *PERIOD, read_only_dir / "r.pdf")
    assert list(read_only_dir.iterdir()) == []


def test_reports_drawn_on_two_threads_at_once(stocked, tmp_path):
    with ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(write_report, stocked, *PERIOD, tmp_path / f"r{i}.pdf") for i in range(2)]
        results = [job.result() for job in jobs]
    assert [pdf_pages(pdf) for pdf, _ in results] == [PAGES, PAGES]
    assert all(page.read_text().count("<svg") == 3 for _, page in results)


def test_the_summary_written_by_an_ai(stocked, tmp_path):
    store = SecretStore(file_path=tmp_path / "keys.cfg")
    store.unlock("correct horse battery")
    store.set("openai", KEY)
    with fake_ai(KEY, reply="Spend fell while ROAS rose.") as fake:
        _, page = write_report(stocked, *PERIOD, tmp_path / "ai.pdf", provider="auto", store=store, endpoint=fake.openai_base)
    text = page.read_text()
    assert "<p>Spend fell while ROAS rose.</p>" in text and "Summary written by Openai" not in text
    assert "Summary written by OpenAI from the figures below" in text
