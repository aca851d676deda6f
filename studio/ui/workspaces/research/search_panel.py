"""Search the brand's knowledge base as you type (after a short pause, off the GUI thread; only
the newest query's results are shown): snippets best first with their title, source and score,
the query's words highlighted. Choosing a snippet shows its document below, scrolled to it."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from studio.core.errors import BadInput
from studio.core.research import library
from studio.core.research.profile import get_document
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.latest_only import LatestOnly

DEBOUNCE_MS = 250
RESULTS = 10
CARD_SLACK = 10  # pixels under each card: the list's item padding takes some of its height
SCOPES = (("The brand's documents", False), ("With competitors'", None))
_WORD = re.compile(r"\w+")


def query_terms(query: str) -> list[str]:
    """The words worth highlighting: not the common ones ("the", "and")."""
    words = [w.casefold() for w in _WORD.findall(query)]
    return list(dict.fromkeys(w for w in words if len(w) > 1 and w not in ENGLISH_STOP_WORDS))


def highlight(text: str, terms: list[str]) -> str:
    """text as HTML with each word that starts with a term marked (coffee → coffees), like a
    highlighter pen: readable on a chosen (accent) row and in both themes."""
    if not terms:
        return html.escape(text)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE)
    c = theme().colors
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f"<span style='background:{c.warning}; color:#1B1C1F'>{html.escape(match.group())}</span>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def run_search(lib, query: str, brand_id: int, competitor) -> list | str:
    """The snippets, or what to do instead (runs off the GUI thread)."""
    try:
        return library.search(lib, query, brand_id=brand_id, k=RESULTS, competitor=competitor)
    except BadInput as exc:
        return str(exc)


class SnippetCard(QLabel):
    def __init__(self, snippet, terms: list[str]):
        c = theme().colors
        text = (f"<b>{html.escape(snippet.title)}</b>"
                f"<span style='color:{c.muted}'> · score {snippet.score:.2f}</span><br>"
                f"{highlight(snippet.text, terms)}<br>"
                f"<span style='color:{c.muted}; font-size:11px'>{html.escape(snippet.source)}</span>")
        super().__init__(text, wordWrap=True, textFormat=Qt.RichText)
        self.setContentsMargins(8, 6, 8, 6)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)  # clicks choose the list's row


class SearchPanel(QWidget):
    searched = Signal(object)  # the snippets shown, or the message shown instead

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brand_id: int | None = None
        self.snippets: list = []
        self.terms: list[str] = []
        self.query = QLineEdit(placeholderText="Search the knowledge base (Ctrl+F)", clearButtonEnabled=True,
                               accessibleName="Search the knowledge base")
        self.query.addAction(theme().icon("mdi6.magnify"), QLineEdit.LeadingPosition)
        self.scope = QComboBox(accessibleName="Search in")
        for label, value in SCOPES:
            self.scope.addItem(label, value)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.query.textChanged.connect(self._timer.start)
        self.query.returnPressed.connect(self.search_now)
        self.scope.currentIndexChanged.connect(lambda _i: self.search_now())
        self._searcher = LatestOnly(self)
        self._searcher.finished.connect(self._show_results)

        self.results = QListWidget(accessibleName="Search results")
        self.results.setVerticalScrollMode(QListWidget.ScrollPerPixel)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.results.currentRowChanged.connect(self._on_result_chosen)
        c = theme().colors  # a chosen card keeps its colours (its words are marked in the accent's stead)
        self.results.setStyleSheet(f"QListView::item:selected {{ background: {c.raised}; border-left: 3px solid {c.accent}; }}")
        self.empty = EmptyState("mdi6.text-search", "Search the brand's knowledge",
                                "Type a word or a phrase: the best passages of its pages and documents show here.")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.results)
        self.document = QTextBrowser(openExternalLinks=True, accessibleName="Document")
        self.document.setPlaceholderText("Choose a result, or double-click a document, to read it here.")
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.stack)
        splitter.addWidget(self.document)
        splitter.setSizes([380, 300])

        row = QHBoxLayout()
        row.setContentsMargins(8, 8, 8, 6)
        row.addWidget(self.query, 1)
        row.addWidget(self.scope)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.note = QLabel(objectName="Muted", wordWrap=True, visible=False)  # why the embedding model was not used
        self.note.setContentsMargins(10, 0, 10, 6)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addWidget(splitter, 1)

    def set_brand(self, brand_id: int | None) -> None:
        """Searches this brand's knowledge (again, if it changed: its documents may have)."""
        self.brand_id = brand_id
        self.search_now()

    def focus(self) -> None:
        self.query.setFocus(Qt.ShortcutFocusReason)
        self.query.selectAll()

    def search_now(self) -> None:
        self._timer.stop()
        text = self.query.text().strip()
        if not text or self.brand_id is None:
            self._searcher.submit(list)  # drops a search still under way
            return
        lib, brand_id, competitor = self.ctx.lib, self.brand_id, self.scope.currentData()
        self._searcher.submit(lambda: run_search(lib, text, brand_id, competitor))
        self.terms = query_terms(text)

    def _show_results(self, found) -> None:
        self.results.blockSignals(True)
        self.results.clear()
        self.snippets = found if isinstance(found, list) else []
        note = getattr(found, "note", None)
        self.note.setText(note or "")
        self.note.setVisible(bool(note))
        for snippet in self.snippets:
            item = QListWidgetItem()
            self.results.addItem(item)
            self.results.setItemWidget(item, SnippetCard(snippet, self.terms))
        self.results.blockSignals(False)
        self._fit_items()
        if isinstance(found, str) or (not found and self.query.text().strip()):
            self.empty.title_label.setText("Nothing found")
            self.empty.text_label.setText(found if isinstance(found, str) else
                                          "No passage matches those words; try others, or add documents that speak of it.")
        else:
            self.empty.title_label.setText("Search the brand's knowledge")
            self.empty.text_label.setText("Type a word or a phrase: the best passages of its pages and documents show here.")
        self.stack.setCurrentWidget(self.results if self.snippets else self.empty)
        self.searched.emit(found)

    def _fit_items(self) -> None:
        """Each card as tall as its wrapped text at the list's width."""
        width = self.results.viewport().width() - 4
        for row in range(self.results.count()):
            item = self.results.item(row)
            item.setSizeHint(QSize(width, self.results.itemWidget(item).heightForWidth(width) + CARD_SLACK))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_items()

    def _on_result_chosen(self, row: int) -> None:
        if 0 <= row < len(self.snippets):
            snippet = self.snippets[row]
            self.show_document(snippet.doc_id, snippet.chunk)

    def show_document(self, document_id: int, chunk: str = "") -> None:
        """The document's text with the query's words marked, scrolled to chunk when given."""
        try:
            info, text = get_document(self.ctx.lib, document_id)
        except BadInput as exc:
            self.document.setPlainText(str(exc))
            return
        c = theme().colors
        source = html.escape(info.source)
        link = f"<a href='{source}'>{source}</a>" if "://" in info.source else source
        paragraphs = "".join(f"<p>{highlight(line, self.terms)}</p>" for line in text.splitlines() if line.strip())
        self.document.setHtml(f"<h3>{html.escape(info.title)}</h3><p style='color:{c.muted}'>{link} · "
                              f"{info.fetched_at:%Y-%m-%d}</p>{paragraphs}")
        self.document.moveCursor(self.document.textCursor().MoveOperation.Start)
        start = " ".join(chunk.split()[:6])
        if start and self.document.find(start, QTextDocument.FindFlag(0)):
            self.document.ensureCursorVisible()
