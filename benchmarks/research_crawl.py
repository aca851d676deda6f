"""Crawl speed: 200 local pages, each answered after ~20 ms of server latency, crawled with
concurrency 8, against a peer in the same run: a plain sequential httpx fetch of the same URLs.

    python benchmarks/research_crawl.py [--pages 200] [--latency 0.02] [--concurrency 8] [--rps 0]

The crawl does all its work (robots.txt, parsing every page, queueing its links); the peer
only downloads. --rps is the crawler's per-host rate limit (0: none). The crawler's default
of 5 requests a second, the polite setting for a stranger's site, would by itself make 200
pages take 40 s; the benchmark measures the crawler, so it runs without one unless asked.
Goal: the crawl under 20 s. Not run by CI.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx

from studio.core.jobs import JobState
from studio.core.research.crawl import CrawlParams, crawl
from tests.fixture_site import fixture_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rps", type=float, default=0.0)
    args = parser.parse_args()

    with fixture_site(latency=args.latency, bench_pages=args.pages) as site:
        index = site.url + "/bench/"
        urls = [index] + [f"{site.url}/bench/{i}" for i in range(args.pages)]

        params = CrawlParams(index, max_pages=len(urls), max_depth=1, concurrency=args.concurrency,
                             requests_per_second=args.rps, max_per_pattern=len(urls))
        started = time.perf_counter()
        result = crawl(params, JobState())
        crawl_s = time.perf_counter() - started
        assert len(result.pages) == len(urls), (len(result.pages), result.error, result.skipped[:3])

        started = time.perf_counter()
        with httpx.Client() as client:
            fetched = sum(len(client.get(url).content) > 0 for url in urls)
        peer_s = time.perf_counter() - started
        assert fetched == len(urls)

    print(f"{len(urls)} pages, {args.latency * 1000:.0f} ms latency each")
    print(f"crawler (concurrency {args.concurrency}, rate limit {args.rps or 'none'}): {crawl_s:6.2f} s"
          f"  ({len(urls) / crawl_s:.0f} pages/s)  goal < 20 s: {'met' if crawl_s < 20 else 'MISSED'}")
    print(f"peer (sequential httpx GETs, no parsing):    {peer_s:6.2f} s  ({len(urls) / peer_s:.0f} pages/s)")
    print(f"ratio peer / crawler: {peer_s / crawl_s:.1f}x")


if __name__ == "__main__":
    main()
