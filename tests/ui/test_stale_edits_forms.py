"""Saves from forms that a colleague overtook: the export copy editor, a spec override, a publishing
channel and a decision rule. Alice (the window's session) has the form open, Bob (`other`) saves
the same row through the op, Alice saves: Bob's change stays, the main window asks, Keep mine
writes Alice's change on top of Bob's. With nobody in between, saves go through, and saving again
after one's own save asks nothing."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from studio.core.analytics import decisions
from studio.core.ops import decisions as rule_ops
from studio.core.ops import organize
from studio.core.ops import publishing as channel_ops
from studio.core.ops.copy import campaign_copy, set_copy
from studio.core.publishing.calendar import get_channel
from studio.core.specs.catalog import load_catalog, save_entry, shipped_catalog


@pytest.fixture
def brand_id(lib):
    return organize.create_brand(lib, organize.create_client(lib, "Kestrel").value, "Kestrel").value


def asked(qtbot, window):
    """The conflict dialog the main window opened by itself."""
    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    return window.conflict_dialog


def keep_mine(qtbot, window) -> None:
    dialog = asked(qtbot, window)
    with qtbot.waitSignal(dialog.resolved) as answer:
        dialog.keep_button.click()
    assert answer.args == ["mine"]


def nobody_asked(qtbot, window) -> None:
    qtbot.wait(50)  # a conflict reaches the window through a queued signal
    assert window.conflict_dialog is None


# ---- the export dialog's copy editor ------------------------------------------------------------
@pytest.fixture
def copy_pane(window, brand_id, lib, qtbot):
    campaign_id = organize.create_campaign(lib, brand_id, "Autumn").value
    set_copy(lib, campaign_id, "headline", ["Autumn roast", "Small batch"])
    window.ctx.current_campaign_id = campaign_id
    window.export_action.trigger()
    pane = window.export_dialog.copy_pane
    window.export_dialog.tabs.setCurrentWidget(pane)
    pane.field.setCurrentIndex(pane.field.findData("headline"))
    assert pane.campaign_id == campaign_id and pane.texts() == ["Autumn roast", "Small batch"]
    return pane


def headlines(lib, campaign_id):
    return campaign_copy(lib, campaign_id)[None]["headline"]


def test_copy_saved_over_a_colleagues_line_asks_and_keep_mine_keeps_both_changes(qtbot, window, lib, other, copy_pane):
    campaign_id = copy_pane.campaign_id
    set_copy(other, campaign_id, "headline", ["Bob's roast", "Small batch"])  # Bob, line 1
    copy_pane.editor.setPlainText("Autumn roast\nSmall batch, big taste")  # Alice, line 2
    qtbot.mouseClick(copy_pane.save_button, Qt.LeftButton)

    assert headlines(lib, campaign_id) == ["Bob's roast", "Small batch"]  # her stale line 1 did not undo his
    assert asked(qtbot, window).conflict.table == "ad_copy"
    assert "someone else changed this copy" in copy_pane.status.text()
    assert copy_pane.texts() == ["Autumn roast", "Small batch, big taste"]  # nothing typed is lost
    keep_mine(qtbot, window)
    assert headlines(lib, campaign_id) == ["Bob's roast", "Small batch, big taste"]  # his line, her line
    qtbot.waitUntil(lambda: copy_pane.texts() == ["Bob's roast", "Small batch, big taste"])  # the pane shows it
    assert copy_pane.status.text() == ""


def test_copy_saves_with_nobody_in_between_ask_nothing(qtbot, window, lib, copy_pane):
    copy_pane.editor.setPlainText("Autumn roast\nSlow roasted")
    qtbot.mouseClick(copy_pane.save_button, Qt.LeftButton)
    copy_pane.editor.setPlainText("Autumn roast is back\nSlow roasted")  # again, over her own save
    qtbot.mouseClick(copy_pane.save_button, Qt.LeftButton)
    assert headlines(lib, copy_pane.campaign_id) == ["Autumn roast is back", "Slow roasted"]
    assert copy_pane.status.text().startswith("Saved.")
    nobody_asked(qtbot, window)


# ---- the spec browser's library override --------------------------------------------------------
def reels(**changes):
    return shipped_catalog().entries["meta.reels"].model_copy(update=changes)


def override_editor(window, lib):
    """Alice opens the browser on meta.reels, already overridden in the library."""
    save_entry(lib, reels(max_file_bytes=3 * 1_048_576))
    window.spec_browser_action.trigger()
    browser = window.spec_browser
    browser.select("meta.reels")
    return browser


def save_json(editor, qtbot, **changes) -> None:
    entry = json.loads(editor.editor.toPlainText())
    editor.editor.setPlainText(json.dumps({**entry, **changes}))
    qtbot.mouseClick(editor.save_button, Qt.LeftButton)


def test_a_spec_override_saved_over_a_colleagues_asks_and_keep_mine_merges(qtbot, window, lib, other):
    browser = override_editor(window, lib)
    save_entry(other, reels(max_file_bytes=3 * 1_048_576, name="Reels (Bob)"))  # Bob renames it
    editor = browser.edit_entry()  # what Alice's browser read: before Bob's save
    save_json(editor, qtbot, max_file_bytes=2 * 1_048_576)

    assert load_catalog(lib).entries["meta.reels"].max_file_bytes == 3 * 1_048_576  # Bob's entry stays
    assert load_catalog(lib).entries["meta.reels"].name == "Reels (Bob)"
    assert asked(qtbot, window).conflict.table == "spec_entries"
    assert editor.isVisible() and "someone else changed this entry" in editor.error.text()
    keep_mine(qtbot, window)
    kept = load_catalog(lib).entries["meta.reels"]
    assert (kept.max_file_bytes, kept.name) == (2 * 1_048_576, "Reels (Bob)")


def test_a_first_override_a_colleague_made_since_the_browser_opened_is_not_overwritten(qtbot, window, lib, other):
    window.spec_browser_action.trigger()  # no library entries yet: Alice sees the shipped spec
    browser = window.spec_browser
    browser.select("meta.reels")
    save_entry(other, reels(name="Reels (Bob)"))  # Bob makes the first override
    save_json(browser.edit_entry(), qtbot, max_file_bytes=2 * 1_048_576)
    assert load_catalog(lib).entries["meta.reels"].name == "Reels (Bob)"
    assert asked(qtbot, window).conflict.by == "Bob"


def test_spec_overrides_with_nobody_in_between_ask_nothing(qtbot, window, lib):
    browser = override_editor(window, lib)
    save_json(browser.edit_entry(), qtbot, max_file_bytes=2 * 1_048_576)
    save_json(browser.edit_entry(), qtbot, max_file_bytes=1_048_576)
    assert load_catalog(lib).entries["meta.reels"].max_file_bytes == 1_048_576
    nobody_asked(qtbot, window)


# ---- the publishing channels dialog -------------------------------------------------------------
@pytest.fixture
def channels(window, brand_id, lib, qtbot):
    from studio.ui.workspaces.publish.channels_dialog import ChannelsDialog

    channel_id = channel_ops.add_channel(lib, brand_id, "meta", "Kestrel page", "1234", "Europe/London").value
    dialog = ChannelsDialog(window.ctx, brand_id, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.channel_id == channel_id and dialog.name.text() == "Kestrel page"
    return dialog


def test_a_channel_saved_over_a_colleagues_change_asks_and_keep_mine_merges(qtbot, window, lib, other, channels):
    channel_id = channels.channel_id
    channel_ops.update_channel(other, channel_id, name="Kestrel Coffee page")  # Bob
    channels.min_gap.setValue(240)  # Alice
    assert channels.save() is None

    assert (get_channel(lib, channel_id).name, get_channel(lib, channel_id).min_gap_minutes) == ("Kestrel Coffee page", 120)
    assert asked(qtbot, window).conflict.table == "channels"
    assert "someone else changed this channel" in channels.error.text() and channels.min_gap.value() == 240
    keep_mine(qtbot, window)
    kept = get_channel(lib, channel_id)
    assert (kept.name, kept.min_gap_minutes) == ("Kestrel Coffee page", 240)
    qtbot.waitUntil(lambda: channels.name.text() == "Kestrel Coffee page")  # the form reloads what is stored


def test_channel_saves_with_nobody_in_between_ask_nothing(qtbot, window, lib, channels):
    channels.min_gap.setValue(240)
    assert channels.save() == channels.channel_id
    channels.name.setText("Kestrel Coffee page")
    assert channels.save() == channels.channel_id
    kept = get_channel(lib, channels.channel_id)
    assert (kept.name, kept.min_gap_minutes) == ("Kestrel Coffee page", 240) and channels.error.text() == ""
    nobody_asked(qtbot, window)


# ---- the analytics decision rule dialog ---------------------------------------------------------
@pytest.fixture
def actions(window, qtbot):
    from studio.ui.workspaces.analytics.actions_tab import ActionsTab
    from studio.ui.workspaces.analytics.filters import FiltersBar

    filters = FiltersBar()
    tab = ActionsTab(window.ctx, filters)
    qtbot.addWidget(filters)
    qtbot.addWidget(tab)
    return tab


def edit_dialog(tab, rule_id):
    tab.refresh()
    tab.rules.select(rule_id)
    tab.rules.edit_button.click()
    return tab.rule_dialog


def test_a_rule_saved_over_a_colleagues_edit_asks_and_keep_mine_merges(qtbot, window, lib, other, actions):
    rule_id = rule_ops.add_rule(lib, "CPA guard", "cpa_above", {"target_cpa": 20}).value
    dialog = edit_dialog(actions, rule_id)
    rule_ops.update_rule(other, rule_id, "CPA guard (Bob)", "cpa_above", {"target_cpa": 20})  # Bob
    dialog.set_param("factor", "2")  # Alice
    dialog.ok_button.click()

    [rule] = decisions.list_rules(lib)
    assert (rule.name, rule.params["factor"]) == ("CPA guard (Bob)", 1.5)
    assert asked(qtbot, window).conflict.table == "decision_rules"
    assert dialog.isVisible() and "someone else changed this" in dialog.error.text()
    keep_mine(qtbot, window)
    [rule] = decisions.list_rules(lib)
    assert (rule.name, rule.params["factor"], rule.params["target_cpa"]) == ("CPA guard (Bob)", 2, 20)


def test_rule_edits_with_nobody_in_between_ask_nothing(qtbot, window, lib, actions):
    rule_id = rule_ops.add_rule(lib, "CPA guard", "cpa_above", {"target_cpa": 20}).value
    dialog = edit_dialog(actions, rule_id)
    dialog.set_param("factor", "2")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    dialog = edit_dialog(actions, rule_id)
    dialog.set_param("target_cpa", "25")
    dialog.ok_button.click()
    [rule] = decisions.list_rules(lib)
    assert (rule.params["factor"], rule.params["target_cpa"]) == (2, 25) and not dialog.isVisible()
    nobody_asked(qtbot, window)
