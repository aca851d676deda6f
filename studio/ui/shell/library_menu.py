"""File-menu actions on the library itself: back it up, show its folder, open another one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog

from studio.ui.bridge import when_finished
from studio.ui.review.export_dialog import ReviewExportDialog
from studio.ui.review.import_reply import choose_and_import
from studio.ui.review.review_window import open_review


def _backup(dest: Path, _state, lib):
    return lib.backup(dest)


class LibraryMenu(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.backup_action = QAction("Back Up Library…", window, triggered=self.back_up)
        self.backup_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.show_action = QAction("Show Library Folder", window, triggered=self.show_folder)
        self.open_action = QAction("Open Library…", window, triggered=self.choose_library)
        self.open_action.setShortcut(QKeySequence.Open)
        self.export_review_action = QAction("Export Review Bundle…", window, triggered=lambda: ReviewExportDialog(self.ctx, parent=window).show())
        self.open_review_action = QAction("Open Review Bundle…", window, triggered=self.choose_review_bundle)
        self.import_reply_action = QAction("Import Review Reply…", window, triggered=lambda: choose_and_import(self.ctx, window))
        self.review_separator = QAction(window, separator=True)
        for action in (self.open_action, self.backup_action, self.show_action):
            action.setProperty("group", "Library")
            window.addAction(action)

    def actions(self) -> list[QAction]:
        return [self.open_action, self.show_action, self.backup_action, self.review_separator,
                self.export_review_action, self.open_review_action, self.import_reply_action]

    def choose_review_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a review bundle", str(Path.home()), "Review bundle (*.zip);;All files (*)")
        if path:
            open_review(self.ctx, path, self.window)

    def back_up(self) -> None:
        suggested = Path.home() / f"{self.ctx.lib.root.name}-{datetime.now():%Y%m%d-%H%M}.db"
        dest, _ = QFileDialog.getSaveFileName(self.window, "Back up the library", str(suggested), "Library backup (*.db)")
        if dest:
            self.start_backup(Path(dest))

    def start_backup(self, dest: Path):
        """A consistent copy of library.db, written on the database lane while work goes on."""
        job = self.ctx.submit(_backup, dest, title="Back up the library", lane="db", lib=self.ctx.lib)
        when_finished(self.ctx.bus, job, self._on_backup_finished, owner=self)
        return job

    def _on_backup_finished(self, job) -> None:
        if job.status == "done":
            self.ctx.notify(f"Library backed up to {job.result}")

    def show_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.lib.root)))

    def choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Open a library folder (or an empty folder for a new library)")
        if folder:
            self.switch_to(Path(folder))

    def switch_to(self, folder: Path) -> None:
        """One studio holds one library: this window closes and a new one opens on the other."""
        if folder.resolve() == self.ctx.lib.root:
            return
        self.ctx.next_library = folder
        self.window.close()
