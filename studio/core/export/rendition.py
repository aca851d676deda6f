"""Make one rendition file: a job function that runs in a worker process.

Video: the composition in the chosen aspect variant (laid out by smart reframing first when
it has none), rendered at the spec's size with the Creative workspace's renderer (H.264 High,
yuv420p, constant frame rate, AAC 48 kHz, faststart) under the spec's bitrate cap. A file
over the spec's size limit is rendered again at the bitrate that fits, rather than failed.

Image: the asset, upright, cropped to the spec's shape around its subject (faces, else the
most salient region), scaled down to the spec's size (never up), saved as JPEG (PNG when it
has transparency), with the JPEG quality lowered step by step to meet a size limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image

from studio.core.assets.probe import open_image
from studio.core.errors import StudioError
from studio.core.render.audio import RATE
from studio.core.render.encode import (
    AUDIO_BITRATE,
    RenderParams,
    render,
    task_library,
    temp_name,
)
from studio.core.timeline.model import Composition
from studio.core.timeline.reframe import add_variant, salient_box

CBR_HEADROOM = 1.25  # constant bitrate this far above a platform's minimum
SIZE_MARGIN = 0.95  # aim this far under a file-size limit (container overhead, rate-control overshoot)
JPEG_QUALITIES = (92, 86, 80, 74, 68, 62, 56, 50)
# Renditions are written into the package's own temporary folder, so fixed temporary names are
# safe there: a task run again after its worker died overwrites what the first attempt left.
RETRY_TAG = "retry"


@dataclass
class RenditionTask:
    library_root: str
    media: str  # image | video
    out: str
    size: tuple[int, int]
    composition: dict | None = None  # video: the document
    variant: str | None = None
    reframe: bool = False
    max_bitrate: int | None = None
    min_bitrate: int | None = None  # a floor some platforms set (TikTok); plain pictures compress below it
    max_bytes: int | None = None
    asset_id: int | None = None  # image
    ratio: float | None = None  # image: width / height to crop to


def make_rendition(task: RenditionTask, state) -> dict:
    """Write task.out; returns {"bytes", "attempts"}."""
    lib = task_library(task.library_root)
    try:
        if task.media == "video":
            return _video(task, lib, state)
        return _image(task, lib)
    finally:
        lib.close()


def _video(task: RenditionTask, lib, state) -> dict:
    from studio.core.render.media import MediaResolver

    comp = Composition.from_document(task.composition)
    if task.reframe:
        state.set_status(f"Reframing {comp.name} for {task.variant.replace('x', ':')}")
        resolver = MediaResolver(lib)
        comp = add_variant(comp, task.variant, resolver.path)
    laid = comp.for_variant(task.variant)
    scale = task.size[0] / laid.width
    cap, attempts = task.max_bitrate, 0
    seconds = comp.seconds(comp.duration)
    while True:
        attempts += 1
        state.set_status(f"Rendering {Path(task.out).name}")
        render(RenderParams(task.library_root, comp.to_document(), task.out, "fast", task.variant,
                            scale=scale, max_bitrate=cap, temp_tag=RETRY_TAG), state, lib=lib)
        if task.min_bitrate and _video_bitrate(Path(task.out), seconds) < task.min_bitrate:
            state.set_status(f"Raising the bitrate of {Path(task.out).name} to the platform's minimum")
            _constant_bitrate(Path(task.out), int(task.min_bitrate * CBR_HEADROOM))
        size = Path(task.out).stat().st_size
        if not task.max_bytes or size <= task.max_bytes:
            return {"bytes": size, "attempts": attempts}
        fits = int(task.max_bytes * SIZE_MARGIN * 8 / seconds) - AUDIO_BITRATE
        if attempts >= 3 or fits < 100_000:
            Path(task.out).unlink(missing_ok=True)
            raise StudioError(f"{Path(task.out).name} cannot be made under {task.max_bytes / 1_048_576:.1f} MB "
                              f"at {RATE // 1000} kHz audio and a watchable bitrate; shorten the composition.")
        cap = min(fits, cap or fits)


def _video_bitrate(path: Path, seconds: float) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return int(sum(p.size for p in container.demux(stream)) * 8 / seconds)


def _constant_bitrate(path: Path, bits: int) -> None:
    """Re-encode the video at a constant bitrate (x264 CBR with filler), keeping the sound as it is.
    Cheaper than rendering again, and a picture that compresses so well loses nothing visible."""
    temp = path.with_name(f".{path.stem}.cbr{path.suffix}")
    try:
        with av.open(str(path)) as src, av.open(str(temp), "w", format="mp4", container_options={"movflags": "+faststart"}) as out:
            vin, ain = src.streams.video[0], (src.streams.audio[0] if src.streams.audio else None)
            vout = out.add_stream("libx264", rate=vin.average_rate)
            vout.width, vout.height, vout.pix_fmt, vout.time_base = vin.width, vin.height, "yuv420p", vin.time_base
            vout.bit_rate = bits
            vout.options = {"preset": "veryfast", "profile": "high", "maxrate": str(bits), "bufsize": str(bits),
                            "x264-params": "nal-hrd=cbr:force-cfr=1", "threads": "1"}  # CBR filler depends on thread timing
            aout = out.add_stream_from_template(ain) if ain else None
            for packet in src.demux(*(s for s in (vin, ain) if s)):
                if packet.stream is ain:
                    if packet.dts is not None:
                        packet.stream = aout
                        out.mux(packet)
                    continue
                for frame in packet.decode():
                    out.mux(vout.encode(frame))
            out.mux(vout.encode(None))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _image(task: RenditionTask, lib) -> dict:
    from studio.core.queries import get_asset

    asset = get_asset(lib, task.asset_id)
    picture = open_image(lib.media_path(asset.sha256, asset.ext))
    picture = _cropped(picture, task.ratio).resize(task.size, Image.LANCZOS)
    out = Path(task.out)
    temp = temp_name(out, RETRY_TAG)
    try:
        if out.suffix == ".png":
            picture.save(temp, format="PNG", optimize=True)
        else:
            picture = picture.convert("RGB")
            for quality in JPEG_QUALITIES:
                picture.save(temp, format="JPEG", quality=quality, optimize=True, subsampling="4:2:0")
                if not task.max_bytes or temp.stat().st_size <= task.max_bytes:
                    break
        size = temp.stat().st_size
        if task.max_bytes and size > task.max_bytes:
            raise StudioError(f"{out.name} stays over {task.max_bytes / 1_048_576:.1f} MB even at JPEG quality {JPEG_QUALITIES[-1]}; "
                              "use a simpler image.")
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return {"bytes": size, "attempts": 1}


def _cropped(picture: Image.Image, ratio: float) -> Image.Image:
    """The picture in the ratio: the largest window of it centred on its subject as far as the
    edges allow; or, when its content would not fit that window (a wide logo on a plain
    ground), the whole picture on a canvas of its own background colour."""
    w, h = picture.size
    cw, ch = (w, round(w / ratio)) if w / h < ratio else (round(h * ratio), h)
    cw, ch = min(cw, w), min(ch, h)
    if (cw, ch) == (w, h):
        return picture
    content = _content_box(picture)
    if content is not None and (content[2] - content[0] > cw or content[3] - content[1] > ch):
        return _padded(picture, ratio)
    x0, y0, x1, y1 = salient_box(picture)
    cx, cy = (x0 + x1) / 2 * w, (y0 + y1) / 2 * h
    left = min(max(0, round(cx - cw / 2)), w - cw)
    top = min(max(0, round(cy - ch / 2)), h - ch)
    return picture.crop((left, top, left + cw, top + ch))


def _background(picture: Image.Image) -> tuple:
    """The colour of the picture's border when it is one plain colour (None for a photo)."""
    rgba = np.asarray(picture.convert("RGBA"))
    border = np.concatenate([rgba[0], rgba[-1], rgba[:, 0], rgba[:, -1]]).astype(np.int16)
    median = np.median(border, axis=0)
    return tuple(int(v) for v in median) if np.abs(border - median).max(axis=1).mean() < 12 else None


def _content_box(picture: Image.Image):
    """The box of what differs from a plain border colour; None for a picture without one."""
    ground = _background(picture)
    if ground is None:
        return None
    rgba = np.asarray(picture.convert("RGBA")).astype(np.int16)
    ys, xs = np.nonzero(np.abs(rgba - np.array(ground)).max(axis=2) > 24)
    return (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) if len(xs) else None


def _padded(picture: Image.Image, ratio: float) -> Image.Image:
    w, h = picture.size
    size = (w, round(w / ratio)) if w / h > ratio else (round(h * ratio), h)
    mode = "RGBA" if picture.mode in ("RGBA", "LA") else "RGB"
    canvas = Image.new(mode, size, _background(picture)[:len(mode)])
    canvas.paste(picture, ((size[0] - w) // 2, (size[1] - h) // 2))
    return canvas
