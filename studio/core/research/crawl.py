"""The brand-site crawler: async HTTP (httpx) that stays on one site, obeys its robots.txt,
goes easy on its server and gives up on anything too big, too slow or endless.

`crawl(params, state)` is the job the runner calls; `crawl_site` is the coroutine under it.
A crawl that is cancelled or loses the site midway returns the pages it got, with a message.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.research.extract import (
    css_colours,
    css_fonts,
    decode,
    most_used,
    parse_html,
)
from studio.core.research.palette import Swatch, extract_palette

USER_AGENT = "ConextStudio"
MAX_REDIRECTS = 5
_HTML = ("text/html", "application/xhtml+xml")
_WANTED = {_HTML: "a web page", ("image/",): "an image (PNG, JPEG, WebP, GIF)", ("text/css",): "a stylesheet"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|msclkid|mc_cid|mc_eid|sessionid|sid|phpsessid)$", re.IGNORECASE)
_MAX_QUERY_PARAMS = 4
_MAX_STYLESHEETS = 20
# How getaddrinfo's failures read on Linux, macOS and Windows.
_DNS_FAILURES = ("Name or service not known", "nodename nor servname", "name resolution", "getaddrinfo", "No address")


@dataclass
class CrawlParams:
    url: str
    max_pages: int = 50
    max_depth: int = 3  # links followed from the start page (0: the start page alone)
    concurrency: int = 8  # requests in flight at once
    requests_per_second: float = 5.0  # per host; 0 for no limit
    timeout_s: float = 15.0  # for a whole request, redirects aside: first byte to last
    max_page_bytes: int = 5 * 1024 * 1024  # pages, stylesheets and images alike
    max_images: int = 12  # images fetched for the palette
    max_per_pattern: int = 10  # pages of one URL shape (see url_pattern)
    palette_colours: int = 6


@dataclass
class CrawledPage:
    url: str  # where the page was found, after redirects
    depth: int
    title: str
    description: str
    headings: list[str]
    text: str
    links: list[str]
    colours: list[str]  # "#rrggbb" per use in its inline, <style> and same-site stylesheet CSS
    fonts: list[str]  # font families per use, likewise


@dataclass
class CrawlResult:
    url: str  # the start address, normalised
    pages: list[CrawledPage] = field(default_factory=list)
    palette: list[Swatch] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)  # most used first
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why it was left out)
    error: str | None = None  # what went wrong with the crawl as a whole, for the user
    cancelled: bool = False


class _Skip(Exception):
    """One address left out; the message says why."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.status = status  # the HTTP status, when the server answered with an error


class _Unreachable(_Skip):
    """The server could not be reached at all (DNS, refused connection)."""


def normalise(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no default port, no fragment, and the
    query without tracking parameters, sorted and cut to a few (so ?b=1&a=2 and ?a=2&b=1, or a
    link with a session id, are not fetched twice). Raises ValueError for a malformed address."""
    parts = urlsplit(url.strip())
    scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query[:_MAX_QUERY_PARAMS]), ""))


def url_pattern(url: str) -> str:
    """The shape of an address: digits become N, query values are dropped. Crawl traps (a
    calendar's "next month" link, /archive/2026/05/..., ?page=1,2,3...) make endless addresses
    of one shape, so the crawler fetches at most max_per_pattern pages of each shape."""
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def _site(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host, None if parts.port in (None, _DEFAULT_PORTS.get(parts.scheme)) else parts.port


def same_site(a: str, b: str) -> bool:
    """Whether two http(s) addresses are on one site: the same host, "www." or not, and the
    same port where one is given (http and https count as one site). A subdomain such as
    shop.example.com is a site of its own."""
    return all(urlsplit(u).scheme in _DEFAULT_PORTS for u in (a, b)) and _site(a) == _site(b)


def _looping_path(url: str) -> bool:
    """A path repeating a segment over and over (/a/b/a/b/a/b...): a relative-link loop."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return len(segments) > 12 or any(n > 2 for n in Counter(segments).values())


def _connect_reason(exc: Exception, url: str) -> str:
    host = urlsplit(url).hostname
    causes = []  # httpx wraps the socket's error a few levels down
    while exc is not None and len(causes) < 10:
        causes.append(exc)
        exc = exc.__cause__ or exc.__context__
    text = " ".join(str(cause) for cause in causes)
    if any(sign in text for sign in _DNS_FAILURES):
        return f"the name {host} was not found (DNS)"
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return f"{host} refused the connection (is the server running on that port?)"
    return f"{host} could not be reached ({causes[0] or type(causes[0]).__name__})"


def start_url(url: str) -> str:
    """The start address checked and normalised; a bare host name gets https://."""
    url = (url or "").strip()
    if not url:
        raise BadInput("No web address given. Type the brand's site, for example https://example.com.")
    if "://" not in url and not url.lower().startswith(("mailto:", "file:", "javascript:", "data:")):
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise BadInput(f"{url} is not a web address: only http:// and https:// sites can be crawled. "
                       "To read saved pages or documents, import them as files instead.")
    try:
        if not parts.hostname:
            raise ValueError
        return normalise(url)
    except ValueError:
        raise BadInput(f"{url} is not a valid web address. Check it and try again, for example https://example.com.") from None


class _Crawler:
    def __init__(self, params: CrawlParams, state: JobState, client: httpx.AsyncClient):
        self.params, self.state, self.client = params, state, client
        self.start = start_url(params.url)
        self.interval = 1.0 / params.requests_per_second if params.requests_per_second > 0 else 0.0
        self.result = CrawlResult(self.start)
        self.page_queue: deque[tuple[str, int]] = deque([(self.start, 0)])
        self.image_queue: deque[str] = deque()
        self.seen = {self.start}  # addresses queued once (pages and images)
        self.fetched: set[str] = set()  # pages' addresses after redirects
        self.patterns: Counter[str] = Counter()
        self.trapped: set[str] = set()
        self.images: list[bytes] = []
        self.image_count = 0
        self.pages_in_flight = 0
        self.unreachable: list[str] = []  # reasons, when the server could not be reached
        self.robots: dict[str, asyncio.Task] = {}  # per scheme://host: its parsed robots.txt
        self.robots_note = ""  # why a robots.txt refuses everything, when it was unreadable
        self.stylesheets: dict[str, asyncio.Task] = {}
        self.next_slot: dict[str, float] = {}  # per host: when its next request may start

    # --- the schedule -----------------------------------------------------------------------

    async def run(self) -> CrawlResult:
        params, result = self.params, self.result
        try:
            allowed = await self._allowed(self.start)
        except _Unreachable as exc:
            result.error = self._unreachable_message(str(exc))
            return result
        if not allowed:
            result.error = (f"The site's robots.txt does not allow {USER_AGENT} to crawl {self.start}{self.robots_note}. "
                            "Ask the site's owner to allow it, or save the pages you need and import them as files.")
            return result
        pending: set[asyncio.Task] = set()
        try:
            while not self.state.cancelled:
                while len(pending) < params.concurrency:
                    if self.page_queue and len(result.pages) + self.pages_in_flight < params.max_pages:
                        self.pages_in_flight += 1
                        pending.add(asyncio.create_task(self._visit_page(*self.page_queue.popleft())))
                    elif self.image_queue:
                        pending.add(asyncio.create_task(self._visit_image(self.image_queue.popleft())))
                    else:
                        break
                if not pending:
                    break
                # A short wait so Cancel (a thread's flag, not an asyncio event) is seen promptly.
                done, pending = await asyncio.wait(pending, timeout=0.1, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
                self.state.set_status(f"{len(result.pages)} pages read, {len(self.page_queue)} waiting")
                self.state.set_progress(len(result.pages), params.max_pages)
        finally:
            others = pending | set(self.stylesheets.values()) | set(self.robots.values())
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
        result.cancelled = self.state.cancelled
        self._finish()
        return result

    def _finish(self) -> None:
        result = self.result
        colours = [c for page in result.pages for c in page.colours]
        result.palette = extract_palette(self.images, colours, self.params.palette_colours)
        result.fonts = most_used([f for page in result.pages for f in page.fonts])
        if not result.cancelled:
            self.state.set_progress(1, 1)
        if result.cancelled:
            result.error = f"Cancelled after {len(result.pages)} pages; the pages read so far are kept."
        elif self.unreachable and not result.pages:
            result.error = self._unreachable_message(self.unreachable[0])
        elif self.unreachable:
            result.error = (f"{len(self.unreachable)} addresses could not be reached ({self.unreachable[0]}); the "
                            f"{len(result.pages)} pages read are kept. Check the connection and crawl again to fill the gaps.")
        elif not result.pages:
            reason = next((why for url, why in result.skipped if url == self.start), "nothing readable was found")
            result.error = f"The start page {self.start} gave nothing to read: {reason}. Check the address."

    def _unreachable_message(self, reason: str) -> str:
        return (f"Could not reach the site: {reason}. Check that the address is spelled right, that this "
                "computer is online, and that no firewall or proxy blocks it.")

    def _skip(self, url: str, exc: _Skip) -> None:
        self.result.skipped.append((url, str(exc)))
        if isinstance(exc, _Unreachable):
            self.unreachable.append(str(exc))

    def _same_site(self, url: str) -> bool:
        return same_site(url, self.start)

    def _enqueue_page(self, link: str, depth: int) -> None:
        try:
            url = normalise(link)
        except ValueError:
            return
        if url in self.seen or not self._same_site(url):
            return  # links to other sites are normal, not worth a line in `skipped`
        self.seen.add(url)
        pattern = url_pattern(url)
        self.patterns[pattern] += 1
        if _looping_path(url) or self.patterns[pattern] > self.params.max_per_pattern:
            if pattern not in self.trapped:  # one line per trap, not one per endless address
                self.trapped.add(pattern)
                self.result.skipped.append((url, f"looks like an endless series of pages ({pattern}); the rest are left out"))
            return
        self.page_queue.append((url, depth))

    def _enqueue_image(self, link: str) -> None:
        try:
            url = normalise(link)
        except ValueError:
            return
        if url not in self.seen and self._same_site(url) and self.image_count < self.params.max_images:
            self.seen.add(url)
            self.image_count += 1
            self.image_queue.append(url)

    # --- visits -----------------------------------------------------------------------------

    async def _visit_page(self, url: str, depth: int) -> None:
        try:
            await self._read_page(url, depth)
        except _Skip as exc:
            self._skip(url, exc)
        finally:
            self.pages_in_flight -= 1  # only now: the page is in result.pages or left out

    async def _read_page(self, url: str, depth: int) -> None:
        final, body, charset = await self._fetch(url, _HTML)
        if final in self.fetched:
            return  # a redirect to a page already read
        self.fetched.add(final)
        content = parse_html(decode(body, charset), final)
        colours, fonts = list(content.colours), list(content.fonts)
        for href in content.stylesheets:
            sheet_colours, sheet_fonts = await self._stylesheet(href)
            colours += sheet_colours
            fonts += sheet_fonts
        self.result.pages.append(CrawledPage(final, depth, content.title, content.description, content.headings,
                                             content.text, content.links, colours, fonts))
        if depth < self.params.max_depth:
            for link in content.links:
                self._enqueue_page(link, depth + 1)
        for src in content.images:
            self._enqueue_image(src)

    async def _visit_image(self, url: str) -> None:
        try:
            _final, body, _charset = await self._fetch(url, ("image/",))
        except _Skip as exc:
            return self._skip(url, exc)
        self.images.append(body)

    async def _stylesheet(self, href: str) -> tuple[list[str], list[str]]:
        """A same-site stylesheet's colours and fonts, fetched once however many pages link it."""
        try:
            url = normalise(href)
        except ValueError:
            return [], []
        if not self._same_site(url) or (url not in self.stylesheets and len(self.stylesheets) >= _MAX_STYLESHEETS):
            return [], []
        if url not in self.stylesheets:
            self.stylesheets[url] = asyncio.create_task(self._read_stylesheet(url))
        # shield: a page cancelled while waiting must not cancel the fetch other pages wait on
        return await asyncio.shield(self.stylesheets[url])

    async def _read_stylesheet(self, url: str) -> tuple[list[str], list[str]]:
        try:
            _final, body, charset = await self._fetch(url, ("text/css",))
        except _Skip as exc:
            self._skip(url, exc)
            return [], []
        css = decode(body, charset)
        return css_colours(css), css_fonts(css)

    # --- HTTP -------------------------------------------------------------------------------

    async def _fetch(self, url: str, accept: tuple[str, ...], robots: bool = True) -> tuple[str, bytes, str | None]:
        """GET url, following up to MAX_REDIRECTS redirects by hand, each checked: still on the
        site, still http(s), allowed by robots.txt. Returns (final url, body, charset).
        The body is streamed and dropped past max_page_bytes. Raises _Skip with the reason."""
        limit = self.params.max_page_bytes
        for _hop in range(MAX_REDIRECTS + 1):
            if robots and not await self._allowed(url):
                raise _Skip(f"robots.txt does not allow {USER_AGENT} to fetch it")
            await self._throttle(url)
            try:
                async with asyncio.timeout(self.params.timeout_s), self.client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = self._redirect_target(url, response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        raise _Skip(f"the server answered HTTP {response.status_code}", response.status_code)
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if not kind.startswith(accept) or kind == "image/svg+xml":
                        raise _Skip(f"{kind or 'an unknown kind of file'} is not " + _WANTED.get(accept, "what was looked for"))
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise _Skip(f"larger than {limit / 1048576:g} MB ({int(declared) / 1048576:.1f} MB); not read")
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > limit:
                            raise _Skip(f"larger than {limit / 1048576:g} MB; reading stopped there")
                    return url, bytes(body), response.charset_encoding
            except (TimeoutError, httpx.TimeoutException):
                raise _Skip(f"no complete answer within {self.params.timeout_s:g} s") from None
            except httpx.ConnectError as exc:
                raise _Unreachable(_connect_reason(exc, url)) from None
            except httpx.HTTPError as exc:
                raise _Skip(f"the transfer failed ({exc or type(exc).__name__})") from None
        raise _Skip(f"more than {MAX_REDIRECTS} redirects")

    def _redirect_target(self, url: str, location: str) -> str:
        target = urljoin(url, location)
        scheme = urlsplit(target).scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            raise _Skip(f"redirects to a non-web address ({scheme or 'none'}:), not followed")
        if not self._same_site(target):
            raise _Skip(f"redirects off the site, to {urlsplit(target).netloc}; not followed")
        return normalise(target)

    async def _throttle(self, url: str) -> None:
        """Space requests to one host at least 1/requests_per_second apart: each request books
        the next free slot (no await between reading and booking, so no lock is needed)."""
        host = urlsplit(url).netloc
        now = asyncio.get_running_loop().time()
        slot = max(now, self.next_slot.get(host, now))
        self.next_slot[host] = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            self.robots[origin] = asyncio.create_task(self._read_robots(origin))
        parser = await asyncio.shield(self.robots[origin])
        return parser.can_fetch(USER_AGENT, url)

    async def _read_robots(self, origin: str) -> RobotFileParser:
        """The origin's robots.txt as RFC 9309 reads it: missing (4xx) allows everything;
        401/403 and a server error (5xx) allow nothing."""
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            url = origin + "/robots.txt"
            _final, body, charset = await self._fetch(url, ("",), robots=False)
            parser.parse(decode(body, charset).splitlines())
        except _Unreachable:
            raise
        except _Skip as exc:
            if exc.status in (401, 403) or (exc.status or 0) >= 500:
                parser.disallow_all = True
                self.robots_note = f" (its robots.txt answered HTTP {exc.status})"
            else:  # missing, or unreadable for another reason
                parser.allow_all = True
        return parser


async def crawl_site(params: CrawlParams, state: JobState) -> CrawlResult:
    """Crawl params.url's site. Bad parameters raise BadInput; everything after the start
    (unreachable, forbidden, cancelled) comes back as the result's error, with what was read."""
    if params.max_pages < 1 or params.concurrency < 1 or params.max_depth < 0 or params.timeout_s <= 0:
        raise BadInput("Crawl settings out of range: at least 1 page, 1 request at a time, "
                       "a depth of 0 or more and a timeout above 0 seconds.")
    timeout = httpx.Timeout(params.timeout_s)
    limits = httpx.Limits(max_connections=params.concurrency, max_keepalive_connections=params.concurrency)
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=timeout, limits=limits,
                                 follow_redirects=False) as client:
        crawler = _Crawler(params, state, client)
        return await crawler.run()


def crawl(params: CrawlParams, state: JobState) -> CrawlResult:
    """The crawl as a job for the runner's "io" lane."""
    start_url(params.url)  # a bad address fails here, before an event loop starts
    return asyncio.run(crawl_site(params, state))
