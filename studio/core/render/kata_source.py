"""Kata clips' pictures: a saved recipe's composite, rendered from its original files.

Compositing a recipe takes seconds (scene analysis, depth, shadows), so its full-resolution
composite is kept under a fingerprint of what it is made of (the recipe's document and the
files it reads) and reused by every frame and every evaluator until the recipe or one of its
files changes. A recipe that is gone, or whose scene or product cannot be found, makes its
clips offline just as a missing file makes a media clip offline.

A recipe placed in a video plays as video (studio.core.kata_video.clip): what is kept under its
fingerprint is then the prepared tracked layer, and an untracked one is offline until tracked.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput
from studio.core.render.cache import FrameCache
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, KataClip, MediaClip, Track

_composites = FrameCache(128 << 20)  # full-resolution composites by fingerprint, shared by evaluators
_composites_lock = threading.Lock()
_tracks: dict[str, object] = {}  # prepared tracked layers by fingerprint (the latest few)
_TRACKS_KEPT = 4


@dataclass(frozen=True)
class RecipeSource:
    """One kata clip's recipe as found now: ready to render (fingerprint set) or offline (problem set)."""

    recipe_id: int
    name: str
    recipe: object = None  # studio.kata.recipe.Recipe
    fingerprint: str | None = None
    problem: str | None = None
    path: Path | None = None  # the file that is missing, when one is


def find_recipe(resolver: MediaResolver, recipe_id: int) -> RecipeSource:
    """The recipe and its files, checked by the same rules as a media clip's file."""
    from studio.core.ops.kata import list_recipes, load_recipe  # here: the Kata engine loads only when a recipe is used

    fallback = f"Kata recipe {recipe_id}"
    if resolver.lib is None:
        return RecipeSource(recipe_id, fallback, problem="the clip names a Kata recipe, but no library is open")
    try:
        recipe = load_recipe(resolver.lib, recipe_id)
    except BadInput as exc:  # deleted, or a document this version cannot read
        gone = all(r.id != recipe_id for r in list_recipes(resolver.lib))
        return RecipeSource(recipe_id, fallback, problem="the Kata recipe is no longer in the library" if gone else str(exc))
    files = []
    for role, ref in (("scene", recipe.scene), ("product", recipe.product)):
        # The recipe's files stand in as media clips, so they are offline for exactly the same reasons.
        stand_in = MediaClip(asset_id=ref, start=0, duration=1) if isinstance(ref, int) else MediaClip(path=str(Path(ref).expanduser()), start=0, duration=1)
        missing = resolver.missing(Composition(tracks=[Track(kind="video", clips=[stand_in])]))
        if missing:
            path = missing[0]["path"]
            return RecipeSource(recipe_id, recipe.name, recipe, problem=f"its {role} is offline: {missing[0]['reason']}",
                                path=Path(path) if path else None)
        files.append(resolver.path(stand_in))
    if recipe.video is not None and recipe.video.track is None:
        return RecipeSource(recipe_id, recipe.name, recipe, problem="its placement in the video has not been tracked yet; track it in the Kata workspace")
    made_of = [recipe.to_document()] + [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    fingerprint = hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()
    return RecipeSource(recipe_id, recipe.name, recipe, fingerprint)


def recipe_sources(resolver: MediaResolver, composition: Composition) -> dict[str, RecipeSource]:
    """Each kata clip's recipe by clip id (a recipe used by several clips is looked up once)."""
    by_recipe: dict[int, RecipeSource] = {}
    sources = {}
    for _track, clip in composition.clips():
        if isinstance(clip, KataClip):
            if clip.recipe_id not in by_recipe:
                by_recipe[clip.recipe_id] = find_recipe(resolver, clip.recipe_id)
            sources[clip.id] = by_recipe[clip.recipe_id]
    return sources


def offline_recipes(composition: Composition, sources: dict[str, RecipeSource]) -> list[dict]:
    """Kata clips that cannot be drawn, listed as MediaResolver.missing() lists media clips."""
    found = []
    for _track, clip in composition.clips():
        source = sources.get(clip.id)
        if source is not None and source.problem:
            found.append({"clip_id": clip.id, "name": clip.name or source.name,
                          "path": str(source.path) if source.path else None, "reason": source.problem})
    return found


def composite(source: RecipeSource, lib) -> np.ndarray:
    """The recipe's composite at the scene's full resolution, (h, w, 3) RGB uint8 (BadInput when
    its files cannot be read or composited)."""
    from studio.core.ops.kata import library_resolver
    from studio.kata.recipe import render_recipe

    with _composites_lock:
        found = _composites.get(source.fingerprint)
    if found is None:
        found = render_recipe(source.recipe, library_resolver(lib)).image
        with _composites_lock:
            _composites.put(source.fingerprint, found)
    return found


def tracked(source: RecipeSource, lib):
    """A video recipe's prepared track (studio.core.kata_video.clip.PreparedTrack), made once per
    recipe content (BadInput when its files cannot be read or composited)."""
    from studio.core.kata_video.clip import prepare
    from studio.core.ops.kata import library_resolver

    with _composites_lock:
        found = _tracks.get(source.fingerprint)
    if found is None:
        found = prepare(source.recipe, library_resolver(lib), lib.root)
        with _composites_lock:
            _tracks[source.fingerprint] = found
            while len(_tracks) > _TRACKS_KEPT:
                _tracks.pop(next(iter(_tracks)))
    return found
