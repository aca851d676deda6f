"""mix_range: any stretch of the timeline mixed on its own, sample-exact, as the viewer plays it."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.render.audio import RATE, mix_range
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Animated, Composition, Keyframe, MediaClip, Track
from tests import media
from tests.media import tone, wav


def comp(*clips, duration=90, **track) -> Composition:
    return Composition(width=160, height=284, fps=(30, 1), duration=duration, tracks=[Track(kind="audio", clips=list(clips), **track)])


def onset(samples: np.ndarray) -> int:
    """The first sample that sounds."""
    return int(np.flatnonzero(np.abs(samples[0]) > 1e-3)[0])


def test_a_tone_at_a_known_time_lands_at_its_sample_offset_in_the_range(tmp_path):
    # A 0.5 s tone from timeline frame 45 (1.5 s): mixing from 1.2 s, it starts 0.3 s in.
    src = wav(tmp_path / "tone.wav", tone(0.5))
    composition = comp(MediaClip(path=str(src), start=45, duration=15))
    out = mix_range(composition, MediaResolver(None), int(1.2 * RATE), RATE)
    assert out.shape == (2, RATE) and out.dtype == np.float32
    assert abs(onset(out) - int(0.3 * RATE)) <= 2
    assert not out[:, int(0.8 * RATE) + 2:].any()  # and stops 0.5 s later
    # the same samples as the whole mix holds there
    whole = mix_range(composition, MediaResolver(None))
    np.testing.assert_allclose(out, whole[:, int(1.2 * RATE):int(2.2 * RATE)], atol=1e-6)


@pytest.mark.parametrize("speed", [1.0, 1.5])
def test_chunks_join_into_the_whole_mix(tmp_path, speed):
    # A video's AAC sound, trimmed, sped up or not, under a keyframed volume ramp and a fade:
    # mixed a quarter second at a time, the pieces join without a seam.
    src = media.mp4(tmp_path / "spot.mp4", seconds=4.0)
    ramp = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.0), Keyframe(frame=30, value=1.0)])
    composition = comp(MediaClip(path=str(src), start=10, duration=70, source_in=0.5, speed=speed, volume=ramp, fade_out=0.5))
    resolver = MediaResolver(None)
    whole = mix_range(composition, resolver)
    step = RATE // 4
    pieces = np.concatenate([mix_range(composition, resolver, s, step) for s in range(0, whole.shape[1], step)], axis=1)
    assert np.abs(whole).max() > 0.1
    np.testing.assert_allclose(pieces[:, :whole.shape[1]], whole, atol=1e-5)


def test_mute_and_volume_apply_and_past_the_end_is_silence(tmp_path):
    src = wav(tmp_path / "tone.wav", tone(3.0))
    loud = mix_range(comp(MediaClip(path=str(src), start=0, duration=90)), MediaResolver(None), RATE, RATE)
    half = mix_range(comp(MediaClip(path=str(src), start=0, duration=90, volume=Animated(value=0.5))), MediaResolver(None), RATE, RATE)
    np.testing.assert_allclose(half, loud * 0.5, atol=1e-6)
    assert not mix_range(comp(MediaClip(path=str(src), start=0, duration=90), muted=True), MediaResolver(None), RATE, RATE).any()
    past = mix_range(comp(MediaClip(path=str(src), start=0, duration=90)), MediaResolver(None), 3 * RATE - 100, 1000)
    assert past.shape == (2, 1000) and past[:, :100].any() and not past[:, 100:].any()


def test_a_missing_file_is_silent_while_the_rest_plays(tmp_path):
    # (the viewer shows it offline; renders refuse it before mixing: see test_encode)
    src = wav(tmp_path / "tone.wav", tone(1.0))
    gone = MediaClip(path=str(tmp_path / "gone.wav"), start=0, duration=30)
    out = mix_range(comp(gone, MediaClip(path=str(src), start=30, duration=30)), MediaResolver(None), 0, 2 * RATE)
    assert not out[:, :RATE].any() and out[:, RATE + 10:].any()
