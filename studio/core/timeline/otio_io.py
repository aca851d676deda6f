"""OpenTimelineIO exchange, so compositions travel to other editors and back.

Export writes standard OTIO (tracks, gaps, clips with external media references, transitions
centred on the cut) plus the full composition under metadata["conext"], so a round trip
through the studio is lossless. A Kata clip has no file other editors could open: it goes
out with a missing reference and its recipe id under the clip's metadata["conext"]. Import
takes the whole document when present; any other OTIO file is read structurally (media
clips, Kata clips, gaps, crossfades, markers).
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from studio.core.errors import BadInput
from studio.core.timeline.model import Composition, KataClip, MediaClip, Track, Transition

OTIO_KEY = "conext"


def _rt(frames: float, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, rate)


def _range(start: float, duration: float, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, rate), _rt(duration, rate))


def export_otio(composition: Composition, media_path, dest: Path) -> Path:
    """media_path(clip) -> Path | None resolves a media clip's file."""
    rate = float(composition.rate)
    timeline = otio.schema.Timeline(name=composition.name, global_start_time=_rt(0, rate))
    timeline.metadata[OTIO_KEY] = composition.to_document()
    for track in composition.tracks:
        kind = otio.schema.TrackKind.Audio if track.kind == "audio" else otio.schema.TrackKind.Video
        out = otio.schema.Track(name=track.name or track.kind, kind=kind)
        cuts = {tr.a: tr for tr in track.transitions}
        incoming = {tr.b: tr for tr in track.transitions}
        cursor = 0
        for clip in sorted(track.clips, key=lambda c: c.start):
            start, end = clip.start, clip.end
            if clip.id in incoming:  # begins at the cut in the middle of the overlap
                start += incoming[clip.id].duration // 2
            if clip.id in cuts:  # ends at that cut
                end -= cuts[clip.id].duration - cuts[clip.id].duration // 2
            if start > cursor:
                out.append(otio.schema.Gap(source_range=_range(0, start - cursor, rate)))
            out.append(_otio_clip(clip, composition, media_path, start - clip.start, end - start, rate))
            if clip.id in cuts:
                tr = cuts[clip.id]
                out.append(otio.schema.Transition(
                    name=tr.kind, transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=_rt(tr.duration // 2, rate), out_offset=_rt(tr.duration - tr.duration // 2, rate),
                ))
            cursor = end
        timeline.tracks.append(out)
    for marker in composition.markers:
        timeline.tracks.markers.append(otio.schema.Marker(name=marker.label, marked_range=_range(marker.frame, 0, rate)))
    dest = Path(dest)
    otio.adapters.write_to_file(timeline, str(dest))
    return dest


def _otio_clip(clip, composition: Composition, media_path, trim_head: int, duration: int, rate: float):
    if isinstance(clip, MediaClip):
        path = media_path(clip)
        ref = otio.schema.ExternalReference(target_url=Path(path).resolve().as_uri()) if path else otio.schema.MissingReference()
        source_start = clip.source_in * rate + trim_head * clip.speed
        return otio.schema.Clip(name=clip.name or Path(str(path or "media")).name, media_reference=ref, source_range=_range(source_start, duration, rate))
    if isinstance(clip, KataClip):
        return otio.schema.Clip(name=clip.name or f"Kata recipe {clip.recipe_id}", media_reference=otio.schema.MissingReference(),
                                source_range=_range(0, duration, rate), metadata={OTIO_KEY: {"kata_recipe_id": clip.recipe_id}})
    ref = otio.schema.GeneratorReference(generator_kind=f"conext.{clip.kind}", parameters=clip.model_dump(mode="json"))
    return otio.schema.Clip(name=clip.name or clip.kind, media_reference=ref, source_range=_range(0, duration, rate))


def import_otio(source: Path) -> Composition:
    try:
        timeline = otio.adapters.read_from_file(str(source))
    except Exception as exc:  # the adapters raise many kinds
        raise BadInput(f"{source} is not an OpenTimelineIO file the studio can read ({exc}).") from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise BadInput(f"{source} holds no timeline.")
    if OTIO_KEY in timeline.metadata:
        return Composition.from_document(dict(timeline.metadata[OTIO_KEY]))
    return _structural(timeline, Path(source))


def _structural(timeline, source: Path) -> Composition:
    rate = next((c.source_range.duration.rate for c in timeline.find_clips() if c.source_range), 30.0)
    fps = (round(rate * 1000), 1000) if abs(rate - round(rate)) > 1e-6 else (round(rate), 1)
    tracks, end_frame = [], 1
    for otio_track in timeline.tracks:
        track = Track(kind="audio" if otio_track.kind == otio.schema.TrackKind.Audio else "video", name=otio_track.name)
        cursor, previous, pending = 0, None, None
        for item in otio_track:
            if isinstance(item, otio.schema.Transition):
                pending = (previous, round(item.in_offset.rescaled_to(rate).value), round(item.out_offset.rescaled_to(rate).value))
                continue
            length = round(item.duration().rescaled_to(rate).value)
            recipe_id = item.metadata.get(OTIO_KEY, {}).get("kata_recipe_id") if isinstance(item, otio.schema.Clip) else None
            if isinstance(recipe_id, int):
                previous = KataClip(name=item.name, recipe_id=recipe_id, start=cursor, duration=max(1, length))
                track.clips.append(previous)
            elif isinstance(item, otio.schema.Clip) and isinstance(item.media_reference, otio.schema.ExternalReference):
                url = item.media_reference.target_url
                path = otio.url_utils.filepath_from_url(url) if url.startswith("file:") else url
                if not Path(path).is_absolute():
                    path = str((source.parent / path).resolve())
                start, source_in = cursor, item.source_range.start_time.rescaled_to(rate).value / rate
                if pending and pending[0] is not None:
                    before, after = pending[1], pending[2]
                    start, source_in, length = cursor - before, source_in - before / rate, length + before
                    a = pending[0]
                    a.duration += after
                    track.transitions.append(Transition(a=a.id, b="", duration=before + after))
                clip = MediaClip(name=item.name, path=path, start=max(0, start), duration=max(1, length), source_in=max(0.0, source_in))
                if track.transitions and track.transitions[-1].b == "":
                    track.transitions[-1] = track.transitions[-1].model_copy(update={"b": clip.id})
                track.clips.append(clip)
                previous = clip
            pending = None
            cursor += round(item.duration().rescaled_to(rate).value)
        end_frame = max(end_frame, cursor)
        tracks.append(track)
    return Composition.from_document(Composition(name=timeline.name or source.stem, fps=fps, duration=end_frame, width=1920, height=1080, tracks=tracks).to_document())
