"""Compositing backends: the same premultiplied-alpha math on numpy/OpenCV or on torch tensors.

Layers arrive as premultiplied RGBA uint8 numpy arrays with a 2×3 affine matrix that maps
layer coordinates to canvas coordinates (continuous: a pixel spans [i, i+1)). A backend
places a layer (one warp into the bounding box it covers, or a plain slice when the
matrix is a whole-pixel shift), blends patches onto a canvas, mixes buffers for
transitions and hands back straight-alpha RGBA uint8.
"""

from __future__ import annotations

import math

import numpy as np

from studio.kata.compose.backends import import_torch

BACKENDS = ("auto", "cpu", "gpu", "torch")


def bounding_box(matrix: np.ndarray, src_size, dst_size, clip=None):
    """The whole-pixel box (x0, y0, x1, y1) of dst that the transformed layer touches, or None."""
    w, h = src_size
    corners = matrix[:, :2] @ np.array([[0, w, 0, w], [0, 0, h, h]], np.float64) + matrix[:, 2:]
    x0, y0 = max(math.floor(corners[0].min()), 0), max(math.floor(corners[1].min()), 0)
    x1, y1 = min(math.ceil(corners[0].max()), dst_size[0]), min(math.ceil(corners[1].max()), dst_size[1])
    if clip:
        x0, y0, x1, y1 = max(x0, clip[0]), max(y0, clip[1]), min(x1, clip[2]), min(y1, clip[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def whole_pixel_shift(matrix: np.ndarray) -> tuple[int, int] | None:
    """(dx, dy) when the matrix only moves the layer by whole pixels, else None."""
    if np.abs(matrix[:, :2] - np.eye(2)).max() > 1e-9:
        return None
    shift = np.rint(matrix[:, 2])
    return (int(shift[0]), int(shift[1])) if np.abs(matrix[:, 2] - shift).max() < 1e-6 else None


def pixel_centre_matrix(matrix: np.ndarray, origin) -> np.ndarray:
    """The matrix as OpenCV reads it (pixel centres at whole coordinates), for a box at origin."""
    m = matrix.copy()
    m[:, 2] += m[:, :2] @ (0.5, 0.5) - 0.5 - np.asarray(origin, np.float64)
    return m


def make_backend(name: str = "auto"):
    """(backend, note): note is a message for the user when the choice had to fall back."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    from studio.core.render.backends.numpy_backend import NumpyBackend

    if name == "cpu":
        return NumpyBackend(), None
    try:
        from studio.core.render.backends.torch_backend import TorchBackend, cuda_available

        cuda = cuda_available()
    except ImportError:
        note = None if name == "auto" else "GPU compositing needs the optional torch package; compositing on the CPU."
        return NumpyBackend(), note
    if cuda:
        return TorchBackend("cuda"), None
    if name == "auto":
        return NumpyBackend(), None
    note = "No CUDA GPU was found; compositing with torch on the CPU." if name == "gpu" else None
    return TorchBackend("cpu"), note


def gpu_status() -> tuple[bool, str]:
    """(available, what the user should know) for GPU compositing. Imports torch: slow the first time."""
    try:
        torch = import_torch()
    except ImportError:
        return False, "not available — the optional torch package is not installed"
    if torch.cuda.is_available():
        return True, f"available — {torch.cuda.get_device_name(0)}"
    return False, f"not available — torch {torch.__version__.split('+')[0]} installed, no CUDA device"
