"""A brand's palette from its images and the colours its CSS uses: k-means in CIELAB (where
distances follow what the eye sees), each colour with its share of the whole."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage.color import lab2rgb, rgb2lab
from sklearn.cluster import KMeans

_MIN_ALPHA = 32  # of 255: fainter pixels are background, not the brand's colour
_SAMPLE = 4096  # pixels taken from each image: enough for a palette, quick to cluster
_THUMB = 256  # images are shrunk to this side first (decoding a huge photo whole is wasted work)


@dataclass(frozen=True)
class Swatch:
    hex: str  # "#rrggbb"
    share: float  # 0..1; a palette's shares add up to 1


def image_pixels(image: bytes | Image.Image | np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Up to _SAMPLE opaque pixels of an image as an (n, 3) float array in 0..1 sRGB.
    Accepts encoded bytes (PNG, JPEG, WebP, GIF...), a PIL image or an RGB(A) uint8 array."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    if isinstance(image, Image.Image):
        image.thumbnail((_THUMB, _THUMB))
        image = np.asarray(image.convert("RGBA"))
    pixels = np.asarray(image).reshape(-1, np.asarray(image).shape[-1])
    if pixels.shape[1] == 4:
        pixels = pixels[pixels[:, 3] >= _MIN_ALPHA]
    pixels = pixels[:, :3].astype(np.float64) / 255.0
    if len(pixels) > _SAMPLE:
        rng = rng or np.random.default_rng(0)
        pixels = pixels[rng.choice(len(pixels), _SAMPLE, replace=False)]
    return pixels


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) / 255.0 for i in (0, 2, 4))


def rgb_to_hex(rgb) -> str:
    return "#" + "".join(f"{round(float(np.clip(v, 0, 1)) * 255):02x}" for v in rgb)


def extract_palette(images: Sequence = (), css_colours: Sequence[str] = (), colours: int = 6) -> list[Swatch]:
    """Up to `colours` swatches, biggest share first. Each image weighs the same whatever its
    size, and all CSS colour uses together weigh as much as one image (an image-less site's
    palette is its CSS alone). Unreadable images are passed over."""
    samples, weights = [], []
    for image in images:
        try:
            pixels = image_pixels(image)
        except (OSError, ValueError, Image.DecompressionBombError):
            continue
        if len(pixels):
            samples.append(pixels)
            weights.append(np.full(len(pixels), 1.0 / len(pixels)))
    if css_colours:
        samples.append(np.array([hex_to_rgb(c) for c in css_colours]))
        weights.append(np.full(len(css_colours), 1.0 / len(css_colours)))
    if not samples:
        return []
    lab = rgb2lab(np.concatenate(samples)[np.newaxis])[0]
    weight = np.concatenate(weights)
    distinct = len(np.unique(np.round(lab, 1), axis=0))
    k = max(1, min(colours, distinct))
    model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(lab, sample_weight=weight)
    shares = np.bincount(model.labels_, weights=weight, minlength=k) / weight.sum()
    rgb = lab2rgb(model.cluster_centers_[np.newaxis])[0]
    swatches = [Swatch(rgb_to_hex(rgb[i]), float(shares[i])) for i in range(k) if shares[i] > 0]
    return sorted(swatches, key=lambda s: -s.share)


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference of two hex colours (about 2.3 is a just-noticeable difference)."""
    lab = rgb2lab(np.array([[hex_to_rgb(a), hex_to_rgb(b)]]))[0]
    return float(np.linalg.norm(lab[0] - lab[1]))
