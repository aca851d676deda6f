"""The audio mixdown: placement, trims, speed, volume keyframes, fades, mute/solo, loudness."""

from __future__ import annotations


import numpy as np
import pytest

from studio.core.render.audio import RATE, loudness, mixdown, true_peak
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Animated, Composition, Keyframe, MediaClip, Track, Transition
from tests import media
from tests.media import tone, wav


def click_at(seconds: float, at: float, rate: int = RATE) -> np.ndarray:
    samples = np.zeros((2, int(seconds * rate)))
    samples[:, int(at * rate)] = 0.9
    return samples


def comp(*tracks, duration=90) -> Composition:
    return Composition(width=160, height=284, fps=(30, 1), duration=duration, tracks=list(tracks))


def audio_track(*clips, **kw) -> Track:
    return Track(kind="audio", clips=list(clips), **kw)


def mix(composition, **kw):
    return mixdown(composition, MediaResolver(None), target_lufs=None, **kw).samples


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def test_a_clip_lands_at_its_frame_from_its_source_in(tmp_path):
    # A 44.1 kHz source with a click at 1.5 s, trimmed to start at 1.0 s, placed at frame 30 (1 s):
    # the click sounds at 1.5 s on the timeline.
    src = wav(tmp_path / "click.wav", click_at(3.0, 1.5, 44100), 44100)
    out = mix(comp(audio_track(MediaClip(path=str(src), start=30, duration=45, source_in=1.0))))
    assert out.shape == (2, 3 * RATE) and out.dtype == np.float32
    assert abs(int(np.argmax(np.abs(out[0]))) - int(1.5 * RATE)) <= 48  # within 1 ms
    assert not out[:, : RATE - 10].any()  # silent before the clip starts


def test_speed_resamples_the_time_axis(tmp_path):
    src = wav(tmp_path / "click.wav", click_at(4.0, 2.0))
    out = mix(comp(audio_track(MediaClip(path=str(src), start=0, duration=60, speed=2.0))))
    assert abs(int(np.argmax(np.abs(out[0]))) - RATE) <= 48  # 2 s into the source at double speed: 1 s


def test_volume_keyframes_and_fades_shape_the_gain(tmp_path):
    src = wav(tmp_path / "tone.wav", tone(3.0))
    ramp = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.0), Keyframe(frame=30, value=1.0)])
    out = mix(comp(audio_track(MediaClip(path=str(src), start=0, duration=90, volume=ramp, fade_out=1.0))))
    window = RATE // 20
    level = lambda at: rms(out[0, int(at * RATE) - window // 2:int(at * RATE) + window // 2])
    full = 0.2 / np.sqrt(2)
    assert level(0.5) == pytest.approx(full * 0.5, rel=0.05)  # halfway up the keyframed ramp
    assert level(1.5) == pytest.approx(full, rel=0.03)
    assert level(2.5) == pytest.approx(full * 0.5, rel=0.05)  # halfway through the 1 s fade-out


def test_mute_solo_and_disabled_clips(tmp_path):
    src = wav(tmp_path / "tone.wav", tone(1.0))
    def track(start, **kw):
        return audio_track(MediaClip(path=str(src), start=start, duration=30), **kw)
    second = lambda out, s: rms(out[0, s * RATE:(s + 1) * RATE])

    out = mix(comp(track(0), track(30, muted=True), track(60)))
    assert second(out, 0) > 0.1 and second(out, 1) == 0 and second(out, 2) > 0.1

    out = mix(comp(track(0), track(30, solo=True), track(60)))
    assert second(out, 0) == 0 and second(out, 1) > 0.1 and second(out, 2) == 0

    off = audio_track(MediaClip(path=str(src), start=0, duration=30, enabled=False))
    assert not mix(comp(off)).any()


def test_video_clips_with_sound_are_mixed_and_crossfaded(tmp_path):
    a = media.mp4(tmp_path / "a.mp4", seconds=2.0)  # a 440 Hz tone at 0.2
    silent = media.mp4(tmp_path / "b.mp4", seconds=2.0, audio=False)
    still = media.jpeg(tmp_path / "c.jpg")
    first = MediaClip(path=str(a), start=0, duration=60)
    second = MediaClip(path=str(silent), start=45, duration=45)
    video = Track(kind="video", clips=[first, second], transitions=[Transition(a=first.id, b=second.id, duration=15)])
    overlay = Track(kind="overlay", clips=[MediaClip(path=str(still), start=0, duration=90)])
    out = mix(comp(video, overlay))
    assert rms(out[0, :RATE]) == pytest.approx(0.2 / np.sqrt(2), rel=0.05)
    at = lambda s: rms(out[0, int(s * RATE) - 480:int(s * RATE) + 480])
    assert at(1.75) == pytest.approx(0.2 / np.sqrt(2) / 2, rel=0.1)  # halfway through the crossfade out
    assert not out[:, 2 * RATE + 10:].any()


def test_loudness_is_normalised_and_true_peaks_stay_under_the_ceiling(tmp_path):
    quiet = wav(tmp_path / "quiet.wav", tone(4.0, amp=0.02))
    result = mixdown(comp(audio_track(MediaClip(path=str(quiet), start=0, duration=120)), duration=120), MediaResolver(None))
    assert result.loudness_before < -30
    assert result.loudness_after == pytest.approx(-14.0, abs=0.3)
    assert result.true_peak <= -1.0

    # Quiet speech-like noise with a few sharp spikes: reaching -14 LUFS needs the limiter.
    rng = np.random.default_rng(1)
    spiky = rng.normal(0, 0.02, (2, 4 * RATE))
    spiky[:, RATE::RATE // 3] = 0.95
    src = wav(tmp_path / "spiky.wav", spiky)
    result = mixdown(comp(audio_track(MediaClip(path=str(src), start=0, duration=120)), duration=120), MediaResolver(None))
    assert result.true_peak <= -1.0 + 1e-6
    assert 20 * np.log10(true_peak(result.samples).max()) <= -1.0 + 1e-6
    assert result.loudness_after == pytest.approx(-14.0, abs=1.0)
    assert result.loudness_after == pytest.approx(loudness(result.samples))


def test_silence_stays_silent(tmp_path):
    result = mixdown(comp(), MediaResolver(None))
    assert not result.samples.any() and result.loudness_before == float("-inf") and result.true_peak == float("-inf")
