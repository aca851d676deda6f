"""The tracking job: carry a video recipe's placement through its clip and store the track (and
the tracked layer's measurements) in the recipe, one undoable step. Retracking from another
frame moves the anchor there with the placement the user made on it.

Nothing is written until the whole clip is tracked and measured: a cancelled or failed job
leaves the recipe as it was. A scene too plain to track ends the job without saving, saying so
(`featureless`); the same job with `fixed` then stores a fixed placement instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.errors import BadInput, ConflictError
from studio.core.jobs import JobState
from studio.core.kata_video import pipeline
from studio.core.kata_video.clip import save_plate
from studio.core.kata_video.frames import VideoFrames
from studio.kata.compose import Placement
from studio.kata.recipe import PlacementSpec, Recipe, VideoScene

FIXED_OFFER = "Use a fixed placement to keep the product where you put it in this shot."


@dataclass
class TrackParams:
    recipe_id: int
    anchor: int | None = None  # retrack from this frame (None: the recipe's anchor)
    placement: dict | None = None  # PlacementSpec fields on that frame (None: the recipe's placement)
    fixed: bool = False  # store a fixed placement rather than track
    library_root: str | None = None  # when no library is handed to run()


@dataclass
class TrackOutcome:
    recipe_id: int
    saved: bool
    message: str  # for the user
    featureless: bool = False  # nothing saved: the scene cannot be tracked; a fixed placement can be
    lost: int = 0  # frames where tracking was lost
    cuts: int = 0


def run(params: TrackParams, state: JobState, lib=None) -> TrackOutcome:
    from studio.core.library import Library

    own = lib is None
    if own:
        if params.library_root is None:
            raise BadInput("Tracking a recipe needs its library.")
        lib = Library.open(params.library_root, lock=False, auto_backup=False)
    try:
        return _track(lib, params, state)
    finally:
        if own:
            lib.close()


def _track(lib, params: TrackParams, state: JobState) -> TrackOutcome:
    from studio.core.ops.kata import library_resolver, load_recipe, save_recipe
    from studio.core.ops.tx import edited_from, row_versions
    from studio.kata.product import load_product
    from studio.kata.track.model import LOST
    from studio.kata.track.tracker import Featureless

    seen = row_versions(lib, ("kata_recipes", params.recipe_id))  # tracking takes a while: others may edit it meanwhile
    recipe = load_recipe(lib, params.recipe_id)
    if recipe.video is None:
        raise BadInput(f"{recipe.name!r} is placed in a still photo: there is nothing to track. Place the product in a video clip.")
    resolve = library_resolver(lib)
    state.set_status("Reading the clip")
    frames = VideoFrames(resolve(recipe.scene))
    try:
        anchor = frames.check_index(recipe.video.anchor if params.anchor is None else params.anchor, "The anchor frame")
        spec = recipe.placement if params.placement is None else PlacementSpec(**params.placement)
        placement = Placement(**spec.model_dump())
        timing = pipeline.Timing()
        state.set_status(f"Analysing frame {anchor}")
        scene = pipeline.anchor_scene(frames, anchor, timing)
        product = load_product(resolve(recipe.product), height_m=recipe.height_m, category=recipe.category)
        state.set_progress(0.1)
        state.set_status("Tracking the placement" if not params.fixed else "Finding the shots")
        try:
            track = pipeline.track(frames, anchor, placement, timing, pipeline.share(state, 0.1, 0.6), fixed=params.fixed)
        except Featureless as exc:
            return TrackOutcome(params.recipe_id, False, f"{exc} {FIXED_OFFER}", featureless=True)
        state.check()
        state.set_status("Following occlusion and light")
        layer = pipeline.prepare_layer(scene, product, placement, recipe.compose_params(), timing)
        measurements = pipeline.measure(layer, frames, track, timing, pipeline.share(state, 0.6, 0.97))
        state.check()
    finally:
        frames.close()
    video = VideoScene(anchor=anchor, track=track.to_document(), measurements=measurements.to_document(), fixed=params.fixed)
    label = ("Use a fixed placement" if params.fixed else
             "Track Kata placement" if recipe.video.track is None else f"Retrack from frame {anchor}")
    save_plate(lib.root, video, measurements)  # first: a recipe that names a plate finds it
    try:
        with edited_from(seen):
            save_recipe(lib, params.recipe_id, recipe.model_copy(update={"placement": spec, "video": video}), label)
    except ConflictError as lost:
        who = f" by {lost.by}" if lost.by else ""
        return TrackOutcome(params.recipe_id, False, f"{recipe.name!r} was changed{who} while it was being tracked, so this "
                            "track was not saved (the change stays). Track it again.")
    state.set_progress(1.0)
    lost = int((track.state == LOST).sum())
    how = "held still in its shot" if params.fixed else f"tracked through {len(track)} frames"
    return TrackOutcome(params.recipe_id, True, f"{recipe.name}: {how}; {len(track.cuts)} cut(s), {lost} frame(s) lost.",
                        lost=lost, cuts=len(track.cuts))


def video_recipe(name: str, video, product, anchor: int, placement: PlacementSpec, **fields) -> Recipe:
    """A recipe placing product in a video on frame anchor, not yet tracked."""
    return Recipe(name=name, scene=video, product=product, placement=placement, video=VideoScene(anchor=anchor), **fields)
