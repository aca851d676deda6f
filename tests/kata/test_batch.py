"""The batch job: progress as it goes, and a cancel that stops it before the contact sheet."""

from __future__ import annotations

import pytest

from studio.core.errors import Cancelled
from studio.core.jobs import JobState
from studio.kata.batch import BatchParams, run
from tests.cli.test_kata_cli import product_png, saved
from tests.kata import scenes


def test_progress_reaches_the_end_and_cancel_stops_before_the_sheet(tmp_path):
    floor = str(saved(tmp_path / "floor.png", scenes.floor_scene()[0]))
    wall = str(saved(tmp_path / "wall.png", scenes.wall_scene()[0]))
    product = str(product_png(tmp_path / "bottle.png"))
    seen = []
    state = JobState(lambda: seen.append(state.progress))
    result = run(BatchParams([floor, wall], [product], str(tmp_path / "out")), state)
    assert seen[-1] == 1.0 and 0.5 in seen
    assert [p["path"] is not None for p in result["pairs"]] == [True, False]
    assert (tmp_path / "out" / "contact_sheet.png").is_file()

    cancelled = JobState()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        run(BatchParams([floor], [product], str(tmp_path / "cancelled")), cancelled)
    assert not (tmp_path / "cancelled" / "contact_sheet.png").exists()
