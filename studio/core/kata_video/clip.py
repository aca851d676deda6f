"""A tracked recipe as the timeline plays it: at clip time t, the source frame on screen then,
with the product composited where the track puts it.

Preparing the tracked layer (analysing the anchor frame, compositing the product on it) takes
seconds, so a `PreparedTrack` is made once per recipe content and shared; each evaluator then
plays it through its own `TrackedPlayer` (its own decoder). Played forwards frame by frame, a
player hands the compositor its memory of the frame before (steady occlusion and light);
a jump composites the frame on its own.

The tracked layer's clean plate (what the surface looks like with nothing in front: the
reference for occlusion) is an image, too big for the recipe's JSON: the tracking job keeps it
in the library's kata-plates folder under a hash of the track, and the player reads it from
there. Without it, occlusion is judged against the anchor frame alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput
from studio.core.kata_video import pipeline
from studio.core.kata_video.frames import VideoFrames
from studio.kata.compose import Placement


@dataclass
class PreparedTrack:
    path: object  # the video file
    track: object  # studio.kata.track.model.Track
    measurements: object  # studio.kata.track.layer.Measurements
    layer: object  # studio.kata.track.layer.TrackedLayer

    @property
    def size(self) -> tuple[int, int]:
        return self.track.size


def plate_path(library_root: Path, video) -> Path:
    """Where the clean plate of a recipe's tracked video (a VideoScene) is kept."""
    key = hashlib.sha256(json.dumps([video.track, video.measurements], sort_keys=True).encode()).hexdigest()[:32]
    return Path(library_root) / "kata-plates" / f"{key}.npz"


def save_plate(library_root: Path, video, measurements) -> None:
    arrays = measurements.cache()
    if not arrays:
        return
    path = plate_path(library_root, video)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.stem}.{os.getpid()}.part.npz")
    np.savez_compressed(temp, **arrays)
    os.replace(temp, path)


def prepare(recipe, resolve, library_root: Path | None = None) -> PreparedTrack:
    """recipe: a tracked video Recipe; resolve: a recipe Resolver; library_root: where its clean
    plate is kept. BadInput when it cannot be played."""
    from studio.kata.product import load_product
    from studio.kata.track.layer import Measurements

    track = recipe.video.tracked()
    if track is None or recipe.video.measurements is None:
        raise BadInput(f"{recipe.name!r} has not been tracked yet; open it in the Kata workspace and track it.")
    path = resolve(recipe.scene)
    frames = VideoFrames(path)
    try:
        if len(frames) != len(track) or frames.size != track.size:
            raise BadInput(f"{path.name} is not the clip {recipe.name!r} was tracked on ({len(frames)} frames at "
                           f"{frames.size[0]}x{frames.size[1]}, the track has {len(track)} at {track.size[0]}x{track.size[1]}); retrack it.")
        timing = pipeline.Timing()
        scene = pipeline.anchor_scene(frames, track.anchor, timing)
    finally:
        frames.close()
    product = load_product(resolve(recipe.product), height_m=recipe.height_m, category=recipe.category)
    placement = Placement(**recipe.placement.model_dump())
    layer = pipeline.prepare_layer(scene, product, placement, recipe.compose_params(), timing)
    measurements = Measurements.from_document(recipe.video.measurements)
    plate = plate_path(library_root, recipe.video) if library_root is not None else None
    if plate is not None and plate.is_file():
        with np.load(plate) as arrays:
            measurements = measurements.with_cache(dict(arrays))
    return PreparedTrack(path, track, measurements, layer)


class TrackedPlayer:
    def __init__(self, prepared: PreparedTrack):
        self.prepared = prepared
        self.frames = VideoFrames(prepared.path)
        self._memory = None  # the compositor's memory of the frame composited last (a FrameMemory)
        self._lock = threading.Lock()  # one frame at a time: the memory follows the order of frames

    @property
    def size(self) -> tuple[int, int]:
        return self.prepared.size

    def index_at(self, t: float) -> int:
        return self.frames.index_at(t)

    def composite(self, i: int) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
        """Source frame i with the product in it, (h, w, 3) RGB uint8, and the product's box
        (x0, y0, x1, y1) there (None where it does not show)."""
        p = self.prepared
        with self._lock:
            previous = self._memory if self._memory is not None and self._memory.index == i - 1 else None
            rgb, self._memory = p.layer.render(i, self.frames.frame(i), p.track, p.measurements, previous=previous)
            return rgb, self._memory.box

    def close(self) -> None:
        self.frames.close()
