"""The brief's sections, one rich-text block each (Markdown in and out), saved as you type.

Each block saves through ops.briefs.save_section ~800 ms after the last keystroke; saves of one
section in quick succession merge into one undo step in the core. The text edits keep no undo
history of their own: Ctrl+Z goes to Edit ▸ Undo (the library's stack), after the pending save
is written, so one undo takes back what was typed. Reloading a brief only replaces the blocks
whose stored text differs from what the block last saved (an undo, a restore, an accepted
suggestion), so a refresh never disturbs typing. Each block saves with the section's row version it
showed: if a colleague saved the section in between, the save is refused (ConflictError) and the
window asks which text to keep."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.core.briefs.sections import SECTIONS, Brief
from studio.core.errors import ConflictError, StudioError
from studio.core.ops import briefs as ops
from studio.ui.workspaces.briefs.brief_list import scaled_font
from studio.ui.workspaces.briefs.deliverables import DeliverablesTable

AUTOSAVE_MS = 800
PLACEHOLDERS = {
    "objective": "What must this work achieve, and how will we know?",
    "background": "What is going on with the brand, the market and the competition?",
    "audience": "Who are we talking to? What do they think and do today?",
    "insight": "The human truth we build on.",
    "proposition": "The one thing we want them to take away.",
    "reasons_to_believe": "Why should they believe it? Facts, proof, demonstrations.",
    "tone": "How should it feel?",
    "mandatories": "Logos, legal lines, claims that must or must not appear.",
    "deliverables": "Notes on the deliverables; the pieces go in the table below.",
    "channels": "Where will it run?",
    "budget": "Production and media budget.",
    "timeline": "Key dates: first review, approval, launch.",
    "kpis": "What we measure and the targets.",
}


def markdown_of(edit: QTextEdit) -> str:
    return edit.toMarkdown().strip()


class SectionEdit(QTextEdit):
    """A section's text. Grows with its content (the brief scrolls as one page) and leaves undo,
    redo to the window's actions (after `undo_requested`, which writes the pending save)."""

    undo_requested = Signal()
    focused = Signal()

    def __init__(self, placeholder: str, parent=None):
        super().__init__(parent)
        self.setUndoRedoEnabled(False)
        self.setAcceptRichText(True)
        self.setPlaceholderText(placeholder)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()

    def _fit(self) -> None:
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 6
        self.setFixedHeight(max(height, self.fontMetrics().lineSpacing() * 2 + 16))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def event(self, event) -> bool:
        if event.type() == QEvent.ShortcutOverride and (event.matches(QKeySequence.Undo) or event.matches(QKeySequence.Redo)):
            self.undo_requested.emit()
            event.ignore()  # not ours: the window's Undo / Redo action takes the key
            return False
        return super().event(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.focused.emit()


class SectionBlock(QWidget):
    """A section's heading and text, with its own autosave timer."""

    def __init__(self, key: str, parent=None):
        super().__init__(parent)
        self.key = key
        self.saved = ""  # the Markdown last loaded or saved
        self.version: int | None = None  # the section's row version `saved` is
        self._loading = False
        self.heading = QLabel(SECTIONS[key], objectName="BriefSectionTitle")
        self.heading.setFont(scaled_font(self.heading.font(), 1.15, bold=True))
        self.edit = SectionEdit(PLACEHOLDERS[key])
        self.edit.setAccessibleName(SECTIONS[key])
        self.timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self.edit.textChanged.connect(self._on_edit_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.edit)

    @property
    def pending(self) -> bool:
        return self.timer.isActive()

    def show_text(self, text: str, version: int | None = None) -> None:
        """Show stored text unless it is what this block last saved (its own echo)."""
        if self.pending:  # typing in flight wins: its save comes next (and is refused if this moved on)
            return
        self.version = version
        if text == self.saved:
            return
        self._loading = True
        self.edit.setMarkdown(text)
        self._loading = False
        self.saved = text

    def _on_edit_changed(self) -> None:
        if not self._loading:
            self.timer.start()


class BriefEditor(QScrollArea):
    """Every section of one brief as a page of blocks, the deliverables table under its section."""

    save_state = Signal(str, str)  # "saving" | "saved" | "error", message
    section_focused = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brief_id: int | None = None
        self.blocks: dict[str, SectionBlock] = {}
        page = QWidget(objectName="BriefPage")
        column = QVBoxLayout(page)
        column.setContentsMargins(28, 8, 28, 28)
        column.setSpacing(0)
        for key in SECTIONS:
            block = SectionBlock(key)
            block.timer.timeout.connect(lambda b=block: self.save(b))
            block.edit.textChanged.connect(lambda b=block: b.pending and self.save_state.emit("saving", "Editing…"))
            block.edit.undo_requested.connect(self.flush)
            block.edit.focused.connect(lambda k=key: self.section_focused.emit(k))
            self.blocks[key] = block
            column.addWidget(block)
            if key == "deliverables":
                self.deliverables = DeliverablesTable(ctx)
                self.deliverables.edited.connect(self._save_deliverables)
                column.addWidget(self.deliverables)
        column.addStretch(1)
        self.setWidget(page)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)

    def load(self, brief: Brief | None) -> None:
        """Show a brief (None: nothing). Switching briefs writes the pending saves of the last one first."""
        if brief is None or brief.id != self.brief_id:
            self.flush()
            for block in self.blocks.values():
                block.saved = None  # another brief: every block takes its text
        self.brief_id = brief.id if brief else None
        stored = ops.section_versions(self.ctx.lib, brief.id) if brief else {}  # the text with its version
        for key, block in self.blocks.items():
            block.show_text(*stored.get(key, (brief.sections[key] if brief else "", None)))
        self.deliverables.show_rows(list(brief.deliverables) if brief else [])
        self.setEnabled(brief is not None)

    def text(self, key: str) -> str:
        return markdown_of(self.blocks[key].edit)

    def flush(self) -> None:
        """Write every pending save now (before an undo, a version, a switch of brief)."""
        for block in self.blocks.values():
            if block.pending:
                block.timer.stop()
                self.save(block)

    def save(self, block: SectionBlock) -> None:
        text = markdown_of(block.edit)
        if self.brief_id is None or text == block.saved:
            self.save_state.emit("saved", "Saved")
            return
        try:
            result = ops.save_section(self.ctx.lib, self.brief_id, block.key, text, expected_version=block.version)
        except ConflictError:  # the main window asks whether to keep this text or theirs
            self.save_state.emit("error", "Not saved: someone else changed this section; choose whose text to keep.")
            return
        except StudioError as exc:
            self.save_state.emit("error", f"Not saved: {exc}")
            return
        block.saved = text
        block.version = result.version_of("brief_sections", (self.brief_id, block.key)) or block.version
        self.save_state.emit("saved", result.value or "Saved")

    def _save_deliverables(self, rows: list[dict]) -> None:
        if self.brief_id is None:
            return
        try:
            result = ops.set_deliverables(self.ctx.lib, self.brief_id, rows)
        except StudioError as exc:
            self.save_state.emit("error", f"Deliverables not saved: {exc}")
            return
        self.save_state.emit("saved", result.value or "Saved")
