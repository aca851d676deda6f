"""Evaluating a composition at a frame: which clips show, where, and how they blend.

Tracks draw bottom to top; on a track, clips draw in start order, and a transition
blends its two clips over their overlap. Each clip becomes a raster (a decoded video
frame, an image, a Kata recipe's composite (a frame of its tracked video, when it is placed in one), text, a shape
or the media-offline slate), is cropped, then placed on
the canvas by one affine warp (fit × scale × rotation about its centre at its position)
and blended with its opacity. Rasters that do not change from frame to frame, and their
placed patches when the transform is not animated, come from a byte-bounded cache.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from studio.core.errors import BadInput
from studio.core.render.backends import make_backend, whole_pixel_shift
from studio.core.render.cache import FrameCache
from studio.core.render.kata_source import RecipeSource, composite, offline_recipes, recipe_sources, tracked
from studio.core.render.layers import premultiply, rgba, shape_layer, slate, text_layer
from studio.core.render.media import MediaResolver
from studio.core.render.sources import SourceError, VideoSource, load_still, still_size
from studio.core.timeline.model import Composition, KataClip, MediaClip, ShapeClip, TextClip, Track, Transition

log = logging.getLogger(__name__)
STILL_SUFFIXES = frozenset(Image.registered_extensions())
_NOT_DRAWN = {"id", "name", "start", "duration", "enabled", "transform"}  # text fields that do not change its raster
_SLIDE = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _snap(value: float, like: int) -> int:
    """Round to a whole pixel count of the same parity as `like`, so a centred layer lands on whole pixels."""
    n = max(1, round(value))
    if (n - like) % 2:
        n += 1 if value > n or n == 1 else -1
    return n


def _largest_scale(clip) -> float:
    values = [clip.transform.scale.value] + [k.value for k in clip.transform.scale.keyframes]
    return max(max(v) if isinstance(v, tuple) else v for v in values)


@dataclass
class Raster:
    pixels: object  # premultiplied RGBA uint8 (numpy)
    fitted: tuple[float, float]  # the size it covers on the canvas at transform scale 1
    opaque: bool
    key: object = None  # set when the raster does not change between frames


@dataclass
class Layer:
    placed: tuple  # (patch, origin) as the backend placed it
    opacity: float
    opaque: bool  # the patch covers its box fully
    key: object = None  # set when the layer holds still (same pixels, place and opacity) into the next frame

    def covers(self, size) -> bool:
        """Whether it hides the whole canvas, so drawing starts from it rather than the background."""
        patch, origin = self.placed
        return self.opaque and self.opacity >= 1.0 and tuple(origin) == (0, 0) and tuple(patch.shape[:2]) == (size[1], size[0])


class FrameEvaluator:
    def __init__(self, composition: Composition, resolver: MediaResolver, *, scale: float = 1.0, backend: str = "auto",
                 cache_bytes: int = 256 << 20, use_proxies: bool = False):
        self.resolver = resolver
        self.scale = scale
        self.size = (_even(composition.width * scale), _even(composition.height * scale))
        self.problems: list[str] = []
        self.backend, note = make_backend(backend)
        if note:
            self._problem(note)
        self.cache = FrameCache(cache_bytes)
        self.use_proxies = use_proxies  # previews only: final renders read the originals
        self._sources: dict[str, VideoSource] = {}  # per clip, so two cuts of one file never fight over a decoder
        self._broken: set[str] = set()
        self._still_sizes: dict[Path, tuple[int, int]] = {}
        self._composite_sizes: dict[str, tuple[int, int]] = {}  # by recipe fingerprint
        self._players: dict[str, tuple[str, object]] = {}  # tracked kata clips: clip id -> (fingerprint, TrackedPlayer)
        self.set_composition(composition)

    def set_composition(self, composition: Composition) -> None:
        """Follow an edited document, keeping open decoders and cached pixels that still apply."""
        if (_even(composition.width * self.scale), _even(composition.height * self.scale)) != self.size:
            raise ValueError("the canvas size changed; make a new FrameEvaluator")
        self.composition = composition
        self._recipes: dict[str, RecipeSource] = recipe_sources(self.resolver, composition)
        self.offline = self.resolver.missing(composition) + offline_recipes(composition, self._recipes)
        offline = {o["clip_id"] for o in self.offline}
        self._paths: dict[str, Path] = {}
        for _track, clip in composition.clips():
            if isinstance(clip, MediaClip) and clip.id not in offline:
                path = self.resolver.path(clip)
                if self.use_proxies and path.suffix.lower() not in STILL_SUFFIXES:
                    path = self.resolver.proxy(path) or path
                self._paths[clip.id] = path
        for clip_id, source in list(self._sources.items()):
            if self._paths.get(clip_id) != source.path:  # the clip is gone or now shows another file
                self._sources.pop(clip_id).close()
        for clip_id, (fingerprint, player) in list(self._players.items()):
            recipe = self._recipes.get(clip_id)
            if recipe is None or recipe.fingerprint != fingerprint:  # the clip is gone, or its recipe was retracked
                self._players.pop(clip_id)
                player.close()

    def close(self) -> None:
        for source in self._sources.values():
            source.close()
        self._sources.clear()
        for _fingerprint, player in self._players.values():
            player.close()
        self._players.clear()
        self.cache.clear()

    def __enter__(self) -> FrameEvaluator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _problem(self, message: str) -> None:
        if message not in self.problems:
            log.warning("%s", message)
            self.problems.append(message)

    # ---- a frame ---------------------------------------------------------------------------
    def frame(self, index: int) -> np.ndarray:
        """The composition at frame index as (h, w, 4) straight-alpha RGBA uint8."""
        if not 0 <= index < self.composition.duration:
            raise IndexError(f"frame {index} is outside the composition (0–{self.composition.duration - 1})")
        background = rgba(self.composition.background)
        items = [item for track in self.composition.tracks if track.kind != "audio" and not track.hidden
                 for item in self._track_items(track, index)]
        # The bottom layers that hold still (a still background with its boxes and titles) are
        # drawn once into a cached canvas, and each frame starts from a copy of it.
        base = 0
        while base < len(items) and isinstance(items[base], Layer) and items[base].key is not None:
            base += 1
        if base:
            key = ("base", background, tuple((layer.key, layer.opacity) for layer in items[:base]))
            start = self.cache.get(key)
            if start is None:
                start = self.backend.canvas(self.size, background)
                for layer in items[:base]:
                    self._blend(start, layer)
                self.cache.put(key, start)
            canvas = self.backend.copy(start)
        elif items and isinstance(items[0], Layer) and items[0].covers(self.size):  # e.g. a full-frame video
            canvas, base = self.backend.copy(items[0].placed[0]), 1
        else:
            canvas = self.backend.canvas(self.size, background)
        for item in items[base:]:
            if isinstance(item, Layer):
                self._blend(canvas, item)
            else:
                self._draw_transition(canvas, *item, index)
        return self.backend.output(canvas, opaque=background[3] == 255)  # over an opaque canvas stays opaque

    def _track_items(self, track: Track, index: int) -> list:
        """What a track shows at index, bottom first: Layers, and (transition, a, b) for two blending clips."""
        live = sorted((c for c in track.clips if c.enabled and c.start <= index < c.end), key=lambda c: c.start)
        ids = {c.id: c for c in live}
        blends = {}
        for tr in track.transitions:
            if tr.a in ids and tr.b in ids:
                blends[tr.a] = blends[tr.b] = tr
        items, drawn = [], set()
        for clip in live:
            tr = blends.get(clip.id)
            if tr is None:
                items.append(self._layer(clip, index))
            elif clip.id not in drawn:
                items.append((tr, ids[tr.a], ids[tr.b]))
                drawn |= {tr.a, tr.b}
        return [item for item in items if item is not None]

    def _draw_transition(self, canvas, tr: Transition, a, b, index: int) -> None:
        p = (index - b.start + 0.5) / tr.duration
        W, H = self.size
        if tr.kind == "slide":
            dx, dy = _SLIDE[tr.direction]
            self._draw_clip(canvas, a, index, offset=(dx * p * W, dy * p * H))
            self._draw_clip(canvas, b, index, offset=(dx * (p - 1) * W, dy * (p - 1) * H))
        elif tr.kind == "wipe":  # the edge travels in `direction`, uncovering b behind it
            x, y = round((1 - p) * W), round((1 - p) * H)
            x2, y2 = round(p * W), round(p * H)
            a_rect, b_rect = {"left": ((0, 0, x, H), (x, 0, W, H)), "right": ((x2, 0, W, H), (0, 0, x2, H)),
                              "up": ((0, 0, W, y), (0, y, W, H)), "down": ((0, y2, W, H), (0, 0, W, y2))}[tr.direction]
            self._draw_clip(canvas, a, index, clip_rect=a_rect)
            self._draw_clip(canvas, b, index, clip_rect=b_rect)
        else:
            backend = self.backend
            if tr.kind == "crossfade":
                mixed = backend.mix(self._alone(a, index), self._alone(b, index), p)
            elif p < 0.5:  # dip: a fades to the colour, then the colour to b
                mixed = backend.mix(self._alone(a, index), backend.canvas(self.size, rgba(tr.colour)), 2 * p)
            else:
                mixed = backend.mix(backend.canvas(self.size, rgba(tr.colour)), self._alone(b, index), 2 * p - 1)
            backend.over(canvas, mixed)

    def _alone(self, clip, index: int):
        buffer = self.backend.clear(self.size)
        self._draw_clip(buffer, clip, index)
        return buffer

    # ---- one clip ----------------------------------------------------------------------------
    def _draw_clip(self, target, clip, index: int, offset=(0.0, 0.0), clip_rect=None) -> None:
        layer = self._layer(clip, index, offset, clip_rect)
        if layer is not None:
            self._blend(target, layer)

    def _blend(self, target, layer: Layer) -> None:
        self.backend.blend(target, *layer.placed, opacity=layer.opacity, opaque=layer.opaque)

    def _layer(self, clip, index: int, offset=(0.0, 0.0), clip_rect=None) -> Layer | None:
        """The clip placed on the canvas at index (None: nothing of it shows)."""
        local = index - clip.start
        tf = clip.transform
        raster = self._raster(clip, index)
        l, t, r, b = tf.crop
        ih, iw = raster.pixels.shape[:2]
        x0, y0, x1, y1 = round(l * iw), round(t * ih), iw - round(r * iw), ih - round(b * ih)
        opacity = min(max(float(tf.opacity.at(local)), 0.0), 1.0)
        if x1 <= x0 or y1 <= y0 or opacity <= 0.0:
            return None
        k = tf.scale.at(local)
        kx, ky = k if isinstance(k, tuple) else (k, k)
        theta = math.radians(tf.rotation.at(local))
        cos, sin = math.cos(theta), math.sin(theta)
        sx, sy = raster.fitted[0] / iw * kx, raster.fitted[1] / ih * ky
        A = np.array([[cos * sx, -sin * sy], [sin * sx, cos * sy]])
        px, py = tf.position.at(local)
        centre = np.array([px * self.size[0] + offset[0], py * self.size[1] + offset[1]])
        matrix = np.hstack([A, (centre + A @ (x0 - iw / 2, y0 - ih / 2))[:, None]])

        # A layer that holds still here (no keyframes, or between two that hold) is placed once and reused.
        still = raster.key is not None and offset == (0.0, 0.0) and clip_rect is None and all(
            p.at(local + 1) == p.at(local) for p in (tf.position, tf.scale, tf.rotation))
        key = ("placed", raster.key, tf.crop, matrix.tobytes()) if still else None
        placed = self.cache.get(key) if still else None
        opaque = raster.opaque and (whole_pixel_shift(matrix) is not None or self._covers_canvas(matrix, x1 - x0, y1 - y0))
        if placed is None:
            placed = self.backend.place(raster.pixels[y0:y1, x0:x1], matrix, self.size, clip_rect, opaque)
            if placed is None:
                return None
            if still:
                self.cache.put(key, placed)
        holds = still and tf.opacity.at(local + 1) == tf.opacity.at(local)
        return Layer(placed, opacity, opaque, key if holds else None)

    def _covers_canvas(self, matrix: np.ndarray, w: int, h: int) -> bool:
        """Whether an upright layer reaches past every edge of the canvas (no part-covered pixels)."""
        (a, b, x), (c, d, y) = matrix
        return b == 0 and c == 0 and x <= 0 and y <= 0 and x + a * w >= self.size[0] and y + d * h >= self.size[1]

    def _raster(self, clip, index: int) -> Raster:
        if isinstance(clip, TextClip):
            key = ("text", clip.model_dump_json(exclude=_NOT_DRAWN), self.size)
            pixels = self.cache.get(key)
            if pixels is None:
                pixels, warnings = text_layer(clip, self.size, self.scale)
                for warning in warnings:
                    self._problem(warning)
                self.cache.put(key, pixels)
            return Raster(pixels, (pixels.shape[1], pixels.shape[0]), False, key)
        if isinstance(clip, ShapeClip):
            w, h = _snap(clip.size[0] * self.size[0], self.size[0]), _snap(clip.size[1] * self.size[1], self.size[1])
            key = ("shape", clip.shape, clip.fill, clip.radius, w, h, self.scale)
            pixels = self.cache.get(key)
            if pixels is None:
                pixels = shape_layer(clip, (w, h), self.scale)
                self.cache.put(key, pixels)
            return Raster(pixels, (w, h), clip.shape == "rectangle" and clip.fill[7:] in ("", "ff", "FF"), key)
        if isinstance(clip, KataClip):
            return self._kata_raster(clip, index)
        return self._media_raster(clip, index)

    def _media_raster(self, clip: MediaClip, index: int) -> Raster:
        path = self._paths.get(clip.id)
        name = clip.name or (Path(clip.path).name if clip.path else f"asset {clip.asset_id}")
        if path is None or str(path) in self._broken:
            return self._slate(name)
        try:
            if path.suffix.lower() in STILL_SUFFIXES:
                return self._still(clip, path)
            return self._video(clip, path, index)
        except SourceError as exc:
            self._problem(str(exc))
            return self._slate(name)

    def _kata_raster(self, clip: KataClip, index: int) -> Raster:
        """The recipe's composite fitted like a still; composited once per recipe content, then cached.
        A recipe placed in a video plays as video: its tracked composite of the frame on screen."""
        source = self._recipes.get(clip.id)
        name = clip.name or (source.name if source else f"Kata recipe {clip.recipe_id}")
        if source is None or source.problem or source.fingerprint in self._broken:
            return self._slate(name)
        try:
            if source.recipe.video is not None:
                return self._tracked_raster(clip, source, index)
            native = self._composite_sizes.get(source.fingerprint)
            if native is None:
                rgb = composite(source, self.resolver.lib)
                native = self._composite_sizes[source.fingerprint] = (rgb.shape[1], rgb.shape[0])
            fitted, decode = self._fitted(clip, native)
            key = ("kata", clip.recipe_id, source.fingerprint, decode)
            pixels = self.cache.get(key)
            if pixels is None:
                rgb = composite(source, self.resolver.lib)
                pixels = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])  # opaque: premultiplied as it is
                if native != decode:
                    pixels = cv2.resize(pixels, decode, interpolation=cv2.INTER_AREA)
                self.cache.put(key, pixels)
        except BadInput as exc:
            self._problem(f"{name} cannot be composited: {exc}")
            self._broken.add(source.fingerprint)
            return self._slate(name)
        return Raster(pixels, fitted, True, key)

    def _tracked_raster(self, clip: KataClip, source: RecipeSource, index: int) -> Raster:
        found = self._players.get(clip.id)
        if found is None:
            from studio.core.kata_video.clip import TrackedPlayer

            found = self._players[clip.id] = (source.fingerprint, TrackedPlayer(tracked(source, self.resolver.lib)))
        player = found[1]
        fitted, decode = self._fitted(clip, player.size)
        i = player.index_at(clip.source_in + self.composition.seconds(index - clip.start))
        key = ("kata-video", source.fingerprint, i, decode)
        pixels = self.cache.get(key)
        if pixels is None:
            rgb, _box = player.composite(i)
            pixels = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
            if player.size != decode:
                pixels = cv2.resize(pixels, decode, interpolation=cv2.INTER_AREA)
            self.cache.put(key, pixels)
        return Raster(pixels, fitted, True)

    def _fitted(self, clip: MediaClip | KataClip, native: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
        """(size on the canvas at scale 1, size to decode at). Decoding at the fitted size keeps the
        warp near 1:1, so edges stay crisp; zoomed-in clips decode larger, up to the source's own size."""
        (W, H), (nw, nh) = self.size, native
        s = {"contain": min(W / nw, H / nh), "cover": max(W / nw, H / nh), "none": self.scale}[clip.fit]
        fitted = (_snap(nw * s, W), _snap(nh * s, H))
        grow = min(max(_largest_scale(clip), 1.0), max(nw / fitted[0], 1.0))
        if grow == 1.0:
            return fitted, fitted
        return fitted, (round(fitted[0] * grow), round(fitted[1] * grow))

    def _still(self, clip: MediaClip, path: Path) -> Raster:
        if path not in self._still_sizes:
            self._still_sizes[path] = still_size(path)
        fitted, decode = self._fitted(clip, self._still_sizes[path])
        key = ("still", path, decode)
        found = self.cache.get(key)
        if found is None:
            pixels = load_still(path, decode)
            found = (pixels, bool(pixels[..., 3].min() == 255))
            self.cache.put(key, found)
        return Raster(found[0], fitted, found[1], key)

    def _video(self, clip: MediaClip, path: Path, index: int) -> Raster:
        source = self._sources.get(clip.id)
        if source is None:
            try:
                source = self._sources[clip.id] = VideoSource(path)
            except SourceError:
                self._broken.add(str(path))
                raise
        fitted, decode = self._fitted(clip, source.size)
        t = clip.source_in + self.composition.seconds(index - clip.start) * clip.speed
        key = ("video", str(path), round(t, 6), decode)
        pixels = self.cache.get(key)
        if pixels is None:
            pixels = source.frame(t, decode)
            if source.alpha:
                pixels = premultiply(pixels)
            self.cache.put(key, pixels)
        return Raster(pixels, fitted, not source.alpha)

    def _slate(self, name: str) -> Raster:
        key = ("slate", name, self.size)
        pixels = self.cache.get(key)
        if pixels is None:
            pixels = slate(self.size, name)
            self.cache.put(key, pixels)
        return Raster(pixels, self.size, True, key)
