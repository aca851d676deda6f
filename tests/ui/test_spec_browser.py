"""The spec browser over a real library: rules in plain words with their sources and
unconfirmed flags, search, and library overrides checked before they are saved (undoable)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from studio.core.db.models import SpecEntryRow
from studio.core.specs.catalog import load_catalog, shipped_catalog


@pytest.fixture
def browser(window):
    window.spec_browser_action.trigger()
    assert window.spec_browser.isVisible()
    return window.spec_browser


def _entries(lib) -> int:
    with lib.read() as conn:
        return conn.execute(select(func.count()).select_from(SpecEntryRow)).scalar()


def _item(browser, spec_id):
    return next(i for i in browser.items() if i.data(0, Qt.UserRole) == spec_id)


def test_a_rule_shows_its_source_checked_date_and_unconfirmed_flag(browser):
    spec = shipped_catalog().entries["tiktok.infeed"]
    browser.select("tiktok.infeed")
    text, html = browser.details.toPlainText(), browser.details.toHtml()
    assert "TikTok in-feed video" in text and "shipped with the studio" in text
    safe = text[text.index("Safe zone"):]
    assert safe.startswith("Safe zone\nkeep text and logos out of the top 7.8 %, bottom 22.9 % and right 13.9 %")
    assert f"Unconfirmed: {spec.unconfirmed['safe_zone']}" in safe
    assert "adfuseai.com" in safe.split("\n\n")[0] and "https://adfuseai.com" in html
    assert f"third party, checked {spec.source_for('safe_zone').checked}" in text
    assert "Length\n5 s to 60 s" in text and "Ad text\n12 characters to 100 characters; one, required" in text
    assert not browser.remove_button.isEnabled()  # shipped entries cannot be removed


def test_search_filters_the_placements(browser, qtbot):
    qtbot.keyClicks(browser.search, "youtube")
    shown = [i.text(0) for i in browser.items() if not i.isHidden()]
    assert shown == ["YouTube in-stream (skippable)", "YouTube bumper", "YouTube Shorts (Demand Gen)"]
    browser.search.setText("meta reels")
    assert [i.data(0, Qt.UserRole) for i in browser.items() if not i.isHidden()] == ["meta.reels"]
    hidden_platforms = [browser.tree.topLevelItem(n).text(0) for n in range(browser.tree.topLevelItemCount())
                        if browser.tree.topLevelItem(n).isHidden()]
    assert hidden_platforms == ["Google", "TikTok", "LinkedIn", "X"]
    browser.search.clear()
    assert not any(i.isHidden() for i in browser.items())


def test_invalid_overrides_show_the_message_and_save_nothing(browser, lib, qtbot):
    browser.select("meta.reels")
    editor = browser.edit_entry()
    assert json.loads(editor.editor.toPlainText())["id"] == "meta.reels"
    editor.editor.setPlainText('{"id": "meta.reels", ')
    qtbot.mouseClick(editor.save_button, Qt.LeftButton)
    assert "not valid JSON" in editor.error.text() and editor.isVisible()
    entry = json.loads(json.dumps(shipped_catalog().entries["meta.reels"].model_dump(mode="json", exclude_unset=True)))
    entry["sources"] = [s for s in entry["sources"] if "max_file_bytes" not in s["fields"]]
    editor.editor.setPlainText(json.dumps(entry))
    qtbot.mouseClick(editor.save_button, Qt.LeftButton)
    assert "no source for" in editor.error.text() and "max_file_bytes" in editor.error.text()
    assert editor.isVisible() and _entries(lib) == 0
    assert load_catalog(lib).origins["meta.reels"] == "shipped"


def test_a_valid_override_appears_marked_undoes_and_is_removed(browser, window, lib, qtbot):
    browser.select("meta.reels")
    editor = browser.edit_entry()
    entry = json.loads(editor.editor.toPlainText())
    entry["max_file_bytes"] = 2 * 1_048_576
    editor.editor.setPlainText(json.dumps(entry, indent=2))
    qtbot.mouseClick(editor.save_button, Qt.LeftButton)
    assert not editor.isVisible()
    assert load_catalog(lib).origins["meta.reels"] == "library override"
    assert _item(browser, "meta.reels").text(1) == "override" and browser.current_spec_id() == "meta.reels"
    text = browser.details.toPlainText()
    assert "overridden in this library" in text and "Largest file\n2 MB" in text
    assert browser.remove_button.isEnabled() and browser.override_button.text() == "Edit library entry…"

    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Override spec meta.reels")
    window.undo_action.trigger()  # Edit ▸ Undo takes the override back
    qtbot.waitUntil(lambda: _item(browser, "meta.reels").text(1) == "")
    assert "Largest file\n4 GB" in browser.details.toPlainText()
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: _item(browser, "meta.reels").text(1) == "override")

    qtbot.mouseClick(browser.remove_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: _item(browser, "meta.reels").text(1) == "")
    assert _entries(lib) == 0 and "shipped with the studio" in browser.details.toPlainText()


def test_a_new_placement_is_added_marked_as_the_library_s_own(browser, lib, qtbot):
    browser.select("x.image")
    editor = browser.edit_entry()
    entry = json.loads(editor.editor.toPlainText())
    entry.update(id="x.carousel_image", placement="carousel_image", name="X carousel image")
    editor.editor.setPlainText(json.dumps(entry))
    qtbot.mouseClick(editor.save_button, Qt.LeftButton)
    assert browser.current_spec_id() == "x.carousel_image" and _item(browser, "x.carousel_image").text(1) == "library"
    assert "added in this library" in browser.details.toPlainText()
    assert load_catalog(lib).origins["x.carousel_image"] == "library"
