"""A second person's session on the same library: the conflict dialog and its three answers, and
views that refresh when the window's change-feed poll sees the other session's writes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio.core.changes import session_of
from studio.core.db.models import CompositionRow
from studio.core.ops import compositions as comp_ops
from studio.core.ops import organize
from studio.core.timeline.model import Composition, TextClip, Track
from studio.core.timeline.store import read_composition
from studio.ui.workspaces.creative.timeline_model import TimelineController


@pytest.fixture
def comp_id(lib):
    comp = Composition(name="Spring 15s", duration=450, tracks=[Track(kind="text", clips=[TextClip(text="Hi", start=0, duration=60)])])
    return comp_ops.create_composition(lib, comp).value


def bob_renames(other, comp_id, name="Bob's cut"):
    theirs, version = read_composition(other, comp_id)
    theirs.name = name
    comp_ops.save_composition(other, comp_id, theirs, "Rename", expected_version=version)


def stored_name(lib, comp_id):
    with lib.read() as conn:
        return conn.execute(select(CompositionRow.name).where(CompositionRow.id == comp_id)).scalar()


def lose_a_race(qtbot, window, controller, other, comp_id):
    """Alice edits in the timeline after Bob saved: her save is refused and the window asks."""
    controller.load(comp_id)
    bob_renames(other, comp_id)
    assert not controller.edit("Shorten", lambda comp: setattr(comp, "duration", 300))
    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    return window.conflict_dialog


def test_the_dialog_lists_mine_and_theirs_and_keep_mine_writes_mine_on_top(qtbot, window, ctx, lib, other, comp_id):
    controller = TimelineController(ctx)
    dialog = lose_a_race(qtbot, window, controller, other, comp_id)
    assert dialog.windowTitle() == "Someone else changed this"
    assert "Bob changed this composition" in dialog.summary.text()
    fields = dialog.fields()  # Keep mine keeps Bob's name and Alice's duration
    renamed, shortened = ("name", "Spring 15s", "Bob's cut", "Bob's cut"), ("document › duration", "300", "450", "300")
    assert renamed in fields and shortened in fields
    assert dialog.table.item(fields.index(renamed), 0).font().bold()  # theirs changed it
    assert not dialog.table.item(fields.index(shortened), 0).font().bold()
    assert controller.composition.duration == 450 and stored_name(lib, comp_id) == "Bob's cut"

    with qtbot.waitSignal(dialog.resolved) as answer:
        dialog.keep_button.click()
    assert answer.args == ["mine"]
    assert stored_name(lib, comp_id) == "Bob's cut"
    qtbot.waitUntil(lambda: controller.composition.duration == 300)  # the timeline shows the kept version
    assert controller.composition.name == "Bob's cut"
    assert controller.edit("Lengthen", lambda comp: setattr(comp, "duration", 330))  # and saves on from it
    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Lengthen")


def test_take_theirs_reloads_the_view_and_cancel_changes_nothing(qtbot, window, ctx, lib, other, comp_id):
    controller = TimelineController(ctx)
    dialog = lose_a_race(qtbot, window, controller, other, comp_id)
    dialog.cancel_button.click()
    assert not dialog.isVisible() and stored_name(lib, comp_id) == "Bob's cut"

    assert not controller.edit("Shorten", lambda comp: setattr(comp, "duration", 300))  # still behind: asked again
    qtbot.waitUntil(lambda: window.conflict_dialog is not dialog and window.conflict_dialog.isVisible())
    with qtbot.waitSignal(window.conflict_dialog.resolved) as answer:
        window.conflict_dialog.theirs_button.click()
    assert answer.args == ["theirs"]
    assert controller.composition.name == "Bob's cut" and controller.version == 2
    assert controller.edit("Shorten", lambda comp: setattr(comp, "duration", 300))
    assert stored_name(lib, comp_id) == "Bob's cut"


def test_undo_over_a_colleagues_change_asks_instead_of_overwriting(qtbot, window, ctx, lib, other, comp_id):
    controller = TimelineController(ctx)
    controller.load(comp_id)
    assert controller.edit("Shorten", lambda comp: setattr(comp, "duration", 300))
    bob_renames(other, comp_id)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    assert window.conflict_dialog.conflict.label == "Undo Shorten"
    assert stored_name(lib, comp_id) == "Bob's cut"
    window.conflict_dialog.keep_button.click()  # undo anyway
    assert stored_name(lib, comp_id) == "Spring 15s"
    qtbot.waitUntil(lambda: window.redo_action.text() == "Redo Shorten")


def test_views_refresh_when_the_poll_sees_another_sessions_write(qtbot, window, ctx, lib, other, comp_id):
    controller = TimelineController(ctx)
    controller.load(comp_id)
    organize.create_client(other, "Bob's client")
    bob_renames(other, comp_id)
    assert window.feed_timer.isActive() and window.feed_timer.interval() <= 2000
    window.poll_changes()  # what the timer does every 1.5 s
    model = window.navigator.model
    qtbot.waitUntil(lambda: [model.index(r, 0).data() for r in range(model.rowCount())] == ["Bob's client"])
    assert controller.composition.name == "Bob's cut" and controller.version == 2
    assert window.statusBar().currentMessage() == "Changes from Bob"
    assert controller.edit("Shorten", lambda comp: setattr(comp, "duration", 300))  # saves over the fresh version


def test_a_brief_section_typed_over_a_colleagues_text_asks_and_keep_mine_saves_it(qtbot, make_window, ctx, lib, other):
    import studio.ui.workspaces.briefs  # noqa: F401 - registers the workspace
    from studio.core.briefs.sections import get_brief
    from studio.core.ops import briefs
    from studio.ui.shell import registry

    brand = organize.create_brand(lib, organize.create_client(lib, "Kestrel").value, "Kestrel").value
    ctx.current_campaign_id = organize.create_campaign(lib, brand, "Spring").value
    window = make_window(workspaces=[s for s in registry.workspaces() if s.key == "briefs"], initial_workspace="briefs")
    view = window.views["briefs"]
    brief_id = view.new_brief("Spring launch")
    edit = view.editor.blocks["insight"].edit
    briefs.save_section(other, brief_id, "insight", "Mornings are rushed.", expected_version=1)  # Bob, first
    edit.setFocus()
    qtbot.keyClicks(edit, "People love bread")
    view.editor.flush()  # the autosave, now

    qtbot.waitUntil(lambda: window.conflict_dialog is not None and window.conflict_dialog.isVisible())
    assert "someone else changed this section" in view.saved.text()
    assert window.conflict_dialog.fields() == [("text", "People love bread", "Mornings are rushed.", "People love bread")]
    window.conflict_dialog.keep_button.click()
    assert get_brief(lib, brief_id).sections["insight"] == "People love bread"
    qtbot.waitUntil(lambda: view.editor.blocks["insight"].version == 3)  # the view reloads the kept version
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(edit, ", fresh")  # typing goes on from the kept version, no new conflict
    view.editor.flush()
    assert get_brief(lib, brief_id).sections["insight"] == "People love bread, fresh"


def test_the_name_set_in_settings_signs_the_audit_trail_and_the_change_log(qtbot, window, lib, other, monkeypatch):
    from studio.core.changes import USER_NAME_ENV, ChangeFeed
    from studio.core.db.models import AuditEvent

    monkeypatch.setenv(USER_NAME_ENV, "")  # restored after the test
    session_of(lib).own_name = None  # this window's session takes the name from Settings
    dialog = window.open_settings("Appearance")
    field = dialog.appearance.user_name
    field.setText("Alice Smith")
    field.editingFinished.emit()
    feed = ChangeFeed(other)
    organize.create_client(lib, "Acme")
    with lib.read() as conn:
        assert conn.execute(select(AuditEvent.actor).order_by(AuditEvent.id.desc())).scalar() == "Alice Smith"
    assert feed.poll().actors == ("Alice Smith",)
    assert lib.undo.undo_label() == "New client Acme"  # the stack of the name in use
