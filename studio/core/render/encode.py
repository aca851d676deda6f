"""Render a composition to MP4: H.264 High yuv420p at the composition's constant frame
rate, AAC 48 kHz stereo from the loudness-normalised mixdown, moov atom at the front.

A job function, `render(params, state)`. Frames are evaluated on the calling thread while
a second thread converts, encodes and muxes them (PyAV lets go of the GIL in swscale, x264
and the muxer), so two cores work at once. The file is written under a temporary name in
the target folder and renamed at the end: a cancelled or failed render leaves nothing.
"""

from __future__ import annotations

import errno
import os
import socket
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from studio.core.errors import BadInput, StudioError
from studio.core.render.audio import RATE, mixdown
from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.kata_source import offline_recipes, recipe_sources
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, MediaClip

PRESETS = {"fast": {"preset": "veryfast", "crf": "21"}, "quality": {"preset": "medium", "crf": "18"}}
AUDIO_BITRATE = 192_000
AUDIO_CHUNK = 1024  # samples per AAC frame
QUEUE_DEPTH = 4  # frames evaluated ahead of the encoder
CACHE_BYTES = 64 << 20  # a render visits each frame once: the cache need only hold the static layers
_DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


@dataclass
class RenderParams:
    library_root: str | None  # needed for compositions by id and for clips that name assets
    composition: dict | int  # a composition document, or its id in the library
    out: str
    preset: str = "fast"  # fast | quality
    variant: str | None = None  # an aspect such as "9x16" (Composition.variants); None: its own
    backend: str = "auto"
    scale: float = 1.0  # output size as a share of the canvas (renditions at a spec's size)
    max_bitrate: int | None = None  # video bits per second the encoder must stay under (a spec's cap or a file-size target)
    # A fixed tag for the temporary file's name: a task run again (its cluster worker died) then
    # overwrites its own leftover instead of leaving it beside the output. None: a fresh name.
    temp_tag: str | None = None


def render(params: RenderParams, state, lib=None) -> dict:
    """Render to params.out; returns what was written (path, size, codecs, loudness, time)."""
    from studio.core.timeline.store import load_composition

    started = time.perf_counter()
    if params.preset not in PRESETS:
        raise BadInput(f"There is no render preset {params.preset!r}; use one of {', '.join(PRESETS)}.")
    own = lib is None and params.library_root is not None
    if own:
        lib = task_library(params.library_root)
    try:
        if isinstance(params.composition, int):
            if lib is None:
                raise BadInput("A composition given by id needs a library.")
            composition = load_composition(lib, params.composition)
        else:
            composition = Composition.from_document(params.composition)
        composition = composition.for_variant(params.variant)
        resolver = MediaResolver(lib)
        check_media(composition, resolver)
        out = Path(params.out).expanduser().absolute()
        temp = temp_beside(out, params.temp_tag)
        try:
            state.set_status("Mixing audio")
            mix = mixdown(composition, resolver)
            state.check()
            state.set_status(f"Rendering {composition.name}")
            size = _write(composition, resolver, mix.samples, temp, params, state)
            os.replace(temp, out)
        except BaseException as exc:
            temp.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
                raise StudioError(f"The disk is full: the render needs more room in {out.parent}. Free some space or render to another folder; nothing was written.") from None
            raise
    finally:
        if own:
            lib.close()
    return {
        "path": str(out), "name": composition.name, "frames": composition.duration,
        "duration_s": composition.seconds(composition.duration), "fps": float(composition.rate),
        "width": size[0], "height": size[1], "bytes": out.stat().st_size,
        "video_codec": "h264 (High, yuv420p)", "audio_codec": f"aac {RATE} Hz stereo {AUDIO_BITRATE // 1000} kb/s",
        "preset": params.preset, "loudness_before_lufs": _finite(mix.loudness_before),
        "loudness_lufs": _finite(mix.loudness_after), "true_peak_dbtp": _finite(mix.true_peak),
        "render_s": round(time.perf_counter() - started, 3),
    }


def _rate_cap(bits: int | None) -> dict:
    """x264 VBV: quality-driven (CRF) but never above `bits` per second over a two-second window."""
    return {"maxrate": str(bits), "bufsize": str(2 * bits)} if bits else {}


def _finite(value: float) -> float | None:
    return round(value, 2) if np.isfinite(value) else None  # silence has no loudness (JSON has no -inf)


def task_library(root: str):
    """The library a task in a worker process or on a cluster worker reads. Refuses, rather than
    create an empty library there, when its folder is missing: a worker without the shared store."""
    from studio.core.library import Library

    if "://" not in str(root) and not Path(root).expanduser().is_dir():
        raise StudioError(f"The library folder {root} is not there on {socket.gethostname()}. Every render worker must "
                          "reach the library at the same path (the shared folder mounted alike on each machine); "
                          "mount it there, or render on this computer.")
    return Library.open(root, lock=False, auto_backup=False)


def check_media(composition: Composition, resolver) -> None:
    """Refuse, listing them, when clips' media are missing or empty files, or their Kata recipes are gone."""
    problems = list(resolver.missing(composition)) + offline_recipes(composition, recipe_sources(resolver, composition))
    listed = {p["clip_id"] for p in problems}
    for _, clip in composition.clips():
        if isinstance(clip, MediaClip) and clip.id not in listed:
            path = resolver.path(clip)
            if path is not None and Path(path).is_file() and Path(path).stat().st_size == 0:
                problems.append({"clip_id": clip.id, "name": clip.name, "path": str(path), "reason": "the file is empty"})
    if problems:
        lines = [f"  {p['name'] or p['clip_id']}: {p['path'] or 'no file'} ({p['reason']})" for p in problems]
        raise BadInput(f"{len(problems)} media file(s) of {composition.name!r} cannot be used; relink or re-import them:\n" + "\n".join(lines))


def temp_beside(out: Path, tag: str | None = None) -> Path:
    """Claim a temporary file in out's folder (so the final rename is atomic); refuse clearly when we
    cannot. With a tag the name is fixed (temp_name), and a file left there by an earlier attempt
    is overwritten; without one it is new."""
    if out.is_dir():
        raise BadInput(f"{out} is a folder; give a file name to write to.")
    if not out.parent.is_dir():
        raise BadInput(f"The folder {out.parent} does not exist; create it or choose another output path.")
    temp = temp_name(out, tag or uuid.uuid4().hex[:8])
    try:
        temp.open("wb" if tag else "xb").close()
    except OSError as exc:
        raise BadInput(f"Cannot write to {out.parent} ({exc.strerror or exc}); choose another output folder.") from None
    return temp


def temp_name(out: Path, tag: str) -> Path:
    return out.with_name(f".{out.stem}.{tag}.part{out.suffix}")


def render_all(params_list: list[RenderParams], state, pool) -> list[dict]:
    """A batch: each render one task on the pool (worker processes or a Dask cluster, see
    jobs.run_each). Their temporary files carry this batch's tag, so a task run again after its
    worker died overwrites its own, and any still there when the batch ends are removed."""
    from studio.core.jobs import run_each

    outs = [Path(p.out).expanduser().absolute() for p in params_list]
    twice = sorted({str(o) for o in outs if outs.count(o) > 1})
    if twice:
        raise BadInput(f"Two renders of the batch would write {', '.join(twice)}; give each its own output.")
    tag = uuid.uuid4().hex[:8]
    state.set_status(f"Rendering {len(params_list)} composition(s)")
    try:
        return run_each(pool, render, [replace(p, out=str(o), temp_tag=tag) for p, o in zip(params_list, outs)], state)
    finally:
        for out in outs:
            temp_name(out, tag).unlink(missing_ok=True)


def _write(composition: Composition, resolver, samples: np.ndarray, path: Path, params: RenderParams, state) -> tuple[int, int]:
    """Encode to path; returns the frame size written."""
    evaluator = FrameEvaluator(composition, resolver, scale=params.scale, backend=params.backend, cache_bytes=CACHE_BYTES)
    container = av.open(str(path), "w", format="mp4", container_options={"movflags": "+faststart"})
    try:
        video = container.add_stream("libx264", rate=composition.rate)
        (video.width, video.height), video.pix_fmt = evaluator.size, "yuv420p"
        video.time_base = 1 / composition.rate
        video.options = {**PRESETS[params.preset], "profile": "high", **_rate_cap(params.max_bitrate)}
        cc = video.codec_context
        cc.thread_type = "FRAME"  # x264 frame threads, as the ffmpeg command uses; PyAV's default (slices) is slower
        cc.colorspace = cc.color_primaries = cc.color_trc = 1  # BT.709
        cc.color_range = 1  # limited ("tv") range
        audio = container.add_stream("aac", rate=RATE, layout="stereo")
        audio.bit_rate = AUDIO_BITRATE
        muxer = _Muxer(container, video, audio, samples, composition.rate)
        total = composition.duration
        pending: deque = deque()
        with ThreadPoolExecutor(1, thread_name_prefix="render-encode") as encoder:
            try:
                for index in range(total):
                    state.check()
                    pending.append(encoder.submit(muxer.frame, evaluator.frame(index), index))
                    if len(pending) > QUEUE_DEPTH:
                        pending.popleft().result()  # raises the encoder's error here
                    state.set_progress(index + 1, total)
                while pending:
                    pending.popleft().result()
            finally:
                for job in pending:
                    job.cancel()
        muxer.finish()
    except BaseException:
        try:
            container.close()  # only to let go of the file, which the caller removes
        except OSError:
            pass
        raise
    else:
        container.close()  # the trailer, then the faststart pass moves the moov atom to the front
        return evaluator.size
    finally:
        evaluator.close()


class _Muxer:
    """Runs on the encoder thread: video frame i, then the audio up to the end of frame i,
    so packets reach the muxer already interleaved in time."""

    def __init__(self, container, video, audio, samples: np.ndarray, rate: Fraction):
        self.container, self.video, self.audio = container, video, audio
        self.samples, self.rate, self.sent = samples, rate, 0

    def frame(self, rgba: np.ndarray, index: int) -> None:
        # from_numpy_buffer wraps the array without a copy (from_ndarray's copy costs more than the conversion)
        frame = av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(rgba), format="rgba")
        frame = frame.reformat(format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG")
        frame.pts = index
        self.container.mux(self.video.encode(frame))
        self._audio_until(round((index + 1) / self.rate * RATE))

    def finish(self) -> None:
        self._audio_until(self.samples.shape[1])
        self.container.mux(self.video.encode(None))
        self.container.mux(self.audio.encode(None))

    def _audio_until(self, end: int) -> None:
        end = min(end, self.samples.shape[1])
        while end - self.sent >= AUDIO_CHUNK or (end == self.samples.shape[1] and self.sent < end):
            n = min(AUDIO_CHUNK, end - self.sent)
            chunk = np.ascontiguousarray(self.samples[:, self.sent:self.sent + n])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = RATE, self.sent, Fraction(1, RATE)
            self.container.mux(self.audio.encode(frame))
            self.sent += n
