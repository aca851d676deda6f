"""The audio mixdown: every audio-bearing media clip, mixed to 48 kHz stereo float32 for the
composition's length, then normalised to a loudness target. `mix_range` mixes any stretch of
the timeline on its own (the viewer plays the composition a piece at a time with it).

Per clip: decode from source_in with PyAV, resample to fltp 48 kHz stereo, apply the speed
(the time axis is resampled linearly, so pitch follows speed like tape), the volume keyframes
(a gain per frame, linearly interpolated per sample), fades and transition crossfades.
Track mute and solo apply (with any solo track, only solo tracks play); disabled clips are silent;
hiding a track hides its picture, not its sound.

Loudness: integrated LUFS by ITU BS.1770 (pyloudnorm), a gain to the target, then a
look-ahead limiter on a 4x-oversampled true-peak estimate keeps peaks under the ceiling.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import av
import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

from studio.core.timeline.model import Composition, MediaClip

RATE = 48000
LOOKAHEAD = RATE // 200  # 5 ms: the limiter starts turning down this early
_BLOCK = 1 << 18  # samples per block of the true-peak estimate
PREROLL_S = 0.1  # decoded and dropped before source_in


@dataclass
class Mixdown:
    samples: np.ndarray  # (2, n) float32
    loudness_before: float  # integrated LUFS of the raw mix; -inf when silent or too short to measure
    loudness_after: float
    true_peak: float  # dBTP after limiting (4x oversampled estimate)

    @property
    def sample_rate(self) -> int:
        return RATE


def mixdown(composition: Composition, resolver, *, target_lufs: float | None = -14.0, ceiling_dbtp: float = -1.0) -> Mixdown:
    """resolver.path(clip) -> Path | None. target_lufs None: no normalisation (peaks still limited)."""
    mix = mix_range(composition, resolver)
    before = loudness(mix)
    if target_lufs is not None and np.isfinite(before):
        mix *= np.float32(10 ** ((target_lufs - before) / 20))
    mix = _limit(mix, 10 ** (ceiling_dbtp / 20))
    return Mixdown(mix, before, loudness(mix), _db(true_peak(mix).max(initial=0.0)))


def mix_range(composition: Composition, resolver, start: int = 0, count: int | None = None) -> np.ndarray:
    """The raw mix (not normalised, not limited) of timeline samples [start, start + count) at
    48 kHz as (2, count) float32; count None: to the composition's end. Past the end is silence;
    clips whose file is missing are silent (the picture shows them as offline)."""
    total = sample_at(composition, composition.duration)
    count = max(0, total - start) if count is None else count
    end = start + count
    mix = np.zeros((2, count), np.float32)
    solo = any(t.solo for t in composition.tracks)
    for track in composition.tracks:
        if track.muted or (solo and not track.solo):
            continue
        fades = _transition_fades(track)
        for clip in track.clips:
            if not isinstance(clip, MediaClip) or not clip.enabled or clip.start >= composition.duration:
                continue
            clip_start = sample_at(composition, clip.start)
            a, b = max(clip_start, start), min(sample_at(composition, clip.end), total, end)
            path = resolver.path(clip) if a < b else None
            if path is None or not path.is_file():
                continue
            into = (a - clip_start) / RATE * clip.speed  # seconds into the clip's source
            audio = _decode(path, clip.source_in + into, (b - a) / RATE * clip.speed)
            if audio is None:
                continue
            gain = _gain(composition, clip, a - clip_start, b - a, fades.get(clip.id, (0, 0)))
            mix[:, a - start:b - start] += _retime(audio, b - a, clip.speed) * gain
    return mix


def loudness(samples: np.ndarray) -> float:
    """Integrated loudness (LUFS) of (2, n) samples; -inf for silence or under 0.4 s."""
    if samples.shape[1] < int(0.4 * RATE):
        return float("-inf")
    with warnings.catch_warnings(), np.errstate(divide="ignore"):
        warnings.simplefilter("ignore")
        return float(pyloudnorm.Meter(RATE).integrated_loudness(samples.T.astype(np.float64)))


def true_peak(samples: np.ndarray) -> np.ndarray:
    """Per-sample peak over both channels and four inter-sample phases (4x oversampling)."""
    n = samples.shape[1]
    peaks = np.empty(n, np.float32)
    pad = 32  # the polyphase filter's reach, so block edges see their neighbours
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        a, b = max(0, lo - pad), min(n, hi + pad)
        up = np.abs(resample_poly(samples[:, a:b], 4, 1, axis=1)).max(axis=0)
        up = up[(lo - a) * 4:(hi - a) * 4]
        peaks[lo:hi] = np.maximum(up.reshape(-1, 4).max(axis=1), np.abs(samples[:, lo:hi]).max(axis=0))
    return peaks


def _limit(mix: np.ndarray, ceiling: float) -> np.ndarray:
    peak = true_peak(mix)
    need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-9))
    if need.min() < 1.0:
        # Reach each peak's gain LOOKAHEAD samples early, then smooth: the box average at any
        # sample only sees minima taken over windows that include it, so it never exceeds `need`.
        gain = uniform_filter1d(minimum_filter1d(need, 2 * LOOKAHEAD + 1), LOOKAHEAD + 1)
        mix = mix * gain
    over = true_peak(mix).max(initial=0.0)
    if over > ceiling:  # the gain's own ripple made new inter-sample peaks: cap them
        mix *= np.float32(ceiling / over)
    return mix


def sample_at(composition: Composition, frame: int) -> int:
    """The timeline sample (at 48 kHz) where a frame starts."""
    return round(composition.seconds(frame) * RATE)


def _decode(path, source_in: float, seconds: float) -> np.ndarray | None:
    """(2, n) float32 of the source from source_in, n = seconds at 48 kHz (silence past its end)."""
    want = max(1, round(seconds * RATE))
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        if source_in > 0:  # from a little earlier: a decoder's first frame after a seek can be garbled
            container.seek(int(max(0.0, source_in - PREROLL_S) / stream.time_base), stream=stream)
        resampler = av.AudioResampler("fltp", "stereo", RATE)
        chunks, have, skip = [], 0, None
        for frame in container.decode(stream):
            if skip is None:  # samples between the frame a seek lands on and source_in
                skip = max(0, round((source_in - (frame.time or 0.0)) * RATE))
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
                have += out.samples
            if have >= want + skip:
                break
        else:
            chunks += [out.to_ndarray() for out in resampler.resample(None)]
    audio = np.concatenate(chunks, axis=1)[:, skip or 0:] if chunks else np.zeros((2, 0), np.float32)
    if audio.shape[1] < want:
        audio = np.pad(audio, ((0, 0), (0, want - audio.shape[1])))
    return audio[:, :want]


def _retime(audio: np.ndarray, n: int, speed: float) -> np.ndarray:
    """n samples played at speed (≠ 1: the time axis linearly interpolated, as tape would)."""
    if speed == 1.0 and audio.shape[1] == n:
        return audio
    positions = np.minimum(np.arange(n) * speed, audio.shape[1] - 1)
    index = np.arange(audio.shape[1])
    return np.stack([np.interp(positions, index, ch) for ch in audio]).astype(np.float32)


def _transition_fades(track) -> dict[str, tuple[int, int]]:
    """clip id -> (frames faded in, frames faded out) from the track's transitions."""
    fades: dict[str, tuple[int, int]] = {}
    for tr in track.transitions:
        fades[tr.a] = (fades.get(tr.a, (0, 0))[0], tr.duration)
        fades[tr.b] = (tr.duration, fades.get(tr.b, (0, 0))[1])
    return fades


def _gain(composition: Composition, clip: MediaClip, offset: int, n: int, transition: tuple[int, int]) -> np.ndarray:
    """Per-sample gain for n samples from offset samples into the clip: volume keyframes (per
    frame, linear between), fades, crossfades."""
    t = (offset + np.arange(n, dtype=np.float64)) / RATE  # seconds from the clip's start
    if clip.volume.keyframes:
        frames = np.arange(clip.duration + 1)
        gain = np.interp(t * float(composition.rate), frames, [clip.volume.at(f) for f in frames])
    else:
        gain = np.full(n, float(clip.volume.value))
    length = clip.duration / float(composition.rate)
    fade_in = max(clip.fade_in, composition.seconds(transition[0]))
    fade_out = max(clip.fade_out, composition.seconds(transition[1]))
    if fade_in > 0:
        gain *= np.clip(t / fade_in, 0, 1)
    if fade_out > 0:
        gain *= np.clip((length - t) / fade_out, 0, 1)
    return gain.astype(np.float32)


def _db(amplitude: float) -> float:
    return float(20 * np.log10(amplitude)) if amplitude > 0 else float("-inf")
