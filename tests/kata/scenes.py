"""Synthetic scenes with known geometry, for Kata tests.

A level pinhole camera at `camera_height_m` looks at a tiled floor that ends at a back
wall. A ground point at depth Z (metres) and lateral offset X projects to
    y = horizon_y + f * camera_height_m / Z,    x = cx + f * X / Z,
so an object standing at row y measures (y - horizon_y) / camera_height_m pixels per metre
(Hoiem et al.), whatever the focal length.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TILE_M = 0.5
WALL_Z_M = 7.0


@dataclass
class SceneTruth:
    size: tuple[int, int]  # w, h
    horizon_y: float | None
    camera_height_m: float
    focal_px: float
    floor_mask: np.ndarray  # bool, full res; the visible floor
    table_top_mask: np.ndarray | None = None
    table_top_box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1
    table_height_m: float = 0.0
    notes: dict = field(default_factory=dict)

    def px_per_metre(self, y: float, surface_height_m: float = 0.0) -> float:
        return (y - self.horizon_y) / (self.camera_height_m - surface_height_m)


def _grid(size):
    w, h = size
    return np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)


def _noise(size, amount, seed):
    w, h = size
    return np.random.default_rng(seed).normal(0, amount, (h, w, 1))


def _render_floor(size, horizon_y, camera_height_m, focal_px, yaw_deg=0.0):
    """Image with the wall everywhere and the checkered floor below the wall's foot; the
    tiles turned by yaw_deg have two vanishing points on the horizon instead of one."""
    w, h = size
    xs, ys = _grid(size)
    image = np.empty((h, w, 3), np.float64)
    image[:] = (196, 188, 172)  # warm grey wall
    image *= (0.9 + 0.1 * ys / h)[..., None]
    drop = np.maximum(ys - horizon_y, 1e-6)
    z = focal_px * camera_height_m / drop
    floor = (ys > horizon_y) & (z < WALL_Z_M)
    x_m = (xs - w / 2) * z / focal_px
    turn = np.radians(yaw_deg)
    u, v = x_m * np.cos(turn) - z * np.sin(turn), x_m * np.sin(turn) + z * np.cos(turn)
    checker = (np.floor(u / TILE_M) + np.floor(v / TILE_M)) % 2 == 0
    light, dark = np.array((150, 120, 90.0)), np.array((70, 55, 45.0))
    image[floor & checker] = light
    image[floor & ~checker] = dark
    return image, floor


def floor_scene(size=(1024, 768), horizon_y=300.0, camera_height_m=1.5, *, yaw_deg=0.0, focal_px=None, seed=0):
    """A tiled floor in perspective under a plain back wall; returns (rgb uint8, SceneTruth)."""
    focal_px = focal_px or size[0] * 0.9
    image, floor = _render_floor(size, horizon_y, camera_height_m, focal_px, yaw_deg)
    rgb = np.clip(image + _noise(size, 3, seed), 0, 255).astype(np.uint8)
    return rgb, SceneTruth(size, horizon_y, camera_height_m, focal_px, floor)


def table_scene(size=(1024, 768), horizon_y=260.0, camera_height_m=1.5, table_height_m=0.75, *,
                table_x_m=(-0.7, 0.5), table_z_m=(3.4, 4.2), focal_px=None, seed=0):
    """floor_scene plus a table (a box seen from the front): a wooden top at
    table_height_m and a darker front panel down to the floor."""
    focal_px = focal_px or size[0] * 0.9
    w = size[0]
    image, floor = _render_floor(size, horizon_y, camera_height_m, focal_px)
    xs, ys = _grid(size)
    z_near, z_far = table_z_m
    drop_top = camera_height_m - table_height_m
    # Top: rows whose ray meets the plane Y = table_height_m between z_near and z_far.
    z_top = focal_px * drop_top / np.maximum(ys - horizon_y, 1e-6)
    x_top = (xs - w / 2) * z_top / focal_px
    top = (ys > horizon_y) & (z_top >= z_near) & (z_top <= z_far) & (x_top >= table_x_m[0]) & (x_top <= table_x_m[1])
    # Front panel: the plane Z = z_near from the floor up to the top's near edge.
    front_top = horizon_y + focal_px * drop_top / z_near
    front_bottom = horizon_y + focal_px * camera_height_m / z_near
    fx0, fx1 = (w / 2 + focal_px * x / z_near for x in table_x_m)
    front = (ys > front_top) & (ys <= front_bottom) & (xs >= fx0) & (xs <= fx1)
    grain = 8 * np.sin(x_top * 40 + 3 * np.sin(z_top * 7))
    image[top] = np.array((181, 140, 96.0)) + grain[top][:, None]
    image[front] = (92, 64, 44)
    floor &= ~(top | front)
    rgb = np.clip(image + _noise(size, 3, seed), 0, 255).astype(np.uint8)
    rows, cols = np.nonzero(top)
    truth = SceneTruth(size, horizon_y, camera_height_m, focal_px, floor, top,
                       (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1), table_height_m)
    return rgb, truth


def wall_scene(size=(1024, 768), *, seed=0):
    """A frontal brick wall filling the frame: nothing to stand a product on."""
    w, h = size
    xs, ys = _grid(size)
    brick_h, brick_w = 40, 96
    row = np.floor(ys / brick_h)
    offset = (row % 2) * brick_w / 2
    mortar = (ys % brick_h < 4) | ((xs + offset) % brick_w < 4)
    rng = np.random.default_rng(seed)
    tint = rng.normal(0, 12, (int(h / brick_h) + 2, int(w / brick_w) + 3))
    shade = tint[row.astype(int), np.floor((xs + offset) / brick_w).astype(int)]
    image = np.empty((h, w, 3))
    image[:] = (160, 72, 54)
    image += shade[..., None]
    image[mortar] = (200, 196, 188)
    rgb = np.clip(image + _noise(size, 3, seed), 0, 255).astype(np.uint8)
    return rgb, SceneTruth(size, None, 1.5, w * 0.9, np.zeros((h, w), bool))
