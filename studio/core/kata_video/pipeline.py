"""The steps from a placement on one frame of a video to the product carried through the clip,
shared by `studio kata track` and the tracking job: analyse the anchor frame, track the support
plane, prepare and measure the tracked layer, composite every frame. Each step is timed."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from studio.core.jobs import JobState
from studio.core.kata_video.frames import VideoFrames
from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, Placement


@dataclass
class Timing:
    """Seconds spent per step; decoding is counted apart from the step that reads the frames."""

    seconds: dict[str, float] = field(default_factory=lambda: {"decode": 0.0, "analyse": 0.0, "track": 0.0, "measure": 0.0, "render": 0.0})

    def frames(self, frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """frames, with the time spent producing each one counted as decoding."""
        it = iter(frames)
        while True:
            started = time.perf_counter()
            frame = next(it, None)
            self.seconds["decode"] += time.perf_counter() - started
            if frame is None:
                return
            yield frame

    @contextlib.contextmanager
    def step(self, name: str):
        """Count the time spent inside for step name, less the decoding done meanwhile."""
        started, decoded = time.perf_counter(), self.seconds["decode"]
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started - (self.seconds["decode"] - decoded)

    def as_dict(self, frame_count: int) -> dict:
        total = sum(self.seconds.values())
        return {**{f"{k}_s": round(v, 3) for k, v in self.seconds.items()}, "total_s": round(total, 3),
                "fps": round(frame_count / total, 2) if total > 0 else None}


@dataclass
class AnchorScene:
    rgb: np.ndarray  # the anchor frame, upright
    analysis: object  # SceneAnalysis


def anchor_scene(frames: VideoFrames, anchor: int, timing: Timing) -> AnchorScene:
    frames.check_index(anchor, "The anchor frame")
    with timing.step("decode"):
        rgb = frames.frame(anchor)
    with timing.step("analyse"):
        return AnchorScene(rgb, analyze(rgb))


def quad_of(placement: Placement, size: tuple[int, int]) -> np.ndarray:
    from studio.kata.track.tracker import quad_around

    return quad_around((placement.x, placement.y), placement.height_px, size)


def track(frames: VideoFrames, anchor: int, placement: Placement, timing: Timing, state: JobState, *, fixed: bool = False):
    """The Track of the placement's support plane (Featureless where it cannot be tracked); with
    fixed, the placement held still through its shot instead."""
    from studio.kata.track.tracker import fixed_track, track_clip

    quad = quad_of(placement, frames.size)
    with timing.step("track"):
        if fixed:
            return fixed_track(len(frames), anchor, quad, frames.size, shot_cuts(timing.frames(frames.frames()), len(frames), state))
        return track_clip(timing.frames(frames.frames()), anchor, quad, frame_count=len(frames), state=state)


def shot_cuts(frames: Iterable[np.ndarray], count: int, state: JobState) -> list[int]:
    """The first frame of every shot after the first (the tracker's cut detector, without tracking)."""
    from studio.kata.track.cuts import CutDetector

    detector = CutDetector()
    for i, rgb in enumerate(frames):
        state.check()
        detector.feed(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
        state.set_progress(i + 1, count)
    return detector.cuts


def prepare_layer(scene: AnchorScene, product, placement: Placement, params: ComposeParams, timing: Timing):
    """The tracked layer: the product composited on the anchor frame, ready to follow the track."""
    from studio.kata.track.layer import TrackedLayer

    a = scene.analysis
    with timing.step("measure"):
        return TrackedLayer.prepare(scene.rgb, product, placement, params, depth=a.depth, light_dir=a.light_dir,
                                vertical_vp=a.vertical_vanishing_point())


def measure(layer, frames: VideoFrames, track_, timing: Timing, state: JobState):
    with timing.step("measure"):
        return layer.measure(timing.frames(frames.frames()), track_, state=state)


def composites(layer, frames: VideoFrames, track_, measurements, timing: Timing, state: JobState) -> Iterator[np.ndarray]:
    """Every frame of the clip with the product in it, in order."""
    from studio.kata.track.layer import render_frames

    it = render_frames(layer, timing.frames(frames.frames()), track_, measurements, state=state)
    while True:
        with timing.step("render"):
            frame = next(it, None)
        if frame is None:
            return
        yield frame


def share(state: JobState, start: float, end: float) -> JobState:
    """A state for one step of a job: its progress moves the job's from start to end; Cancel reaches it."""
    part = JobState(lambda: state.set_progress(start + (end - start) * (part.progress or 0.0)), state.cancel_event)
    return part
