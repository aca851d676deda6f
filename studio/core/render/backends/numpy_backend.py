"""The numpy/OpenCV backend: uint8 premultiplied canvases, SIMD blends from OpenCV."""

from __future__ import annotations

import cv2
import numpy as np

from studio.core.render.backends import bounding_box, pixel_centre_matrix, whole_pixel_shift


class NumpyBackend:
    name = "numpy"

    def __init__(self):
        self._blank: dict = {}  # (size, colour) → a filled canvas to copy (copying beats filling)

    def canvas(self, size, colour) -> np.ndarray:
        blank = self._blank.get((size, colour))
        if blank is None:
            r, g, b, a = colour
            blank = self._blank[(size, colour)] = np.full((size[1], size[0], 4), (r * a // 255, g * a // 255, b * a // 255, a), np.uint8)
        return blank.copy()

    def copy(self, canvas: np.ndarray) -> np.ndarray:
        return canvas.copy()

    def clear(self, size) -> np.ndarray:
        return np.zeros((size[1], size[0], 4), np.uint8)

    def place(self, image: np.ndarray, matrix: np.ndarray, dst_size, clip=None, opaque: bool = False):
        """(patch, (x0, y0)): the layer as it lands on the canvas, cut to the box of its visible
        pixels (opaque: the whole box is visible); None if nothing of it lands."""
        box = bounding_box(matrix, (image.shape[1], image.shape[0]), dst_size, clip)
        if box is None:
            return None
        x0, y0, x1, y1 = box
        shift = whole_pixel_shift(matrix)
        if shift is not None:
            dx, dy = shift
            patch = image[y0 - dy:y1 - dy, x0 - dx:x1 - dx]
        else:
            patch = cv2.warpAffine(image, pixel_centre_matrix(matrix, (x0, y0)), (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
        if opaque:
            return patch, (x0, y0)
        x, y, w, h = cv2.boundingRect(np.ascontiguousarray(patch[..., 3]))  # blending transparent margins is wasted work
        return (patch[y:y + h, x:x + w], (x0 + x, y0 + y)) if w and h else None

    def blend(self, dst: np.ndarray, patch: np.ndarray, origin, opacity: float = 1.0, opaque: bool = False) -> None:
        """Patch over dst at origin; opaque: the patch covers its box fully (a plain copy will do)."""
        x0, y0 = origin
        region = dst[y0:y0 + patch.shape[0], x0:x0 + patch.shape[1]]
        if opacity < 1.0:
            patch = cv2.convertScaleAbs(patch, alpha=opacity)
        elif opaque:
            region[...] = patch
            return
        keep = 255 - patch[..., 3]
        cv2.add(patch, cv2.multiply(region, cv2.merge((keep, keep, keep, keep)), scale=1 / 255), dst=region)  # in place

    def mix(self, a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
        return cv2.addWeighted(a, 1.0 - t, b, t, 0.0)

    def over(self, dst: np.ndarray, src: np.ndarray) -> None:
        self.blend(dst, src, (0, 0))

    def output(self, canvas: np.ndarray, opaque: bool = False) -> np.ndarray:
        """Straight-alpha RGBA uint8; opaque: the canvas is known to be opaque everywhere."""
        if opaque:
            return canvas
        out = canvas.astype(np.float32)
        a = out[..., 3:4]
        np.divide(out[..., :3] * 255.0, a, out=out[..., :3], where=a > 0)
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
