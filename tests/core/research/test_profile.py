"""The brand profile and the research documents of a brand's knowledge base, on a real library:
edits are undoable (typing merges), re-imports add nothing, bad input changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from studio.core import undo as undo_module
from studio.core.errors import BadInput
from studio.core.ops import organize
from studio.core.ops import research as ops
from studio.core.research.profile import (
    Competitor,
    get_brand_profile,
    get_document,
    list_documents,
)
from tests import media


@dataclass(frozen=True)
class Document:  # the shape the crawler and the importers hand over
    title: str
    text: str
    kind: str
    source: str


@pytest.fixture
def brand(lib) -> int:
    return organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Roast", ["#112233"]).value


def test_profile_fields_are_set_cleaned_and_undone(lib, brand):
    ops.set_brand_profile(lib, brand, website="roast.example", fonts=["Inter", " inter ", "Lora", ""],
                          voice=["warm", "plain-spoken"], key_messages=["Roasted this week"], audiences=["Students"],
                          competitors=["Bean Co", {"name": "Brew Bros", "website": "https://brewbros.example"}, "bean co"])
    ops.set_brand_profile(lib, brand, palette=["#aabbcc", "#112233"], name="Roast & Co")
    profile = get_brand_profile(lib, brand)
    assert profile.name == "Roast & Co" and profile.palette == ("#AABBCC", "#112233")
    assert profile.website == "https://roast.example" and profile.fonts == ("Inter", "Lora")
    assert (profile.voice, profile.key_messages, profile.audiences) == (("warm", "plain-spoken"), ("Roasted this week",), ("Students",))
    assert profile.competitors == (Competitor("Bean Co"), Competitor("Brew Bros", "https://brewbros.example"))
    assert profile.as_dict()["competitors"][1] == {"name": "Brew Bros", "website": "https://brewbros.example"}
    lib.undo.undo()
    assert get_brand_profile(lib, brand).name == "Roast" and get_brand_profile(lib, brand).palette == ("#112233",)
    lib.undo.undo()
    assert get_brand_profile(lib, brand).website is None and get_brand_profile(lib, brand).voice == ()


def test_typing_in_a_profile_field_is_one_undo_step(lib, brand, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(undo_module, "clock", lambda: now[0])
    for text in ("R", "Roasted", "Roasted this week"):
        now[0] += 0.5
        ops.set_brand_profile(lib, brand, key_messages=[text])
    assert get_brand_profile(lib, brand).key_messages == ("Roasted this week",)
    lib.undo.undo()
    assert get_brand_profile(lib, brand).key_messages == ()


def test_the_logo_is_an_image_asset(lib, brand, tmp_path):
    from studio.core.assets import importer
    from studio.core.jobs import JobState
    from studio.core.queries import list_assets

    importer.run(importer.ImportParams(lib.root, [str(media.jpeg(tmp_path / "logo.jpg")), str(media.mp4(tmp_path / "clip.mp4"))]), JobState())
    ids = {a.name: a.id for a in list_assets(lib)}
    ops.set_brand_profile(lib, brand, logo_asset_id=ids["logo.jpg"])
    assert get_brand_profile(lib, brand).logo_asset_id == ids["logo.jpg"]
    with pytest.raises(BadInput, match="not an image in the library"):
        ops.set_brand_profile(lib, brand, logo_asset_id=ids["clip.mp4"])
    assert get_brand_profile(lib, brand).logo_asset_id == ids["logo.jpg"]


def test_documents_are_added_once_and_removed_undoably(lib, brand):
    ops.set_brand_profile(lib, brand, competitors=["Bean Co"])
    docs = [Document("Home", "Fresh   coffee\nevery week", "page", "https://roast.example/"),
            {"title": "", "text": "Our story", "kind": "md", "source": "story.md"},
            Document("Blank", "   ", "page", "https://roast.example/empty")]
    added = ops.add_research_documents(lib, brand, docs).value
    assert len(added.added) == 2 and added.duplicates == () and added.empty == ("https://roast.example/empty",)
    again = ops.add_research_documents(lib, brand, [Document("Home again", "Fresh coffee every week", "html", "home.html")]).value
    assert again.added == () and again.duplicates == (added.added[0],)  # same text, whitespace aside
    rival = ops.add_research_documents(lib, brand, [Document("Bean", "Beans for all", "page", "https://bean.example/")], competitor="Bean Co").value
    assert [d.title for d in list_documents(lib, brand, competitor="Bean Co")] == ["Bean"]
    assert sorted(d.title for d in list_documents(lib, brand, competitor=None)) == ["Home", "story.md"]
    info, text = get_document(lib, added.added[0])
    assert (info.kind, info.source, info.chars, text) == ("page", "https://roast.example/", len(text), "Fresh   coffee\nevery week")
    assert get_brand_profile(lib, brand).documents == 3
    ops.remove_research_documents(lib, [*added.added, *rival.added])
    assert list_documents(lib, brand) == []
    lib.undo.undo()
    assert len(list_documents(lib, brand)) == 3


def test_bad_input_is_refused_and_changes_nothing(lib, brand):
    ops.set_brand_profile(lib, brand, website="https://roast.example")
    cases = [
        (lambda: ops.set_brand_profile(lib, brand, slogan="Hi"), "no field slogan; the fields are: name, palette"),
        (lambda: ops.set_brand_profile(lib, brand), "at least one"),
        (lambda: ops.set_brand_profile(lib, brand, palette=["#12345", "red"]), "#12345, red are not colours; write colours as #RRGGBB"),
        (lambda: ops.set_brand_profile(lib, brand, website="ftp://x.example"), "not a website address"),
        (lambda: ops.set_brand_profile(lib, brand, voice="warm"), "list of texts"),
        (lambda: ops.set_brand_profile(lib, brand, competitors=[{"website": "https://a.example"}]), "needs a name"),
        (lambda: ops.set_brand_profile(lib, 99, website="https://a.example"), "no brand 99"),
        (lambda: ops.add_research_documents(lib, brand, [Document("X", "x", "exe", "x.exe")]), "'exe' document; the kinds are: page, pdf"),
        (lambda: ops.add_research_documents(lib, brand, [Document("X", "x", "txt", "x.txt")], competitor="Nobody"), "not one of the brand's competitors"),
        (lambda: ops.remove_research_documents(lib, [12345]), "no research document 12345"),
        (lambda: get_document(lib, 12345), "no research document 12345"),
    ]
    for call, message in cases:
        with pytest.raises(BadInput, match=message):
            call()
    assert get_brand_profile(lib, brand).website == "https://roast.example" and list_documents(lib, brand) == []


def test_documents_from_the_importers_and_the_crawler(lib, brand, tmp_path):
    from studio.core.research.crawl import CrawledPage
    from studio.core.research.documents import read_document

    (tmp_path / "story.md").write_text("# Our story\n\nRoasting since 1998.", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Slow roast, small batches.", encoding="utf-8")
    page = CrawledPage(url="https://roast.example/about", depth=1, title="About", description="", headings=["About"],
                       text="We roast on Mondays.", links=[], colours=[], fonts=[])
    docs = [read_document(tmp_path / "story.md"), read_document(tmp_path / "notes.txt"), page]
    ops.add_research_documents(lib, brand, docs)
    assert sorted((d.kind, d.source) for d in list_documents(lib, brand)) == [
        ("md", str(tmp_path / "story.md")), ("page", "https://roast.example/about"), ("txt", str(tmp_path / "notes.txt"))]
