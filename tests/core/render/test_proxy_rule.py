"""Which sources get a preview proxy (larger than 1280 px on the long side, or above 25 Mbit/s),
and the job form of make_proxy."""

from __future__ import annotations

import av
import numpy as np

from studio.core.jobs import JobRunner
from studio.core.render.proxy import ProxyParams, needs_proxy, proxy_job, proxy_path
from tests import media


def video(path, size, *, codec="libx264", pix_fmt="yuv420p", frames=5, noise=False, options=None):
    rng = np.random.default_rng(0)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], pix_fmt
        stream.options = options or {}
        fmt, shape = ("rgba", (size[1], size[0], 4)) if pix_fmt == "rgba" else ("rgb24", (size[1], size[0], 3))
        for i in range(frames):
            pixels = rng.integers(0, 256, shape, np.uint8) if noise else np.full(shape, i * 20, np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format=fmt)))
        out.mux(stream.encode(None))
    return path


def test_large_or_high_bitrate_videos_need_proxies_and_nothing_else_does(tmp_path):
    assert needs_proxy(video(tmp_path / "wide.mp4", (1296, 96)))  # long side over 1280
    assert needs_proxy(video(tmp_path / "tall.mp4", (96, 1296)))
    assert not needs_proxy(video(tmp_path / "hd-ready.mp4", (1280, 720)))
    # small but lossless noise: far over 25 Mbit/s
    assert needs_proxy(video(tmp_path / "dense.mp4", (320, 240), noise=True, frames=25, options={"qp": "0", "preset": "ultrafast"}))
    assert not needs_proxy(media.mp4(tmp_path / "small.mp4"))
    # transparency (make_proxy would refuse it), stills, sound and junk: never
    assert not needs_proxy(video(tmp_path / "alpha.mov", (1296, 96), codec="png", pix_fmt="rgba"))
    assert not needs_proxy(media.jpeg(tmp_path / "big.jpg", size=(2000, 1000)))
    assert not needs_proxy(media.wav(tmp_path / "tone.wav", media.tone(0.5)))
    (tmp_path / "junk.mp4").write_text("not a video")
    assert not needs_proxy(tmp_path / "junk.mp4")


def test_proxy_job_runs_in_a_worker_process(tmp_path):
    source = video(tmp_path / "wide.mp4", (1296, 96))
    runner = JobRunner(cpu_processes=1)
    try:
        job = runner.wait(runner.submit(proxy_job, ProxyParams(str(source), str(tmp_path / "proxies")), title="Proxy", lane="cpu"), 60)
    finally:
        runner.shutdown()
    assert job.status == "done", job.error
    assert job.result == str(proxy_path(source, tmp_path / "proxies"))
    with av.open(job.result) as c:
        assert c.streams.video[0].height == 96  # never larger than the source
