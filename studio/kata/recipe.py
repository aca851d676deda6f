"""A placement stored as a recipe, not pixels: which scene, which product, where, how big,
and the compositing switches. It re-renders at full resolution from the original files.

The scene may be a video clip (`video` set): the placement is then made on its anchor frame,
and the stored track carries it through the clip. Schema history: 1 — first version; later,
additively (every older recipe still loads, so the version stays): the video scene.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from studio.core.errors import BadInput
from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.images import load_rgb
from studio.kata.product import load_product

# Turns a recipe's scene or product (a library asset id, or a file path) into a file path.
Resolver = Callable[[int | str], Path]


class PlacementSpec(BaseModel):
    x: float
    y: float
    height_px: float = Field(gt=0)
    rotation_deg: float = 0.0


class VideoScene(BaseModel):
    """The scene is a video: the placement is made on frame `anchor`, and the track carries it through the clip."""

    anchor: int = Field(ge=0)
    track: dict | None = None  # a studio.kata.track.model.Track document; None until tracked
    measurements: dict | None = None  # the tracked layer's per-frame occlusion and light (TrackedLayer.measure)
    fixed: bool = False  # the track is a fixed placement, chosen where the scene had too little texture to track

    def tracked(self):
        """The stored Track (BadInput when it cannot be read), or None before tracking."""
        from studio.kata.track.model import Track

        return None if self.track is None else Track.from_document(self.track)


class Recipe(BaseModel):
    schema_version: Literal[1] = 1
    name: str = "Kata placement"
    scene: int | str  # asset id or path
    product: int | str
    zone_id: int | None = None
    placement: PlacementSpec
    height_m: float | None = Field(default=None, gt=0)
    category: str = "bottle"
    params: dict = Field(default_factory=dict)  # ComposeParams fields
    video: VideoScene | None = None  # set when the scene is a video clip

    @classmethod
    def from_document(cls, document: dict) -> Recipe:
        try:
            recipe = cls.model_validate(document)
            recipe.compose_params()
            if recipe.video is not None:
                recipe.video.tracked()
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'recipe'}: {e['msg']}" for e in exc.errors())
            raise BadInput(f"The Kata recipe is not valid ({problems}); place the product again to make a new one.") from None
        return recipe

    def to_document(self) -> dict:
        return self.model_dump(mode="json")

    def compose_params(self) -> ComposeParams:
        try:
            return ComposeParams(**self.params)
        except (TypeError, ValueError) as exc:
            raise BadInput(f"The recipe's compositing settings are not valid ({exc}); reset them in the Kata workspace.") from None


def path_resolver(ref: int | str) -> Path:
    """Resolves file paths only; a library asset id needs the library's resolver."""
    if isinstance(ref, int):
        raise BadInput(f"The recipe names library asset {ref}; open it with --library so the asset can be found.")
    path = Path(ref).expanduser()
    if not path.is_file():
        raise BadInput(f"{path} is not a file; relink the recipe to the scene or product file.")
    return path


def render_recipe(recipe: Recipe, resolver: Resolver = path_resolver):
    """The recipe's composite at the scene's full resolution."""
    if recipe.video is not None:
        raise BadInput(f"{recipe.name!r} is placed in a video: it renders as a clip. Put it on a Creative timeline, "
                       "or render it with `studio kata track`.")
    scene = load_rgb(resolver(recipe.scene))
    product = load_product(resolver(recipe.product), height_m=recipe.height_m, category=recipe.category)
    analysis = analyze(scene)
    placement = Placement(**recipe.placement.model_dump())
    return composite(scene, product, placement, recipe.compose_params(), depth=analysis.depth, light_dir=analysis.light_dir,
                     vertical_vp=analysis.vertical_vanishing_point())
