import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from studio.core.errors import BadInput
from studio.kata.analysis import analyze
from studio.kata.analysis.depth import load_depth_model

from .scenes import floor_scene


def _brightness_model(path, *, channels=3, size=(32, 32), sidecar=None):
    """A tiny real ONNX model: a 1×1 Conv averaging the channels, then Sigmoid, [1,C,H,W] → [1,H,W].
    Bright pixels come out large, as near pixels do in an inverse-depth model. size None
    makes H and W dynamic."""
    h, w = size if size else ("height", "width")
    weight = helper.make_tensor("w", TensorProto.FLOAT, [1, channels, 1, 1], [4.0 / channels] * channels)
    bias = helper.make_tensor("b", TensorProto.FLOAT, [1], [-2.0])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    graph = helper.make_graph(
        [helper.make_node("Conv", ["image", "w", "b"], ["c"]),
         helper.make_node("Sigmoid", ["c"], ["s"]),
         helper.make_node("Squeeze", ["s", "axes"], ["depth"])],
        "brightness",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, channels, h, w])],
        [helper.make_tensor_value_info("depth", TensorProto.FLOAT, [1, h, w])],
        [weight, bias, axes],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    spec = {"input_size": list(size) if size else "keep_aspect", "layout": "NCHW", "color_order": "RGB",
            "scale": 1 / 255, "mean": None, "std": None, "output_kind": "inverse_relative"}
    spec.update(sidecar or {})
    path.with_suffix(".json").write_text(json.dumps(spec))
    return path


def _left_bright(w=200, h=120):
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[:, : w // 2] = 230
    rgb[:, w // 2:] = 30
    return rgb


def test_inverse_depth_is_flipped_so_bright_near_pixels_read_near(tmp_path):
    model = load_depth_model(_brightness_model(tmp_path / "tiny.onnx"))
    depth = model.predict(_left_bright())
    assert depth.shape == (120, 200) and depth.dtype == np.float32
    assert depth[:, :80].mean() < 0.1 and depth[:, 120:].mean() > 0.9


def test_relative_depth_is_kept_as_is(tmp_path):
    model = load_depth_model(_brightness_model(tmp_path / "tiny.onnx", sidecar={"output_kind": "relative"}))
    depth = model.predict(_left_bright())
    assert depth[:, :80].mean() > 0.9 and depth[:, 120:].mean() < 0.1


def test_keep_aspect_model_with_dynamic_size(tmp_path):
    path = _brightness_model(tmp_path / "dyn.onnx", size=None, sidecar={"multiple_of": 16, "long_side": 64})
    model = load_depth_model(path)
    assert model._prepare(_left_bright()).shape == (1, 3, 32, 64)
    assert model.predict(_left_bright())[:, :80].mean() < 0.1


def test_analyze_uses_the_model_and_names_it(tmp_path):
    rgb, _ = floor_scene(size=(320, 240), horizon_y=100)
    scene = analyze(rgb, depth_model=_brightness_model(tmp_path / "tiny.onnx"))
    assert scene.depth_source == "onnx:tiny.onnx"
    assert scene.depth.shape == scene.saliency.shape
    assert 0 <= scene.depth.min() and scene.depth.max() <= 1
    # The wall is brighter than the floor's dark tiles, so this toy model calls it nearer.
    assert scene.depth[20].mean() < scene.depth[-20].mean()


@pytest.mark.parametrize("sidecar, build, message", [
    ({"input_size": [64, 48]}, {}, r"input_size \[64, 48\].*needs input_size \[32, 32\]"),
    ({"layout": "NHWC"}, {}, r"layout NHWC.*3 channels at axis 3, found 32.*NCHW"),
    ({}, {"channels": 1}, r"3 channels at axis 1, found 1"),
    ({"input_size": "keep_aspect"}, {}, r"keep_aspect.*needs input_size \[32, 32\]"),
    ({"output_kind": "disparity"}, {}, r"output_kind is 'disparity'"),
    ({"mean": [0.5, 0.5, 0.5]}, {}, r"mean and std must both"),
])
def test_mismatched_sidecar_names_the_mismatch(tmp_path, sidecar, build, message):
    path = _brightness_model(tmp_path / "tiny.onnx", sidecar=sidecar, **build)
    with pytest.raises(BadInput, match=message):
        load_depth_model(path)


def test_missing_sidecar_and_broken_model_are_refused(tmp_path):
    path = _brightness_model(tmp_path / "tiny.onnx")
    path.with_suffix(".json").unlink()
    with pytest.raises(BadInput, match="no sidecar tiny.json"):
        load_depth_model(path)
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not onnx")
    broken.with_suffix(".json").write_text("{}")
    with pytest.raises(BadInput, match="not an ONNX model"):
        load_depth_model(broken)
