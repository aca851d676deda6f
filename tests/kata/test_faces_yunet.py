"""A user YuNet face model: the success path, with a tiny ONNX model built here that has
YuNet's interface (input "input" 1×3×H×W; outputs cls/obj/bbox/kps at strides 8, 16, 32,
each 1×cells×{1,1,4,10}) and whose outputs encode one face at a known box, whatever the image."""

from __future__ import annotations

import math

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from studio.kata.analysis import analyze
from studio.kata.placement import find_zones, stand_in

from .scenes import floor_scene

SIZE = 320  # the model's fixed input: the scene's size, so no padding is added
STRIDES = (8, 16, 32)
HEADS = (("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10))
# One face in the stride-32 grid at row 3, column 4: centre ((4 + 0.5) * 32, (3 + 0.5) * 32) =
# (144, 112), size (e^ln2 * 32, e^ln2.5 * 32) = 64 × 80, so its box is x 112, y 72; score
# sqrt(cls * obj) = 0.9.
CELL, FACE_BOX, SCORE = (3, 4), (112, 72, 64, 80), 0.9


def yunet_like(path):
    """Each output: the input average-pooled to its grid, a zero 1×1 convolution, plus a fixed map,
    laid out as YuNet's (1, cells, channels)."""
    values = {"cls": [SCORE], "obj": [SCORE], "bbox": [0.5, 0.5, math.log(2), math.log(2.5)], "kps": [0.5] * 10}
    nodes, inits, outputs = [], [], []
    for head, channels in HEADS:
        for stride in STRIDES:
            rows = cols = SIZE // stride
            fixed = np.zeros((1, channels, rows, cols), np.float32)
            if stride == 32:
                fixed[0, :, CELL[0], CELL[1]] = values[head]
            name = f"{head}_{stride}"
            inits += [numpy_helper.from_array(fixed, f"{name}_map"),
                      numpy_helper.from_array(np.zeros((channels, 3, 1, 1), np.float32), f"{name}_w"),
                      numpy_helper.from_array(np.array([1, -1, channels], np.int64), f"{name}_shape")]
            nodes += [helper.make_node("AveragePool", ["input"], [f"{name}_pool"], kernel_shape=[stride] * 2, strides=[stride] * 2),
                      helper.make_node("Conv", [f"{name}_pool", f"{name}_w"], [f"{name}_zero"]),
                      helper.make_node("Add", [f"{name}_zero", f"{name}_map"], [f"{name}_grid"]),
                      helper.make_node("Transpose", [f"{name}_grid"], [f"{name}_cells"], perm=[0, 2, 3, 1]),
                      helper.make_node("Reshape", [f"{name}_cells", f"{name}_shape"], [name])]
            outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, rows * cols, channels]))
    graph = helper.make_graph(nodes, "yunet_like", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
                              outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # what OpenCV's importer reads
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def test_a_yunet_model_reports_its_face_and_zones_keep_off_it(tmp_path):
    model = yunet_like(tmp_path / "face_detection_yunet.onnx")
    rgb, _truth = floor_scene(size=(SIZE, SIZE), horizon_y=100.0)
    scene = analyze(rgb, face_model=model)
    assert [f.box for f in scene.faces] == [FACE_BOX]
    assert scene.faces[0].score == pytest.approx(SCORE, abs=1e-4)
    assert analyze(rgb).faces == []  # the cascades see no face in a bare floor: this one came from the model
    zones, _heat = find_zones(scene, stand_in("bottle"))
    assert zones and all(scene.face_overlap(z.box) == 0 for z in zones)
