"""Brand rules… in the Compliance workspace over a real library: a banned word added in the dialog
becomes a finding on the copy that uses it and Edit ▸ Undo takes it away; the voice samples give a
live score of the campaign's copy with the sentences furthest from the voice; the palette is saved
in the same step; a refusal keeps the dialog open and writes nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from studio.core.ops import brand_rules as ops
from studio.core.ops.copy import set_copy
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.ui.shell import registry
from studio.ui.workspaces.compliance.brand_dialog import BrandRulesDialog
from tests.core.compliance.test_voice import CALM, CALM_NEW, SHOUTY_NEW

CHECK_MS = 60_000  # copy checks as a job on a busy 2-core machine
HEADLINE = "Cheap linen, slowly woven"


@pytest.fixture
def campaign_id(lib):
    brand = create_brand(lib, create_client(lib, "Linen House").value, "Harbour", ["#1F6FEB"]).value
    campaign = create_campaign(lib, brand, "Autumn").value
    set_copy(lib, campaign, "headline", [HEADLINE])
    set_copy(lib, campaign, "primary_text", [CALM_NEW[0], SHOUTY_NEW[1]])
    return campaign


@pytest.fixture
def view(campaign_id, make_window, ctx, qtbot):
    import studio.ui.workspaces.compliance  # noqa: F401 - registers the workspace

    ctx.current_campaign_id = campaign_id
    window = make_window(workspaces=[s for s in registry.workspaces() if s.key == "compliance"], initial_workspace="compliance")
    view = window.views["compliance"]
    with qtbot.waitSignal(view.check_finished, timeout=CHECK_MS):
        view.check_campaign()
    return view


def open_dialog(view, qtbot) -> BrandRulesDialog:
    assert view.brand_action.isEnabled()
    view.brand_action.trigger()
    dialog = view.findChild(BrandRulesDialog)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def save(dialog, qtbot) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)


def rules(view) -> set[str]:
    return {r.stored.finding.rule_id for r in view.model.rows}


def test_a_banned_word_added_in_the_dialog_becomes_a_finding_and_undo_removes_it(view, qtbot, lib):
    assert "brand.banned" not in rules(view)
    dialog = open_dialog(view, qtbot)
    dialog.banned.setFocus()
    qtbot.keyClicks(dialog.banned, "cheap")
    save(dialog, qtbot)
    assert not dialog.isVisible()
    assert ops.brand_guidelines(lib, dialog.brand_id).banned == ("cheap",)
    qtbot.waitUntil(lambda: view.job is None and "brand.banned" in rules(view), timeout=CHECK_MS)
    found = [r.stored.finding for r in view.model.rows if r.stored.finding.rule_id == "brand.banned"]
    assert {(f.excerpt, f.span) for f in found} == {("Cheap", (0, 5))}

    window = view.window()
    assert window.undo_action.text() == "Undo Change brand rules"
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: view.job is None and "brand.banned" not in rules(view), timeout=CHECK_MS)
    assert ops.list_brand_rules(lib, dialog.brand_id) == []


def test_voice_samples_show_a_live_score_and_the_furthest_sentences(view, qtbot, lib):
    dialog = open_dialog(view, qtbot)
    qtbot.waitUntil(lambda: "Add at least 3" in dialog.furthest.text())
    with qtbot.waitSignal(dialog.scored, timeout=10_000):
        dialog.samples.setPlainText("\n".join(CALM))
    assert dialog.score.text().startswith("Voice score of the campaign's copy: <b")
    score = int(dialog.score.text().split("</b>")[0].rsplit(">", 1)[1])
    assert 20 <= score <= 70  # one calm text, one shouty
    shown = dialog.furthest.text()
    items = shown.split("<li>")[1:]
    first_two = "".join(items[:2])  # the shouty sentences, then the calm ones
    assert len(items) == 3 and "Last chance!!!" in first_two and "GONE!" in first_two and "Our new blankets" not in first_two
    assert "exclamation marks the brand never uses" in shown

    save(dialog, qtbot)
    qtbot.waitUntil(lambda: view.job is None and "brand.voice" in rules(view), timeout=CHECK_MS)
    flagged = {r.stored.finding.excerpt for r in view.model.rows if r.stored.finding.rule_id == "brand.voice"}
    assert flagged == {"Last chance!!!", "Shop NOW before it's GONE!"}


def test_the_palette_is_saved_with_the_rules_and_a_refusal_keeps_the_dialog_open(view, qtbot, lib):
    dialog = open_dialog(view, qtbot)
    assert dialog.swatches.layout().count() == 1
    dialog.set_colour("#10B981")
    dialog.set_colour("#E11D48", 0)
    assert [dialog.swatches.layout().itemAt(i).widget().accessibleName() for i in range(2)] == ["Colour #E11D48", "Colour #10B981"]
    dialog.required.setPlainText("Terms apply")
    for box in dialog.fields.values():
        box.setChecked(False)
    save(dialog, qtbot)
    assert dialog.isVisible() and "Tick where the required words must appear" in dialog.error.text()
    dialog.samples.setPlainText("Only one text.\nAnd a second.")
    dialog.fields["description"].setChecked(True)
    save(dialog, qtbot)
    assert dialog.isVisible() and "at least 3 of its own texts; 2 were given" in dialog.error.text()
    assert ops.brand_guidelines(lib, dialog.brand_id).palette == ("#1F6FEB",)  # nothing was written
    dialog.samples.clear()
    dialog.remove_colour(1)
    save(dialog, qtbot)
    assert not dialog.isVisible()
    saved = ops.brand_guidelines(lib, dialog.brand_id)
    assert (saved.palette, saved.required, saved.required_fields) == (("#E11D48",), ("Terms apply",), ("description",))
