"""Text and shape layers: stroke, shadow, box, wrapping, auto-fit, fonts, anti-aliasing."""

from __future__ import annotations

import numpy as np

from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.layers import shape_layer, text_layer
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import Composition, Shadow, ShapeClip, Stroke, TextBox, TextClip, Track

CANVAS = (160, 284)


def colour_count(pixels: np.ndarray, rgb) -> int:
    """Opaque pixels of that colour (premultiplied layers: opaque pixels carry it as is)."""
    return int(((np.abs(pixels[..., :3].astype(int) - rgb).max(axis=-1) <= 30) & (pixels[..., 3] > 240)).sum())


def test_text_has_fill_and_stroke_pixels():
    plain, _ = text_layer(TextClip(text="SALE", size=40, colour="#FFFFFF", start=0, duration=1), CANVAS)
    stroked, warnings = text_layer(TextClip(text="SALE", size=40, colour="#FFFFFF", stroke=Stroke(width=3, colour="#FF0000"),
                                            start=0, duration=1), CANVAS)
    assert warnings == []
    assert colour_count(plain, (255, 0, 0)) == 0 and colour_count(stroked, (255, 0, 0)) > 100
    assert colour_count(stroked, (255, 255, 255)) > 100
    assert stroked.shape[1] > plain.shape[1]  # the stroke widens the block


def test_box_and_shadow_surround_the_text():
    boxed, _ = text_layer(TextClip(text="Hi", size=30, box=TextBox(colour="#0000FFFF", padding=10, radius=4), start=0, duration=1), CANVAS)
    assert colour_count(boxed, (0, 0, 255)) > 0.5 * boxed.shape[0] * boxed.shape[1]
    shadowed, _ = text_layer(TextClip(text="Hi", size=30, shadow=Shadow(offset=(6, 6), blur=4, colour="#000000FF"), start=0, duration=1), CANVAS)
    soft = (shadowed[..., 3] > 0) & (shadowed[..., 3] < 250) & (shadowed[..., :3].max(axis=-1) < 10)
    assert soft.sum() > 50  # blurred dark pixels beyond the letters


def test_lines_wrap_to_the_width_and_auto_fit_shrinks_into_the_box():
    one_line, _ = text_layer(TextClip(text="short", size=20, start=0, duration=1), CANVAS)
    wrapped, _ = text_layer(TextClip(text="a much longer line of text that wraps", size=20, wrap_width=0.8, start=0, duration=1), CANVAS)
    assert wrapped.shape[1] <= 0.8 * CANVAS[0] + 2 and wrapped.shape[0] > 2 * one_line.shape[0]
    fitted, _ = text_layer(TextClip(text="BIG HEADLINE HERE", size=120, fit_box=(0.5, 0.1), start=0, duration=1), CANVAS)
    assert fitted.shape[1] <= 0.5 * CANVAS[0] + 1 and fitted.shape[0] <= 0.1 * CANVAS[1] + 1


def test_half_scale_text_is_rasterized_at_half_the_size():
    clip = TextClip(text="Sharp", size=40, start=0, duration=1)
    full, _ = text_layer(clip, CANVAS, 1.0)
    half, _ = text_layer(clip, (80, 142), 0.5)
    assert abs(half.shape[1] - full.shape[1] / 2) <= 2


def test_empty_text_draws_nothing():
    comp = Composition(width=160, height=284, duration=5, tracks=[Track(kind="text", clips=[
        TextClip(text=text, start=0, duration=5, shadow=Shadow()) for text in ("", " ", "\n")])])
    with FrameEvaluator(comp, MediaResolver(), backend="cpu") as ev:
        assert ev.frame(0)[..., :3].max() == 0


def test_a_missing_font_falls_back_with_a_warning():
    clip = TextClip(text="Hello", font="No Such Font Family 123", size=30, start=0, duration=1)
    pixels, warnings = text_layer(clip, CANVAS)
    assert pixels[..., 3].max() == 255
    assert warnings == ['The font "No Such Font Family 123" is not installed, so a fallback font is used.']
    comp = Composition(width=160, height=284, duration=5, tracks=[Track(kind="text", clips=[clip])])
    with FrameEvaluator(comp, MediaResolver(), backend="cpu") as ev:
        assert ev.frame(0)[..., :3].max() == 255
        assert ev.problems == warnings


def test_shapes_are_anti_aliased():
    ellipse = shape_layer(ShapeClip(shape="ellipse", size=(0.5, 0.2), fill="#FF0000", start=0, duration=1), (80, 56))
    alpha = ellipse[..., 3]
    assert alpha[28, 40] == 255 and alpha[0, 0] == 0
    assert ((alpha > 0) & (alpha < 255)).sum() > 40  # a soft edge, not a staircase
    assert np.all(ellipse[..., 0] == alpha)  # premultiplied red
    half = shape_layer(ShapeClip(shape="rectangle", fill="#00FF0080", start=0, duration=1), (10, 4))
    assert half[0, 0].tolist() == [0, 128, 0, 128]
