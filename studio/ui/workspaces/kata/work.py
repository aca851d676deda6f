"""What the workspace computes off the GUI thread: opening a scene (load + analysis + a
preview-sized copy), loading a product, finding zones, reopening a recipe, and the live
preview with its score. The first four are jobs (fn(params, state): progress and Cancel in
the jobs panel); the preview is a plain function the view runs on a worker thread.

A recipe placed in a video opens on its anchor frame, with a VideoSession that shows any
frame of the clip with the product where the track puts it; a product placed in a video from
the bin gets a new recipe on frame 0 the same way."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from studio.core.kata_video.clip import TrackedPlayer, prepare
from studio.core.kata_video.frames import VideoFrames
from studio.core.kata_video.job import video_recipe
from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.compose.backends import make_ops
from studio.kata.images import load_rgb
from studio.kata.placement import find_zones, placement_for, snap, stand_in
from studio.kata.product import Product, load_product
from studio.kata.recipe import PlacementSpec
from studio.kata.score import score
from studio.kata.track.model import STATE_NAMES

PREVIEW_MAX_SIDE = 1280  # live previews are composited at most this big; "Save as asset" renders full size
FALLBACK_HEIGHT = 0.25  # of the scene's height, for a product dropped where perspective gives no scale
_BACKEND_LOCK = threading.Lock()  # torch's first import is not thread-safe: one thread at a time chooses the backend


@dataclass
class OpenScene:
    rgb: np.ndarray  # full resolution
    preview: np.ndarray  # at most PREVIEW_MAX_SIDE
    scale: float  # preview pixels per scene pixel
    analysis: object  # SceneAnalysis

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


@dataclass
class Coverage:
    """The product's box and coverage mask at full resolution: what score() reads of a composite."""

    box: tuple[int, int, int, int]
    mask: np.ndarray


@dataclass
class Preview:
    image: np.ndarray  # the composite at preview size
    box: tuple[int, int, int, int]  # the product's box in scene pixels
    score: object  # Score


@dataclass
class Ready:
    """A job's answer: what the canvas needs to show a scene (with a product, when there is one)."""

    scene: OpenScene | None
    product: Product | None
    zones: list
    heat: np.ndarray | None
    video: VideoSession | None = None  # set when the scene is a frame of a video


# ---- jobs: fn(params, state) ----------------------------------------------------------------
@dataclass
class SceneRequest:
    path: object  # the scene's file
    product: Product | None  # zones are found for it (for a stand-in when None)


@dataclass
class ProductRequest:
    scene: OpenScene
    path: object  # the product's file
    size: dict  # load_product keywords: category, height_m


@dataclass
class ZonesRequest:
    scene: OpenScene
    product: Product


@dataclass
class RecipeRequest:
    scene_path: object
    product_path: object
    size: dict


@dataclass
class VideoRequest:
    recipe: object  # a Recipe placed in a video
    video_path: Path
    product_path: Path
    resolve: object  # the library's recipe resolver
    library_root: Path


@dataclass
class FrameView:
    """One frame of a video recipe as the canvas shows it."""

    index: int
    image: np.ndarray  # the frame (with the product where the track shows it), at preview size
    box: tuple[int, int, int, int] | None  # the product's box in frame pixels; None where it is not shown
    contact: tuple[float, float] | None  # where the placement's base is on this frame
    height_px: float | None  # how tall the product stands there
    state: str  # tracked, lost, other_shot, or untracked


@dataclass
class VideoSession:
    """An open video recipe: its frames, and its tracked composite of any of them (the tracked
    layer is prepared on first use, off the GUI thread)."""

    request: VideoRequest
    frames: VideoFrames
    scale: float  # preview pixels per frame pixel
    _player: TrackedPlayer | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def recipe(self):
        return self.request.recipe

    def frame_view(self, i: int) -> FrameView:
        recipe = self.recipe
        track = recipe.video.tracked()
        p = recipe.placement
        if track is None or recipe.video.measurements is None:  # the placement stands where it was made, on its frame
            made_here = i == recipe.video.anchor
            return FrameView(i, _resized(self.frames.frame(i), self.scale), None, (p.x, p.y) if made_here else None,
                             p.height_px if made_here else None, "untracked")
        with self._lock:
            if self._player is None:
                self._player = TrackedPlayer(prepare(recipe, self.request.resolve, self.request.library_root))
            rgb, box = self._player.composite(i)
        ends = track.map_points(i, np.array([[p.x, p.y], [p.x, p.y - p.height_px]]))
        contact = height = None
        if ends is not None:
            contact, height = tuple(ends[0]), float(np.hypot(*(ends[1] - ends[0])))
        return FrameView(i, _resized(rgb, self.scale), box, contact, height, STATE_NAMES[int(track.state[i])])

    def with_recipe(self, recipe) -> VideoSession:
        """The same clip with the recipe as it is now (retracked, or undone): a new track to play."""
        with self._lock:
            if self._player is not None:
                self._player.close()
                self._player = None
        return VideoSession(dataclasses.replace(self.request, recipe=recipe), self.frames, self.scale)

    def close(self) -> None:
        self.frames.close()
        with self._lock:
            if self._player is not None:
                self._player.close()


def video_recipe_job(request: VideoRequest, state) -> Ready:
    """Open a video recipe on its anchor frame: the frame analysed, the product loaded, zones found."""
    recipe = request.recipe
    size = {"category": recipe.category, "height_m": recipe.height_m}
    return _video_frame(request.video_path, recipe.video.anchor, request.product_path, size, state,
                        lambda _ready: request)


@dataclass
class VideoEntryRequest:
    """A product to place in a video: a new recipe on frame 0, at its best zone."""

    name: str
    video: int | str  # the recipe's references (asset ids or paths)
    product: int | str
    video_path: Path
    product_path: Path
    size: dict  # load_product keywords: category, height_m
    resolve: object  # the library's recipe resolver
    library_root: Path


def video_entry_job(request: VideoEntryRequest, state) -> Ready:
    """Frame 0 of the clip opened as video_recipe_job opens it, with the product at its best zone
    there (else at the centre of the bottom third): an untracked recipe, not yet stored."""
    def placed(ready: Ready) -> VideoRequest:
        w, h = ready.scene.size
        x, y = ready.zones[0].contact if ready.zones else (w / 2, h * 5 / 6)
        p, zone = drop_placement(ready.scene, ready.zones, ready.product, x, y)
        spec = PlacementSpec(x=p.x, y=p.y, height_px=p.height_px, rotation_deg=p.rotation_deg)
        recipe = video_recipe(request.name, request.video, request.product, 0, spec, zone_id=zone.id if zone else None,
                              category=ready.product.category, height_m=ready.product.height_m)
        return VideoRequest(recipe, request.video_path, request.product_path, request.resolve, request.library_root)

    return _video_frame(request.video_path, 0, request.product_path, request.size, state, placed)


def _video_frame(video_path, anchor: int, product_path, size: dict, state, request_for) -> Ready:
    """Frame anchor of the clip analysed, the product loaded, zones found, and a VideoSession for
    the recipe request_for(ready) makes."""
    state.set_status("Reading the clip")
    frames = VideoFrames(video_path)
    try:
        anchor = frames.check_index(anchor, "The anchor frame")
        scene = _analysed(frames.frame(anchor), state, 0.1, 0.7)
        state.set_status("Loading the product")
        product = load_product(product_path, **size)
        ready = _with_zones(scene, product, state)
        request = request_for(ready)
    except BaseException:
        frames.close()
        raise
    ready.video = VideoSession(request, frames, scene.scale)
    return ready


def scene_job(request: SceneRequest, state) -> Ready:
    scene = _open(request.path, state, 0.0, 0.85)
    return _with_zones(scene, request.product, state)


def product_job(request: ProductRequest, state) -> Ready:
    state.set_status("Cutting out the product")
    product = load_product(request.path, **request.size)
    state.set_progress(0.5)
    return _with_zones(request.scene, product, state)


def zones_job(request: ZonesRequest, state) -> Ready:
    return _with_zones(request.scene, request.product, state)


def recipe_job(request: RecipeRequest, state) -> Ready:
    scene = _open(request.scene_path, state, 0.0, 0.7)
    state.set_status("Loading the product")
    product = load_product(request.product_path, **request.size)
    state.set_progress(0.8)
    return _with_zones(scene, product, state)


def _open(path, state, start: float, end: float) -> OpenScene:
    state.set_status("Reading the scene")
    rgb = load_rgb(path)
    return _analysed(rgb, state, start, end)


def _analysed(rgb: np.ndarray, state, start: float, end: float) -> OpenScene:
    state.check()
    scale = min(1.0, PREVIEW_MAX_SIDE / max(rgb.shape[:2]))
    preview = _resized(rgb, scale)
    state.set_progress(start + 0.2 * (end - start))
    state.set_status("Analysing the scene: surfaces, perspective, faces")
    analysis = analyze(rgb)
    state.set_progress(end)
    state.check()
    return OpenScene(rgb, preview, scale, analysis)


def _with_zones(scene: OpenScene, product: Product | None, state) -> Ready:
    state.check()
    state.set_status("Finding places for the product")
    zones, heat = find_zones(scene.analysis, product or stand_in())
    state.set_progress(1.0)
    return Ready(scene, product, zones, heat)


# ---- placement and preview ------------------------------------------------------------------
def warm_up() -> None:
    """Choose the compositing backend (run on a worker when the workspace opens): the first choice
    imports torch, which takes seconds and would otherwise delay, and stutter, the first preview."""
    with _BACKEND_LOCK:
        make_ops("auto")


def resized_product(product: Product, category: str, height_m: float) -> Product:
    return dataclasses.replace(product, category=category, height_m=height_m)


def drop_placement(scene: OpenScene, zones: list, product, x: float, y: float, snap_to_zone: bool = True):
    """Where a product dropped at (x, y) goes: the best zone nearby, else right there at the
    scale perspective gives that spot. Returns (Placement, Zone | None)."""
    zone = snap(zones, x, y) if snap_to_zone else None
    if zone is not None:
        return placement_for(zone, product), zone
    height = scene.analysis.px_per_metre(x, y) * product.height_m or FALLBACK_HEIGHT * scene.size[1]
    return Placement(x=x, y=y, height_px=height), None


def preview(scene: OpenScene, product, placement, params: dict) -> Preview:
    warm_up()  # waits for a warm-up still importing, rather than import torch beside it
    s = scene.scale
    small = Placement(x=placement.x * s, y=placement.y * s, height_px=placement.height_px * s, rotation_deg=placement.rotation_deg)
    a = scene.analysis
    result = composite(scene.preview, product, small, ComposeParams(**params), depth=a.depth, light_dir=a.light_dir)
    box = tuple(round(v / s) for v in result.box)
    w, h = scene.size
    coverage = Coverage(box, cv2.resize(result.mask, (w, h), interpolation=cv2.INTER_LINEAR))
    return Preview(result.image, box, score(a, product, placement, coverage))


def _resized(rgb: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return rgb
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
