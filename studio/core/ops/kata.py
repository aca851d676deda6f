"""Stored Kata recipes (one undoable step per write) and "Save as asset", which renders a
recipe at full resolution and imports the PNG through the core importer."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from studio.core.assets import importer
from studio.core.db.models import KataRecipeRow, utcnow
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.tx import OpResult
from studio.core.queries import get_asset
from studio.kata.recipe import Recipe, render_recipe


@dataclass(frozen=True)
class RecipeInfo:
    id: int
    name: str
    campaign_id: int | None


def library_resolver(lib):
    """Resolves a recipe's asset ids through the library, and plain paths as files."""

    def resolve(ref: int | str) -> Path:
        if isinstance(ref, str):
            path = Path(ref).expanduser()
            if not path.is_file():
                raise BadInput(f"{path} is not a file; relink the recipe to the scene or product file.")
            return path
        asset = get_asset(lib, ref)
        if asset is None or asset.trashed_at is not None:
            raise BadInput(f"Asset {ref} is {'in the trash' if asset else 'not in the library'}; restore it or import the file again.")
        return lib.media_path(asset.sha256, asset.ext)

    return resolve


def create_recipe(lib, recipe: Recipe, campaign_id: int | None = None) -> OpResult:
    document = Recipe.from_document(recipe.to_document()).to_document()  # validates the whole
    with lib.write(f"New Kata recipe {recipe.name}") as tx:
        tx.value = tx.insert("kata_recipes", name=recipe.name, campaign_id=campaign_id, document=document)
    return tx.result


def save_recipe(lib, recipe_id: int, recipe: Recipe, label: str = "Edit Kata recipe", *, merge_key: str | None = None) -> OpResult:
    """One undoable step; rapid edits with the same merge key (a drag) merge into one."""
    document = Recipe.from_document(recipe.to_document()).to_document()
    _document(lib, recipe_id)  # refuses a recipe that is gone
    with lib.write(label, merge_key=merge_key and f"kata_recipe:{recipe_id}:{merge_key}") as tx:
        tx.update("kata_recipes", recipe_id, name=recipe.name, document=document, updated_at=utcnow())
    return tx.result


def delete_recipe(lib, recipe_id: int) -> OpResult:
    _document(lib, recipe_id)  # refuses a recipe that is gone
    with lib.write("Delete Kata recipe") as tx:
        tx.delete("kata_recipes", recipe_id)
    return tx.result


def load_recipe(lib, recipe_id: int) -> Recipe:
    return Recipe.from_document(_document(lib, recipe_id))


def is_video_recipe(lib, recipe_id: int) -> bool:
    """Whether the recipe places its product in a video (it then plays as video on the timeline);
    False for a still one, or one that is gone."""
    with lib.read() as conn:
        row = conn.execute(select(KataRecipeRow.document).where(KataRecipeRow.id == recipe_id)).first()
    return row is not None and row.document.get("video") is not None


def list_recipes(lib) -> list[RecipeInfo]:
    with lib.read() as conn:
        rows = conn.execute(select(KataRecipeRow.id, KataRecipeRow.name, KataRecipeRow.campaign_id).order_by(KataRecipeRow.id)).all()
    return [RecipeInfo(*row) for row in rows]


def _document(lib, recipe_id: int) -> dict:
    with lib.read() as conn:
        row = conn.execute(select(KataRecipeRow.document).where(KataRecipeRow.id == recipe_id)).first()
    if row is None:
        raise BadInput(f"There is no Kata recipe {recipe_id}; list the recipes to see their ids.")
    return row.document


def save_as_asset(lib, recipe: Recipe, *, campaign_id: int | None = None) -> int:
    """Render the recipe at full resolution and import the PNG (one undoable step). Returns the asset id."""
    result = render_recipe(recipe, library_resolver(lib))
    with tempfile.TemporaryDirectory(prefix="kata-") as folder:
        path = Path(folder) / f"{_file_stem(recipe.name)}.png"
        Image.fromarray(result.image).save(path)
        report = importer.run(importer.ImportParams(str(lib.root), [str(path)], campaign_id), JobState(), lib=lib)
    if report.imported:
        return report.imported[0]["id"]
    skipped = report.skipped[0]
    if skipped.get("asset_id"):  # the same pixels were saved before
        return skipped["asset_id"]
    raise BadInput(f"The rendered placement could not be saved: {skipped['reason']}.")


def _file_stem(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_ " else "-" for c in name).strip() or "kata"
