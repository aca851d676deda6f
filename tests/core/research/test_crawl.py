"""The crawler against a real HTTP server on 127.0.0.1 serving the fixture site."""

from __future__ import annotations

import itertools
import socket
import time

import pytest

from studio.core.errors import BadInput
from studio.core.jobs import JobRunner, JobState
from studio.core.research.crawl import (
    CrawlParams,
    crawl,
    normalise,
    same_site,
    url_pattern,
)
from studio.core.research.palette import delta_e
from tests.fixture_site import BLUE, RED, fixture_site


def quick(url: str, **kwargs) -> CrawlParams:
    """Params for a test: short timeout, 1 MB page cap, no throttling unless asked."""
    return CrawlParams(url, **{"timeout_s": 1.0, "max_page_bytes": 1024 * 1024, "requests_per_second": 0, **kwargs})


def reasons(result) -> dict[str, str]:
    return {url.rsplit(":", 1)[1].split("/", 1)[1]: why for url, why in result.skipped}


@pytest.fixture(scope="module")
def crawled():
    """One crawl of the whole fixture site, shared by the tests that only read it."""
    with fixture_site() as site:
        result = crawl(quick(site.url + "/"), JobState())
    return site, result


def test_reads_pages_text_colours_and_fonts(crawled):
    site, result = crawled
    assert result.error is None and not result.cancelled
    home = next(p for p in result.pages if p.url == site.url + "/")
    assert home.title == "Acme Anvils" and home.description == "Anvils that last a lifetime."
    assert home.headings == ["Anvils for every workshop"]
    assert "Forged in one piece since 1921." in home.text
    assert "cookies" not in home.text and "Copyright" not in home.text and "About" not in home.text
    assert "#dc1e28" in home.colours and "#1e3c78" in home.colours  # <style> and the linked stylesheet
    assert {"Open Sans", "Brand Serif", "Georgia"} <= set(home.fonts)
    assert result.fonts[0] in ("Open Sans", "Brand Serif")
    assert {p.url.removeprefix(site.url) for p in result.pages} >= {"/", "/about", "/products", "/moved/target"}
    assert all(agent == "ConextStudio" for _, _, agent in site.requests)
    assert site.paths()[0] == "/robots.txt"
    assert site.paths().count("/style.css") == 1


def test_palette_comes_from_images_and_css(crawled):
    _, result = crawled
    hexes = [s.hex for s in result.palette]
    for colour in (RED, BLUE):
        target = "#{:02x}{:02x}{:02x}".format(*colour)
        assert min(delta_e(target, h) for h in hexes) < 3, (target, hexes)
    assert abs(sum(s.share for s in result.palette) - 1) < 1e-6


def test_robots_rules_are_obeyed(crawled):
    site, result = crawled
    assert "/private/secret" not in site.paths()
    assert "robots.txt" in reasons(result)["private/secret"]


def test_redirects_are_followed_only_on_the_site(crawled):
    site, result = crawled
    why = reasons(result)
    assert "moved/target" in {p.url.removeprefix(site.url + "/") for p in result.pages}
    assert "off the site" in why["redirect/off-site"] and site.paths().count("/about") == 1
    assert "non-web address (ftp:)" in why["redirect/ftp"]
    assert "more than 5 redirects" in why["redirect/chain/0"]
    assert sum(p.startswith("/redirect/chain/") for p in site.paths()) == 6


def test_huge_page_binary_files_and_slow_page_are_skipped(crawled):
    _, result = crawled
    why = reasons(result)
    assert "larger than 1 MB; reading stopped there" in why["big"]
    assert "application/pdf is not a web page" in why["files/report.pdf"]
    assert "application/zip is not a web page" in why["files/data.zip"]
    assert "no complete answer within 1 s" in why["slow"]


def test_calendar_trap_is_cut_off():
    with fixture_site() as site:
        result = crawl(quick(site.url, max_depth=100, max_pages=200, max_per_pattern=4), JobState())
    months = [p for p in site.paths() if p.startswith("/calendar")]
    assert len(months) == 4
    assert any("endless series" in why and "/calendar?month" in why for _, why in result.skipped)


def test_page_and_depth_limits():
    with fixture_site() as site:
        result = crawl(quick(site.url + "/bench/", max_pages=10, max_per_pattern=500), JobState())
        only_start = crawl(quick(site.url + "/bench/", max_depth=0), JobState())
    assert len(result.pages) == 10
    assert [p.url for p in only_start.pages] == [site.url + "/bench/"]


def test_rate_limit_spaces_requests():
    with fixture_site() as site:
        crawl(quick(site.url + "/bench/", max_pages=12, max_per_pattern=500, concurrency=8, requests_per_second=20), JobState())
    times = sorted(t for t, _, _ in site.requests)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) >= 12
    # Booked 0.05 s apart; when each lands at the server jitters with connection set-up, so
    # loosely: no bursts (unthrottled, 8 at once land within a millisecond) and the right pace.
    assert min(gaps) > 0.02
    assert (times[-1] - times[0]) / len(gaps) > 0.045


def test_cancel_stops_promptly_and_keeps_pages():
    with fixture_site(latency=0.2) as site:
        # Cancel as the user would, once the progress shows 3 of the 200 pages read.
        state = JobState(lambda: state.cancel() if (state.progress or 0) >= 3 / 200 else None)
        started = time.monotonic()
        result = crawl(quick(site.url + "/bench/", max_pages=200, max_per_pattern=500, concurrency=4), state)
        elapsed = time.monotonic() - started
        asked = len(site.requests)
        time.sleep(0.5)
        assert len(site.requests) == asked  # nothing more was fetched after the crawl returned
    assert result.cancelled and "Cancelled after" in result.error
    assert 3 <= len(result.pages) < 20
    assert elapsed < 5  # 200 pages at 0.2 s each with 4 at a time would take 10 s


def test_forbidding_robots_txt_stops_the_crawl():
    robots = "User-agent: ConextStudio\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    with fixture_site(robots=robots) as site:
        result = crawl(quick(site.url), JobState())
    assert result.pages == [] and site.paths() == ["/robots.txt"]
    assert "robots.txt does not allow ConextStudio" in result.error and "import them as files" in result.error


def test_robots_txt_server_error_is_read_as_no():
    with fixture_site(robots_status=503) as site:
        result = crawl(quick(site.url), JobState())
    assert result.pages == [] and site.paths() == ["/robots.txt"]
    assert "(its robots.txt answered HTTP 503)" in result.error


def test_missing_robots_txt_allows_everything():
    with fixture_site(robots=None) as site:
        result = crawl(quick(site.url, max_depth=1), JobState())
    assert "/private/secret" in site.paths() and result.error is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("url, says", [
    ("http://127.0.0.1:{port}/", "refused the connection"),  # a port found free when the test runs
    ("http://no-such-host.invalid/", "was not found (DNS)"),
])
def test_unreachable_site_says_what_to_check(url, says):
    result = crawl(quick(url.format(port=free_port())), JobState())
    assert result.pages == []
    assert says in result.error and "Check that the address is spelled right" in result.error


def test_site_going_away_keeps_the_pages_read():
    with fixture_site() as site:
        result = crawl(quick(site.url + "/partial/", concurrency=1), JobState())
    assert [p.title for p in result.pages] == ["Partial", "A"]
    assert "could not be reached" in result.error and "the 2 pages read are kept" in result.error


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "", "http://"])
def test_non_web_address_is_refused(url):
    with pytest.raises(BadInput) as info:
        crawl(CrawlParams(url), JobState())
    assert "web address" in str(info.value)


def test_crawl_runs_as_a_job():
    runner = JobRunner(io_threads=1)
    try:
        with fixture_site() as site:
            job = runner.wait(runner.submit(crawl, quick(site.url + "/about"), title="Crawl"), timeout=30)
    finally:
        runner.shutdown()
    assert job.status == "done" and [p.title for p in job.result.pages] == ["About"]
    assert job.state.progress == 1


def test_addresses_are_normalised_and_shaped():
    assert normalise("HTTP://Example.COM:80/a?b=2&a=1&utm_source=x#top") == "http://example.com/a?a=1&b=2"
    assert normalise("https://example.com") == "https://example.com/"
    assert url_pattern("http://x.com/calendar?month=2026-05") == url_pattern("http://x.com/calendar?month=1999-12")
    assert url_pattern("http://x.com/archive/2026/05") == "/archive/N/N"


def test_same_site():
    assert same_site("https://www.acme.example/a", "http://acme.example/")
    assert same_site("http://acme.example:8080/x", "http://www.acme.example:8080/")
    assert not same_site("http://acme.example:8080/", "http://acme.example/")
    assert not same_site("http://shop.acme.example/", "http://acme.example/")
    assert not same_site("ftp://acme.example/", "http://acme.example/")
