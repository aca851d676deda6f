"""Smart reframing: lay a composition out again in another aspect (1:1, 4:5, 9:16, 16:9).

Full-frame media is re-cropped (fit "cover") so that faces, or else the most salient region,
stay in frame. The other elements (text, shapes, overlays that do not fill the frame) are
measured where the renderer will draw them and arranged: each inside the platform safe zone,
and those on screen at the same time that would now overlap are moved apart, keeping their
top-to-bottom order, and scaled down together when the stack is taller than the safe zone.
The result is a Variant with per-clip overrides: the original layout is untouched, and the
user can adjust any override afterwards. The same inputs always give the same layout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageOps

from studio.core.errors import BadInput
from studio.core.render.layers import text_layer
from studio.core.render.sources import SourceError, VideoSource, still_size
from studio.core.timeline.model import (
    Animated, ClipOverride, Composition, Keyframe, MediaClip, ShapeClip, TextClip, Transform, Variant,
)

# Canvas sizes for new variants (the common upload sizes).
SIZES = {"9x16": (1080, 1920), "4x5": (1080, 1350), "1x1": (1080, 1080), "16x9": (1920, 1080)}
# Fractions of the frame that platform UI covers, per aspect (left, top, right, bottom).
# Approximate values for Stories/Reels/TikTok-style vertical video; the spec catalog refines them.
SAFE_ZONES = {"9x16": (0.06, 0.14, 0.12, 0.20), "4x5": (0.05, 0.05, 0.05, 0.05), "1x1": (0.05, 0.05, 0.05, 0.05), "16x9": (0.05, 0.05, 0.05, 0.08)}
FACE_MODEL = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
ANALYSIS_SIZE = 480  # pixels on the long side: enough for faces and saliency, fast
GAP = 0.02  # canvas heights kept between elements that had to be moved apart
LAYERED = 0.5  # elements that overlapped by this much of the smaller one were layered on purpose

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in canvas fractions


def add_variant(composition: Composition, name: str, media_path: Callable[[MediaClip], Path | None]) -> Composition:
    """A copy of the composition with the variant `name` (laid out anew, replacing one of that name)."""
    if name not in SIZES:
        raise BadInput(f"Unknown aspect {name!r}; choose one of {', '.join(SIZES)}.")
    if name == composition.aspect:
        raise BadInput(f"{composition.name!r} is already {name}; its own layout is that variant.")
    width, height = SIZES[name]
    overrides, natives = {}, {}
    for track, clip in composition.clips():
        if track.kind == "audio":
            continue
        if _fills_frame(track.kind, clip):
            override = _cover(clip, composition, (width, height), media_path)
            if override is not None:
                overrides[clip.id] = override
        elif isinstance(clip, ShapeClip):
            overrides[clip.id] = ClipOverride(transform=_same_shape(clip.transform, (composition.width, composition.height), (width, height)))
        elif isinstance(clip, TextClip):
            left, _, right, _ = SAFE_ZONES[name]
            overrides[clip.id] = ClipOverride(wrap_width=min(clip.wrap_width, 1.0 - left - right))
        elif isinstance(clip, MediaClip):
            path = media_path(clip)
            if path is not None and (size := _native_size(path)) is not None:
                natives[clip.id] = size  # offline media keeps its layout (the timeline shows it offline)
    variant = Variant(name=name, width=width, height=height, overrides=overrides)
    variant = _arrange(composition, variant, SAFE_ZONES[name], natives)
    return composition.model_copy(update={"variants": [v for v in composition.variants if v.name != name] + [variant]})


def _fills_frame(track_kind: str, clip) -> bool:
    return isinstance(clip, MediaClip) and (track_kind == "video" or clip.fit == "cover")


def _same_shape(transform: Transform, was: tuple[int, int], now: tuple[int, int]) -> Transform:
    """A shape is sized in canvas fractions, so on a canvas of another aspect it would stretch (a
    button twice as wide in 16:9): rescale it to keep its proportions and its size against the short side."""
    (w0, h0), (w1, h1) = was, now
    f = min(w1, h1) / min(w0, h0)
    fx, fy = w0 / w1 * f, h0 / h1 * f

    def keep(k):
        kx, ky = k if isinstance(k, tuple) else (k, k)
        return (kx * fx, ky * fy)

    return transform.model_copy(update={"scale": _mapped(transform.scale, keep)})


# ---- full-frame media: keep the faces or the salient region in frame ----------------------------
def _cover(clip: MediaClip, comp: Composition, size, media_path) -> ClipOverride | None:
    path = media_path(clip)
    picture = _representative_frame(path, clip, comp) if path else None
    if picture is None:
        return None  # offline media: leave it as it is (the timeline shows it offline)
    return ClipOverride(fit="cover", transform=_cover_on(clip.transform, salient_box(picture), picture.size, size))


def _cover_on(transform, box, src, size):
    """Centre the salient box as far as the picture still covers the canvas."""
    (x0, y0, x1, y1), (sw, sh), (w, h) = box, src, size
    k = max(w / sw, h / sh)
    shown_w, shown_h = sw * k / w, sh * k / h  # the picture's size in canvas fractions (≥ 1)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    x = 0.5 - (cx - 0.5) * shown_w
    y = 0.5 - (cy - 0.5) * shown_h
    slack_x, slack_y = (shown_w - 1) / 2, (shown_h - 1) / 2
    position = (float(np.clip(x, 0.5 - slack_x, 0.5 + slack_x)), float(np.clip(y, 0.5 - slack_y, 0.5 + slack_y)))
    return transform.model_copy(update={"position": Animated(value=position), "scale": Animated(value=1.0)})


# ---- the other elements: measured, kept in the safe zone, moved apart -----------------------------
@dataclass
class _Unit:
    """Elements that move as one: a single element, or elements layered on purpose (a caption on its button)."""

    clip_ids: list[str]
    span: tuple[int, int]  # timeline frames [first, end)
    was: Box  # in the original layout
    box: Box  # in the variant


def _arrange(comp: Composition, variant: Variant, safe, natives: dict) -> Variant:
    """The variant with overrides that keep the floating elements in the safe zone and apart."""
    laid = comp.model_copy(update={"variants": [variant]}).for_variant(variant.name)
    units = []
    for track, clip in comp.clips():
        if track.kind == "audio" or _fills_frame(track.kind, clip) or (isinstance(clip, MediaClip) and clip.id not in natives):
            continue
        native = natives.get(clip.id)
        was = placed_box(clip, (comp.width, comp.height), native)
        box = placed_box(laid.find_clip(clip.id)[1], (variant.width, variant.height), native)
        units.append(_Unit([clip.id], (clip.start, clip.end), was, box))
    units = _layered(units)
    units.sort(key=lambda u: (_centre(u.was)[1], _centre(u.was)[0]))  # top to bottom as the designer stacked them
    left, top, right, bottom = safe
    shifts = [_inside(u.box[0], u.box[2], left, 1 - right) for u in units]
    xs = [(u.box[0] + dx, u.box[2] + dx) for u, dx in zip(units, shifts)]
    # b must stay below a when both are on screen at once and they share some width
    above = [(a, b) for b in range(len(units)) for a in range(b) if _meet(units[a].span, units[b].span) and _meet(xs[a], xs[b])]
    scales = _fitting_scales([u.box[3] - u.box[1] for u in units], above, 1 - top - bottom)
    heights = [(u.box[3] - u.box[1]) * s for u, s in zip(units, scales)]
    wanted = [_centre(u.box)[1] - h / 2 for u, h in zip(units, heights)]
    tops = _stack(wanted, heights, above, top, 1 - bottom)
    overrides = dict(variant.overrides)
    for unit, s, dx, want, got in zip(units, scales, shifts, wanted, tops):
        if s == 1 and abs(dx) < 1e-9 and abs(got - want) < 1e-9:
            continue
        for clip_id in unit.clip_ids:
            transform = _moved(laid.find_clip(clip_id)[1].transform, _centre(unit.box), s, (dx, got - want))
            override = overrides.get(clip_id) or ClipOverride()
            overrides[clip_id] = override.model_copy(update={"transform": transform})
    return variant.model_copy(update={"overrides": overrides})


def placed_box(clip, canvas: tuple[int, int], native: tuple[int, int] | None = None) -> Box:
    """Where the renderer draws a clip at its first keyframe and largest scale (crop and rotation
    included), in canvas fractions. native: a media clip's picture size in pixels."""
    W, H = canvas
    if isinstance(clip, TextClip):
        pixels, _warnings = text_layer(clip, canvas)
        w, h = pixels.shape[1], pixels.shape[0]
    elif isinstance(clip, ShapeClip):
        w, h = clip.size[0] * W, clip.size[1] * H
    else:
        nw, nh = native
        k = {"contain": min(W / nw, H / nh), "cover": max(W / nw, H / nh), "none": 1.0}[clip.fit]
        w, h = nw * k, nh * k
    t = clip.transform
    scales = [v if isinstance(v, tuple) else (v, v) for v in [t.scale.value] + [key.value for key in t.scale.keyframes]]
    kx, ky = max(k[0] for k in scales), max(k[1] for k in scales)
    theta = math.radians(_anchor(t.rotation))
    cos, sin = math.cos(theta), math.sin(theta)
    l, tp, r, b = t.crop  # the renderer keeps the cropped part where it was in the whole
    corners = [((x - 0.5) * w * kx, (y - 0.5) * h * ky) for x in (l, 1 - r) for y in (tp, 1 - b)]
    xs = [cos * x - sin * y for x, y in corners]
    ys = [sin * x + cos * y for x, y in corners]
    px, py = _anchor(t.position)
    return (px + min(xs) / W, py + min(ys) / H, px + max(xs) / W, py + max(ys) / H)


def _anchor(prop: Animated):
    return prop.keyframes[0].value if prop.keyframes else prop.value


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _meet(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _layered(units: list[_Unit]) -> list[_Unit]:
    """Join elements that overlapped by much in the original layout and were on screen together:
    they were layered on purpose, so they move and scale as one."""
    joined: list[_Unit] = []
    for unit in units:
        for other in [o for o in joined if _meet(o.span, unit.span) and _layered_on(o.was, unit.was)]:
            joined.remove(other)
            unit = _Unit(other.clip_ids + unit.clip_ids, (min(other.span[0], unit.span[0]), max(other.span[1], unit.span[1])),
                         _union(other.was, unit.was), _union(other.box, unit.box))
        joined.append(unit)
    return joined


def _layered_on(a: Box, b: Box) -> bool:
    common = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return _area(common) >= LAYERED * min(_area(a), _area(b)) > 0


def _inside(low: float, high: float, lo: float, hi: float) -> float:
    """The shift that brings [low, high] inside [lo, hi] (none if it is wider)."""
    if high - low > hi - lo:
        return 0.0
    return max(lo - low, 0.0) + min(hi - high, 0.0)


def _fitting_scales(heights: list[float], above: list[tuple[int, int]], room: float) -> list[float]:
    """A scale per element: 1, or for each group of elements stacked on one another (joined by
    `above`), the scale at which their tallest stack, gaps included, fits the room."""
    scales = [1.0] * len(heights)
    for members in _groups(len(heights), above):
        s = 1.0
        for _ in range(len(members) + 1):  # the tallest stack may change as s shrinks; it settles within this many steps
            stack, gaps = _tallest(members, heights, above, s)
            if s * stack + GAP * gaps <= room + 1e-9:
                break
            s = max(0.05, (room - GAP * gaps) / stack)
        for i in members:
            scales[i] = s
    return scales


def _tallest(members: list[int], heights: list[float], above, s: float) -> tuple[float, int]:
    """(sum of heights, number of gaps) of the stack that is tallest at scale s."""
    best: dict[int, tuple[float, int]] = {}
    for i in members:  # in order: everything above i comes first
        below = [best[a] for a, b in above if b == i]
        h, gaps = max(below, key=lambda hg: s * hg[0] + GAP * hg[1]) if below else (0.0, -1)
        best[i] = (h + heights[i], gaps + 1)
    return max(best.values(), key=lambda hg: s * hg[0] + GAP * hg[1])


def _stack(wanted: list[float], heights: list[float], above: list[tuple[int, int]], lo: float, hi: float) -> list[float]:
    """Tops near the wanted ones such that for each (a, b) in `above`, b starts GAP below a's
    bottom, and every element lies within [lo, hi]. Elements come top first. Overlapping ones
    are pushed down, then up from the bottom edge where the stack overflows, then each group
    is shifted back as a whole towards where it wanted to be (so both sides of an overlap give way)."""
    n = len(wanted)
    tops = list(wanted)
    for b in range(n):
        tops[b] = max([tops[b], lo] + [tops[a] + heights[a] + GAP for a, bb in above if bb == b])
    for a in reversed(range(n)):
        tops[a] = min([tops[a], hi - heights[a]] + [tops[b] - heights[a] - GAP for aa, b in above if aa == a])
    for group in _groups(n, above):
        mean = sum(wanted[i] - tops[i] for i in group) / len(group)
        room_up = min(tops[i] - lo for i in group)
        room_down = min(hi - tops[i] - heights[i] for i in group)
        shift = min(max(mean, -room_up), room_down)
        for i in group:
            tops[i] += shift
    return tops


def _groups(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The elements 0..n-1 in groups joined by the pairs (each group in order)."""
    pairs = set(pairs)
    found: list[set[int]] = []
    for i in range(n):
        linked = [g for g in found if i in g or any((i, j) in pairs or (j, i) in pairs for j in g)]
        merged = {i}.union(*linked)
        found = [g for g in found if g not in linked] + [merged]
    return [sorted(g) for g in found]


def _moved(transform: Transform, about: tuple[float, float], s: float, shift: tuple[float, float]) -> Transform:
    """The transform scaled by s about a canvas point, then shifted (every keyframe alike)."""
    (ax, ay), (dx, dy) = about, shift

    def place(p):
        return (ax + (p[0] - ax) * s + dx, ay + (p[1] - ay) * s + dy)

    def grow(k):
        return tuple(v * s for v in k) if isinstance(k, tuple) else k * s

    return transform.model_copy(update={"position": _mapped(transform.position, place), "scale": _mapped(transform.scale, grow)})


def _mapped(prop: Animated, f) -> Animated:
    return Animated(value=f(prop.value), keyframes=[Keyframe(**{**k.model_dump(), "value": f(k.value)}) for k in prop.keyframes])


# ---- reading media --------------------------------------------------------------------------------
def _native_size(path: Path) -> tuple[int, int] | None:
    """A still's or a video's upright size in pixels; None if it cannot be read."""
    try:
        return still_size(path)
    except SourceError:
        pass
    try:
        source = VideoSource(path)
    except SourceError:
        return None
    source.close()
    return source.size


def _representative_frame(path: Path, clip: MediaClip, comp: Composition) -> Image.Image | None:
    try:
        try:
            with Image.open(path) as img:
                img.draft("RGB", (ANALYSIS_SIZE * 2, ANALYSIS_SIZE * 2))
                return ImageOps.exif_transpose(img.convert("RGB"))
        except (OSError, SyntaxError):
            pass
        at = clip.source_in + comp.seconds(clip.duration) * clip.speed / 2  # the middle of the clip
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            container.seek(int(at / stream.time_base), stream=stream)
            for frame in container.decode(stream):
                if frame.time is None or frame.time >= at - 0.05:
                    return frame.to_image()
    except (av.error.FFmpegError, IndexError, OSError):
        return None
    return None


def salient_box(picture: Image.Image) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) as fractions of the picture: the faces (with a margin) if there are any,
    else the most salient region (spectral residual saliency)."""
    small = picture.copy()
    small.thumbnail((ANALYSIS_SIZE, ANALYSIS_SIZE))
    rgb = np.asarray(small.convert("RGB"))
    h, w = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    faces = cv2.CascadeClassifier(FACE_MODEL).detectMultiScale(gray, 1.1, 5, minSize=(max(16, w // 20),) * 2)
    if len(faces):
        x0, y0 = faces[:, 0].min(), faces[:, 1].min()
        x1, y1 = (faces[:, 0] + faces[:, 2]).max(), (faces[:, 1] + faces[:, 3]).max()
        mx, my = (x1 - x0) * 0.3, (y1 - y0) * 0.3  # headroom and shoulders
        return (max(0, x0 - mx) / w, max(0, y0 - my) / h, min(w, x1 + mx) / w, min(h, y1 + my) / h)
    ok, saliency = cv2.saliency.StaticSaliencySpectralResidual_create().computeSaliency(rgb)
    if not ok or saliency.max() <= 0:
        return (0.0, 0.0, 1.0, 1.0)
    saliency = cv2.GaussianBlur(saliency.astype(np.float32), (0, 0), max(w, h) / 60)
    mask = (saliency >= np.quantile(saliency, 0.95)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    if count <= 1:
        return (0.0, 0.0, 1.0, 1.0)
    weights = [saliency[labels == i].sum() for i in range(1, count)]
    x, y, bw, bh, _ = stats[1 + int(np.argmax(weights))]
    return (x / w, y / h, (x + bw) / w, (y + bh) / h)
