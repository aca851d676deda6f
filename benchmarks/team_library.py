"""Team library speed: a library of 100,000 assets on PostgreSQL against the same on SQLite.

    python benchmarks/team_library.py [--assets 100000] [--server ADMIN_URL]

ADMIN_URL (default $STUDIO_TEST_POSTGRES, which `./bootstrap.sh test` prints the way to get) is
a role on a PostgreSQL server that may create databases. The script builds a personal library
of ASSETS assets (a fifth of them tagged), switches a copy of it to a team library with
`migrate-to` (timed), then times on both, median of 7:
  open         Library.open (schema check, and for a team library the server and shared folder)
               and the media library's first count;
  search       the media library's text search for one asset's name (a handful of hits);
  broad search a word in a quarter of the names (25,000 rows read back).
Prints each figure and the ratio PostgreSQL / SQLite. Not run by CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import insert, make_url

from studio.core.db.models import Asset, AssetTag
from studio.core.jobs import JobState
from studio.core.library import Library
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.core.queries import AssetFilter, count_assets, list_assets
from studio.core.team_copy import MigrateParams, migrate_to

WORDS = ("autumn", "winter", "spring", "summer")
RUNS = 7


def build(root: Path, count: int) -> None:
    with Library.open(root) as lib:
        campaign = create_campaign(lib, create_brand(lib, create_client(lib, "Acme").value, "Roast").value, "Launch").value
        start = datetime(2026, 1, 1)
        rows = [{"sha256": f"{i:064x}", "kind": ("image", "video")[i % 2], "name": f"{WORDS[i % 4]} hero {i:06d}.{('jpg', 'mp4')[i % 2]}",
                 "ext": (".jpg", ".mp4")[i % 2], "size_bytes": 1000 + i, "width": 1080, "height": 1920, "has_alpha": False,
                 "orientation": "portrait", "campaign_id": campaign if i % 3 else None, "imported_at": start + timedelta(seconds=i)}
                for i in range(count)]
        tags = [{"asset_id": i + 1, "tag": tag} for i in range(0, count, 5) for tag in ("hero", WORDS[i % 4])]
        with lib.engine.begin() as conn:
            conn.execute(insert(Asset), rows)
            conn.execute(insert(AssetTag), tags)


def timed(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(location) -> dict[str, float]:
    def open_and_count():
        with Library.open(location, lock=False) as lib:
            count_assets(lib)

    with Library.open(location, lock=False) as lib:
        one = timed(lambda: list_assets(lib, AssetFilter(text="hero 004242")))
        broad = timed(lambda: list_assets(lib, AssetFilter(text="summer")))
        hits = (len(list_assets(lib, AssetFilter(text="hero 004242"))), len(list_assets(lib, AssetFilter(text="summer"))))
    return {"open": timed(open_and_count), "search": one, "broad search": broad, "hits": hits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--server", default=os.environ.get("STUDIO_TEST_POSTGRES"), help="postgresql://USER:PASSWORD@HOST:PORT/postgres")
    args = parser.parse_args()
    if not args.server:
        parser.error("give --server or set STUDIO_TEST_POSTGRES")
    admin = make_url(args.server)
    work = Path(tempfile.mkdtemp(prefix="team-bench-"))
    database = f"bench_{os.getpid()}"
    pgpass = work / "pgpass"
    pgpass.write_text(f"{admin.host}:{admin.port or 5432}:*:{admin.username}:{admin.password}\n")
    pgpass.chmod(0o600)
    os.environ.update(PGPASSFILE=str(pgpass), PGUSER=admin.username)
    with psycopg.connect(args.server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        start = time.perf_counter()
        build(work / "personal", args.assets)
        print(f"built a personal library of {args.assets:,} assets in {time.perf_counter() - start:.1f} s")
        shutil.copytree(work / "personal", work / "to-share")
        url = f"postgresql://{admin.host}:{admin.port or 5432}/{database}"
        with Library.open(work / "to-share") as lib:
            report = migrate_to(lib, MigrateParams(url, str(work / "share")), JobState())
        print(f"migrate-to: {report['rows']:,} rows copied and verified in {report['seconds']:.1f} s")
        sqlite, postgres = measure(work / "personal"), measure(work / "share")
        assert sqlite["hits"] == postgres["hits"], (sqlite["hits"], postgres["hits"])
        print(f"\n{'median of ' + str(RUNS):<16}{'SQLite':>10}{'PostgreSQL':>12}{'ratio':>8}   hits {sqlite['hits']}")
        for name in ("open", "search", "broad search"):
            print(f"{name:<16}{sqlite[name] * 1000:>8.1f} ms{postgres[name] * 1000:>9.1f} ms{postgres[name] / sqlite[name]:>7.2f}×")
    finally:
        with psycopg.connect(args.server.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
