"""Palette extraction on real images with known colours."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from studio.core.research.palette import delta_e, extract_palette, image_pixels

ORANGE, TEAL, NAVY = (240, 120, 20), (0, 150, 140), (20, 30, 80)


def hexof(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def striped(colours_and_widths, height=60, noise=0.0, seed=1) -> Image.Image:
    """Vertical bands of the given colours and widths, with optional per-pixel noise."""
    bands = [np.tile(np.array(colour, float), (height, width, 1)) for colour, width in colours_and_widths]
    pixels = np.concatenate(bands, axis=1)
    if noise:
        pixels += np.random.default_rng(seed).normal(0, noise, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def test_recovers_known_colours_and_their_shares():
    image = striped([(ORANGE, 60), (TEAL, 30), (NAVY, 10)], noise=4.0)
    palette = extract_palette([encoded(image, "PNG")], colours=3)
    assert len(palette) == 3
    for swatch, (colour, share) in zip(palette, [(ORANGE, 0.6), (TEAL, 0.3), (NAVY, 0.1)], strict=True):
        assert delta_e(swatch.hex, hexof(colour)) < 2.5, (swatch, colour)
        assert abs(swatch.share - share) < 0.03


def test_jpeg_image_colours_survive_compression():
    palette = extract_palette([encoded(striped([(ORANGE, 50), (NAVY, 50)]), "JPEG")], colours=2)
    assert max(min(delta_e(s.hex, hexof(c)) for s in palette) for c in (ORANGE, NAVY)) < 4


def test_near_transparent_pixels_are_ignored():
    rgba = np.zeros((50, 100, 4), np.uint8)
    rgba[:, :30] = (*TEAL, 255)
    rgba[:, 30:] = (255, 0, 255, 10)  # a faint magenta haze that is really the background
    palette = extract_palette([Image.fromarray(rgba, "RGBA")], colours=4)
    assert len(palette) == 1 and delta_e(palette[0].hex, hexof(TEAL)) < 1 and palette[0].share == pytest.approx(1.0)
    assert len(image_pixels(rgba)) == 50 * 30


def test_css_colours_join_the_images():
    image = encoded(striped([(NAVY, 40)]))
    palette = extract_palette([image], ["#f07814", "#f07814", "#f07814", "#009688"], colours=3)
    by_colour = {min((hexof(c) for c in (NAVY, ORANGE, TEAL)), key=lambda h: delta_e(h, s.hex)): s for s in palette}
    assert by_colour[hexof(NAVY)].share == pytest.approx(0.5)  # one image weighs as much as all the CSS
    assert by_colour[hexof(ORANGE)].share == pytest.approx(0.375)
    assert delta_e(by_colour[hexof(TEAL)].hex, "#009688") < 1


def test_fewer_colours_than_asked_and_nothing_at_all():
    assert [s.hex for s in extract_palette([], ["#ff0000"], colours=6)] == ["#ff0000"]
    assert extract_palette([], []) == []
    assert extract_palette([b"not an image"], []) == []


def test_large_image_is_sampled_not_read_whole():
    big = striped([(ORANGE, 1500), (TEAL, 1500)], height=800)
    assert len(image_pixels(big)) <= 4096
    palette = extract_palette([big], colours=2)
    assert all(abs(s.share - 0.5) < 0.05 for s in palette)
