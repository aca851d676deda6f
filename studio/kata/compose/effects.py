"""Match the product's grain and sharpness to the scene around it."""

from __future__ import annotations

import cv2
import numpy as np

HIGH_PASS_SIGMA = 1.0
BLUR_STEPS = (0.5, 0.8, 1.2, 1.7, 2.4, 3.2)


def _gray(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)


def _high_pass(gray: np.ndarray) -> np.ndarray:
    return gray - cv2.GaussianBlur(gray, (0, 0), HIGH_PASS_SIGMA)


def _high_pass_gain() -> float:
    """How much of white noise's std the high-pass keeps, so a high-pass MAD reads as a noise sigma."""
    k = cv2.getGaussianKernel(9, HIGH_PASS_SIGMA)
    k2 = k @ k.T
    centre = np.zeros_like(k2)
    centre[4, 4] = 1
    return float(np.sqrt(((centre - k2) ** 2).sum()))


_GAIN = _high_pass_gain()


def noise_sigma(rgb: np.ndarray, where: np.ndarray) -> float:
    """Noise std (in 0..255 grey levels) of rgb over the bool mask where: robust MAD of a high-pass."""
    values = _high_pass(_gray(rgb))[where]
    if values.size < 16:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))) / _GAIN)


def sharpness(rgb: np.ndarray, where: np.ndarray) -> float:
    """Mean absolute Laplacian over where: higher is sharper."""
    values = np.abs(cv2.Laplacian(_gray(rgb), cv2.CV_32F))[where]
    return float(values.mean()) if values.size else 0.0


def match_blur(fg_rgb: np.ndarray, fg_where: np.ndarray, scene_rgb: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """fg blurred just enough that it is no sharper than the scene's ring (unchanged when the scene is as sharp)."""
    target = sharpness(scene_rgb, ring)
    if sharpness(fg_rgb, fg_where) <= target:
        return fg_rgb
    for sigma in BLUR_STEPS:
        blurred = cv2.GaussianBlur(fg_rgb, (0, 0), sigma)
        if sharpness(blurred, fg_where) <= target:
            return blurred
    return blurred


def grain(shape, fg_rgb: np.ndarray, fg_where: np.ndarray, scene_rgb: np.ndarray, ring: np.ndarray) -> np.ndarray | None:
    """Grey noise (float, 0..1 units, seeded so renders repeat) that tops the product's noise up to the scene's."""
    missing = noise_sigma(scene_rgb, ring) ** 2 - noise_sigma(fg_rgb, fg_where) ** 2
    if missing <= 1.0:  # less than one grey level: invisible
        return None
    noise = np.random.default_rng(0).standard_normal(shape[:2], np.float32)
    return noise * np.float32(np.sqrt(missing) / 255)
