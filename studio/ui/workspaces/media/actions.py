"""What the user can do in the media library: QActions, the context menu, the import job,
and the calls into core ops (errors become notifications, never tracebacks)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QFileDialog, QMenu

from studio.core.assets import importer
from studio.core.errors import ConflictError, StudioError
from studio.core.ops import assets as asset_ops
from studio.core.ops.tx import edited_from
from studio.core.queries import all_tags
from studio.ui.widgets.thumbnail_grid import themed_icon
from studio.ui.workspaces.media.dialogs import ImportReportDialog, QuickLookDialog, TagDialog, import_summary

ZOOM_STEP = 32
MEDIA_FILTER = (
    "Media (*.jpg *.jpeg *.png *.webp *.gif *.tif *.tiff *.bmp *.heic *.mp4 *.mov *.m4v *.webm *.mkv *.avi"
    " *.mp3 *.wav *.aac *.m4a *.flac *.ogg);;All files (*)"
)


class MediaActions(QObject):
    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.ctx = view.ctx
        self._import_jobs: set[int] = set()
        self.last_report: importer.ImportReport | None = None
        self.icon_names: list[tuple[QAction, str]] = []  # the view tints them for the theme
        grid = view.grid

        def make(text, icon, keys, slot, widget=view, context=Qt.WidgetWithChildrenShortcut):
            action = QAction(text, widget)
            self.icon_names.append((action, icon))
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(context)
            action.triggered.connect(slot)
            widget.addAction(action)
            return action

        self.import_files = make("Import files…", "mdi6.file-import-outline", ["Ctrl+I"], self.on_import_files)
        self.import_folder = make("Import folder…", "mdi6.folder-download-outline", ["Ctrl+Shift+I"], self.on_import_folder)
        zoom_in, zoom_out = lambda: view.zoom_by(ZOOM_STEP), lambda: view.zoom_by(-ZOOM_STEP)
        self.zoom_in = make("Larger thumbnails", "mdi6.magnify-plus-outline", ["Ctrl+=", "Ctrl++"], zoom_in)
        self.zoom_out = make("Smaller thumbnails", "mdi6.magnify-minus-outline", ["Ctrl+-"], zoom_out)
        self.find = make("Search", "mdi6.magnify", ["Ctrl+F"], view.focus_search)
        grid_only = dict(widget=grid, context=Qt.WidgetShortcut)
        self.trash = make("Move to Trash", "mdi6.trash-can-outline", [QKeySequence.Delete, "Backspace"], self.on_trash, **grid_only)
        self.restore = make("Restore", "mdi6.restore", ["Ctrl+Shift+R"], self.on_restore, **grid_only)
        self.add_tag = make("Add tag…", "mdi6.tag-plus-outline", ["Ctrl+T"], self.on_add_tag, **grid_only)
        self.quick_look = make("Quick look", "mdi6.eye-outline", ["Space"], self.on_quick_look, **grid_only)
        self.show_info = make("Show details", "mdi6.information-outline", [], view.details.focus_name, **grid_only)

    def update_enabled(self, selected: int, trashed_view: bool) -> None:
        for action in (self.trash, self.add_tag, self.quick_look, self.show_info):
            action.setEnabled(bool(selected) and not trashed_view)
        self.restore.setEnabled(bool(selected) and trashed_view)

    # ---- ops --------------------------------------------------------------------------------
    def run_op(self, op, *args) -> bool:
        try:
            op(self.ctx.lib, *args)
            return True
        except ConflictError:  # the main window shows what the colleague changed and asks what to keep
            return False
        except StudioError as exc:
            self.ctx.notify(str(exc), "error")
            return False

    def run_edit(self, op, *args) -> bool:
        """An edit typed in the details panel, checked against the row version the panel showed: a
        colleague's save since is not overwritten (the main window asks whose to keep)."""
        with edited_from(self.view.seen):
            return self.run_op(op, *args)

    def on_trash(self) -> None:
        ids = self.view.selected_ids()
        if ids and self.run_op(asset_ops.trash_assets, ids):
            many = len(ids) != 1
            self.ctx.notify(f"Moved {len(ids)} asset{'s' if many else ''} to the Trash (Edit ▸ Undo brings {'them' if many else 'it'} back)")

    def on_restore(self) -> None:
        ids = self.view.selected_ids()
        if ids:
            self.run_op(asset_ops.restore_assets, ids)

    def on_add_tag(self) -> None:
        ids = self.view.selected_ids()
        if not ids:
            return
        dialog = TagDialog(all_tags(self.ctx.lib), len(ids), self.view)
        dialog.tag_chosen.connect(lambda tag: self.run_op(asset_ops.add_tag, ids, tag))
        dialog.open()

    def move_to(self, campaign_id: int | None) -> None:
        ids = self.view.selected_ids()
        if ids:
            self.run_op(asset_ops.move_to_campaign, ids, campaign_id)

    def on_quick_look(self) -> None:
        assets = self.view.selected_assets()
        if not assets:
            return
        a = assets[0]
        if a.kind == "image":
            path = self.ctx.lib.media_path(a.sha256, a.ext)
        else:
            path = self.ctx.lib.root / a.thumbnail if a.thumbnail else None
        if path:
            QuickLookDialog(self.view.preview_cache, str(path), a.name, a.has_alpha, self.view).show()

    def context_menu(self) -> QMenu:
        menu = QMenu(self.view)
        if self.view.showing_trash():
            menu.addAction(self.restore)
            return menu
        menu.addAction(self.quick_look)
        menu.addAction(self.add_tag)
        color = self.view.palette().color(QPalette.ButtonText)
        move = menu.addMenu(themed_icon("mdi6.folder-move-outline", color), "Move to campaign")
        move.setEnabled(bool(self.view.selected_ids()))
        move.addAction("Unassigned", lambda: self.move_to(None))
        move.addSeparator()
        for campaign_id, label in self.view.campaigns():
            move.addAction(label, lambda cid=campaign_id: self.move_to(cid))
        menu.addSeparator()
        menu.addAction(self.trash)
        return menu

    # ---- import -----------------------------------------------------------------------------
    def on_import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.view, "Import files", "", MEDIA_FILTER)
        if paths:
            self.start_import(paths)

    def on_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.view, "Import folder (with its subfolders)")
        if folder:
            self.start_import([folder])

    def start_import(self, paths: list[str]):
        """The import runs as a job (the jobs panel shows it and can cancel it); files are
        prepared in worker processes, rows are written here so the grid updates as it goes."""
        params = importer.ImportParams(str(self.ctx.lib.root), list(paths), self.view.import_campaign_id())
        title = f"Import {len(paths)} item{'s' if len(paths) != 1 else ''}"
        job = self.ctx.submit(importer.run, params, title=title, lane="io", lib=self.ctx.lib, pool=self.ctx.runner.process_pool)
        self._import_jobs.add(job.id)
        return job

    def on_job_changed(self, job) -> None:
        if job.id not in self._import_jobs:
            return
        if not job.finished:
            self.view.show_import_progress(job)
            return
        self._import_jobs.discard(job.id)
        self.view.show_import_progress(None)
        if job.status == "failed":
            self.ctx.notify(f"The import failed: {job.error}", "error")
            return
        report = job.result or importer.ImportReport(cancelled=True)
        self.last_report = report
        level = "warning" if report.skipped else "info"
        self.ctx.notify(import_summary(report), level)
        if report.skipped:
            ImportReportDialog(report, self.view).show()
