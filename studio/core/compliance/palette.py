"""Dominant colours of pictures and how far each is from a brand palette.

Colours are clustered in CIELAB (where distance follows what the eye sees) and compared with
CIEDE2000 ΔE: about 2 is a just-visible difference, over 10 reads as another colour.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

from studio.core.errors import BadInput

THUMB_SIDE = 96  # pictures are shrunk to this long side first: dominant colours survive, noise does not
HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class Dominant:
    hex: str
    lab: tuple[float, float, float]
    share: float  # of the pixels looked at

    @property
    def chroma(self) -> float:
        return float(np.hypot(self.lab[1], self.lab[2]))


def parse_palette(colours) -> np.ndarray:
    """(n, 3) Lab of "#RRGGBB" colours; BadInput names the one that is not."""
    rgb = []
    for colour in colours:
        m = HEX.match(str(colour).strip())
        if not m:
            raise BadInput(f"The brand palette colour {colour!r} is not a #RRGGBB colour; correct it in the brand's settings.")
        rgb.append([int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4)])
    return rgb2lab(np.array(rgb, np.float64).reshape(-1, 1, 3) / 255).reshape(-1, 3)


def thumbnail_pixels(pictures) -> np.ndarray:
    """(n, 3) uint8 RGB pixels of every picture, each shrunk to THUMB_SIDE."""
    parts = []
    for rgb in pictures:
        img = Image.fromarray(rgb)
        img.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BOX)
        parts.append(np.asarray(img).reshape(-1, 3))
    return np.concatenate(parts)


def dominant_colours(pixels: np.ndarray, clusters: int) -> list[Dominant]:
    """The k-means centres of (n, 3) RGB pixels in Lab, largest share first."""
    from sklearn.cluster import KMeans

    lab = rgb2lab(pixels.reshape(-1, 1, 3).astype(np.float64) / 255).reshape(-1, 3)
    k = max(1, min(clusters, len(np.unique(pixels, axis=0))))  # a flat picture has fewer colours than k
    with warnings.catch_warnings():  # near-duplicate colours may still leave a cluster empty; that is fine
        warnings.simplefilter("ignore")
        model = KMeans(n_clusters=k, n_init=2, random_state=0).fit(lab)
    counts = np.bincount(model.labels_, minlength=k)
    result = []
    for i in np.argsort(-counts):
        centre = model.cluster_centers_[i]
        rgb = np.clip(lab2rgb(centre.reshape(1, 1, 3)).reshape(3) * 255, 0, 255).round().astype(int)
        result.append(Dominant("#{:02X}{:02X}{:02X}".format(*rgb), tuple(float(v) for v in centre), float(counts[i] / len(lab))))
    return result


def nearest(lab: tuple[float, float, float], palette_lab: np.ndarray) -> tuple[int, float]:
    """The index of the closest palette colour and its CIEDE2000 distance."""
    distances = deltaE_ciede2000(np.broadcast_to(np.asarray(lab), palette_lab.shape), palette_lab)
    i = int(np.argmin(distances))
    return i, float(distances[i])
