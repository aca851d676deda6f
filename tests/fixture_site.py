"""A brand's web site served on 127.0.0.1 for the crawler's tests and benchmark: pages with
text, CSS colours and fonts, images of known colours, robots rules, redirects (on the site,
off it, to ftp:, in a long chain), a huge page, binary files, a slow page, an endless
calendar, a page after which the server goes away, and a block of many plain pages."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image

RED, BLUE = (220, 30, 40), (20, 60, 200)
DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\n"
SLOW_S = 3.0
BIG_BYTES = 3 * 1024 * 1024

STYLE = """
@font-face { font-family: "Brand Serif"; src: url(/fonts/brand.woff2) format("woff2"); }
body { color: #1e3c78; background: #ffffff; font-family: "Brand Serif", Georgia, serif; }
.button { background-color: rgb(220, 30, 40); }
"""

HOME = """<!doctype html><html><head><title>Acme Anvils</title>
<meta name="description" content="Anvils that last a lifetime.">
<link rel="stylesheet" href="/style.css">
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Open+Sans:wght@400;700&display=swap">
<style>h1 { color: #dc1e28; font-family: 'Open Sans', sans-serif; }</style></head>
<body><nav><a href="/about">About</a> <a href="/products">Products</a></nav>
<div class="cookie-consent"><p>We use cookies to improve your visit.</p></div>
<h1>Anvils for every workshop</h1><p>Forged in one piece since 1921.</p>
<img src="/img/red.png"><img src="/img/blue.png">
<a href="/private/secret">Staff</a> <a href="/calendar?month=2026-01">Events</a>
<a href="/big">Catalogue</a> <a href="/files/report.pdf">Report</a> <a href="/files/data.zip">Data</a>
<a href="/slow">Archive</a> <a href="/redirect/ok">Moved</a> <a href="/redirect/off-site">Partner</a>
<a href="/redirect/ftp">Downloads</a> <a href="/redirect/chain/0">Chain</a>
<a href="https://elsewhere.example/">Elsewhere</a> <a href="#top">Top</a>
<footer><p>Copyright Acme</p></footer></body></html>"""


def page(title: str, body: str) -> bytes:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>".encode()


def png(colour: tuple[int, int, int], size: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()


@dataclass
class Site:
    url: str  # http://127.0.0.1:PORT
    requests: list[tuple[float, str, str]] = field(default_factory=list)  # (monotonic time, path, user agent)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


class _SiteHandler(BaseHTTPRequestHandler):
    site: Site
    robots = DEFAULT_ROBOTS
    robots_status = 200
    latency = 0.0
    bench_pages = 200

    def log_message(self, *args):
        pass

    def send(self, code: int, body: bytes = b"", kind: str = "text/html; charset=utf-8", headers: dict | None = None,
             length: bool = True) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler stopped reading (what a size limit or a timeout makes it do)

    def redirect(self, location: str) -> None:
        self.send(302, b"", headers={"Location": location})

    def do_GET(self):
        self.site.requests.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        port = self.server.server_address[1]
        if path == "/robots.txt":
            if self.robots is None:
                return self.send(404)
            return self.send(self.robots_status, self.robots.encode(), "text/plain")
        if path == "/":
            return self.send(200, HOME.encode())
        if path in ("/about", "/products", "/moved/target", "/private/secret"):
            name = path.strip("/").replace("/", " ").title()
            return self.send(200, page(name, f"<h2>{name}</h2><p>All about {name.lower()} at Acme.</p>"))
        if path == "/style.css":
            return self.send(200, STYLE.encode(), "text/css")
        if path in ("/img/red.png", "/img/blue.png"):
            return self.send(200, png(RED if "red" in path else BLUE), "image/png")
        if path == "/calendar":  # an endless calendar: every month links to the next
            year, month = (int(x) for x in query.get("month", ["2026-01"])[0].split("-"))
            following = f"{year + month // 12}-{month % 12 + 1:02d}"
            return self.send(200, page(f"Events {year}-{month:02d}", f'<a href="/calendar?month={following}">Next month</a>'))
        if path == "/big":  # no Content-Length: only reading tells how big it is
            return self.send(200, b"<html><body><p>" + b"anvil " * (BIG_BYTES // 6) + b"</p></body></html>", length=False)
        if path.startswith("/files/"):
            kind = "application/pdf" if path.endswith(".pdf") else "application/zip"
            return self.send(200, b"%PDF-1.4 binary " * 100, kind)
        if path == "/slow":
            time.sleep(SLOW_S)
            return self.send(200, page("Slow", "<p>At last.</p>"))
        if path == "/redirect/ok":
            return self.redirect("/moved/target")
        if path == "/redirect/off-site":
            return self.redirect(f"http://localhost:{port}/about")  # another host name: another site
        if path == "/redirect/ftp":
            return self.redirect("ftp://127.0.0.1/pub/file.zip")
        if path.startswith("/redirect/chain/"):
            return self.redirect(f"/redirect/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        if path == "/partial/":
            return self.send(200, page("Partial", '<a href="/partial/a">A</a>'))
        if path == "/partial/a":  # the last page before the server goes away
            self.send(200, page("A", '<p>Last words.</p><a href="/partial/b">B</a> <a href="/partial/c">C</a>'))
            self.wfile.flush()
            self.server.shutdown()
            self.server.server_close()
            return None
        if path == "/bench/":
            links = " ".join(f'<a href="/bench/{i}">Page {i}</a>' for i in range(self.bench_pages))
            return self.send(200, page("Bench", links))
        if path.startswith("/bench/"):
            n = path.rsplit("/", 1)[1]
            return self.send(200, page(f"Page {n}", f"<h1>Page {n}</h1><p>{'Plain words about anvils. ' * 40}</p>"))
        return self.send(404, page("Not found", "<p>No such page.</p>"))


class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # the benchmark's bursts of connections wait rather than fail


@contextlib.contextmanager
def fixture_site(robots: str | None = DEFAULT_ROBOTS, latency: float = 0.0, bench_pages: int = 200,
                 robots_status: int = 200) -> Iterator[Site]:
    """Serve the site on a free port of 127.0.0.1 for the with block. robots None: no robots.txt
    (404); robots_status: its HTTP status; latency: seconds each answer waits before it starts."""
    server = _Server(("127.0.0.1", 0), _SiteHandler)
    site = Site(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = type("Handler", (_SiteHandler,), {
        "site": site, "robots": robots, "robots_status": robots_status, "latency": latency, "bench_pages": bench_pages})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
