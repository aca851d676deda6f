"""The composition document: canvas, tracks, clips, keyframes, transitions, markers.

Stored as JSON in the library (table compositions) with a schema version; pydantic
validates it on the way in and out. Times on the timeline are whole frames at the
composition's frame rate (exact to the frame); times inside a source are seconds.
Positions are fractions of the canvas, so a layout survives a change of aspect.
Aspect variants keep their own size and per-clip layout overrides.
Schema history: 1 — first version; later, additively (every older document still loads,
so the version stays): kata clips, a saved Kata recipe shown as a still; a kata clip's
source in-point, for a recipe tracked through a video.
"""

from __future__ import annotations

import uuid
from fractions import Fraction
from math import gcd
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from studio.core.errors import BadInput
from studio.core.timeline.easing import EASINGS, ease

SCHEMA_VERSION = 1


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")]
Fit = Literal["contain", "cover", "none"]  # how a picture meets the canvas at scale 1
Easing = Literal["linear", "ease_in", "ease_out", "ease_in_out", "hold", "bezier"]
assert set(EASINGS) == set(Easing.__args__)


class Keyframe(_Model):
    frame: int = Field(ge=0)  # frames from the clip's start
    value: float | tuple[float, float]
    easing: Easing = "linear"  # how the value leaves this keyframe towards the next
    bezier: tuple[float, float, float, float] | None = None


class Animated(_Model):
    """A property: a constant value, or keyframes (then the value is what lies outside them)."""

    value: float | tuple[float, float]
    keyframes: list[Keyframe] = Field(default_factory=list)

    @field_validator("keyframes")
    @classmethod
    def _sorted(cls, keyframes: list[Keyframe]) -> list[Keyframe]:
        frames = [k.frame for k in keyframes]
        if len(set(frames)) != len(frames):
            raise ValueError("two keyframes on the same frame")
        return sorted(keyframes, key=lambda k: k.frame)

    def at(self, frame: float):
        keys = self.keyframes
        if not keys:
            return self.value
        if frame <= keys[0].frame:
            return keys[0].value
        if frame >= keys[-1].frame:
            return keys[-1].value
        for a, b in zip(keys, keys[1:]):
            if a.frame <= frame <= b.frame:
                p = ease(a.easing, (frame - a.frame) / (b.frame - a.frame), a.bezier)
                if isinstance(a.value, tuple):
                    return tuple(x + (y - x) * p for x, y in zip(a.value, b.value))
                return a.value + (b.value - a.value) * p
        return keys[-1].value


def const(value) -> Animated:
    return Animated(value=value)


class Transform(_Model):
    position: Animated = Field(default_factory=lambda: const((0.5, 0.5)))  # centre, canvas fractions
    scale: Animated = Field(default_factory=lambda: const(1.0))  # 1.0: the fitted size
    rotation: Animated = Field(default_factory=lambda: const(0.0))  # degrees, clockwise
    opacity: Animated = Field(default_factory=lambda: const(1.0))
    crop: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # left, top, right, bottom fractions


class _Clip(_Model):
    id: str = Field(default_factory=new_id)
    name: str = ""
    start: int = Field(ge=0)  # timeline frame
    duration: int  # frames
    enabled: bool = True
    transform: Transform = Field(default_factory=Transform)

    @field_validator("duration")
    @classmethod
    def _positive(cls, duration: int) -> int:
        if duration <= 0:
            raise ValueError("a clip must last at least one frame")
        return duration

    @property
    def end(self) -> int:
        return self.start + self.duration


class MediaClip(_Clip):
    """A video, image or audio file: a library asset, or a file path (from an OTIO import)."""

    kind: Literal["media"] = "media"
    asset_id: int | None = None
    path: str | None = None
    source_in: float = Field(default=0.0, ge=0)  # seconds into the source
    speed: float = Field(default=1.0, gt=0, le=16)
    fit: Fit = "contain"
    volume: Animated = Field(default_factory=lambda: const(1.0))  # gain, 1.0 = unchanged
    fade_in: float = Field(default=0.0, ge=0)  # seconds of audio fade
    fade_out: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _has_source(self):
        if self.asset_id is None and not self.path:
            raise ValueError("a media clip needs an asset or a file path")
        return self


class KataClip(_Clip):
    """A saved Kata recipe (a product composited into a scene), shown as a still picture, or
    played as video when the recipe's scene is a tracked clip. The recipe is rendered from its
    original files, so edits to it show up here."""

    kind: Literal["kata"] = "kata"
    recipe_id: int = Field(ge=1)
    fit: Fit = "contain"
    source_in: float = Field(default=0.0, ge=0)  # seconds into a tracked recipe's video


class Stroke(_Model):
    width: float = Field(default=0.0, ge=0)
    colour: Colour = "#000000"


class Shadow(_Model):
    offset: tuple[float, float] = (4.0, 4.0)
    blur: float = Field(default=6.0, ge=0)
    colour: Colour = "#00000099"


class TextBox(_Model):
    colour: Colour = "#000000AA"
    padding: float = Field(default=16.0, ge=0)
    radius: float = Field(default=8.0, ge=0)


class TextClip(_Clip):
    kind: Literal["text"] = "text"
    text: str
    font: str = "DejaVu Sans"
    size: float = Field(default=72.0, gt=0)  # pixels on the canvas
    weight: Literal["regular", "bold"] = "bold"
    colour: Colour = "#FFFFFF"
    stroke: Stroke = Field(default_factory=Stroke)
    shadow: Shadow | None = None
    box: TextBox | None = None
    align: Literal["left", "center", "right"] = "center"
    wrap_width: float = Field(default=0.8, gt=0, le=1)  # fraction of the canvas width
    fit_box: tuple[float, float] | None = None  # shrink the size to fit (w, h) canvas fractions


class ShapeClip(_Clip):
    kind: Literal["shape"] = "shape"
    shape: Literal["rectangle", "rounded_rectangle", "ellipse"] = "rectangle"
    size: tuple[float, float] = (0.5, 0.2)  # canvas fractions
    fill: Colour = "#FFFFFF"
    radius: float = Field(default=24.0, ge=0)


Clip = Annotated[MediaClip | TextClip | ShapeClip | KataClip, Field(discriminator="kind")]


class Transition(_Model):
    """Blends clip a into clip b over their overlap: b starts `duration` frames before a ends."""

    a: str
    b: str
    kind: Literal["crossfade", "dip", "slide", "wipe"] = "crossfade"
    duration: int = Field(gt=0)
    colour: Colour = "#000000"  # dip
    direction: Literal["left", "right", "up", "down"] = "left"  # slide, wipe


TRACK_NAMES = {"video": "Video", "overlay": "Overlay", "text": "Text", "audio": "Audio"}


class Track(_Model):
    id: str = Field(default_factory=new_id)
    kind: Literal["video", "overlay", "text", "audio"]
    name: str = ""
    clips: list[Clip] = Field(default_factory=list)
    transitions: list[Transition] = Field(default_factory=list)
    muted: bool = False
    solo: bool = False
    hidden: bool = False
    locked: bool = False


class Marker(_Model):
    frame: int = Field(ge=0)
    label: str = ""
    colour: Colour = "#F5A623"


class ClipOverride(_Model):
    """How one clip is laid out differently in an aspect variant."""

    transform: Transform | None = None
    fit: Fit | None = None
    wrap_width: float | None = Field(default=None, gt=0, le=1)  # text


class Variant(_Model):
    """The same composition in another aspect (e.g. "1x1", "4x5", "9x16", "16x9")."""

    name: str
    width: int = Field(ge=16, le=8192)
    height: int = Field(ge=16, le=8192)
    overrides: dict[str, ClipOverride] = Field(default_factory=dict)  # by clip id


def aspect_name(width: int, height: int) -> str:
    """1080x1920 -> "9x16"; near-standard ratios snap to their usual names."""
    for name, (w, h) in ASPECTS.items():
        if abs(width / height - w / h) < 0.01:
            return name
    g = gcd(width, height)
    return f"{width // g}x{height // g}"


ASPECTS = {"9x16": (9, 16), "4x5": (4, 5), "1x1": (1, 1), "16x9": (16, 9)}


class Composition(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str = "Untitled"
    width: int = Field(default=1080, ge=16, le=8192)
    height: int = Field(default=1920, ge=16, le=8192)
    fps: tuple[int, int] = (30, 1)  # numerator, denominator
    duration: int = Field(default=450, gt=0)  # frames
    background: Colour = "#000000"
    tracks: list[Track] = Field(default_factory=list)  # bottom to top
    markers: list[Marker] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)

    @field_validator("width", "height")
    @classmethod
    def _even(cls, size: int) -> int:
        if size % 2:
            raise ValueError("H.264 in yuv420p needs an even width and height")
        return size

    @field_validator("fps")
    @classmethod
    def _rate(cls, fps: tuple[int, int]) -> tuple[int, int]:
        if fps[0] <= 0 or fps[1] <= 0 or not 1 <= fps[0] / fps[1] <= 240:
            raise ValueError("the frame rate must be between 1 and 240 frames per second")
        return fps

    @model_validator(mode="after")
    def _transitions_match_overlaps(self):
        for track in self.tracks:
            clips = {c.id: c for c in track.clips}
            for tr in track.transitions:
                a, b = clips.get(tr.a), clips.get(tr.b)
                if a is None or b is None:
                    raise ValueError(f"a transition on track {track.name or track.id} names a clip that is not on it")
                if b.start != a.end - tr.duration:
                    raise ValueError(f"the {tr.kind} between {a.name or a.id} and {b.name or b.id} needs the clips to overlap by exactly {tr.duration} frames")
        return self

    @property
    def rate(self) -> Fraction:
        return Fraction(*self.fps)

    def seconds(self, frame: float) -> float:
        return float(frame / self.rate)

    def frames(self, seconds: float) -> int:
        return round(seconds * self.rate)

    def clips(self):
        for track in self.tracks:
            for clip in track.clips:
                yield track, clip

    def find_clip(self, clip_id: str):
        return next(((t, c) for t, c in self.clips() if c.id == clip_id), (None, None))

    def add_track(self, kind: str) -> Track:
        """A new track of a kind, placed sensibly: audio at the bottom group, pictures on top."""
        count = sum(1 for t in self.tracks if t.kind == kind)
        track = Track(kind=kind, name=f"{TRACK_NAMES[kind]} {count + 1}")
        tracks = list(self.tracks)
        if kind == "audio":
            tracks.append(track)
        else:
            above = max((i for i, t in enumerate(tracks) if t.kind != "audio"), default=-1)
            tracks.insert(above + 1, track)
        self.tracks = tracks
        return next(t for t in self.tracks if t.id == track.id)

    # ---- aspect variants -------------------------------------------------------------------
    @property
    def aspect(self) -> str:
        return aspect_name(self.width, self.height)

    def variant_names(self) -> list[str]:
        return [self.aspect] + [v.name for v in self.variants if v.name != self.aspect]

    def for_variant(self, name: str | None) -> Composition:
        """The composition as the variant lays it out (its size, its clips' overrides)."""
        if name in (None, self.aspect):
            return self
        variant = next((v for v in self.variants if v.name == name), None)
        if variant is None:
            raise BadInput(f"{self.name!r} has no variant {name}; it has {', '.join(self.variant_names())}.")
        doc = self.to_document()
        doc.update(width=variant.width, height=variant.height, variants=[])
        for track in doc["tracks"]:
            for clip in track["clips"]:
                override = variant.overrides.get(clip["id"])
                if override:
                    clip.update({k: v for k, v in override.model_dump(mode="json").items() if v is not None and k in clip})
        return Composition.model_validate(doc)

    # ---- the stored document ---------------------------------------------------------------
    def to_document(self) -> dict:
        return self.model_dump(mode="json")

    @classmethod
    def from_document(cls, document: dict) -> Composition:
        try:
            return cls.model_validate(document)
        except ValidationError as exc:
            raise BadInput(f"The composition is not valid: {readable(exc)}") from None


def readable(exc: ValidationError) -> str:
    """pydantic's errors as one line a user can act on."""
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"] if not isinstance(p, str) or p not in ("media", "text", "shape", "kata"))
        parts.append(f"{where}: {err['msg'].removeprefix('Value error, ')}" if where else err["msg"].removeprefix("Value error, "))
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
