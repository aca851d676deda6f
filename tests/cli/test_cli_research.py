"""`studio research` as a user runs it (in-process, through studio.cli.main): crawl the fixture
site, import files, search, compare, trends and the profile, and the messages for bad input."""

from __future__ import annotations

import json
import socket

import pytest

from studio.core.library import Library
from studio.core.ops import organize
from studio.core.ops.research import set_brand_profile
from tests.cli.test_cli import studio
from tests.core.research.test_trends import google_trends_csv
from tests.fixture_site import fixture_site


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        brand = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Acme").value
        set_brand_profile(lib, brand, competitors=["Forge Co"])
    return root


def research(library, *argv) -> tuple[int, str, str]:
    out = studio("research", *argv, "--library", library)
    return out.returncode, out.stdout, out.stderr


def test_crawl_import_search_compare_trends_and_profile(library, tmp_path):
    with fixture_site() as site:
        code, out, err = research(library, "crawl", site.url, "--brand", "acme", "--max-pages", 3, "--rps", 0, "--json")
        assert code == 0, err
        crawled = json.loads(out)
        assert (crawled["url"], crawled["pages"], crawled["added"], crawled["error"]) == (site.url + "/", 3, 3, None)
        assert crawled["palette"][0] == "#DC1E28"
    notes = tmp_path / "forge.md"
    notes.write_text("# Forge Co\n\nForge Co sells cheap cast anvils online with next-day delivery.", encoding="utf-8")
    code, out, _ = research(library, "import", notes, "--brand", "1", "--competitor", "Forge Co")
    assert (code, out.strip()) == (0, "1 added, 0 already there, 0 without text, 0 not readable")

    code, out, _ = research(library, "search", "forged in one piece", "--brand", "Acme", "-k", 2, "--json")
    hits = json.loads(out)
    assert code == 0 and hits[0]["source"] == site.url + "/" and "Forged in one piece" in hits[0]["text"]
    code, out, _ = research(library, "search", "cast anvils delivery", "--competitor", "forge co")
    assert code == 0 and out.split("  ", 1)[1].startswith(f"Forge Co ({notes.resolve()})\n")

    code, out, _ = research(library, "compare", "--brand", "Acme", "--json")
    assert code == 0 and [b["brand"] for b in json.loads(out)["brands"]] == ["Acme", "Forge Co"]
    trends = tmp_path / "trends.csv"
    trends.write_text(google_trends_csv(), encoding="utf-8")
    code, out, _ = research(library, "trends", trends)
    assert code == 0 and "cold brew is rising" in out
    code, out, _ = research(library, "profile", "--brand", "Acme")
    assert code == 0 and f"Website: {site.url}\n" in out and "Competitors: Forge Co\n" in out and "Research documents: 4" in out


def test_bad_research_input_gets_a_message(library, tmp_path):
    code, _, err = research(library, "profile", "--brand", "Nobody")
    assert code == 2 and err.startswith("error: There is no brand 'Nobody'. The brands are: 1 Acme.")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    code, out, err = research(library, "crawl", url, "--brand", "Acme")
    assert code == 1 and "0 pages read" in out and "error: Could not reach the site" in err

    good, bad = tmp_path / "voice.txt", tmp_path / "voice.rtf"
    good.write_text("We speak plainly.", encoding="utf-8")
    bad.write_text("{\\rtf1 We speak plainly.}", encoding="utf-8")
    code, out, err = research(library, "import", good, bad, "--brand", "Acme", "--json")
    assert code == 2 and json.loads(out)["added"] == 1
    assert err == ("error: voice.rtf: .rtf cannot be imported. Save it as one of .docx, .htm, .html, .markdown, .md, "
                   ".pdf, .text, .txt, .xhtml and import that.\n")
    code, _, err = research(library, "search", "")
    assert code == 2 and err == "error: Nothing to search for: type a word or a phrase.\n"
