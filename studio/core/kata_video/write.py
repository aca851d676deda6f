"""Writing a tracked clip to MP4 through the render's encoder settings (H.264 High yuv420p BT.709,
the clip's own sound as AAC), under a temporary name renamed at the end: a failed or cancelled
write leaves nothing behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from studio.core.jobs import JobState
from studio.core.kata_video.frames import VideoFrames
from studio.core.render.audio import RATE, mixdown
from studio.core.render.encode import AUDIO_BITRATE, PRESETS, _Muxer, temp_beside
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, MediaClip, Track


def on_output_frames(frames: VideoFrames, composites: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """The clip's composites at its constant output rate: output frame k shows the source frame
    on screen at k / rate (a variable-frame-rate clip repeats or skips frames, as a player would)."""
    rate, count = frames.rate, output_count(frames)
    current, index = None, -1
    for k in range(count):
        wanted = frames.index_at(float(k / rate))
        while index < wanted:
            current, index = next(composites), index + 1
        yield current


def output_count(frames: VideoFrames) -> int:
    return max(1, round(frames.duration * frames.rate))


def write_mp4(frames: VideoFrames, composites: Iterator[np.ndarray], out: Path, state: JobState, preset: str = "fast") -> Path:
    """Encode the composites (one per source frame, in order) to out, with the clip's sound."""
    out = Path(out).expanduser().absolute()
    temp = temp_beside(out)
    try:
        count, rate = output_count(frames), frames.rate
        sound = Composition(name=out.stem, width=frames.size[0] + frames.size[0] % 2, height=frames.size[1] + frames.size[1] % 2,
                            fps=(rate.numerator, rate.denominator), duration=count,
                            tracks=[Track(kind="audio", clips=[MediaClip(path=str(frames.path), start=0, duration=count)])])
        samples = mixdown(sound, MediaResolver(None), target_lufs=None).samples
        with av.open(str(temp), "w", format="mp4", container_options={"movflags": "+faststart"}) as container:
            video = container.add_stream("libx264", rate=rate)
            video.width, video.height, video.pix_fmt = sound.width, sound.height, "yuv420p"
            video.time_base = 1 / rate
            video.options = {**PRESETS[preset], "profile": "high"}
            cc = video.codec_context
            cc.colorspace = cc.color_primaries = cc.color_trc = 1  # BT.709
            cc.color_range = 1
            audio = container.add_stream("aac", rate=RATE, layout="stereo")
            audio.bit_rate = AUDIO_BITRATE
            muxer = _Muxer(container, video, audio, samples, rate)
            for k, rgb in enumerate(on_output_frames(frames, composites)):
                state.check()
                if rgb.shape[:2] != (video.height, video.width):  # an odd-sized clip: H.264 needs even sides
                    rgb = np.pad(rgb, ((0, video.height - rgb.shape[0]), (0, video.width - rgb.shape[1]), (0, 0)), mode="edge")
                muxer.frame(np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]), k)
                state.set_progress(k + 1, count)
            muxer.finish()
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return out
