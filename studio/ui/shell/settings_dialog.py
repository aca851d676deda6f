"""Settings (Ctrl+,): Appearance, Preview & render, Accounts & keys and AI, pages picked from a list on the left."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from studio.ui.shell import render_settings as rs
from studio.ui.shell.accounts import AccountsPage
from studio.ui.shell.ai_settings import AIPage
from studio.ui.shell.theme import CHOICES, theme


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


class RenderPage(QWidget):
    """Which compositing backend the viewer and renders use, and whether a GPU is there."""

    def __init__(self, parent=None):
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
        self.preview_render = RenderPage()
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
