"""The Analytics Summary tab over a real library: the rules summary of the filter bar's period (the
same text as core's summarize), "Write with AI" against a local fake of the Anthropic API with the
key in a real encrypted-file key store, its notes, and the report export as a job."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QSettings, Qt

from studio.core.analytics.ingest import IngestParams, ingest
from studio.core.analytics.insights import summarize
from studio.core.jobs import JobState
from studio.core.secrets import SecretStore
from studio.ui.workspaces.analytics.filters import FiltersBar
from studio.ui.workspaces.analytics.summary_tab import SummaryTab
from tests.core.analytics.test_ingest import meta_csv
from tests.fake_ai import fake_ai

JOB_MS = 60_000
AI_KEY = "sk-ant-test-key-1234567890"
NOV = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
OCT = [date(2026, 10, 2) + timedelta(days=n) for n in range(30)]


def rows(days, campaign: str, spend: float, clicks: int, purchases: int, value: float):
    return [(campaign, "Set", "Ad", d.isoformat(), spend, clicks * 50, clicks * 30, clicks // 2, clicks, purchases, value) for d in days]


@pytest.fixture
def two_months(lib, tmp_path):
    """October and November for two campaigns, imported through the real ingest."""
    path = meta_csv(tmp_path / "meta.csv", rows(OCT, "Brand", 10.0, 40, 4, 80.0) + rows(OCT, "Promo", 5.0, 30, 2, 30.0)
                    + rows(NOV, "Brand", 12.0, 44, 3, 90.0) + rows(NOV, "Promo", 5.0, 30, 2, 30.0), currency="EUR")
    (report,) = ingest(IngestParams(str(lib.root), [str(path)]), JobState(), lib=lib)
    assert report.imported, report.error
    return lib


def make_tab(qtbot, ctx, last_day: date | None = date(2026, 11, 30)) -> SummaryTab:
    filters = FiltersBar()
    filters.preset.setCurrentIndex(filters.preset.findData("30"))
    if last_day is not None:
        filters.set_choices(["meta"], ["EUR"], last_day)
    tab = SummaryTab(ctx, filters)
    qtbot.addWidget(filters)
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    return tab


def show_and_wait(qtbot, tab: SummaryTab):
    with qtbot.waitSignal(tab.summary_finished, timeout=JOB_MS) as blocker:
        tab.show()
    qtbot.waitUntil(lambda: tab.provider_job is None, timeout=JOB_MS)
    return blocker.args[0]


@pytest.fixture
def key_store(ctx):
    store = SecretStore()  # the encrypted key file in this test's own config folder
    store.unlock("correct horse battery")
    store.set("anthropic", AI_KEY)
    ctx.secrets = store
    return store


def test_the_rules_summary_is_cores_for_the_filter_period(qtbot, ctx, two_months):
    tab = make_tab(qtbot, ctx)
    job = show_and_wait(qtbot, tab)
    assert job.status == "done", job.error
    expected = summarize(two_months, date(2026, 11, 1), date(2026, 11, 30))
    assert tab.text.toPlainText() == expected.text and tab.summary == expected
    assert "Brand" in expected.text and "€" in expected.text  # a real summary, not an empty one
    assert "built-in rules" in tab.source_label.text() and tab.heading.text() == "01 Nov 2026 – 30 Nov 2026"
    assert not tab.note.isVisible() and tab.export_button.isEnabled()
    # no key in the (locked) key store: no AI button, a hint saying where to add one
    assert not tab.ai_button.isVisible() and tab.hint.isVisible() and "Accounts & keys" in tab.hint.text()

    with qtbot.waitSignal(tab.summary_finished, timeout=JOB_MS):  # a custom period follows the filter bar
        tab.filters.preset.setCurrentIndex(tab.filters.preset.findData("custom"))
        tab.filters.start.setDate(QDate(2026, 11, 10))
    qtbot.waitUntil(lambda: tab.summary_job is None, timeout=JOB_MS)
    assert tab.text.toPlainText() == summarize(two_months, date(2026, 11, 10), date(2026, 11, 30)).text


def test_a_period_without_data_says_where_the_data_is(qtbot, ctx, two_months):
    tab = make_tab(qtbot, ctx, last_day=date(2027, 3, 31))  # March 2027: no data there
    job = show_and_wait(qtbot, tab)
    assert job.status == "failed"
    assert "no performance data from 2027-03-02 to 2027-03-31" in tab.text.toPlainText()
    assert "2026-10-02 to 2026-11-30" in tab.text.toPlainText() and not tab.export_button.isEnabled()


def test_an_empty_library_says_what_to_do(qtbot, ctx):
    tab = make_tab(qtbot, ctx, last_day=None)
    tab.show()
    qtbot.waitUntil(lambda: tab.provider_job is None, timeout=JOB_MS)
    assert tab.heading.text() == "No performance data yet" and "Import" in tab.text.toPlainText()
    assert tab.summary_job is None and not tab.export_button.isEnabled()


def test_write_with_ai_shows_who_wrote_it(qtbot, ctx, two_months, key_store):
    reply = "November was steady: Brand carried the spend while Promo held its return."
    with fake_ai(AI_KEY, reply) as fake:
        QSettings().setValue("accounts/anthropic/endpoint", fake.base)
        tab = make_tab(qtbot, ctx)
        show_and_wait(qtbot, tab)
        assert tab.ai_button.isVisible() and not tab.hint.isVisible()
        with qtbot.waitSignal(tab.summary_finished, timeout=JOB_MS) as blocker:
            qtbot.mouseClick(tab.ai_button, Qt.LeftButton)
        assert blocker.args[0].status == "done", blocker.args[0].error
        assert tab.text.toPlainText() == reply and tab.source_label.text().startswith("Written by Anthropic")
        assert not tab.note.isVisible()
        (request,) = fake.requests
        facts = summarize(two_months, date(2026, 11, 1), date(2026, 11, 30)).facts
        assert request["key"] == AI_KEY and all(f in request["body"]["messages"][0]["content"] for f in facts)

        fake.reply = "Spend rose 999% in November."  # a number the facts do not have
        with qtbot.waitSignal(tab.summary_finished, timeout=JOB_MS):
            tab.write_with_ai()
        assert tab.note.isVisible() and "Check these figures" in tab.note.text() and "999" in tab.note.text()
        assert tab.text.toPlainText() == fake.reply  # the note is shown once, apart

        fake.fail = [401, 401, 401]  # the key is refused: the rules step in, and say why
        with qtbot.waitSignal(tab.summary_finished, timeout=JOB_MS):
            tab.write_with_ai()
        assert "built-in rules" in tab.source_label.text()
        assert tab.note.isVisible() and "could not be written" in tab.note.text()
        assert tab.text.toPlainText() == summarize(two_months, date(2026, 11, 1), date(2026, 11, 30)).text


def test_export_report_writes_the_pdf_and_the_html_as_a_job(qtbot, ctx, two_months, tmp_path):
    tab = make_tab(qtbot, ctx)
    show_and_wait(qtbot, tab)
    with qtbot.waitSignal(tab.report_box_opened, timeout=JOB_MS) as opened:
        job = tab.export_report(tmp_path / "out" / "november")  # typed without an extension: a PDF
        assert tab.cancel_button.isVisible() and not tab.export_button.isEnabled()
    assert job.status == "done", job.error
    pdf, html = tmp_path / "out" / "november.pdf", tmp_path / "out" / "november.html"
    assert job.result == [pdf, html]
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    page = html.read_text(encoding="utf-8")
    assert "Brand" in page and "<svg" in page and "built-in rules" in page
    box = opened.args[0]
    assert box.isVisible() and "november.pdf" in box.text() and "Open folder" in [b.text() for b in box.buttons()]
    assert not tab.cancel_button.isVisible() and tab.export_button.isEnabled()


def test_a_cancelled_report_writes_nothing(qtbot, ctx, two_months, tmp_path):
    tab = make_tab(qtbot, ctx)
    show_and_wait(qtbot, tab)
    with qtbot.waitSignal(tab.report_finished, timeout=JOB_MS) as finished:
        tab.export_report(tmp_path / "cancelled.html")
        qtbot.mouseClick(tab.cancel_button, Qt.LeftButton)
    assert finished.args[0].status == "cancelled"
    assert list(tmp_path.glob("cancelled*")) == [] and list(tmp_path.glob(".cancelled*")) == []
    assert tab.report_box is None


def test_in_the_workspace_the_tab_follows_an_import(qtbot, make_window, tmp_path):
    import studio.ui.workspaces.analytics  # noqa: F401 - registers the workspace
    from studio.ui.shell import registry

    window = make_window(workspaces=[s for s in registry.workspaces() if s.key == "analytics"], initial_workspace="analytics")
    view = window.views["analytics"]
    tab = SummaryTab(view.ctx, view.filters)
    view.tabs.setCurrentIndex(view.add_tab(tab, "Summary", "mdi6.text-box-outline"))
    path = meta_csv(tmp_path / "nov.csv", rows(NOV, "Brand", 12.0, 44, 3, 90.0), currency="EUR")
    with qtbot.waitSignal(tab.summary_finished, timeout=JOB_MS):
        view.import_files([str(path)])
    qtbot.waitUntil(lambda: tab.summary_job is None and tab.summary is not None, timeout=JOB_MS)
    f = view.filters.filters()
    assert tab.text.toPlainText() == summarize(view.ctx.lib, f.start, f.end).text
    assert f.end == date(2026, 11, 30) and "Brand" in tab.text.toPlainText()
