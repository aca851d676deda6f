"""The Briefs workspace over a real library with the real brief ops: a new brief autosaves what is
typed (one Ctrl+Z takes it back); versions diff and restore; comments thread and resolve; approval
needs a name; export runs as a job; the offline AI writer streams a suggestion that Accept writes
and Reject drops, and a stream cut off midway (the real OpenAI SDK against a local fake) is kept,
marked partial; deliverables make compositions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from studio.core.briefs.sections import get_brief, list_comments
from studio.core.briefs.versions import list_versions
from studio.core.ops import briefs as ops
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.core.secrets import SecretStore
from studio.core.timeline.store import list_compositions
from studio.ui.shell import registry
from studio.ui.workspaces.briefs.editor import AUTOSAVE_MS
from studio.ui.workspaces.briefs.view import EXPORT_FOLDER_KEY

JOB_MS = 60_000  # jobs on a busy 2-core machine
NOTES = "We think our sourdough is really very good. It is baked every morning in Leeds."


@pytest.fixture
def campaign_id(lib):
    client = create_client(lib, "Kestrel Bakery").value
    brand = create_brand(lib, client, "Kestrel").value
    return create_campaign(lib, brand, "Spring loaves").value


@pytest.fixture
def window(campaign_id, make_window, ctx, tmp_path):
    import studio.ui.workspaces.briefs  # noqa: F401 - registers the workspace

    ctx.current_campaign_id = campaign_id
    ctx.secrets = SecretStore(file_path=tmp_path / "keys.cfg")  # no AI key: the offline writer answers
    return make_window(workspaces=[s for s in registry.workspaces() if s.key == "briefs"], initial_workspace="briefs")


@pytest.fixture
def view(window):
    return window.views["briefs"]


@pytest.fixture
def brief_id(view):
    brief_id = view.new_brief("Spring launch")
    assert view.brief.id == brief_id
    return brief_id


@pytest.fixture
def a_minute_later(monkeypatch):
    """Move the undo stack's clock on: the next save of a section no longer merges with the last."""
    from studio.core import undo

    def later():
        now = undo.clock()
        monkeypatch.setattr(undo, "clock", lambda: now + 60)

    return later


def stored(lib, brief_id, key="objective") -> str:
    return get_brief(lib, brief_id).sections[key]


def type_into(qtbot, view, key: str, text: str):
    edit = view.editor.blocks[key].edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(edit, text)
    return edit


def test_the_workspace_is_registered_under_ctrl_8(window):
    spec = window.specs["briefs"]
    assert (spec.title, spec.shortcut, spec.icon) == ("Briefs", "Ctrl+8", "mdi6.file-document-edit-outline")


def test_without_a_campaign_it_says_to_pick_one(view, ctx):
    ctx.set_campaign(None)
    assert view.stack.currentWidget() is view.no_campaign


def test_a_new_brief_is_listed_as_a_draft_and_typing_autosaves_into_one_undo_step(view, qtbot, lib, brief_id):
    assert view.list.list.count() == 1 and view.chip.text() == "Draft"
    edit = type_into(qtbot, view, "objective", "Grow trial of the new loaf")
    assert stored(lib, brief_id) == ""  # not before the pause
    assert "Editing" in view.saved.text()
    qtbot.waitUntil(lambda: stored(lib, brief_id) == "Grow trial of the new loaf", timeout=AUTOSAVE_MS * 5)
    assert "Saved" in view.saved.text()

    qtbot.keyClick(edit, Qt.Key_Z, Qt.ControlModifier)  # the library's undo, not the text edit's
    qtbot.waitUntil(lambda: edit.toPlainText() == "")
    assert stored(lib, brief_id) == "" and get_brief(lib, brief_id).title == "Spring launch"  # the brief stays


def test_ctrl_z_right_after_typing_saves_then_undoes_it(view, qtbot, lib, brief_id, a_minute_later):
    ops.save_section(lib, brief_id, "insight", "People want bread that lasts.")
    a_minute_later()  # new typing is a new undo step
    edit = type_into(qtbot, view, "insight", " And tastes of something.")
    qtbot.keyClick(edit, Qt.Key_Z, Qt.ControlModifier)  # within the pause: the typing is written, then undone
    qtbot.waitUntil(lambda: edit.toPlainText() == "People want bread that lasts.")
    assert stored(lib, brief_id, "insight") == "People want bread that lasts."


def test_rename_and_delete_are_undoable(view, window, qtbot, lib, brief_id):
    view.title.setText("Spring launch 2027")
    view.title.editingFinished.emit()
    assert get_brief(lib, brief_id).title == "Spring launch 2027"
    qtbot.waitUntil(lambda: view.list.list.item(0).text() == "Spring launch 2027")
    view.delete_brief(brief_id)
    qtbot.waitUntil(lambda: view.list.list.count() == 0)
    assert view.centre_stack.currentWidget() is view.no_brief
    window.undo()
    qtbot.waitUntil(lambda: view.list.list.count() == 1)
    assert view.brief.id == brief_id and view.title.text() == "Spring launch 2027"


def test_an_empty_title_is_refused_and_the_old_one_stays(view, qtbot, lib, brief_id):
    view.title.setText("  ")
    view.title.editingFinished.emit()
    assert "cannot be empty" in view.message.text()
    assert get_brief(lib, brief_id).title == "Spring launch" and view.title.text() == "Spring launch"


def test_save_version_edit_diff_and_restore(view, window, qtbot, lib, brief_id):
    edit = type_into(qtbot, view, "proposition", "Bread worth waking up for")
    view.versions.note.setText("First draft")
    qtbot.keyClick(edit, Qt.Key_S, Qt.ControlModifier)  # saves the pending typing, then the version
    assert [(v.number, v.note) for v in list_versions(lib, brief_id)] == [(1, "First draft")]
    assert stored(lib, brief_id, "proposition") == "Bread worth waking up for"
    qtbot.waitUntil(lambda: view.versions.list.count() == 1)

    type_into(qtbot, view, "proposition", " every day")
    view.editor.flush()
    view.versions.select(1)
    html = view.versions.diff.toHtml()
    assert "Proposition" in html and "every day" in html and "Audience" not in html  # changed sections only
    assert view.versions.diff.toPlainText().count("every day") == 1

    assert view.versions.restore() == 2
    qtbot.waitUntil(lambda: view.editor.text("proposition") == "Bread worth waking up for")
    assert stored(lib, brief_id, "proposition") == "Bread worth waking up for"
    qtbot.waitUntil(lambda: view.versions.list.count() == 2)
    window.undo()  # the restore is one step
    qtbot.waitUntil(lambda: view.editor.text("proposition") == "Bread worth waking up for every day")


def test_two_versions_compare_with_each_other(view, qtbot, lib, brief_id):
    ops.save_section(lib, brief_id, "tone", "Warm")
    ops.save_version(lib, brief_id, "one")
    ops.save_section(lib, brief_id, "tone", "Warm and witty")
    ops.save_version(lib, brief_id, "two")
    qtbot.waitUntil(lambda: view.versions.list.count() == 2)
    view.versions.select(1, 2)
    assert "From version 1 to version 2" in view.versions.diff.toPlainText()
    assert "and witty" in view.versions.diff.toPlainText()
    assert not view.versions.restore_button.isEnabled()  # restore takes one version


def test_comment_reply_and_resolve(view, qtbot, lib, brief_id):
    panel = view.comments
    panel.section.setCurrentIndex(panel.section.findData("audience"))
    panel.text.setPlainText("Who exactly? Give an age range.")
    panel.add_button.click()
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 1)
    (comment,) = list_comments(lib, brief_id)
    assert (comment.section, comment.text) == ("audience", "Who exactly? Give an age range.")
    assert panel.tree.topLevelItem(0).text(1) == "Audience"

    panel.select(comment.uid)
    panel.text.setPlainText("25 to 40, city commuters.")
    panel.reply_button.click()
    qtbot.waitUntil(lambda: panel.tree.topLevelItem(0).childCount() == 1)
    assert list_comments(lib, brief_id)[1].parent_uid == comment.uid

    panel.select(comment.uid)
    panel.resolve_button.click()
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 0)  # a resolved thread is hidden
    assert list_comments(lib, brief_id)[0].resolved
    panel.show_resolved.setChecked(True)
    item = panel.tree.topLevelItem(0)
    assert item.text(0).startswith("✓ Who exactly?") and item.childCount() == 1
    panel.select(comment.uid)
    assert panel.resolve_button.text() == "Reopen"
    panel.resolve_button.click()
    qtbot.waitUntil(lambda: not list_comments(lib, brief_id)[0].resolved)


def test_an_empty_comment_cannot_be_sent(view, brief_id):
    view.comments.text.setPlainText("   ")
    assert not view.comments.add_button.isEnabled()


def test_status_review_approve_with_names_and_back_to_draft(view, qtbot, lib, brief_id):
    view.review_button.click()
    qtbot.waitUntil(lambda: view.chip.text() == "In review")
    assert not view.review_button.isEnabled()

    dialog = view.approve()
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    ok.click()  # no name: refused, saying what is missing, and nothing changes
    assert dialog.isVisible() and "approver's name" in dialog.error.text()
    assert get_brief(lib, brief_id).summary.status == "in_review"

    dialog.names.setText("Ana Silva, Tom Berg")
    ok.click()
    assert not dialog.isVisible()
    brief = get_brief(lib, brief_id)
    assert brief.summary.status == "approved" and [a.approver for a in brief.approvals] == ["Ana Silva", "Tom Berg"]
    qtbot.waitUntil(lambda: view.chip.text() == "Approved · Ana Silva, Tom Berg")
    assert not view.approve_button.isEnabled()

    view.draft_button.click()
    qtbot.waitUntil(lambda: view.chip.text() == "Draft")


def test_editing_an_approved_brief_sends_it_back_to_review_and_says_so(view, qtbot, lib, brief_id):
    ops.set_brief_status(lib, brief_id, "approved", approvers=["Ana"])
    qtbot.waitUntil(lambda: view.chip.text().startswith("Approved"))
    type_into(qtbot, view, "kpis", "Trial up 10 %")
    view.editor.flush()
    qtbot.waitUntil(lambda: view.chip.text() == "In review")
    assert "back in review" in view.message.text()


@pytest.mark.parametrize("fmt", ["md", "pdf", "docx"])
def test_export_runs_as_a_job_and_writes_the_file(view, qtbot, lib, brief_id, tmp_path, fmt):
    ops.save_section(lib, brief_id, "objective", "Grow **trial** of the loaf")
    out = tmp_path / "out" / f"brief.{fmt}"
    out.parent.mkdir()
    with qtbot.waitSignal(view.export_finished, timeout=JOB_MS) as blocker:
        job = view.export(fmt, out)
        assert not view.export_button.isEnabled()  # one export at a time
    assert blocker.args[0] is job and job.status == "done", job.error
    assert out.is_file() and out.stat().st_size > 0
    if fmt == "md":
        assert "Grow **trial** of the loaf" in out.read_text()
    assert f"Exported to {out}" in view.message.text()
    assert QSettings().value(EXPORT_FOLDER_KEY) == str(out.parent)  # the next file dialog starts there


def test_export_into_a_folder_that_cannot_be_written_says_so(view, qtbot, brief_id, tmp_path):
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    out = blocker_file / "brief.pdf"
    with qtbot.waitSignal(view.export_finished, timeout=JOB_MS) as blocker:
        view.export("pdf", out)
    assert blocker.args[0].status == "failed"
    assert "not exported" in view.message.text() and "does not exist" in view.message.text()
    assert not out.exists() and not list(tmp_path.glob("**/.brief.pdf.partial"))
    assert view.export_button.isEnabled()


def assist(qtbot, view, key: str, task: str):
    view.tabs.setCurrentWidget(view.assist)
    view.assist.section.setCurrentIndex(view.assist.section.findData(key))
    with qtbot.waitSignal(view.assist.finished, timeout=JOB_MS) as blocker:
        job = view.assist.ask(task)
        assert job is not None and not view.assist.accept_button.isEnabled()  # not while it streams
    assert blocker.args[0].status == "done", blocker.args[0].error
    return blocker.args[0]


def test_ai_assist_streams_a_suggestion_that_accept_writes_and_undo_takes_back(view, window, qtbot, lib, brief_id, a_minute_later):
    ops.save_section(lib, brief_id, "background", NOTES)
    a_minute_later()
    qtbot.waitUntil(lambda: view.editor.text("background") == NOTES)
    shown = []  # the suggestion box as the words arrive
    view.assist.suggestion.textChanged.connect(lambda: shown.append(view.assist.suggestion.toPlainText()))
    job = assist(qtbot, view, "background", "improve")
    suggestion = view.assist.answer
    assert suggestion == job.result.text and "really" not in suggestion and "Leeds" in suggestion
    assert "Leeds" in view.assist.suggestion.toPlainText()
    streamed = [text for text in shown[:-1] if text]  # the last is the finished answer, formatted
    assert len(streamed) > 3 and all(suggestion.startswith(text) for text in streamed)  # word by word
    assert "offline templates" in view.assist.state.text()
    assert view.assist.sources_title.text().startswith("Sources cited: none")
    assert stored(lib, brief_id, "background") == NOTES  # only a suggestion so far

    edit = view.editor.blocks["background"].edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClick(edit, Qt.Key_Return, Qt.ControlModifier)  # Ctrl+Enter accepts
    assert stored(lib, brief_id, "background") == suggestion
    qtbot.waitUntil(lambda: view.editor.text("background") == suggestion)
    assert view.assist.suggestion.toPlainText() == "" and not view.accept_action.isEnabled()
    assert not view.assist.sources_title.isVisible()
    window.undo()
    qtbot.waitUntil(lambda: view.editor.text("background") == NOTES)


def test_ai_assist_cites_the_knowledge_base_and_lists_the_sources(view, qtbot, lib, brief_id, campaign_id, tmp_path):
    from studio.core.jobs import JobState
    from studio.core.ops.brand_rules import campaign_brand
    from studio.core.research.library import ImportDocsParams, import_documents

    doc = tmp_path / "about-kestrel.md"
    doc.write_text("# About Kestrel\n\nKestrel bakes sourdough every morning in Leeds. Our loaves rise for 36 hours.\n\n"
                   "Kestrel delivers to cafés across Yorkshire before 7 am.\n")
    summary = import_documents(ImportDocsParams(str(lib.root), campaign_brand(lib, campaign_id), [str(doc)]), JobState(), lib=lib)
    assert summary.added == 1
    ops.save_section(lib, brief_id, "reasons_to_believe", "sourdough loaves rise")
    qtbot.waitUntil(lambda: view.editor.text("reasons_to_believe") == "sourdough loaves rise")
    job = assist(qtbot, view, "reasons_to_believe", "generate")
    assert job.result.cited and "[1]" in view.assist.answer and view.assist.sources.isVisible()
    listed = [view.assist.sources.item(i).text() for i in range(view.assist.sources.count())]
    assert listed and listed[0] == "[1] About Kestrel"
    assert "Leeds" in view.assist.sources.item(0).toolTip()


def test_a_stream_cut_off_midway_keeps_the_partial_suggestion_marked(view, window, qtbot, lib, brief_id, ctx, tmp_path, monkeypatch):
    from tests.fake_ai import fake_ai

    key = "sk-test-briefs-4f2a9c"
    store = SecretStore(file_path=tmp_path / "openai-keys.cfg")  # the real encrypted-file keyring, never the OS one
    store.unlock("correct horse battery")
    store.set("openai", key)
    ctx.secrets = store
    ops.save_section(lib, brief_id, "insight", NOTES)
    qtbot.waitUntil(lambda: view.editor.text("insight") == NOTES)
    with fake_ai(key, reply="Fresh bread tells you it was made with care, every single morning.") as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.openai_base)  # the real OpenAI SDK, pointed at the fake
        fake.cut_after = 3
        job = assist(qtbot, view, "insight", "improve")
    assert job.result.status == "partial" and job.result.provider == "openai"
    assert view.assist.answer == "".join(fake.words[:3]).strip()
    assert f"partial — {job.result.reason}" in view.assist.state.text() and "openai · " in view.assist.state.text()
    assert view.assist.accept()  # what came can still be taken
    assert stored(lib, brief_id, "insight") == "".join(fake.words[:3]).strip()


def test_ai_assist_reject_leaves_the_section(view, qtbot, lib, brief_id):
    ops.save_section(lib, brief_id, "audience", NOTES)
    qtbot.waitUntil(lambda: view.editor.text("audience") == NOTES)
    assist(qtbot, view, "audience", "shorten")
    assert view.assist.has_suggestion()
    edit = view.editor.blocks["audience"].edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClick(edit, Qt.Key_Escape)  # Esc rejects
    assert not view.assist.has_suggestion() and view.assist.suggestion.toPlainText() == ""
    assert stored(lib, brief_id, "audience") == NOTES and view.editor.text("audience") == NOTES


def test_ai_assist_with_nothing_to_improve_says_what_to_do(view, brief_id):
    assert view.assist.ask("improve") is None
    assert "write something first" in view.assist.state.text()


def test_deliverables_are_saved_and_make_compositions(view, qtbot, lib, brief_id, campaign_id):
    table = view.editor.deliverables
    table.add_row("meta.feed_image")
    table.table.cellWidget(0, 1).setValue(2)
    table.add_row("google.rsa")  # a text ad: no picture to compose
    qtbot.waitUntil(lambda: [(d.spec_id, d.count) for d in get_brief(lib, brief_id).deliverables]
                    == [("meta.feed_image", 2), ("google.rsa", 1)])
    view.compose_button.click()
    names = sorted(c.name for c in list_compositions(lib, campaign_id))
    assert names == ["Spring launch — Meta feed image #1", "Spring launch — Meta feed image #2"]
    assert "Made 2 compositions" in view.message.text() and "Skipped google.rsa" in view.message.text()

    table.table.selectRow(1)
    table.remove_current()
    qtbot.waitUntil(lambda: [d.spec_id for d in get_brief(lib, brief_id).deliverables] == ["meta.feed_image"])


def test_create_compositions_without_deliverables_says_what_to_do(view, brief_id):
    view.compose_button.click()
    assert "no deliverables yet" in view.message.text()


def test_the_copy_tab_follows_the_chosen_brief(view, brief_id):
    assert view.tabs.tabText(view.tabs.indexOf(view.copy)) == "Copy"
    assert view.copy.brief_id == brief_id
    other = view.new_brief("Summer range")
    assert view.copy.brief_id == other


def test_splitter_sizes_are_remembered(view, ctx, qtbot):
    from studio.ui.workspaces.briefs.view import BriefsView

    view.splitter.setSizes([300, 600, 420])
    view.splitter.splitterMoved.emit(300, 1)
    again = BriefsView(ctx)
    qtbot.addWidget(again)
    assert again.splitter.saveState() == view.splitter.saveState()
