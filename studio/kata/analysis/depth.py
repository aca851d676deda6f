"""Depth maps (float32 0..1, 1 = farthest): from a user ONNX model with a JSON sidecar, or
a geometric estimate from the horizon and support surfaces.

The sidecar `<model>.json` says how to feed the model, e.g. for MiDaS v2.1 small:
    {"input_size": [256, 256], "layout": "NCHW", "color_order": "RGB", "scale": 0.00392156862745098,
     "mean": null, "std": null, "output_kind": "inverse_relative"}
input_size may be "keep_aspect" with "multiple_of" (and optional "long_side").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from studio.core.errors import BadInput

OUTPUT_KINDS = ("inverse_relative", "metric", "relative")


@dataclass
class DepthModel:
    name: str
    session: object  # onnxruntime.InferenceSession
    input_size: tuple[int, int] | None  # (w, h), or None for keep-aspect
    multiple_of: int
    long_side: int
    layout: str
    color_order: str
    scale: float | str
    mean: np.ndarray | None
    std: np.ndarray | None
    output_kind: str

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        """Depth for rgb at its own size, 0..1 with 1 = farthest."""
        h, w = rgb.shape[:2]
        x = self._prepare(rgb)
        feed = {self.session.get_inputs()[0].name: x}
        raw = np.asarray(self.session.run(None, feed)[0], np.float32).squeeze()
        if raw.ndim != 2:
            raise BadInput(f"{self.name} returned an output of shape {raw.shape}; a depth model must return one map (1×H×W). Check the model file.")
        raw = cv2.resize(raw, (w, h), interpolation=cv2.INTER_CUBIC)
        lo, hi = np.percentile(raw, (2, 98))
        depth = np.clip((raw - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(raw)
        return (1 - depth if self.output_kind == "inverse_relative" else depth).astype(np.float32)

    def _prepare(self, rgb: np.ndarray) -> np.ndarray:
        size = self.input_size or _keep_aspect(rgb.shape[1::-1], self.long_side, self.multiple_of)
        x = cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC).astype(np.float32)
        if self.color_order == "BGR":
            x = x[..., ::-1]
        x = x / max(float(x.max()), 1e-6) if self.scale == "max" else x * float(self.scale)
        if self.mean is not None:
            x = (x - self.mean) / self.std
        x = x[None]
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2) if self.layout == "NCHW" else x, np.float32)


def _keep_aspect(size, long_side: int, multiple_of: int) -> tuple[int, int]:
    w, h = size
    k = long_side / max(w, h)
    return tuple(max(multiple_of, round(v * k / multiple_of) * multiple_of) for v in (w, h))


def load_depth_model(onnx_path) -> DepthModel:
    """Open a user depth model and check its sidecar against the model's declared shapes."""
    import onnxruntime as ort

    path = Path(onnx_path)
    sidecar = path.with_suffix(".json")
    if not path.is_file():
        raise BadInput(f"Depth model not found: {path}. Pick an .onnx file or leave the depth model empty.")
    if not sidecar.is_file():
        raise BadInput(f"{path.name} has no sidecar {sidecar.name}. Write one beside it saying input_size, layout, color_order, scale, mean/std and output_kind.")
    try:
        spec = json.loads(sidecar.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BadInput(f"{sidecar.name} is not valid JSON ({exc}). Fix the sidecar and try again.") from exc
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise BadInput(f"{path.name} is not an ONNX model onnxruntime can open ({exc}). Check the file.") from exc
    model = _from_spec(path.name, session, spec)
    _check_shapes(model)
    return model


def _from_spec(name: str, session, spec: dict) -> DepthModel:
    def choice(key, options, default):
        value = spec.get(key, default)
        if value not in options:
            raise BadInput(f"{name}.json: {key} is {value!r}; use one of {', '.join(map(repr, options))}.")
        return value

    size = spec.get("input_size")
    if size != "keep_aspect" and not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
        raise BadInput(f"{name}.json: input_size is {size!r}; give [width, height] in pixels or \"keep_aspect\" with multiple_of.")
    scale = spec.get("scale", 1 / 255)
    if scale != "max" and not isinstance(scale, (int, float)):
        raise BadInput(f"{name}.json: scale is {scale!r}; use a number such as 1/255 (0.00392156862745098) or \"max\".")
    mean, std = spec.get("mean"), spec.get("std")
    if (mean is None) != (std is None) or (mean is not None and (len(mean) != 3 or len(std) != 3)):
        raise BadInput(f"{name}.json: mean and std must both be three numbers, or both null when the model normalises itself.")
    return DepthModel(
        name=name, session=session,
        input_size=tuple(size) if size != "keep_aspect" else None,
        multiple_of=int(spec.get("multiple_of", 32)), long_side=int(spec.get("long_side", 518)),
        layout=choice("layout", ("NCHW", "NHWC"), "NCHW"),
        color_order=choice("color_order", ("RGB", "BGR"), "RGB"),
        scale=scale,
        mean=None if mean is None else np.array(mean, np.float32),
        std=None if std is None else np.array(std, np.float32),
        output_kind=choice("output_kind", OUTPUT_KINDS, "inverse_relative"),
    )


def _check_shapes(model: DepthModel) -> None:
    inputs, outputs = model.session.get_inputs(), model.session.get_outputs()
    shape = inputs[0].shape
    where = f"{model.name}: the model's input is {shape} but its sidecar says"
    if len(inputs) != 1 or len(shape) != 4:
        raise BadInput(f"{model.name} takes {len(inputs)} input(s) of rank {len(shape)}; a depth model takes one 4-D image. Check the model.")
    c_axis, h_axis, w_axis = (1, 2, 3) if model.layout == "NCHW" else (3, 1, 2)
    if isinstance(shape[c_axis], int) and shape[c_axis] != 3:
        other = 3 if model.layout == "NCHW" else 1
        hint = f" (is the layout {('NHWC' if model.layout == 'NCHW' else 'NCHW')}?)" if shape[other] == 3 else ""
        raise BadInput(f"{where} layout {model.layout}, which needs 3 channels at axis {c_axis}, found {shape[c_axis]}{hint}. Fix layout in the sidecar.")
    fixed = [shape[h_axis], shape[w_axis]]
    if all(isinstance(v, int) for v in fixed):
        want = [model.input_size[1], model.input_size[0]] if model.input_size else None
        if want != fixed:
            said = f"input_size {list(model.input_size)}" if model.input_size else "keep_aspect"
            raise BadInput(f"{where} {said}; the model needs input_size [{fixed[1]}, {fixed[0]}] (width, height). Fix the sidecar.")
    out = outputs[0].shape
    if len(out) not in (2, 3, 4) or (len(out) == 4 and isinstance(out[1], int) and out[1] != 1):
        raise BadInput(f"{model.name}: its output is {out}; a depth model must output one map (1×H×W or 1×1×H×W). Check the model.")


def geometric_depth(shape: tuple[int, int], horizon_y: float, camera_height_m: float, floor_top_y: float | None,
                    surfaces) -> np.ndarray:
    """Depth at analysis scale from ground-plane geometry: disparity falls linearly towards the
    horizon; everything above where the floor meets the back wall stands at the wall's depth."""
    h, w = shape
    rows = np.arange(h, dtype=np.float32)[:, None] + 0.5
    bottom_disparity = max(h - horizon_y, 1.0) / camera_height_m

    def depth_at(y, height_m):
        disparity = np.maximum(y - horizon_y, 0) / max(camera_height_m - height_m, 1e-3)
        return np.clip(1 - disparity / bottom_disparity, 0, 1)

    depth = np.repeat(depth_at(rows, 0.0), w, axis=1)
    if floor_top_y is not None:
        depth[: int(floor_top_y)] = depth_at(floor_top_y, 0.0)
    for surface in surfaces:
        if surface.height_m > 0:
            depth[surface.mask] = np.broadcast_to(depth_at(rows, surface.height_m), (h, w))[surface.mask]
    return depth.astype(np.float32)
