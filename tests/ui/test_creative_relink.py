"""Relinking offline media from the viewer's banner and the timeline: pick a file (its
neighbours are found too) or search a folder; Relink imports the files as a job and points the
clips at them in one undoable step; bad picks say why and change nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from studio.core.ops.compositions import create_composition
from studio.core.queries import list_assets
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, MediaClip, Track
from studio.core.timeline.store import load_composition
from tests import media
from tests.ui.creative_fixtures import WAIT_MS, assets, creative  # noqa: F401 - fixtures


@pytest.fixture
def offline(qtbot, creative, ctx, assets, tmp_path):
    """The open composition has two offline clips: spot.mp4 (its library file was lost) and
    b-roll.mp4 (a plain path that is gone); still.jpg is fine."""
    spot, still = assets["spot"], assets["still"]
    ctx.lib.media_path(spot.sha256, spot.ext).unlink()
    clips = [MediaClip(name="spot.mp4", asset_id=spot.id, start=0, duration=30),
             MediaClip(name="b-roll.mp4", path=str(tmp_path / "old" / "b-roll.mp4"), start=30, duration=30),
             MediaClip(name="still.jpg", asset_id=still.id, start=60, duration=30)]
    comp = Composition(name="Spot", width=160, height=284, duration=90, tracks=[Track(kind="video", clips=clips)])
    creative.controller.load(create_composition(ctx.lib, comp).value)
    viewer = creative.viewer
    qtbot.waitUntil(lambda: viewer.canvas.banner.isVisible(), timeout=WAIT_MS)
    return comp


def pick(qtbot, dialog, path) -> None:
    """What the user does in the file dialog the button opened."""
    file_dialog = dialog.file_dialog
    qtbot.waitUntil(file_dialog.isVisible)
    file_dialog.selectFile(str(path))
    file_dialog.accept()


def rows(dialog) -> list[str]:
    return [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]


def test_relink_from_the_banner_is_one_undoable_step(qtbot, creative, ctx, offline, tmp_path):
    viewer = creative.viewer
    assert "spot.mp4" in viewer.canvas.banner.text and "b-roll.mp4" in viewer.canvas.banner.text
    qtbot.mouseClick(viewer.canvas.banner.relink_button, Qt.LeftButton)
    dialog = viewer.relink_dialog
    assert dialog.isVisible() and rows(dialog) == ["spot.mp4", "b-roll.mp4"]
    assert not dialog.relink_button.isEnabled()

    moved = tmp_path / "moved"
    media.mp4(moved / "spot.mp4", seconds=1.5)  # found again (re-encoded: other bytes)
    media.mp4(moved / "b-roll.mp4", seconds=1.0, audio=False)
    before = {a.id for a in list_assets(ctx.lib)}
    dialog.choose_buttons[0].click()
    assert dialog.file_dialog.fileMode() == QFileDialog.ExistingFile
    pick(qtbot, dialog, moved / "spot.mp4")
    assert [item.pick for item in dialog.items] == [str(moved / "spot.mp4"), str(moved / "b-roll.mp4")]  # its neighbour too
    assert dialog.status.text() == "Every file is picked."
    messages = []
    ctx.bus.notification.connect(lambda level, text: messages.append(text))
    dialog.relink_button.click()
    [job] = [j for j in ctx.runner.jobs.values() if j.title == "Import 2 relinked files"]
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert job.status == "done"
    assert messages[-1] == "Relinked 2 clips (Edit ▸ Undo takes it back)"

    comp = load_composition(ctx.lib, creative.controller.composition_id)
    spot, broll, _still = comp.tracks[0].clips
    new = {a.name: a.id for a in list_assets(ctx.lib) if a.id not in before}
    assert (spot.asset_id, broll.asset_id, broll.path) == (new["spot.mp4"], new["b-roll.mp4"], None)
    assert len(new) == 2 and MediaResolver(ctx.lib).missing(comp) == []
    qtbot.waitUntil(lambda: not viewer.canvas.banner.isVisible(), timeout=WAIT_MS)

    assert ctx.lib.undo.undo_label() == "Relink 2 clips"
    ctx.lib.undo.undo()  # the relink and the import it needed, together
    assert load_composition(ctx.lib, creative.controller.composition_id) == offline
    assert {a.id for a in list_assets(ctx.lib)} == before
    qtbot.waitUntil(lambda: viewer.canvas.banner.isVisible(), timeout=WAIT_MS)


def test_searching_a_folder_finds_the_files_by_name(qtbot, creative, ctx, offline, tmp_path):
    dialog = creative.viewer.open_relink()
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog.search_button.click()
    assert dialog.file_dialog.fileMode() == QFileDialog.Directory
    pick(qtbot, dialog, empty)
    qtbot.waitUntil(lambda: dialog.search_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.status.text().startswith(f"None of the offline files are in {empty}")
    assert not dialog.relink_button.isEnabled()

    drive = tmp_path / "drive"
    media.mp4(drive / "2024" / "b-roll.mp4")
    media.mp4(drive / "2024" / "raw" / "spot.mp4")
    dialog.search_button.click()
    pick(qtbot, dialog, drive)
    qtbot.waitUntil(lambda: dialog.status.text() == "Every file is picked.", timeout=WAIT_MS)
    assert [item.pick for item in dialog.items] == [str(drive / "2024" / "raw" / "spot.mp4"), str(drive / "2024" / "b-roll.mp4")]
    assert dialog.relink_button.isEnabled()
    dialog.reject()


def test_a_file_that_is_not_media_is_refused_and_nothing_changes(qtbot, creative, ctx, offline, tmp_path):
    dialog = creative.viewer.open_relink()
    junk = tmp_path / "junk" / "spot.mp4"
    junk.parent.mkdir()
    junk.write_text("not a video")
    dialog.choose_buttons[0].click()
    pick(qtbot, dialog, junk)
    top, assets_before = ctx.lib.undo.undo_label(), len(list_assets(ctx.lib))
    dialog.relink_button.click()
    qtbot.waitUntil(lambda: "could not be imported" in dialog.items[0].error, timeout=WAIT_MS)
    assert dialog.isVisible() and dialog.status.text() == "Some files could not be relinked: see the rows in red."
    label = dialog.table.cellWidget(0, 2).label
    assert label.text().startswith("spot.mp4: it could not be imported (") and label.property("state") == "bad"
    assert load_composition(ctx.lib, creative.controller.composition_id) == offline
    assert (ctx.lib.undo.undo_label(), len(list_assets(ctx.lib))) == (top, assets_before)
    dialog.reject()


def test_the_timeline_asks_to_relink_one_clip(qtbot, creative, ctx, offline):
    broll = offline.tracks[0].clips[1]
    creative.timeline.relink_requested.emit(broll.id)
    dialog = creative.viewer.relink_dialog
    assert dialog.isVisible() and rows(dialog) == ["spot.mp4", "b-roll.mp4"]
    assert dialog.table.selectionModel().selectedRows()[0].row() == 1
    dialog.reject()
    # an online clip can be pointed at another file too
    still = offline.tracks[0].clips[2]
    creative.timeline.relink_requested.emit(still.id)
    dialog = creative.viewer.relink_dialog
    assert rows(dialog) == ["spot.mp4", "b-roll.mp4", "still.jpg"] and dialog.table.currentRow() == 2
    assert dialog.items[2].reason == "not offline: pick a file to use instead"
    dialog.reject()
