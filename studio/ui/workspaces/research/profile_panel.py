"""The brand profile, edited in place: name, website, palette, fonts, voice attributes, key
messages, audiences and competitors. Each edit is saved through set_brand_profile when it is
finished (a text field on Enter or leaving it, a list on each change): one step of Edit ▸ Undo.
A refused value (a website that is not one) is said above the form and stays for fixing.
Each save names the row versions the form showed: if a colleague saved the brand in between, it is
refused (ConflictError), the window asks whose to keep, and the form keeps what was typed meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput, ConflictError
from studio.core.ops.research import set_brand_profile
from studio.core.ops.tx import edited_from, row_versions
from studio.core.research.profile import BrandProfile, get_brand_profile
from studio.ui.shell.theme import theme
from studio.ui.widgets.flow_layout import FlowLayout
from studio.ui.workspaces.research.list_editor import ListEditor

# (field, title, hint, placeholder) of the one-column lists
LISTS = (
    ("fonts", "Fonts", "The typefaces the brand uses.", "Add a font, e.g. Inter"),
    ("voice", "Voice", "How the brand sounds, one attribute each.", "Add an attribute, e.g. warm"),
    ("key_messages", "Key messages", "What every campaign should get across.", "Add a key message"),
    ("audiences", "Audiences", "Who the brand speaks to.", "Add an audience, e.g. home baristas"),
)
SWATCH = 28


class ProfilePanel(QScrollArea):
    refused = Signal(str)  # an edit was refused; the message is shown above the form

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brand_id: int | None = None
        self.profile: BrandProfile | None = None
        self.seen: dict = {}  # row versions of the brand and its profile as the form shows them (row_versions)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        self.error = QLabel(wordWrap=True, visible=False)
        self.error.setProperty("state", "bad")
        self.name = QLineEdit(accessibleName="Brand name", placeholderText="The brand's name")
        self.website = QLineEdit(accessibleName="Website", placeholderText="https://example.com", clearButtonEnabled=True)
        self.name.editingFinished.connect(lambda: self._save_text("name", self.name))
        self.website.editingFinished.connect(lambda: self._save_text("website", self.website))
        self.swatches = QWidget()
        self.swatch_row = FlowLayout(self.swatches, spacing=6)
        self.lists = {field: ListEditor(title, (placeholder,)) for field, title, _hint, placeholder in LISTS}
        for field, editor in self.lists.items():
            editor.edited.connect(lambda rows, f=field: self.save(**{f: [r[0] for r in rows]}))
        self.competitors = ListEditor("Competitors", ("Name", "https://their-site.com"))
        self.competitors.edited.connect(
            lambda rows: self.save(competitors=[{"name": name, "website": site or None} for name, site in rows]))
        self._build()

    def _build(self) -> None:
        page = QWidget(objectName="Panel")
        page.setAttribute(Qt.WA_StyledBackground)
        column = QVBoxLayout(page)
        column.setContentsMargins(12, 10, 12, 12)
        column.setSpacing(4)
        column.addWidget(self.error)
        self._section(column, "Brand", self.name)
        self._section(column, "Website", self.website, "Crawl site… starts here.")
        self._section(column, "Palette", self.swatches, "Click a colour to change or remove it.")
        for field, title, hint, _placeholder in LISTS:
            self._section(column, title, self.lists[field], hint)
        self._section(column, "Competitors", self.competitors, "Their sites and documents feed the Competitors tab.")
        column.addStretch(1)
        self.setWidget(page)

    @staticmethod
    def _section(column: QVBoxLayout, title: str, widget: QWidget, hint: str = "") -> None:
        column.addSpacing(8)
        column.addWidget(QLabel(title.upper(), objectName="PanelTitle"))
        if hint:
            column.addWidget(QLabel(hint, objectName="Muted", wordWrap=True))
        column.addWidget(widget)

    # ---- showing ----------------------------------------------------------------------------
    def show_brand(self, brand_id: int | None) -> None:
        if brand_id != self.brand_id:
            self.error.hide()
        self.brand_id = brand_id
        self.refresh()

    def refresh(self) -> None:
        """The stored profile; a field being typed in keeps what is typed, and the version of its row
        it was typed over (its save asks if a colleague changed that row since)."""
        brand, profile = ("brands", (self.brand_id,)), ("brand_profiles", (self.brand_id,))
        seen = row_versions(self.ctx.lib, brand, profile) if self.brand_id is not None else {}
        try:
            self.profile = get_brand_profile(self.ctx.lib, self.brand_id) if self.brand_id is not None else None
        except BadInput:  # the brand was deleted meanwhile
            self.profile = None
        p = self.profile
        self.setEnabled(p is not None)
        if p is None:
            self.seen = seen
            return
        for edit, value, row in ((self.name, p.name, brand), (self.website, p.website or "", profile)):
            if not (edit.hasFocus() and edit.isModified()):
                edit.setText(value)
                edit.setModified(False)
            elif row in self.seen:
                seen[row] = self.seen[row]
        self.seen = seen
        for field, editor in self.lists.items():
            editor.set_rows([(text,) for text in getattr(p, field)])
        self.competitors.set_rows([(c.name, c.website or "") for c in p.competitors])
        self._show_swatches(p.palette)

    def _show_swatches(self, palette) -> None:
        while self.swatch_row.count():
            self.swatch_row.takeAt(0).widget().deleteLater()
        border = theme().colors.border
        for i, colour in enumerate(palette):
            swatch = QToolButton(toolTip=f"{colour}: click to change or remove", accessibleName=f"Colour {colour}")
            swatch.setFixedSize(SWATCH, SWATCH)
            swatch.setStyleSheet(f"QToolButton {{ background: {colour}; border: 1px solid {border}; border-radius: 6px; }}")
            menu = QMenu(swatch)
            menu.addAction("Change…", lambda *_, i=i: self.pick_colour(i))
            menu.addAction("Remove", lambda *_, i=i: self.remove_colour(i))
            swatch.setMenu(menu)
            swatch.setPopupMode(QToolButton.InstantPopup)
            self.swatch_row.addWidget(swatch)
        add = QToolButton(icon=theme().icon("mdi6.plus"), toolTip="Add a colour to the palette", accessibleName="Add colour")
        add.setFixedSize(SWATCH, SWATCH)
        add.clicked.connect(lambda: self.pick_colour())
        self.swatch_row.addWidget(add)

    # ---- editing ----------------------------------------------------------------------------
    def save(self, **fields) -> bool:
        """One op through set_brand_profile; a refusal is shown and nothing is stored. A lost race
        (ConflictError) is asked about by the window; the form keeps the edit until it is settled."""
        if self.brand_id is None:
            return False
        try:
            with edited_from(self.seen):
                set_brand_profile(self.ctx.lib, self.brand_id, **fields)
        except ConflictError:
            return False
        except BadInput as exc:
            self.error.setText(str(exc))
            self.error.show()
            self.refused.emit(str(exc))
            return False
        self.error.hide()
        self.refresh()  # at once: the next edit builds on this one, before the bus says so
        return True

    def _save_text(self, field: str, edit: QLineEdit) -> None:
        stored = getattr(self.profile, field, None) or ""
        if self.profile is None or edit.text().strip() == stored:
            return
        if self.save(**{field: edit.text()}):
            edit.setModified(False)

    def pick_colour(self, index: int | None = None) -> QColorDialog:
        """A colour dialog (not modal to the app); the chosen colour is added, or replaces the one at index."""
        start = self.profile.palette[index] if index is not None else theme().colors.accent
        dialog = QColorDialog(QColor(start), self)
        dialog.colorSelected.connect(lambda colour: self.set_colour(colour.name().upper(), index))
        dialog.open()
        return dialog

    def set_colour(self, colour: str, index: int | None = None) -> bool:
        palette = list(self.profile.palette)
        if index is None:
            palette.append(colour)
        else:
            palette[index] = colour
        return self.save(palette=palette)

    def remove_colour(self, index: int) -> bool:
        palette = list(self.profile.palette)
        del palette[index]
        return self.save(palette=palette)
