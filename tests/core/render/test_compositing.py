"""Compositing: fit, transform keyframes, crop, opacity, transitions, what draws nothing,
preview scale, and the numpy and torch backends agreeing."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image

from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import (
    Animated, Composition, Keyframe, MediaClip, ShapeClip, Stroke, TextClip, Track, Transform, Transition, const,
)
from tests.core.render import barcode_mp4

W, H = 160, 284
RED, BLUE = (255, 0, 0), (0, 0, 255)


def solid(path, colour, size=(200, 100)):
    Image.new("RGB", size, colour).save(path)
    return str(path)


def render(*tracks, index=0, duration=30, background="#000000", **kwargs) -> np.ndarray:
    comp = Composition(width=W, height=H, duration=duration, background=background, tracks=list(tracks))
    with FrameEvaluator(comp, MediaResolver(), backend=kwargs.pop("backend", "cpu"), **kwargs) as ev:
        return ev.frame(index)


def near(pixel, colour, tol=6) -> bool:
    return all(abs(int(p) - c) <= tol for p, c in zip(pixel, colour))


def test_contain_cover_and_none_fit(tmp_path):
    image = solid(tmp_path / "red.png", RED)  # 2:1 into a tall canvas
    contain = render(Track(kind="overlay", clips=[MediaClip(path=image, start=0, duration=5, fit="contain")]))
    assert near(contain[H // 2, 0], RED) and near(contain[H // 2 - 39, W // 2], RED)  # 160 × 80, centred
    assert near(contain[H // 2 - 41, W // 2], (0, 0, 0)) and near(contain[H // 2 + 41, W // 2], (0, 0, 0))
    cover = render(Track(kind="overlay", clips=[MediaClip(path=image, start=0, duration=5, fit="cover")]))
    assert near(cover[0, 0], RED) and near(cover[H - 1, W - 1], RED)
    none = render(Track(kind="overlay", clips=[MediaClip(path=solid(tmp_path / "small.png", RED, (40, 20)), start=0, duration=5, fit="none")]))
    assert near(none[H // 2, W // 2 - 19], RED) and near(none[H // 2, W // 2 - 21], (0, 0, 0))


def moving_box(**transform) -> Track:
    return Track(kind="overlay", clips=[ShapeClip(start=0, duration=30, size=(0.25, 0.1), fill="#FFFFFF", transform=Transform(**transform))])


def keys(*pairs) -> Animated:
    return Animated(value=pairs[0][1], keyframes=[Keyframe(frame=f, value=v) for f, v in pairs])


def test_keyframed_position_scale_and_opacity_land_where_expected():
    track = moving_box(position=keys((0, (0.25, 0.5)), (10, (0.75, 0.5))))
    start, middle = render(track, index=0), render(track, index=5)
    assert near(start[H // 2, 40], (255, 255, 255)) and near(start[H // 2, 80], (0, 0, 0))  # centred at x = 40 px
    assert near(middle[H // 2, 80], (255, 255, 255)) and near(middle[H // 2, 40], (0, 0, 0))  # half way: x = 80 px
    grown = render(moving_box(scale=keys((0, 1.0), (10, 2.0))), index=10)  # 40 px wide → 80 px
    assert near(grown[H // 2, 80 - 38], (255, 255, 255)) and near(grown[H // 2, 80 - 42], (0, 0, 0))
    faded = render(moving_box(opacity=keys((0, 0.0), (10, 1.0))), index=5)
    assert near(faded[H // 2, 80], (128, 128, 128), tol=3)


def test_rotation_is_clockwise_about_the_centre_and_crop_cuts_without_moving():
    turned = render(moving_box(rotation=const(90.0)))  # 40 × 28 becomes 28 × 40
    assert near(turned[H // 2 + 18, 80], (255, 255, 255)) and near(turned[H // 2, 80 + 18], (0, 0, 0))
    cropped = render(moving_box(crop=(0.5, 0.0, 0.0, 0.0)))
    assert near(cropped[H // 2, 70], (0, 0, 0)) and near(cropped[H // 2, 90], (255, 255, 255))


def two_clips(tmp_path, kind, duration=11, **extra) -> Track:
    a = MediaClip(path=solid(tmp_path / "a.png", RED), start=0, duration=20, fit="cover")
    b = MediaClip(path=solid(tmp_path / "b.png", BLUE), start=20 - duration, duration=20, fit="cover")
    return Track(kind="video", clips=[a, b], transitions=[Transition(a=a.id, b=b.id, kind=kind, duration=duration, **extra)])


def test_transitions_at_their_midpoint(tmp_path):
    mid = 9 + 5  # b starts at 9; frame 5 of 11 is the exact middle
    crossfade = render(two_clips(tmp_path, "crossfade"), index=mid)
    assert near(crossfade[H // 2, W // 2], (128, 0, 128), tol=2)
    assert near(render(two_clips(tmp_path, "crossfade"), index=9)[0, 0], (243, 0, 12), tol=2)  # 1/22 of the way
    dip = render(two_clips(tmp_path, "dip", colour="#FFFFFF"), index=mid)
    assert near(dip[H // 2, W // 2], (255, 255, 255), tol=2)
    wipe = render(two_clips(tmp_path, "wipe", direction="left"), index=mid)
    assert near(wipe[H // 2, 10], RED) and near(wipe[H // 2, W - 10], BLUE)
    slide = render(two_clips(tmp_path, "slide", direction="up"), index=mid)
    assert near(slide[10, W // 2], RED) and near(slide[H - 10, W // 2], BLUE)
    assert near(render(two_clips(tmp_path, "crossfade"), index=20)[0, 0], BLUE)  # after the overlap: b alone


def test_audio_hidden_tracks_and_disabled_clips_draw_nothing(tmp_path):
    image = solid(tmp_path / "red.png", RED)
    frame = render(
        Track(kind="audio", clips=[MediaClip(path=image, start=0, duration=5, fit="cover")]),
        Track(kind="overlay", hidden=True, clips=[MediaClip(path=image, start=0, duration=5, fit="cover")]),
        Track(kind="overlay", clips=[MediaClip(path=image, start=0, duration=5, fit="cover", enabled=False)]),
        Track(kind="overlay", clips=[MediaClip(path=image, start=10, duration=5, fit="cover")]),
    )
    assert frame.max(axis=(0, 1)).tolist() == [0, 0, 0, 255]


def test_opaque_layers_between_whole_pixels_blend_their_edges(tmp_path):
    image = solid(tmp_path / "red.png", RED)
    odd = Transform(scale=const(0.613), position=const((0.4321, 0.5555)), rotation=const(0.0))
    frame = render(Track(kind="overlay", clips=[MediaClip(path=image, start=0, duration=5, transform=odd)]), background="#FFFFFF")
    assert frame[..., 3].min() == 255
    assert near(frame[H // 2, 60], RED) and near(frame[5, 5], (255, 255, 255))


def test_a_transparent_background_gives_straight_alpha(tmp_path):
    frame = render(moving_box(opacity=const(0.5)), background="#00000000")
    assert near(frame[H // 2, 80], (255, 255, 255, 128), tol=1) and frame[0, 0, 3] == 0


def test_preview_scale_renders_everything_smaller(tmp_path):
    comp = Composition(width=1080, height=1920, duration=10, tracks=[moving_box()])
    with FrameEvaluator(comp, MediaResolver(), scale=0.5, backend="cpu") as ev:
        assert ev.size == (540, 960) and ev.frame(0).shape == (960, 540, 4)
    with FrameEvaluator(comp, MediaResolver(), scale=0.3, backend="cpu") as ev:
        assert ev.size == (324, 576)


def ad(tmp_path) -> Composition:
    video = barcode_mp4(tmp_path / "bg.mp4", frames=40, size=(96, 64))
    a = MediaClip(path=str(video), start=0, duration=20, fit="cover")
    b = MediaClip(path=solid(tmp_path / "b.png", BLUE), start=14, duration=16, fit="cover")
    Image.new("RGBA", (90, 120), (200, 120, 40, 180)).save(tmp_path / "product.png")
    product = MediaClip(path=str(tmp_path / "product.png"), start=0, duration=30, transform=Transform(
        scale=keys((0, 0.3), (20, 0.6)), rotation=keys((0, -10.0), (20, 25.0)), position=const((0.5, 0.4))))
    text = TextClip(text="Autumn Roast is here", size=22, start=0, duration=30, stroke=Stroke(width=2, colour="#202020"),
                    transform=Transform(position=const((0.5, 0.8))))
    shape = ShapeClip(shape="rounded_rectangle", start=5, duration=20, size=(0.6, 0.1), fill="#FFD000CC", radius=10,
                      transform=Transform(rotation=const(8.0), position=const((0.5, 0.15))))
    return Composition(width=W, height=H, duration=30, tracks=[
        Track(kind="video", clips=[a, b], transitions=[Transition(a=a.id, b=b.id, duration=6)]),
        Track(kind="overlay", clips=[product, shape]), Track(kind="text", clips=[text])])


def test_numpy_and_torch_backends_agree(tmp_path):
    pytest.importorskip("torch")
    comp = ad(tmp_path)
    with FrameEvaluator(comp, MediaResolver(), backend="cpu") as cpu, FrameEvaluator(comp, MediaResolver(), backend="torch") as gpu:
        assert gpu.backend.name.startswith("torch")
        for index in (0, 7, 16, 19, 29):
            diff = np.abs(cpu.frame(index).astype(int) - gpu.frame(index).astype(int))
            assert diff.max() <= 2, (index, diff.max())


def test_the_gpu_backend_without_cuda_falls_back_and_says_so(tmp_path):
    torch = pytest.importorskip("torch")
    comp = Composition(width=W, height=H, duration=5, tracks=[moving_box()])
    with FrameEvaluator(comp, MediaResolver(), backend="gpu") as ev:
        if torch.cuda.is_available():
            assert ev.backend.name == "torch-cuda" and ev.problems == []
        else:
            assert ev.backend.name == "torch-cpu" and "No CUDA GPU" in ev.problems[0]
        assert ev.frame(0).shape == (H, W, 4)


def test_without_torch_every_backend_choice_still_renders(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if the optional extra were not installed
    comp = Composition(width=W, height=H, duration=5, tracks=[moving_box()])
    for choice, problems in (("auto", []), ("cpu", []), ("gpu", ["GPU compositing needs the optional torch package; compositing on the CPU."])):
        with FrameEvaluator(comp, MediaResolver(), backend=choice) as ev:
            assert ev.backend.name == "numpy" and ev.problems == problems
            assert near(ev.frame(0)[H // 2, W // 2], (255, 255, 255))


def test_still_bottom_layers_are_drawn_once_and_frames_match_an_uncached_render(tmp_path):
    """A still background, a box and a title hold still: each frame starts from one cached canvas.
    A fading title above them, then a fade on the box itself, must still show frame by frame."""
    background = MediaClip(path=solid(tmp_path / "bg.png", (30, 90, 160), (320, 568)), start=0, duration=30, fit="cover")
    box = ShapeClip(start=0, duration=30, size=(0.8, 0.2), fill="#FFFFFFCC", transform=Transform(opacity=keys((20, 1.0), (29, 0.0))))
    title = TextClip(text="Hold still", size=20, start=0, duration=30, transform=Transform(opacity=keys((0, 0.0), (10, 1.0))))
    comp = Composition(width=W, height=H, duration=30, tracks=[
        Track(kind="video", clips=[background]), Track(kind="overlay", clips=[box]), Track(kind="text", clips=[title])])
    with FrameEvaluator(comp, MediaResolver(), backend="cpu") as cached, \
            FrameEvaluator(comp, MediaResolver(), backend="cpu", cache_bytes=0) as uncached:
        frames = [cached.frame(i) for i in range(30)]
        bases = [key for key in cached.cache._items if key[0] == "base"]
        for i in (0, 5, 12, 19, 20, 25, 29):
            assert np.array_equal(frames[i], uncached.frame(i)), i
    # frames 0-9: background + box; 10-19: + the title, faded in; 20-28: background (the box fades);
    # 29: background + title (the box is gone)
    assert sorted(len(key[2]) for key in bases) == [1, 2, 2, 3]
    assert not np.array_equal(frames[0], frames[10]) and np.array_equal(frames[12], frames[19])  # the title faded in
    assert not np.array_equal(frames[19], frames[25])  # the box fades out
