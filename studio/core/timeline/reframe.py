"""Smart reframing: lay a composition out again in another aspect (1:1, 4:5, 9:16, 16:9).

Full-frame media is re-cropped (fit "cover") so that faces, or else the most salient region,
stay in frame; overlays and shapes are kept whole inside the frame; text is kept inside the
platform safe zone. The result is a Variant with per-clip overrides: the original layout is
untouched, and the user can adjust any override afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageOps

from studio.core.errors import BadInput
from studio.core.timeline.model import (
    Animated, ClipOverride, Composition, Keyframe, MediaClip, ShapeClip, TextClip, Variant,
)

# Canvas sizes for new variants (the common upload sizes).
SIZES = {"9x16": (1080, 1920), "4x5": (1080, 1350), "1x1": (1080, 1080), "16x9": (1920, 1080)}
# Fractions of the frame that platform UI covers, per aspect (left, top, right, bottom).
# Approximate values for Stories/Reels/TikTok-style vertical video; the spec catalog refines them.
SAFE_ZONES = {"9x16": (0.06, 0.14, 0.12, 0.20), "4x5": (0.05, 0.05, 0.05, 0.05), "1x1": (0.05, 0.05, 0.05, 0.05), "16x9": (0.05, 0.05, 0.05, 0.08)}
FACE_MODEL = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
ANALYSIS_SIZE = 480  # pixels on the long side: enough for faces and saliency, fast


def add_variant(composition: Composition, name: str, media_path: Callable[[MediaClip], Path | None]) -> Composition:
    """A copy of the composition with the variant `name` (laid out anew, replacing one of that name)."""
    if name not in SIZES:
        raise BadInput(f"Unknown aspect {name!r}; choose one of {', '.join(SIZES)}.")
    if name == composition.aspect:
        raise BadInput(f"{composition.name!r} is already {name}; its own layout is that variant.")
    width, height = SIZES[name]
    overrides = {}
    for track, clip in composition.clips():
        if track.kind == "audio":
            continue
        override = _reframe_clip(clip, track.kind, composition, (width, height), SAFE_ZONES[name], media_path)
        if override is not None:
            overrides[clip.id] = override
    variant = Variant(name=name, width=width, height=height, overrides=overrides)
    return composition.model_copy(update={"variants": [v for v in composition.variants if v.name != name] + [variant]})


def _reframe_clip(clip, track_kind, comp, size, safe, media_path) -> ClipOverride | None:
    if isinstance(clip, TextClip):
        left, _, right, _ = safe
        wrap = min(clip.wrap_width, 1.0 - left - right)
        return ClipOverride(transform=_keep_inside(clip.transform, (wrap, 0.1), safe), wrap_width=wrap)
    if isinstance(clip, ShapeClip):
        return ClipOverride(transform=_keep_inside(clip.transform, clip.size, safe))
    path = media_path(clip)
    picture = _representative_frame(path, clip, comp) if path else None
    if picture is None:
        return None  # offline media: leave it as it is (the timeline shows it offline)
    src_w, src_h = picture.size
    full_frame = track_kind == "video" or clip.fit == "cover"
    if full_frame:
        return ClipOverride(fit="cover", transform=_cover_on(clip.transform, salient_box(picture), (src_w, src_h), size))
    k = min(size[0] / src_w, size[1] / src_h) * float(clip.transform.scale.value if not clip.transform.scale.keyframes else max(kf.value for kf in clip.transform.scale.keyframes))
    extent = (src_w * k / size[0], src_h * k / size[1]) if clip.fit == "contain" else (src_w / size[0], src_h / size[1])
    return ClipOverride(transform=_keep_inside(clip.transform, extent, safe))


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


def _keep_inside(transform, extent, safe):
    """Shift the position (every keyframe alike) so an item of `extent` stays in the safe area."""
    left, top, right, bottom = safe
    half_w, half_h = extent[0] / 2, extent[1] / 2
    pos = transform.position
    anchor = pos.keyframes[0].value if pos.keyframes else pos.value

    def clamp(value, low, high):
        return value if low > high else min(max(value, low), high)

    target = (clamp(anchor[0], left + half_w, 1 - right - half_w), clamp(anchor[1], top + half_h, 1 - bottom - half_h))
    dx, dy = target[0] - anchor[0], target[1] - anchor[1]
    moved = Animated(
        value=(pos.value[0] + dx, pos.value[1] + dy),
        keyframes=[Keyframe(**{**k.model_dump(), "value": (k.value[0] + dx, k.value[1] + dy)}) for k in pos.keyframes],
    )
    return transform.model_copy(update={"position": moved})


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
