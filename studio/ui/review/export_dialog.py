"""The sender's side: choose the briefs and assets to send for review and where the bundle goes;
the bundle (review proxies of the assets, so it can be emailed) is made as a job in a worker
process, with progress and Cancel here and in the jobs panel."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from studio.core.briefs.sections import list_briefs
from studio.core.jobs import Job
from studio.core.queries import list_assets
from studio.core.review import ExportParams, export_job
from studio.ui.bridge import when_finished
from studio.ui.shell.theme import theme

FOLDER_KEY = "review/export_folder"
ID_ROLE = Qt.UserRole + 1


def _file_stem(title: str) -> str:
    return re.sub(r"[^\w\- ]+", "", title).strip() or "Review"


def _checked(items: QListWidget) -> list[int]:
    return [items.item(n).data(ID_ROLE) for n in range(items.count()) if items.item(n).checkState() == Qt.Checked]


class ReviewExportDialog(QDialog):
    def __init__(self, ctx, brief_ids=(), parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.job: Job | None = None
        self.setWindowTitle("Export review bundle")
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.briefs = QListWidget(accessibleName="Briefs to send")
        chosen = set(brief_ids)
        for b in list_briefs(ctx.lib):
            item = QListWidgetItem(f"{b.title} — {b.brand}" + (f" · {b.campaign}" if b.campaign else ""))
            item.setData(ID_ROLE, b.id)
            item.setCheckState(Qt.Checked if b.id in chosen else Qt.Unchecked)
            self.briefs.addItem(item)
        self.assets = QListWidget(accessibleName="Assets to send")
        for a in list_assets(ctx.lib):
            icon = QIcon(a.thumbnail) if a.thumbnail else theme().icon("mdi6.file-outline")
            item = QListWidgetItem(icon, f"{a.name}  ({a.kind})")
            item.setData(ID_ROLE, a.id)
            item.setCheckState(Qt.Unchecked)
            self.assets.addItem(item)
        self.briefs.itemChanged.connect(lambda _i: self._update())
        titles = [self.briefs.item(n).text().split(" — ")[0] for n in range(self.briefs.count()) if self.briefs.item(n).data(ID_ROLE) in chosen]
        folder = Path(str(QSettings().value(FOLDER_KEY, "") or Path.home()))
        self.path = QLineEdit(str(folder / f"{_file_stem(titles[0]) if titles else 'Review'} review.zip"), accessibleName="Bundle file")
        self.path.textChanged.connect(lambda _t: self._update())
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose)
        self.progress = QProgressBar(visible=False)
        self.status = QLabel(objectName="Muted", wordWrap=True, textFormat=Qt.PlainText)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.export_button.clicked.connect(self.export)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.cancel_button.clicked.connect(self._on_cancel)

        grid = QGridLayout()
        grid.addWidget(QLabel("Briefs"), 0, 0)
        grid.addWidget(QLabel("Assets (sent as small review copies)"), 0, 1)
        grid.addWidget(self.briefs, 1, 0)
        grid.addWidget(self.assets, 1, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Save to"))
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(760, 480)
        ctx.bus.job_changed.connect(self._on_bus_job_changed)
        self._update()

    def check(self, brief_ids=(), asset_ids=()) -> None:
        """Tick these briefs and assets (as a user would in the lists)."""
        for items, ids in ((self.briefs, set(brief_ids)), (self.assets, set(asset_ids))):
            for n in range(items.count()):
                if items.item(n).data(ID_ROLE) in ids:
                    items.item(n).setCheckState(Qt.Checked)

    def _choose(self) -> None:
        dest, _ = QFileDialog.getSaveFileName(self, "Save the review bundle", self.path.text(), "Review bundle (*.zip)")
        if dest:
            self.path.setText(dest)

    def _update(self) -> None:
        idle = self.job is None
        self.export_button.setEnabled(idle and bool(_checked(self.briefs)) and bool(self.path.text().strip()))
        self.briefs.setEnabled(idle)
        self.assets.setEnabled(idle)
        if idle and not _checked(self.briefs):
            self.status.setText("Tick at least one brief to send; assets are optional.")

    def export(self) -> Job | None:
        if self.job is not None or not _checked(self.briefs):
            return None
        out = Path(self.path.text().strip()).expanduser()
        if out.suffix.lower() != ".zip":
            out = out.with_name(out.name + ".zip")
        QSettings().setValue(FOLDER_KEY, str(out.parent))
        params = ExportParams(str(self.ctx.lib.root), _checked(self.briefs), _checked(self.assets), str(out))
        self.job = self.ctx.submit(export_job, params, title=f"Export review bundle {out.name}", lane="cpu")
        self.status.setStyleSheet("")
        self.status.setText("Making the review copies…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self._update()
        when_finished(self.ctx.bus, self.job, self._on_finished, owner=self)
        return self.job

    def _on_bus_job_changed(self, job: Job) -> None:
        if job is self.job and job.state.progress is not None:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(job.state.progress * 1000))
            if job.state.status:
                self.status.setText(job.state.status)

    def _on_cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def _on_finished(self, job: Job) -> None:
        self.job = None
        self.progress.hide()
        if job.status == "done":
            r = job.result
            self.ctx.notify(f"Review bundle saved to {r['path']}: {r['briefs']} brief{'s' * (r['briefs'] != 1)}, "
                            f"{r['assets']} asset{'s' * (r['assets'] != 1)}, {r['size_bytes'] / 1e6:.1f} MB.")
            self.accept()
            return
        colour = theme().colors.muted if job.status == "cancelled" else theme().colors.danger
        self.status.setStyleSheet(f"color: {colour}")
        self.status.setText("Cancelled; no bundle was written." if job.status == "cancelled" else job.error)
        self._update()
