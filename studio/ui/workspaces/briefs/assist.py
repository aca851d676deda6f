"""AI assist for one section: Generate, Improve, Shorten, More like the brand voice.

The answer streams (as a job: progress and Cancel in the jobs panel) into a suggestion box, never
into the section; the knowledge-base snippets it cites are listed under it. Accept replaces the
section's text (one undoable step), Reject discards it. An answer cut off midway is kept and marked
"partial — <why>". Without an AI key the offline template writer answers ("offline templates")."""

from __future__ import annotations

import itertools
from html import escape

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.core.ai.prompts import MAX_SOURCES, Request
from studio.core.ai.stream import AIResult, run_stream
from studio.core.briefs.sections import SECTIONS, brief_summary
from studio.core.errors import StudioError
from studio.core.jobs import Job
from studio.core.ops import briefs as ops
from studio.core.research.profile import get_brand_profile
from studio.ui.bridge import when_finished
from studio.ui.shell.theme import theme

TASKS = (("generate", "Generate", "mdi6.creation-outline", "Write the section from its notes and the knowledge base"),
         ("improve", "Improve", "mdi6.auto-fix", "Make the section clearer and more specific, keeping its facts"),
         ("shorten", "Shorten", "mdi6.format-align-middle", "Cut the section to about half, keeping what matters"),
         ("brand_voice", "Brand voice", "mdi6.account-voice", "Rewrite the section more like the brand's voice"))

LABELS = {task: label for task, label, *_ in TASKS}


def grounding(lib, brand_id: int, query: str) -> tuple:
    """Knowledge-base snippets for the query; none when the brand has no research documents yet
    (the assist then works from the section's text alone)."""
    try:
        from studio.core.research.library import search
    except ImportError:  # the knowledge base is not part of this build
        return ()
    if not get_brand_profile(lib, brand_id).documents:
        return ()
    return tuple(search(lib, query, brand_id=brand_id, k=MAX_SOURCES))


def write_suggestion(lib, store, brief_id: int, key: str, task: str, text: str, state, on_text) -> AIResult:
    """The job: the request (the brand's voice, grounding from the knowledge base), then the stream."""
    summary = brief_summary(lib, brief_id)
    title = SECTIONS[key]
    state.set_status("Looking up the knowledge base…")
    sources = grounding(lib, summary.brand_id, f"{summary.title} {title} {text}")
    voice = get_brand_profile(lib, summary.brand_id).voice
    request = Request(task, text=text, topic=f"the {title} section of the brief “{summary.title}” for {summary.brand}",
                      sources=sources, voice=voice, purpose=f"Brief {brief_id} · {title} · {task}")
    return run_stream(request, state, on_text, lib=lib, store=store)


def provider_text(result: AIResult) -> str:
    return "offline templates" if result.provider == "offline" else f"{result.provider} · {result.model}"


class _Pieces(QObject):
    """Carries streamed text from the job's thread to the GUI thread."""

    arrived = Signal(int, str)  # run number, text


class AssistPanel(QWidget):
    suggestion_changed = Signal()  # a suggestion appeared, finished or went away
    finished = Signal(object)  # the assist Job, finished

    def __init__(self, ctx, editor, parent=None):
        super().__init__(parent)
        self.ctx, self.editor = ctx, editor
        self.brief_id: int | None = None
        self.job: Job | None = None
        self.key: str | None = None  # the section the suggestion is for
        self.answer = ""  # the suggestion's Markdown, as streamed so far or finished
        self._runs = itertools.count(1)
        self._run = 0
        self._pieces = _Pieces(self)
        self._pieces.arrived.connect(self._on_piece, Qt.QueuedConnection)
        self.section = QComboBox(accessibleName="Section to assist")
        for key, title in SECTIONS.items():
            self.section.addItem(title, key)
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for n, (task, label, icon, tip) in enumerate(TASKS):
            button = QPushButton(theme().icon(icon), label, toolTip=tip)
            button.clicked.connect(lambda _c=False, t=task: self.ask(t))
            self.buttons[task] = button
            grid.addWidget(button, n // 2, n % 2)
        self.state = QLabel(objectName="Muted", wordWrap=True)
        self.suggestion = QTextEdit(readOnly=True, accessibleName="Suggestion",
                                    placeholderText="Pick a section and an assist: the suggestion appears here for you to accept or reject.")
        self.sources = QListWidget(accessibleName="Cited sources")
        self.sources.setMaximumHeight(110)
        self.sources_title = QLabel(objectName="PanelTitle", wordWrap=True)
        self.stop_button = QPushButton(theme().icon("mdi6.stop"), "Stop")
        self.stop_button.clicked.connect(self.stop)
        self.accept_button = QPushButton(theme().icon("mdi6.check"), "Accept")
        self.accept_button.setToolTip("Replace the section's text with the suggestion (Ctrl+Enter)")
        self.accept_button.clicked.connect(lambda: self.accept())
        self.reject_button = QPushButton(theme().icon("mdi6.close"), "Reject")
        self.reject_button.setToolTip("Discard the suggestion (Esc)")
        self.reject_button.clicked.connect(self.reject)
        decide = QHBoxLayout()
        decide.addWidget(self.stop_button)
        decide.addStretch(1)
        decide.addWidget(self.reject_button)
        decide.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.section)
        layout.addLayout(grid)
        layout.addWidget(self.state)
        layout.addWidget(self.suggestion, 1)
        layout.addWidget(self.sources_title)
        layout.addWidget(self.sources)
        layout.addLayout(decide)
        self._clear()
        self._update()

    # ---- asking ------------------------------------------------------------------------------
    def set_brief(self, brief_id: int | None) -> None:
        if brief_id != self.brief_id:
            self.reject()
        self.brief_id = brief_id
        self._update()

    def follow_section(self, key: str) -> None:
        if self.job is None:
            self.section.setCurrentIndex(self.section.findData(key))

    def ask(self, task: str) -> Job | None:
        """Stream a suggestion for the chosen section as a job."""
        if self.brief_id is None or self.job is not None:
            return None
        self.editor.flush()  # the assist works on what is on screen
        key = self.section.currentData()
        text = self.editor.text(key)
        try:
            Request(task, text=text)  # says at once when there is nothing to work on
        except StudioError as exc:
            self._say(escape(str(exc)))
            return None
        self._clear()
        self.key, self._run = key, next(self._runs)
        lib, store, brief_id, run = self.ctx.lib, self.ctx.secrets, self.brief_id, self._run
        emit = self._pieces.arrived.emit
        self.job = self.ctx.submit(lambda _p, state: write_suggestion(lib, store, brief_id, key, task, text, state,
                                                                      lambda piece: emit(run, piece)),
                                   title=f"AI assist: {LABELS[task]} {SECTIONS[key]}")
        when_finished(self.ctx.bus, self.job, self._on_finished, owner=self)
        self._say("Writing…")
        self._update()
        return self.job

    def _on_piece(self, run: int, piece: str) -> None:
        if run == self._run and self.job is not None:
            self.answer += piece
            cursor = self.suggestion.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            cursor.insertText(piece)

    def _on_finished(self, job: Job) -> None:
        if job is not self.job:
            return
        QCoreApplication.sendPostedEvents(self, QEvent.MetaCall)  # the pieces still queued come first
        self.job = None
        result: AIResult | None = job.result if job.status == "done" else None
        if result is not None:
            self.answer = result.text
            self.suggestion.setMarkdown(result.text)  # streamed as it came, shown formatted now
            marks = [f"by {provider_text(result)}"]
            if result.status == "partial":
                marks.insert(0, f"<span style='color:{theme().colors.warning}'>partial — {escape(result.reason or 'cut off')}</span>")
            self._say(" · ".join(marks))
            self._list_sources(result)
        elif job.status == "failed":
            self._clear()
            self._say(f"<span style='color:{theme().colors.danger}'>{escape(job.error or 'The assist failed.')}</span>")
        else:
            self._say("Stopped: what came so far is kept; accept it or reject it." if self.has_suggestion() else "Stopped.")
        self._update()
        self.finished.emit(job)

    def _list_sources(self, result: AIResult) -> None:
        self.sources.clear()
        for number, source in zip(result.citations, result.cited, strict=False):
            item = QListWidgetItem(f"[{number}] {getattr(source, 'title', '') or source.source}")
            item.setToolTip(f"{source.source}\n\n{source.text[:600]}")
            self.sources.addItem(item)
        self.sources.setVisible(bool(result.cited))
        self.sources_title.show()
        self.sources_title.setText("Sources cited" if result.cited else "Sources cited: none (the brand has no matching research yet)")

    # ---- deciding ----------------------------------------------------------------------------
    def has_suggestion(self) -> bool:
        return bool(self.answer.strip()) and self.key is not None

    def accept(self) -> bool:
        """The suggestion becomes the section's text (Edit ▸ Undo takes it back)."""
        if self.job is not None or not self.has_suggestion() or self.brief_id is None:
            return False
        self.editor.flush()
        try:
            note = ops.save_section(self.ctx.lib, self.brief_id, self.key, self.answer.strip()).value
        except StudioError as exc:
            self._say(escape(str(exc)))
            return False
        self.ctx.notify(note or f"{SECTIONS[self.key]} replaced by the suggestion; Edit ▸ Undo takes it back.")
        self._clear()
        self._say("")
        self._update()
        return True

    def reject(self) -> None:
        self.stop()
        self._run = next(self._runs)  # pieces still on their way are dropped
        self.job = None
        self._clear()
        self._say("")
        self._update()

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _clear(self) -> None:
        self.answer = ""
        self.suggestion.clear()
        self.sources.clear()
        self.sources.hide()
        self.sources_title.hide()
        if self.job is None:
            self.key = None

    def _say(self, html: str) -> None:
        self.state.setText(html)
        self.state.setVisible(bool(html))

    def _update(self) -> None:
        idle = self.job is None
        for button in self.buttons.values():
            button.setEnabled(idle and self.brief_id is not None)
        self.section.setEnabled(idle)
        self.stop_button.setVisible(not idle)
        self.accept_button.setEnabled(idle and self.has_suggestion())
        self.reject_button.setEnabled(not idle or self.has_suggestion())
        self.suggestion_changed.emit()
