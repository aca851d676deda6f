"""Ops on compositions. Each save stores the whole validated document, so undo restores
exactly the composition as it was; edits with a merge key (a drag, typing) merge."""

from __future__ import annotations

import math
from pathlib import Path

from studio.core.db.models import utcnow
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult
from studio.core.queries import get_asset
from studio.core.timeline import edits
from studio.core.timeline.model import Composition, KataClip, MediaClip
from studio.core.timeline.store import load_composition

RECIPE_SECONDS = 5.0  # how long a Kata recipe shows when added without a duration, as a dropped still


def create_composition(lib, composition: Composition, campaign_id: int | None = None) -> OpResult:
    with lib.write(f"New composition {composition.name}") as tx:
        tx.value = tx.insert(
            "compositions", name=composition.name, campaign_id=campaign_id,
            schema_version=composition.schema_version, document=composition.to_document(),
        )
    return tx.result


def save_composition(lib, composition_id: int, composition: Composition, label: str = "Edit composition", *,
                     merge_key: str | None = None, expected_version: int | None = None) -> OpResult:
    """Store an edited composition as one undoable step (merge_key: rapid edits merge).
    expected_version: the row version the edit started from (store.read_composition); if someone
    saved the composition since, ConflictError and nothing is written. result.version_of tells the
    version after the save."""
    return _store(lib, composition_id, composition, label, merge_key and f"composition:{composition_id}:{merge_key}",
                  expected_version=expected_version)


def relink_clips(lib, composition_id: int, links: dict[str, int | str], *, merge_key: str | None = None) -> OpResult:
    """Point media clips at other media: {clip id: asset id, or a file path}. One undoable step;
    given the merge key of the import that brought the files in, it joins that import's step,
    so one undo takes back both. Bad input changes nothing."""
    if not links:
        raise BadInput("Nothing to relink: choose a file for at least one clip.")
    composition = load_composition(lib, composition_id)
    for clip_id, target in links.items():
        _track, clip = composition.find_clip(clip_id)
        if clip is None:
            raise BadInput(f"{composition.name!r} has no clip {clip_id} any more; reopen the relink dialog to see what is offline now.")
        if not isinstance(clip, MediaClip):
            raise BadInput(f"{clip.name or clip_id} is a {clip.kind} clip; only media clips have files to relink.")
        if isinstance(target, int):
            asset = get_asset(lib, target)
            if asset is None or asset.trashed_at is not None:
                raise BadInput(f"Asset {target} is {'in the trash' if asset else 'not in the library'}; import the file again and relink to it.")
            clip.asset_id, clip.path = target, None
        else:
            path = Path(target).expanduser()
            if not path.is_file():
                raise BadInput(f"{path} is not a file; choose the media file itself.")
            clip.asset_id, clip.path = None, str(path.absolute())
    only = composition.find_clip(next(iter(links)))[1]
    label = f"Relink {only.name or 'clip'}" if len(links) == 1 else f"Relink {len(links)} clips"
    return _store(lib, composition_id, composition, label, merge_key, float("inf") if merge_key else None)


def add_recipe_clip(lib, composition_id: int, recipe_id: int, *, track_id: str | None = None, start: int = 0,
                    duration: int | None = None) -> OpResult:
    """Show a saved Kata recipe as a clip from frame `start` (one undoable step); value: the clip's id.
    On a named track it overwrites what it covers, as a drop does; with none it goes on the first
    overlay track with room, or a new one."""
    from studio.core.ops.kata import load_recipe  # here: the Kata engine loads only when a recipe is used

    recipe = load_recipe(lib, recipe_id)  # refuses a recipe that does not exist
    composition = load_composition(lib, composition_id)
    if duration is None:  # a still shows for RECIPE_SECONDS; a placement in a video lasts as long as its clip
        duration = composition.frames(_video_seconds(lib, recipe) if recipe.video else RECIPE_SECONDS)
    if start < 0 or duration < 1:
        raise BadInput(f"A clip starts at frame 0 or later and lasts at least one frame (got start {start}, duration {duration}).")
    span = (start, start + duration)
    if track_id is not None:
        track = next((t for t in composition.tracks if t.id == track_id), None)
        if track is None:
            raise BadInput(f"{composition.name!r} has no track {track_id}; leave the track out to use an overlay track.")
        if track.kind not in ("video", "overlay") or track.locked:
            why = "locked" if track.locked else f"{'an' if track.kind == 'audio' else 'a'} {track.kind} track"
            raise BadInput(f"{track.name or track_id} is {why}; put the recipe on an unlocked video or overlay track.")
    else:
        track = next((t for t in reversed(composition.tracks) if t.kind == "overlay" and not t.locked and edits.is_free(t, *span)), None)
        track = track or composition.add_track("overlay")
    clip = KataClip(name=recipe.name, recipe_id=recipe_id, start=start, duration=duration, fit="cover")
    track.clips = [*track.clips, clip]

    def seconds(other) -> float | None:  # how long the source of a clip it overwrites lasts
        named = isinstance(other, MediaClip) and other.asset_id is not None
        return source_seconds(other, get_asset(lib, other.asset_id) if named else None)

    edits.overwrite(composition, [clip.id], seconds)
    result = _store(lib, composition_id, composition, f"Add {recipe.name}", None)
    return OpResult(result.changes, clip.id, result.label)


def source_seconds(clip, asset) -> float | None:
    """edits.SourceSeconds given the clip's asset (None when it names none): how long its source
    lasts, None for a still or a generated clip, infinite when not known."""
    if not isinstance(clip, MediaClip) or (asset is not None and asset.kind == "image"):
        return None
    return asset.duration if asset is not None and asset.duration else math.inf


def _store(lib, composition_id: int, composition: Composition, label: str, merge_key: str | None,
           merge_window: float | None = None, expected_version: int | None = None) -> OpResult:
    document = Composition.from_document(composition.to_document()).to_document()  # validates the whole
    with lib.write(label, merge_key=merge_key, merge_window=merge_window) as tx:
        tx.update(
            "compositions", composition_id, expected_version=expected_version, name=composition.name,
            schema_version=composition.schema_version, document=document, updated_at=utcnow(),
        )
    return tx.result


def delete_composition(lib, composition_id: int) -> OpResult:
    with lib.write("Delete composition") as tx:
        tx.delete("compositions", composition_id)
    if not tx.steps:
        raise BadInput(f"There is no composition {composition_id}.")
    return tx.result


def _video_seconds(lib, recipe) -> float:
    from studio.core.kata_video.frames import VideoFrames
    from studio.core.ops.kata import library_resolver

    frames = VideoFrames(library_resolver(lib)(recipe.scene))
    try:
        return frames.duration
    finally:
        frames.close()
