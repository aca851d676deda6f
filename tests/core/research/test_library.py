"""The research service on a real library: crawls of the fixture site (a real HTTP server on
127.0.0.1) and document imports stored as research documents, the brand profile filled (never
overwritten), search over the brand's knowledge index, competitors kept apart, and bad input."""

from __future__ import annotations

import socket

import docx
import pytest

from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobRunner, JobState
from studio.core.ops import organize
from studio.core.ops.research import remove_research_documents, set_brand_profile
from studio.core.research import library as research
from studio.core.research.knowledge import INDEX_FILE
from studio.core.research.library import CrawlIntoParams, ImportDocsParams
from studio.core.research.profile import Competitor, get_brand_profile, list_documents
from tests.core.research.test_trends import google_trends_csv
from tests.fixture_site import fixture_site

ROAST = "# Our roast\n\nWe roast single-origin beans in small batches every Tuesday, and print the roast date on every bag."
SHIPPING = "Orders over 30 pounds ship free. Delivery takes two to four working days."


@pytest.fixture
def brand(lib) -> int:
    brand_id = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Acme").value
    set_brand_profile(lib, brand_id, competitors=["Forge Co"])
    return brand_id


def crawl(lib, brand_id: int, url: str, **kwargs) -> research.CrawlSummary:
    """Three pages (the home page, About, Products) unless told otherwise, with no throttling."""
    params = CrawlIntoParams(str(lib.root), brand_id, url, **{"max_pages": 3, "requests_per_second": 0, **kwargs})
    return research.crawl_into_library(params, JobState(), lib)


def write_files(folder, **texts) -> list[str]:
    for name, text in texts.items():
        (folder / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return [str(folder / name.replace("_", ".")) for name in texts]


def test_crawl_stores_pages_fills_the_profile_and_is_searchable(lib, brand):
    with fixture_site() as site:
        summary = crawl(lib, brand, site.url)
        again = crawl(lib, brand, site.url + "/")
    assert (summary.url, summary.pages, summary.added, summary.duplicates) == (site.url + "/", 3, 3, 0)
    assert summary.error is None and not summary.cancelled
    assert summary.palette[0] == "#DC1E28" and "#143CC8" in summary.palette  # the red image and CSS, the blue image
    assert summary.fonts[:2] == ["Open Sans", "Brand Serif"]
    assert (again.added, again.duplicates) == (0, 3)  # a re-crawl adds nothing twice
    documents = list_documents(lib, brand)
    assert sorted(d.title for d in documents) == ["About", "Acme Anvils", "Products"]
    assert {d.kind for d in documents} == {"page"} and all(d.competitor is None for d in documents)

    profile = get_brand_profile(lib, brand)
    assert profile.website == site.url and profile.palette == tuple(summary.palette)
    assert profile.fonts == tuple(summary.fonts[:research.PROFILE_FONTS])

    hits = research.search(lib, "forged in one piece", brand_id=brand)
    assert hits[0].source == site.url + "/" and hits[0].title == "Acme Anvils"
    assert "Forged in one piece since 1921." in hits[0].text
    assert (research.research_dir(lib, brand) / INDEX_FILE).is_file()


def test_crawl_never_overwrites_what_the_user_set(lib, brand):
    set_brand_profile(lib, brand, website="https://acme.example", palette=["#000000"], fonts=["Lora"])
    with fixture_site() as site:
        summary = crawl(lib, brand, site.url + "/")
    assert summary.added == 3
    profile = get_brand_profile(lib, brand)
    assert (profile.website, profile.palette, profile.fonts) == ("https://acme.example", ("#000000",), ("Lora",))


def test_unreachable_site_keeps_the_pages_read_and_says_so(lib, brand):
    with fixture_site() as site:
        # the server goes away after /partial/a; one request at a time, so none is under way as it goes
        summary = crawl(lib, brand, site.url + "/partial/", max_pages=10, concurrency=1)
    assert summary.pages == summary.added == 2
    assert "could not be reached" in summary.error and "the 2 pages read are kept" in summary.error
    assert sorted(d.title for d in list_documents(lib, brand)) == ["A", "Partial"]


def test_a_site_that_cannot_be_reached_stores_nothing(lib, brand):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    summary = crawl(lib, brand, f"http://127.0.0.1:{port}/")
    assert summary.pages == summary.added == 0
    assert "refused the connection" in summary.error and "Check that the address is spelled right" in summary.error
    assert list_documents(lib, brand) == [] and get_brand_profile(lib, brand).website is None


def test_unknown_brand_or_competitor_fails_before_any_request(lib, brand):
    with fixture_site() as site:
        with pytest.raises(BadInput, match="There is no brand 99"):
            crawl(lib, 99, site.url + "/")
        with pytest.raises(BadInput, match="'Anvil Mart' is not one of Acme's competitors \\(Forge Co\\)"):
            crawl(lib, brand, site.url + "/", competitor="Anvil Mart")
        assert site.requests == []
    with pytest.raises(BadInput, match="not a valid web address"):
        crawl(lib, brand, "http://")


def test_crawl_runs_as_a_job_that_opens_the_library_itself(lib, brand):
    runner = JobRunner(io_threads=1)
    try:
        with fixture_site() as site:
            params = CrawlIntoParams(str(lib.root), brand, site.url + "/about", max_pages=1, requests_per_second=0)
            job = runner.wait(runner.submit(research.crawl_into_library, params, title="Crawl"), timeout=60)
    finally:
        runner.shutdown()
    assert job.status == "done", job.error
    assert job.result.added == 1 and [d.title for d in list_documents(lib, brand)] == ["About"]


def test_import_reports_bad_files_and_adds_the_others_as_one_step(lib, brand, tmp_path):
    paths = write_files(tmp_path, roast_md=ROAST, shipping_txt=SHIPPING, notes_rtf="{\\rtf1 hello}", empty_txt="")
    page = tmp_path / "about.html"
    page.write_text("<html><head><title>About Acme</title></head><body><p>Anvils since 1921.</p></body></html>")
    word = docx.Document()
    word.add_heading("Tone of voice", level=1)
    word.add_paragraph("We speak plainly and warmly.")
    word.save(tmp_path / "voice.docx")
    paths += [str(page), str(tmp_path / "voice.docx"), str(tmp_path / "missing.pdf")]

    summary = research.import_documents(ImportDocsParams(str(lib.root), brand, paths), JobState(), lib)
    assert (summary.added, summary.duplicates, summary.empty) == (4, 0, 0)
    failed = dict(summary.failed)
    assert set(failed) == {paths[2], paths[3], paths[6]}
    assert ".rtf cannot be imported" in failed[paths[2]] and "is empty" in failed[paths[3]] and "was not found" in failed[paths[6]]
    assert sorted(d.kind for d in list_documents(lib, brand)) == ["docx", "html", "md", "txt"]
    assert research.search(lib, "roast date", brand_id=brand)[0].title == "Our roast"

    again = research.import_documents(ImportDocsParams(str(lib.root), brand, paths[:2]), JobState())  # opens the library itself
    assert (again.added, again.duplicates, again.failed) == (0, 2, [])
    lib.undo.undo()  # the first import was one step
    assert list_documents(lib, brand) == []


def test_import_that_is_cancelled_adds_nothing(lib, brand, tmp_path):
    state = JobState()
    state.cancel()
    with pytest.raises(Cancelled):
        research.import_documents(ImportDocsParams(str(lib.root), brand, write_files(tmp_path, roast_md=ROAST)), state, lib)
    assert list_documents(lib, brand) == []
    with pytest.raises(BadInput, match="No files to import"):
        research.import_documents(ImportDocsParams(str(lib.root), brand, []), JobState(), lib)


def test_competitor_documents_are_kept_apart(lib, brand, tmp_path):
    research.import_documents(ImportDocsParams(str(lib.root), brand, write_files(tmp_path, roast_md=ROAST)), JobState(), lib)
    set_brand_profile(lib, brand, palette=["#DC1E28", "#1E3C78"])
    with fixture_site() as rival:
        summary = crawl(lib, brand, rival.url + "/", competitor="forge co")  # the profile's spelling is kept
    assert summary.added == 3 and summary.palette
    assert {d.competitor for d in list_documents(lib, brand, competitor="Forge Co")} == {"Forge Co"}
    profile = get_brand_profile(lib, brand)
    assert profile.competitors == (Competitor("Forge Co", rival.url),)
    assert profile.palette == ("#DC1E28", "#1E3C78") and profile.website is None  # the brand's own profile is untouched

    own = research.search(lib, "anvils roast", brand_id=brand)
    assert {hit.title for hit in own} == {"Our roast"}
    theirs = research.search(lib, "anvils roast", brand_id=brand, competitor="Forge Co")
    assert theirs and {hit.title for hit in theirs} <= {"Acme Anvils", "About", "Products"}
    both = research.search(lib, "anvils roast", brand_id=brand, competitor=None)
    assert {hit.title for hit in both} == {hit.title for hit in own + theirs}

    comparison = research.compare_with_competitors(lib, brand)
    assert [b.brand for b in comparison.brands] == ["Acme", "Forge Co"]
    assert any("roast" in t.term for t in comparison.brands[0].terms)
    gap = research.palette_gap(lib, brand, "Forge Co")
    assert gap.pairs[0].a == "#DC1E28" and gap.pairs[0].delta_e < 2


def test_palette_gap_and_comparison_need_a_competitor_to_compare_with(lib, brand, tmp_path):
    with pytest.raises(BadInput, match="Forge Co's palette is not known yet: crawl its site"):
        research.palette_gap(lib, brand, "Forge Co")
    sites = research.research_dir(lib, brand) / research.SITES_FILE
    sites.parent.mkdir(parents=True)
    sites.write_text('{"Forge Co": {"palette": ["#DC1', encoding="utf-8")  # cut off mid-write by something else
    with pytest.raises(BadInput, match="Forge Co's palette is not known yet"):
        research.palette_gap(lib, brand, "Forge Co")
    with pytest.raises(BadInput, match="not one of Acme's competitors"):
        research.palette_gap(lib, brand, "Nobody")
    research.import_documents(ImportDocsParams(str(lib.root), brand, write_files(tmp_path, roast_md=ROAST)), JobState(), lib)
    with pytest.raises(BadInput, match="at least two brands"):
        research.compare_with_competitors(lib, brand)


def test_the_index_is_kept_in_memory_until_the_documents_change(lib, brand, tmp_path):
    research.import_documents(ImportDocsParams(str(lib.root), brand, write_files(tmp_path, roast_md=ROAST)), JobState(), lib)
    first = research.brand_index(lib, brand)
    assert research.brand_index(lib, brand) is first
    set_brand_profile(lib, brand, voice=["warm"])  # a write, but not to the documents
    assert research.brand_index(lib, brand) is first
    research.import_documents(ImportDocsParams(str(lib.root), brand, write_files(tmp_path, shipping_txt=SHIPPING)), JobState(), lib)
    assert research.search(lib, "free delivery", brand_id=brand)[0].title == "shipping"
    second = research.brand_index(lib, brand)
    assert second is not first and len(second) == 2
    shipping = next(d.id for d in list_documents(lib, brand) if d.title == "shipping")
    remove_research_documents(lib, [shipping])
    assert all(hit.doc_id != shipping for hit in research.search(lib, "free delivery roast", brand_id=brand))
    lib.undo.undo()  # the same document back, under its old id
    assert research.search(lib, "free delivery", brand_id=brand)[0].doc_id == shipping


def test_search_bad_input(lib, brand, tmp_path):
    with pytest.raises(BadInput, match="There are no research documents yet"):
        research.search(lib, "anvils")
    with pytest.raises(BadInput, match="knowledge base is empty"):
        research.search(lib, "anvils", brand_id=brand)
    with pytest.raises(BadInput, match="There is no brand 42"):
        research.search(lib, "anvils", brand_id=42)
    research.import_documents(ImportDocsParams(str(lib.root), brand, write_files(tmp_path, roast_md=ROAST)), JobState(), lib)
    with pytest.raises(BadInput, match="Nothing to search for"):
        research.search(lib, "  ", brand_id=brand)
    assert research.search(lib, "roast date")[0].title == "Our roast"  # every brand's documents


def test_trends_import(tmp_path):
    path = tmp_path / "multiTimeline.csv"
    path.write_text(google_trends_csv(), encoding="utf-8")
    labels = {m.term: m.label for m in research.import_trends(path)}
    assert labels == {"cold brew": "rising", "instant coffee": "falling", "oat latte": "rising", "decaf": "steady"}
    with pytest.raises(BadInput, match="does not exist"):
        research.import_trends(tmp_path / "nothing.csv")
