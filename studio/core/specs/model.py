"""One ad placement's rules as data: what its files and copy must be, and where each value came from.

An entry names only the constraints its platform states; a constraint left out is not
checked. Every constraint an entry sets must be backed by a source (its URL, whether it is
the platform's own page, and the date the value was checked), and a value the sources
disagree on is listed in `unconfirmed`: the validator reports breaking it as a warning,
never as an error, so a guess can't block an export.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Size = tuple[int, int]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ratio(_Model):
    """One accepted shape, with the sizes the platform asks for in it."""

    name: str  # "9:16"
    w: int = Field(gt=0)
    h: int = Field(gt=0)
    min_size: Size | None = None
    recommended: Size | None = None
    max_size: Size | None = None

    @property
    def value(self) -> float:
        return self.w / self.h


class SafeZone(_Model):
    """Shares of the frame kept clear of text and logos (the platform's own buttons and captions sit there)."""

    top: float = Field(0, ge=0, lt=1)
    bottom: float = Field(0, ge=0, lt=1)
    left: float = Field(0, ge=0, lt=1)
    right: float = Field(0, ge=0, lt=1)


class Audio(_Model):
    required: bool = False
    codecs: list[str] = []
    sample_rates: list[int] = []
    max_sample_rate: int | None = None
    min_channels: int | None = None
    min_bitrate: int | None = None  # bits per second


class TextField(_Model):
    """A copy field: `max_chars` is a hard limit, `truncates_at` only where the platform cuts it off in view."""

    name: str  # the key copy is stored under: headline, description, primary_text, path1…
    label: str
    max_chars: int | None = None
    min_chars: int | None = None
    truncates_at: int | None = None
    min_count: int = 0
    max_count: int = 1
    wide_counts_double: bool = False  # Google: East Asian wide characters count as two


class Source(_Model):
    url: str
    kind: Literal["official", "official-mirror", "third-party"]
    checked: str  # ISO date the values were taken from it
    published: str | None = None  # when the source says it was updated, if it says
    fields: list[str]  # which of the entry's constraints it backs


CONSTRAINTS = ("ratios", "ratio_range", "ratio_tolerance", "file_types", "max_file_bytes", "min_file_bytes",
               "duration_s", "fps", "constant_fps", "video_codecs", "profiles", "pixel_formats", "bitrate",
               "audio", "moov_at_front", "loudness_lufs", "max_side", "min_side", "safe_zone", "text_fields")


class Spec(_Model):
    id: str  # platform.placement, e.g. "meta.reels"
    platform: Literal["meta", "google", "tiktok", "linkedin", "x"]
    placement: str
    name: str
    media: Literal["image", "video", "text"]
    notes: str = ""
    ratios: list[Ratio] = []
    ratio_range: tuple[float, float] | None = None  # any w/h between these (e.g. 9:16 to 16:9)
    ratio_tolerance: float = Field(0.01, ge=0, le=0.2)  # relative
    file_types: list[str] = []  # lower-case extensions without the dot
    max_file_bytes: int | None = None
    min_file_bytes: int | None = None
    duration_s: tuple[float, float] | None = None
    fps: tuple[float, float] | None = None
    constant_fps: bool = False
    video_codecs: list[str] = []  # PyAV codec names: h264, hevc, vp8
    profiles: list[str] = []  # H.264 profiles as PyAV names them: "High", "Main"
    pixel_formats: list[str] = []
    bitrate: tuple[int | None, int | None] | None = None  # video bits per second, min and max
    audio: Audio | None = None
    moov_at_front: bool = False
    loudness_lufs: tuple[float, float] | None = None  # integrated loudness range
    min_side: int | None = None
    max_side: int | None = None
    safe_zone: SafeZone | None = None
    text_fields: list[TextField] = []
    unconfirmed: dict[str, str] = {}  # constraint -> why it is not certain
    sources: list[Source] = []

    @model_validator(mode="after")
    def _backed_by_sources(self):
        named = {f for s in self.sources for f in s.fields}
        unknown = named - set(CONSTRAINTS)
        if unknown:
            raise ValueError(f"{self.id}: sources name unknown constraints {sorted(unknown)}")
        missing = [c for c in self.constraints_set() if c not in named]
        if missing:
            raise ValueError(f"{self.id}: no source for {', '.join(missing)}")
        known = {"ratios.min_size"} | {f"ratios.{r.name}.min_size" for r in self.ratios} | {f"text_fields.{t.name}" for t in self.text_fields}
        stray = set(self.unconfirmed) - set(CONSTRAINTS) - known
        if stray:
            raise ValueError(f"{self.id}: unconfirmed names unknown constraints {sorted(stray)}")
        return self

    def constraints_set(self) -> list[str]:
        """The constraints this entry states (left-out ones are not checked)."""
        return [c for c in CONSTRAINTS if c in self.model_fields_set and getattr(self, c) not in (None, [], False)]

    def is_unconfirmed(self, constraint: str) -> bool:
        return constraint in self.unconfirmed

    def source_for(self, constraint: str) -> Source | None:
        return next((s for s in self.sources if constraint.split(".")[0] in s.fields), None)

    def text_field(self, name: str) -> TextField | None:
        return next((t for t in self.text_fields if t.name == name), None)
