"""A placement tracked through a video, in the studio: the Kata workspace scrubs through the clip
showing the product where the track puts it, a drag on another frame and Retrack from here make a
new track (a job in the jobs panel; Edit ▸ Undo brings the old one back), a plain scene offers a
fixed placement; on the Creative timeline the clip plays as video from its in-point."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from studio.core.jobs import JobState
from studio.core.kata_video import job
from studio.core.ops.compositions import add_recipe_clip, create_composition
from studio.core.ops.kata import create_recipe, load_recipe
from studio.core.timeline.model import Composition
from studio.ui.workspaces.kata.view import KataView
from tests.core.test_kata_video import (
    ANCHOR,
    AT,
    CUT,
    PAN,
    SIZE,
    floor_frames,
    greenness,
    write_clip,
)
from tests.core.timeline.test_kata_clip import bottle_file
from tests.kata.clips import flat_clip
from tests.ui.creative_fixtures import creative  # noqa: F401 - fixture

WAIT_MS = 60_000  # tracking and compositing on a busy 2-core machine


@pytest.fixture(scope="module")
def clip_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clip")
    return write_clip(folder / "pan.mp4", floor_frames()), bottle_file(folder / "bottle.png")


def video_recipe(lib, clip, bottle, *, tracked: bool = True, anchor: int = ANCHOR) -> int:
    recipe_id = create_recipe(lib, job.video_recipe("Bottle in the clip", str(clip), str(bottle), anchor, AT, height_m=0.25)).value
    if tracked:
        assert job.run(job.TrackParams(recipe_id), JobState(), lib=lib).saved
    return recipe_id


@pytest.fixture
def kata(ctx, qtbot):
    view = KataView(ctx)
    view.messages = []
    ctx.bus.notification.connect(lambda level, text: view.messages.append(text))
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    return view


def open_video(view, qtbot, recipe_id: int) -> None:
    with qtbot.waitSignal(view.frame_ready, timeout=WAIT_MS, raising=False) as shown:
        view.open_recipe(recipe_id)
    assert shown.signal_triggered, view.messages


def scrub(view, qtbot, frame: int) -> None:
    with qtbot.waitSignal(view.frame_ready, timeout=WAIT_MS):
        view.track_bar.slider.setValue(frame)
    assert view.frame_view.index == frame


def drag_product(view, qtbot, dx: float) -> None:
    """Press inside the product's frame on the canvas, move dx scene pixels right, release."""
    rect = view.canvas.frame.rect()
    start = QPointF(rect.center().x(), rect.bottom() - 2)
    viewport = view.canvas.viewport()
    a, b = view.canvas.mapFromScene(start), view.canvas.mapFromScene(start + QPointF(dx, 0))
    qtbot.mousePress(viewport, Qt.LeftButton, pos=a)
    qtbot.mouseMove(viewport, b)
    qtbot.mouseRelease(viewport, Qt.LeftButton, pos=b)


def test_scrub_move_on_another_frame_retrack_and_undo(kata, qtbot, ctx, clip_files):
    view = kata
    recipe_id = video_recipe(ctx.lib, *clip_files)
    open_video(view, qtbot, recipe_id)
    assert view.track_bar.isVisible() and view.track_bar.frame == ANCHOR
    assert view.track_bar.where.text() == f"Frame {ANCHOR} of 30 · tracked · the placement was made here"
    assert not view.save_asset_action.isEnabled() and not view.panel.isEnabled()

    scrub(view, qtbot, 15)  # the floor moved by -5 PAN: so did the product
    assert view.canvas.frame.isVisible()
    assert view.frame_view.contact == pytest.approx((AT.x - 5 * PAN[0], AT.y - 5 * PAN[1]), abs=1.0)
    image = view.frame_view.image
    assert greenness(image).sum() > 20 and image.shape[1] == view.scene.size[0]  # the composite of frame 15, product in it
    scrub(view, qtbot, 25)  # the other shot: no product
    assert not view.canvas.frame.isVisible() and "another shot" in view.track_bar.where.text()

    scrub(view, qtbot, 15)
    before = load_recipe(ctx.lib, recipe_id).to_document()
    drag_product(view, qtbot, 20)
    assert view.pending[0] == 15 and view.pending[1].x == pytest.approx(AT.x - 5 * PAN[0] + 20, abs=1.5)
    assert view.status.text() == "Moved on frame 15: Retrack from here to carry it through the clip."
    assert load_recipe(ctx.lib, recipe_id).to_document() == before  # nothing saved until the retrack

    moved_x = view.pending[1].x
    view.track_bar.retrack.click()
    retrack = next(j for j in ctx.runner.jobs.values() if j.title == "Retrack Bottle in the clip from frame 15")  # in the jobs panel
    qtbot.waitUntil(lambda: retrack.finished, timeout=WAIT_MS)
    assert retrack.status == "done", retrack.error
    recipe = load_recipe(ctx.lib, recipe_id)
    assert recipe.video.anchor == 15 and recipe.placement.x == moved_x and ctx.lib.undo.undo_label() == "Retrack from frame 15"
    qtbot.waitUntil(lambda: view.track_bar.where.text() == "Frame 15 of 30 · tracked · the placement was made here", timeout=WAIT_MS)
    assert view.pending is None and view.frame_view.contact == pytest.approx((moved_x, recipe.placement.y), abs=0.5)

    ctx.lib.undo.undo()  # the old track and anchor come back, and the view shows them
    qtbot.waitUntil(lambda: view.video.recipe.to_document() == before, timeout=WAIT_MS)
    assert load_recipe(ctx.lib, recipe_id).to_document() == before


def test_a_plain_scene_offers_a_fixed_placement(kata, qtbot, ctx, tmp_path):
    wall = write_clip(tmp_path / "wall.mp4", flat_clip(size=SIZE, n=26).frames())
    recipe_id = video_recipe(ctx.lib, wall, bottle_file(tmp_path / "bottle.png"), tracked=False, anchor=13)
    open_video(kata, qtbot, recipe_id)
    assert "not tracked yet" in kata.track_bar.where.text() and kata.canvas.frame.isVisible()

    job_ = kata.retrack()
    qtbot.waitUntil(lambda: job_.finished and kata.track_bar.fixed.isVisible(), timeout=WAIT_MS)
    assert "too little texture" in kata.status.text() and load_recipe(ctx.lib, recipe_id).video.track is None

    kata.track_bar.fixed.click()
    qtbot.waitUntil(lambda: load_recipe(ctx.lib, recipe_id).video.track is not None, timeout=WAIT_MS)
    assert load_recipe(ctx.lib, recipe_id).video.fixed and ctx.lib.undo.undo_label() == "Use a fixed placement"
    qtbot.waitUntil(lambda: kata.frame_view.state == "tracked", timeout=WAIT_MS)
    assert not kata.track_bar.fixed.isVisible()


def test_a_tracked_clip_plays_as_video_in_the_creative_viewer(creative, qtbot, ctx, clip_files):
    recipe_id = video_recipe(ctx.lib, *clip_files)
    cid = create_composition(ctx.lib, Composition(name="Tracked", width=SIZE[0], height=SIZE[1], fps=(25, 1), duration=30)).value
    add_recipe_clip(ctx.lib, cid, recipe_id, start=0, duration=30)
    creative.open_composition(cid)
    clip = next(c for _t, c in creative.controller.composition.clips())
    creative.controller.select([clip.id])
    inspector = creative.inspector
    assert inspector.source_in.isEnabled() and not inspector.speed.isEnabled()  # a tracked clip plays from an in-point

    for frame in (5, CUT[0] + 2):
        creative.controller.set_playhead(frame)
        qtbot.waitUntil(lambda f=frame: creative.viewer.shown_frame == f and creative.viewer.canvas.image is not None, timeout=WAIT_MS)
        image = creative.viewer.canvas.image
        rgb = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())[:, :image.width() * 4]
        green = greenness(rgb.reshape(image.height(), image.width(), 4)[..., :3]).sum()
        assert (green > 0) == (frame < CUT[0]), frame  # the product in its shot, not in the other
