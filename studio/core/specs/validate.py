"""Check a file's facts and a set of copy against one spec.

A finding says what is wrong, how to fix it and how much it matters: an error blocks the
export, a warning informs. Breaking a value the sources disagree on (the spec's
`unconfirmed`) is only ever a warning, and says why the value is uncertain.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from studio.core.specs.model import Ratio, Spec
from studio.core.specs.probe import FileFacts
from studio.core.specs.text import char_count


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" | "warning"
    code: str  # stable id: "ratio", "min_size", "duration", …
    message: str
    hint: str
    field: str | None = None  # the copy field, for text findings

    def as_dict(self) -> dict:
        return asdict(self)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


class _Report:
    def __init__(self, spec: Spec):
        self.spec, self.findings = spec, []

    def add(self, constraint: str, code: str, message: str, hint: str, *, severity: str = "error", field: str | None = None) -> None:
        doubt = self.spec.unconfirmed.get(constraint)
        if doubt:
            severity, message = "warning", f"{message} (unconfirmed: {doubt})"
        self.findings.append(Finding(severity, code, message, hint, field))


def check_file(facts: FileFacts, spec: Spec) -> list[Finding]:
    r = _Report(spec)
    name = Path(facts.path).name
    if spec.media == "text":
        r.add("media", "media", f"{spec.name} takes copy only, not files.", "Check the copy instead (studio spec check --copy).")
        return r.findings
    if facts.kind != spec.media:
        r.add("media", "media", f"{spec.name} takes a {spec.media}; {name} is a {facts.kind}.",
              f"Choose a {spec.media} for this placement, or a placement that takes {facts.kind}s.")
        return r.findings
    _file(r, facts, name)
    _shape(r, facts)
    if facts.kind == "video":
        _timing(r, facts)
        _encoding(r, facts)
        _audio(r, facts)
    return r.findings


def _mb(n: int) -> str:
    return f"{n / 1_048_576:,.1f} MB" if n >= 1_048_576 else f"{n / 1024:,.0f} KB"


def _file(r: _Report, facts: FileFacts, name: str) -> None:
    s = r.spec
    if s.file_types and facts.file_type not in s.file_types:
        r.add("file_types", "file_type", f"{name} is .{facts.file_type}; {s.name} takes {', '.join('.' + t for t in s.file_types)}.",
              f"Export it as .{s.file_types[0]}.")
    if s.max_file_bytes and facts.bytes > s.max_file_bytes:
        r.add("max_file_bytes", "file_size", f"{name} is {_mb(facts.bytes)}; the limit is {_mb(s.max_file_bytes)}.",
              "Lower the quality or bitrate (the export meets the limit by itself), or shorten it.")
    if s.min_file_bytes and facts.bytes < s.min_file_bytes:
        r.add("min_file_bytes", "file_size", f"{name} is {_mb(facts.bytes)}; {s.name} needs at least {_mb(s.min_file_bytes)}.",
              "Export at a higher quality.")


def matching_ratio(spec: Spec, width: int, height: int) -> Ratio | None:
    """The spec's shape this size is, within the spec's tolerance (the closest if several)."""
    value = width / height
    near = [(abs(value / r.value - 1), r) for r in spec.ratios if abs(value / r.value - 1) <= spec.ratio_tolerance]
    return min(near, key=lambda pair: pair[0])[1] if near else None


def ratio_accepted(spec: Spec, width: int, height: int) -> bool:
    if matching_ratio(spec, width, height) is not None:
        return True
    if spec.ratio_range:
        lo, hi = spec.ratio_range
        value = width / height
        return lo * (1 - spec.ratio_tolerance) <= value <= hi * (1 + spec.ratio_tolerance)
    return not spec.ratios


def _shape(r: _Report, facts: FileFacts) -> None:
    s, w, h = r.spec, facts.width, facts.height
    if not ratio_accepted(s, w, h):
        shapes = ", ".join(x.name for x in s.ratios) or f"{s.ratio_range[0]:.2f} to {s.ratio_range[1]:.2f} (width ÷ height)"
        r.add("ratios" if s.ratios else "ratio_range", "ratio", f"{w}×{h} (ratio {w / h:.3f}) is not a shape {s.name} takes: {shapes}.",
              "Add a variant in that shape (Creative ▸ Layout) or let the export reframe it.")
        return
    match = matching_ratio(s, w, h)
    if match is not None:
        if match.min_size and (w < match.min_size[0] or h < match.min_size[1]):
            r.add(f"ratios.{match.name}.min_size" if f"ratios.{match.name}.min_size" in s.unconfirmed else "ratios.min_size", "min_size", f"{w}×{h} is smaller than the {match.name} minimum of {match.min_size[0]}×{match.min_size[1]}.",
                  "Use a larger source; upscaling a small image only blurs it.")
        elif match.recommended and (w < match.recommended[0] or h < match.recommended[1]):
            r.findings.append(Finding("warning", "recommended_size", f"{w}×{h} is below the recommended {match.recommended[0]}×{match.recommended[1]} for {match.name}.",
                                      "Render at the recommended size for the sharpest result."))
        if match.max_size and (w > match.max_size[0] or h > match.max_size[1]):
            r.add("ratios", "max_size", f"{w}×{h} is larger than the {match.name} maximum of {match.max_size[0]}×{match.max_size[1]}.",
                  f"Scale it down to {match.max_size[0]}×{match.max_size[1]} or less.")
    if s.min_side and min(w, h) < s.min_side:
        r.add("min_side", "min_size", f"{w}×{h}: each side must be at least {s.min_side} px.", "Use a larger source.")
    if s.max_side and max(w, h) > s.max_side:
        r.add("max_side", "max_size", f"{w}×{h}: no side may exceed {s.max_side} px.", f"Scale it so the long side is {s.max_side} px.")


def _timing(r: _Report, facts: FileFacts) -> None:
    s = r.spec
    if s.duration_s and facts.duration_s is not None:
        lo, hi = s.duration_s
        if facts.duration_s > hi + 0.05:
            r.add("duration_s", "duration", f"It runs {facts.duration_s:.2f} s; {s.name} allows at most {hi:g} s.",
                  f"Cut it to {hi:g} s or less, or choose a placement for longer videos.")
        elif facts.duration_s < lo - 0.05:
            r.add("duration_s", "duration", f"It runs {facts.duration_s:.2f} s; {s.name} needs at least {lo:g} s.",
                  f"Make it at least {lo:g} s long.")
    if s.fps and facts.fps is not None and not s.fps[0] - 0.01 <= facts.fps <= s.fps[1] + 0.01:
        r.add("fps", "fps", f"{facts.fps:g} fps is outside {s.fps[0]:g}–{s.fps[1]:g} fps.",
              f"Render at a frame rate between {s.fps[0]:g} and {s.fps[1]:g} fps (composition settings).")
    if s.constant_fps and facts.constant_fps is False:
        r.add("constant_fps", "variable_fps", "The frame rate varies (frames are not evenly spaced).",
              "Re-encode at a constant frame rate; the export does this.")


def _encoding(r: _Report, facts: FileFacts) -> None:
    s = r.spec
    if s.video_codecs and facts.video_codec not in s.video_codecs:
        r.add("video_codecs", "video_codec", f"The video is {facts.video_codec}; {s.name} takes {', '.join(s.video_codecs)}.",
              "Re-encode as H.264; the export does this.")
    if s.profiles and facts.profile not in s.profiles:
        r.add("profiles", "profile", f"The H.264 profile is {facts.profile or 'unknown'}; {s.name} asks for {', '.join(s.profiles)}.",
              "Re-encode with the High profile; the export does this.")
    if s.pixel_formats and facts.pixel_format not in s.pixel_formats:
        r.add("pixel_formats", "pixel_format", f"The pixel format is {facts.pixel_format}; {s.name} asks for {', '.join(s.pixel_formats)}.",
              "Re-encode as yuv420p (4:2:0); the export does this.")
    if s.bitrate and facts.video_bitrate is not None:
        lo, hi = s.bitrate
        if lo and facts.video_bitrate < lo:
            r.add("bitrate", "bitrate", f"The video bitrate is {facts.video_bitrate / 1000:,.0f} kb/s; {s.name} needs at least {lo / 1000:,.0f} kb/s.",
                  "Export at a higher quality.")
        if hi and facts.video_bitrate > hi:
            r.add("bitrate", "bitrate", f"The video bitrate is {facts.video_bitrate / 1000:,.0f} kb/s; {s.name} allows {hi / 1000:,.0f} kb/s.",
                  "Re-encode with a bitrate cap; the export does this.")
    if s.moov_at_front and facts.moov_at_front is False:
        r.add("moov_at_front", "moov", "The MP4 index (moov atom) is at the end of the file, so playback waits for the whole upload.",
              "Re-encode with faststart; the export does this.")
    if s.loudness_lufs and facts.loudness_lufs is not None:
        lo, hi = s.loudness_lufs
        if not lo <= facts.loudness_lufs <= hi:
            r.add("loudness_lufs", "loudness", f"The sound is at {facts.loudness_lufs:.1f} LUFS; aim for {lo:g} to {hi:g} LUFS.",
                  "The export normalises the mix to -14 LUFS.", severity="warning")


def _audio(r: _Report, facts: FileFacts) -> None:
    a = r.spec.audio
    if a is None:
        return
    if facts.audio_codec is None:
        if a.required:
            r.add("audio", "no_audio", f"{r.spec.name} needs a sound track; this video is silent.",
                  "Add music or a silent track: the export always writes an audio track.")
        return
    if a.codecs and facts.audio_codec not in a.codecs:
        r.add("audio", "audio_codec", f"The audio is {facts.audio_codec}; {r.spec.name} takes {', '.join(a.codecs)}.",
              "Re-encode the audio as AAC; the export does this.")
    if a.sample_rates and facts.audio_rate not in a.sample_rates:
        r.add("audio", "audio_rate", f"The audio is sampled at {facts.audio_rate} Hz; {r.spec.name} takes {', '.join(map(str, a.sample_rates))} Hz.",
              "Re-encode at 48 kHz; the export does this.")
    if a.max_sample_rate and facts.audio_rate and facts.audio_rate > a.max_sample_rate:
        r.add("audio", "audio_rate", f"The audio is sampled at {facts.audio_rate} Hz; {r.spec.name} takes less than {a.max_sample_rate + 1} Hz.",
              "Re-encode at 48 kHz; the export does this.")
    if a.min_channels and (facts.audio_channels or 0) < a.min_channels:
        r.add("audio", "audio_channels", f"The audio has {facts.audio_channels} channel(s); {r.spec.name} asks for {a.min_channels}.",
              "Re-encode in stereo; the export does this.")
    if a.min_bitrate and facts.audio_bitrate and facts.audio_bitrate < a.min_bitrate * 0.95:
        r.add("audio", "audio_bitrate", f"The audio bitrate is {facts.audio_bitrate // 1000} kb/s; {r.spec.name} asks for {a.min_bitrate // 1000} kb/s or more.",
              f"Re-encode the audio at {a.min_bitrate // 1000} kb/s or more; the export uses 192 kb/s.")


def check_copy(copy: dict[str, list[str]], spec: Spec) -> list[Finding]:
    """Copy (field name -> its texts) against the spec's text fields; fields the spec lacks are not its concern."""
    r = _Report(spec)
    for tf in spec.text_fields:
        texts = [t for t in copy.get(tf.name, []) if t.strip()]
        key = f"text_fields.{tf.name}"
        if len(texts) < tf.min_count:
            r.add("text_fields", "copy_count", f"{spec.name} needs at least {tf.min_count} {tf.label.lower()}(s); there are {len(texts)}.",
                  f"Write {tf.min_count - len(texts)} more.", field=tf.name)
        if len(texts) > tf.max_count:
            r.findings.append(Finding("warning", "copy_count", f"{spec.name} takes at most {tf.max_count} {tf.label.lower()}(s); "
                                      f"there are {len(texts)}, so the first {tf.max_count} are used.",
                                      f"Order them by importance, or write {tf.label.lower()}s for {spec.platform} alone.", tf.name))
        for i, text in enumerate(texts[:tf.max_count], 1):
            n = char_count(text, tf.wide_counts_double)
            where = f"{tf.label} {i}" if tf.max_count > 1 else tf.label
            wide = " (wide characters count as two)" if tf.wide_counts_double and n != len(text) else ""
            if tf.max_chars and n > tf.max_chars:
                r.add(key, "copy_length", f"{where} is {n} characters{wide}; the limit is {tf.max_chars}: “{text}”.",
                      f"Shorten it by {n - tf.max_chars} characters.", field=tf.name)
            elif tf.truncates_at and n > tf.truncates_at:
                r.findings.append(Finding("warning", "copy_truncated", f"{where} is {n} characters; {spec.name} shows the first {tf.truncates_at}: “{text[:tf.truncates_at]}…”.",
                                          "Put what matters first, or shorten it.", tf.name))
            if tf.min_chars and n < tf.min_chars:
                r.add(key, "copy_length", f"{where} is {n} characters; {spec.name} needs at least {tf.min_chars}.",
                      f"Lengthen it by {tf.min_chars - n} characters.", field=tf.name)
    return r.findings
