from pathlib import Path

import cv2
import numpy as np
import pytest

from studio.core.errors import BadInput
from studio.kata.analysis import analyze, analyze_path
from studio.kata.analysis.scene import Face
from studio.kata.images import load_rgb

from .scenes import floor_scene, table_scene, wall_scene

ASTRONAUT = Path(__file__).parents[1] / "data" / "astronaut-wide.jpg"


@pytest.mark.parametrize("size, horizon_y", [((1024, 768), 300.0), ((1024, 768), 160.0), ((800, 800), 400.0), ((640, 480), 96.0)])
def test_floor_scene_horizon_and_scale(size, horizon_y):
    rgb, truth = floor_scene(size, horizon_y)  # camera at the 1.5 m prior: nothing in a bare floor tells it apart
    scene = analyze(rgb)
    w, h = size
    assert abs(scene.horizon_y - truth.horizon_y) < 0.03 * h
    assert scene.vanishing_points
    assert [s.kind for s in scene.surfaces] == ["floor"]
    for row in (0.7 * h, 0.85 * h, h - 10):
        assert scene.px_per_metre(w / 2, row) == pytest.approx(truth.px_per_metre(row), rel=0.15)
    assert scene.px_per_metre(512, scene.horizon_y - 5) == 0.0


def test_floor_scene_reports_the_floor_and_nothing_raised():
    rgb, truth = floor_scene()
    scene = analyze(rgb)
    kinds = [s.kind for s in scene.surfaces]
    assert kinds == ["floor"]
    floor = scene.surfaces[0]
    assert floor.mask.shape == scene.saliency.shape
    truth_rows = np.nonzero(truth.floor_mask.any(1))[0]
    assert abs(floor.box[1] - truth_rows.min()) < 0.03 * rgb.shape[0]
    assert floor.box[3] == rgb.shape[0]
    assert scene.surface_at(512, 700) is floor
    assert scene.surface_at(512, 100) is None


@pytest.mark.parametrize("size, horizon_y, table_height_m", [
    ((1024, 768), 260.0, 0.75), ((640, 480), 96.0, 0.75), ((1920, 1080), 300.0, 0.6), ((800, 800), 280.0, 0.9),
])
def test_table_scene_finds_the_table_top_inside_the_truth(size, horizon_y, table_height_m):
    rgb, truth = table_scene(size, horizon_y, table_height_m=table_height_m)
    scene = analyze(rgb)
    tables = [s for s in scene.surfaces if s.kind == "table"]
    assert len(tables) == 1
    x0, y0, x1, y1 = tables[0].box
    tx0, ty0, tx1, ty1 = truth.table_top_box
    assert tx0 - 2 <= x0 < x1 <= tx1 + 2 and ty0 - 2 <= y0 < y1 <= ty1 + 2
    assert (x1 - x0) > 0.6 * (tx1 - tx0)
    # Measured from where the front face meets the floor, not the 0.75 m default.
    assert tables[0].height_m == pytest.approx(table_height_m, abs=0.06)
    # A point on the top is on the table, not the floor under it.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    assert scene.surface_at(cx, cy) is tables[0]
    assert scene.px_per_metre(cx, y1, tables[0].height_m) == pytest.approx(truth.px_per_metre(y1, truth.table_height_m), rel=0.15)
    # The floor is still there, beside the table.
    assert any(s.kind == "floor" for s in scene.surfaces)


def test_a_high_top_is_a_shelf():
    rgb, _ = table_scene(table_height_m=1.05)
    kinds = {s.kind: s for s in analyze(rgb).surfaces}
    assert set(kinds) == {"shelf", "floor"}
    assert kinds["shelf"].height_m == pytest.approx(1.05, abs=0.06)


def test_wall_scene_has_nothing_to_stand_on():
    rgb, _ = wall_scene()
    scene = analyze(rgb)
    assert not [s for s in scene.surfaces if s.kind in ("floor", "table", "shelf")]
    assert scene.notes  # the horizon is only a guess, and the result says so
    assert scene.camera_height_m == 1.5


def test_astronaut_photo_has_a_face_and_well_formed_maps():
    scene = analyze_path(ASTRONAUT)
    w, h = scene.size
    assert (w, h) == (1024, 576)
    assert scene.faces
    x, y, fw, fh = max(scene.faces, key=lambda f: f.score).box
    # The astronaut's face sits left of centre in the upper half.
    assert 150 < x + fw / 2 < 350 and 60 < y + fh / 2 < 250
    for name in ("saliency", "edges", "depth"):
        m = getattr(scene, name)
        assert m.dtype == np.float32 and m.shape == (round(h * scene.work_scale), round(w * scene.work_scale))
        assert 0.0 <= m.min() and m.max() <= 1.0
    assert scene.text_mask.dtype == bool
    assert scene.depth_source == "geometric"
    assert np.hypot(*scene.light_dir) == pytest.approx(1.0)
    assert scene.light_dir[1] < 0  # light from above


def test_big_photo_is_analysed_at_work_scale_with_full_res_results():
    rgb, truth = floor_scene(size=(3000, 2000), horizon_y=800.0)
    scene = analyze(rgb)
    assert scene.work_scale == pytest.approx(1024 / 3000)
    assert scene.saliency.shape[1] == 1024
    assert abs(scene.horizon_y - 800) < 0.03 * 2000
    assert scene.px_per_metre(1500, 1800) == pytest.approx(truth.px_per_metre(1800), rel=0.15)


def test_geometric_depth_grows_towards_the_horizon():
    rgb, _ = floor_scene()
    scene = analyze(rgb)
    column = scene.depth[:, scene.depth.shape[1] // 2]
    near, mid, wall = column[-5], column[int(600 * scene.work_scale)], column[50]
    assert near < mid < wall
    assert wall == pytest.approx(column[int(320 * scene.work_scale)])  # the back wall stands at one depth


def test_face_overlap_is_the_covered_fraction_of_the_face():
    rgb, _ = wall_scene()
    scene = analyze(rgb)
    scene.faces = [Face((100, 100, 50, 50), 1.0)]
    assert scene.face_overlap((0, 0, 90, 90)) == 0.0
    assert scene.face_overlap((100, 100, 125, 150)) == pytest.approx(0.5)
    assert scene.face_overlap((0, 0, 500, 500)) == 1.0


def test_bad_image_array_is_refused():
    with pytest.raises(BadInput, match="RGB uint8"):
        analyze(np.zeros((100, 100), np.float32))


def test_overlaid_text_is_marked_and_plain_scenes_are_not():
    rgb = np.full((480, 640, 3), (90, 140, 200), np.uint8)
    cv2.putText(rgb, "SALE 50% OFF", (60, 200), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (255, 255, 255), 5)
    scene = analyze(rgb)
    ys, xs = np.nonzero(scene.text_mask)
    assert 50 <= xs.min() < 80 and 500 < xs.max() < 540 and 140 < ys.min() and ys.max() < 215
    assert not analyze(floor_scene()[0]).text_mask.any()


def test_a_face_model_that_is_not_yunet_is_refused(tmp_path):
    (tmp_path / "faces.onnx").write_bytes(b"not a model")
    with pytest.raises(BadInput, match="faces.onnx does not work as a YuNet face model"):
        analyze(floor_scene(size=(320, 240), horizon_y=100)[0], face_model=tmp_path / "faces.onnx")
    with pytest.raises(BadInput, match="Face model not found"):
        analyze(floor_scene(size=(320, 240), horizon_y=100)[0], face_model=tmp_path / "missing.onnx")


@pytest.mark.parametrize("yaw_deg", [25.0, 45.0])
def test_turned_tiles_give_two_vanishing_points_on_the_horizon(yaw_deg):
    rgb, truth = floor_scene(yaw_deg=yaw_deg)
    scene = analyze(rgb)
    assert len(scene.vanishing_points) == 2
    left, right = sorted(x for x, _ in scene.vanishing_points)
    assert left < 512 < right  # one each side of the centre
    for _, y in scene.vanishing_points:
        assert abs(y - truth.horizon_y) < 0.03 * rgb.shape[0]
    assert scene.px_per_metre(512, 600) == pytest.approx(truth.px_per_metre(600), rel=0.15)


def test_light_direction_points_at_the_bright_side():
    ramp = np.linspace(40, 230, 640, dtype=np.float32)[None, :, None]
    rgb = np.broadcast_to(ramp, (480, 640, 3)).astype(np.uint8)
    dx, dy = analyze(rgb).light_dir
    assert dx > 0.5 and dy < 0  # from the bright right, and from above
    dx, _ = analyze(rgb[:, ::-1].copy()).light_dir
    assert dx < -0.5


def test_a_face_sets_the_camera_height():
    """A real face pasted where a standing adult's eyes (1.6 m) would be, 3 m away, seen by a
    camera 1.2 m up: the 1.5 m prior would be 25 % off; the face puts it right."""
    rgb, truth = floor_scene(camera_height_m=1.2)
    px_per_m = truth.focal_px / 3.0
    face_x, face_y, face_h, margin = 198, 75, 107, 40  # the astronaut's face in the test photo
    k = 0.23 * px_per_m / face_h
    crop = load_rgb(ASTRONAUT)[face_y - margin: face_y + face_h + margin, face_x - margin: face_x + face_h + margin]
    crop = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    eye_y = truth.horizon_y + truth.focal_px * (1.2 - 1.6) / 3.0
    top = round(eye_y - (margin + 0.45 * face_h) * k)
    rgb[top: top + crop.shape[0], 600: 600 + crop.shape[1]] = crop
    scene = analyze(rgb)
    assert len(scene.faces) == 1
    assert scene.camera_height_m == pytest.approx(1.2, rel=0.1)
    assert scene.px_per_metre(512, 600) == pytest.approx(truth.px_per_metre(600), rel=0.1)
