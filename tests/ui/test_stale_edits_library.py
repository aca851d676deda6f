"""Edits made over a colleague's newer save are not written over it: the media details panel (name,
notes), the navigator's renames and the brief title. Alice (this window's session) edits in the real
widgets after Bob (a second session on the same library) saved the same row: the save is refused,
the window asks, Keep mine writes hers on top; with nobody in between, saves just go through."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QTextCursor

from studio.core import queries
from studio.core.briefs.sections import get_brief
from studio.core.ops import assets as asset_ops
from studio.core.ops import briefs as brief_ops
from studio.core.ops import organize
from studio.core.queries import get_asset
from studio.ui.shell import registry
from tests.ui.media_fixtures import import_now, make_jpeg, open_view


def asked(qtbot, window, table):
    """The window's conflict dialog, open about a row of table."""
    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    assert window.conflict_dialog.conflict.table == table
    return window.conflict_dialog


def type_and_enter(qtbot, line_edit, text):
    line_edit.setFocus()
    line_edit.selectAll()
    qtbot.keyClicks(line_edit, text)
    qtbot.keyClick(line_edit, Qt.Key_Return)


# ---- media library: the details panel ------------------------------------------------------
@pytest.fixture
def media(qtbot, ctx, window, tmp_path):
    """The media view with its one asset selected (the window listens for conflicts)."""
    import_now(ctx, [make_jpeg(tmp_path / "shot.jpg", (48, 32))])
    view = open_view(qtbot, ctx)
    view.grid.selectionModel().select(view.model.index(0), QItemSelectionModel.ClearAndSelect)
    assert view.details.name.text() == "shot.jpg"
    return view, view.model.asset(0).id


def type_notes(qtbot, view, text):
    view.details.notes.setFocus()
    view.details.notes.moveCursor(QTextCursor.End)
    qtbot.keyClicks(view.details.notes, text)
    view.details.flush_notes()  # the autosave, now


def test_notes_typed_over_a_colleagues_notes_ask_and_keep_mine_writes_them(qtbot, window, lib, other, media):
    view, asset_id = media
    asset_ops.set_notes(other, asset_id, "Rights until May")  # Bob, first
    type_notes(qtbot, view, "Shot in Leeds")

    dialog = asked(qtbot, window, "assets")
    assert get_asset(lib, asset_id).notes == "Rights until May"  # not overwritten
    assert dialog.conflict.mine == {"notes": "Shot in Leeds"}  # nor is her typing lost: Keep mine has it
    assert not window.toasts.history  # the dialog asks; no second error
    dialog.keep_button.click()
    assert get_asset(lib, asset_id).notes == "Shot in Leeds"
    qtbot.waitUntil(lambda: view.seen == {("assets", (asset_id,)): 3})  # reloaded: the next save is not asked about
    type_notes(qtbot, view, ", May")
    assert get_asset(lib, asset_id).notes == "Shot in Leeds, May"


def test_a_rename_over_a_colleagues_rename_asks_and_take_theirs_shows_theirs(qtbot, window, lib, other, media):
    view, asset_id = media
    asset_ops.rename_asset(other, asset_id, "Bob's shot")
    type_and_enter(qtbot, view.details.name, "Alice's shot")

    dialog = asked(qtbot, window, "assets")
    assert get_asset(lib, asset_id).name == "Bob's shot"
    dialog.theirs_button.click()
    qtbot.waitUntil(lambda: view.details.name.text() == "Bob's shot")
    type_and_enter(qtbot, view.details.name, "Final shot")  # now from Bob's version: saved, not asked
    assert get_asset(lib, asset_id).name == "Final shot" and window.conflict_dialog is dialog


def test_details_edits_save_without_a_question_when_nobody_came_between(qtbot, window, lib, other, media):
    view, asset_id = media
    type_and_enter(qtbot, view.details.name, "Hero")
    type_notes(qtbot, view, "Cleared")  # a second save over the first, own, one
    type_and_enter(qtbot, view.details.name, "Hero shot")
    assert (get_asset(lib, asset_id).name, get_asset(lib, asset_id).notes) == ("Hero shot", "Cleared")

    asset_ops.set_notes(other, asset_id, "Bob: cleared till May")
    window.poll_changes()  # Bob's save reaches the view: it reloads the row and its version
    qtbot.waitUntil(lambda: view.details.notes.toPlainText() == "Bob: cleared till May")
    type_notes(qtbot, view, " (checked)")
    assert get_asset(lib, asset_id).notes == "Bob: cleared till May (checked)"
    assert window.conflict_dialog is None


# ---- the navigator's renames ---------------------------------------------------------------
@pytest.fixture
def tree_ids(lib):
    client = organize.create_client(lib, "Acme").value
    brand = organize.create_brand(lib, client, "Fizz").value
    return {"client": client, "brand": brand, "campaign": organize.create_campaign(lib, brand, "Spring").value}


def stored_name(lib, kind, item_id):
    for client in queries.client_tree(lib):
        for brand in client.brands:
            for campaign in brand.campaigns:
                if (kind, item_id) == ("campaign", campaign.id):
                    return campaign.name
            if (kind, item_id) == ("brand", brand.id):
                return brand.name
        if (kind, item_id) == ("client", client.id):
            return client.name


def open_rename(qtbot, window, kind, item_id):
    navigator = window.navigator
    qtbot.waitUntil(lambda: navigator.select(kind, item_id))  # the tree shows it (after the op's change event)
    navigator.rename_current()
    tree = navigator.tree
    qtbot.waitUntil(lambda: tree.indexWidget(tree.currentIndex()) is not None)
    return tree.indexWidget(tree.currentIndex())


@pytest.mark.parametrize("kind", ["client", "brand", "campaign"])
def test_a_navigator_rename_over_a_colleagues_rename_asks_and_keep_mine_writes_it(qtbot, window, lib, other, tree_ids, kind):
    rename = {"client": organize.rename_client, "brand": organize.rename_brand, "campaign": organize.rename_campaign}[kind]
    editor = open_rename(qtbot, window, kind, tree_ids[kind])
    rename(other, tree_ids[kind], "Bob's name")  # while Alice's editor is open
    type_and_enter(qtbot, editor, "Alice's name")

    dialog = asked(qtbot, window, f"{kind}s")
    assert stored_name(lib, kind, tree_ids[kind]) == "Bob's name"
    assert not window.toasts.history
    dialog.keep_button.click()
    assert stored_name(lib, kind, tree_ids[kind]) == "Alice's name"
    model = window.navigator.model
    qtbot.waitUntil(lambda: model.find(kind, tree_ids[kind]).data() == "Alice's name")


def test_the_rename_editor_opens_on_a_colleagues_name_the_tree_had_not_shown(qtbot, window, lib, other, tree_ids):
    client, model = tree_ids["client"], window.navigator.model
    qtbot.waitUntil(lambda: model.find("client", client).data() == "Acme")
    organize.rename_client(other, client, "Acme Ltd")  # no poll yet: the tree still says Acme
    assert model.find("client", client).data() == "Acme"
    editor = open_rename(qtbot, window, "client", client)
    assert editor.text() == "Acme Ltd"
    type_and_enter(qtbot, editor, "Acme Group")  # typed over the name it showed: no question
    qtbot.waitUntil(lambda: stored_name(lib, "client", client) == "Acme Group")
    type_and_enter(qtbot, open_rename(qtbot, window, "client", client), "Acme Group plc")  # and again, over her own
    qtbot.waitUntil(lambda: stored_name(lib, "client", client) == "Acme Group plc")
    assert window.conflict_dialog is None


# ---- the brief title ------------------------------------------------------------------------
@pytest.fixture
def briefs(make_window, ctx, tree_ids):
    import studio.ui.workspaces.briefs  # noqa: F401 - registers the workspace

    ctx.current_campaign_id = tree_ids["campaign"]
    window = make_window(workspaces=[s for s in registry.workspaces() if s.key == "briefs"], initial_workspace="briefs")
    view = window.views["briefs"]
    return window, view, view.new_brief("Spring launch")


def test_a_brief_title_typed_over_a_colleagues_asks_and_keep_mine_writes_it(qtbot, lib, other, briefs):
    window, view, brief_id = briefs
    brief_ops.rename_brief(other, brief_id, "Bob's launch")
    type_and_enter(qtbot, view.title, "Alice's launch")

    dialog = asked(qtbot, window, "briefs")
    assert get_brief(lib, brief_id).title == "Bob's launch"
    assert not view.message.isVisible()  # no second error
    dialog.keep_button.click()
    assert get_brief(lib, brief_id).title == "Alice's launch"
    qtbot.waitUntil(lambda: view.list.list.item(0).text() == "Alice's launch")


def test_brief_titles_save_without_a_question_when_nobody_came_between(qtbot, lib, other, briefs):
    window, view, brief_id = briefs
    type_and_enter(qtbot, view.title, "Spring launch 2027")
    type_and_enter(qtbot, view.title, "Spring launch, final")  # over her own save
    assert get_brief(lib, brief_id).title == "Spring launch, final"

    brief_ops.rename_brief(other, brief_id, "Bob's launch")
    window.poll_changes()  # Bob's save reaches the view: it reloads the brief and its version
    qtbot.waitUntil(lambda: view.title.text() == "Bob's launch")
    type_and_enter(qtbot, view.title, "Alice's launch")
    assert get_brief(lib, brief_id).title == "Alice's launch"
    assert window.conflict_dialog is None
