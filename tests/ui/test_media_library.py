"""The Media library workspace, driven as a user would: drops, filters, the details panel,
the keyboard and the context menu, on a real library with real media files."""

from __future__ import annotations

import json
import warnings

from PySide6.QtCore import QItemSelectionModel, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QToolButton

from studio.core.ops import assets as asset_ops
from studio.core.ops import organize
from studio.core.queries import get_asset, list_assets
from studio.ui.widgets.thumbnail_grid import GridRole
from studio.ui.workspaces.media.dialogs import ImportReportDialog
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.workspaces.media.view import EMPTY_LIBRARY
from tests.ui.media_fixtures import ctx, media_files  # noqa: F401 - fixtures
from tests.ui.media_fixtures import WAIT_MS, import_now, make_jpeg, make_truncated_jpeg, names, open_view, reload


def select_names(view, *wanted: str) -> None:
    sel = view.grid.selectionModel()
    sel.clearSelection()
    for row in range(view.model.rowCount()):
        if view.model.asset(row).name in wanted:
            sel.select(view.model.index(row), QItemSelectionModel.Select)
    assert sorted(a.name for a in view.selected_assets()) == sorted(wanted)


def visible_chips(view) -> list[QToolButton]:
    return [w for w in view.details.findChildren(QToolButton, "tagChip") if w.isVisible()]


def file_drop(paths, kind=QDropEvent):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    if kind is QDragEnterEvent:
        with warnings.catch_warnings():  # PySide marks Qt's only constructor deprecated
            warnings.simplefilter("ignore", DeprecationWarning)
            return QDragEnterEvent(QPoint(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier), mime
    return QDropEvent(QPointF(40, 40), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier), mime


def test_empty_library_says_what_to_do(qtbot, ctx):
    view = open_view(qtbot, ctx)
    assert view.model.rowCount() == 0 and view.model.library_empty
    assert view.grid._empty_text == EMPTY_LIBRARY


def test_drop_imports_good_files_and_reports_bad_ones(qtbot, ctx, media_files, tmp_path):
    import_now(ctx, [media_files["landscape"]])  # already in the library before the drop
    folder = media_files["landscape"].parent
    make_truncated_jpeg(folder / "broken.jpg")
    (folder / "readme.txt").write_text("not a picture")
    view = open_view(qtbot, ctx)
    notes = []
    ctx.bus.notification.connect(lambda level, text: notes.append((level, text)))

    enter, _mime = file_drop([folder], QDragEnterEvent)
    QApplication.sendEvent(view.grid.viewport(), enter)
    assert enter.isAccepted()
    drop, _mime = file_drop([folder])
    QApplication.sendEvent(view.grid.viewport(), drop)
    assert drop.isAccepted()

    qtbot.waitUntil(lambda: view.actions.last_report is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view.model.rowCount() == 5, timeout=WAIT_MS)
    assert names(view) == ["beach landscape.jpg", "bottle cutout.png", "jingle.wav", "model portrait.jpg", "spot.mp4"]
    assert ("warning", "Imported 4, skipped 3") in notes
    [dialog] = view.findChildren(ImportReportDialog)
    reasons = dialog.reasons()
    assert set(reasons) == {"beach landscape.jpg", "broken.jpg", "readme.txt"}
    assert reasons["beach landscape.jpg"].startswith("already in the library")
    assert "cannot be read" in reasons["broken.jpg"] or "truncated" in reasons["broken.jpg"]
    assert "image, video or audio" in reasons["readme.txt"]


def test_import_shows_progress_and_can_be_cancelled(qtbot, ctx, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    files = [make_jpeg(folder / f"still {i:03d}.jpg", (32, 24), seed=i) for i in range(120)]
    view = open_view(qtbot, ctx)
    view.actions.start_import([str(folder)])
    qtbot.waitUntil(view.import_cancel.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(view.import_cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.actions.last_report is not None, timeout=WAIT_MS)
    report = view.actions.last_report
    assert report.cancelled and len(report.imported) < len(files)
    assert not view.import_progress.isVisible()
    qtbot.waitUntil(lambda: view.model.rowCount() == len(report.imported), timeout=WAIT_MS)


def test_grid_filters_by_kind_orientation_tag_text_and_duration(qtbot, ctx, media_files):
    import_now(ctx, media_files.values())
    view = open_view(qtbot, ctx)
    assert view.model.rowCount() == 5
    video_row = next(r for r in range(5) if view.model.asset(r).kind == "video")
    assert view.model.index(video_row).data(GridRole.BADGE) == "0:01"
    assert view.model.index(video_row).data(GridRole.THUMB_PATH).endswith(".jpg")

    view.filters.kind_boxes["video"].setChecked(True)
    reload(qtbot, view)
    assert names(view) == ["spot.mp4"]
    view.filters.kind_boxes["video"].setChecked(False)

    view.filters.orientation.setCurrentIndex(view.filters.orientation.findData("portrait"))
    reload(qtbot, view)
    assert names(view) == ["model portrait.jpg"]
    view.filters.orientation.setCurrentIndex(view.filters.orientation.findData("square"))
    reload(qtbot, view)
    assert names(view) == ["bottle cutout.png"]
    assert view.model.index(0).data(GridRole.CHECKER) is True
    view.filters.orientation.setCurrentIndex(0)

    landscape = next(a for a in list_assets(ctx.lib) if a.name == "beach landscape.jpg")
    reload(qtbot, view, lambda: asset_ops.add_tag(ctx.lib, [landscape.id], "Summer"))
    qtbot.waitUntil(lambda: view.filters.tags.count() == 1, timeout=WAIT_MS)  # the tag list refreshes on its own
    [item] = [view.filters.tags.item(i) for i in range(view.filters.tags.count())]
    assert item.text() == "summer"
    item.setCheckState(Qt.Checked)
    reload(qtbot, view)
    assert names(view) == ["beach landscape.jpg"]
    item.setCheckState(Qt.Unchecked)

    qtbot.keyClicks(view.search, "JINGLE")
    reload(qtbot, view)
    assert names(view) == ["jingle.wav"]
    view.search.setText("summer")  # text search covers tags too
    reload(qtbot, view)
    assert names(view) == ["beach landscape.jpg"]
    view.search.clear()

    view.filters.duration.setValue((0.5, 1.5))
    reload(qtbot, view)
    assert names(view) == ["spot.mp4"]


def test_rename_in_details_panel_then_undo(qtbot, ctx, media_files):
    import_now(ctx, [media_files["landscape"], media_files["portrait"]])
    view = open_view(qtbot, ctx)
    select_names(view, "beach landscape.jpg")
    name_edit = view.details.name
    assert name_edit.text() == "beach landscape.jpg"
    assert view.details.fields["Dimensions"].text() == "96×64"

    def rename():
        name_edit.clear()
        qtbot.keyClicks(name_edit, "Hero shot")
        qtbot.keyClick(name_edit, Qt.Key_Return)

    reload(qtbot, view, rename)
    assert names(view) == ["Hero shot", "model portrait.jpg"]
    assert [a.name for a in view.selected_assets()] == ["Hero shot"]

    reload(qtbot, view, ctx.lib.undo.undo)
    assert names(view) == ["beach landscape.jpg", "model portrait.jpg"]
    assert name_edit.text() == "beach landscape.jpg"


def test_delete_key_trashes_and_trash_view_restores(qtbot, ctx, media_files):
    import_now(ctx, [media_files["landscape"], media_files["video"]])
    view = open_view(qtbot, ctx)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    select_names(view, "spot.mp4")
    view.grid.setFocus()

    # (a reload already under way when the key goes down may land first: wait for the one after it)
    reload(qtbot, view, lambda: qtbot.keyClick(view.grid, Qt.Key_Delete))
    qtbot.waitUntil(lambda: names(view) == ["beach landscape.jpg"], timeout=WAIT_MS)

    reload(qtbot, view, lambda: view.trash_button.setChecked(True))
    qtbot.waitUntil(lambda: names(view) == ["spot.mp4"], timeout=WAIT_MS)
    assert view.count_label.text() == "1 in the Trash"
    assert not view.actions.trash.isEnabled() or not view.selected_ids()
    select_names(view, "spot.mp4")
    assert view.actions.restore.isEnabled()
    reload(qtbot, view, view.actions.restore.trigger)
    assert view.model.rowCount() == 0
    assert view.grid._empty_text == "The Trash is empty"

    reload(qtbot, view, lambda: view.trash_button.setChecked(False))
    assert names(view) == ["beach landscape.jpg", "spot.mp4"]


def test_keyboard_enter_opens_details_and_zoom_keys(qtbot, ctx, media_files):
    import_now(ctx, [media_files["landscape"], media_files["portrait"]])
    view = open_view(qtbot, ctx)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    view.grid.setFocus()
    view.grid.setCurrentIndex(view.model.index(0))
    qtbot.keyClick(view.grid, Qt.Key_Return)
    assert view.details.name.hasFocus()
    assert view.details.name.selectedText() == view.model.asset(0).name

    size = view.grid.cell_size
    qtbot.keyClick(view.grid, Qt.Key_Equal, Qt.ControlModifier)
    assert view.grid.cell_size == size + 32
    qtbot.keyClick(view.grid, Qt.Key_Minus, Qt.ControlModifier)
    qtbot.keyClick(view.grid, Qt.Key_Minus, Qt.ControlModifier)
    assert view.grid.cell_size == size - 32
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key_A, Qt.ControlModifier)
    assert len(view.selected_ids()) == 2


def test_tags_added_and_removed_in_details_panel(qtbot, ctx, media_files):
    import_now(ctx, [media_files["landscape"], media_files["portrait"]])
    view = open_view(qtbot, ctx)
    select_names(view, "beach landscape.jpg", "model portrait.jpg")
    assert view.details.title.text() == "2 assets selected"

    def type_tag():
        qtbot.keyClicks(view.details.tag_input, "Hero")
        qtbot.keyClick(view.details.tag_input, Qt.Key_Return)

    reload(qtbot, view, type_tag)
    assert view.details.chip_texts() == ["hero"]
    assert all(a.tags == ("hero",) for a in view.selected_assets())

    select_names(view, "model portrait.jpg")
    qtbot.waitUntil(lambda: len(visible_chips(view)) == 1)
    [chip] = visible_chips(view)
    reload(qtbot, view, lambda: qtbot.mouseClick(chip, Qt.LeftButton))
    assert view.details.chip_texts() == []
    tags = {view.model.asset(r).name: view.model.asset(r).tags for r in range(2)}
    assert tags == {"beach landscape.jpg": ("hero",), "model portrait.jpg": ()}


def test_notes_typing_is_one_undo_step(qtbot, ctx, media_files):
    [row] = import_now(ctx, [media_files["landscape"]]).imported
    view = open_view(qtbot, ctx)
    select_names(view, "beach landscape.jpg")
    view.details.notes.setFocus()
    qtbot.keyClicks(view.details.notes, "Rights until")
    view.details.flush_notes()
    qtbot.keyClicks(view.details.notes, " June")
    reload(qtbot, view, view.details.flush_notes)
    assert get_asset(ctx.lib, row["id"]).notes == "Rights until June"
    ctx.lib.undo.undo()
    assert get_asset(ctx.lib, row["id"]).notes is None


def test_move_selection_to_campaign_from_context_menu(qtbot, ctx, media_files):
    import_now(ctx, [media_files["landscape"], media_files["portrait"], media_files["video"]])
    client = organize.create_client(ctx.lib, "Acme").value
    brand = organize.create_brand(ctx.lib, client, "Acme Cola").value
    view = open_view(qtbot, ctx)
    reload(qtbot, view, lambda: organize.create_campaign(ctx.lib, brand, "Summer 2025"))
    qtbot.waitUntil(lambda: len(view.campaigns()) == 1)  # a reload already under way may have landed first
    select_names(view, "beach landscape.jpg", "spot.mp4")

    menu = view.actions.context_menu()
    [move] = [a.menu() for a in menu.actions() if a.menu() and a.text() == "Move to campaign"]
    [target] = [a for a in move.actions() if a.text() == "Acme ▸ Acme Cola ▸ Summer 2025"]
    reload(qtbot, view, target.trigger)

    campaign_id = view.campaigns()[0][0]
    view.filters.select_campaign(campaign_id)
    reload(qtbot, view)
    assert names(view) == ["beach landscape.jpg", "spot.mp4"]
    assert view.import_campaign_id() == campaign_id  # imports land in the campaign being viewed
    view.filters.campaign.setCurrentIndex(view.filters.campaign.findData("unassigned"))
    reload(qtbot, view)
    assert names(view) == ["model portrait.jpg"]
    select_names(view, "model portrait.jpg")
    assert view.details.fields["Campaign"].text() == "Unassigned"

    reload(qtbot, view, lambda: ctx.set_campaign(campaign_id))  # picked in the navigator
    assert view.filters.campaign.currentData() == campaign_id
    assert names(view) == ["beach landscape.jpg", "spot.mp4"]
    view.actions.start_import([str(media_files["cutout"])])
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=WAIT_MS)
    assert "bottle cutout.png" in names(view)


def test_grid_is_a_drag_source_of_asset_ids_and_files(qtbot, ctx, media_files):
    [row] = import_now(ctx, [media_files["cutout"]]).imported
    view = open_view(qtbot, ctx)
    mime = view.model.mimeData([view.model.index(0)])
    assert json.loads(bytes(mime.data(ASSET_IDS_MIME)).decode()) == [row["id"]]
    [url] = mime.urls()
    assert url.toLocalFile().endswith(".png")
    enter, _ = file_drop([url.toLocalFile()], QDragEnterEvent)
    enter.mimeData().setData(ASSET_IDS_MIME, mime.data(ASSET_IDS_MIME))
    QApplication.sendEvent(view.grid.viewport(), enter)
    assert not enter.isAccepted()  # our own assets dragged back onto the grid are not re-imported


def test_ten_thousand_assets_without_loading_every_thumbnail(qtbot, ctx):
    with ctx.lib.write("Seed 10,000 assets") as tx:
        for i in range(10_000):
            tx.insert(
                "assets", sha256=f"{i:064x}", kind="video" if i % 10 == 0 else "image", name=f"shot {i:05d}.jpg",
                ext=".jpg", size_bytes=100_000 + i, width=1600, height=1200, orientation="landscape",
                duration=12.0 if i % 10 == 0 else None, thumbnail=f"thumbs/{i % 256:02x}/{i:064x}.jpg",
            )
    view = open_view(qtbot, ctx)
    assert view.model.rowCount() == 10_000
    last = view.model.index(9_999)
    assert last.data(Qt.DisplayRole) == "shot 00000.jpg"
    assert last.data(GridRole.BADGE) == "0:12"
    assert last.data(GridRole.THUMB_PATH).endswith(f"{0:064x}.jpg")
    view.grid.viewport().repaint()
    assert 0 < view.grid.cache.loads_started < 200
    view.grid.scrollToBottom()
    view.grid.viewport().repaint()
    assert view.grid.cache.loads_started < 400
    assert view.count_label.text() == "10,000 assets"
    view.grid.cache.wait_idle()
