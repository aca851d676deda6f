"""The Creative workspace: composition picker on top; media bin | viewer | inspector;
the timeline below. Edits go through the controller (core ops, one undo step each)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QInputDialog, QLabel, QMenu, QPushButton, QSplitter, QStackedWidget, QToolBar, QToolButton,
    QVBoxLayout, QWidget,
)
from superqt import QElidingLabel

from studio.core.assets import importer
from studio.core.timeline.store import list_compositions
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.thumbnail_grid import ThumbnailCache
from studio.ui.workspaces.creative.actions import CreativeActions
from studio.ui.workspaces.creative.bin import MediaBin
from studio.ui.workspaces.creative.export import Exporter
from studio.ui.workspaces.creative.inspector import InspectorPanel
from studio.ui.workspaces.creative.timeline import TimelineView
from studio.ui.workspaces.creative.timeline_model import ASPECTS, TimelineController
from studio.ui.workspaces.creative.variant_bar import VariantBar
from studio.ui.workspaces.creative.viewer import ViewerWidget

EMPTY_TITLE = "Create a composition to start editing"
EMPTY_TEXT = "Pick the format of the ad. Each composition is 30 fps and 15 s to start with; drag media onto its tracks."


class CreativeView(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.controller = TimelineController(ctx, self)
        self.thumbnails = ThumbnailCache(max_items=300, parent=self)
        self._import_jobs: dict[int, tuple[str | None, int]] = {}  # job id -> where its files go
        self._infos = []
        self._dirty = False
        self.bin = MediaBin(ctx, self.thumbnails)
        self.viewer = ViewerWidget(ctx, self.controller)
        self.inspector = InspectorPanel(self.controller)
        self.timeline = TimelineView(self.controller, self.thumbnails, ctx.lib.root)
        self.actions = CreativeActions(self)
        self._build()
        self._connect()
        self.refresh_list()
        infos = self._infos
        if infos:
            self.open_composition(infos[0].id)
        else:
            self._show_page()

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.comp_combo = QComboBox(minimumWidth=220, toolTip="The composition being edited")
        self.comp_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.comp_combo.setMinimumContentsLength(36)
        self.comp_combo.setPlaceholderText("No compositions yet")
        self.new_button = QToolButton(text="New", toolTip="New composition", popupMode=QToolButton.InstantPopup)
        self.new_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        menu = QMenu(self.new_button)
        for label, (w, h) in ASPECTS.items():
            menu.addAction(label, lambda w=w, h=h, label=label: self.new_composition(w, h, label.split()[0]))
        self.new_button.setMenu(menu)
        self.rename_button = QToolButton(toolTip="Rename the composition")
        self.rename_button.clicked.connect(self.rename_composition)
        self.delete_button = QToolButton(toolTip="Delete the composition (Edit ▸ Undo brings it back)")
        self.delete_button.clicked.connect(self.controller.delete)
        self.info_label = QElidingLabel(objectName="Muted")  # gives way, with "…", in a narrow window
        top = QHBoxLayout()
        top.setContentsMargins(10, 8, 10, 8)
        top.setSpacing(6)
        top.addWidget(QLabel("Composition"))
        top.addWidget(self.comp_combo)
        top.addWidget(self.rename_button)
        top.addWidget(self.delete_button)
        top.addWidget(self.new_button)
        top.addSpacing(12)
        self.variant_bar = VariantBar(self.ctx, self.controller)
        top.addWidget(self.variant_bar)
        top.addSpacing(12)
        top.addWidget(self.info_label, 1)
        self.exporter = Exporter(self.ctx, self.controller, self)
        top.addWidget(self.exporter.button)

        # the timeline panel: its toolbar, then the tracks
        tools = QToolBar()
        tools.setIconSize(QSize(18, 18))
        tools.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        a = self.actions
        tools.addAction(a.add_text)
        tools.addAction(a.add_shape)
        tools.addAction(a.add_track)
        tools.widgetForAction(a.add_track).setPopupMode(QToolButton.InstantPopup)
        tools.addSeparator()
        tools.setToolButtonStyle(Qt.ToolButtonIconOnly)
        for action in (a.split, a.delete, a.ripple_delete, a.add_transition, a.keyframe_lanes):
            tools.addAction(action)
        tools.addSeparator()
        tools.addAction(a.snapping)
        tools.addAction(a.marker)
        spacer = QWidget()
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        tools.addWidget(spacer)
        for action in (a.zoom_out, a.zoom_in, a.fit):
            tools.addAction(action)
        for action in (a.add_text, a.add_shape, a.add_track):
            button = tools.widgetForAction(action)
            if button is not None:
                button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.timeline_tools = tools
        timeline_panel = QWidget(objectName="Panel")
        timeline_panel.setAttribute(Qt.WA_StyledBackground)
        tl_layout = QVBoxLayout(timeline_panel)
        tl_layout.setContentsMargins(0, 0, 0, 0)
        tl_layout.setSpacing(0)
        tl_layout.addWidget(tools)
        tl_layout.addWidget(self.timeline, 1)

        self.upper = QSplitter(Qt.Horizontal, childrenCollapsible=False)
        self.upper.addWidget(self.bin)
        self.upper.addWidget(self.viewer)
        self.upper.addWidget(self.inspector)
        self.bin.setMinimumWidth(200)
        self.inspector.setMinimumWidth(260)
        self.upper.setStretchFactor(0, 0)
        self.upper.setStretchFactor(1, 1)
        self.upper.setStretchFactor(2, 0)
        self.upper.setSizes([260, 700, 300])
        self.main_split = QSplitter(Qt.Vertical, childrenCollapsible=False)
        self.main_split.addWidget(self.upper)
        self.main_split.addWidget(timeline_panel)
        self.main_split.setStretchFactor(0, 3)
        self.main_split.setStretchFactor(1, 2)
        self.main_split.setSizes([520, 320])
        settings = QSettings()
        for splitter, key in ((self.upper, "creative/upper"), (self.main_split, "creative/main")):
            state = settings.value(key)
            if state is not None:
                splitter.restoreState(state)
            splitter.splitterMoved.connect(lambda *_a, s=splitter, k=key: QSettings().setValue(k, s.saveState()))

        self.empty = EmptyState("mdi6.movie-open-edit-outline", EMPTY_TITLE, EMPTY_TEXT)
        self.empty_buttons = []
        for label, (w, h) in ASPECTS.items():
            button = QPushButton(label)
            if not self.empty_buttons:
                button.setProperty("primary", True)
            button.clicked.connect(lambda _=False, w=w, h=h, label=label: self.new_composition(w, h, label.split()[0]))
            self.empty.add_button(button)
            self.empty_buttons.append(button)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.main_split)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        top_host = QWidget(objectName="PanelHeader")
        top_host.setAttribute(Qt.WA_StyledBackground)
        top_host.setLayout(top)
        layout.addWidget(top_host)
        layout.addWidget(self.pages, 1)
        self._icon_targets = [(self.new_button, "mdi6.plus"), (self.rename_button, "mdi6.pencil-outline"),
                              (self.delete_button, "mdi6.trash-can-outline")]
        self._retint()

    def _retint(self) -> None:
        for button, icon in self._icon_targets:
            button.setIcon(theme().icon(icon))

    def _connect(self) -> None:
        c = self.controller
        self.comp_combo.activated.connect(self._on_combo_activated)
        c.loaded.connect(self._on_loaded)
        c.composition_changed.connect(self._on_composition_changed)
        c.variant_changed.connect(self._on_composition_changed)  # the info shows the shown variant's size
        c.selection_changed.connect(self.actions.update_enabled)
        c.marks_changed.connect(self.timeline.viewport().update)
        self.timeline.assets_dropped.connect(lambda ids, track, frame: c.add_assets(ids, track, frame))
        self.timeline.files_dropped.connect(self.import_and_place)
        if hasattr(self.timeline, "relink_requested"):
            self.timeline.relink_requested.connect(self.viewer.open_relink)
        self.bin.files_dropped.connect(lambda paths: self.import_and_place(paths, None, None))
        self.bin.import_requested.connect(self._on_import_requested)
        self.ctx.bus.changed.connect(self._on_bus_changed)
        self.ctx.bus.job_changed.connect(self._on_job_changed)
        self.ctx.bus.campaign_changed.connect(lambda _c: self.refresh_list())
        theme().changed.connect(self._retint)

    # ---- compositions ---------------------------------------------------------------------------
    def refresh_list(self) -> None:
        self._dirty = False
        campaign = self.ctx.current_campaign_id
        infos = list_compositions(self.ctx.lib, campaign)
        if campaign is not None and self.controller.composition_id is not None and not any(i.id == self.controller.composition_id for i in infos):
            infos = list_compositions(self.ctx.lib)  # the open one belongs elsewhere: list them all
        self._infos = sorted(infos, key=lambda i: i.name.lower())
        self.comp_combo.blockSignals(True)
        self.comp_combo.clear()
        for info in self._infos:
            self.comp_combo.addItem(f"{info.name}   ·   {info.width}×{info.height}", info.id)
        index = self.comp_combo.findData(self.controller.composition_id)
        self.comp_combo.setCurrentIndex(index)
        self.comp_combo.blockSignals(False)
        self.comp_combo.setEnabled(bool(self._infos))

    def open_composition(self, composition_id: int | None) -> None:
        self.viewer.playback.stop()
        self.controller.load(composition_id)

    def new_composition(self, width: int, height: int, aspect: str = "") -> int | None:
        taken = {i.name for i in list_compositions(self.ctx.lib)}
        n = 1
        while f"Ad {aspect} #{n}".replace("  ", " ") in taken:
            n += 1
        new_id = self.controller.create(f"Ad {aspect} #{n}".replace("  ", " "), width, height, self.ctx.current_campaign_id)
        self.refresh_list()
        return new_id

    def rename_composition(self) -> None:
        comp = self.controller.composition
        if comp is None:
            return
        name, ok = QInputDialog.getText(self, "Rename composition", "Name", text=comp.name)
        if ok:
            self.controller.rename(name)

    def _on_combo_activated(self, index: int) -> None:
        composition_id = self.comp_combo.itemData(index)
        if composition_id != self.controller.composition_id:
            self.open_composition(composition_id)

    def _on_loaded(self, composition_id) -> None:
        if composition_id is None:
            # the open one went away (deleted, or its creation undone): open another, if any
            self.refresh_list()
            if self._infos:
                self.controller.load(self._infos[0].id)
                return
        index = self.comp_combo.findData(composition_id)
        if index < 0 and composition_id is not None:
            self.refresh_list()
        else:
            self.comp_combo.setCurrentIndex(index)
        self._show_page()

    def _show_page(self) -> None:
        has = self.controller.composition is not None
        self.pages.setCurrentWidget(self.main_split if has else self.empty)
        for w in (self.rename_button, self.delete_button):
            w.setEnabled(has)
        self.actions.update_enabled()

    def _on_composition_changed(self) -> None:
        comp = self.controller.display_composition()
        if comp is None:
            self.info_label.setText("")
        else:
            fps = comp.fps[0] / comp.fps[1]
            clips = sum(1 for _ in comp.clips())
            self.info_label.setText(f"{comp.width}×{comp.height}  ·  {fps:g} fps  ·  {comp.seconds(comp.duration):g} s  ·  "
                                    f"{clips} clip{'s' if clips != 1 else ''}")
        self._show_page()

    def _on_bus_changed(self, result) -> None:
        if "compositions" in set(result.changes):
            if self.isVisible():
                self.refresh_list()
                if self.controller.composition_id is None and self._infos:
                    self.controller.load(self._infos[0].id)
            else:
                self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh_list()

    # ---- files from the OS: import, then place ----------------------------------------------
    def _on_import_requested(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(self, "Import media", "", "Media (*.jpg *.jpeg *.png *.webp *.gif *.tif *.tiff *.bmp "
                                                "*.heic *.mp4 *.mov *.m4v *.webm *.mkv *.avi *.mp3 *.wav *.aac *.m4a *.flac *.ogg);;All files (*)")
        if paths:
            self.import_and_place(paths, None, None)

    def import_and_place(self, paths: list[str], track_id: str | None, frame: int | None):
        """Import files as a job (the jobs panel shows it); with a frame, place them there after."""
        params = importer.ImportParams(str(self.ctx.lib.root), list(paths), self.ctx.current_campaign_id)
        title = f"Import {len(paths)} item{'s' if len(paths) != 1 else ''}"
        job = self.ctx.submit(importer.run, params, title=title, lane="io", lib=self.ctx.lib, pool=self.ctx.runner.process_pool)
        self._import_jobs[job.id] = (track_id, frame)
        return job

    def _on_job_changed(self, job) -> None:
        if job.id not in self._import_jobs or not job.finished:
            return
        track_id, frame = self._import_jobs.pop(job.id)
        if job.status == "failed":
            self.ctx.notify(f"The import failed: {job.error}", "error")
            return
        report = job.result or importer.ImportReport(cancelled=True)
        ids = [row["id"] for row in report.imported] + [s["asset_id"] for s in report.skipped if s.get("asset_id")]
        if report.skipped and not ids:
            self.ctx.notify(f"Nothing was imported: {report.skipped[0]['reason']}", "warning")
        if frame is not None and ids and self.controller.composition is not None:
            self.controller.add_assets(ids, track_id, frame)

    # ---- lifetime -------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.viewer.shutdown()
        super().closeEvent(event)
