"""Checks on images, video and audio. Each takes (media, params, context) and yields a Hit per
problem, with the box (and the video frame) it is on; the rule file decides where each applies,
how severe it is and what it says (resources/compliance/rules/media.json).

The text read in a picture also goes through the copy rules; the engine does that.

Loading the rules imports this module, for copy checks too, so the heavy media libraries
(PyAV, OpenCV, scikit-image, SciPy) are imported only when a file is checked.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.core.compliance.boxes import area, overlap
from studio.core.compliance.rules import Hit, check

if TYPE_CHECKING:
    from studio.core.compliance.media import Media


def load_media(path, context=None) -> Media:
    """An image, video or sound file ready for these checks (studio.core.compliance.media), the
    context's logo box checked against it. A file checked for several platforms in a row is read,
    and its text OCR'd, once (loaded_media)."""
    from studio.core.compliance.media import check_logo_box
    from studio.core.compliance.media import load_media as load

    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return load(path)  # says what is wrong with the path
    media = loaded_media(str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    check_logo_box(media, context)
    return media


@lru_cache(maxsize=1)
def loaded_media(path: str, size: int, mtime_ns: int) -> Media:
    """The file last loaded, while its size and modification time stay the same."""
    from studio.core.compliance.media import load_media as load

    return load(Path(path))


def _pct(share: float) -> str:
    return f"{share:.0%}"


def _excerpt(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _spec(ctx):
    """The placement's spec, when the context names one."""
    if ctx is None or not ctx.spec_id:
        return None
    from studio.core.specs.catalog import shipped_catalog

    return shipped_catalog().get(ctx.spec_id)


# ---- text in the picture ------------------------------------------------------------------
@check("text_coverage")
def text_coverage(media: Media, params, ctx):
    """The share of the picture covered by text boxes, over params["max_share"]: one Hit, on the
    frame with the most text."""
    w, h = media.size
    worst = None
    for frame, lines in zip(media.frames, media.lines_by_frame()):
        if not lines:
            continue
        mask = np.zeros((h, w), bool)
        for line in lines:
            x0, y0, x1, y1 = line.box
            mask[y0:y1, x0:x1] = True
        share = float(mask.mean())
        if worst is None or share > worst[0]:
            worst = (share, frame, lines)
    if worst is None or worst[0] <= params.get("max_share", 0.2):
        return
    share, frame, lines = worst
    box = (min(line.box[0] for line in lines), min(line.box[1] for line in lines),
           max(line.box[2] for line in lines), max(line.box[3] for line in lines))
    yield Hit(box=box, frame=frame.index, excerpt=_excerpt(" / ".join(line.text for line in lines)),
              values={"share": _pct(share), "limit": _pct(params.get("max_share", 0.2))})


def _margins(media: Media, params, ctx) -> dict[str, tuple[int, int, int, int]]:
    """The safe-zone margins as boxes: from the placement's spec, else from params["margins"]."""
    spec = _spec(ctx)
    zone = spec.safe_zone.model_dump() if spec is not None and spec.safe_zone else params.get("margins")
    if not zone:
        return {}
    w, h = media.size
    top, bottom = round(zone.get("top", 0) * h), round(zone.get("bottom", 0) * h)
    left, right = round(zone.get("left", 0) * w), round(zone.get("right", 0) * w)
    bands = {"top": (0, 0, w, top), "bottom": (0, h - bottom, w, h), "left": (0, 0, left, h), "right": (w - right, 0, w, h)}
    return {side: box for side, box in bands.items() if box[2] > box[0] and box[3] > box[1]}


@check("safe_zone_text")
def safe_zone_text(media: Media, params, ctx):
    """Text (and the logo, where its box is known) in the margins the platform covers with its
    buttons and captions: one Hit per box that has at least params["min_overlap"] of its area there."""
    bands = _margins(media, params, ctx)
    if not bands:
        return
    w, h = media.size
    things = [(line.box, line.frame, line.text) for line in media.text_lines()]
    if ctx is not None and ctx.logo_box is not None:
        things.append((tuple(ctx.logo_box), None, "logo"))
    for box, frame, text in things:
        side, inside = max(((s, overlap(box, band)) for s, band in bands.items()), key=lambda pair: pair[1])
        if area(box) and inside / area(box) >= params.get("min_overlap", 0.25):
            band = bands[side]
            depth = (band[3] - band[1]) / h if side in ("top", "bottom") else (band[2] - band[0]) / w
            yield Hit(box=box, frame=frame, excerpt=_excerpt(text), values={"side": side, "margin": _pct(depth)})


# ---- brand --------------------------------------------------------------------------------
@check("palette")
def palette(media: Media, params, ctx):
    """Dominant colours (params["clusters"] k-means centres in Lab) with at least params["min_share"]
    of the picture, further than params["max_delta_e"] (CIEDE2000) from every brand colour.
    Near-greys (chroma under params["neutral_chroma"]) are left alone: white, black and greys go with any palette."""
    if ctx is None or not ctx.palette or not media.frames:
        return
    from studio.core.compliance import palette as colours

    brand = colours.parse_palette(ctx.palette)
    pixels = colours.thumbnail_pixels(frame.pixels for frame in media.frames)
    for dominant in colours.dominant_colours(pixels, params.get("clusters", 5)):
        if dominant.share < params.get("min_share", 0.1) or dominant.chroma < params.get("neutral_chroma", 0):
            continue
        i, delta_e = colours.nearest(dominant.lab, brand)
        if delta_e > params.get("max_delta_e", 10):
            yield Hit(excerpt=dominant.hex, values={"colour": dominant.hex, "delta_e": f"{delta_e:.1f}", "share": _pct(dominant.share),
                                                    "nearest": str(ctx.palette[i]).upper()})


@check("logo_clear_space")
def logo_clear_space(media: Media, params, ctx):
    """Text, or a busy background (edges over params["max_edge_share"] of it), in the clear space
    around the logo: a margin of params["margin"] × the logo's height on every side."""
    if ctx is None or ctx.logo_box is None or not media.frames:
        return
    w, h = media.size
    x0, y0, x1, y1 = ctx.logo_box
    pad = max(1, round(params.get("margin", 0.25) * (y1 - y0)))
    outer = (max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad))
    ring = np.zeros((h, w), bool)
    ring[outer[1]:outer[3], outer[0]:outer[2]] = True
    ring[max(0, y0 - 2):y1 + 2, max(0, x0 - 2):x1 + 2] = False  # the logo's own outline is not clutter
    text_boxes = []
    for line in media.text_lines():
        if overlap(line.box, ctx.logo_box) >= 0.5 * area(line.box):
            continue  # the logo's own lettering
        text_boxes.append(line.box)
        if ring[line.box[1]:line.box[3], line.box[0]:line.box[2]].any():
            yield Hit(box=line.box, frame=line.frame, excerpt=_excerpt(line.text), values={"what": f"the text “{_excerpt(line.text)}”", "margin_px": pad})
    for bx0, by0, bx1, by1 in text_boxes:
        ring[by0:by1, bx0:bx1] = False  # reported above
    if not ring.any():
        return
    import cv2

    worst = None
    for frame in media.frames:
        edges = cv2.Canny(cv2.cvtColor(frame.pixels, cv2.COLOR_RGB2GRAY), 100, 200) > 0
        share = float(edges[ring].mean())
        if worst is None or share > worst[0]:
            worst = (share, frame, edges & ring)
    share, frame, busy = worst
    if share > params.get("max_edge_share", 0.08):
        ys, xs = np.nonzero(busy)
        yield Hit(box=(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1), frame=frame.index, excerpt="busy background",
                  values={"what": f"a busy background (edges on {_pct(share)} of it)", "margin_px": pad})


# ---- sound --------------------------------------------------------------------------------
@check("loudness")
def loudness(media: Media, params, ctx):
    """Integrated loudness (ITU BS.1770) against params["target_lufs"] ± params["tolerance_lu"], and
    the true peak against params["max_true_peak"] (dBTP). No sound: a Hit only when
    params["require_audio"]; params["measure"] false reports only that (for a rule of its own
    severity). Each Hit's values: problem and advice (for the message and hint), lufs, true_peak, target."""
    from studio.core.render.audio import loudness as integrated_loudness
    from studio.core.render.audio import true_peak

    samples = media.audio()
    target, tolerance = params.get("target_lufs", -14.0), params.get("tolerance_lu", 2.0)
    ceiling = params.get("max_true_peak", -1.0)
    if samples is None or not samples.size or not np.abs(samples).max() > 0:
        if params.get("require_audio"):
            what = "has no sound track" if samples is None else "track is silent"
            yield Hit(excerpt="no sound", values={"problem": what, "advice": "Add music or a voice-over: this platform expects ads with sound.",
                                                  "lufs": "-inf", "true_peak": "-inf", "target": f"{target:g}"})
        return
    if not params.get("measure", True):
        return
    lufs = integrated_loudness(samples)
    peak = 20 * np.log10(max(float(true_peak(samples).max()), 1e-10))
    values = {"lufs": f"{lufs:.1f}", "true_peak": f"{peak:.1f}", "target": f"{target:g}"}
    if np.isfinite(lufs) and abs(lufs - target) > tolerance:
        louder = lufs > target
        yield Hit(excerpt=f"{lufs:.1f} LUFS", values=values | {
            "problem": f"is at {lufs:.1f} LUFS, {'louder' if louder else 'quieter'} than the {target:g} LUFS (±{tolerance:g}) aimed for",
            "advice": f"{'Turn the mix down' if louder else 'Turn the mix up'} to about {target:g} LUFS (the export normalises to this when asked)."})
    if peak > ceiling:
        yield Hit(excerpt=f"{peak:.1f} dBTP", values=values | {
            "problem": f"peaks at {peak:.1f} dBTP, over the {ceiling:g} dBTP ceiling, and will distort once the platform re-encodes it",
            "advice": f"Limit the peaks to {ceiling:g} dBTP (the export's limiter does this)."})


# ---- the placement's spec -------------------------------------------------------------------
@check("spec")
def spec(media: Media, params, ctx):
    """Size, ratio, duration, file and encoding against the spec catalog entry the context names;
    only findings of params["severity"] (so an error rule and a warning rule can share the work).
    Values: message, hint and spec (its name)."""
    entry = _spec(ctx)
    if entry is None or media.kind == "audio":
        return
    from studio.core.specs.probe import probe_file
    from studio.core.specs.validate import check_file

    facts = media.memo(f"facts:{bool(entry.loudness_lufs)}", lambda: probe_file(media.path, measure_loudness=bool(entry.loudness_lufs)))
    for finding in check_file(facts, entry):
        if finding.severity == params.get("severity", finding.severity):
            yield Hit(excerpt=finding.code, values={"message": finding.message, "hint": finding.hint, "spec": entry.name})
