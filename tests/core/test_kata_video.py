"""Kata in video, around the tracker: a clip's frames (upright, by presentation time, in order or
one at a time), bad clips refused clearly, and the tracking job storing its track in the recipe
as one undoable step (or nothing at all when it fails, is cancelled or meets a plain scene)."""

from __future__ import annotations

import random
from fractions import Fraction
from functools import partial
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.kata_video import job
from studio.core.kata_video.frames import VideoFrames
from studio.core.ops.compositions import add_recipe_clip, create_composition
from studio.core.ops.kata import create_recipe, load_recipe
from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.media import MediaResolver
from studio.core.timeline.edits import split_clip
from studio.core.timeline.model import Composition, KataClip, MediaClip, Track
from studio.core.timeline.store import load_composition
from studio.kata.recipe import PlacementSpec
from studio.kata.track.model import OTHER_SHOT, TRACKED
from tests.core.render import BITS, read_barcode
from tests.core.timeline.test_kata_clip import bottle_file
from tests.kata.clips import CAT, flat_clip
from tests.kata.scenes import floor_scene
from tests.team_server import open_new_library

SIZE = (320, 180)  # the tracked clips' frames
PAN = (2.0, 0.7)  # pixels the camera pans per frame (x, y)
CUT = (20, 30)  # frames that show another shot (the cat), to the clip's end
AT = PlacementSpec(x=160, y=150, height_px=40)  # on the floor of frame ANCHOR
ANCHOR = 10
BOTTLE_GREEN = np.array((30, 120, 60))


def write_clip(path: Path, frames, *, fps: int = 25, pts_ms: list[int] | None = None, rotation: int = 0) -> Path:
    """Encode RGB frames to H.264 MP4 with PyAV: at a constant rate, or at the given presentation
    times in milliseconds (a variable-frame-rate clip), optionally marked as filmed turned
    (display rotation, degrees counter-clockwise, as phones write it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        first = None
        for i, rgb in enumerate(frames):
            if first is None:
                first = rgb
                stream.width, stream.height, stream.pix_fmt = rgb.shape[1], rgb.shape[0], "yuv420p"
                stream.options = {"preset": "ultrafast", "crf": "12"}
                if pts_ms is not None:
                    stream.codec_context.time_base = stream.time_base = Fraction(1, 1000)
                if rotation:
                    stream.set_display_rotation(rotation)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            if pts_ms is not None:
                frame.pts, frame.time_base = pts_ms[i], Fraction(1, 1000)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def barcodes(n: int, size=(128, 32)):
    """Frame i shows i as stripes (tests.core.render's barcode)."""
    w, h = size
    for i in range(n):
        pixels = np.zeros((h, w, 3), np.uint8)
        for bit in range(BITS):
            if i >> (BITS - 1 - bit) & 1:
                pixels[:, bit * w // BITS:(bit + 1) * w // BITS] = 255
        yield pixels


def number(rgb: np.ndarray) -> int:
    return read_barcode(rgb[rgb.shape[0] // 2])


def floor_frames(n: int = 30, cut: tuple[int, int] | None = CUT) -> list[np.ndarray]:
    """A camera panning over a textured tiled floor (frame i is the floor moved by -i * PAN: the
    truth is a pure translation), with frames cut[0]..cut[1]-1 showing another shot."""
    rgb, _truth = floor_scene(size=(480, 300), horizon_y=80, seed=3)
    grain = cv2.GaussianBlur(np.random.default_rng(1).normal(0, 1, (300, 480)).astype(np.float32), (0, 0), 1.2)
    rgb = np.clip(rgb + 60 * grain[..., None], 0, 255).astype(np.uint8)  # a carpet-like grain to track
    other = cv2.resize(cv2.cvtColor(cv2.imread(str(CAT)), cv2.COLOR_BGR2RGB), SIZE, interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(n):
        if cut and cut[0] <= i < cut[1]:
            frames.append(other)
        else:
            shift = np.float32([[1, 0, -40 - PAN[0] * i], [0, 1, -40 - PAN[1] * i]])
            frames.append(cv2.warpAffine(rgb, shift, SIZE, flags=cv2.INTER_LINEAR))
    return frames


def greenness(rgb: np.ndarray) -> np.ndarray:
    """How much each pixel looks like the test bottle's green (its body is (30, 120, 60))."""
    p = rgb.astype(int)
    return (p[..., 1] - np.maximum(p[..., 0], p[..., 2])) > 40


def tracked_library(open_library, root: Path, clip: Path, bottle: Path, anchor: int = ANCHOR):
    """A library holding a video recipe for clip (not yet tracked); returns (lib, recipe id)."""
    lib = open_library(root)
    recipe = job.video_recipe("Bottle in the clip", str(clip), str(bottle), anchor, AT, height_m=0.25)
    return lib, create_recipe(lib, recipe).value


VFR_MS = np.cumsum([0] + random.Random(5).choices([20, 33, 40, 66, 90], k=29)).tolist()  # 30 frames over ~1.4 s


@pytest.fixture(scope="module")
def vfr_clip(tmp_path_factory):
    return write_clip(tmp_path_factory.mktemp("vfr") / "vfr.mp4", barcodes(30), pts_ms=VFR_MS)


def test_a_variable_frame_rate_clip_is_indexed_by_presentation_time(vfr_clip):
    frames = VideoFrames(vfr_clip)
    try:
        assert len(frames) == 30 and frames.size == (128, 32)
        assert np.allclose(frames.times, np.array(VFR_MS) / 1000)
        assert [number(f) for f in frames.frames()] == list(range(30))  # in order
        order = random.Random(1).sample(range(30), 30)
        assert [number(frames.frame(i)) for i in order] == order  # one at a time, by seeking
        # at any time, the frame on screen is the latest that started at or before it
        for t in (0.0, 0.019, 0.02, VFR_MS[10] / 1000 - 0.001, VFR_MS[10] / 1000, 5.0):
            assert frames.index_at(t) == max(i for i in range(30) if VFR_MS[i] / 1000 <= t or i == 0)
    finally:
        frames.close()


def test_the_timeline_shows_the_frame_the_track_indexes(vfr_clip):
    """A media clip of the same file at 25 fps on the timeline: each timeline frame shows the
    source frame VideoFrames.index_at names for that time."""
    frames = VideoFrames(vfr_clip)
    comp = Composition(width=128, height=32, fps=(25, 1), duration=35,
                       tracks=[Track(kind="video", clips=[MediaClip(path=str(vfr_clip), start=0, duration=35)])])
    with FrameEvaluator(comp, MediaResolver(), backend="cpu") as ev:
        assert [number(ev.frame(k)) for k in range(35)] == [frames.index_at(k / 25) for k in range(35)]
    frames.close()


def test_a_phone_clip_filmed_turned_is_read_upright(tmp_path):
    clip = write_clip(tmp_path / "phone.mp4", barcodes(25), rotation=90)
    frames = VideoFrames(clip)
    try:
        assert frames.rotation == 90 and frames.size == (32, 128)  # portrait, as the phone shows it
        for i, rgb in enumerate(frames.frames()):
            assert rgb.shape == (128, 32, 3)
            assert number(np.rot90(rgb, -1)) == i  # turned a quarter counter-clockwise: stripes run bottom to top
        assert number(np.rot90(frames.frame(17), -1)) == 17
    finally:
        frames.close()


def test_bad_clips_are_refused_saying_what_to_do(tmp_path):
    short = write_clip(tmp_path / "short.mp4", barcodes(20))  # 0.8 s at 25 fps
    with pytest.raises(BadInput, match=r"short\.mp4 lasts 0\.80 s; tracking needs a clip of at least 1 s"):
        VideoFrames(short)
    Image.fromarray(next(barcodes(1))).save(tmp_path / "still.png")
    with pytest.raises(BadInput, match="single frame: it is a picture, not a video clip"):
        VideoFrames(tmp_path / "still.png")
    (tmp_path / "notes.mp4").write_text("not a video")
    with pytest.raises(BadInput, match="notes.mp4 cannot be opened"):
        VideoFrames(tmp_path / "notes.mp4")
    ok = VideoFrames(write_clip(tmp_path / "ok.mp4", barcodes(25)))
    with pytest.raises(BadInput, match=r"Frame 25 is outside ok\.mp4, which has frames 0–24 \(1\.00 s\)"):
        ok.frame(25)
    ok.close()


# ---- the tracking job ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tracked(tmp_path_factory, request):
    """A library whose video recipe was tracked by the job (shared: tracking takes seconds)."""
    folder = tmp_path_factory.mktemp("tracked")
    clip = write_clip(folder / "pan.mp4", floor_frames())
    lib, recipe_id = tracked_library(partial(open_new_library, request), folder / "lib", clip, bottle_file(folder / "bottle.png"))
    outcome = job.run(job.TrackParams(recipe_id), JobState(), lib=lib)
    yield lib, recipe_id, clip, outcome
    lib.close()


def test_the_job_stores_the_track_in_the_recipe_as_one_undo_step(tracked):
    lib, recipe_id, _clip, outcome = tracked
    assert outcome.saved and not outcome.featureless and outcome.cuts == 1 and outcome.lost == 0
    track = load_recipe(lib, recipe_id).video.tracked()
    assert len(track) == 30 and track.cuts == [CUT[0]] and track.anchor == ANCHOR
    assert (track.state[:CUT[0]] == TRACKED).all() and (track.state[CUT[0]:] == OTHER_SHOT).all()
    # the floor moved by -PAN a frame: the placement's base follows it to within a pixel
    base = np.array([[AT.x, AT.y]])
    for i in (0, 5, 19):
        assert np.allclose(track.map_points(i, base), base - np.array(PAN) * (i - ANCHOR), atol=1.0)
    assert lib.undo.undo_label() == "Track Kata placement"


def test_retracking_from_another_frame_moves_the_anchor_and_undo_brings_the_old_track_back(tracked):
    lib, recipe_id, _clip, _outcome = tracked
    before = load_recipe(lib, recipe_id).to_document()
    moved = {"x": 120.0, "y": 140.0, "height_px": 36.0, "rotation_deg": 0.0}
    outcome = job.run(job.TrackParams(recipe_id, anchor=15, placement=moved), JobState(), lib=lib)
    after = load_recipe(lib, recipe_id)
    assert outcome.saved and after.video.anchor == 15 and after.placement.x == 120.0
    assert np.allclose(after.video.tracked().map_points(0, np.array([[120.0, 140.0]])), [[120 + 15 * PAN[0], 140 + 15 * PAN[1]]], atol=1.0)
    assert lib.undo.undo_label() == "Retrack from frame 15"
    lib.undo.undo()
    assert load_recipe(lib, recipe_id).to_document() == before


def test_a_cancelled_or_failed_job_leaves_the_recipe_as_it_was(tracked):
    from studio.core.errors import Cancelled

    lib, recipe_id, _clip, _outcome = tracked
    before, label = load_recipe(lib, recipe_id).to_document(), lib.undo.undo_label()
    state = JobState(lambda: state.progress and state.progress > 0.3 and state.cancel())  # Cancel pressed mid-way
    with pytest.raises(Cancelled):
        job.run(job.TrackParams(recipe_id, anchor=5), state, lib=lib)
    with pytest.raises(BadInput, match="The anchor frame 30 is outside pan.mp4, which has frames 0–29"):
        job.run(job.TrackParams(recipe_id, anchor=30), JobState(), lib=lib)
    assert load_recipe(lib, recipe_id).to_document() == before and lib.undo.undo_label() == label


def test_a_recipe_a_colleague_changes_while_it_is_tracked_keeps_their_change(tracked):
    from studio.core.changes import session_of
    from studio.core.library import Library
    from studio.core.ops.kata import save_recipe

    lib, recipe_id, _clip, _outcome = tracked
    colleague = Library.open(lib.root, lock=False)
    session_of(colleague).own_name = "Bob"

    def bob_renames_it():
        if state.progress and state.progress > 0.3 and load_recipe(colleague, recipe_id).name != "Bob's bottle":
            save_recipe(colleague, recipe_id, load_recipe(colleague, recipe_id).model_copy(update={"name": "Bob's bottle"}))

    state = JobState(bob_renames_it)
    try:
        outcome = job.run(job.TrackParams(recipe_id, anchor=5), state, lib=lib)
        assert not outcome.saved and "changed by Bob while it was being tracked" in outcome.message
        recipe = load_recipe(lib, recipe_id)
        assert recipe.name == "Bob's bottle" and recipe.video.anchor != 5
    finally:
        colleague.close()


def test_a_featureless_scene_offers_a_fixed_placement_which_holds_still_in_its_shot(tmp_path, new_library):
    plain = flat_clip(size=SIZE, n=26)
    clip = write_clip(tmp_path / "wall.mp4", plain.frames())
    lib, recipe_id = tracked_library(new_library, tmp_path / "lib", clip, bottle_file(tmp_path / "bottle.png"), anchor=13)
    try:
        before = load_recipe(lib, recipe_id).to_document()
        outcome = job.run(job.TrackParams(recipe_id), JobState(), lib=lib)
        assert not outcome.saved and outcome.featureless
        assert "too little texture" in outcome.message and outcome.message.endswith(job.FIXED_OFFER)
        assert load_recipe(lib, recipe_id).to_document() == before  # nothing saved
        untracked = Composition(width=SIZE[0], height=SIZE[1], duration=5,
                                tracks=[Track(kind="video", clips=[KataClip(recipe_id=recipe_id, start=0, duration=5)])])
        with FrameEvaluator(untracked, MediaResolver(lib), backend="cpu") as ev:  # offline on the timeline until tracked
            assert [o["reason"] for o in ev.offline] == ["its placement in the video has not been tracked yet; track it in the Kata workspace"]

        outcome = job.run(job.TrackParams(recipe_id, fixed=True), JobState(), lib=lib)
        recipe = load_recipe(lib, recipe_id)
        track = recipe.video.tracked()
        assert outcome.saved and recipe.video.fixed and lib.undo.undo_label() == "Use a fixed placement"
        assert (track.state == TRACKED).all() and np.allclose(track.homographies, np.eye(3))
    finally:
        lib.close()


def test_a_tracked_recipe_plays_as_video_on_the_timeline(tracked, tmp_path):
    """Timeline frame k of a kata clip starting 0.2 s into the clip shows source frame
    index_at(0.2 + k / 25): the product where the track puts it, and not at all in the other shot."""
    lib, recipe_id, clip, _outcome = tracked
    track = load_recipe(lib, recipe_id).video.tracked()
    source = VideoFrames(clip)
    kata = KataClip(recipe_id=recipe_id, start=0, duration=25, source_in=0.2, fit="cover")
    comp = Composition(width=SIZE[0], height=SIZE[1], fps=(25, 1), duration=25, tracks=[Track(kind="video", clips=[kata])])
    with FrameEvaluator(comp, MediaResolver(lib), backend="cpu") as ev:
        for k in (0, 1, 2, 9, 14, 20):
            i = source.index_at(0.2 + k / 25)
            shown = ev.frame(k)[..., :3]
            green = greenness(shown) & ~greenness(source.frame(i))
            if track.state[i] == TRACKED:
                x, y = track.map_points(i, np.array([[AT.x, AT.y]]))[0]
                ys, xs = np.nonzero(green)
                assert len(xs) > 100 and abs(xs.mean() - x) < 6 and y - 45 < ys.mean() < y  # standing on its base
            else:
                assert not green.any() and np.abs(shown.astype(int) - source.frame(i)).mean() < 2
        assert ev.problems == []
    source.close()


def test_a_tracked_recipe_added_to_a_composition_lasts_its_clip_and_splits_where_its_video_is(tracked):
    lib, recipe_id, clip, _outcome = tracked
    comp_id = create_composition(lib, Composition(name="Spot", width=SIZE[0], height=SIZE[1], fps=(25, 1), duration=250)).value
    clip_id = add_recipe_clip(lib, comp_id, recipe_id, start=5).value
    source = VideoFrames(clip)
    added = next(c for _t, c in load_composition(lib, comp_id).clips() if c.id == clip_id)
    assert added.duration == round(source.duration * 25)  # not the 5 s a still gets
    source.close()

    comp = load_composition(lib, comp_id)
    track = next(t for t in comp.tracks if any(c.id == clip_id for c in t.clips))
    right_id = split_clip(comp, track, added, 15)
    right = next(c for c in track.clips if c.id == right_id)
    assert right.source_in == pytest.approx(10 / 25)  # the second half plays on from 0.4 s into the video


def test_a_turned_variable_rate_phone_clip_tracks_and_plays_at_the_right_times(tmp_path, new_library):
    """Filmed turned (display rotation 90°) at an uneven rate: tracked upright, and the timeline at
    25 fps shows, at each of its frames, the source frame on screen then."""
    # 176 rows, not 180: FFmpeg's RGBA conversion garbles the last columns of 180-pixel-wide frames
    upright = [f[:176] for f in floor_frames(30, cut=None)]
    pts_ms = np.cumsum([0] + random.Random(2).choices([28, 40, 52], k=29)).tolist()
    clip = write_clip(tmp_path / "phone.mp4", (np.rot90(f, -1) for f in upright), pts_ms=pts_ms, rotation=90)
    lib, recipe_id = tracked_library(new_library, tmp_path / "lib", clip, bottle_file(tmp_path / "bottle.png"))
    try:
        assert job.run(job.TrackParams(recipe_id), JobState(), lib=lib).saved
        track = load_recipe(lib, recipe_id).video.tracked()
        assert track.size == (320, 176) and track.cuts == [] and (track.state == TRACKED).all()
        base = np.array([[AT.x, AT.y]])
        for i in (0, 20, 29):
            assert np.allclose(track.map_points(i, base), base - np.array(PAN) * (i - ANCHOR), atol=1.0)

        source = VideoFrames(clip)
        kata = KataClip(recipe_id=recipe_id, start=0, duration=30, fit="cover")
        comp = Composition(width=320, height=176, fps=(25, 1), duration=30, tracks=[Track(kind="video", clips=[kata])])
        with FrameEvaluator(comp, MediaResolver(lib), backend="cpu") as ev:
            for k in (3, 17, 26):
                i = source.index_at(k / 25)
                shown = ev.frame(k)[:90, :, :3].astype(int)  # the wall and floor above the product
                assert np.abs(shown - source.frame(i)[:90]).mean() < 1
                assert min(np.abs(shown - source.frame(j)[:90]).mean() for j in (i - 1, i + 1)) > 5  # not a neighbour
        source.close()
    finally:
        lib.close()


def test_a_variable_rate_clip_is_written_at_a_steady_rate_showing_the_frame_on_screen(vfr_clip):
    from studio.core.kata_video.write import on_output_frames, output_count

    frames = VideoFrames(vfr_clip)
    try:
        shown = [number(f) for f in on_output_frames(frames, frames.frames())]
        assert len(shown) == output_count(frames) == round(frames.duration * frames.rate)
        assert shown == [frames.index_at(k / frames.rate) for k in range(len(shown))]
        assert len(set(shown)) < len(shown) and set(range(30)) - set(shown)  # uneven: some frames held, some skipped
    finally:
        frames.close()
