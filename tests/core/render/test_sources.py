"""Source frames are exact: the frame shown is the one the clip's timing asks for, played
in order or reached by random seeks; broken media never stops a render."""

from __future__ import annotations

import random

import av
import cv2
import numpy as np
from PIL import Image

from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.media import MediaResolver
from studio.core.render.sources import VideoSource
from studio.core.timeline.model import Composition, MediaClip, Track
from tests.core.render import barcode_mp4, read_barcode

W, H = 160, 284


def comp_of(*clips, duration=60) -> Composition:
    return Composition(width=W, height=H, duration=duration, tracks=[Track(kind="video", clips=list(clips))])


def shown(evaluator: FrameEvaluator, index: int) -> int:
    return read_barcode(evaluator.frame(index)[H // 2])


def test_frames_are_exact_in_order_and_after_random_seeks(tmp_path):
    video = barcode_mp4(tmp_path / "code.mp4", frames=90)
    clip = MediaClip(path=str(video), start=5, duration=40, source_in=0.5, speed=1.5)
    expected = {i: int((0.5 + (i - 5) / 30 * 1.5) * 30 + 1e-6) for i in range(5, 45)}  # latest source frame at or before
    with FrameEvaluator(comp_of(clip), MediaResolver(), backend="cpu") as ev:
        assert {i: shown(ev, i) for i in range(5, 45)} == expected
        assert ev._sources[clip.id].seeks == 1  # playing in order decodes forward, never seeks again
        order = list(range(5, 45)) * 2
        random.Random(7).shuffle(order)
        assert {i: shown(ev, i) for i in order} == expected
        assert ev.problems == []


def test_a_slower_frame_rate_source_is_held_and_the_last_frame_held_past_the_end(tmp_path):
    video = barcode_mp4(tmp_path / "code.mp4", frames=25, fps=25)
    clip = MediaClip(path=str(video), start=0, duration=60, source_in=0.2)
    with FrameEvaluator(comp_of(clip), MediaResolver(), backend="cpu") as ev:
        assert [shown(ev, i) for i in (0, 1, 2, 24, 50, 59)] == [5, 5, 6, 25 - 1, 24, 24]


def test_seeking_to_each_frame_of_the_decoder_directly(tmp_path):
    video = barcode_mp4(tmp_path / "code.mp4", frames=48, size=(64, 16))
    source = VideoSource(video)
    try:
        for i in random.Random(3).sample(range(48), 48):
            assert read_barcode(source.frame(i / 30, (64, 16))[8]) == i
    finally:
        source.close()


def test_frames_scaled_by_the_decoder_match_a_plain_downscale(tmp_path):
    w, h = 360, 640  # at this size threaded swscale left stray pixels at slice edges, now and then
    ys, xs = np.mgrid[0:h, 0:w]
    gradient = np.stack([xs * 255 // w, ys * 255 // h, np.full_like(xs, 128)], -1).astype(np.uint8)
    with av.open(str(tmp_path / "gradient.mp4"), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt, stream.options = w, h, "yuv420p", {"preset": "ultrafast"}
        for packet in [*stream.encode(av.VideoFrame.from_ndarray(gradient, format="rgb24")), *stream.encode()]:
            out.mux(packet)
    reference = cv2.resize(gradient, (180, 320), interpolation=cv2.INTER_AREA).astype(int)
    source = VideoSource(tmp_path / "gradient.mp4")
    try:
        worst = max(np.abs(source.frame(0.0, (180, 320))[..., :3].astype(int) - reference).max() for _ in range(100))
    finally:
        source.close()
    assert worst <= 12  # the yuv420p round trip, nothing more


def test_images_are_shown_upright_from_exif(tmp_path):
    pixels = np.zeros((40, 80, 3), np.uint8)
    pixels[:, :40] = (255, 0, 0)  # stored landscape: red left half, blue right half
    pixels[:, 40:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90° clockwise: red on top
    Image.fromarray(pixels).save(tmp_path / "phone.jpg", exif=exif, quality=95)
    clip = MediaClip(path=str(tmp_path / "phone.jpg"), start=0, duration=10, fit="cover")
    with FrameEvaluator(comp_of(clip), MediaResolver(), backend="cpu") as ev:
        frame = ev.frame(0)
    assert frame[10, W // 2, 0] > 200 and frame[10, W // 2, 2] < 50
    assert frame[H - 10, W // 2, 2] > 200 and frame[H - 10, W // 2, 0] < 50


def test_a_corrupt_video_mid_timeline_shows_the_slate_and_is_reported(tmp_path):
    good = barcode_mp4(tmp_path / "good.mp4", frames=90)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(good.read_bytes()[:4000] + bytes(random.Random(1).randbytes(20000)))
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(random.Random(2).randbytes(30000))
    clips = [MediaClip(path=str(good), start=0, duration=10), MediaClip(name="broken", path=str(broken), start=10, duration=10),
             MediaClip(name="garbage", path=str(garbage), start=20, duration=10), MediaClip(path=str(good), start=30, duration=10, source_in=1.0)]
    with FrameEvaluator(comp_of(*clips, duration=40), MediaResolver(), backend="cpu") as ev:
        frames = [ev.frame(i) for i in range(40)]
        assert ev.offline == []  # the files are there; they just do not decode
        assert [read_barcode(frames[i][H // 2]) for i in (0, 9, 30, 39)] == [0, 9, 30, 39]
        for i in (15, 25):
            assert tuple(frames[i][5, 5]) == (90, 14, 20, 255)  # the dark red slate
        assert any("broken.mp4" in p for p in ev.problems) and any("garbage.mp4" in p for p in ev.problems)


def test_following_an_edit_keeps_the_open_decoder(tmp_path):
    video = barcode_mp4(tmp_path / "code.mp4", frames=60)
    clip = MediaClip(path=str(video), start=0, duration=60)
    with FrameEvaluator(comp_of(clip), MediaResolver(), backend="cpu") as ev:
        assert shown(ev, 10) == 10
        decoder = ev._sources[clip.id]
        edited = comp_of(clip.model_copy(update={"source_in": 1.0}))
        ev.set_composition(edited)
        assert shown(ev, 10) == 40 and ev._sources[clip.id] is decoder
        ev.set_composition(comp_of(clip.model_copy(update={"path": str(barcode_mp4(tmp_path / "other.mp4", frames=20))})))
        assert shown(ev, 10) == 10 and ev._sources[clip.id] is not decoder
