"""The Compliance workspace over a real library with real copy: Check campaign as a job fills
the table and its counts; filters narrow it; the detail pane highlights the exact span; a quick
fix rewrites the copy and Edit ▸ Undo brings it back; a waiver needs a reason, shows, and is undone."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialogButtonBox

from studio.core.assets import importer
from studio.core.compliance import store
from studio.core.compliance.model import Finding
from studio.core.jobs import JobState
from studio.core.ops.copy import campaign_copy, set_copy
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.ui.shell import registry
from studio.ui.shell.theme import theme
from studio.ui.workspaces.compliance.detail import FindingDetail, read_picture
from studio.ui.workspaces.compliance.dialogs import os_user_name
from studio.ui.workspaces.compliance.models import WAIVED, FindingRole
from tests.media import mp4

CHECK_MS = 60_000  # copy checks as a job on a busy 2-core machine
HEADLINE = "FREE shipping!!"


@pytest.fixture
def campaign_id(lib):
    client = create_client(lib, "Kestrel Coffee").value
    brand = create_brand(lib, client, "Kestrel").value
    campaign = create_campaign(lib, brand, "Autumn").value
    set_copy(lib, campaign, "headline", [HEADLINE, "Click here for coffee"], "google")
    return campaign


@pytest.fixture
def window(campaign_id, make_window, ctx):  # the copy is written before the view listens
    import studio.ui.workspaces.compliance  # noqa: F401 - registers the workspace

    ctx.current_campaign_id = campaign_id
    return make_window(workspaces=[s for s in registry.workspaces() if s.key == "compliance"], initial_workspace="compliance")


@pytest.fixture
def view(window):
    return window.views["compliance"]


@pytest.fixture
def checked(view, qtbot):
    view.search.setFocus()
    qtbot.waitUntil(view.search.hasFocus)
    with qtbot.waitSignal(view.check_finished, timeout=CHECK_MS) as blocker:
        qtbot.keyClick(view.search, Qt.Key_F5)
    assert blocker.args[0].status == "done", blocker.args[0].error
    return view


def shown(view) -> list:
    return [view.proxy.index(r, 0).data(FindingRole) for r in range(view.proxy.rowCount())]


def pick(view, rule_id: str, text: str = HEADLINE) -> None:
    """Make the first row of this rule on this copy line the current one."""
    for row, stored in enumerate(shown(view)):
        if stored.finding.rule_id == rule_id and store.describe_target(view.ctx.lib, stored.target).endswith(text):
            view.select_row(row)
            return
    raise AssertionError(f"no {rule_id} finding on {text!r} among {[s.finding.rule_id for s in shown(view)]}")


def rules(view) -> list[str]:
    """The rules of every finding in the table, filtered out or not."""
    return [r.stored.finding.rule_id for r in view.model.rows]


def headlines(lib, campaign_id) -> list[str]:
    return campaign_copy(lib, campaign_id)["google"]["headline"]


def test_the_workspace_is_registered_under_ctrl_6(window):
    spec = window.specs["compliance"]
    assert (spec.title, spec.shortcut) == ("Compliance", "Ctrl+6")


def test_check_campaign_runs_as_a_job_and_shows_the_findings_with_counts(view, qtbot, lib, campaign_id):
    assert view.table_stack.currentWidget() is view.empty_table  # nothing checked yet: says what to do
    assert "2 items not checked yet" in view.status.text()
    with qtbot.waitSignal(view.check_finished, timeout=CHECK_MS) as blocker:
        job = view.check_campaign()
        assert not view.check_action.isEnabled()  # one check at a time
    assert blocker.args[0] is job and job.status == "done"

    rules = {(s.finding.rule_id, s.finding.span) for s in shown(view)}
    assert {("google.capitals", (0, 4)), ("google.punctuation", (13, 15))} <= rules
    stored = store.campaign_findings(lib, campaign_id)
    assert view.model.rowCount() == len(stored)
    errors = sum(s.blocking for s in stored)
    warnings = sum(s.finding.severity == "warning" for s in stored)
    assert errors >= 2
    assert view.counts.text().endswith(f"{errors} errors block export</span> · {warnings} warning{'s' * (warnings != 1)} · 0 waived")
    assert view.status.text() == "" and view.table_stack.currentWidget() is view.table
    severities = [s.finding.severity for s in shown(view)]
    assert severities == sorted(severities)  # errors first: "error" < "warning"


def test_filters_narrow_the_table(checked):
    view = checked
    total = view.proxy.rowCount()
    view.rule.setCurrentIndex(view.rule.findData("google.capitals"))
    assert [s.finding.rule_id for s in shown(view)] == ["google.capitals"]
    view.rule.setCurrentIndex(0)
    view.severity.setCurrentIndex(view.severity.findData("warning"))
    assert shown(view) and all(s.finding.severity == "warning" for s in shown(view))
    assert view.proxy.rowCount() < total
    view.severity.setCurrentIndex(0)
    view.search.setText("repeated or gimmicky")
    assert [s.finding.rule_id for s in shown(view)] == ["google.punctuation"]
    view.search.clear()
    fine = next(i for i in range(view.target.count()) if "Click here for coffee" in view.target.itemText(i))
    view.target.setCurrentIndex(fine)
    assert all(s.target == view.target.currentData() for s in shown(view))
    assert not any(s.finding.rule_id == "google.capitals" for s in shown(view))
    view.target.setCurrentIndex(0)
    assert view.proxy.rowCount() == total


def test_the_detail_pane_highlights_the_exact_span(checked):
    view = checked
    pick(view, "google.capitals")
    assert view.detail.text.toPlainText() == HEADLINE
    assert view.detail.highlighted_span() == (0, 4)
    assert "Source:" in view.detail.about.text() and "https://" in view.detail.about.text()
    pick(view, "google.punctuation")
    assert view.detail.highlighted_span() == (13, 15)
    assert view.detail.heading.text().startswith("Error · google.punctuation")


def test_quick_fix_rewrites_the_copy_and_undo_brings_it_back(checked, qtbot, window, lib, campaign_id):
    view = checked
    pick(view, "google.capitals")
    assert view.fix_action.isEnabled()
    view.fix_action.trigger()
    assert headlines(lib, campaign_id) == ["Free shipping!!", "Click here for coffee"]
    # The changed line is checked again on its own: its capitals finding goes, the rest stays.
    qtbot.waitUntil(lambda: view.job is None and not view.unchecked and "google.capitals" not in rules(view), timeout=CHECK_MS)
    assert "google.punctuation" in rules(view)

    assert window.undo_action.text() == "Undo Set headline for google"
    window.undo_action.trigger()
    assert headlines(lib, campaign_id) == [HEADLINE, "Click here for coffee"]
    qtbot.waitUntil(lambda: view.job is None and "google.capitals" in rules(view), timeout=CHECK_MS)


def test_fix_all_of_a_rule_fixes_every_selected_finding_of_it(checked, qtbot, lib, campaign_id):
    view = checked
    view.rule.setCurrentIndex(view.rule.findData("google.exclamation_headline"))
    assert view.proxy.rowCount() == 2  # one per "!"
    view.select_row(0)
    assert not view.fix_all_action.isEnabled()  # one selected: the plain Fix is the one to use
    view.table.selectAll()
    assert view.fix_all_action.isEnabled()
    view.fix_all_action.trigger()
    assert headlines(lib, campaign_id) == ["FREE shipping", "Click here for coffee"]  # both marks, in one step
    qtbot.waitUntil(lambda: view.job is None and not view.unchecked and "google.punctuation" not in rules(view), timeout=CHECK_MS)
    assert "google.exclamation_headline" not in rules(view) and "google.capitals" in rules(view)


def test_a_waiver_needs_a_reason_shows_and_undo_removes_it(checked, qtbot, window, lib, campaign_id):
    view = checked
    pick(view, "google.punctuation")
    blocking = len(store.blocking_findings(lib, campaign_id))
    dialog = view.waive_current()
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert dialog.name.text() == os_user_name() and not ok.isEnabled()
    assert "Give a reason." == dialog.error.text()
    dialog.text.setPlainText("The double mark is part of the product name")
    dialog.name.clear()
    assert not ok.isEnabled() and dialog.error.text() == "Give a name."
    dialog.name.setText("Ada Lovelace")
    qtbot.mouseClick(ok, Qt.LeftButton)
    assert not dialog.isVisible()

    def waived_text():
        pick(view, "google.punctuation")
        return view.table.currentIndex().siblingAtColumn(WAIVED).data()

    qtbot.waitUntil(lambda: waived_text() == "Waived by Ada Lovelace: The double mark is part of the product name")
    assert len(store.blocking_findings(lib, campaign_id)) == blocking - 1
    assert view.counts.text().endswith("1 waived") and view.unwaive_action.isEnabled() and not view.waive_action.isEnabled()
    assert "Waived</b> by Ada Lovelace" in view.detail.about.text()

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: not waived_text())
    assert len(store.blocking_findings(lib, campaign_id)) == blocking and view.counts.text().endswith("0 waived")


def test_remove_waiver_is_undoable(checked, qtbot, window, lib):
    view = checked
    pick(view, "google.capitals")
    store.waive(lib, view.current().fingerprint, "House style for the offer", "Ada")
    qtbot.waitUntil(lambda: view.current() is not None and view.current().waived)
    view.unwaive_action.trigger()
    qtbot.waitUntil(lambda: view.current() is not None and not view.current().waived)
    assert window.undo_action.text() == "Undo Withdraw waiver of google.capitals"
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: view.current() is not None and view.current().waived)


def test_no_campaign_says_to_pick_one(make_window, ctx):
    import studio.ui.workspaces.compliance  # noqa: F401

    ctx.current_campaign_id = None
    window = make_window(workspaces=[s for s in registry.workspaces() if s.key == "compliance"], initial_workspace="compliance")
    view = window.views["compliance"]
    assert view.stack.currentWidget() is view.no_campaign and not view.check_action.isEnabled()
    assert view.check_campaign() is None


def test_copy_edited_elsewhere_is_checked_again_on_its_own(checked, qtbot, lib, campaign_id):
    view = checked
    pick(view, "google.click_here", "Click here for coffee")
    assert not view.fix_action.isEnabled()  # no clear fix for a generic call to action
    set_copy(lib, campaign_id, "headline", [HEADLINE, "Shop the autumn roast"], "google")  # as the Export dialog's editor does
    qtbot.waitUntil(lambda: view.job is None and "google.click_here" not in rules(view), timeout=CHECK_MS)
    assert "google.capitals" in rules(view) and not view.unchecked


def test_waiving_a_finding_fixed_meanwhile_says_so_and_keeps_the_dialog(checked, qtbot, lib, campaign_id):
    view = checked
    pick(view, "google.capitals")
    dialog = view.waive_current()
    set_copy(lib, campaign_id, "headline", ["Free shipping", "Click here for coffee"], "google")
    qtbot.waitUntil(lambda: view.job is None and "google.capitals" not in rules(view), timeout=CHECK_MS)
    dialog.text.setPlainText("Offer wording agreed with the client")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert dialog.isVisible() and "Check the campaign again" in dialog.error.text()
    assert not any(s.waived for s in store.campaign_findings(lib, campaign_id))


def test_an_image_finding_is_shown_with_its_box(ctx, qtbot, lib, tmp_path):
    picture = np.full((200, 400, 3), 235, np.uint8)
    picture[50:100, 100:200] = (20, 20, 20)  # where the "text" is
    Image.fromarray(picture).save(tmp_path / "banner.png")
    report = importer.run(importer.ImportParams(str(lib.root), [str(tmp_path / "banner.png")]), JobState(), lib=lib)
    finding = Finding("google.capitals", "error", "“SALE” is in capitals.", "Write it in normal case.", box=(100, 50, 200, 100), excerpt="SALE")
    detail = FindingDetail(ctx)
    qtbot.addWidget(detail)
    detail.resize(420, 520)
    detail.show()
    detail.show_finding(store.StoredFinding(1, f"asset:{report.imported[0]['id']}", "f" * 64, finding, datetime.now()), "Image banner.png")
    qtbot.waitUntil(lambda: detail.picture.image is not None)
    view = detail.picture
    area, box = view.image_rect(), view.box_rect()
    k = area.width() / 400
    assert area.width() <= view.width() and abs(area.height() - 200 * k) < 1  # scaled to fit, shape kept
    assert (round(box.x() - area.x()), round(box.width())) == (round(100 * k), round(100 * k))
    shot = view.grab().toImage()
    edge = shot.pixelColor(round(box.x()), round(box.center().y()))
    assert edge == QColor(theme().colors.danger)  # the box is drawn in the error colour
    assert "“SALE”" in detail.picture_note.text()


def test_a_video_finding_shows_the_frame_it_is_on(tmp_path):
    video = mp4(tmp_path / "clip.mp4", size=(64, 48), seconds=1.0, fps=25, audio=False)  # frame i is grey (i * 9) % 255
    for frame in (0, 10, 20):
        shown = read_picture(video, "video", frame)
        assert shown.note.startswith(f"Frame {frame} ")
        assert abs(QColor(shown.image.pixel(32, 24)).red() - frame * 9) <= 6
    assert read_picture(tmp_path / "gone.mp4", "video", 3).image is None


def test_approve_signs_the_campaign_off_in_the_audit_trail(checked, qtbot, lib, campaign_id):
    from tests.core.compliance.test_store import events

    dialog = checked.approve_campaign()
    blocking = len(store.blocking_findings(lib, campaign_id))
    assert blocking and f"{blocking} errors nobody waived" in dialog.findChildren(type(dialog.error))[0].text()
    dialog.name.setText("Grace Hopper")
    dialog.text.setPlainText("Client signed the claims off by mail")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert not dialog.isVisible() and checked.status.text().endswith("approved by Grace Hopper.")
    [approval] = events(lib, "Approved campaign")
    assert (approval["name"], approval["note"], approval["blocking_findings"]) == ("Grace Hopper", "Client signed the claims off by mail", blocking)


def test_report_is_written_as_a_job_into_the_chosen_folder(checked, qtbot, tmp_path):
    with qtbot.waitSignal(checked.report_written, timeout=60_000) as done:
        job = checked.write_report(str(tmp_path / "out"))
        assert job is not None and not checked.report_action.isEnabled()
    assert done.args[0].status == "done" and checked.report_action.isEnabled()
    written = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert written == [".html", ".pdf"] and checked.status.text().startswith("Wrote ")
