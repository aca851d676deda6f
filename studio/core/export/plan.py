"""What an ad package will hold, worked out before anything is rendered.

For each chosen placement the plan picks what feeds it (a composition or a video asset for a
video placement, an image asset for an image placement), the shape (an aspect variant the
composition already has, or one smart reframing will make) and the size (the spec's
recommended size, never upscaled), and predicts what the validator will say about the file,
so the user sees every rendition's status before building. Copy is checked here too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from studio.core.errors import BadInput
from studio.core.names import slug
from studio.core.ops.copy import campaign_copy, copy_for
from studio.core.queries import AssetFilter, list_assets
from studio.core.render.encode import check_media
from studio.core.render.media import MediaResolver
from studio.core.specs.catalog import Catalog, load_catalog
from studio.core.specs.model import Spec
from studio.core.specs.probe import FileFacts
from studio.core.specs.validate import Finding, check_copy, check_file, has_errors
from studio.core.timeline.model import Composition, MediaClip, Track, aspect_name
from studio.core.timeline.reframe import SIZES
from studio.core.timeline.store import list_compositions, load_composition

PLATFORMS = ("meta", "google", "tiktok", "linkedin", "x")
DEFAULT_MAX_BITRATE = 8_000_000  # YouTube's 1080p figure; every platform takes it


@dataclass
class Rendition:
    spec_id: str
    platform: str
    media: str  # image | video
    source_kind: str  # composition | asset
    source_id: int
    source_name: str
    ratio: str  # the spec's shape it is made in, "9:16"
    variant: str | None  # the composition's aspect variant rendered ("9x16"); None for images
    reframed: bool  # the variant is made by smart reframing for this export
    size: tuple[int, int]
    duration_s: float | None
    path: str  # inside the package
    max_bitrate: int | None = None
    min_bitrate: int | None = None
    max_bytes: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return has_errors(self.findings)

    @property
    def encode_key(self) -> tuple:
        """Renditions with the same key are the same file: it is made once."""
        return (self.media, self.source_kind, self.source_id, self.variant, self.size, self.path.rsplit(".", 1)[-1])


@dataclass
class CopyCheck:
    spec_id: str
    platform: str
    copy: dict[str, list[str]]
    findings: list[Finding]


@dataclass
class Plan:
    campaign_id: int
    campaign_name: str
    catalog_version: str
    platforms: list[str]
    renditions: list[Rendition]
    copy_checks: list[CopyCheck]
    notes: list[str]  # placements nothing could feed, and why
    copy: dict[str, dict[str, list[str]]]  # platform -> field -> texts (its own, else the shared ones)

    @property
    def blocked(self) -> list[str]:
        """Why the package cannot be built as planned (empty: it can)."""
        out = [f"{r.path}: {f.message}" for r in self.renditions for f in r.findings if f.severity == "error"]
        out += [f"{c.spec_id} copy: {f.message}" for c in self.copy_checks for f in c.findings if f.severity == "error"]
        return out


def find_campaign(lib, ref: str | int) -> tuple[int, str]:
    """A campaign by id or by name; BadInput naming the ones there are."""
    from sqlalchemy import select

    from studio.core.db.models import Campaign

    with lib.read() as conn:
        rows = conn.execute(select(Campaign.id, Campaign.name).order_by(Campaign.id)).all()
    for cid, name in rows:
        if str(ref) == str(cid) or str(ref).casefold() == name.casefold():
            return cid, name
    known = ", ".join(f"{name} ({cid})" for cid, name in rows) or "none yet"
    raise BadInput(f"There is no campaign {ref!r}. Campaigns: {known}.")


def make_plan(lib, campaign: str | int, platforms: list[str], *, spec_ids: list[str] | None = None,
              composition_ids: list[int] | None = None, asset_ids: list[int] | None = None,
              catalog: Catalog | None = None) -> Plan:
    bad = [p for p in platforms if p not in PLATFORMS]
    if bad or not platforms:
        raise BadInput(f"Unknown platform(s) {', '.join(bad) or '(none given)'}; choose from {', '.join(PLATFORMS)}.")
    catalog = catalog or load_catalog(lib)
    campaign_id, campaign_name = find_campaign(lib, campaign)
    specs = [catalog.get(s) for s in spec_ids] if spec_ids else catalog.for_platforms(platforms)
    specs = [s for s in specs if s.platform in platforms]
    comps = _compositions(lib, campaign_id, composition_ids)
    images, videos = _assets(lib, campaign_id, asset_ids)
    all_copy = campaign_copy(lib, campaign_id)
    renditions, checks, notes = [], [], []
    for spec in specs:
        if spec.text_fields:
            copy = copy_for(all_copy, spec.id)
            checks.append(CopyCheck(spec.id, spec.platform, copy, check_copy(copy, spec)))
        if spec.media == "video":
            made = [_video_rendition(lib, spec, comp, "composition", cid) for cid, comp in comps]
            made += [_video_rendition(lib, spec, comp, "asset", aid) for aid, comp in videos]
        elif spec.media == "image":
            made = [_image_rendition(lib, spec, asset) for asset in images]
        else:
            continue
        made = [r for r in made if r is not None]
        if not made:
            notes.append(f"{spec.name}: the campaign has no {'videos or compositions' if spec.media == 'video' else 'images'} for it.")
        renditions += made
    _name_uniquely(renditions, campaign_name)
    copy = {p: copy_for(all_copy, p) for p in platforms}
    return Plan(campaign_id, campaign_name, catalog.version, list(platforms), renditions, checks, notes, copy)


def _compositions(lib, campaign_id: int, ids: list[int] | None) -> list[tuple[int, Composition]]:
    chosen = ids if ids is not None else [c.id for c in sorted(list_compositions(lib, campaign_id), key=lambda c: c.id)]
    return [(cid, load_composition(lib, cid)) for cid in chosen]


def _assets(lib, campaign_id: int, ids: list[int] | None):
    if ids is None:
        assets = list_assets(lib, AssetFilter(campaign_id=campaign_id, kinds=("image",)))
    else:
        assets = list_assets(lib, ids=ids)
        missing = set(ids) - {a.id for a in assets}
        if missing:
            raise BadInput(f"Asset(s) {', '.join(map(str, sorted(missing)))} are not in the library.")
    assets = sorted(assets, key=lambda a: a.id)
    images = [a for a in assets if a.kind == "image"]
    videos = [(a.id, wrapped_video(a)) for a in assets if a.kind == "video"]
    return images, videos


def wrapped_video(asset) -> Composition:
    """A video asset as a one-clip composition, so it renders, reframes and validates like one."""
    rate = Fraction(asset.fps or 30).limit_denominator(1001)  # 29.97 -> 30000/1001
    frames = max(1, math.floor((asset.duration or 1) * rate))
    clip = MediaClip(asset_id=asset.id, start=0, duration=frames, name=asset.name, fit="cover")
    return Composition(name=asset.name.rsplit(".", 1)[0], width=asset.width, height=asset.height, fps=(rate.numerator, rate.denominator),
                       duration=frames, tracks=[Track(kind="video", clips=[clip])])


def source_composition(lib, kind: str, source_id: int) -> Composition:
    """What a video rendition renders: the composition, or the video asset wrapped as one."""
    if kind == "composition":
        return load_composition(lib, source_id)
    from studio.core.queries import get_asset

    return wrapped_video(get_asset(lib, source_id))


def _shape_for(spec: Spec, comp: Composition) -> tuple[str, str, bool] | None:
    """(the spec's ratio name, the composition variant to render, whether reframing makes it)."""
    have = comp.variant_names()
    if spec.ratios:
        options = [(r.name, aspect_name(r.w, r.h)) for r in spec.ratios]
    else:  # a range: the composition's own shapes that fall in it, then the usual ones
        lo, hi = spec.ratio_range
        sizes = {v: _size(comp, v) for v in have} | {v: size for v, size in SIZES.items() if v not in have}
        options = [(v.replace("x", ":"), v) for v, (w, h) in sizes.items() if lo <= w / h <= hi]
    for name, aspect in options:
        if aspect == comp.aspect:
            return name, aspect, False
    for name, aspect in options:
        if aspect in have:
            return name, aspect, False
    for name, aspect in options:
        if aspect in SIZES:
            return name, aspect, True
    return None


def _size(comp: Composition, variant: str) -> tuple[int, int]:
    laid = comp.for_variant(variant)
    return laid.width, laid.height


def _target_size(spec: Spec, ratio_name: str, canvas: tuple[int, int]) -> tuple[int, int]:
    """The spec's recommended size for the shape, no larger than the canvas (never upscaled) or its side limit."""
    w, h = canvas
    ratio = next((r for r in spec.ratios if r.name == ratio_name), None)
    if ratio is not None and ratio.recommended and ratio.recommended[0] <= w:
        w, h = ratio.recommended[0], round(ratio.recommended[0] * canvas[1] / canvas[0])
    if spec.max_side and max(w, h) > spec.max_side:
        k = spec.max_side / max(w, h)
        w, h = w * k, h * k
    return _even(w), _even(h)


def _even(n: float) -> int:
    return max(2, int(n) // 2 * 2)


def _video_rendition(lib, spec: Spec, comp: Composition, kind: str, source_id: int) -> Rendition | None:
    shape = _shape_for(spec, comp)
    if shape is None:
        return None
    ratio_name, variant, reframed = shape
    canvas = SIZES[variant] if reframed else _size(comp, variant)
    size = _target_size(spec, ratio_name, canvas)
    seconds = comp.seconds(comp.duration)
    caps = [b for b in ((spec.bitrate or (None, None))[1], DEFAULT_MAX_BITRATE) if b]
    r = Rendition(spec.id, spec.platform, "video", kind, source_id, comp.name, ratio_name, variant, reframed, size,
                  round(seconds, 3), "", max_bitrate=min(caps), min_bitrate=(spec.bitrate or (None, None))[0],
                  max_bytes=spec.max_file_bytes)
    predicted = FileFacts("planned.mp4", "video", "mp4", 0, *size, duration_s=seconds, fps=float(comp.rate),
                          constant_fps=True, video_codec="h264", profile="High", pixel_format="yuv420p",
                          audio_codec="aac", audio_rate=48000, audio_channels=2, audio_bitrate=192_000, moov_at_front=True)
    r.findings = [f for f in check_file(predicted, spec) if f.code not in ("file_size",)]
    try:
        check_media(comp, MediaResolver(lib))
    except BadInput as exc:
        r.findings.append(Finding("error", "missing_media", str(exc), "Relink the media in the Creative workspace (File ▸ Relink)."))
    if reframed:
        r.findings.append(Finding("warning", "reframed", f"{comp.name} has no {ratio_name} layout: smart reframing makes one for this export.",
                                  f"Check it, or lay it out yourself: Creative ▸ Layout ▸ Add {ratio_name} variant."))
    return r


def _image_rendition(lib, spec: Spec, asset) -> Rendition | None:
    if not asset.width or not asset.height or not spec.ratios:
        return None
    value = asset.width / asset.height
    ratio = min(spec.ratios, key=lambda r: abs(math.log(value / r.value)))
    crop_w, crop_h = (asset.width, round(asset.width / ratio.value)) if value < ratio.value else (round(asset.height * ratio.value), asset.height)
    crop_w, crop_h = min(crop_w, asset.width), min(crop_h, asset.height)
    w, h = crop_w, crop_h
    if ratio.recommended and ratio.recommended[0] < w:
        w, h = ratio.recommended[0], round(ratio.recommended[0] / ratio.value)
    ext = "png" if asset.has_alpha and "png" in spec.file_types else "jpg"
    r = Rendition(spec.id, spec.platform, "image", "asset", asset.id, asset.name.rsplit(".", 1)[0], ratio.name, None, False,
                  (w, h), None, "", max_bytes=spec.max_file_bytes)
    r.path = f".{ext}"
    r.findings = [f for f in check_file(FileFacts("planned." + ext, "image", ext, 0, w, h), spec) if f.code != "file_size"]
    if (crop_w, crop_h) != (asset.width, asset.height) and 1 - crop_w * crop_h / (asset.width * asset.height) > 0.2:
        r.findings.append(Finding("warning", "cropped", f"{asset.name} ({asset.width}×{asset.height}) is reframed to {ratio.name}: cropped around its subject, or set on its own background colour where its content would not fit.",
                                  "Check the crop in the contact sheet, or supply an image in that shape."))
    return r


def _name_uniquely(renditions: list[Rendition], campaign: str) -> None:
    """renditions/<platform>/<campaign>_<placement>_<source>_<WxH>.<ext>; a counter only if two would clash."""
    seen: dict[str, int] = {}
    for r in renditions:
        ext = "mp4" if r.media == "video" else r.path.lstrip(".")
        stem = f"{slug(campaign)}_{r.spec_id.split('.', 1)[1]}_{slug(r.source_name)}_{r.size[0]}x{r.size[1]}"
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        r.path = f"renditions/{r.platform}/{stem}{f'-{n + 1}' if n else ''}.{ext}"
