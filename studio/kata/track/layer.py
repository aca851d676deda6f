"""A tracked placement rendered into every frame of a clip: composited once, then warped, relit and occluded per frame.

The API (all frames are RGB uint8 arrays of the track's size, rotation applied; no file I/O here):

    layer = TrackedLayer.prepare(anchor_rgb, product, placement, params, depth=..., light_dir=..., vertical_vp=...)
        The still compositor (studio.kata.compose.composite: scale, light, shadow, harmonization,
        depth occlusion) runs once on the anchor frame; the product is kept as a small premultiplied
        RGBA layer plus a shadow (darkening) layer in anchor-frame coordinates.
    measurements = layer.measure(frames, track, state=None)
        One pass over the clip's frames, in order: per-frame light gains (smoothed per shot, see
        light.py) and the clean plate of the plane region (see occlusion.py).
        measurements.to_document() / Measurements.from_document(doc): small, JSON-able, no images.
        measurements.cache() -> {name: array} / measurements.with_cache(arrays): the image-like part
        (the clean plate), for a cache the caller may keep or drop. Without it, render compares
        against the anchor frame's own plane patch instead (right unless something stood in front
        of the product on the anchor frame); measure again to get it back.
    image, memory = layer.render(i, rgb, track, measurements, previous=None)
        Frame i composited. previous=None renders any frame on its own (preview); passing back the
        memory of frame i - 1 keeps the occlusion mask steady over time (no flicker). memory.box and
        memory.coverage tell where the product landed and how opaque it is there (None: not shown).
    render_frames(layer, frames, track, measurements, start=0, state=None) -> iterator of images
        The sequential path for full renders; frames are frames start, start + 1, ... of the track.

The track's homographies carry anchor pixels to frame pixels in OpenCV's convention (pixel
(x, y)'s centre at (x, y), as cv2.findHomography and cv2.warpPerspective use).

On each frame the layer is warped onto the frame (a warp of a small region, not a full composite):
the shadow, lying on the plane, by the frame's homography; the product, standing on it, by the
similarity that keeps its contact point on the plane and scales and turns it like the plane there
(not foreshortened or sheared with the ground). Its colour is multiplied by the frame's light gains,
it is hidden where the occlusion mask says something passes in front, and it fades out as its
footprint leaves the frame (fully shown while FADE_FULL of it is inside, gone at FADE_GONE: no smear
at the edge). Frames whose track state is not TRACKED show the plain frame.

state is duck-typed like studio.core.jobs.JobState: state.check() raises Cancelled, state.set_progress(done, total).
Bad input (frames of another size, a track made from another anchor frame, measurements of another
placement or clip) raises BadInput saying what to do.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from studio.core.errors import BadInput
from studio.kata.compose import ComposeParams, Placement, composite
from studio.kata.product import Product
from studio.kata.track import light, occlusion
from studio.kata.track.model import TRACKED, Track

OCCLUSION_WORK_PX = 320  # the occlusion grid's longer side, at most: the mask is soft, finer costs time
LIGHT_WORK_PX = 96
LIGHT_REACH = 1.0  # the light is read around the product: its region grown by this many of its sizes per side
MIN_PLANE_SHARE = 0.25  # when the track's quad covers less of that window, the whole window is read
PLATE_SAMPLES = 25  # frames spread over the clip whose plane patches make the clean plate
FADE_FULL, FADE_GONE = 0.9, 0.4  # share of the product's footprint inside the frame: fully shown / gone
SHADOW_MIN = 1 / 255
THUMB_SIZE = (64, 36)
ANCHOR_TOLERANCE = 4.0  # mean grey-level difference of thumbnails beyond which it is another frame


@dataclass(frozen=True)
class _Grid:
    """A pixel grid over the anchor-frame box [x0, x1) × [y0, y1), at a scale: where plane patches are compared."""

    x0: int
    y0: int
    x1: int
    y1: int
    scale: float

    @property
    def size(self) -> tuple[int, int]:
        return max(1, round((self.x1 - self.x0) * self.scale)), max(1, round((self.y1 - self.y0) * self.scale))

    def to_anchor(self) -> np.ndarray:
        """Grid pixel centres to anchor pixel centres."""
        w, h = self.size
        sx, sy = w / (self.x1 - self.x0), h / (self.y1 - self.y0)
        return np.array([[1 / sx, 0, self.x0 + 0.5 / sx - 0.5], [0, 1 / sy, self.y0 + 0.5 / sy - 0.5], [0, 0, 1]])

    def sample(self, frame: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(patch, valid): the frame's pixels at the grid's plane points (h: anchor -> frame); valid is False
        where a point falls outside the frame."""
        m = h @ self.to_anchor()
        w, ht = self.size
        patch = cv2.warpPerspective(frame, m, (w, ht), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        fh, fw = frame.shape[:2]
        corners = _project(m, np.array([[0, 0], [w - 1, 0], [w - 1, ht - 1], [0, ht - 1]], np.float64))
        if corners is not None and (corners >= 0).all() and (corners[:, 0] <= fw - 1).all() \
                and (corners[:, 1] <= fh - 1).all():
            return patch, np.ones((ht, w), bool)  # the common case: all inside
        xs, ys = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(ht, dtype=np.float64))
        p = np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ m.T
        with np.errstate(divide="ignore", invalid="ignore"):
            x, y = p[..., 0] / p[..., 2], p[..., 1] / p[..., 2]
        return patch, (p[..., 2] > 0) & (x >= 0) & (x <= fw - 1) & (y >= 0) & (y <= fh - 1)

    def mask_of(self, polygon: np.ndarray) -> np.ndarray:
        """Bool grid mask of the inside of an anchor-frame convex polygon."""
        w, h = self.size
        points = _project(np.linalg.inv(self.to_anchor()), np.asarray(polygon, np.float64))
        mask = np.zeros((h, w), np.uint8)
        hull = cv2.convexHull(np.round(points * 16).astype(np.int32))
        cv2.fillConvexPoly(mask, hull, 1, cv2.LINE_8, shift=4)
        return mask > 0


@dataclass
class FrameMemory:
    """What render keeps of a frame: the occlusion to continue from, and where the product landed."""

    index: int
    occluded: np.ndarray | None = None  # bool, on the occlusion grid (anchor-aligned); None: nothing computed
    box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in the frame; None: the product is not shown
    coverage: np.ndarray | None = None  # float32 0..1 in box: the product's opacity after occlusion and fading


@dataclass
class Measurements:
    """What one pass over the clip learned: per-frame light, and (cache only) the clean plate."""

    region: tuple[int, int, int, int]  # the layer's region on the anchor frame: which placement this is for
    raw_gains: np.ndarray  # (n, 3) per-channel light against the anchor frame, NaN where not measured
    gains: np.ndarray  # (n, 3) the same smoothed per shot, NaN where the product is not shown
    plate: np.ndarray | None = None  # float32 (h, w, 3) on the layer's occlusion grid
    spread: np.ndarray | None = None  # float32 (h, w)

    def __len__(self) -> int:
        return len(self.gains)

    def light(self, i: int) -> np.ndarray:
        """float32 (3,): frame i's smoothed gains, which relight the product (1s where there are none)."""
        return _finite_or_one(self.gains[i])

    def exposure(self, i: int) -> np.ndarray:
        """float32 (3,): frame i's own gains where measured (flicker included: what makes the frame's plane
        match the clean plate), else the smoothed ones."""
        raw = self.raw_gains[i]
        return raw.astype(np.float32) if np.isfinite(raw).all() else self.light(i)

    def to_document(self) -> dict:
        def rows(a):
            return [None if not np.isfinite(g).all() else np.round(g, 5).tolist() for g in a]
        return {"region": list(self.region), "raw_gains": rows(self.raw_gains), "gains": rows(self.gains)}

    @classmethod
    def from_document(cls, doc: dict) -> Measurements:
        def array(rows):
            rows = [[np.nan] * 3 if r is None else [float(v) for v in r] for r in rows]
            return np.array(rows, np.float64).reshape(-1, 3)
        try:
            region = tuple(int(v) for v in doc["region"])
            raw, gains = array(doc["raw_gains"]), array(doc["gains"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInput(f"The stored light measurements cannot be read ({exc}); measure the clip again.") from None
        if len(region) != 4 or len(raw) != len(gains):
            raise BadInput("The stored light measurements are inconsistent; measure the clip again.")
        return cls(region=region, raw_gains=raw, gains=gains)

    def cache(self) -> dict[str, np.ndarray]:
        """The image-like part, for the caller's cache (empty when there is none)."""
        return {} if self.plate is None else {"plate": self.plate, "spread": self.spread}

    def with_cache(self, arrays: dict[str, np.ndarray]) -> Measurements:
        if set(arrays) != {"plate", "spread"}:
            raise BadInput("The cached clean plate is incomplete; measure the clip again.")
        return dataclasses.replace(self, plate=np.asarray(arrays["plate"], np.float32),
                                   spread=np.asarray(arrays["spread"], np.float32))


class TrackedLayer:
    """The product composited once on the anchor frame, ready to be warped onto any frame (see the module docstring)."""

    def __init__(self, *, size, region, contact, layer, shadow, footprint, occlusion_on, occlusion_grid,
                 light_grid, anchor_light, fallback_plate, thumbnail):
        self.size = size  # (w, h) of the anchor frame
        self.region = region  # x0, y0, x1, y1 of the layer on the anchor frame
        self._contact = contact  # the product's contact point on the anchor frame (pixel-centre coordinates)
        self._layer = layer  # uint8 (h, w, 4): colour premultiplied by alpha, and alpha
        self._shadow = shadow  # uint8 (h, w): how much the frame is darkened
        self._footprint = footprint  # (4, 2) the product's box on the anchor frame, for fading at the edges
        self._occlusion_on = occlusion_on
        self._occlusion_grid = occlusion_grid
        self._light_grid = light_grid
        self._anchor_light = anchor_light  # uint8 patch of the anchor frame on the light grid
        self._fallback_plate = fallback_plate  # (plate, spread) from the anchor frame alone
        self._thumbnail = thumbnail

    @classmethod
    def prepare(cls, anchor_rgb: np.ndarray, product: Product, placement: Placement, params: ComposeParams, *,
                depth: np.ndarray | None = None, light_dir=(-0.5, -0.8),
                vertical_vp: tuple[float, float] | None = None) -> TrackedLayer:
        still = composite(anchor_rgb, product, placement, params, depth=depth, light_dir=light_dir,
                          vertical_vp=vertical_vp)
        scene = np.ascontiguousarray(np.asarray(anchor_rgb)[..., :3])
        h, w = scene.shape[:2]
        if not (still.mask > 0).any():
            raise BadInput("The product is hidden entirely on the anchor frame (the scene stands in front of it). "
                           "Place it where it can be seen, or turn occlusion off.")
        ys, xs = np.nonzero((still.mask > 0) | (still.shadow_mask >= SHADOW_MIN))
        x0, y0, x1, y1 = max(xs.min() - 2, 0), max(ys.min() - 2, 0), min(xs.max() + 3, w), min(ys.max() + 3, h)
        region = (int(x0), int(y0), int(x1), int(y1))
        cover = still.mask[y0:y1, x0:x1]
        dark = still.shadow_mask[y0:y1, x0:x1]
        # The still is colour * cover + scene * (1 - shadow) * (1 - cover): take the scene's share away.
        behind = scene[y0:y1, x0:x1].astype(np.float32) * ((1 - dark) * (1 - cover))[..., None]
        colour = np.clip(still.image[y0:y1, x0:x1] - behind, 0, 255) * (cover > 0)[..., None]
        layer = _to_u8(np.dstack([colour, cover * 255]))
        py, px = np.nonzero(still.mask > 0)
        fx0, fy0, fx1, fy1 = px.min() - 0.5, py.min() - 0.5, px.max() + 0.5, py.max() + 0.5
        footprint = np.array([[fx0, fy0], [fx1, fy0], [fx1, fy1], [fx0, fy1]])

        occlusion_grid = _Grid(*region, scale=min(1.0, OCCLUSION_WORK_PX / max(x1 - x0, y1 - y0)))
        rw, rh = x1 - x0, y1 - y0
        lx0, ly0 = max(0, x0 - round(LIGHT_REACH * rw)), max(0, y0 - round(LIGHT_REACH * rh))
        lx1, ly1 = min(w, x1 + round(LIGHT_REACH * rw)), min(h, y1 + round(LIGHT_REACH * rh))
        light_grid = _Grid(lx0, ly0, lx1, ly1, scale=min(1.0, LIGHT_WORK_PX / max(lx1 - lx0, ly1 - ly0)))
        identity = np.eye(3)
        anchor_patch, seen = occlusion_grid.sample(scene, identity)
        return cls(size=(w, h), region=region, contact=(placement.x - 0.5, placement.y - 0.5), layer=layer,
                   shadow=_to_u8(dark * 255), footprint=footprint, occlusion_on=params.occlusion,
                   occlusion_grid=occlusion_grid, light_grid=light_grid,
                   anchor_light=light_grid.sample(scene, identity)[0],
                   fallback_plate=occlusion.clean_plate([anchor_patch], [seen]), thumbnail=_thumbnail(scene))

    # --- one pass over the clip -----------------------------------------------------------------

    def measure(self, frames: Iterable[np.ndarray], track: Track, *, state=None) -> Measurements:
        self._check_track(track)
        n = len(track)
        shown = track.state == TRACKED
        tracked = np.flatnonzero(shown)
        picks = np.unique(np.linspace(0, len(tracked) - 1, min(PLATE_SAMPLES, len(tracked))).round().astype(int))
        plate_frames = set(tracked[picks].tolist())
        plane = self._light_grid.mask_of(track.quad)
        if plane.mean() < MIN_PLANE_SHARE:
            plane[:] = True
        anchor_px = self._anchor_light[plane]

        raw = np.full((n, 3), np.nan)
        samples: list[tuple[int, np.ndarray, np.ndarray]] = []
        count = 0
        for i, rgb in enumerate(frames):
            if state is not None:
                state.check()
            if i >= n:
                raise BadInput(f"The clip has more frames than its track ({n}); track the clip again.")
            frame = self._check_frame(rgb, track, i)
            h = track.homography(i)
            if h is not None:
                patch, inside = self._light_grid.sample(frame, h)
                gain = light.frame_gain(anchor_px[inside[plane]], patch[plane & inside])
                if gain is not None:
                    raw[i] = gain
                if i in plate_frames:
                    samples.append((i, *self._occlusion_grid.sample(frame, h)))
            count += 1
            if state is not None:
                state.set_progress(count, n)
        if count != n:
            raise BadInput(f"The clip gave {count} frames but its track has {n}; track the clip again.")

        measurements = Measurements(region=self.region, raw_gains=raw, gains=light.smooth_gains(raw, shown, track.cuts))
        if samples:
            measurements.plate, measurements.spread = occlusion.clean_plate(
                [patch / measurements.exposure(i) for i, patch, _ in samples], [inside for _, _, inside in samples])
        return measurements

    # --- one frame ----------------------------------------------------------------------------

    def render(self, i: int, rgb: np.ndarray, track: Track, measurements: Measurements, *,
               previous: FrameMemory | None = None) -> tuple[np.ndarray, FrameMemory]:
        self._check_track(track)
        if not 0 <= i < len(track):
            raise BadInput(f"Frame {i} is not in the track's {len(track)} frames.")
        if len(measurements) != len(track) or tuple(measurements.region) != self.region:
            raise BadInput("The light and occlusion measurements were made for another clip or placement; "
                           "measure the clip again.")
        frame = self._check_frame(rgb, track, i)
        out = frame.copy()
        h = track.homography(i)
        placed = None if h is None else self._placed(h)
        if placed is None:
            return out, FrameMemory(i)
        box, product_to_box, shadow_to_box, fade = placed

        occluded = opacity = None
        if self._occlusion_on:
            plate, spread = (measurements.plate, measurements.spread) if measurements.plate is not None \
                else self._fallback_plate
            if plate.shape[:2] != spread.shape or spread.shape != self._fallback_plate[1].shape:
                raise BadInput("The cached clean plate does not fit this placement; measure the clip again.")
            patch, inside = self._occlusion_grid.sample(frame, h)
            continues = previous is not None and previous.index == i - 1 and i not in track.cuts
            occluded = occlusion.occluded(patch / measurements.exposure(i), inside, plate, occlusion.threshold(spread),
                                          previous.occluded if continues else None)
            if occluded.any():  # the opacity, 0..255, warped from the small grid straight into the box
                on_grid = _to_u8(occlusion.visibility(occluded) * (fade * 255))
                to_box_from_grid = _translate(-box[0], -box[1]) @ h @ self._occlusion_grid.to_anchor()
                opacity = cv2.warpPerspective(on_grid, to_box_from_grid, _box_size(box), flags=cv2.INTER_LINEAR,
                                              borderMode=cv2.BORDER_CONSTANT, borderValue=round(fade * 255))
        coverage = self._blend(out, box, product_to_box, shadow_to_box, measurements.light(i), fade, opacity)
        return out, FrameMemory(i, occluded, box, coverage)

    def _blend(self, out: np.ndarray, box, product_to_box: np.ndarray, shadow_to_box: np.ndarray, gains: np.ndarray,
               fade: float, opacity: np.ndarray | None) -> np.ndarray:
        """The warped layer over out[box], in place, in 8-bit fixed point (OpenCV's SIMD arithmetic: several
        times faster than float numpy); returns the product's coverage there. opacity: uint8 (occlusion and
        fade) in the box, or None where only the fade applies."""
        size = _box_size(box)
        layer = cv2.warpAffine(self._layer, product_to_box[:2], size, flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        shadow = cv2.warpPerspective(self._shadow, shadow_to_box, size, flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        colour, alpha = cv2.cvtColor(layer, cv2.COLOR_RGBA2RGB), cv2.extractChannel(layer, 3)  # contiguous: fast
        light = [float(g) for g in gains] + [0.0]
        if opacity is not None:  # hidden behind an occluder: less of the product, its colour and its shadow
            alpha = cv2.multiply(alpha, opacity, scale=1 / 255)
            shadow = cv2.multiply(shadow, opacity, scale=1 / 255)
            colour = cv2.multiply(colour, cv2.cvtColor(opacity, cv2.COLOR_GRAY2RGB), scale=1 / 255)
        elif fade < 1:
            alpha = cv2.multiply(alpha, (fade, 0, 0, 0))
            shadow = cv2.multiply(shadow, (fade, 0, 0, 0))
            light = [g * fade for g in light]
        keep = cv2.multiply(cv2.bitwise_not(alpha), cv2.bitwise_not(shadow), scale=1 / 255)
        x0, y0, x1, y1 = box
        scene = cv2.multiply(out[y0:y1, x0:x1], cv2.cvtColor(keep, cv2.COLOR_GRAY2RGB), scale=1 / 255)
        out[y0:y1, x0:x1] = cv2.add(scene, cv2.multiply(colour, tuple(light)))
        return alpha.astype(np.float32) * np.float32(1 / 255)

    def _placed(self, h: np.ndarray):
        """(box in the frame, product -> box and shadow -> box matrices, fade) for the frame with homography h,
        or None when the product does not show."""
        w, ht = self.size
        x0, y0, x1, y1 = self.region
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64) - 0.5
        upright = self._upright(h)
        ground = _project(h, corners)
        if upright is None or ground is None:
            return None  # the plane turned away from the camera: no sensible picture
        footprint = _project(upright, self._footprint)
        fade = float(np.clip((_share_inside(footprint, w, ht) - FADE_GONE) / (FADE_FULL - FADE_GONE), 0, 1))
        reach = np.vstack([ground, _project(upright, corners)])
        bx0, by0 = max(math.floor(reach[:, 0].min()), 0), max(math.floor(reach[:, 1].min()), 0)
        bx1, by1 = min(math.ceil(reach[:, 0].max()) + 1, w), min(math.ceil(reach[:, 1].max()) + 1, ht)
        if fade <= 0 or bx1 <= bx0 or by1 <= by0:
            return None
        to_box, from_layer = _translate(-bx0, -by0), _translate(x0, y0)
        return (bx0, by0, bx1, by1), to_box @ upright @ from_layer, to_box @ h @ from_layer, fade

    def _upright(self, h: np.ndarray) -> np.ndarray | None:
        """The similarity carrying the standing product along with the plane (h: anchor -> frame). Its contact
        point follows h exactly; it turns and scales like the plane's horizontal there (camera roll, zoom, a
        change of distance), but is not sheared or foreshortened with the ground, as an upright object is not.
        (Its shadow, lying on the ground, takes h itself.) None when the contact point is behind the camera."""
        cx, cy = self._contact
        p = h @ (cx, cy, 1.0)
        if p[2] <= 1e-9:
            return None
        u, v = p[:2] / p[2]
        c, s = (h[0, 0] - h[2, 0] * u) / p[2], (h[1, 0] - h[2, 0] * v) / p[2]  # d(frame)/dx at the contact
        return _translate(u, v) @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) @ _translate(-cx, -cy)

    # --- checks -----------------------------------------------------------------------------

    def _check_track(self, track: Track) -> None:
        if tuple(track.size) != self.size:
            raise BadInput(f"The track is for {track.size[0]}×{track.size[1]} frames but the placement was prepared "
                           f"on a {self.size[0]}×{self.size[1]} frame; prepare it on a frame of the tracked clip.")

    def _check_frame(self, rgb, track: Track, i: int) -> np.ndarray:
        frame = np.asarray(rgb)
        w, h = self.size
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] not in (3, 4):
            raise BadInput(f"Frame {i} is not an 8-bit RGB image; decode the clip to RGB frames.")
        if frame.shape[:2] != (h, w):
            raise BadInput(f"Frame {i} is {frame.shape[1]}×{frame.shape[0]} but the track's frames are {w}×{h}; "
                           "give the frames of the clip the track was made from (rotation applied), at full size.")
        frame = np.ascontiguousarray(frame[..., :3])
        if i == track.anchor and np.abs(_thumbnail(frame) - self._thumbnail).mean() > ANCHOR_TOLERANCE:
            raise BadInput(f"Frame {i}, the track's anchor, is not the frame the placement was prepared on. "
                           f"Prepare the placement on frame {i}, or track again from the frame it was placed on.")
        return frame


def render_frames(layer: TrackedLayer, frames: Iterable[np.ndarray], track: Track, measurements: Measurements, *,
                  start: int = 0, state=None) -> Iterator[np.ndarray]:
    """frames (frame start, start + 1, ... of the track) composited in order, the occlusion kept steady over time."""
    total = len(track) - start
    memory = None
    for k, rgb in enumerate(frames):
        if state is not None:
            state.check()
        image, memory = layer.render(start + k, rgb, track, measurements, previous=memory)
        yield image
        if state is not None:
            state.set_progress(k + 1, total)


def _finite_or_one(gains: np.ndarray) -> np.ndarray:
    return gains.astype(np.float32) if np.isfinite(gains).all() else np.ones(3, np.float32)


def _thumbnail(rgb: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, THUMB_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)


def _share_inside(polygon: np.ndarray, w: int, h: int) -> float:
    """The share of a convex polygon's area inside the frame."""
    poly = polygon.astype(np.float32)
    area = abs(cv2.contourArea(poly))
    if area < 1e-6:
        return 0.0
    frame = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]], np.float32)
    if cv2.contourArea(poly, oriented=True) < 0:
        poly = poly[::-1].copy()
    inside, _ = cv2.intersectConvexConvex(poly, frame)
    return min(1.0, inside / area)


def _project(h: np.ndarray, points: np.ndarray) -> np.ndarray | None:
    """points (k, 2) through h; None when any lands behind the camera."""
    p = np.c_[points, np.ones(len(points))] @ h.T
    if (p[:, 2] <= 1e-9).any():
        return None
    return p[:, :2] / p[:, 2:]


def _translate(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def _box_size(box) -> tuple[int, int]:
    return box[2] - box[0], box[3] - box[1]


def _to_u8(a: np.ndarray) -> np.ndarray:
    return np.clip(a + 0.5, 0, 255).astype(np.uint8)
