"""The torch backend: the numpy backend's math on float32 tensors, on CUDA when present.

torch is an optional extra; this module imports it only when a TorchBackend is made.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.core.render.backends import bounding_box, pixel_centre_matrix, whole_pixel_shift
from studio.kata.compose.backends import import_torch


def cuda_available() -> bool:
    return import_torch().cuda.is_available()


class TorchBackend:
    def __init__(self, device: str = "cpu"):
        torch = import_torch()
        import torch.nn.functional as F

        self.torch, self.F = torch, F
        self.device = torch.device(device)
        self.name = f"torch-{self.device.type}"

    def _tensor(self, image):
        if isinstance(image, np.ndarray):
            return self.torch.from_numpy(np.ascontiguousarray(image)).to(self.device, self.torch.float32)
        return image

    def canvas(self, size, colour):
        r, g, b, a = colour
        premultiplied = self.torch.tensor([r * a / 255, g * a / 255, b * a / 255, a], dtype=self.torch.float32, device=self.device)
        return premultiplied.expand(size[1], size[0], 4).clone()

    def copy(self, canvas):
        return canvas.clone()

    def clear(self, size):
        return self.torch.zeros((size[1], size[0], 4), dtype=self.torch.float32, device=self.device)

    def place(self, image, matrix: np.ndarray, dst_size, clip=None, opaque: bool = False):
        h, w = image.shape[:2]
        box = bounding_box(matrix, (w, h), dst_size, clip)
        if box is None:
            return None
        x0, y0, x1, y1 = box
        src = self._tensor(image)
        shift = whole_pixel_shift(matrix)
        if shift is not None:
            dx, dy = shift
            return src[y0 - dy:y1 - dy, x0 - dx:x1 - dx], (x0, y0)
        grid = self._sample_points(pixel_centre_matrix(matrix, (x0, y0)), (x1 - x0, y1 - y0), (w, h))
        sampled = self.F.grid_sample(src.permute(2, 0, 1)[None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        return sampled[0].permute(1, 2, 0), (x0, y0)

    def _sample_points(self, m: np.ndarray, box_size, src_size):
        """Where each pixel of the box samples the layer, in grid_sample's [-1, 1] units. The
        points follow OpenCV's fixed-point warpAffine exactly (1/1024 steps, then a 1/32-pixel
        grid), so both backends pick the same neighbours and weights, edges included."""
        torch = self.torch
        inv = torch.tensor(cv2.invertAffineTransform(m), dtype=torch.float64, device=self.device)
        xs = torch.arange(box_size[0], dtype=torch.float64, device=self.device)
        ys = torch.arange(box_size[1], dtype=torch.float64, device=self.device)[:, None]
        u = (torch.round((inv[0, 1] * ys + inv[0, 2]) * 1024) + 16 + torch.round(inv[0, 0] * xs * 1024)).long() >> 5
        v = (torch.round((inv[1, 1] * ys + inv[1, 2]) * 1024) + 16 + torch.round(inv[1, 0] * xs * 1024)).long() >> 5
        # From 1/32-pixel centre coordinates to the [-1, 1] edge coordinates of align_corners=False.
        grid = torch.stack(((u.double() / 32 + 0.5) * (2 / src_size[0]) - 1, (v.double() / 32 + 0.5) * (2 / src_size[1]) - 1), dim=-1)
        return grid[None].to(torch.float32)

    def blend(self, dst, patch, origin, opacity: float = 1.0, opaque: bool = False) -> None:
        x0, y0 = origin
        patch = self._tensor(patch)
        region = dst[y0:y0 + patch.shape[0], x0:x0 + patch.shape[1]]
        if opacity < 1.0:
            patch = patch * opacity
        elif opaque:
            region.copy_(patch)
            return
        region.mul_(1.0 - patch[..., 3:4] / 255.0).add_(patch)

    def mix(self, a, b, t: float):
        return self.torch.lerp(a, b, t)

    def over(self, dst, src) -> None:
        self.blend(dst, src, (0, 0))

    def output(self, canvas, opaque: bool = False) -> np.ndarray:
        rgb, alpha = canvas[..., :3], canvas[..., 3:4]
        straight = self.torch.where(alpha > 0, rgb * 255.0 / alpha.clamp(min=1e-6), self.torch.zeros_like(rgb))
        out = self.torch.cat((straight, alpha), dim=-1).round_().clamp_(0, 255).to(self.torch.uint8)
        return out.cpu().numpy()
