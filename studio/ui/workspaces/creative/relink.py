"""Relink offline media: the composition's missing files, one row each (clips that share a file
relink together). Pick the file where it is now, or search a folder for all of them by name;
picking one also finds the others that sit beside it. Relink imports the picked files into the
library (a job in the jobs panel) and points the clips at the new assets: the import and the
relink are one step on the undo stack."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.assets import importer
from studio.core.assets.locate import LocateParams, locate
from studio.core.errors import StudioError
from studio.core.ops.compositions import relink_clips
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import MediaClip
from studio.ui.bridge import when_finished

FOLDER_KEY = "relink/folder"  # where the last file or folder was picked


@dataclass
class Item:
    name: str  # as the timeline shows it
    file_name: str  # the name to look for on disk
    was: str | None  # where the file was
    reason: str
    clip_ids: list[str] = field(default_factory=list)
    pick: str | None = None  # the file chosen for it
    error: str = ""


def offline_items(controller, also: str | None = None) -> list[Item]:
    """The open composition's missing media, one Item per file; `also`: a clip to offer even
    when it is online (to replace its media)."""
    comp = controller.composition
    items: dict[str, Item] = {}
    found = MediaResolver(controller.ctx.lib).missing(comp)
    if also and not any(m["clip_id"] == also for m in found):
        _track, clip = comp.find_clip(also)
        if isinstance(clip, MediaClip):
            found.append({"clip_id": clip.id, "name": clip.name or "clip", "path": None, "reason": "not offline: pick a file to use instead"})
    for missing in found:
        _track, clip = comp.find_clip(missing["clip_id"])
        key = missing["path"] or f"{missing['name']}:{clip.asset_id}"
        if key not in items:
            items[key] = _item(controller, clip, missing)
        items[key].clip_ids.append(clip.id)
    return list(items.values())


def _item(controller, clip: MediaClip, missing: dict) -> Item:
    """A library file is named by its hash: show and look for the file it was imported from."""
    asset = controller.asset(clip.asset_id)
    was = asset.source_path if asset is not None and asset.source_path else missing["path"]
    file_name = Path(was).name if was else (asset.name if asset is not None else missing["name"])
    return Item(missing["name"], file_name, was, missing["reason"])


class RelinkDialog(QDialog):
    relinked = Signal(int)  # how many clips were relinked

    def __init__(self, ctx, controller, clip_id: str | None = None, parent=None):
        super().__init__(parent)
        self.ctx, self.controller = ctx, controller
        self.comp_id = controller.composition_id
        self.items = offline_items(controller, clip_id)
        self.file_dialog: QFileDialog | None = None
        self.setWindowTitle("Relink media")
        self.resize(760, 380)
        count = len(self.items)
        self.heading = QLabel(wordWrap=True)
        self.heading.setText(
            f"{count} file{'s are' if count != 1 else ' is'} offline in {controller.composition.name}. Pick where each one is now, "
            "or search a folder for them by name." if count else
            f"Nothing is offline in {controller.composition.name}: every clip's media is where it should be.")
        self.table = QTableWidget(count, 3)
        self.table.setHorizontalHeaderLabels(["Media", "Problem", "New file"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setTextElideMode(Qt.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.choose_buttons: list[QPushButton] = []
        for row in range(count):
            self._fill_row(row)
        self.table.setVisible(bool(count))
        self.status = QLabel(objectName="Muted", wordWrap=True)
        self.search_button = QPushButton("Search folder…", toolTip="Look in a folder and its subfolders for every offline file by name")
        self.search_button.clicked.connect(self.choose_folder)
        self.relink_button = QPushButton("Relink", enabled=False)
        self.relink_button.setProperty("primary", True)
        self.relink_button.clicked.connect(self.apply)
        self.close_button = QPushButton("Cancel" if count else "Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.relink_button)
        self.search_button.setVisible(bool(count))
        self.relink_button.setVisible(bool(count))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.focus_clip(clip_id)

    # ---- the table --------------------------------------------------------------------------
    def _fill_row(self, row: int) -> None:
        item = self.items[row]
        clips = len(item.clip_ids)
        name = item.name if item.name == item.file_name else f"{item.name} ({item.file_name})"
        media = QTableWidgetItem(name + (f", {clips} clips" if clips > 1 else ""))
        media.setToolTip(item.reason)
        problem = item.reason[0].upper() + item.reason[1:]
        was = QTableWidgetItem(f"{problem} — was {item.was}" if item.was else problem)
        was.setToolTip(was.text())
        self.table.setItem(row, 0, media)
        self.table.setItem(row, 1, was)
        cell = QWidget()
        box = QHBoxLayout(cell)
        box.setContentsMargins(4, 0, 4, 0)
        label = QLabel(objectName="Muted")
        button = QPushButton("Choose…", toolTip=f"Pick the file to use for {item.name}")
        button.clicked.connect(lambda _=False, it=item: self.choose_file(self.items.index(it)))
        box.addWidget(label, 1)
        box.addWidget(button)
        cell.label = label
        self.table.setCellWidget(row, 2, cell)
        self.choose_buttons.append(button)
        self._show_pick(row)

    def _show_pick(self, row: int) -> None:
        item = self.items[row]
        label = self.table.cellWidget(row, 2).label
        if item.error:
            label.setText(f"{Path(item.pick).name if item.pick else ''}: {item.error}".lstrip(": "))
            label.setProperty("state", "bad")
        else:
            label.setText(item.pick or "Not found yet")
            label.setProperty("state", "ok" if item.pick else "")
        label.setToolTip(item.pick or "")
        label.style().polish(label)

    def focus_clip(self, clip_id: str | None) -> None:
        row = next((r for r, item in enumerate(self.items) if clip_id in item.clip_ids), None)
        if row is not None:
            self.table.selectRow(row)

    def set_pick(self, row: int, path: str) -> None:
        """Use path for row; offline files that sit beside it are picked too."""
        path = str(Path(path).expanduser().absolute())
        QSettings().setValue(FOLDER_KEY, str(Path(path).parent))
        self.items[row].pick, self.items[row].error = path, ""
        for other in self.items:
            beside = Path(path).parent / other.file_name
            if other.pick is None and beside.is_file():
                other.pick = str(beside)
        self._picks_changed()

    def _picks_changed(self) -> None:
        for row in range(len(self.items)):
            self._show_pick(row)
        picked = sum(1 for item in self.items if item.pick)
        self.relink_button.setEnabled(picked > 0)
        self.status.setText(f"{picked} of {len(self.items)} files picked." if picked < len(self.items) else "Every file is picked.")

    # ---- picking ----------------------------------------------------------------------------
    def _start_folder(self, item: Item | None = None) -> str:
        if item is not None and item.was and Path(item.was).parent.is_dir():
            return str(Path(item.was).parent)
        return QSettings().value(FOLDER_KEY, str(Path.home()))

    def choose_file(self, row: int) -> None:
        item = self.items[row]
        dialog = QFileDialog(self, f"Where is {item.file_name} now?", self._start_folder(item))
        dialog.setFileMode(QFileDialog.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.set_pick(row, path))
        self.file_dialog = dialog
        dialog.open()

    def choose_folder(self) -> None:
        dialog = QFileDialog(self, "Search which folder for the offline files?", self._start_folder())
        dialog.setFileMode(QFileDialog.Directory)
        dialog.setOption(QFileDialog.ShowDirsOnly)
        dialog.fileSelected.connect(self.search)
        self.file_dialog = dialog
        dialog.open()

    def search(self, folder: str) -> None:
        """Look for every file not yet picked in folder and below (a job: big folders take time)."""
        QSettings().setValue(FOLDER_KEY, folder)
        names = [item.file_name for item in self.items if item.pick is None]
        if not names:
            return
        job = self.ctx.submit(locate, LocateParams(folder, names), title=f"Search {Path(folder).name or folder} for offline media", lane="io")
        self._set_busy(f"Searching {folder}…")
        when_finished(self.ctx.bus, job, lambda j: self._on_searched(j, folder), owner=self)

    def _on_searched(self, job, folder: str) -> None:
        self._set_busy(None)
        if job.status != "done":
            self.status.setText(job.error or "The search was cancelled.")
            return
        for item in self.items:
            if item.pick is None and item.file_name in job.result:
                item.pick, item.error = job.result[item.file_name], ""
        self._picks_changed()
        if not job.result:
            self.status.setText(f"None of the offline files are in {folder} or its subfolders. Try another folder, or pick the files one by one.")

    def _set_busy(self, text: str | None) -> None:
        for w in (self.search_button, self.relink_button, *self.choose_buttons):
            w.setEnabled(text is None)
        if text is None:
            self.relink_button.setEnabled(any(item.pick for item in self.items))
        else:
            self.status.setText(text)

    # ---- relinking --------------------------------------------------------------------------
    def apply(self) -> None:
        """Import the picked files (a job), then point the clips at them: one undoable step."""
        picked = [item for item in self.items if item.pick]
        for item in picked:
            if not Path(item.pick).is_file():
                item.error = "the file is not there any more; pick it again"
        self._picks_changed()
        picked = [item for item in picked if not item.error]
        if not picked:
            return
        merge_key = f"relink:{uuid.uuid4().hex}"
        paths = sorted({item.pick for item in picked})
        params = importer.ImportParams(str(self.ctx.lib.root), paths, self.ctx.current_campaign_id, merge_key=merge_key)
        job = self.ctx.submit(importer.run, params, title=f"Import {len(paths)} relinked file{'s' if len(paths) != 1 else ''}",
                              lane="io", lib=self.ctx.lib, pool=self.ctx.runner.process_pool)
        self._set_busy("Importing the picked files into the library…")
        when_finished(self.ctx.bus, job, lambda j: self._on_imported(j, picked, merge_key), owner=self)

    def _on_imported(self, job, picked: list[Item], merge_key: str) -> None:
        self._set_busy(None)
        if job.status != "done":
            self.status.setText(f"{job.error} Nothing was relinked." if job.error else "The import was cancelled; nothing was relinked.")
            return
        report = job.result
        assets = {row["source_path"]: row["id"] for row in report.imported}
        assets.update({s["path"]: s["asset_id"] for s in report.skipped if s.get("asset_id")})  # already in the library
        reasons = {s["path"]: s["reason"] for s in report.skipped}
        links = {}
        for item in picked:
            if item.pick in assets:
                links.update({clip_id: assets[item.pick] for clip_id in item.clip_ids})
            else:
                item.error = f"it could not be imported ({reasons.get(item.pick, 'skipped')})"
        if links:
            try:
                relink_clips(self.ctx.lib, self.comp_id, links, merge_key=merge_key)
            except StudioError as exc:
                self.status.setText(str(exc))
                return
            self.ctx.notify(f"Relinked {len(links)} clip{'s' if len(links) != 1 else ''} (Edit ▸ Undo takes it back)")
            self.relinked.emit(len(links))
        self._drop_rows(lambda item: item in picked and not item.error)
        if not self.items:
            self.accept()
        else:
            self.status.setText("Some files could not be relinked: see the rows in red.")

    def _drop_rows(self, done) -> None:
        for row in reversed(range(len(self.items))):
            if done(self.items[row]):
                del self.items[row]
                del self.choose_buttons[row]
                self.table.removeRow(row)
        self._picks_changed()
