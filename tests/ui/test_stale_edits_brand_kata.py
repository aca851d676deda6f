"""Two people on one library (Alice: this window's session; Bob: `other`): the brand profile in
Research, the Brand rules dialog in Compliance, a Kata placement and the saved-placement list each
save from the row versions they showed. A save over Bob's newer change is refused and the window
asks (Bob's change stays stored until Alice chooses); Keep mine writes Alice's on top, Take theirs
shows Bob's. Saves with no colleague in between, one after another, are never asked about."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from studio.core.assets import importer
from studio.core.changes import session_of
from studio.core.jobs import JobState
from studio.core.ops import brand_rules
from studio.core.ops import kata as kata_ops
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.core.ops.research import set_brand_profile
from studio.core.research.profile import get_brand_profile
from studio.kata.recipe import PlacementSpec, Recipe
from studio.ui.shell import registry
from studio.ui.workspaces.compliance.brand_dialog import BrandRulesDialog
from studio.ui.workspaces.kata.recipes import RecipeList
from studio.ui.workspaces.kata.view import KataView
from tests.kata.scenes import floor_scene
from tests.ui.test_kata_workspace import WAIT_MS, _bottle, _drop_asset


@pytest.fixture
def conflicts(lib) -> list:
    """The ConflictErrors Alice's session raised, as the window hears them."""
    heard = []
    session_of(lib).on_conflict(heard.append)
    return heard


@pytest.fixture
def brand_id(lib):
    return create_brand(lib, create_client(lib, "Kestrel Coffee").value, "Kestrel", ["#1F6FEB"]).value


def asked(qtbot, window):
    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    return window.conflict_dialog


# ---- the brand profile (Research) ------------------------------------------------------------------
@pytest.fixture
def research(brand_id, lib, make_window):
    import studio.ui.workspaces.research  # noqa: F401 - registers the workspace

    set_brand_profile(lib, brand_id, voice=["warm"])  # the profile row exists
    campaign_id = create_campaign(lib, brand_id, "Autumn").value
    window = make_window(workspaces=[s for s in registry.workspaces() if s.key == "research"], initial_workspace="research")
    assert window.navigator.select("campaign", campaign_id)
    return window, window.views["research"].profile_panel


def test_a_website_typed_while_a_colleague_saved_one_asks_and_keep_mine_saves_it(qtbot, research, lib, other, brand_id, conflicts):
    window, panel = research
    panel.website.setFocus()
    qtbot.keyClicks(panel.website, "kestrel.coffee")
    set_brand_profile(other, brand_id, website="bob.example")  # Bob saves while Alice types
    window.poll_changes()  # the form refreshes, and keeps what she is typing
    qtbot.waitUntil(lambda: panel.profile.website == "https://bob.example")
    assert panel.website.text() == "kestrel.coffee"
    qtbot.keyClick(panel.website, Qt.Key_Return)

    dialog = asked(qtbot, window)
    assert [c.table for c in conflicts] == ["brand_profiles"]
    assert get_brand_profile(lib, brand_id).website == "https://bob.example"  # not overwritten
    assert panel.website.text() == "kestrel.coffee" and not panel.error.isVisible()  # kept, no second error
    dialog.keep_button.click()
    assert get_brand_profile(lib, brand_id).website == "https://kestrel.coffee"
    qtbot.waitUntil(lambda: panel.website.text() == "https://kestrel.coffee")


def test_a_list_changed_over_a_colleagues_list_asks_and_take_theirs_shows_theirs(qtbot, research, lib, other, brand_id, conflicts):
    window, panel = research
    voice = panel.lists["voice"]
    set_brand_profile(other, brand_id, voice=["warm", "bold"])  # Bob, after Alice's form loaded
    qtbot.keyClicks(voice.inputs[0], "plain")
    qtbot.keyClick(voice.inputs[0], Qt.Key_Return)

    dialog = asked(qtbot, window)
    assert [c.table for c in conflicts] == ["brand_profiles"]
    assert get_brand_profile(lib, brand_id).voice == ("warm", "bold")
    assert voice.rows() == [("warm",), ("plain",)]  # what Alice did stays shown until she chooses
    dialog.theirs_button.click()
    qtbot.waitUntil(lambda: voice.rows() == [("warm",), ("bold",)])
    qtbot.keyClicks(voice.inputs[0], "plain")  # from theirs, her edit saves
    qtbot.keyClick(voice.inputs[0], Qt.Key_Return)
    assert get_brand_profile(lib, brand_id).voice == ("warm", "bold", "plain") and len(conflicts) == 1


def test_profile_edits_one_after_another_and_after_a_polled_change_save_without_asking(qtbot, research, lib, other, brand_id, conflicts):
    window, panel = research
    for site in ("kestrel.coffee", "kestrel.shop"):  # the second save goes on from the first
        panel.website.setFocus()
        panel.website.selectAll()
        qtbot.keyClicks(panel.website, site)
        qtbot.keyClick(panel.website, Qt.Key_Return)
    assert panel.set_colour("#E11D48")  # another field of the same row
    set_brand_profile(other, brand_id, fonts=["Inter"])  # Bob's change, seen by the form before Alice edits
    window.poll_changes()
    qtbot.waitUntil(lambda: panel.lists["fonts"].rows() == [("Inter",)])
    qtbot.keyClicks(panel.lists["voice"].inputs[0], "plain")
    qtbot.keyClick(panel.lists["voice"].inputs[0], Qt.Key_Return)
    stored = get_brand_profile(lib, brand_id)
    assert (stored.website, stored.palette, stored.fonts, stored.voice) == (
        "https://kestrel.shop", ("#1F6FEB", "#E11D48"), ("Inter",), ("warm", "plain"))
    assert conflicts == [] and window.conflict_dialog is None


# ---- the Brand rules dialog (Compliance) ---------------------------------------------------------------
@pytest.fixture
def rules_dialog(brand_id, lib, window, qtbot):
    def open_dialog() -> BrandRulesDialog:
        dialog = BrandRulesDialog(window.ctx, brand_id, parent=window)
        dialog.open()
        qtbot.waitUntil(dialog.isVisible)
        return dialog

    brand_rules.set_brand_words(lib, brand_id, banned=["cheap"])
    return open_dialog


def save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)


def banned(lib, brand_id) -> tuple:
    return brand_rules.brand_guidelines(lib, brand_id).banned


def test_banned_words_saved_over_a_colleagues_ask_and_keep_mine_saves_them(qtbot, window, rules_dialog, lib, other, brand_id, conflicts):
    dialog = rules_dialog()
    brand_rules.set_brand_words(other, brand_id, banned=["cheap", "bargain"])  # Bob, after Alice opened it
    dialog.banned.setPlainText("cheap\nfree")
    save(qtbot, dialog)

    conflict = asked(qtbot, window)
    assert [c.table for c in conflicts] == ["brand_rules"]
    assert banned(lib, brand_id) == ("cheap", "bargain")
    assert dialog.isVisible() and "someone else changed these rules" in dialog.error.text()
    assert dialog.banned.toPlainText() == "cheap\nfree"
    conflict.keep_button.click()
    assert banned(lib, brand_id) == ("cheap", "free")
    qtbot.waitUntil(lambda: dialog.lost is None)  # the dialog goes on from the kept version
    save(qtbot, dialog)
    assert not dialog.isVisible() and len(conflicts) == 1 and banned(lib, brand_id) == ("cheap", "free")


def test_after_take_theirs_the_rule_shows_theirs_and_save_writes_the_rest(qtbot, window, rules_dialog, lib, other, brand_id, conflicts):
    dialog = rules_dialog()
    brand_rules.set_brand_words(other, brand_id, banned=["bargain"])
    dialog.banned.setPlainText("free")
    dialog.set_colour("#E11D48")  # a change Bob did not touch
    save(qtbot, dialog)
    asked(qtbot, window).theirs_button.click()
    qtbot.waitUntil(lambda: dialog.banned.toPlainText() == "bargain")
    assert brand_rules.brand_guidelines(lib, brand_id).palette == ("#1F6FEB",)  # nothing of the refused save was written
    assert dialog.colours == ["#1F6FEB", "#E11D48"]  # Alice's other edit is still there
    save(qtbot, dialog)
    saved = brand_rules.brand_guidelines(lib, brand_id)
    assert not dialog.isVisible() and (saved.banned, saved.palette) == (("bargain",), ("#1F6FEB", "#E11D48"))
    assert len(conflicts) == 1


def test_rules_saved_twice_and_around_a_colleagues_other_rule_are_not_asked_about(qtbot, window, rules_dialog, lib, other, brand_id, conflicts):
    dialog = rules_dialog()
    brand_rules.set_brand_words(other, brand_id, required=["Terms apply"], fields=["primary_text"])  # a rule Alice leaves alone
    dialog.banned.setPlainText("cheap\nfree")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    again = rules_dialog()  # a second save of the same rows, by her alone
    again.banned.setPlainText("free")
    again.remove_colour(0)
    save(qtbot, again)
    saved = brand_rules.brand_guidelines(lib, brand_id)
    assert not again.isVisible() and (saved.banned, saved.required, saved.palette) == (("free",), ("Terms apply",), ())
    assert conflicts == [] and window.conflict_dialog is None


# ---- Kata: the saved-placement list and an open placement ---------------------------------------------------
def test_a_rename_over_a_colleagues_asks_and_take_theirs_shows_their_name(qtbot, window, ctx, lib, other, conflicts):
    recipe = Recipe(name="Bottle in room", scene="room.jpg", product="bottle.png", placement=PlacementSpec(x=10, y=10, height_px=40))
    recipe_id = kata_ops.create_recipe(lib, recipe).value
    recipes = RecipeList(ctx)
    qtbot.addWidget(recipes)
    qtbot.waitUntil(lambda: recipes.ids() == [recipe_id])
    recipes.list.item(0).setText("Hero bottle")  # no colleague in between: saved
    recipes.list.item(0).setText("Hero bottle 2")  # and again, from her own save
    assert kata_ops.load_recipe(lib, recipe_id).name == "Hero bottle 2" and conflicts == []
    qtbot.waitUntil(lambda: recipes.seen == {("kata_recipes", (recipe_id,)): 3})  # the list has reloaded her renames

    kata_ops.save_recipe(other, recipe_id, recipe.model_copy(update={"name": "Bob's bottle"}), "Rename Kata recipe")
    recipes.list.item(0).setText("Alice's bottle")  # what the inline editor commits
    dialog = asked(qtbot, window)
    assert [c.table for c in conflicts] == ["kata_recipes"]
    assert kata_ops.load_recipe(lib, recipe_id).name == "Bob's bottle"
    assert recipes.list.item(0).text() == "Alice's bottle"  # what she typed stays until she chooses
    dialog.theirs_button.click()
    qtbot.waitUntil(lambda: recipes.list.item(0).text() == "Bob's bottle")


@pytest.fixture
def assets(lib, tmp_path):
    """A small room and a bottle cut-out, imported: (scene id, product id)."""
    Image.fromarray(floor_scene((480, 360), horizon_y=150.0)[0]).save(tmp_path / "room.jpg", quality=95)
    Image.fromarray(_bottle(150, 64)).save(tmp_path / "bottle.png")
    report = importer.run(importer.ImportParams(str(lib.root), [str(tmp_path / "room.jpg"), str(tmp_path / "bottle.png")]),
                          JobState(), lib=lib)
    return tuple(item["id"] for item in sorted(report.imported, key=lambda item: item["name"] != "room.jpg"))


def test_moving_a_placement_a_colleague_changed_asks_and_keep_mine_merges(qtbot, window, ctx, lib, other, assets, conflicts):
    view = KataView(ctx)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    with qtbot.waitSignal(view.scene_ready, timeout=WAIT_MS):
        view.open_scene(assets[0])
    x, y = view.zones[0].contact
    with qtbot.waitSignal(view.preview_ready, timeout=WAIT_MS):
        _drop_asset(view, assets[1], x, y)
    for step in range(1, 4):  # a drag: saves in a row by this view never ask
        view._on_moved(x + 10 * step, y, True)
    stored = lambda: kata_ops.load_recipe(lib, view.recipe_id)
    assert stored().placement.x == pytest.approx(x + 30) and conflicts == []

    kata_ops.save_recipe(other, view.recipe_id, stored().model_copy(update={"name": "Bob's bottle"}), "Rename Kata recipe")
    view._on_moved(x + 60, y, True)
    dialog = asked(qtbot, window)
    assert [c.table for c in conflicts] == ["kata_recipes"]
    assert (stored().name, stored().placement.x) == ("Bob's bottle", pytest.approx(x + 30))
    dialog.keep_button.click()
    assert (stored().name, stored().placement.x) == ("Bob's bottle", pytest.approx(x + 60))  # his name, her move
    qtbot.waitUntil(lambda: view.recipe().name == "Bob's bottle")  # the view follows the kept version
    view._on_moved(x + 70, y, True)  # and goes on from it
    assert stored().placement.x == pytest.approx(x + 70) and len(conflicts) == 1
