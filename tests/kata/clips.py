"""Synthetic camera-motion clips with known geometry, for the Kata tracker's tests and benchmark.

A real photo is filmed by a virtual camera: every frame is the photo warped by a known
homography (pan, zoom, roll, a little perspective, hand-held shake), then degraded the way a
phone degrades video (motion blur along the motion, sensor noise, exposure drift). So the
truth is exact: `truth[i]` carries anchor-frame pixels onto frame i's pixels (pixel centres
at integer coordinates, as cv2.warpPerspective uses them). Frames come from a generator, so
a 1080p clip never sits in memory. Everything is seeded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from studio.kata.track.tracker import quad_around

ROOT = Path(__file__).parents[2]
TABLE = ROOT / "resources" / "demo" / "scene-coffee-table.jpg"  # the surface we track: a wooden table
CAT = ROOT / "resources" / "demo" / "scene-cosy-cat.jpg"  # what a cut shows instead
FPS = 30.0
VIEW = 0.75  # at zoom 1 the frame shows this share of the photo's width


def _photo(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@dataclass
class Clip:
    name: str
    size: tuple[int, int]  # (w, h)
    anchor: int
    quad: np.ndarray  # (4, 2): the support plane's corners on the anchor frame
    truth: np.ndarray  # (n, 3, 3): anchor -> frame i; NaN in shots that do not show the anchor's surface
    cuts: list[int]  # first frame of every shot after the first
    covered: np.ndarray  # (n,) bool: the quad is wholly behind the occluder
    _photos: list[np.ndarray] = field(repr=False)
    _source: np.ndarray = field(repr=False)  # (n,) which photo each frame films
    _camera: np.ndarray = field(repr=False)  # (n, 3, 3): photo -> frame
    _blur: np.ndarray = field(repr=False)  # (n, 2): blur streak (dx, dy) in frame pixels
    _gain: np.ndarray = field(repr=False)  # (n,) exposure: gain on linear light
    _cover_x: np.ndarray = field(repr=False)  # (n, 2) occluder's left/right edge (x), NaN when absent
    noise: float = 3.0
    seed: int = 0

    def __len__(self) -> int:
        return len(self.truth)

    def frames(self) -> Iterator[np.ndarray]:
        for i in range(len(self)):
            yield self.frame(i)

    def frame(self, i: int) -> np.ndarray:
        w, h = self.size
        image = cv2.warpPerspective(self._photos[self._source[i]], self._camera[i], (w, h), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REFLECT_101)
        image = _motion_blur(image, self._blur[i])
        if not np.isnan(self._cover_x[i, 0]):
            x0, x1 = (round(x) for x in np.clip(self._cover_x[i], 0, w))
            image[:, x0:x1] = (38, 34, 40)  # a dark coat close to the lens
        # Exposure: a gain on linear light, seen through the sRGB-like gamma; highlights clip.
        lut = 255.0 * np.clip((np.arange(256) / 255.0) ** 2.2 * self._gain[i], 0, 1) ** (1 / 2.2)
        image = cv2.LUT(image, np.round(lut).astype(np.uint8))
        rng = np.random.default_rng((self.seed, i))
        noisy = image + rng.normal(0, self.noise, (h, w, 1)).astype(np.float32)
        return np.clip(noisy, 0, 255).astype(np.uint8)

    def truth_corners(self) -> np.ndarray:
        """(n, 4, 2): the quad in every frame (NaN where the surface is not in the shot)."""
        p = np.c_[self.quad, np.ones(4)] @ np.transpose(self.truth, (0, 2, 1))
        return p[..., :2] / p[..., 2:]


def _motion_blur(image: np.ndarray, streak: np.ndarray) -> np.ndarray:
    """Average along a centred streak: the mid-exposure pose stays where the truth says."""
    length = float(np.hypot(*streak))
    if length < 1.5:
        return image
    k = int(np.ceil(length)) | 1
    kernel = np.zeros((k, k), np.float32)
    c = k // 2
    d = streak / length
    for t in np.linspace(-length / 2, length / 2, 2 * k):
        kernel[round(c + t * d[1]), round(c + t * d[0])] += 1
    return cv2.filter2D(image, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REFLECT_101)


def _similarity(size, photo_size, pan, zoom, roll_deg, tilt) -> np.ndarray:
    """Photo pixels -> frame pixels for a camera looking at photo point `pan` (fraction of the
    photo, (0.5, 0.5) its centre) with the given zoom, roll and a little keystone (tilt)."""
    w, h = size
    pw, ph = photo_size
    base = w / (VIEW * pw)
    to_origin = np.array([[1, 0, -pan[0] * pw], [0, 1, -pan[1] * ph], [0, 0, 1.0]])
    a = np.radians(roll_deg)
    s = base * zoom
    rotate = np.array([[s * np.cos(a), -s * np.sin(a), 0], [s * np.sin(a), s * np.cos(a), 0], [0, 0, 1.0]])
    keystone = np.array([[1, 0, 0], [0, 1, 0], [tilt[0] / w, tilt[1] / h, 1.0]])
    to_frame = np.array([[1, 0, (w - 1) / 2], [0, 1, (h - 1) / 2], [0, 0, 1.0]])
    return to_frame @ keystone @ rotate @ to_origin


def _shake(n: int, rng, amount: float) -> np.ndarray:
    """(n, 3) hand-held shake: x, y (fraction of the photo) and roll (degrees), a few seeded
    tremors of 2 to 7 Hz."""
    t = np.arange(n) / FPS
    out = np.zeros((n, 3))
    for axis, scale in enumerate((amount, amount, amount * 60)):
        for _ in range(3):
            freq, phase = rng.uniform(2, 7), rng.uniform(0, 2 * np.pi)
            out[:, axis] += scale * rng.uniform(0.3, 1) * np.sin(2 * np.pi * freq * t + phase)
    return out


def camera_clip(name: str = "handheld", size=(480, 270), n: int = 48, anchor: int = 16, *, seed: int = 0,
                shake: float = 0.004, blur: bool = True, noise: float = 3.0, exposure: bool = True,
                cut: tuple[int, int] | None = None, cover: tuple[int, int] | None = None,
                contact=(0.74, 0.34), height=0.25) -> Clip:
    """The table photo filmed by a moving hand-held camera: pan, zoom, roll, keystone and shake.

    cut=(a, b): frames a..b-1 film another photo (the cat), then the table comes back from
    another viewpoint. cover=(a, b): a dark occluder sweeps in from the left, hides the whole
    quad on frames a..b-1 and leaves to the right. The quad is `quad_around` a product standing
    at `contact` (fractions of the anchor frame) whose height is `height` of the frame's.
    """
    w, h = size
    rng = np.random.default_rng(seed)
    photos = [_photo(TABLE), _photo(CAT)]
    t = np.arange(n) / 48.0  # the motion's unit: 48 frames (1.6 s), however long the clip
    wobble = _shake(n, rng, shake)
    pan = np.c_[0.5 + 0.06 * np.sin(2 * np.pi * 0.8 * t), 0.52 + 0.04 * np.sin(2 * np.pi * 0.6 * t + 1)] + wobble[:, :2]
    zoom = 1 + 0.15 * np.sin(2 * np.pi * 0.5 * t)
    roll = 5 * np.sin(2 * np.pi * 0.7 * t + 0.5) + wobble[:, 2]
    tilt = np.c_[0.08 * np.sin(2 * np.pi * 0.4 * t), 0.06 * np.cos(2 * np.pi * 0.5 * t)]
    source = np.zeros(n, int)
    cuts: list[int] = []
    if cut is not None:
        a, b = cut
        source[a:b] = 1
        pan[b:] += (0.03, 0.02)  # the table comes back from a different viewpoint
        zoom[b:] *= 1.1
        cuts = [a, b]
    camera = np.stack([_similarity(size, photos[source[i]].shape[1::-1], pan[i], zoom[i], roll[i], tilt[i])
                       for i in range(n)])
    truth = camera @ np.linalg.inv(camera[anchor])
    truth[source != source[anchor]] = np.nan
    # Blur streak: how far the centre of the frame moves while the shutter is open (half a frame).
    centre = np.array([(w - 1) / 2, (h - 1) / 2, 1.0])
    blur_streak = np.zeros((n, 2))
    if blur:
        for i in range(1, n):
            if source[i] == source[i - 1]:
                p = camera[i] @ np.linalg.inv(camera[i - 1]) @ centre
                blur_streak[i] = 0.5 * (p[:2] / p[2] - centre[:2])
    gain = 2.0 ** (0.8 * np.sin(2 * np.pi * 1.1 * t)) if exposure else np.ones(n)  # +-0.8 stop
    quad = quad_around((contact[0] * w, contact[1] * h), height * h, size)
    cover_x = np.full((n, 2), np.nan)
    covered = np.zeros(n, bool)
    if cover is not None:
        a, b = cover
        p = np.c_[quad, np.ones(4)] @ truth.transpose(0, 2, 1)
        xs = p[..., 0] / p[..., 2]  # (n, 4) the quad's corners' x
        speed = 0.05 * w  # a coat passing close to the lens, left to right
        width = xs[a:b].max() - xs[a:b].min() + speed * (b - 1 - a) + 4
        left = xs[a:b].min() - 2 + speed * (np.arange(n) - (b - 1))
        present = (left < w) & (left + width > 0)
        cover_x[present] = np.c_[left, left + width][present]
        covered = present & (xs.min(axis=1) >= left) & (xs.max(axis=1) <= left + width)
    return Clip(name, (w, h), anchor, quad, truth, cuts, covered, photos, source, camera, blur_streak, gain,
                cover_x, noise, seed)


def flat_clip(size=(480, 270), n: int = 12, *, seed: int = 0) -> Clip:
    """A featureless scene: a flat grey wall and a little sensor noise, the camera still."""
    w, h = size
    flat = np.full((8, 8, 3), (150, 146, 140), np.uint8)
    camera = np.tile(np.diag([w / 8, h / 8, 1.0]), (n, 1, 1))
    truth = np.tile(np.eye(3), (n, 1, 1))
    quad = quad_around((0.5 * w, 0.7 * h), 0.3 * h, size)
    return Clip("flat", (w, h), n // 2, quad, truth, [], np.zeros(n, bool), [flat], np.zeros(n, int), camera,
                np.zeros((n, 2)), np.ones(n), np.full((n, 2), np.nan), 2.0, seed)
