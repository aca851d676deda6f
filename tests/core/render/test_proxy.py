"""Preview proxies: small, exact to the frame, used for previews only; Cancel leaves nothing."""

from __future__ import annotations

import threading

import av
import pytest

from studio.core.assets import importer
from studio.core.errors import BadInput, Cancelled
from studio.core.jobs import JobState
from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.media import MediaResolver
from studio.core.render.proxy import make_proxy, proxy_path
from studio.core.timeline.model import Composition, MediaClip, Track
from tests.core.render import barcode_mp4, read_barcode


def test_a_proxy_is_small_exact_and_used_for_previews_only(lib, tmp_path):
    source = barcode_mp4(tmp_path / "code.mp4", frames=40, size=(256, 96))
    report = importer.run(importer.ImportParams(str(lib.root), [str(source)]), JobState(), lib=lib)
    clip = MediaClip(asset_id=report.imported[0]["id"], start=0, duration=40, fit="contain")
    original = MediaResolver(lib).path(clip)
    state = JobState()
    proxy = make_proxy(original, lib.root / "proxies", state, side=48)
    assert proxy == proxy_path(original, lib.root / "proxies", 48) and state.progress == 1.0
    with av.open(str(proxy)) as c:
        stream = c.streams.video[0]
        assert (stream.width, stream.height) == (128, 48)
        assert all(frame.key_frame for frame in c.decode(stream))  # all-intra: every frame a seek target
    assert make_proxy(original, lib.root / "proxies", JobState(), side=48) == proxy  # made once
    portrait = make_proxy(barcode_mp4(tmp_path / "tall.mp4", frames=5, size=(96, 256)), tmp_path, JobState(), side=48)
    with av.open(str(portrait)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (48, 128)  # sized by the short side
    make_proxy(original, lib.root / "proxies", JobState())  # the default size, which previews look for
    comp = Composition(width=256, height=96, duration=40, tracks=[Track(kind="video", clips=[clip])])
    with FrameEvaluator(comp, MediaResolver(lib), backend="cpu", use_proxies=True) as preview, \
            FrameEvaluator(comp, MediaResolver(lib), backend="cpu") as final:
        assert preview._paths[clip.id].parent == lib.root / "proxies" and final._paths[clip.id] == original
        for i in (0, 17, 39, 3):
            assert read_barcode(preview.frame(i)[48]) == i == read_barcode(final.frame(i)[48])


def test_cancelling_a_proxy_leaves_nothing_behind(tmp_path):
    source = barcode_mp4(tmp_path / "code.mp4", frames=60)
    cancel = threading.Event()
    state = JobState(on_change=cancel.set, cancel_event=cancel)  # Cancel pressed at the first progress report
    with pytest.raises(Cancelled):
        make_proxy(source, tmp_path / "proxies", state)
    assert list((tmp_path / "proxies").iterdir()) == []


def test_a_file_that_is_not_a_video_gets_a_clear_error(tmp_path):
    junk = tmp_path / "notes.mp4"
    junk.write_text("not a video")
    with pytest.raises(BadInput, match="notes.mp4 cannot be opened"):
        make_proxy(junk, tmp_path / "proxies", JobState())
    assert list((tmp_path / "proxies").iterdir()) == []
