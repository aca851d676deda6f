"""The aspect-variant switcher in the Creative top bar: the open composition's variants as a
segmented control (its own aspect first), and a menu to add a variant by smart reframing or
delete the one shown. Switching shows and edits that layout; the last one shown is remembered
per composition."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QPointF, QRectF, QSettings, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from studio.core.timeline import variants
from studio.core.timeline.reframe import SIZES
from studio.ui.bridge import when_finished
from studio.ui.shell.theme import theme
from studio.ui.workspaces.creative.timeline_model import TimelineController

KINDS = {"9x16": "Vertical", "4x5": "Portrait", "1x1": "Square", "16x9": "Landscape"}


def aspect_icon(name: str, colour: str) -> QIcon:
    """A small outline of the aspect's shape, so the segments read at a glance."""
    try:
        w, h = (int(v) for v in name.split("x"))
    except ValueError:
        w, h = 1, 1
    pixmap = QPixmap(QSize(32, 32))
    pixmap.fill(Qt.transparent)
    k = 24 / max(w, h)
    rect = QRectF(0, 0, w * k, h * k)
    rect.moveCenter(QPointF(16, 16))
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QPen(QColor(colour), 2.5))
    p.drawRoundedRect(rect.adjusted(1.5, 1.5, -1.5, -1.5), 3, 3)
    p.end()
    return QIcon(pixmap)


def describe(name: str) -> str:
    """ "1x1" -> "1:1 Square (1080×1080)"."""
    w, h = SIZES.get(name, (0, 0))
    return f"{variants.label(name)} {KINDS.get(name, '')} ({w}×{h})" if w else variants.label(name)


class VariantBar(QWidget):
    def __init__(self, ctx, controller: TimelineController, parent=None):
        super().__init__(parent)
        self.ctx, self.controller = ctx, controller
        self.buttons: dict[str, QToolButton] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.segments = QWidget(objectName="VariantSegments")
        self.segments.setAttribute(Qt.WA_StyledBackground)
        self._segment_row = QHBoxLayout(self.segments)
        self._segment_row.setContentsMargins(2, 2, 2, 2)
        self._segment_row.setSpacing(2)
        self.menu_button = QToolButton(popupMode=QToolButton.InstantPopup,
                                       toolTip="Add an aspect variant by smart reframing, or delete the one shown")
        self.menu_button.setAccessibleName("Aspect variants")
        self.menu = QMenu(self.menu_button)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.menu_button.setMenu(self.menu)
        self.busy_label = QLabel(objectName="Muted")
        self._reframing: set[str] = set()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(QLabel("Layout"))
        row.addWidget(self.segments)
        row.addWidget(self.menu_button)
        row.addWidget(self.busy_label)
        controller.loaded.connect(self._on_loaded)
        controller.composition_changed.connect(self._rebuild)
        controller.variant_changed.connect(self._on_variant_changed)
        theme().changed.connect(self._restyle)
        self._restyle()
        self._rebuild()

    # ---- showing ----------------------------------------------------------------------------
    def shown(self) -> str | None:
        """The aspect shown: the variant's name, or the composition's own aspect."""
        comp = self.controller.composition
        return None if comp is None else self.controller.variant or comp.aspect

    def _rebuild(self) -> None:
        comp = self.controller.composition
        names = comp.variant_names() if comp is not None else []
        if list(self.buttons) != names:
            for button in self.buttons.values():
                self.group.removeButton(button)
                button.deleteLater()
            self.buttons = {}
            for name in names:
                button = QToolButton(text=variants.label(name), checkable=True)
                button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
                button.setIconSize(QSize(16, 16))
                own = name == comp.aspect
                button.setToolTip(f"{describe(name)}: {'the main layout' if own else 'a variant with its own layout'}")
                button.setAccessibleName(f"Show the {variants.label(name)} layout")
                button.clicked.connect(lambda _=False, n=name: self.controller.set_variant(n))
                if not own:
                    button.setContextMenuPolicy(Qt.CustomContextMenu)
                    button.customContextMenuRequested.connect(lambda _pos, n=name: self._delete_menu(n))
                self.group.addButton(button)
                self._segment_row.addWidget(button)
                self.buttons[name] = button
        self.segments.setVisible(bool(names))
        self.menu_button.setEnabled(comp is not None)
        self._on_variant_changed()

    def _on_variant_changed(self) -> None:
        shown = self.shown()
        colours = theme().colors
        for name, button in self.buttons.items():
            button.setChecked(name == shown)
            button.setIcon(aspect_icon(name, "#FFFFFF" if name == shown else colours.muted))
        if self.controller.composition_id is not None and shown is not None:
            QSettings().setValue(self._settings_key(self.controller.composition_id), shown)

    def _restyle(self) -> None:
        c = theme().colors
        self.segments.setStyleSheet(
            f"#VariantSegments {{ background: {c.base}; border: 1px solid {c.border}; border-radius: 7px; }}"
            f"#VariantSegments QToolButton {{ color: {c.muted}; padding: 3px 10px 3px 6px; border-radius: 5px; font-weight: 600; }}"
            f"#VariantSegments QToolButton:hover {{ color: {c.text}; background: {c.raised}; }}"
            f"#VariantSegments QToolButton:checked {{ color: white; background: {c.accent}; }}")
        self.menu_button.setIcon(theme().icon("mdi6.plus-box-multiple-outline"))
        self._on_variant_changed()

    # ---- choosing, adding, deleting ----------------------------------------------------------
    def _settings_key(self, composition_id: int) -> str:
        library = hashlib.sha1(str(self.ctx.lib.root).encode()).hexdigest()[:10]
        return f"creative/variant/{library}/{composition_id}"

    def _on_loaded(self, composition_id) -> None:
        remembered = QSettings().value(self._settings_key(composition_id)) if composition_id is not None else None
        self.controller.set_variant(remembered)

    def _fill_menu(self) -> None:
        self.menu.clear()
        comp = self.controller.composition
        if comp is None:
            return
        add = self.menu.addMenu(theme().icon("mdi6.plus"), "Add variant")
        for name in SIZES:
            action = add.addAction(aspect_icon(name, theme().colors.text), describe(name), lambda n=name: self.add(n))
            if name in self._reframing:
                action.setText(f"{describe(name)} — reframing…")
            elif name == comp.aspect:
                action.setText(f"{describe(name)} — the main layout")
            elif name in comp.variant_names():
                action.setText(f"{describe(name)} — reframe again (replaces its layout)")
            action.setEnabled(name != comp.aspect and name not in self._reframing)
        self.menu.addSeparator()
        shown = self.controller.variant
        delete = self.menu.addAction(theme().icon("mdi6.trash-can-outline"),
                                     f"Delete {variants.label(shown)} variant" if shown else "Delete variant",
                                     lambda: self.controller.delete_variant(shown))
        delete.setEnabled(shown is not None)
        if shown is None:
            delete.setToolTip("Show a variant first; the main layout cannot be deleted")

    def _delete_menu(self, name: str) -> None:
        menu = QMenu(self)
        menu.addAction(theme().icon("mdi6.trash-can-outline"), f"Delete {variants.label(name)} variant",
                       lambda: self.controller.delete_variant(name))
        menu.exec(self.buttons[name].mapToGlobal(self.buttons[name].rect().bottomLeft()))

    def add(self, name: str):
        """Start smart reframing for aspect `name` (a job); the variant shows when it is done."""
        job = self.controller.add_variant(name)
        if job is not None:
            self._reframing.add(name)
            self._show_busy()
            when_finished(self.ctx.bus, job, lambda _job: (self._reframing.discard(name), self._show_busy()), owner=self)
        return job

    def _show_busy(self) -> None:
        names = ", ".join(variants.label(n) for n in sorted(self._reframing))
        self.busy_label.setText(f"Reframing {names}…" if names else "")
