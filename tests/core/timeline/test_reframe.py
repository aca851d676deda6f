"""Aspect variants laid out by smart reframing: faces and salient regions stay in frame,
text stays inside the safe zone, the original layout is untouched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from studio.core.errors import BadInput
from studio.core.timeline.model import Animated, Composition, Keyframe, MediaClip, TextClip, Track, Transform
from studio.core.timeline.reframe import SAFE_ZONES, add_variant, salient_box

DATA = Path(__file__).resolve().parents[2] / "data"


def on_canvas(comp: Composition, clip_id: str, point: tuple[float, float], source_size) -> tuple[float, float]:
    """Where a point of a cover-fitted clip's picture (fractions) lands on the canvas (fractions)."""
    _, clip = comp.find_clip(clip_id)
    sw, sh = source_size
    k = max(comp.width / sw, comp.height / sh) * clip.transform.scale.value
    shown_w, shown_h = sw * k / comp.width, sh * k / comp.height
    x, y = clip.transform.position.value
    return x + (point[0] - 0.5) * shown_w, y + (point[1] - 0.5) * shown_h


def wide(background: MediaClip, *others) -> Composition:
    return Composition(name="Spot", width=1920, height=1080, duration=90, tracks=[Track(kind="video", clips=[background]), *others])


def test_a_face_stays_in_the_vertical_frame():
    face_x = (199 + 54) / 1024  # the astronaut's face centre in the test picture
    assert salient_box(Image.open(DATA / "astronaut-wide.jpg"))[0] < face_x < salient_box(Image.open(DATA / "astronaut-wide.jpg"))[2]
    bg = MediaClip(name="scene", path=str(DATA / "astronaut-wide.jpg"), start=0, duration=90, fit="cover")
    original = wide(bg)
    comp = add_variant(original, "9x16", lambda clip: Path(clip.path))
    vertical = comp.for_variant("9x16")
    assert (vertical.width, vertical.height) == (1080, 1920)
    x, y = on_canvas(vertical, bg.id, (face_x, 130 / 576), (1024, 576))
    assert 0.3 < x < 0.7 and 0 < y < 1  # centred, not cropped away
    # A plain centre crop would have cut the face off:
    assert not 0 < on_canvas(original.model_copy(update={"width": 1080, "height": 1920}), bg.id, (face_x, 0.2), (1024, 576))[0] < 1
    assert comp.for_variant("16x9").model_copy(update={"variants": []}) == original  # the original is untouched


def test_without_faces_the_salient_region_stays_in_frame(tmp_path):
    picture = Image.new("RGB", (1600, 900), (40, 60, 70))
    ImageDraw.Draw(picture).ellipse((1180, 330, 1420, 570), fill=(250, 200, 30))  # a bright product at the right
    picture.save(tmp_path / "shelf.jpg")
    x0, y0, x1, y1 = salient_box(picture)
    assert 0.65 < (x0 + x1) / 2 < 0.9 and 0.35 < (y0 + y1) / 2 < 0.65
    bg = MediaClip(path=str(tmp_path / "shelf.jpg"), start=0, duration=90)
    vertical = add_variant(wide(bg), "9x16", lambda clip: Path(clip.path)).for_variant("9x16")
    assert 0.25 < on_canvas(vertical, bg.id, (1300 / 1600, 0.5), (1600, 900))[0] < 0.75


def test_text_and_overlays_move_inside_the_safe_zone(tmp_path):
    Image.new("RGBA", (400, 400), (200, 80, 40, 255)).save(tmp_path / "product.png")
    bg = MediaClip(path=str(DATA / "astronaut-wide.jpg"), start=0, duration=90)
    caption = TextClip(text="Autumn Roast is here", start=0, duration=90, wrap_width=0.95,
                       transform=Transform(position=Animated(value=(0.5, 0.95), keyframes=[Keyframe(frame=0, value=(0.5, 0.95)), Keyframe(frame=30, value=(0.5, 0.90))])))
    product = MediaClip(path=str(tmp_path / "product.png"), start=0, duration=90, transform=Transform(position=Animated(value=(0.92, 0.5)), scale=Animated(value=0.3)))
    comp = wide(bg, Track(kind="overlay", clips=[product]), Track(kind="text", clips=[caption]))
    vertical = add_variant(comp, "9x16", lambda clip: Path(clip.path)).for_variant("9x16")
    left, top, right, bottom = SAFE_ZONES["9x16"]
    _, text = vertical.find_clip(caption.id)
    assert text.wrap_width <= 1 - left - right
    ys = [k.value[1] for k in text.transform.position.keyframes]
    assert all(y <= 1 - bottom for y in ys) and ys[0] - ys[1] == pytest.approx(0.05)  # the animation is kept
    _, moved = vertical.find_clip(product.id)
    half = 0.3 * 1.0 / 2  # contain-fit square at scale 0.3 is 0.3 of the canvas width
    assert left + half <= moved.transform.position.value[0] <= 1 - right - half + 1e-9


def test_bad_variant_requests(tmp_path):
    comp = Composition(name="Spot", width=1080, height=1920)
    with pytest.raises(BadInput, match="already 9x16"):
        add_variant(comp, "9x16", lambda clip: None)
    with pytest.raises(BadInput, match="Unknown aspect"):
        add_variant(comp, "3x2", lambda clip: None)
    with pytest.raises(BadInput, match="has no variant 1x1; it has 9x16"):
        comp.for_variant("1x1")


def test_offline_media_keeps_its_layout():
    bg = MediaClip(path="/gone/scene.mp4", start=0, duration=90)
    comp = add_variant(wide(bg), "1x1", lambda clip: None)
    assert comp.variants[0].overrides == {}
    assert np.isclose(comp.for_variant("1x1").width, 1080)


def test_a_shape_keeps_its_proportions_in_every_aspect():
    """Shapes are sized in canvas fractions: a 9:16 button must not turn into a wide bar in 16:9
    or a squashed one in 1:1; it keeps its look against the canvas's short side."""
    from studio.core.render.evaluate import FrameEvaluator
    from studio.core.render.media import MediaResolver
    from studio.core.timeline.model import ShapeClip

    button = ShapeClip(start=0, duration=10, size=(0.6, 0.06), fill="#D05A2AFF", transform=Transform(position=Animated(value=(0.5, 0.85))))
    comp = Composition(width=1080, height=1920, duration=10, background="#000000", tracks=[Track(kind="overlay", clips=[button])])

    def drawn(c: Composition) -> tuple[int, int]:
        with FrameEvaluator(c, MediaResolver(), backend="cpu") as ev:
            ys, xs = np.nonzero(ev.frame(0)[..., 0] > 100)
        return xs.max() - xs.min() + 1, ys.max() - ys.min() + 1

    w0, h0 = drawn(comp)
    for name in ("16x9", "1x1", "4x5"):
        w, h = drawn(add_variant(comp, name, lambda clip: None).for_variant(name))
        assert abs(w / h - w0 / h0) < 0.03 * w0 / h0, (name, w, h, w0, h0)  # the same proportions
        assert abs(w - w0) <= 4, (name, w, w0)  # the same size against the short side (1080 px in each)
