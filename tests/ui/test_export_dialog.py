"""The Export dialog over the real demo library: checked renditions with their statuses, a
small real package built as a job, a package that already exists, a cancelled build, and
copy edited, re-checked and undone."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QSettings, Qt

from studio.core.demo import CAMPAIGN
from studio.core.export.package import package_name
from studio.core.export.plan import find_campaign
from studio.core.library import Library
from studio.core.ops.copy import campaign_copy
from studio.ui.export.export_dialog import ExportDialog
from studio.ui.export.renditions import STATUS_ROLE

CHECK_MS = 30_000
BUILD_MS = 240_000  # a real 5.5 s 1080×1920 encode on a busy 2-core machine


@pytest.fixture
def lib(demo, tmp_path):
    """A copy of the demo library (tests/conftest.py builds it once)."""
    shutil.copytree(demo[0], tmp_path / "lib")
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


@pytest.fixture
def campaign_id(lib):
    return find_campaign(lib, CAMPAIGN)[0]


@pytest.fixture
def dialog(window, campaign_id, qtbot):
    window.ctx.current_campaign_id = campaign_id
    window.export_action.trigger()
    dlg = window.export_dialog
    assert dlg.isVisible() and dlg.choices.campaign.currentData() == campaign_id
    qtbot.waitUntil(dlg.plan_is_current, timeout=CHECK_MS)
    return dlg


def placement_items(dlg):
    tree = dlg.choices.placements
    return [tree.topLevelItem(n).child(i) for n in range(tree.topLevelItemCount()) for i in range(tree.topLevelItem(n).childCount())]


def keep_only(dlg, qtbot, spec_ids: set[str], images: bool = False) -> None:
    """Tick just these placements (and no images, unless asked), then wait for the check."""
    for item in placement_items(dlg):
        item.setCheckState(0, Qt.Checked if item.data(0, Qt.UserRole) in spec_ids else Qt.Unchecked)
    for i in range(dlg.choices.images.count()):
        dlg.choices.images.item(i).setCheckState(Qt.Checked if images else Qt.Unchecked)
    qtbot.waitUntil(dlg.plan_is_current, timeout=CHECK_MS)


def status_column(dlg) -> list[tuple[str, object, str]]:
    model = dlg.renditions.model
    return [(model.index(r, 0).data(STATUS_ROLE), model.index(r, 0).data(Qt.CheckStateRole), model.index(r, 0).data())
            for r in range(model.rowCount())]


def test_checking_shows_every_rendition_with_its_status_and_blocked_ones_unticked(dialog, qtbot):
    model = dialog.renditions.model
    rows = status_column(dialog)
    assert len(rows) == len(dialog.plan.renditions) > 20
    assert {status for status, _, _ in rows} == {"ok", "warning", "error"}
    for r, (status, check, text) in enumerate(rows):
        index = model.index(r, 0)
        if status == "error":
            assert (check, text) == (Qt.Unchecked, "Blocked")
            assert not model.flags(index) & Qt.ItemIsUserCheckable
            assert model.setData(index, Qt.Checked, Qt.CheckStateRole) is False  # cannot be ticked
            assert model.index(r, 0).data(Qt.ToolTipRole).startswith("Left out of the package:")
        else:
            assert check == Qt.Checked and model.flags(index) & Qt.ItemIsUserCheckable
    blocked = next(r for r, row in enumerate(rows) if row[0] == "error")
    dialog.renditions.table.setCurrentIndex(model.index(blocked, 1))
    details = dialog.renditions.details.toPlainText()
    assert "Error" in details and "Use a larger source" in details  # the finding's fix hint

    ready = [r for r, row in enumerate(rows) if row[0] != "error"]
    before = len(model.ticked())
    model.setData(model.index(ready[0], 0), Qt.Unchecked, Qt.CheckStateRole)
    assert len(model.ticked()) == before - 1
    assert dialog.summary.text().startswith(f"<b>{before - 1} of {len(rows)} renditions will be built")

    checks = dialog.copy_pane.checks.toPlainText()
    assert "Meta feed image — warnings" in checks and "Google responsive search ad — fits" in checks


def test_platform_choices_recheck_and_are_remembered(dialog, qtbot, window):
    dialog.choices.platform_boxes["meta"].setChecked(False)
    qtbot.waitUntil(dialog.plan_is_current, timeout=CHECK_MS)
    assert dialog.plan.renditions and not any(r.platform == "meta" for r in dialog.plan.renditions)
    assert QSettings().value("export/platforms") == "google,tiktok,linkedin"
    again = ExportDialog(window.ctx)
    qtbot.addWidget(again)
    assert not again.choices.platform_boxes["meta"].isChecked() and again.choices.platform_boxes["google"].isChecked()


def test_building_one_placement_makes_the_package_and_shows_the_summary(dialog, qtbot, tmp_path):
    keep_only(dialog, qtbot, {"tiktok.infeed"})
    assert [r.spec_id for r in dialog.plan.renditions] == ["tiktok.infeed"]
    out = tmp_path / "out"
    dialog.out_dir.setText(str(out))
    qtbot.mouseClick(dialog.build_button, Qt.LeftButton)
    job = dialog.build_job
    assert job is not None and not dialog.build_button.isEnabled()  # one build at a time
    qtbot.waitUntil(lambda: job.finished, timeout=BUILD_MS)
    assert job.status == "done", job.error
    folder = out / package_name(CAMPAIGN)
    assert (folder / "manifest.json").is_file() and (out / f"{package_name(CAMPAIGN)}.zip").is_file()
    assert len(list((folder / "renditions" / "tiktok").glob("*.mp4"))) == 1
    qtbot.waitUntil(lambda: dialog.message_box is not None)
    box = dialog.message_box
    assert box.windowTitle() == "Ad package built" and str(folder) in box.text() and "1 rendition(s)" in box.text()
    assert any(b.text() == "Open folder" for b in box.buttons())
    assert QSettings().value("export/out_dir") == str(out)
    assert dialog.build_button.isEnabled()


def test_an_existing_package_shows_the_message_and_is_left_alone(dialog, qtbot, tmp_path):
    keep_only(dialog, qtbot, {"tiktok.infeed"})
    existing = tmp_path / "out" / package_name(CAMPAIGN)
    existing.mkdir(parents=True)
    (existing / "manifest.json").write_text("the client's approved package")
    dialog.out_dir.setText(str(tmp_path / "out"))
    job = dialog.build()
    qtbot.waitUntil(lambda: job.finished, timeout=CHECK_MS)
    assert job.status == "failed"
    qtbot.waitUntil(lambda: dialog.message_box is not None)
    assert "already exists" in dialog.message_box.text() and "never overwritten" in dialog.message_box.text()
    assert dialog.isVisible()
    assert (existing / "manifest.json").read_text() == "the client's approved package"
    assert sorted(p.name for p in existing.parent.iterdir()) == [existing.name]  # no partial folder or zip


def test_cancelling_a_build_leaves_no_package_folder(dialog, qtbot, tmp_path):
    keep_only(dialog, qtbot, {"tiktok.infeed"})
    out = tmp_path / "out"
    dialog.out_dir.setText(str(out))
    job = dialog.build()
    qtbot.waitUntil(lambda: job.state.status.startswith("Making"), timeout=CHECK_MS)
    assert dialog.cancel_button.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: job.finished, timeout=BUILD_MS)
    assert job.status == "cancelled"
    assert list(out.iterdir()) == []
    qtbot.waitUntil(lambda: "cancelled" in dialog.build_status.text())
    assert dialog.message_box is None and dialog.build_button.isEnabled()


def _edit(dialog, scope, field: str):
    pane = dialog.copy_pane
    dialog.tabs.setCurrentWidget(pane)
    pane.scope.setCurrentIndex(pane.scope.findData(scope))
    pane.field.setCurrentIndex(pane.field.findData(field))
    return pane


def test_copy_edits_save_recheck_and_undo(dialog, qtbot, window, lib, campaign_id):
    pane = _edit(dialog, "", "headline")
    original = campaign_copy(lib, campaign_id)[None]["headline"]
    assert pane.texts() == original and not pane.save_button.isEnabled()
    pane.editor.setPlainText("Autumn Roast is back\nSlow-roasted, small batch")
    assert pane.save_button.isEnabled()
    check_before = dialog.check_job
    qtbot.mouseClick(pane.save_button, Qt.LeftButton)
    assert campaign_copy(lib, campaign_id)[None]["headline"] == ["Autumn Roast is back", "Slow-roasted, small batch"]
    qtbot.waitUntil(lambda: dialog.check_job is not check_before and dialog.plan_is_current(), timeout=CHECK_MS)  # checked again

    assert window.undo_action.text() == "Undo Set headline"
    window.undo_action.trigger()
    assert campaign_copy(lib, campaign_id)[None]["headline"] == original
    qtbot.waitUntil(lambda: pane.texts() == original)


def test_counts_follow_the_placements_limits_with_wide_characters_counted_twice(dialog, qtbot):
    pane = _edit(dialog, "google.rsa", "headline")
    pane.editor.setPlainText("秋のロースト")
    counts = pane.counts.text()
    assert "12 / 30" in counts and "wide characters count twice" in counts
    pane.editor.setPlainText("An autumn headline far too long for search")
    assert "42 / 30" in pane.counts.text()


def test_copy_longer_than_the_field_is_an_error_that_blocks_the_build(dialog, qtbot, lib, campaign_id):
    keep_only(dialog, qtbot, {"tiktok.infeed"})
    assert dialog.build_button.isEnabled()
    pane = _edit(dialog, "tiktok", "brand_name")
    pane.editor.setPlainText("Kestrel Coffee Roasting Company")
    assert "31 / 20" in pane.counts.text()
    qtbot.mouseClick(pane.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.plan_is_current() and "errors" in pane.checks.toPlainText(), timeout=CHECK_MS)
    assert "TikTok in-feed video — errors" in pane.checks.toPlainText()
    assert "fix it in the Copy tab" in dialog.summary.text()
    assert not dialog.build_button.isEnabled()


def test_unsaved_copy_survives_a_change_of_placements(dialog, qtbot):
    pane = _edit(dialog, "", "headline")
    pane.editor.setPlainText("Draft headline")
    meta_feed = next(i for i in placement_items(dialog) if i.data(0, Qt.UserRole) == "meta.feed_image")
    meta_feed.setCheckState(0, Qt.Unchecked)
    qtbot.waitUntil(dialog.plan_is_current, timeout=CHECK_MS)
    assert not any(r.spec_id == "meta.feed_image" for r in dialog.plan.renditions)
    assert pane.texts() == ["Draft headline"] and pane.save_button.isEnabled()


def test_with_no_placement_ticked_the_dialog_says_what_to_do(dialog, qtbot):
    for item in placement_items(dialog):
        item.setCheckState(0, Qt.Unchecked)
    qtbot.waitUntil(lambda: "Tick at least one placement" in dialog.summary.text(), timeout=CHECK_MS)
    assert dialog.renditions.model.rowCount() == 0 and not dialog.build_button.isEnabled()
