"""The Media library workspace: filters | thumbnail grid | details of the selection."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QSlider, QSplitter, QToolButton, QVBoxLayout, QWidget

from studio.core.ops import assets as asset_ops
from studio.core.ops.tx import row_versions
from studio.core.queries import AssetInfo, all_tags, client_tree, get_asset
from studio.ui.widgets.refresh_when_shown import RefreshWhenShown
from studio.ui.widgets.thumbnail_grid import DEFAULT_CELL, MAX_CELL, MIN_CELL, ThumbnailCache, ThumbnailGridView, themed_icon
from studio.ui.workspaces.media.actions import MediaActions
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.workspaces.media.models import AssetGridModel
from studio.ui.workspaces.media.panels import FilterPanel, MetadataPanel

WATCHED = {"assets", "asset_tags", "campaigns", "brands", "clients"}
EMPTY_LIBRARY = "Drop photos, videos and product shots here — or press Ctrl+I to import"


class MediaLibraryView(RefreshWhenShown, QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._campaigns: list[tuple[int, str]] = []
        self._kept_ids: list[int] = []
        self._import_job = None
        self.seen: dict = {}  # the row version of the asset the details panel shows: its edits are checked against it
        self.model = AssetGridModel(ctx.lib, self)
        self.grid = ThumbnailGridView(ThumbnailCache(parent=self), own_mime=ASSET_IDS_MIME)
        self.grid.setModel(self.model)
        self.preview_cache = ThumbnailCache(max_items=6, max_side=2048, threads=1, parent=self)
        self.filters = FilterPanel()
        self.details = MetadataPanel(self.grid.cache, ctx.lib.root)
        self.actions = MediaActions(self)
        self._build_layout()
        self._filter_timer = QTimer(self, singleShot=True, interval=150)
        self._filter_timer.timeout.connect(self.apply_filter)
        self._refresh_timer = QTimer(self, singleShot=True, interval=80)
        self._refresh_timer.timeout.connect(self.refresh)
        self._connect()
        self.refresh()
        if getattr(ctx, "current_campaign_id", None) is not None:
            self.filters.select_campaign(ctx.current_campaign_id)

    def _build_layout(self) -> None:
        self.import_button = QToolButton(text="Import", toolTip="Import files (Ctrl+I); the arrow imports a folder")
        self.import_button.clicked.connect(self.actions.import_files.trigger)
        self.import_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.import_button.setPopupMode(QToolButton.MenuButtonPopup)
        self.import_button.addActions([self.actions.import_files, self.actions.import_folder])
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, notes and tags")
        self.search.setClearButtonEnabled(True)
        search_icon = self.search.addAction(QIcon(), QLineEdit.LeadingPosition)
        self.count_label = QLabel()
        self.import_progress = QProgressBar(maximumWidth=220, textVisible=True, visible=False)
        self.import_cancel = QToolButton(text="Cancel", visible=False, toolTip="Stop the import (files done so far stay)")
        self.import_cancel.clicked.connect(lambda: self._import_job and self._import_job.cancel())
        self.trash_button = QToolButton()
        self.trash_button.setCheckable(True)
        self.trash_button.setText("Trash")
        self.trash_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.zoom = QSlider(Qt.Horizontal)
        self.zoom.setRange(MIN_CELL, MAX_CELL)
        self.zoom.setValue(DEFAULT_CELL)
        self.zoom.setFixedWidth(120)
        self.zoom.setToolTip("Thumbnail size (Ctrl+= / Ctrl+-)")
        bar = QHBoxLayout()
        bar.addWidget(self.import_button)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.import_progress)
        bar.addWidget(self.import_cancel)
        bar.addWidget(self.count_label)
        bar.addWidget(self.trash_button)
        zoom_reset = QToolButton(autoRaise=True, toolTip="Default thumbnail size")
        zoom_reset.clicked.connect(lambda: self.zoom.setValue(DEFAULT_CELL))
        bar.addWidget(zoom_reset)
        bar.addWidget(self.zoom)
        self._icon_targets = [
            *self.actions.icon_names, (self.import_button, "mdi6.tray-arrow-down"), (search_icon, "mdi6.magnify"),
            (self.trash_button, "mdi6.trash-can-outline"), (zoom_reset, "mdi6.image-size-select-small"),
        ]
        self._tint_icons()
        self.splitter = QSplitter(childrenCollapsible=False)
        self.splitter.addWidget(self.filters)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.details)
        # The grid is the work surface: it gets the room, the side panels keep sensible widths.
        self.filters.setMinimumWidth(170)
        self.filters.setMaximumWidth(280)
        self.grid.setMinimumWidth(340)
        self.details.setMinimumWidth(240)
        self.details.setMaximumWidth(380)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([200, 700, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        bus = self.ctx.bus
        bus.changed.connect(self._on_bus_changed)
        bus.job_changed.connect(self.actions.on_job_changed)
        if hasattr(bus, "campaign_changed"):  # the navigator's selection, where the shell has one
            bus.campaign_changed.connect(self._on_navigator_campaign)
        self.search.textChanged.connect(self._filter_timer.start)
        self.filters.changed.connect(self._filter_timer.start)
        self.trash_button.toggled.connect(self.apply_filter)
        self.zoom.valueChanged.connect(self.grid.set_cell_size)
        self.model.loaded.connect(self._on_model_loaded)
        self.model.modelAboutToBeReset.connect(self._on_model_about_to_reset)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.grid.files_dropped.connect(self.actions.start_import)
        self.grid.activated.connect(lambda _index: self.details.focus_name())
        self.grid.setContextMenuPolicy(Qt.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._on_grid_context_menu)
        self.details.rename_requested.connect(lambda asset_id, name: self.actions.run_edit(asset_ops.rename_asset, asset_id, name))
        self.details.notes_edited.connect(lambda asset_id, notes: self.actions.run_edit(asset_ops.set_notes, asset_id, notes))
        self.details.tag_added.connect(lambda ids, tag: self.actions.run_op(asset_ops.add_tag, ids, tag))
        self.details.tag_removed.connect(lambda ids, tag: self.actions.run_op(asset_ops.remove_tag, ids, tag))

    def _on_grid_context_menu(self, pos) -> None:
        self.actions.context_menu().popup(self.grid.viewport().mapToGlobal(pos))

    def _tint_icons(self) -> None:
        color = self.palette().color(QPalette.ButtonText)
        for target, name in self._icon_targets:
            target.setIcon(themed_icon(name, color))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange:  # the theme switched: icons follow
            self._tint_icons()

    # ---- state the actions ask for ---------------------------------------------------------
    def selected_assets(self) -> list[AssetInfo]:
        return self.model.assets_at(self.grid.selectionModel().selectedIndexes())

    def selected_ids(self) -> list[int]:
        return [a.id for a in self.selected_assets()]

    def showing_trash(self) -> bool:
        return self.trash_button.isChecked()

    def campaigns(self) -> list[tuple[int, str]]:
        return list(self._campaigns)

    def import_campaign_id(self) -> int | None:
        """The navigator's campaign if the shell has one, else the campaign being filtered on."""
        navigator = getattr(self.ctx, "current_campaign_id", None)
        return navigator if navigator is not None else self.model.filter.campaign_id

    def show_import_progress(self, job) -> None:
        """The running import (None: none) in the toolbar; the jobs panel shows it too."""
        self._import_job = job
        self.import_progress.setVisible(job is not None)
        self.import_cancel.setVisible(job is not None)
        if job is not None:
            self.import_progress.setValue(round((job.state.progress or 0) * 100))
            self.import_progress.setFormat(f"{job.state.status or 'Importing'}  %p%")

    def zoom_by(self, step: int) -> None:
        self.zoom.setValue(self.zoom.value() + step)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ---- refreshing -------------------------------------------------------------------------
    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self.model.set_filter(self.filters.asset_filter(self.search.text(), self.showing_trash()))

    def refresh(self) -> None:
        """Reload the choices (campaigns, tags) and the grid, keeping the filter."""
        self._campaigns = [
            (campaign.id, f"{client.name} ▸ {brand.name} ▸ {campaign.name}")
            for client in client_tree(self.ctx.lib) for brand in client.brands for campaign in brand.campaigns
        ]
        tags = all_tags(self.ctx.lib)
        self.filters.blockSignals(True)
        self.filters.set_campaigns(self._campaigns)
        self.filters.set_tags(tags)
        self.filters.blockSignals(False)
        self.details.set_known_tags(tags)
        self.apply_filter()

    def _on_bus_changed(self, result) -> None:
        if not WATCHED & set(result.changes):
            return
        self.follow_change(self._refresh_timer.start)  # an import commits in batches: one reload for a burst

    def _on_navigator_campaign(self, campaign) -> None:
        self.filters.select_campaign(getattr(campaign, "id", campaign))

    def _on_model_about_to_reset(self) -> None:
        self._kept_ids = self.selected_ids()

    def _on_model_loaded(self) -> None:
        kept = [row for row in (self.model.row_of(i) for i in self._kept_ids) if row is not None]
        self._kept_ids = []
        if kept:
            self._select_rows(kept)
        count = self.model.rowCount()
        noun = "in the Trash" if self.showing_trash() else ("asset" if count == 1 else "assets")
        self.count_label.setText(f"{count:,} {noun}")
        if self.model.library_empty:
            self.grid.set_empty_state("mdi6.image-multiple-outline", EMPTY_LIBRARY)
        elif self.showing_trash():
            self.grid.set_empty_state("mdi6.trash-can-outline", "The Trash is empty")
        else:
            self.grid.set_empty_state("mdi6.filter-remove-outline", "No assets match these filters")
        self._on_selection_changed()

    def _select_rows(self, rows: list[int]) -> None:
        selection = QItemSelection()
        start = prev = None
        for row in sorted(rows) + [None]:  # contiguous runs become one range each
            if start is not None and (row is None or row != prev + 1):
                selection.select(self.model.index(start), self.model.index(prev))
                start = None
            if start is None:
                start = row
            prev = row
        self.grid.selectionModel().select(selection, QItemSelectionModel.ClearAndSelect)

    def _on_selection_changed(self, *_args) -> None:
        assets = self.selected_assets()
        seen = {}
        if len(assets) == 1 and self.details.typing(assets[0].id):
            seen = self.seen  # what is typed was typed over the version read before
        elif len(assets) == 1:
            # Its version first, then its data: a colleague's save slipping in between makes a needless
            # question at worst, never a lost change.
            seen = row_versions(self.ctx.lib, ("assets", assets[0].id))
            assets = [get_asset(self.ctx.lib, assets[0].id) or assets[0]]
        self.details.set_assets(assets, dict(self._campaigns))  # may save the last asset's notes: with its version
        self.seen = seen
        self.actions.update_enabled(len(assets), self.showing_trash())
