"""A placement's rules in plain words, as HTML for the spec browser: every rule with the
source it comes from and the date it was checked, and unconfirmed values flagged with why."""

from __future__ import annotations

import re
from fractions import Fraction
from html import escape
from urllib.parse import urlparse

from studio.core.specs.model import Source, Spec, TextField

CODECS = {"h264": "H.264", "hevc": "HEVC (H.265)", "vp8": "VP8", "vp9": "VP9", "aac": "AAC", "mp3": "MP3", "opus": "Opus"}
KINDS = {"official": "official", "official-mirror": "official (mirror)", "third-party": "third party"}
ORIGINS = {"shipped": "shipped with the studio", "library": "added in this library", "library override": "overridden in this library"}


def _size(size) -> str:
    return f"{size[0]}×{size[1]} px"


def _bytes(n: int) -> str:
    return f"{n / 1_073_741_824:g} GB" if n >= 1_073_741_824 else f"{n / 1_048_576:g} MB" if n >= 1_048_576 else f"{n / 1024:g} KB"


def _bits(n: int) -> str:
    return f"{n / 1_000_000:g} Mbps" if n >= 1_000_000 else f"{n / 1000:g} kbps"


def _range(lo, hi, fmt) -> str:
    if lo is None:
        return f"at most {fmt(hi)}"
    if hi is None:
        return f"at least {fmt(lo)}"
    return f"exactly {fmt(lo)}" if lo == hi else f"{fmt(lo)} to {fmt(hi)}"


def _shape(value: float) -> str:
    f = Fraction(value).limit_denominator(20)
    return f"{f.numerator}:{f.denominator}"


def _words(items, names=None, last="or") -> str:
    items = [(names or {}).get(i, i) for i in items]
    return ", ".join(items[:-1]) + f" {last} {items[-1]}" if len(items) > 1 else "".join(items)


def _text_field(tf: TextField) -> str:
    chars = _range(tf.min_chars, tf.max_chars, lambda n: f"{n} characters") if tf.max_chars or tf.min_chars else "any length"
    count = ("one, required" if tf.min_count else "one, optional") if tf.max_count == 1 else f"{tf.min_count} to {tf.max_count} of them"
    parts = [chars, count]
    if tf.truncates_at:
        parts.append(f"shows the first {tf.truncates_at} in view")
    if tf.wide_counts_double:
        parts.append("East Asian wide characters count as two")
    return "; ".join(parts)


def _audio(spec: Spec) -> str:
    a = spec.audio
    parts = ["required" if a.required else "optional"]
    if a.codecs:
        parts.append(_words(a.codecs, CODECS))
    if a.sample_rates:
        parts.append(_words([f"{r / 1000:g} kHz" for r in a.sample_rates]))
    if a.max_sample_rate:
        parts.append(f"at most {a.max_sample_rate / 1000:g} kHz")
    if a.min_channels:
        parts.append(f"at least {a.min_channels} channel{'s' * (a.min_channels > 1)}")
    if a.min_bitrate:
        parts.append(f"at least {_bits(a.min_bitrate)}")
    return "; ".join(parts)


def _safe_zone(spec: Spec) -> str:
    z = spec.safe_zone
    edges = [f"{name} {getattr(z, name) * 100:g} %" for name in ("top", "bottom", "left", "right") if getattr(z, name)]
    return f"keep text and logos out of the {_words(edges, last='and')} of the frame (the platform's buttons and captions sit there)"


def rules(spec: Spec) -> list[tuple[str, str, str, list[str]]]:
    """(constraint, rule, plain words, the `unconfirmed` keys that concern it) for every rule the entry states."""
    stated, out = set(spec.constraints_set()), []

    def add(constraint, label, words, keys=()):
        if constraint in stated:
            out.append((constraint, label, words, [constraint, *keys]))

    for r in spec.ratios:
        sizes = [f"{word} {_size(s)}" for word, s in (("at least", r.min_size), ("recommended", r.recommended), ("at most", r.max_size)) if s]
        add("ratios", f"Shape {r.name}", ", ".join(sizes) or "any size", ["ratios.min_size", f"ratios.{r.name}.min_size"])
    if spec.ratio_range:
        add("ratio_range", "Shapes", f"any shape from {_shape(spec.ratio_range[0])} to {_shape(spec.ratio_range[1])} (width to height)")
    add("ratio_tolerance", "Shape tolerance", f"within {spec.ratio_tolerance * 100:g} % of the shape")
    add("file_types", "File types", _words([f".{t}" for t in spec.file_types]))
    if spec.max_file_bytes:
        add("max_file_bytes", "Largest file", _bytes(spec.max_file_bytes))
    if spec.min_file_bytes:
        add("min_file_bytes", "Smallest file", _bytes(spec.min_file_bytes))
    if spec.duration_s:
        add("duration_s", "Length", _range(*spec.duration_s, lambda s: f"{s:g} s"))
    if spec.fps:
        add("fps", "Frame rate", _range(*spec.fps, lambda f: f"{f:g} fps"))
    add("constant_fps", "Constant frame rate", "required (no variable frame rate)")
    add("video_codecs", "Video codec", _words(spec.video_codecs, CODECS))
    add("profiles", "Codec profile", _words(spec.profiles))
    add("pixel_formats", "Pixel format", _words(spec.pixel_formats))
    if spec.bitrate:
        add("bitrate", "Video bitrate", _range(*spec.bitrate, _bits))
    if spec.audio:
        add("audio", "Audio", _audio(spec))
    add("moov_at_front", "Fast start", "the file's index (moov atom) comes first, so it plays before it has fully downloaded")
    if spec.loudness_lufs:
        add("loudness_lufs", "Loudness", _range(*spec.loudness_lufs, lambda v: f"{v:g} LUFS") + " integrated")
    if spec.min_side:
        add("min_side", "Smallest side", f"every side at least {spec.min_side} px")
    if spec.max_side:
        add("max_side", "Largest side", f"no side over {spec.max_side} px")
    if spec.safe_zone:
        add("safe_zone", "Safe zone", _safe_zone(spec))
    for tf in spec.text_fields:
        add("text_fields", tf.label, _text_field(tf), [f"text_fields.{tf.name}"])
    return out


def source_link(source: Source | None, colors) -> str:
    if source is None:
        return f"<span style='color:{colors.danger}'>no source</span>"
    found = re.search(r"https?://[^\s;,)]+", source.url)
    url = found.group(0) if found else source.url
    host = urlparse(url).netloc or source.url
    link = f"<a href='{escape(url, quote=True)}'>{escape(host)}</a>" if found else escape(source.url)
    return f"{link}<br><span style='color:{colors.muted}'>{KINDS[source.kind]}, checked {escape(source.checked)}</span>"


def spec_html(spec: Spec, origin: str, colors) -> str:
    head = (f"<h2 style='margin-bottom:2px'>{escape(spec.name)}</h2>"
            f"<p style='color:{colors.muted}; margin-top:0'>{escape(spec.id)} · {spec.media} · {ORIGINS.get(origin, origin)}</p>")
    if spec.notes:
        head += f"<p>{escape(spec.notes)}</p>"
    rows = []
    for constraint, label, words, keys in rules(spec):
        doubts = [spec.unconfirmed[k] for k in dict.fromkeys(keys) if k in spec.unconfirmed]
        flags = "".join(f"<br><span style='color:{colors.warning}'>⚠ Unconfirmed: {escape(why)}</span>" for why in doubts)
        rows.append(f"<tr><td style='padding:6px 12px 6px 0' valign='top'><b>{escape(label)}</b></td>"
                    f"<td style='padding:6px 12px 6px 0' valign='top'>{escape(words)}{flags}</td>"
                    f"<td style='padding:6px 0' valign='top'>{source_link(spec.source_for(constraint), colors)}</td></tr>")
    table = (f"<table width='100%' cellspacing='0'><tr><th align='left' width='22%'>Rule</th><th align='left' width='48%'>Value</th>"
             f"<th align='left' width='30%'>Source</th></tr>"
             f"{''.join(rows)}</table>") if rows else "<p>This entry states no rules.</p>"
    sources = "".join(
        f"<li>{source_link(s, colors)}{f' · published {escape(s.published)}' if s.published else ''}"
        f"<br><span style='color:{colors.muted}'>backs {escape(', '.join(s.fields))}</span></li>" for s in spec.sources)
    doubt_note = (f"<p style='color:{colors.muted}'>Unconfirmed values are ones the sources disagree on: breaking one is a warning, "
                  "never an error.</p>") if spec.unconfirmed else ""
    return head + table + doubt_note + (f"<h3>Sources</h3><ul>{sources}</ul>" if sources else "")
