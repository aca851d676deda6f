"""Settings (Ctrl+,): Appearance, Preview & render (with the render cluster), Accounts & keys and AI, pages picked from a list on the left."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.core.changes import login_name, set_user_name
from studio.ui.bridge import when_finished
from studio.ui.shell import render_settings as rs
from studio.ui.shell.accounts import AccountsPage
from studio.ui.shell.ai_settings import AIPage
from studio.ui.shell.theme import CHOICES, theme

USER_NAME_KEY = "team/user_name"  # QSettings: this person's name in a team library


def apply_user_name() -> None:
    """Use the saved name (empty: the login name) for this process and the jobs it starts."""
    set_user_name(str(QSettings().value(USER_NAME_KEY, "") or ""))


class AppearancePage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.theme_combo = QComboBox()
        for choice in CHOICES:
            self.theme_combo.addItem({"system": "System (follow the OS)"}.get(choice, choice.title()), choice)
        self.theme_combo.setCurrentIndex(CHOICES.index(theme().choice))
        self.theme_combo.currentIndexChanged.connect(lambda i: theme().set_choice(self.theme_combo.itemData(i)))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setSpacing(12)
        form.addRow("Theme", self.theme_combo)
        note = QLabel("The dark theme is tuned for judging images and video.", objectName="Muted", wordWrap=True)
        form.addRow("", note)
        self.user_name = QLineEdit(str(QSettings().value(USER_NAME_KEY, "") or ""), placeholderText=login_name(), maxLength=200)
        self.user_name.editingFinished.connect(self._on_user_name_edited)
        form.addRow("Your name", self.user_name)
        form.addRow("", QLabel("Your name in the team library: the audit trail, colleagues' \"Changes from …\" notes and "
                               "conflict messages show it (empty: your login name). Your undo history goes with the name.",
                               objectName="Muted", wordWrap=True))

    def _on_user_name_edited(self) -> None:
        QSettings().setValue(USER_NAME_KEY, self.user_name.text().strip())
        apply_user_name()


class ClusterGroup(QGroupBox):
    """Where renditions and Kata batches run: this computer's worker processes or a Dask scheduler,
    with a Test that connects as a job and says what it found."""

    def __init__(self, ctx, parent=None):
        super().__init__("Render cluster", parent)
        self.ctx = ctx
        prefs = rs.render_settings()
        self.here_radio = QRadioButton("This computer's worker processes")
        self.scheduler_radio = QRadioButton("A Dask scheduler at")
        (self.scheduler_radio if prefs.uses_scheduler() else self.here_radio).setChecked(True)
        self.address = QLineEdit(prefs.scheduler_address(), placeholderText="tcp://render-host:8786")
        self.test_button = QPushButton("Test")
        self.result = QLabel(objectName="Muted", wordWrap=True)
        self.test_job = None
        scheduler_row = QHBoxLayout()
        scheduler_row.addWidget(self.scheduler_radio)
        scheduler_row.addWidget(self.address, 1)
        scheduler_row.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.here_radio)
        layout.addLayout(scheduler_row)
        layout.addWidget(self.result)
        layout.addWidget(QLabel("Export packages and Kata batches run there. Every worker must reach the library folder "
                                "at the same path (a shared store); \"local\" starts a cluster of worker processes here.",
                                objectName="Muted", wordWrap=True))
        self.scheduler_radio.toggled.connect(self._on_choice_changed)
        self.address.textChanged.connect(self._on_choice_changed)
        self.test_button.clicked.connect(self.test)
        self._on_choice_changed()

    def _on_choice_changed(self, *_) -> None:
        rs.render_settings().set_cluster(self.scheduler_radio.isChecked(), self.address.text())
        self.address.setEnabled(self.scheduler_radio.isChecked())
        self.test_button.setEnabled(self.scheduler_radio.isChecked() and bool(self.address.text().strip())
                                    and (self.test_job is None or self.test_job.finished))

    def test(self):
        """Connect to the scheduler as a job; the label says what it has, or why not. Returns the job."""
        # imported here: Dask takes half a second to import, which the studio's start should not pay
        from studio.core.cluster import check_cluster

        address = self.address.text().strip()
        self.result.setText(f"Connecting to {address}…")
        self.test_job = job = self.ctx.submit(check_cluster, address, title=f"Test render cluster {address}", lane="io")
        self.test_button.setEnabled(False)
        when_finished(self.ctx.bus, job, self._on_test_finished, owner=self)
        return job

    def _on_test_finished(self, job) -> None:
        if job.status == "done":
            found = job.result
            self.result.setText(f"Found {found['workers']} worker(s) with {found['threads']} thread(s) in all at {found['address']}.")
        else:
            self.result.setText(job.error or "The test was cancelled.")
        self._on_choice_changed()


class RenderPage(QWidget):
    """Which compositing backend the viewer and renders use, whether a GPU is there, and the render cluster."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        prefs = rs.render_settings()
        self.backend_combo = QComboBox()
        for key, label in rs.CHOICES.items():
            self.backend_combo.addItem(label, key)
        self.backend_combo.setCurrentIndex(self.backend_combo.findData(prefs.backend()))
        self.backend_combo.currentIndexChanged.connect(lambda i: prefs.set_backend(self.backend_combo.itemData(i)))
        self.gpu_label = QLabel("GPU: checking…", wordWrap=True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setSpacing(12)
        form.addRow("Compositing", self.backend_combo)
        form.addRow("", self.gpu_label)
        note = QLabel("Used by the viewer (it switches at once) and by renders started from the studio. "
                      "When the GPU is chosen but not there, compositing runs on the CPU and the studio says so once.",
                      objectName="Muted", wordWrap=True)
        form.addRow("", note)
        self.cluster = ClusterGroup(ctx)
        form.addRow(self.cluster)
        prefs.gpu_checked.connect(self._on_gpu_checked)
        prefs.check_gpu()

    def _on_gpu_checked(self, available: bool, words: str) -> None:
        self.gpu_label.setText(f"GPU: {words}")
        self.gpu_label.setProperty("state", "ok" if available else "busy")  # no GPU is normal, not an error
        self.gpu_label.style().polish(self.gpu_label)


class SettingsDialog(QDialog):
    PAGES = ("Appearance", "Preview & render", "Accounts & keys", "AI")

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(760, 560)
        self.nav = QListWidget(objectName="SettingsNav")
        self.nav.setFixedWidth(180)
        icons = ("mdi6.palette-outline", "mdi6.movie-cog-outline", "mdi6.key-variant", "mdi6.creation-outline")
        for title, icon in zip(self.PAGES, icons):
            self.nav.addItem(title)
            self.nav.item(self.nav.count() - 1).setIcon(theme().icon(icon))
        self.appearance = AppearancePage()
        self.preview_render = RenderPage(ctx)
        self.accounts = AccountsPage(ctx)
        self.ai = AIPage(ctx)
        self.pages = QStackedWidget()
        for title, page in zip(self.PAGES, (self.appearance, self.preview_render, self.accounts, self.ai)):
            self.pages.addWidget(self._page(title, page))
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)
        close = QDialogButtonBox(QDialogButtonBox.Close, rejected=self.reject)
        right = QVBoxLayout()
        right.setContentsMargins(20, 16, 20, 16)
        right.addWidget(self.pages, 1)
        right.addWidget(close)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addLayout(right, 1)

    def show_page(self, title: str) -> None:
        self.nav.setCurrentRow(self.PAGES.index(title))

    @staticmethod
    def _page(title: str, body: QWidget) -> QWidget:
        heading = QLabel(title, objectName="EmptyTitle")
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.NoFrame)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        return page
