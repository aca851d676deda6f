"""Batch placement, a job: every product in every scene at its best zone, one PNG per pair
and a contact sheet (scenes down, products across). `run(params, state)` reports progress
and stops between pairs when cancelled. Each scene is one task (`place_in_scene`): the caller
may hand them out to worker processes or a render cluster (map_each, e.g. core's run_each
bound to a pool); kata itself stays free of how."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, composite
from studio.kata.images import load_rgb
from studio.kata.placement import find_zones, placement_for
from studio.kata.product import Product, load_product
from studio.kata.score import score

CELL = 256  # contact-sheet thumbnail size (longest side)
GAP = 8
EMPTY = (60, 60, 60)  # a cell whose scene had no place for the product


@dataclass
class BatchParams:
    scenes: list[str]
    products: list[str]
    out_dir: str
    category: str = "bottle"
    height_m: float | None = None
    compose: dict = field(default_factory=dict)  # ComposeParams fields


@dataclass
class SceneTask:
    scene: str
    products: list[tuple[str, Product]]  # (path, loaded product): cut out once, not once per scene
    out_dir: str
    compose: dict


def run(params: BatchParams, state, map_each: Callable | None = None) -> dict:
    """map_each(fn, tasks, state) -> results in order runs place_in_scene for every scene (default:
    here, one after the other)."""
    out = Path(params.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    products = [(p, load_product(p, height_m=params.height_m, category=params.category)) for p in params.products]
    state.set_status(f"Placing {len(products)} products in {len(params.scenes)} scenes")
    tasks = [SceneTask(scene, products, str(out), params.compose) for scene in params.scenes]
    rows = (map_each or _in_turn)(place_in_scene, tasks, state)
    state.check()
    sheet = out / "contact_sheet.png"
    _save_png(_contact_sheet([[thumb for _, thumb in row] for row in rows]), sheet)
    return {"pairs": [pair for row in rows for pair, _ in row], "contact_sheet": str(sheet)}


def place_in_scene(task: SceneTask, state) -> list[tuple[dict, np.ndarray | None]]:
    """Every product in the scene at its best zone: (pair, contact-sheet thumbnail or None) each."""
    scene_path = Path(task.scene)
    state.check()
    scene = load_rgb(scene_path)
    analysis = analyze(scene)
    compose = ComposeParams(**task.compose)
    row = []
    for i, (product_path, product) in enumerate(task.products):
        state.check()
        zones, _heat = find_zones(analysis, product, limit=1)
        pair = {"scene": str(scene_path), "product": str(product_path), "path": None, "zone": None, "score": None}
        thumb = None
        if zones:
            placement = placement_for(zones[0], product)
            result = composite(scene, product, placement, compose, depth=analysis.depth, light_dir=analysis.light_dir,
                               vertical_vp=analysis.vertical_vanishing_point())
            path = Path(task.out_dir) / f"{scene_path.stem}__{Path(product_path).stem}.png"
            _save_png(result.image, path)
            pair.update(path=str(path), zone=zones[0].as_dict(), score=score(analysis, product, placement, result).as_dict())
            thumb = _thumb(result.image)
        else:
            pair["reason"] = "no plausible zone; place this product by hand with `studio kata place --at X,Y`"
        row.append((pair, thumb))
        state.set_progress(i + 1, len(task.products))
    return row


def _in_turn(fn: Callable, tasks: list, state) -> list:
    return [fn(task, _Share(state, i, len(tasks))) for i, task in enumerate(tasks)]


class _Share:
    """The state of the index-th of count tasks run in turn: its progress moves the job's."""

    def __init__(self, state, index: int, count: int):
        self.state, self.index, self.count = state, index, count

    @property
    def cancelled(self) -> bool:
        return self.state.cancelled

    def check(self) -> None:
        self.state.check()

    def set_status(self, text: str) -> None:
        self.state.set_status(text)

    def set_progress(self, done: float, total: float) -> None:
        self.state.set_progress(self.index + done / total, self.count)


def _thumb(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    s = CELL / max(h, w)
    return cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def _contact_sheet(rows: list[list[np.ndarray | None]]) -> np.ndarray:
    n_cols = max(len(r) for r in rows)
    sheet = np.full((GAP + len(rows) * (CELL + GAP), GAP + n_cols * (CELL + GAP), 3), 255, np.uint8)
    for r, row in enumerate(rows):
        for c, thumb in enumerate(row):
            y, x = GAP + r * (CELL + GAP), GAP + c * (CELL + GAP)
            if thumb is None:
                sheet[y:y + CELL, x:x + CELL] = EMPTY
            else:
                sheet[y:y + thumb.shape[0], x:x + thumb.shape[1]] = thumb
    return sheet


def _save_png(image: np.ndarray, path: Path) -> None:
    """Written under a temporary name and renamed, so a crash never leaves half a PNG (a task run
    again after its worker died overwrites the same temporary name)."""
    tmp = path.with_name(f".{path.name}.partial")
    Image.fromarray(image).save(tmp, format="PNG")
    tmp.replace(path)
