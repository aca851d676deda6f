"""Batch placement, a job: every product in every scene at its best zone, one PNG per pair
and a contact sheet (scenes down, products across). `run(params, state)` reports progress
and stops between pairs when cancelled."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from studio.kata.analysis import analyze
from studio.kata.compose import ComposeParams, composite
from studio.kata.images import load_rgb
from studio.kata.placement import find_zones, placement_for
from studio.kata.product import load_product
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


def run(params: BatchParams, state) -> dict:
    out = Path(params.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    products = [(Path(p), load_product(p, height_m=params.height_m, category=params.category)) for p in params.products]
    compose = ComposeParams(**params.compose)
    total = len(params.scenes) * len(products)
    pairs, rows = [], []
    state.set_status(f"Placing {len(products)} products in {len(params.scenes)} scenes")
    for scene_path in map(Path, params.scenes):
        state.check()
        scene = load_rgb(scene_path)
        analysis = analyze(scene)
        row = []
        for product_path, product in products:
            state.check()
            zones, _heat = find_zones(analysis, product, limit=1)
            pair = {"scene": str(scene_path), "product": str(product_path), "path": None, "zone": None, "score": None}
            if zones:
                placement = placement_for(zones[0], product)
                result = composite(scene, product, placement, compose, depth=analysis.depth, light_dir=analysis.light_dir,
                                   vertical_vp=analysis.vertical_vanishing_point())
                path = out / f"{scene_path.stem}__{product_path.stem}.png"
                _save_png(result.image, path)
                pair.update(path=str(path), zone=zones[0].as_dict(), score=score(analysis, product, placement, result).as_dict())
                row.append(_thumb(result.image))
            else:
                pair["reason"] = "no plausible zone; place this product by hand with `studio kata place --at X,Y`"
                row.append(None)
            pairs.append(pair)
            state.set_progress(len(pairs), total)
        rows.append(row)
    sheet = out / "contact_sheet.png"
    _save_png(_contact_sheet(rows), sheet)
    return {"pairs": pairs, "contact_sheet": str(sheet)}


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
    """Written under a temporary name and renamed, so a crash never leaves half a PNG."""
    tmp = path.with_name(f".{path.name}.partial")
    Image.fromarray(image).save(tmp, format="PNG")
    tmp.replace(path)
