"""Per-pixel array math on numpy or torch: one set of formulas, two array libraries.

The compositing formulas are written once against plain operators (+, *, @, **) plus the
few calls wrapped here, so the numpy and torch backends run the same math.
"""

from __future__ import annotations

import threading

import numpy as np

BACKENDS = ("auto", "cpu", "gpu", "torch")
_TORCH_IMPORT = threading.Lock()  # two threads importing torch for the first time at once can fail inside torch


class NumpyOps:
    name = "numpy"

    def array(self, a):
        return np.asarray(a, np.float32)

    def numpy(self, a) -> np.ndarray:
        return a

    def where(self, cond, a, b):
        return np.where(cond, a, b)

    def clip(self, a, lo, hi):
        return np.clip(a, lo, hi)


class TorchOps:
    def __init__(self, device: str):
        import torch

        self.torch, self.device, self.name = torch, device, f"torch:{device}"

    def array(self, a):
        return self.torch.from_numpy(np.ascontiguousarray(a, np.float32)).to(self.device)

    def numpy(self, a) -> np.ndarray:
        return a.cpu().numpy()

    def where(self, cond, a, b):
        return self.torch.where(cond, a, b)

    def clip(self, a, lo, hi):
        return self.torch.clamp(a, lo, hi)


def import_torch():
    """torch, imported once under a lock (ImportError without it): the studio's threads all come through here."""
    with _TORCH_IMPORT:
        import torch
    return torch


def make_ops(backend: str = "auto"):
    """numpy for "cpu"; torch for "torch" and "gpu" (on CUDA when present); "auto" uses CUDA torch only when there is a GPU."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "cpu":
        return NumpyOps()
    try:
        torch = import_torch()
    except ImportError:
        return NumpyOps()
    cuda = torch.cuda.is_available()
    if backend == "auto" and not cuda:
        return NumpyOps()
    return TorchOps("cuda" if cuda else "cpu")


# sRGB (D65) <-> CIE Lab; L in 0..100.
_RGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],
                        [0.212671, 0.715160, 0.072169],
                        [0.019334, 0.119193, 0.950227]], np.float32)
_WHITE = np.array([0.950456, 1.0, 1.088754], np.float32)
_EPS = 0.008856


def rgb_to_lab(ops, rgb):
    """rgb: float (..., 3) in 0..1 -> Lab (..., 3)."""
    lin = ops.where(rgb <= 0.04045, rgb / 12.92, ops.clip((rgb + 0.055) / 1.055, 0.0, None) ** 2.4)
    xyz = lin @ ops.array(_RGB_TO_XYZ.T / _WHITE[:, None].T)
    f = ops.where(xyz > _EPS, ops.clip(xyz, _EPS, None) ** (1 / 3), xyz * 7.787 + 16 / 116)
    fx, fy, fz = f[..., 0:1], f[..., 1:2], f[..., 2:3]
    return _cat(ops, [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)])


def lab_to_rgb(ops, lab):
    fy = (lab[..., 0:1] + 16) / 116
    f = _cat(ops, [fy + lab[..., 1:2] / 500, fy, fy - lab[..., 2:3] / 200])
    xyz = ops.where(f > 0.206893, ops.clip(f, 0.206893, None) ** 3, (f - 16 / 116) / 7.787)
    lin = ops.clip((xyz * ops.array(_WHITE)) @ ops.array(np.linalg.inv(_RGB_TO_XYZ).T), 0.0, 1.0)
    return ops.where(lin <= 0.0031308, lin * 12.92, 1.055 * ops.clip(lin, 0.0031308, None) ** (1 / 2.4) - 0.055)


def _cat(ops, parts):
    if isinstance(ops, NumpyOps):
        return np.concatenate(parts, axis=-1)
    return ops.torch.cat(parts, dim=-1)
