"""The Research workspace over a real library: profile edits saved as ops and undone; documents
dropped from the OS imported as a job (an unsupported one reported, the others in); a crawl of
the fixture site as a job with its report; an unreachable site's message; search as you type
with the right snippet first and its document shown; the Competitors and Trends tabs."""

from __future__ import annotations

import itertools

import docx
import pytest
from PySide6.QtCore import QItemSelectionModel, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel
from reportlab.pdfgen import canvas

from studio.core.jobs import JobState
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.core.ops.research import set_brand_profile
from studio.core.research import library
from studio.core.research.profile import get_brand_profile, list_documents
from studio.ui.shell import registry
from studio.ui.workspaces.research.documents_panel import ID_ROLE
from tests.fixture_site import fixture_site

JOB_MS = 60_000  # jobs on a busy 2-core machine

TEXTS = {
    "roasting.md": "# How we roast\n\nEvery bag of Kestrel beans carries its roast date. We roast small batches on Tuesdays.",
    "cold-brew.txt": "Cold brew guide\n\nSteep coarse grounds for eighteen hours in cold water, then filter twice.",
    "story.html": "<html><head><title>Our story</title></head><body><h1>Our story</h1>"
                  "<p>Kestrel began as a market stall selling espresso to cyclists.</p></body></html>",
}


@pytest.fixture
def brand_id(lib):
    client = create_client(lib, "Kestrel Coffee").value
    return create_brand(lib, client, "Kestrel").value


@pytest.fixture
def window(brand_id, make_window, ctx, lib):
    import studio.ui.workspaces.research  # noqa: F401 - registers the workspace

    campaign_id = create_campaign(lib, brand_id, "Autumn").value
    made = make_window(workspaces=[s for s in registry.workspaces() if s.key == "research"], initial_workspace="research")
    assert made.navigator.select("campaign", campaign_id)  # as the user picks it
    return made


@pytest.fixture
def view(window):
    return window.views["research"]


def write_documents(folder) -> list:
    """The TEXTS as files, plus a Word document and a PDF."""
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in TEXTS.items():
        (folder / name).write_text(text)
        paths.append(folder / name)
    word = docx.Document()
    word.add_heading("Tone of voice", 1)
    word.add_paragraph("We sound warm, plain and a little cheeky; never pushy.")
    word.save(folder / "voice.docx")
    pdf = canvas.Canvas(str(folder / "prices.pdf"))
    pdf.drawString(72, 720, "Price list: a kilo of house blend costs twenty euros.")
    pdf.save()
    return paths + [folder / "voice.docx", folder / "prices.pdf"]


def drop_files(widget, paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))


def import_into(lib, brand_id, paths, competitor=None):
    params = library.ImportDocsParams(str(lib.root), brand_id, [str(p) for p in paths], competitor)
    summary = library.import_documents(params, JobState(), lib=lib)
    assert not summary.failed, summary.failed
    return summary


def shown_titles(view) -> list[str]:
    model = view.documents.model
    return sorted(model.item(row, 0).text() for row in range(model.rowCount()))


def test_the_workspace_is_registered_under_ctrl_7_and_says_what_to_do(window, view):
    spec = window.specs["research"]
    assert (spec.title, spec.shortcut) == ("Research", "Ctrl+7")
    assert view.documents.stack.currentWidget() is view.documents.empty
    assert "Crawl the brand's site or drop its documents here" in view.documents.empty.text_label.text()
    assert view.brand_title.text() == "RESEARCH · KESTREL"


def test_without_a_campaign_it_asks_for_one(view, ctx, qtbot):
    ctx.set_campaign(None)
    assert view.stack.currentWidget() is view.no_brand
    assert not view.crawl_action.isEnabled()


def test_profile_fields_are_saved_as_ops_and_undone(view, window, qtbot, lib, brand_id):
    panel = view.profile_panel
    panel.website.setFocus()
    qtbot.keyClicks(panel.website, "kestrel.coffee")
    qtbot.keyClick(panel.website, Qt.Key_Return)
    assert get_brand_profile(lib, brand_id).website == "https://kestrel.coffee"
    qtbot.waitUntil(lambda: panel.website.text() == "https://kestrel.coffee")  # the form shows the stored value

    voice = panel.lists["voice"]
    for word in ("warm", "plain"):
        qtbot.keyClicks(voice.inputs[0], word)
        qtbot.keyClick(voice.inputs[0], Qt.Key_Return)
    assert get_brand_profile(lib, brand_id).voice == ("warm", "plain")
    competitors = panel.competitors
    qtbot.keyClicks(competitors.inputs[0], "Magpie Roasters")
    qtbot.keyClicks(competitors.inputs[1], "magpie.example")
    qtbot.keyClick(competitors.inputs[1], Qt.Key_Return)
    assert [(c.name, c.website) for c in get_brand_profile(lib, brand_id).competitors] == [("Magpie Roasters", "https://magpie.example")]
    assert panel.set_colour("#1E3C78")
    assert get_brand_profile(lib, brand_id).palette == ("#1E3C78",)
    qtbot.waitUntil(lambda: panel.swatch_row.count() == 2)  # the swatch and the + button
    assert panel.swatch_row.itemAt(0).widget().accessibleName() == "Colour #1E3C78"

    window.undo_action.trigger()  # the colour
    assert get_brand_profile(lib, brand_id).palette == ()
    qtbot.waitUntil(lambda: panel.swatch_row.count() == 1)
    window.undo_action.trigger()  # the competitor
    qtbot.waitUntil(lambda: competitors.rows() == [])
    window.undo_action.trigger()  # both voice words: typing into one field merges into one step
    qtbot.waitUntil(lambda: voice.rows() == [])
    window.undo_action.trigger()  # the website
    assert get_brand_profile(lib, brand_id).website is None
    qtbot.waitUntil(lambda: panel.website.text() == "")

    voice.set_rows([("warm",), ("plain",)])
    voice.table.selectRow(0)
    voice.remove_selected()
    assert get_brand_profile(lib, brand_id).voice == ("plain",)


def test_a_website_that_is_not_one_is_refused_and_kept_for_fixing(view, qtbot, lib, brand_id):
    panel = view.profile_panel
    panel.website.setFocus()
    qtbot.keyClicks(panel.website, "not a site")
    with qtbot.waitSignal(panel.refused) as blocker:
        qtbot.keyClick(panel.website, Qt.Key_Return)
    assert "is not a website address; write it as https://example.com" in blocker.args[0]
    assert panel.error.isVisible() and panel.error.text() == blocker.args[0]
    assert panel.website.text() == "not a site"  # kept, to be fixed
    assert get_brand_profile(lib, brand_id).website is None


def test_dropped_files_are_imported_as_a_job_and_an_unsupported_one_is_reported(view, qtbot, lib, brand_id, tmp_path):
    paths = write_documents(tmp_path / "docs")
    (tmp_path / "docs" / "budget.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    with qtbot.waitSignal(view.documents.import_finished, timeout=JOB_MS) as blocker:
        drop_files(view.documents, paths + [tmp_path / "docs" / "budget.xlsx"])
    job = blocker.args[0]
    assert job.status == "done", job.error
    assert (job.result.added, [p.rsplit("/", 1)[-1] for p, _ in job.result.failed]) == (5, ["budget.xlsx"])
    status = view.documents.status.text()
    assert status.startswith("Added 5 documents.") and "budget.xlsx: .xlsx cannot be imported" in status
    qtbot.waitUntil(lambda: view.documents.model.rowCount() == 5)
    assert shown_titles(view) == ["How we roast", "Our story", "Price list: a kilo of house blend costs twenty euros.",
                                  "Tone of voice", "cold-brew"]  # a text file is named by its file
    assert view.documents.stack.currentWidget() is view.documents.tree
    kinds = {d.title: d.kind for d in list_documents(lib, brand_id)}
    assert kinds["Tone of voice"] == "docx" and kinds["Our story"] == "html"


def test_files_dropped_while_a_competitor_is_shown_are_about_it(view, qtbot, lib, brand_id, tmp_path):
    set_brand_profile(lib, brand_id, competitors=["Magpie Roasters"])
    qtbot.waitUntil(lambda: view.documents.filter.findData("Magpie Roasters") >= 0)
    view.documents.filter.setCurrentIndex(view.documents.filter.findData("Magpie Roasters"))
    assert view.documents.empty.text_label.text().startswith("Crawl Magpie Roasters's site or drop their documents here")
    with qtbot.waitSignal(view.documents.import_finished, timeout=JOB_MS):
        drop_files(view.documents, write_documents(tmp_path / "docs")[:2])
    assert [d.competitor for d in list_documents(lib, brand_id)] == ["Magpie Roasters"] * 2
    qtbot.waitUntil(lambda: view.documents.model.rowCount() == 2)
    assert view.documents.model.item(0, 1).text() == "Magpie Roasters"
    view.documents.filter.setCurrentIndex(1)  # the brand's own: none yet
    assert view.documents.model.rowCount() == 0 and view.documents.stack.currentWidget() is view.documents.empty


def test_removing_documents_is_undoable(view, window, qtbot, lib, brand_id, tmp_path):
    import_into(lib, brand_id, write_documents(tmp_path / "docs")[:3])
    qtbot.waitUntil(lambda: view.documents.model.rowCount() == 3)
    tree = view.documents.tree
    tree.selectionModel().select(view.documents.model.index(0, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
    removed = view.documents.model.item(0, 0).data(ID_ROLE)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key_Delete)
    assert removed not in {d.id for d in list_documents(lib, brand_id)}
    qtbot.waitUntil(lambda: view.documents.model.rowCount() == 2)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: view.documents.model.rowCount() == 3)


def test_crawl_site_runs_as_a_job_and_reports_what_it_added_and_skipped(view, qtbot, lib, brand_id):
    with fixture_site() as site:
        dialog = view.crawl_site()
        dialog.url.setText(site.url)
        dialog.max_pages.setValue(4)
        dialog.depth.setValue(1)
        dialog.rate.setValue(50)
        with qtbot.waitSignal(dialog.crawl_finished, timeout=JOB_MS) as blocker:
            qtbot.mouseClick(dialog.crawl_button, Qt.LeftButton)
            assert not dialog.crawl_button.isEnabled() and dialog.progress.isVisible()
    job = blocker.args[0]
    assert job.status == "done", job.error
    summary = job.result
    assert summary.added == summary.pages >= 2 and summary.error is None
    report = dialog.report.text()
    assert f"Read {summary.pages} pages: added {summary.added} to the knowledge base." in report
    assert "robots.txt does not allow" in report  # /private/secret, with why
    assert "Palette found" in report and dialog.cancel_button.text() == "Close"
    qtbot.waitUntil(lambda: view.documents.model.rowCount() == summary.added)
    assert "Acme Anvils" in shown_titles(view)
    profile = get_brand_profile(lib, brand_id)
    assert profile.website == site.url and profile.palette  # an empty profile is filled from the site
    qtbot.waitUntil(lambda: view.profile_panel.website.text() == site.url)


def test_an_unreachable_site_is_said_in_plain_words(view, qtbot, lib, brand_id):
    dialog = view.crawl_site()
    dialog.url.setText("http://127.0.0.1:9/")  # the discard port: nothing listens
    with qtbot.waitSignal(dialog.crawl_finished, timeout=JOB_MS) as blocker:
        dialog.start()
    assert blocker.args[0].status == "done"
    assert "Could not reach the site: 127.0.0.1 refused the connection" in dialog.report.text()
    assert "Read 0 pages: added 0" in dialog.report.text()
    assert list_documents(lib, brand_id) == []


def test_cancel_stops_the_crawl_and_keeps_what_it_read(view, qtbot, lib, brand_id):
    with fixture_site(latency=0.4) as site:
        dialog = view.crawl_site()
        dialog.url.setText(site.url)
        with qtbot.waitSignal(dialog.crawl_finished, timeout=JOB_MS) as blocker:
            dialog.start()
            qtbot.waitUntil(lambda: len(site.requests) >= 2, timeout=JOB_MS)
            qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
            assert dialog.isVisible()  # Cancel stops the crawl; the dialog stays to say what was kept
    job = blocker.args[0]
    assert job.status == "cancelled" and job.result.cancelled
    assert "the pages read so far are kept" in dialog.report.text()
    assert len(list_documents(lib, brand_id)) == job.result.added
    assert dialog.cancel_button.text() == "Close"


def test_an_empty_address_is_asked_for(view):
    dialog = view.crawl_site()
    dialog.url.clear()
    assert dialog.start() is None
    assert dialog.status.text() == "Type the site's address, such as https://example.com."


def test_search_as_you_type_shows_the_best_snippet_first_and_its_document(view, window, qtbot, lib, brand_id, tmp_path):
    import_into(lib, brand_id, write_documents(tmp_path / "docs"))
    search = view.search
    view.tabs.setCurrentWidget(view.trends)
    view.documents.tree.setFocus()
    qtbot.waitUntil(view.documents.tree.hasFocus)
    qtbot.keyClick(view.documents.tree, Qt.Key_F, Qt.ControlModifier)  # Ctrl+F: the search box
    qtbot.waitUntil(search.query.hasFocus)
    with qtbot.waitSignal(search.searched, timeout=JOB_MS, check_params_cb=lambda found: bool(found)) as blocker:
        qtbot.keyClicks(search.query, "roast date")
    snippets = blocker.args[0]
    assert snippets[0].title == "How we roast"
    assert all(a.score >= b.score for a, b in itertools.pairwise(snippets))
    card = search.results.itemWidget(search.results.item(0))
    assert f"score {snippets[0].score:.2f}" in card.text() and snippets[0].source in card.text()
    assert ">roast</span>" in card.text() and ">date</span>" in card.text()  # the words highlighted

    rect = search.results.visualItemRect(search.results.item(0))
    qtbot.mouseClick(search.results.viewport(), Qt.LeftButton, pos=rect.center())
    assert search.document.toPlainText().startswith("How we roast")
    assert "carries its roast date" in search.document.toPlainText()

    with qtbot.waitSignal(search.searched, timeout=JOB_MS) as blocker:
        search.query.setText("the and")  # common words alone match nothing
    assert blocker.args[0] == [] and search.stack.currentWidget() is search.empty
    assert search.empty.title_label.text() == "Nothing found"


def test_double_clicking_a_document_shows_it(view, qtbot, lib, brand_id, tmp_path):
    import_into(lib, brand_id, write_documents(tmp_path / "docs")[1:2])
    qtbot.waitUntil(lambda: view.documents.model.rowCount() == 1)
    tree = view.documents.tree
    view.tabs.setCurrentWidget(view.trends)
    rect = tree.visualRect(view.documents.model.index(0, 0))
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=rect.center())  # Qt 6 item views want the press first
    qtbot.mouseDClick(tree.viewport(), Qt.LeftButton, pos=rect.center())
    assert view.tabs.currentWidget() is view.search
    assert view.search.document.toPlainText().startswith("cold-brew")
    assert "Steep coarse grounds" in view.search.document.toPlainText()


def test_the_competitors_tab_shows_terms_overlap_and_palettes(view, qtbot, lib, brand_id, tmp_path):
    set_brand_profile(lib, brand_id, competitors=["Acme"], palette=["#DC1E28", "#FFFFFF"])
    import_into(lib, brand_id, write_documents(tmp_path / "docs")[:1])  # about as many words as the competitor's pages
    with fixture_site() as site:
        summary = library.crawl_into_library(library.CrawlIntoParams(str(lib.root), brand_id, site.url, max_pages=4, max_depth=1,
                                                                     requests_per_second=50, competitor="Acme"), JobState(), lib=lib)
    assert summary.added >= 2
    with qtbot.waitSignal(view.competitors.shown, timeout=JOB_MS, check_params_cb=lambda c: c is not None and c.competitors):
        view.tabs.setCurrentWidget(view.competitors)
    competition = view.competitors.competition
    assert [b.brand for b in competition.comparison.brands] == ["Kestrel", "Acme"]
    labels = [label.text() for label in view.competitors.scroll.widget().findChildren(QLabel)]
    assert "roast" in " ".join(labels) and any("anvil" in text for text in labels)  # each brand's own words
    assert "Kestrel ↔ Acme" in labels
    name, distance = competition.palettes[0]
    assert name == "Acme" and distance.pairs[0].a == "#DC1E28" and distance.pairs[0].delta_e < 2
    assert f" ΔE {distance.pairs[0].delta_e:.1f}" in labels


def test_competitors_tab_without_competitors_says_what_to_do(view, qtbot):
    with qtbot.waitSignal(view.competitors.shown, timeout=JOB_MS):
        view.tabs.setCurrentWidget(view.competitors)
    assert view.competitors.stack.currentWidget() is view.competitors.empty
    assert "Add competitors in the profile" in view.competitors.empty.text_label.text()


TRENDS = "Category: All categories\n\nWeek,cold brew: (Worldwide),instant coffee: (Worldwide)\n" + "".join(
    f"2026-{1 + i // 4:02d}-{1 + 7 * (i % 4):02d},{10 + 3 * i},{60 - 2 * i}\n" for i in range(24))


def test_a_trends_csv_is_drawn_with_each_terms_momentum(view, qtbot, tmp_path):
    path = tmp_path / "multiTimeline.csv"
    path.write_text(TRENDS)
    view.tabs.setCurrentWidget(view.trends)
    assert view.trends.stack.currentWidget() is view.trends.empty
    with qtbot.waitSignal(view.trends.loaded) as blocker:
        drop_files(view.trends, [path])
    labels = {m.term: m.label for m in blocker.args[0]}
    assert labels == {"cold brew": "rising", "instant coffee": "falling"}
    items = view.trends.plot.getPlotItem().listDataItems()
    assert next(item.name() for item in items).startswith("cold brew · ↑ rising +")
    assert "cold brew is rising" in view.trends.explanations.text()

    bad = tmp_path / "notes.csv"
    bad.write_text("just,some\nwords,here\n")
    assert not view.trends.load(str(bad))
    assert "is not a trends export" in view.trends.message.text() and view.trends.message.isVisible()
    assert len(view.trends.plot.getPlotItem().listDataItems()) == 2  # the last chart stays


def test_the_splitter_sizes_are_remembered(view, ctx, qtbot):
    from studio.ui.workspaces.research.view import ResearchView

    view.splitter.setSizes([200, 700, 380])
    view.splitter.splitterMoved.emit(200, 1)  # as a drag of the handle does
    sizes = view.splitter.sizes()
    again = ResearchView(ctx)
    qtbot.addWidget(again)
    again.resize(view.size())
    again.show()
    assert again.splitter.sizes() == sizes


def test_search_says_when_the_embedding_model_cannot_be_used(view, qtbot, lib, brand_id, tmp_path):
    from studio.core.ops.settings import set_setting
    from studio.core.research.library import EMBEDDING_SETTING

    import_into(lib, brand_id, write_documents(tmp_path / "docs"))
    set_setting(lib, EMBEDDING_SETTING, str(tmp_path / "gone-model"))  # a model folder moved away since it was set
    search = view.search
    with qtbot.waitSignal(search.searched, timeout=JOB_MS, check_params_cb=lambda found: bool(found)):
        search.query.setText("roast date")
    assert search.results.count() > 0  # words still find it
    assert not search.note.isHidden() and "gone-model" in search.note.text()
