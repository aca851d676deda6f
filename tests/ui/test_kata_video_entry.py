"""Starting a placement in a video from the Kata workspace: the bin lists the library's videos,
a double-click on one asks for the product, places it at the best zone of frame 0 (one step of
Edit ▸ Undo) and tracks it through the clip (a job in the jobs panel; another step)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.ops.kata import list_recipes, load_recipe
from studio.ui.workspaces.kata.view import KataView
from tests.core.test_kata_video import SIZE, floor_frames, write_clip
from tests.core.timeline.test_kata_clip import bottle_file

WAIT_MS = 60_000  # analysis and tracking on a busy 2-core machine
FRAMES = 12  # at 10 fps: tracking wants a clip of at least 1 s


@pytest.fixture(scope="module")
def clip_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("entry")
    return write_clip(folder / "pan.mp4", floor_frames(FRAMES, cut=None), fps=10), bottle_file(folder / "bottle.png")


@pytest.fixture
def kata(ctx, qtbot):
    view = KataView(ctx)
    view.messages = []  # what the user was told: shown when a test fails
    ctx.bus.notification.connect(lambda level, text: view.messages.append(text))
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    return view


def import_files(lib, *paths) -> dict:
    report = importer.run(importer.ImportParams(str(lib.root), [str(p) for p in paths]), JobState(), lib=lib)
    return {item["name"].split(".")[0]: item["id"] for item in report.imported}


def double_click(view, qtbot, asset_id: int) -> None:
    qtbot.waitUntil(lambda: asset_id in [a.id for a in view.bin.model.assets], timeout=WAIT_MS)
    row = [a.id for a in view.bin.model.assets].index(asset_id)
    grid = view.bin.grid
    index = view.bin.model.index(row, 0)
    grid.scrollTo(index)
    at = grid.visualRect(index).center()
    qtbot.mouseClick(grid.viewport(), Qt.LeftButton, pos=at)  # Qt 6 item views want the press first
    qtbot.mouseDClick(grid.viewport(), Qt.LeftButton, pos=at)


def job_titled(ctx, title: str):
    return next((j for j in ctx.runner.jobs.values() if j.title == title), None)


def test_double_click_a_video_place_the_product_track_and_undo(kata, qtbot, ctx, clip_files, monkeypatch):
    ids = import_files(ctx.lib, *clip_files)
    offered = []

    def pick(_parent, _title, _label, items, *_args):  # the user picks the bottle
        offered.extend(items)
        return next(i for i in items if i.startswith("bottle")), True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    qtbot.waitUntil(lambda: len(kata.bin.model.assets) == 2, timeout=WAIT_MS)  # the bin lists the video beside the image
    double_click(kata, qtbot, ids["pan"])
    assert offered == ["bottle.png"], kata.messages  # only the library's images are offered as the product

    place = job_titled(ctx, "Place bottle in pan")  # in the jobs panel
    qtbot.waitUntil(lambda: place.finished and (place.status != "done" or job_titled(ctx, "Track bottle in pan") is not None), timeout=WAIT_MS)
    assert place.status == "done", place.error
    track = job_titled(ctx, "Track bottle in pan")  # started once the placement is stored
    qtbot.waitUntil(lambda: track.finished, timeout=WAIT_MS)
    assert track.status == "done", track.error
    (stored,) = list_recipes(ctx.lib)
    recipe = load_recipe(ctx.lib, stored.id)
    assert (recipe.scene, recipe.product, recipe.video.anchor) == (ids["pan"], ids["bottle"], 0)
    assert recipe.video.track is not None and ctx.lib.undo.undo_label() == "Track Kata placement"
    assert kata.zones == [] and recipe.zone_id is None  # this small frame has no zone for a product:
    assert (recipe.placement.x, recipe.placement.y) == (SIZE[0] / 2, SIZE[1] * 5 / 6)  # the centre of the bottom third
    qtbot.waitUntil(lambda: kata.frame_view is not None and kata.frame_view.state == "tracked", timeout=WAIT_MS)
    assert kata.track_bar.isVisible() and kata.track_bar.slider.maximum() == FRAMES - 1
    assert kata.track_bar.where.text().startswith(f"Frame 0 of {FRAMES} · tracked")

    ctx.lib.undo.undo()  # the track goes: the placement stands untracked on frame 0
    assert load_recipe(ctx.lib, stored.id).video.track is None
    qtbot.waitUntil(lambda: "not tracked yet" in kata.track_bar.where.text(), timeout=WAIT_MS)
    assert kata.canvas.frame.isVisible()  # the product where it was placed

    ctx.lib.undo.undo()  # then the placement itself
    assert list_recipes(ctx.lib) == []
    qtbot.waitUntil(lambda: not kata.track_bar.isVisible(), timeout=WAIT_MS)


def test_a_video_with_no_image_to_place_says_what_to_do(kata, qtbot, ctx, clip_files):
    ids = import_files(ctx.lib, clip_files[0])
    double_click(kata, qtbot, ids["pan"])
    assert kata.messages == ["There is no image to place: import a product cut-out in Media first."]
    assert list_recipes(ctx.lib) == []
