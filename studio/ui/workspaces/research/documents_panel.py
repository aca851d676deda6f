"""The brand's knowledge base: its own and its competitors' documents (kind, title, whose, source,
date). Files dropped from the OS (or chosen with Import…) are read and added as a job; Crawl
site… opens the crawl dialog; Remove (Delete) is one step of Edit ▸ Undo. Double-click shows
a document."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import BadInput
from studio.core.jobs import Job
from studio.core.ops.research import remove_research_documents
from studio.core.research.library import ImportDocsParams, import_documents
from studio.core.research.profile import list_documents
from studio.ui.bridge import when_finished
from studio.ui.shell.parts import EmptyState, PanelHeader
from studio.ui.shell.theme import theme

ID_ROLE = Qt.UserRole + 1
SORT_ROLE = Qt.UserRole + 2  # the Added column sorts by the full time, the others by their text
KIND_ICONS = {"page": "mdi6.web", "html": "mdi6.language-html5", "pdf": "mdi6.file-pdf-box", "docx": "mdi6.file-word-box",
              "md": "mdi6.language-markdown-outline", "txt": "mdi6.file-document-outline"}
KIND_NAMES = {"page": "Web page", "html": "Saved page", "pdf": "PDF", "docx": "Word document", "md": "Markdown", "txt": "Text"}
FILE_FILTER = "Documents (*.html *.htm *.pdf *.docx *.md *.markdown *.txt);;All files (*)"
IMPORT_FOLDER_KEY = "research/import_folder"
COLUMNS = ("Title", "About", "Source", "Added")
OWN = "\0own"  # the filter's value for the brand's own documents (None is every document)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def short_source(source: str) -> str:
    """A page by its host and path, a file by its name: the full source is in the tooltip."""
    if "://" in source:
        parts = urlsplit(source)
        return parts.netloc + (parts.path if parts.path != "/" else "") + (f"?{parts.query}" if parts.query else "")
    return Path(source).name


def empty_text(competitor: str | None) -> str:
    whose = f"{competitor}'s" if competitor else "the brand's"
    return f"Crawl {whose} site or drop {'their' if competitor else 'its'} documents here: HTML, PDF, DOCX, Markdown or text."


def import_report(summary) -> str:
    """What an import did, in plain words (the failed files with why)."""
    parts = [f"Added {plural(summary.added, 'document')}"]
    if summary.duplicates:
        parts.append(f"{summary.duplicates} already there")
    if summary.empty:
        parts.append(f"{summary.empty} without text left out")
    text = ", ".join(parts) + "."
    if summary.failed:
        text += " Not imported: " + " ".join(why for _path, why in summary.failed)  # each reason names its file
    return text


class DocumentsPanel(QWidget):
    document_activated = Signal(int)  # a document to show
    crawl_requested = Signal(object)  # the competitor chosen in the filter (None: the brand itself)
    import_finished = Signal(object)  # the import Job, done or failed

    def __init__(self, ctx, parent=None):
        super().__init__(parent, objectName="Panel")
        self.setAttribute(Qt.WA_StyledBackground)
        self.setAcceptDrops(True)
        self.ctx = ctx
        self.brand_id: int | None = None
        self.competitors: list[str] = []
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.model.setSortRole(SORT_ROLE)
        self._build()

    def _build(self) -> None:
        header = PanelHeader("Documents")
        header.add_button("mdi6.web", "Crawl a site into the knowledge base…", lambda: self.crawl_requested.emit(self.chosen_competitor()))
        header.add_button("mdi6.file-import-outline", "Import documents (HTML, PDF, DOCX, Markdown, text)…", lambda: self.choose_files())
        self.remove_button = header.add_button("mdi6.delete-outline", "Remove the chosen documents (Delete)", self.remove_selected)
        self.filter = QComboBox(accessibleName="Whose documents")
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count = QLabel(objectName="Muted")
        filters = QHBoxLayout()
        filters.setContentsMargins(10, 6, 10, 6)
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.count)

        self.tree = QTreeView(rootIsDecorated=False, uniformRowHeights=True, alternatingRowColors=True, sortingEnabled=True)
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setEditTriggers(QAbstractItemView.NoEditTriggers)
        header_view = self.tree.header()
        header_view.setStretchLastSection(False)
        for column, mode in ((0, QHeaderView.Stretch), (1, QHeaderView.ResizeToContents), (2, QHeaderView.Interactive),
                             (3, QHeaderView.ResizeToContents)):  # the title takes what the others leave
            header_view.setSectionResizeMode(column, mode)
        self.tree.setColumnWidth(2, 120)
        self.tree.sortByColumn(3, Qt.DescendingOrder)
        self.tree.doubleClicked.connect(lambda index: self.document_activated.emit(index.siblingAtColumn(0).data(ID_ROLE)))
        self.tree.selectionModel().selectionChanged.connect(lambda *_: self.remove_button.setEnabled(bool(self.selected_ids())))
        QShortcut(QKeySequence.Delete, self.tree, self.remove_selected, context=Qt.WidgetShortcut)

        self.empty = EmptyState("mdi6.file-search-outline", "No documents yet", empty_text(None))
        crawl = QPushButton(theme().icon("mdi6.web"), "Crawl site…")
        crawl.setProperty("primary", True)
        crawl.clicked.connect(lambda: self.crawl_requested.emit(self.chosen_competitor()))
        browse = QPushButton("Import files…", clicked=lambda: self.choose_files())
        self.empty.add_button(crawl)
        self.empty.add_button(browse)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        self.status = QLabel(objectName="Muted", wordWrap=True, visible=False)
        self.status.setContentsMargins(10, 4, 10, 6)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)

    # ---- showing ----------------------------------------------------------------------------
    def show_brand(self, brand_id: int | None, brand_name: str = "", competitors=()) -> None:
        """The brand's documents; the filter offers the brand itself and each competitor."""
        same = (brand_id, list(competitors)) == (self.brand_id, self.competitors)
        self.brand_id, self.competitors = brand_id, list(competitors)
        if not same:
            chosen = self.filter.currentData()
            self.filter.blockSignals(True)
            self.filter.clear()
            self.filter.addItem("All documents", None)
            self.filter.addItem(f"{brand_name or 'The brand'}'s own", OWN)
            for name in self.competitors:
                self.filter.addItem(f"Competitor: {name}", name)
            self.filter.setCurrentIndex(max(0, self.filter.findData(chosen)))
            self.filter.blockSignals(False)
        self.refresh()

    def chosen_competitor(self) -> str | None:
        value = self.filter.currentData()
        return None if value in (None, OWN) else value

    def refresh(self) -> None:
        value = self.filter.currentData()
        competitor = False if value is None else None if value == OWN else value
        documents = list_documents(self.ctx.lib, self.brand_id, competitor=competitor) if self.brand_id is not None else []
        chosen = set(self.selected_ids())
        self.model.removeRows(0, self.model.rowCount())
        for doc in documents:
            self.model.appendRow(self._row(doc))
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(ID_ROLE) in chosen:
                self.tree.selectionModel().select(self.model.index(row, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
        self.count.setText(plural(len(documents), "document"))
        self.empty.text_label.setText(empty_text(self.chosen_competitor()))
        self.stack.setCurrentWidget(self.tree if documents else self.empty)
        self.remove_button.setEnabled(bool(self.selected_ids()))

    def _row(self, doc) -> list[QStandardItem]:
        title = QStandardItem(theme().icon(KIND_ICONS.get(doc.kind, "mdi6.file-outline")), doc.title)
        title.setData(doc.id, ID_ROLE)
        title.setToolTip(f"{KIND_NAMES.get(doc.kind, doc.kind)} · {doc.chars:,} characters\n{doc.title}")
        about = QStandardItem(doc.competitor or "The brand")
        source = QStandardItem(short_source(doc.source))
        source.setToolTip(doc.source)
        added = QStandardItem(f"{doc.fetched_at:%Y-%m-%d}")
        added.setToolTip(f"{doc.fetched_at:%Y-%m-%d %H:%M}")
        for item in (title, about, source):
            item.setData(item.text().casefold(), SORT_ROLE)
        added.setData(f"{doc.fetched_at.isoformat()} {doc.id:010d}", SORT_ROLE)
        return [title, about, source, added]

    def selected_ids(self) -> list[int]:
        return [index.data(ID_ROLE) for index in self.tree.selectionModel().selectedRows(0)]

    def say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # ---- removing ---------------------------------------------------------------------------
    def remove_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        try:
            remove_research_documents(self.ctx.lib, ids)
        except BadInput as exc:
            self.say(str(exc))
            return
        self.ctx.notify(f"Removed {plural(len(ids), 'document')}; Edit ▸ Undo brings {'it' if len(ids) == 1 else 'them'} back.")

    # ---- importing --------------------------------------------------------------------------
    def choose_files(self) -> None:
        start = QSettings().value(IMPORT_FOLDER_KEY, str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(self, "Import documents into the knowledge base", start, FILE_FILTER)
        if paths:
            QSettings().setValue(IMPORT_FOLDER_KEY, str(Path(paths[0]).parent))
            self.import_files(paths)

    def import_files(self, paths: list[str]) -> Job | None:
        """Read and add the files as a job, about the competitor the filter shows (or the brand)."""
        if self.brand_id is None or not paths:
            return None
        lib, params = self.ctx.lib, ImportDocsParams(str(self.ctx.lib.root), self.brand_id, [str(p) for p in paths], self.chosen_competitor())
        job = self.ctx.submit(lambda _p, state: import_documents(params, state, lib=lib),
                              title=f"Import {plural(len(paths), 'document')} into research")
        self.say(f"Importing {plural(len(paths), 'file')}…")
        when_finished(self.ctx.bus, job, self._on_import_finished, owner=self)
        return job

    def _on_import_finished(self, job: Job) -> None:
        if job.status == "failed":
            self.say(f"The import failed: {job.error}")
        elif job.status == "cancelled":
            self.say("The import was cancelled; the files read before it stopped were added.")
        else:
            self.say(import_report(job.result))
        self.import_finished.emit(job)

    def dragEnterEvent(self, event) -> None:
        if self.brand_id is not None and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths and self.import_files(paths) is not None:
            event.acceptProposedAction()
