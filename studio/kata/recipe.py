"""A placement stored as a recipe, not pixels: which scene, which product, where, how big,
and the compositing switches. It re-renders at full resolution from the original files."""

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

    @classmethod
    def from_document(cls, document: dict) -> Recipe:
        try:
            recipe = cls.model_validate(document)
            recipe.compose_params()
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
    scene = load_rgb(resolver(recipe.scene))
    product = load_product(resolver(recipe.product), height_m=recipe.height_m, category=recipe.category)
    analysis = analyze(scene)
    placement = Placement(**recipe.placement.model_dump())
    return composite(scene, product, placement, recipe.compose_params(), depth=analysis.depth, light_dir=analysis.light_dir,
                     vertical_vp=analysis.vertical_vanishing_point())
