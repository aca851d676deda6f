"""The brief's version history: save a version with a note, pick one to compare with the brief as
it is now (or two to compare with each other), read the difference per section in colour, restore
a version (one undoable step, recorded as a new version)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.versions import SectionDiff, diff_versions, list_versions
from studio.core.errors import StudioError
from studio.core.ops import briefs as ops
from studio.ui.shell.theme import theme

NUMBER_ROLE = Qt.UserRole + 1


def tint(colour: str, over: str, amount: float = 0.3) -> str:
    """colour laid over `over` at `amount` opacity, as a solid #rrggbb (rich text has no alpha)."""
    a, b = QColor(colour), QColor(over)
    mix = [round(x * amount + y * (1 - amount)) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True)]
    return QColor(*mix).name()


def diff_html(diffs: list[SectionDiff], names: tuple[str, str]) -> str:
    """The changed sections, each with its words coloured: inserted green, deleted red and struck."""
    c = theme().colors
    changed = [d for d in diffs if d.changed]
    if not changed:
        return f"<p style='color:{c.muted}'>No differences between {names[0]} and {names[1]}.</p>"
    styles = {"insert": f"background:{tint(c.success, c.base)};color:{c.text}",
              "delete": f"background:{tint(c.danger, c.base)};color:{c.text};text-decoration:line-through", "equal": ""}
    parts = [f"<p style='color:{c.muted}'>From {names[0]} to {names[1]}:</p>"]
    for d in changed:
        runs = "".join(f"<span style='{styles[op]}'>{escape(text)}</span>" for op, text in d.runs)
        parts.append(f"<h4>{escape(d.title)}</h4><p style='white-space:pre-wrap'>{runs}</p>")
    return "".join(parts)


class VersionsPanel(QWidget):
    error = Signal(str)
    before_write = Signal()  # pending typing is saved first, so versions hold what is on screen

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brief_id: int | None = None
        self.note = QLineEdit(placeholderText="What changed (optional)", accessibleName="Version note", clearButtonEnabled=True)
        self.save_button = QPushButton(theme().icon("mdi6.content-save-outline"), "Save version")
        self.save_button.setToolTip("Save the brief as it is now as a new version (Ctrl+S)")
        self.save_button.clicked.connect(lambda: self.save_version())
        self.note.returnPressed.connect(lambda: self.save_version())
        self.list = QListWidget(accessibleName="Versions")
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self.show_diff)
        self.restore_button = QPushButton(theme().icon("mdi6.restore"), "Restore")
        self.restore_button.setToolTip("Make the chosen version the brief's text again (Edit ▸ Undo takes it back)")
        self.restore_button.clicked.connect(lambda: self.restore())
        self.hint = QLabel("Pick a version to compare it with the brief now; pick two to compare them.", objectName="Muted", wordWrap=True)
        self.diff = QTextBrowser(accessibleName="Differences")
        save_row = QHBoxLayout()
        save_row.addWidget(self.note, 1)
        save_row.addWidget(self.save_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(save_row)
        top_layout.addWidget(self.list, 1)
        top_layout.addWidget(self.restore_button, 0, Qt.AlignRight)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.hint)
        bottom_layout.addWidget(self.diff, 1)
        split.addWidget(bottom)
        split.setSizes([220, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(split)
        self._update_buttons()

    def set_brief(self, brief_id: int | None) -> None:
        changed = brief_id != self.brief_id
        self.brief_id = brief_id
        chosen = [] if changed else self.chosen()
        self.list.blockSignals(True)
        self.list.clear()
        for v in list_versions(self.ctx.lib, brief_id) if brief_id is not None else []:
            when = v.created_at.strftime("%d %b %Y %H:%M")
            item = QListWidgetItem(f"Version {v.number} · {when} · {v.author}" + (f"\n{v.note}" if v.note else ""))
            item.setData(NUMBER_ROLE, v.number)
            self.list.addItem(item)
            item.setSelected(v.number in chosen)
        self.list.blockSignals(False)
        self.show_diff()

    def chosen(self) -> list[int]:
        """The selected version numbers, oldest first."""
        return sorted(item.data(NUMBER_ROLE) for item in self.list.selectedItems())

    def select(self, *numbers: int) -> None:
        self.list.clearSelection()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setSelected(item.data(NUMBER_ROLE) in numbers)

    def show_diff(self) -> None:
        chosen = self.chosen()
        self._update_buttons()
        if self.brief_id is None or not chosen or len(chosen) > 2:
            self.diff.setHtml("")
            self.hint.setText("Pick a version to compare it with the brief now; pick two to compare them."
                              if len(chosen) <= 2 else "Pick at most two versions to compare.")
            return
        old, new = (chosen[0], None) if len(chosen) == 1 else chosen
        names = (f"version {old}", "the brief now" if new is None else f"version {new}")
        try:
            self.diff.setHtml(diff_html(diff_versions(self.ctx.lib, self.brief_id, old, new), names))
        except StudioError as exc:
            self.error.emit(str(exc))

    def save_version(self) -> int | None:
        if self.brief_id is None:
            return None
        self.before_write.emit()
        try:
            number = ops.save_version(self.ctx.lib, self.brief_id, self.note.text()).value
        except StudioError as exc:
            self.error.emit(str(exc))
            return None
        self.note.clear()
        self.ctx.notify(f"Saved version {number}.")
        return number

    def restore(self) -> int | None:
        chosen = self.chosen()
        if self.brief_id is None or len(chosen) != 1:
            return None
        self.before_write.emit()
        try:
            number = ops.restore_version(self.ctx.lib, self.brief_id, chosen[0]).value
        except StudioError as exc:
            self.error.emit(str(exc))
            return None
        self.ctx.notify(f"Restored version {chosen[0]} (saved as version {number}); Edit ▸ Undo takes it back.")
        return number

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self.brief_id is not None)
        self.restore_button.setEnabled(len(self.chosen()) == 1)
