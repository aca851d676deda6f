"""Light and dark themes on the Fusion style: one palette, one accent, one stylesheet.

"system" follows the OS (QStyleHints.colorScheme) and switches when the OS does; when the
platform cannot tell, the dark theme wins: it is the one tuned for judging images and video.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

import qtawesome as qta
from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from studio.core.paths import APP_NAME

ACCENT = "#6E6AF6"  # the studio's one accent colour
CHOICES = ("system", "light", "dark")


@dataclass(frozen=True)
class Colors:
    name: str
    window: str  # app chrome
    panel: str  # side panels, docks
    base: str  # lists, editors, canvases
    raised: str  # buttons, hovered rows
    border: str
    text: str
    muted: str
    danger: str = "#F0616D"
    success: str = "#3DD68C"
    warning: str = "#F5B544"
    accent: str = ACCENT


DARK = Colors("dark", "#1B1C1F", "#222327", "#17181A", "#2C2D32", "#34363C", "#E8E8EB", "#9A9CA5")
LIGHT = Colors("light", "#ECEDF0", "#F6F6F8", "#FFFFFF", "#E4E5E9", "#D5D7DC", "#1D1E22", "#6A6D76")


def _palette(c: Colors) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.Window: c.window, QPalette.WindowText: c.text, QPalette.Base: c.base,
        QPalette.AlternateBase: c.panel, QPalette.ToolTipBase: c.raised, QPalette.ToolTipText: c.text,
        QPalette.PlaceholderText: c.muted, QPalette.Text: c.text, QPalette.Button: c.raised,
        QPalette.ButtonText: c.text, QPalette.BrightText: "#FFFFFF", QPalette.Highlight: c.accent,
        QPalette.HighlightedText: "#FFFFFF", QPalette.Link: c.accent, QPalette.Light: c.raised,
        QPalette.Midlight: c.border, QPalette.Mid: c.border, QPalette.Dark: c.base, QPalette.Shadow: "#000000",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, QColor(c.muted))
    return p


_SVG = {
    "check": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M3.5 8.5l3 3 6-7" '
    'fill="none" stroke="{colour}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>',
    "chevron": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M4 6l4 4 4-4" '
    'fill="none" stroke="{colour}" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>',
}


def _stylesheet_icons(c: Colors) -> dict[str, str]:
    """Stylesheets take images by path: small SVGs written once to the cache folder."""
    folder = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "theme"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, svg in _SVG.items():
        colour = "#FFFFFF" if name == "check" else c.muted
        path = folder / f"{name}-{colour.lstrip('#')}.svg"
        if not path.exists():
            path.write_text(svg.replace("{colour}", colour))
        paths[name] = path.as_posix()
    return paths


def _stylesheet(c: Colors) -> str:
    icons = _stylesheet_icons(c)
    return f"""
    QWidget {{ font-size: 13px; }}
    QMainWindow::separator {{ background: {c.border}; width: 1px; height: 1px; }}
    QToolTip {{ background: {c.raised}; color: {c.text}; border: 1px solid {c.border}; padding: 4px 6px; }}
    QMenuBar {{ background: {c.window}; border-bottom: 1px solid {c.border}; }}
    QMenuBar::item {{ padding: 4px 10px; background: transparent; border-radius: 4px; }}
    QMenuBar::item:selected {{ background: {c.raised}; }}
    QMenu {{ background: {c.panel}; border: 1px solid {c.border}; padding: 4px; }}
    QMenu::item {{ padding: 5px 24px 5px 12px; border-radius: 4px; }}
    QMenu::item:selected {{ background: {c.accent}; color: white; }}
    QMenu::item:disabled {{ color: {c.muted}; }}
    QMenu::separator {{ height: 1px; background: {c.border}; margin: 4px 6px; }}
    QStatusBar {{ background: {c.window}; border-top: 1px solid {c.border}; color: {c.muted}; }}
    QStatusBar::item {{ border: none; }}
    QStatusBar QLabel {{ padding: 0 8px; }}
    QDockWidget {{ titlebar-close-icon: none; }}
    QDockWidget::title {{ background: {c.panel}; padding: 6px 10px; border-bottom: 1px solid {c.border}; }}
    QSplitter::handle {{ background: {c.border}; }}
    QSplitter::handle:horizontal {{ width: 1px; }}
    QSplitter::handle:vertical {{ height: 1px; }}
    QCheckBox::indicator, QTreeView::indicator, QListView::indicator {{ width: 14px; height: 14px;
        border: 1px solid {c.muted}; border-radius: 3px; background: {c.base}; }}
    QCheckBox::indicator:hover {{ border-color: {c.text}; }}
    QCheckBox::indicator:checked, QTreeView::indicator:checked, QListView::indicator:checked {{
        background: {c.accent}; border-color: {c.accent}; image: url({icons["check"]}); }}
    QComboBox::drop-down {{ border: none; width: 22px; }}
    QComboBox::down-arrow {{ image: url({icons["chevron"]}); width: 12px; height: 12px; }}
    QComboBox QAbstractItemView {{ background: {c.panel}; border: 1px solid {c.border}; selection-background-color: {c.accent}; }}
    QToolButton::menu-indicator {{ image: none; width: 0; }}
    QPushButton {{ background: {c.raised}; border: 1px solid {c.border}; border-radius: 6px; padding: 5px 12px; }}
    QPushButton:hover {{ border-color: {c.muted}; }}
    QPushButton:pressed {{ background: {c.border}; }}
    QPushButton:disabled {{ color: {c.muted}; }}
    QPushButton[primary="true"] {{ background: {c.accent}; border-color: {c.accent}; color: white; }}
    QPushButton[danger="true"]:hover {{ border-color: {c.danger}; color: {c.danger}; }}
    QToolButton {{ background: transparent; border: none; border-radius: 6px; padding: 4px; }}
    QToolButton:hover {{ background: {c.raised}; }}
    QLineEdit, QComboBox, QSpinBox {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 6px;
        padding: 5px 8px; selection-background-color: {c.accent}; }}
    QLineEdit:focus, QComboBox:focus {{ border-color: {c.accent}; }}
    QTreeView, QListView, QTableView, QListWidget, QTableWidget {{ background: {c.panel}; border: none;
        outline: 0; alternate-background-color: {c.panel}; show-decoration-selected: 1; }}
    QTreeView::item, QListView::item {{ padding: 4px 2px; border-radius: 4px; }}
    QTreeView::item:hover, QListView::item:hover {{ background: {c.raised}; }}
    QTreeView::item:selected, QListView::item:selected {{ background: {c.accent}; color: white; }}
    QHeaderView::section {{ background: {c.panel}; border: none; border-bottom: 1px solid {c.border};
        padding: 5px 8px; color: {c.muted}; }}
    QProgressBar {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 4px; height: 8px;
        text-align: center; color: transparent; }}
    QProgressBar::chunk {{ background: {c.accent}; border-radius: 3px; }}
    QScrollBar:vertical {{ background: transparent; width: 10px; margin: 0; }}
    QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 0; }}
    QScrollBar::handle {{ background: {c.border}; border-radius: 4px; min-height: 24px; min-width: 24px; }}
    QScrollBar::handle:hover {{ background: {c.muted}; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
    #Sidebar {{ background: {c.window}; border-right: 1px solid {c.border}; }}
    #Sidebar QToolButton {{ color: {c.muted}; font-size: 11px; padding: 8px 2px; border-radius: 8px; }}
    #Sidebar QToolButton:hover {{ color: {c.text}; background: {c.raised}; }}
    #Sidebar QToolButton:checked {{ color: {c.text}; background: {c.raised}; border-left: 2px solid {c.accent}; }}
    #Panel {{ background: {c.panel}; }}
    #PanelHeader {{ background: {c.panel}; border-bottom: 1px solid {c.border}; }}
    #PanelTitle {{ font-weight: 600; font-size: 11px; letter-spacing: 1px; color: {c.muted}; }}
    #EmptyTitle {{ font-size: 16px; font-weight: 600; }}
    #EmptyText, #Muted {{ color: {c.muted}; }}
    #Card {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 8px; }}
    #Toast {{ background: {c.raised}; border: 1px solid {c.border}; border-radius: 8px; }}
    #Toast[level="error"] {{ border-left: 3px solid {c.danger}; }}
    #Toast[level="warning"] {{ border-left: 3px solid {c.warning}; }}
    #Toast[level="info"] {{ border-left: 3px solid {c.accent}; }}
    #Banner {{ background: {c.raised}; border: 1px solid {c.border}; border-radius: 8px; }}
    QLabel[state="ok"], #Muted[state="ok"] {{ color: {c.success}; }}
    QLabel[state="bad"], #Muted[state="bad"] {{ color: {c.danger}; }}
    QLabel[state="busy"], #Muted[state="busy"] {{ color: {c.muted}; }}
    #SettingsNav {{ background: {c.window}; border-right: 1px solid {c.border}; }}
    #SettingsNav::item {{ padding: 8px 12px; }}
    """


class Theme(QObject):
    """The current theme; emits changed() after it switched so widgets can re-tint icons."""

    changed = Signal()

    def __init__(self, app: QApplication):
        super().__init__(app)
        self._app = app
        self.choice = str(QSettings().value("appearance/theme", "system"))
        if self.choice not in CHOICES:
            self.choice = "system"
        self.colors = DARK
        app.setStyle("Fusion")
        app.styleHints().colorSchemeChanged.connect(self._on_os_scheme_changed)
        self.apply()

    def set_choice(self, choice: str) -> None:
        self.choice = choice
        QSettings().setValue("appearance/theme", choice)
        self.apply()

    def _resolve(self) -> Colors:
        if self.choice == "light":
            return LIGHT
        if self.choice == "dark":
            return DARK
        return LIGHT if self._app.styleHints().colorScheme() == Qt.ColorScheme.Light else DARK

    def apply(self) -> None:
        self.colors = self._resolve()
        self._app.setPalette(_palette(self.colors))
        self._app.setStyleSheet(_stylesheet(self.colors))
        self.changed.emit()

    def _on_os_scheme_changed(self, _scheme) -> None:
        if self.choice == "system":
            self.apply()

    def icon(self, name: str, *, active: bool = False) -> QIcon:
        c = self.colors
        return qta.icon(name, color=c.accent if active else c.text, color_disabled=c.muted, color_active=c.text)

    def muted_icon(self, name: str) -> QIcon:
        return qta.icon(name, color=self.colors.muted)


def theme() -> Theme:
    """The application's theme (created on first use)."""
    app = QApplication.instance()
    found = app.findChild(Theme)
    return found if found is not None else Theme(app)


def is_dark() -> bool:
    return QGuiApplication.palette().color(QPalette.Window).lightness() < 128
