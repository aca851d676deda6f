"""The Research workspace for the navigator's campaign's brand: its profile | its documents (own and
competitors') | search, competitors and trends. Crawls and imports run as jobs; every edit is a
core op (Edit ▸ Undo); the panes follow the library's changes. Ctrl+F searches."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QTabWidget,
    QWidget,
)

from studio.core.errors import BadInput
from studio.core.ops.brand_rules import campaign_brand
from studio.core.research.profile import get_brand_profile
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.workspace_frame import add_bar_action, stack_under, workspace_bar
from studio.ui.workspaces.research.compare_panel import CompetitorsTab
from studio.ui.workspaces.research.crawl_dialog import CrawlDialog
from studio.ui.workspaces.research.documents_panel import DocumentsPanel
from studio.ui.workspaces.research.profile_panel import ProfilePanel
from studio.ui.workspaces.research.search_panel import SearchPanel
from studio.ui.workspaces.research.trends_panel import TrendsTab

WATCHED = {"brands", "brand_profiles", "research_documents", "campaigns"}
SPLITTER_KEY = "research/splitter"


class ResearchView(RefreshWhenShown, QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.brand_id: int | None = None
        self.profile_panel = ProfilePanel(ctx)
        self.documents = DocumentsPanel(ctx)
        self.search = SearchPanel(ctx)
        self.competitors = CompetitorsTab(ctx)
        self.trends = TrendsTab()
        self._build()
        self.documents.crawl_requested.connect(self.crawl_site)
        self.documents.document_activated.connect(self.show_document)
        ctx.bus.changed.connect(self._on_bus_changed)
        ctx.bus.campaign_changed.connect(lambda _c: self.follow_change())
        self.refresh()

    def _build(self) -> None:
        bar = workspace_bar()
        self.brand_title = QLabel(objectName="PanelTitle", textFormat=Qt.PlainText)
        self.brand_title.setContentsMargins(10, 0, 14, 0)
        bar.addWidget(self.brand_title)
        self.crawl_action = add_bar_action(self, bar, "mdi6.web", "Crawl site…", "", "Crawl the brand's or a competitor's site into the knowledge base",
                                         lambda: self.crawl_site(self.documents.chosen_competitor()))
        self.import_action = add_bar_action(self, bar, "mdi6.file-import-outline", "Import documents…", "",
                                          "Add saved pages, PDF, Word, Markdown or text files to the knowledge base", self.documents.choose_files)
        self.find_action = add_bar_action(self, bar, "mdi6.magnify", "Search", QKeySequence(QKeySequence.Find).toString(),
                                        "Search the knowledge base", self.focus_search)

        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.search, theme().icon("mdi6.text-search"), "Search")
        self.tabs.addTab(self.competitors, theme().icon("mdi6.sword-cross"), "Competitors")
        self.tabs.addTab(self.trends, theme().icon("mdi6.chart-timeline-variant"), "Trends")
        self.splitter = QSplitter()
        for pane in (self.profile_panel, self.documents, self.tabs):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([280, 560, 440])
        state = QSettings().value(SPLITTER_KEY)
        if state:
            self.splitter.restoreState(state)
        self.splitter.splitterMoved.connect(lambda *_: QSettings().setValue(SPLITTER_KEY, self.splitter.saveState()))

        self.no_brand = EmptyState("mdi6.magnify-scan", "Pick a campaign",
                                   "Choose a campaign in the navigator: its brand's profile, documents and research show here.")
        self.stack = stack_under(self, bar, self.splitter, self.no_brand)

    # ---- what is shown ---------------------------------------------------------------------
    def refresh(self) -> None:
        campaign_id = self.ctx.current_campaign_id
        try:
            self.brand_id = campaign_brand(self.ctx.lib, campaign_id) if campaign_id is not None else None
            profile = get_brand_profile(self.ctx.lib, self.brand_id) if self.brand_id is not None else None
        except BadInput:  # the campaign or its brand was deleted
            self.brand_id, profile = None, None
        for action in (self.crawl_action, self.import_action, self.find_action):
            action.setEnabled(profile is not None)
        if profile is None:
            self.stack.setCurrentWidget(self.no_brand)
            self.brand_title.setText("")
            return
        self.stack.setCurrentWidget(self.splitter)
        self.brand_title.setText(f"RESEARCH · {profile.name.upper()}")
        self.profile_panel.show_brand(self.brand_id)
        self.documents.show_brand(self.brand_id, profile.name, [c.name for c in profile.competitors])
        self.search.set_brand(self.brand_id)
        self.competitors.set_brand(self.brand_id)

    def _on_bus_changed(self, result) -> None:
        if WATCHED & set(result.changes):
            self.follow_change()

    # ---- actions ----------------------------------------------------------------------------
    def crawl_site(self, competitor: str | None = None) -> CrawlDialog | None:
        if self.brand_id is None:
            return None
        dialog = CrawlDialog(self.ctx, get_brand_profile(self.ctx.lib, self.brand_id), competitor, self)
        dialog.open()
        return dialog

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.search)
        self.search.focus()

    def show_document(self, document_id: int) -> None:
        self.tabs.setCurrentWidget(self.search)
        self.search.show_document(document_id)
