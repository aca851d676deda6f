"""The Kata workspace: image bin and saved placements | scene canvas | product, compositing and score.

Open a scene (double-click an image, or drop one on the empty canvas), then drop a product
on it: it snaps to the best zone nearby and is composited. Each placement is a stored
recipe, so every move, scale, rotation or setting is one step of Edit ▸ Undo; saved
placements reopen from the list under the bin. Analysis, cut-out and zone finding run as
jobs (progress and Cancel in the jobs panel); the live preview runs on a worker thread.

A placement in a video opens on its anchor frame with a track bar: scrub to any frame to see
the product where the track puts it, move the product there and Retrack from here (a job;
Edit ▸ Undo brings the old track back). Its settings were fixed when it was tracked. To start
one, double-click a video in the bin and pick the product: it is placed at the best zone of
frame 0 (one step of Edit ▸ Undo) and tracked through the clip (a job; another step).

Saves name the recipe's row version the view showed: if a colleague saved the recipe in between, the
save is refused (ConflictError), the window asks whose to keep, and the view follows what is stored
then. This view's own saves in a row (a drag) never count as someone else's."""

from __future__ import annotations

import copy
import functools
import hashlib
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import ConflictError, StudioError
from studio.core.jobs import user_message
from studio.core.kata_video import job as track_job
from studio.core.ops import kata as kata_ops
from studio.core.ops.tx import edited_from, row_versions
from studio.core.queries import AssetFilter, get_asset, list_assets
from studio.kata.compose import Placement
from studio.kata.product import CATEGORY_HEIGHTS_M
from studio.kata.recipe import PlacementSpec, Recipe
from studio.ui.shell.parts import EmptyState
from studio.ui.shell.theme import theme
from studio.ui.widgets.latest_only import LatestOnly
from studio.ui.widgets.thumbnail_grid import ThumbnailCache
from studio.ui.workspaces.kata import work
from studio.ui.workspaces.kata.batch_dialog import BatchDialog
from studio.ui.workspaces.kata.bin import ImageBin
from studio.ui.workspaces.kata.canvas import SceneCanvas
from studio.ui.workspaces.kata.latest_job import LatestJob
from studio.ui.workspaces.kata.panel import KataPanel
from studio.ui.workspaces.kata.recipes import RecipeList
from studio.ui.workspaces.kata.track_panel import TrackBar

HOLD_MS = 400  # a press on Before/After longer than this is a peek, not a toggle
NO_ZONE = "No place for a product in this scene — drag it where you want it; Kata will not snap."


def _guarded(fn):
    """A worker's result or the user-facing message of its error (LatestOnly passes no errors on)."""
    def run():
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - the message reaches the user; a worker's crash would lose it
            return _Failure(user_message(exc))
    return run


class _Failure:
    def __init__(self, message: str):
        self.message = message


class AdaptiveToolBar(QToolBar):
    """Text beside the main buttons' icons while there is room; icons only (the text is in their
    tooltips) when the canvas column is narrow, so no button falls off the end."""

    def __init__(self):
        super().__init__()
        self.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.texts: list = []  # the buttons that show their text when there is room

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        compact = event.size().width() < self._width_with_texts()
        for button in self.texts:
            button.setToolButtonStyle(Qt.ToolButtonIconOnly if compact else Qt.ToolButtonTextBesideIcon)

    def _width_with_texts(self) -> int:
        hidden = [b for b in self.texts if b.toolButtonStyle() == Qt.ToolButtonIconOnly]
        return self.sizeHint().width() + sum(b.fontMetrics().horizontalAdvance(b.text()) + 8 for b in hidden)


class KataView(QWidget):
    scene_ready = Signal()  # a scene is open and analysed
    preview_ready = Signal()  # a new composite and score are shown
    frame_ready = Signal()  # a frame of an open video placement is shown

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.resolve = kata_ops.library_resolver(ctx.lib)
        self.scene_ref = self.product_ref = None  # asset id or file path
        self.scene: work.OpenScene | None = None
        self.product = None
        self.zones: list = []
        self.heat = None
        self.placement = None
        self.zone_id: int | None = None
        self.recipe_id: int | None = None
        self._recipe_name: str | None = None  # set by Save recipe…; else named after the product and scene
        self._stored: dict | None = None  # the recipe document as this view last wrote or read it
        self.seen: dict = {}  # the recipe's row version as this view read it (row_versions): saves go on from it
        self.last_preview: work.Preview | None = None
        self._preview_pending = False
        self.video: work.VideoSession | None = None  # the open placement is in a video
        self.frame_view: work.FrameView | None = None  # the video frame shown
        self.pending: tuple[int, Placement] | None = None  # the product moved on a video frame, not yet retracked
        self._featureless: track_job.TrackParams | None = None  # the tracking that offered a fixed placement
        self.showing_before = False
        self._restored = False  # the last open placement is reopened on first show
        QThreadPool.globalInstance().start(work.warm_up)
        self._preview_worker = LatestOnly(self)
        self._preview_worker.finished.connect(self._on_preview)
        self.jobs = LatestJob(ctx, self)
        self.jobs.progressed.connect(self._on_job_progressed)
        self.jobs.stopped.connect(self._on_job_stopped)
        self.thumbnails = ThumbnailCache(max_items=200, parent=self)
        self.bin = ImageBin(ctx, self.thumbnails)
        self.canvas = SceneCanvas()
        self.panel = KataPanel()
        self.recipes = RecipeList(ctx)
        self.track_bar = TrackBar()
        self._frames_worker = LatestOnly(self)
        self._frames_worker.finished.connect(self._on_frame)
        self._build()
        self.track_bar.frame_changed.connect(self.show_frame)
        self.track_bar.retrack_requested.connect(self.retrack)
        self.track_bar.fixed_requested.connect(self.use_fixed_placement)
        self.recipes.recipe_chosen.connect(self.open_recipe)
        self.canvas.cancel_requested.connect(self.jobs.cancel)
        self.panel.size_changed.connect(self._on_size_changed)
        self.bin.scene_chosen.connect(self.open_scene)
        self.bin.video_chosen.connect(self.place_in_video)
        self.canvas.dropped.connect(self._on_drop)
        self.canvas.product_moved.connect(self._on_moved)
        self.canvas.product_scaled.connect(lambda k: self._change(height_px=self.placement.height_px * k, label="Scale product"))
        self.canvas.product_rotated.connect(self.panel.rotation.setValue)  # the panel's change rotates it
        self.panel.params_changed.connect(lambda _p: self._change(label="Change compositing settings"))
        self.panel.rotation_changed.connect(lambda deg: self._change(rotation_deg=deg, label="Rotate product"))
        ctx.bus.changed.connect(self._on_library_changed)
        self._update_actions()

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        bar = AdaptiveToolBar()
        self.heat_action = self._action(bar, "mdi6.fire", "Heat map", "H", "Show where a product fits best, and the ranked zones", checkable=True)
        self.heat_action.toggled.connect(self.canvas.set_overlay_visible)
        self.before_action = self._action(bar, "mdi6.compare", "Before/After", "B", "Show the scene without the product (hold the button to peek)", checkable=True)
        self.before_action.toggled.connect(self.show_before)
        self._peek_while_held(bar, self.before_action)
        bar.addSeparator()
        self._action(bar, "mdi6.fit-to-screen-outline", "Fit", "Ctrl+0", "Fit the scene in the window", slot=self.canvas.fit, icon_only=True)
        self._action(bar, "mdi6.magnify-plus-outline", "Zoom in", "Ctrl+=", "Zoom in (mouse wheel)", slot=lambda: self.canvas.zoom(1), icon_only=True)
        self._action(bar, "mdi6.magnify-minus-outline", "Zoom out", "Ctrl+-", "Zoom out (mouse wheel)", slot=lambda: self.canvas.zoom(-1), icon_only=True)
        bar.addSeparator()
        self.save_recipe_action = self._action(bar, "mdi6.content-save-outline", "Save recipe…", "Ctrl+Shift+S", "Name this placement; it is kept as a recipe in the library", slot=self.save_recipe, icon_only=True)
        self.save_asset_action = self._action(bar, "mdi6.image-plus-outline", "Save as asset", "Ctrl+E", "Render the placement at full resolution into the library", slot=self.save_as_asset)
        self._action(bar, "mdi6.view-grid-plus-outline", "Batch…", "Ctrl+Shift+K", "Place several products in several scenes: one PNG each and a contact sheet", slot=self.open_batch, icon_only=True)
        QShortcut(QKeySequence("["), self, lambda: self._nudge_rotation(-1))
        QShortcut(QKeySequence("]"), self, lambda: self._nudge_rotation(1))
        self.status = QLabel(objectName="Muted")
        self.status.setContentsMargins(10, 4, 10, 4)
        self.empty = EmptyState("mdi6.image-filter-center-focus-weak", "Open a scene to place a product in",
                                "Double-click an image in the bin, or drop a photo here. Then drag a product cut-out onto it.")
        self.empty.setAcceptDrops(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.canvas)
        self.setAcceptDrops(True)
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(bar)
        column.addWidget(self.stack, 1)
        column.addWidget(self.track_bar)
        self.track_bar.hide()
        column.addWidget(self.status)
        left = QSplitter(Qt.Vertical)
        left.addWidget(self.bin)
        left.addWidget(self.recipes)
        left.setStretchFactor(0, 1)
        left.setSizes([480, 200])
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(centre)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([230, 880, 280])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _action(self, bar, icon, text, key, tip, *, slot=None, checkable=False, icon_only=False):
        action = bar.addAction(theme().icon(icon), text)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        action.setToolTip(f"{tip} ({QKeySequence(key).toString(QKeySequence.NativeText)})")
        action.setCheckable(checkable)
        self.addAction(action)
        if slot:
            action.triggered.connect(slot)
        if icon_only:
            bar.widgetForAction(action).setToolButtonStyle(Qt.ToolButtonIconOnly)
        else:
            bar.texts.append(bar.widgetForAction(action))
        return action

    def _peek_while_held(self, bar, action) -> None:
        """A click on the action's button toggles it; holding the button shows the other state only while held."""
        button, held = bar.widgetForAction(action), QElapsedTimer()

        def pressed():
            held.start()
            self.show_before(not action.isChecked())

        def released():
            if held.elapsed() > HOLD_MS:  # the release still clicks (toggles); toggle back after it
                QTimer.singleShot(0, action.toggle)

        button.pressed.connect(pressed)
        button.released.connect(released)

    # ---- drops on the empty state go to the canvas ---------------------------------------------
    def dragEnterEvent(self, event) -> None:
        self.canvas.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        self.canvas.dropEvent(event)

    # ---- jobs: analysis, cut-out and zones ------------------------------------------------------
    def _run(self, fn, request, title: str, then):
        """fn as the workspace's job (a newer one supersedes it); the canvas shows it is busy."""
        job = self.jobs.submit(fn, request, title=title, then=then)
        self.stack.setCurrentWidget(self.canvas)
        self._set_status("")
        self.panel.set_size_enabled(False)
        return job

    def _on_job_progressed(self, job) -> None:
        self.canvas.set_busy(job.state.status or job.title, job.state.progress)
        self._sync_rendering()

    def _on_job_stopped(self, job) -> None:
        self.canvas.set_busy(None)
        self._sync_rendering()
        self.panel.set_size_enabled(self.product is not None)
        if self.scene is None:
            self.stack.setCurrentWidget(self.empty)
        if job.status == "failed":
            self._set_status(f"{job.title} failed: {job.error}", error=True)
        elif job.state.cancelled:  # from the jobs panel or the canvas's Cancel; a superseding job clears this
            self._set_status(f"{job.title} was cancelled; the workspace is as it was.")

    # ---- scene -------------------------------------------------------------------------------
    def open_scene(self, ref):
        """Open an image (asset id or file path) as the scene; returns the analysis job (None with the reason shown)."""
        asset = get_asset(self.ctx.lib, ref) if isinstance(ref, int) else None
        if asset is not None and asset.kind == "video":  # a video dropped on the empty canvas
            return self.place_in_video(ref)
        try:
            path = self.resolve(ref)
        except StudioError as exc:
            return self.ctx.notify(str(exc), "warning")
        return self._run(work.scene_job, work.SceneRequest(path, self.product), f"Analyse {self._display_name(ref)}",
                         lambda ready: self._on_scene_opened(ref, ready))

    # ---- a product placed in a video ------------------------------------------------------------
    def place_in_video(self, video_id: int):
        """Ask which library image is the product, place it at the best zone of the clip's frame 0 as
        a new recipe, open it and track it. Returns the job preparing it (None when nothing was chosen)."""
        product_id = self._choose_product()
        if product_id is None:
            return None
        name = f"{self._display_name(product_id)} in {self._display_name(video_id)}"
        try:
            request = work.VideoEntryRequest(name, video_id, product_id, self.resolve(video_id), self.resolve(product_id),
                                             self._remembered_size(product_id), self.resolve, self.ctx.lib.root)
        except StudioError as exc:
            return self.ctx.notify(str(exc), "warning")
        return self._run(work.video_entry_job, request, f"Place {name}", self._on_video_placed)

    def _choose_product(self) -> int | None:
        images = list_assets(self.ctx.lib, AssetFilter(kinds=("image",)))
        if not images:
            self.ctx.notify("There is no image to place: import a product cut-out in Media first.", "warning")
            return None
        counts = {}
        for a in images:
            counts[a.name] = counts.get(a.name, 0) + 1
        labels = [a.name if counts[a.name] == 1 else f"{a.name} (#{a.id})" for a in images]  # the same name twice: told apart
        label, ok = QInputDialog.getItem(self, "Place a product in this video", "Product:", labels, 0, False)
        return images[labels.index(label)].id if ok and label in labels else None

    def _on_video_placed(self, ready: work.Ready) -> None:
        recipe = ready.video.recipe
        try:
            created = kata_ops.create_recipe(self.ctx.lib, recipe, self.ctx.current_campaign_id)
        except StudioError as exc:
            ready.video.close()
            return self.ctx.notify(str(exc), "warning")
        recipe_id = created.value
        self._on_recipe_opened(recipe_id, recipe, created.versions, ready)
        self._track(track_job.TrackParams(recipe_id), f"Track {recipe.name}")

    def _on_scene_opened(self, ref, ready: work.Ready) -> None:
        self._close_video()
        self.scene_ref, self.recipe_id, self._recipe_name = ref, None, None
        self._show_scene(ready)
        self._set_status(f"Depth: {ready.scene.analysis.depth_source} · {len(ready.scene.analysis.surfaces)} surfaces")
        if not self.zones:
            self._set_status(NO_ZONE)
        self._update_actions()
        self.scene_ready.emit()
        if self.product is not None:
            self._place(*self._default_drop(), snap_to_zone=True)

    def _show_scene(self, ready: work.Ready) -> None:
        self.scene, self.placement, self.last_preview = ready.scene, None, None
        self.stack.setCurrentWidget(self.canvas)
        self.canvas.set_image(ready.scene.preview, ready.scene.size)
        self.canvas.show_product_box(None)
        self.panel.show_score(None)
        self._show_zones(ready)

    def _show_zones(self, ready: work.Ready) -> None:
        self.zones, self.heat = ready.zones, ready.heat
        self.canvas.set_heat(self.heat)
        self.canvas.show_zones(self.zones)
        self.canvas.set_overlay_visible(self.heat_action.isChecked())

    def _default_drop(self) -> tuple[float, float]:
        if self.zones:
            return self.zones[0].contact
        w, h = self.scene.size
        return w / 2, h * 0.8

    # ---- product -------------------------------------------------------------------------------
    def _on_drop(self, what, x: float, y: float) -> None:
        if self.scene is None:
            return self.open_scene(what)
        self.drop_product(what, x, y)

    def drop_product(self, ref, x: float, y: float):
        """Load a product (asset id or file path) and place it at the best zone near (x, y); returns the job."""
        try:
            path = self.resolve(ref)
        except StudioError as exc:
            return self.ctx.notify(str(exc), "warning")
        request = work.ProductRequest(self.scene, path, self._remembered_size(ref))
        return self._run(work.product_job, request, f"Prepare {self._display_name(ref)}",
                         lambda ready: self._on_product_loaded(ref, (x, y), ready))

    def _on_product_loaded(self, ref, at: tuple[float, float], ready: work.Ready) -> None:
        self.product_ref, self.product = ref, ready.product
        self.panel.set_size(self.product.category, self.product.height_m)
        self.panel.set_size_enabled(True)
        self._show_zones(ready)
        self._place(*at, snap_to_zone=True)

    def _on_size_changed(self, category: str, height_m: float) -> None:
        """A new category or real height: the placed product keeps its spot and scales with it."""
        if self.product is None:
            return
        old = self.product.height_m
        self.product = work.resized_product(self.product, category, height_m)
        QSettings().setValue(self._size_key(self.product_ref), [category, height_m])
        if self.placement is not None:
            self._change(height_px=self.placement.height_px * height_m / old, label="Change product size")
        self._run(work.zones_job, work.ZonesRequest(self.scene, self.product), "Find places for the product", self._show_zones)

    def _remembered_size(self, ref) -> dict:
        """The category and height the user last gave this product (load_product keywords)."""
        remembered = QSettings().value(self._size_key(ref))
        try:
            category, height_m = remembered
            if category in CATEGORY_HEIGHTS_M and float(height_m) > 0:
                return {"category": category, "height_m": float(height_m)}
        except (TypeError, ValueError):  # nothing remembered, or a settings file edited by hand
            pass
        return {}

    def _size_key(self, ref) -> str:
        """By content for a library asset (the same file in any library), by path for a file."""
        asset = get_asset(self.ctx.lib, ref) if isinstance(ref, int) else None
        name = asset.sha256 if asset else str(Path(ref).expanduser().resolve())
        return f"kata/product_size/{hashlib.sha1(name.encode()).hexdigest()[:16]}"

    def _place(self, x: float, y: float, *, snap_to_zone: bool, label: str = "Place product") -> None:
        placement, zone = work.drop_placement(self.scene, self.zones, self.product, x, y, snap_to_zone)
        if self.placement is not None:  # keep the user's rotation and, off a zone, their size
            placement.rotation_deg = self.placement.rotation_deg
            if zone is None and not snap_to_zone:
                placement.height_px = self.placement.height_px
        self.zone_id = zone.id if zone else None
        if zone is not None:
            self._set_status(f"On zone {zone.id}, the {zone.surface} · drag to move (Alt: no snapping), the square handle to scale, the round one or [ ] to rotate")
        else:
            self._set_status(NO_ZONE if snap_to_zone else "Placed where you dropped it · release without Alt to snap")
        self.placement = placement
        self._store(label)
        self.recomposite()

    def _on_moved(self, x: float, y: float, alt: bool) -> None:
        if self.video is not None:
            return self._move_on_frame(x=x, y=y)
        self._place(x, y, snap_to_zone=not alt, label="Move product")

    def _change(self, *, label: str, **fields) -> None:
        if self.placement is None:
            return
        if self.video is not None:
            return self._move_on_frame(**fields)
        for name, value in fields.items():
            setattr(self.placement, name, value)
        self._store(label)
        self.recomposite()

    def _nudge_rotation(self, degrees: float) -> None:
        if self.placement is not None:
            self.panel.rotation.setValue(self.placement.rotation_deg + degrees)

    # ---- recipes: every change is one undoable step -----------------------------------------
    def recipe(self):
        p = self.placement
        name = f"{self._display_name(self.product_ref)} in {self._display_name(self.scene_ref)}"
        return Recipe(name=self._recipe_name or name, scene=self.scene_ref, product=self.product_ref, zone_id=self.zone_id,
                      placement=PlacementSpec(x=p.x, y=p.y, height_px=p.height_px, rotation_deg=p.rotation_deg),
                      category=self.product.category, height_m=self.product.height_m, params=self.panel.params())

    def _store(self, label: str) -> None:
        recipe = self.recipe()
        try:
            if self.recipe_id is None:
                created = kata_ops.create_recipe(self.ctx.lib, recipe, self.ctx.current_campaign_id)
                self.recipe_id, self.seen = created.value, created.versions
                self._remember_open_recipe()
            else:
                with edited_from(self.seen):
                    kata_ops.save_recipe(self.ctx.lib, self.recipe_id, recipe, label)
            self._stored = recipe.to_document()
        except ConflictError:  # the window asks whose to keep; the view then shows what is stored
            pass
        except StudioError as exc:
            self.ctx.notify(str(exc), "warning")
        self._update_actions()

    def open_recipe(self, recipe_id: int):
        """Reopen a saved placement: scene, product, its size, placement and settings. Returns the job."""
        try:
            seen = self._versions(recipe_id)
            recipe = kata_ops.load_recipe(self.ctx.lib, recipe_id)
            if recipe.video is not None:
                request = work.VideoRequest(recipe, self.resolve(recipe.scene), self.resolve(recipe.product), self.resolve, self.ctx.lib.root)
                return self._run(work.video_recipe_job, request, f"Open {recipe.name}",
                                 lambda ready: self._on_recipe_opened(recipe_id, recipe, seen, ready))
            request = work.RecipeRequest(self.resolve(recipe.scene), self.resolve(recipe.product),
                                         {"category": recipe.category, "height_m": recipe.height_m})
        except StudioError as exc:
            return self.ctx.notify(f"The placement cannot be opened: {exc}", "warning")
        return self._run(work.recipe_job, request, f"Open {recipe.name}", lambda ready: self._on_recipe_opened(recipe_id, recipe, seen, ready))

    def _versions(self, recipe_id: int) -> dict:
        """The recipe's row version now: read before the recipe itself, so a save slipping in
        between makes a needless question, never a lost change."""
        return row_versions(self.ctx.lib, ("kata_recipes", recipe_id))

    def _on_recipe_opened(self, recipe_id: int, recipe: Recipe, seen: dict, ready: work.Ready) -> None:
        self._close_video()
        self.scene_ref, self.product_ref, self.product = recipe.scene, recipe.product, ready.product
        self._show_scene(ready)
        self.recipe_id, self._recipe_name, self.zone_id, self.seen = recipe_id, recipe.name, recipe.zone_id, seen
        self._stored = recipe.to_document()
        self.placement = Placement(**recipe.placement.model_dump())
        self.panel.set_params(recipe.params, self.placement.rotation_deg)
        self.panel.set_size(self.product.category, self.product.height_m)
        self.panel.set_size_enabled(True)
        self._set_status(f"Reopened “{recipe.name}”")
        self._remember_open_recipe()
        self._update_actions()
        self.scene_ready.emit()
        if ready.video is not None:
            return self._open_video(ready.video)
        self.recomposite()

    def _last_recipe_key(self) -> str:
        return f"kata/last_recipe/{hashlib.sha1(str(self.ctx.lib.root).encode()).hexdigest()[:10]}"

    def _remember_open_recipe(self) -> None:
        QSettings().setValue(self._last_recipe_key(), self.recipe_id)
        self.recipes.select(self.recipe_id)

    def showEvent(self, event) -> None:
        """The first time the workspace is shown, the placement open last time in this library reopens."""
        super().showEvent(event)
        if self._restored:
            return
        self._restored = True
        last = QSettings().value(self._last_recipe_key())
        if last is not None and self.scene is None and int(last) in {r.id for r in kata_ops.list_recipes(self.ctx.lib)}:
            self.open_recipe(int(last))

    def _on_library_changed(self, result) -> None:
        """After Edit ▸ Undo/Redo the stored recipe leads: show what it says."""
        if self.recipe_id is None or "kata_recipes" not in result.changes or self.product is None:
            return
        if self.video is not None:
            return self._reload_video()
        try:
            self.seen = self._versions(self.recipe_id)
            recipe = kata_ops.load_recipe(self.ctx.lib, self.recipe_id)
        except StudioError:  # the recipe was deleted, or its creation undone: the product goes
            self.recipe_id, self.placement, self.last_preview = None, None, None
            self.canvas.set_image(self.scene.preview, self.scene.size)
            self.canvas.show_product_box(None)
            self.panel.show_score(None)
            return self._update_actions()
        if recipe.to_document() == self._stored:
            return  # our own write coming back (later edits, a slider still settling, must not be undone by it)
        self._stored = recipe.to_document()
        self.placement = Placement(**recipe.placement.model_dump())
        self.zone_id, self._recipe_name = recipe.zone_id, recipe.name
        self.panel.set_params(recipe.params, self.placement.rotation_deg)
        if (recipe.category, recipe.height_m) != (self.product.category, self.product.height_m):
            self.product = work.resized_product(self.product, recipe.category, recipe.height_m)
            self.panel.set_size(recipe.category, recipe.height_m)
            self._run(work.zones_job, work.ZonesRequest(self.scene, self.product), "Find places for the product", self._show_zones)
        self.recomposite()

    def save_recipe(self) -> None:
        if self.recipe_id is None:
            return
        name, ok = QInputDialog.getText(self, "Save recipe", "Name of the placement:", text=self.recipe().name)
        if ok and name.strip():
            self._recipe_name = name.strip()
            self._store("Rename Kata recipe")
            self.ctx.notify(f"Saved the recipe “{self._recipe_name}”.")

    def save_as_asset(self):
        """Render at full resolution and import the PNG, as a job. Returns the job."""
        if self.recipe_id is None:
            return None
        lib, recipe, campaign = self.ctx.lib, self.recipe(), self.ctx.current_campaign_id
        return self.ctx.submit(lambda _p, _s: kata_ops.save_as_asset(lib, recipe, campaign_id=campaign),
                               title=f"Save {recipe.name} as an asset")

    def open_batch(self):
        dialog = BatchDialog(self.ctx, self)
        dialog.open()
        return dialog

    # ---- preview -------------------------------------------------------------------------------
    def recomposite(self) -> None:
        """The composite at preview size on a worker; only the newest request is shown."""
        if self.placement is None:
            return
        scene, product, params = self.scene, self.product, self.panel.params()
        placement = copy.copy(self.placement)  # the worker must not see later edits
        self._preview_pending = True
        self._sync_rendering()
        self._preview_worker.submit(_guarded(lambda: work.preview(scene, product, placement, params)))

    def _sync_rendering(self) -> None:
        """The canvas's "rendering" property (a screenshot waits for it): a job or a preview is under way."""
        self.canvas.setProperty("rendering", self.jobs.busy or self._preview_pending)

    # ---- a placement in a video ------------------------------------------------------------------
    def _open_video(self, session: work.VideoSession) -> None:
        self.video, self.pending, self._featureless = session, None, None
        self.track_bar.set_clip(len(session.frames), session.recipe.video.anchor)
        self.track_bar.show()
        self.panel.setEnabled(False)  # its settings were fixed when it was tracked: move it and retrack instead
        self._update_actions()
        self.show_frame(self.track_bar.frame)

    def _close_video(self) -> None:
        if self.video is not None:
            self.video.close()
        self.video, self.frame_view, self.pending, self._featureless = None, None, None, None
        self.track_bar.hide()
        self.panel.setEnabled(True)

    def show_frame(self, index: int) -> None:
        """Frame index of the open video, with the product where the track puts it (on a worker)."""
        if self.video is None:
            return
        session = self.video
        self._preview_pending = True
        self._sync_rendering()
        self._frames_worker.submit(_guarded(lambda: session.frame_view(index)))

    def _on_frame(self, view) -> None:
        self._preview_pending = False
        self._sync_rendering()
        if isinstance(view, _Failure):
            return self.ctx.notify(view.message, "warning")
        if self.video is None:
            return
        self.frame_view = view
        self.canvas.set_image(view.image, self.scene.size)
        shown = self.placement_on_frame()
        if view.box is not None and not (self.pending and self.pending[0] == view.index):
            self.canvas.show_product_box(view.box, view.contact)
        else:  # moved here and not yet retracked, or placed but not tracked yet: a frame where it stands
            self.canvas.show_product_box(self.canvas_box_of(shown) if shown else None, (shown.x, shown.y) if shown else (0, 0))
        self.track_bar.show_state(view.index, self.video.recipe.video.anchor, view.state)
        self.frame_ready.emit()

    def canvas_box_of(self, p: Placement) -> tuple[int, int, int, int]:
        """The frame around a product standing at p (its width from the product's proportions)."""
        w = p.height_px * self.product.rgba.shape[1] / self.product.rgba.shape[0]
        return round(p.x - w / 2), round(p.y - p.height_px), round(p.x + w / 2), round(p.y)

    def placement_on_frame(self) -> Placement | None:
        """The placement as it is on the frame shown: as moved there, else where the track carried it."""
        frame, view = self.track_bar.frame, self.frame_view
        if self.pending is not None and self.pending[0] == frame:
            return copy.copy(self.pending[1])
        if view is None or view.index != frame or view.contact is None:
            return None
        return Placement(x=view.contact[0], y=view.contact[1], height_px=view.height_px, rotation_deg=self.placement.rotation_deg)

    def _move_on_frame(self, **fields) -> None:
        """The product moved, scaled or turned on a video frame: kept until Retrack from here."""
        placement = self.placement_on_frame()
        if placement is None:
            return
        for name, value in fields.items():
            setattr(placement, name, value)
        frame = self.track_bar.frame
        self.pending = (frame, placement)
        self.canvas.show_product_box(self.canvas_box_of(placement), (placement.x, placement.y))
        self._set_status(f"Moved on frame {frame}: Retrack from here to carry it through the clip.")

    def retrack(self):
        """Track the placement again from the frame shown, as it stands there; returns the job."""
        if self.video is None or self.recipe_id is None:
            return None
        placement = self.placement_on_frame()
        frame = self.track_bar.frame
        if placement is None:
            return self.ctx.notify(f"The product is not on frame {frame} (tracking was lost there, or it is another shot). "
                                   "Scrub to a frame where it shows, move it into place and retrack from there.", "warning")
        spec = {"x": placement.x, "y": placement.y, "height_px": placement.height_px, "rotation_deg": placement.rotation_deg}
        return self._track(track_job.TrackParams(self.recipe_id, anchor=frame, placement=spec), f"Retrack {self._recipe_name} from frame {frame}")

    def use_fixed_placement(self):
        """After a scene too plain to track: hold the placement still in its shot instead. Returns the job."""
        if self._featureless is None:
            return None
        params = copy.copy(self._featureless)
        params.fixed = True
        return self._track(params, f"Use a fixed placement for {self._recipe_name}")

    def _track(self, params: track_job.TrackParams, title: str):
        self.track_bar.offer_fixed(False)
        self._set_status("")
        job = self.jobs.submit(functools.partial(track_job.run, lib=self.ctx.lib), params, title=title,
                               then=lambda outcome: self._on_tracked(params, outcome))
        return job

    def _on_tracked(self, params: track_job.TrackParams, outcome: track_job.TrackOutcome) -> None:
        if outcome.featureless:
            self._featureless = params
            self.track_bar.offer_fixed(True)
            return self._set_status(outcome.message, error=True)
        self._featureless = None
        self._set_status(outcome.message)

    def _reload_video(self) -> None:
        """The recipe changed (retracked, or Edit ▸ Undo): show its track from the frame shown."""
        try:
            self.seen = self._versions(self.recipe_id)
            recipe = kata_ops.load_recipe(self.ctx.lib, self.recipe_id)
        except StudioError:  # deleted, or its creation undone
            self.recipe_id = None
            self._close_video()
            return self._update_actions()
        if recipe.to_document() == self.video.recipe.to_document():
            return
        self.video = self.video.with_recipe(recipe)
        self.placement = Placement(**recipe.placement.model_dump())
        self._stored, self._recipe_name, self.pending = recipe.to_document(), recipe.name, None
        self.show_frame(self.track_bar.frame)

    def _on_preview(self, result) -> None:
        self._preview_pending = False
        self._sync_rendering()
        if isinstance(result, _Failure):
            return self.ctx.notify(result.message, "warning")
        self.last_preview = result
        self.canvas.show_product_box(result.box, (self.placement.x, self.placement.y))
        self.panel.show_score(result.score)
        self.show_before(self.before_action.isChecked())
        self.preview_ready.emit()

    def show_before(self, before: bool) -> None:
        self.showing_before = before
        if self.scene is None:
            return
        image = self.scene.preview if before or self.last_preview is None else self.last_preview.image
        self.canvas.set_image(image, self.scene.size)
        self.canvas.frame.setVisible(not before and self.last_preview is not None)

    # ---- small helpers -------------------------------------------------------------------------
    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {theme().colors.danger};" if error else "")

    def _update_actions(self) -> None:
        placed = self.recipe_id is not None
        self.save_recipe_action.setEnabled(placed)
        self.save_asset_action.setEnabled(placed and self.video is None)  # a video placement renders as a clip

    def _display_name(self, ref) -> str:
        asset = get_asset(self.ctx.lib, ref) if isinstance(ref, int) else None
        return Path(asset.name if asset else str(ref)).stem
