"""Rendering to MP4: codecs and layout, A/V sync, cancel, refusals, a full disk."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from fractions import Fraction

import av
import numpy as np
import pytest

from studio.core.errors import BadInput, Cancelled, StudioError
from studio.core.jobs import JobState
from studio.core.render.encode import RenderParams, render
from studio.core.timeline.model import Composition, MediaClip, Track
from tests import media
from tests.media import tone, wav

SIZE = (160, 284)


def flash_mp4(path, seconds: float, flash_at: float, fps: int = 30):
    """Black video with one white frame at flash_at, and a 10 ms 1 kHz burst at the same instant."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = *SIZE, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=48000, layout="stereo")
        for i in range(round(seconds * fps)):
            level = 255 if i == round(flash_at * fps) else 0
            frame = av.VideoFrame.from_ndarray(np.full((SIZE[1], SIZE[0], 3), level, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        samples = np.zeros((2, round(seconds * 48000)), np.float32)
        at = round(flash_at * 48000)
        samples[:, at:at + 480] = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(480) / 48000)
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
    return path


def small(tracks, duration=60, name="Spot") -> dict:
    return Composition(name=name, width=SIZE[0], height=SIZE[1], fps=(30, 1), duration=duration, tracks=tracks).to_document()


def top_level_atoms(path) -> list[str]:
    names = []
    with open(path, "rb") as f:
        while header := f.read(8):
            size, name = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0] - 8
            f.seek(size - 8, 1)
            names.append(name.decode())
    return names


def test_render_writes_h264_high_and_aac_with_moov_first(tmp_path):
    clip = media.mp4(tmp_path / "in.mp4", size=(64, 48), seconds=2.0)
    out = tmp_path / "out" / "spot.mp4"
    out.parent.mkdir()
    state = JobState()
    result = render(RenderParams(None, small([Track(kind="video", clips=[MediaClip(path=str(clip), start=0, duration=60)])]), str(out)), state)

    assert result["path"] == str(out) and result["frames"] == 60 and result["bytes"] == out.stat().st_size
    assert result["loudness_lufs"] == pytest.approx(-14.0, abs=0.5) and result["true_peak_dbtp"] <= -1.0
    assert state.progress == 1.0
    assert os.listdir(out.parent) == ["spot.mp4"]  # no temporary file left behind
    atoms = top_level_atoms(out)
    assert atoms[0] == "ftyp" and atoms.index("moov") < atoms.index("mdat")  # faststart
    with av.open(str(out)) as container:
        v, a = container.streams.video[0], container.streams.audio[0]
        assert (v.codec_context.name, v.codec_context.profile, v.codec_context.pix_fmt) == ("h264", "High", "yuv420p")
        assert (v.width, v.height, v.average_rate) == (*SIZE, 30)
        assert (a.codec_context.name, a.rate, a.layout.name) == ("aac", 48000, "stereo")
        pts = [f.pts for f in container.decode(v)]
    assert len(pts) == 60 and np.all(np.diff(sorted(pts)) == np.diff(sorted(pts))[0])  # constant frame rate


def test_audio_and_video_stay_in_sync_late_in_the_timeline(tmp_path):
    # The source flashes and clicks at 3.0 s; trimmed by 1 s and placed at frame 240, both land at 10 s.
    src = flash_mp4(tmp_path / "flash.mp4", seconds=4.0, flash_at=3.0)
    bed = wav(tmp_path / "bed.wav", tone(12.0, freq=200, amp=0.01))
    doc = small([
        Track(kind="video", clips=[MediaClip(path=str(src), start=240, duration=90, source_in=1.0)]),
        Track(kind="audio", clips=[MediaClip(path=str(bed), start=0, duration=360)]),
    ], duration=360)
    out = tmp_path / "sync.mp4"
    render(RenderParams(None, doc, str(out)), JobState())

    with av.open(str(out)) as container:
        frames = [(f.time, f.to_ndarray(format="gray").mean()) for f in container.decode(video=0)]
    flash = max(frames, key=lambda f: f[1])[0]
    with av.open(str(out)) as container:
        chunks = [(f.time, f.to_ndarray()[0]) for f in container.decode(audio=0)]
    start = chunks[0][0]
    samples = np.concatenate([c for _, c in chunks])
    click = start + int(np.argmax(np.abs(samples) > 0.5 * np.abs(samples).max())) / 48000
    assert flash == pytest.approx(10.0, abs=1 / 30)
    assert abs(flash - click) <= 1 / 30, (flash, click)
    assert len(frames) == 360


def test_cancel_leaves_no_file(tmp_path):
    clip = media.mp4(tmp_path / "in.mp4", size=(64, 48), seconds=2.0)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    state = JobState(lambda: state.progress and state.progress > 0.3 and state.cancel())
    with pytest.raises(Cancelled):
        render(RenderParams(None, small([Track(kind="video", clips=[MediaClip(path=str(clip), start=0, duration=60)])]), str(out_dir / "x.mp4")), state)
    assert list(out_dir.iterdir()) == []


def test_missing_and_empty_media_are_refused_before_starting(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    doc = small([Track(kind="video", clips=[
        MediaClip(name="gone", path=str(tmp_path / "gone.mp4"), start=0, duration=30),
        MediaClip(name="empty", path=str(tmp_path / "empty.mp4"), start=30, duration=30),
    ])])
    with pytest.raises(BadInput) as err:
        render(RenderParams(None, doc, str(tmp_path / "x.mp4")), JobState())
    assert "2 media file(s)" in str(err.value) and "gone" in str(err.value) and "empty" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.mp4"]


def test_output_that_cannot_be_written_is_refused(tmp_path, read_only_dir):
    doc = small([])
    with pytest.raises(BadInput, match="Cannot write to"):
        render(RenderParams(None, doc, str(read_only_dir / "x.mp4")), JobState())
    with pytest.raises(BadInput, match="does not exist"):
        render(RenderParams(None, doc, str(tmp_path / "nope" / "x.mp4")), JobState())
    with pytest.raises(BadInput, match="is a folder"):
        render(RenderParams(None, doc, str(tmp_path)), JobState())
    assert list(read_only_dir.iterdir()) == []


def _noisy_doc(tmp_path) -> dict:
    bed = wav(tmp_path / "noise.wav", np.random.default_rng(0).normal(0, 0.2, (2, 2 * 48000)))
    return small([Track(kind="audio", clips=[MediaClip(path=str(bed), start=0, duration=60)])])


@pytest.fixture
def small_tmpfs(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_reported_and_leaves_nothing(tmp_path, small_tmpfs):
    with pytest.raises(StudioError, match="The disk is full"):
        render(RenderParams(None, _noisy_doc(tmp_path), str(small_tmpfs / "x.mp4")), JobState())
    assert list(small_tmpfs.iterdir()) == []


def test_a_file_size_limit_reads_as_a_full_disk(tmp_path):
    # A real filesystem limit (EFBIG) in a child process, for machines where tmpfs cannot be mounted.
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code = (
        "import json, resource, signal, sys\n"
        "from studio.core.errors import StudioError\nfrom studio.core.jobs import JobState\n"
        "from studio.core.render.encode import RenderParams, render\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))\n"
        "try:\n    render(RenderParams(None, json.loads(sys.argv[1]), sys.argv[2]), JobState())\n"
        "except StudioError as exc:\n    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code, json.dumps(_noisy_doc(tmp_path)), str(out_dir / "x.mp4")], capture_output=True, text=True, timeout=120)
    assert run.stdout.startswith("The disk is full"), run.stdout + run.stderr
    assert list(out_dir.iterdir()) == []
