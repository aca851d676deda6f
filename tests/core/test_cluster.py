"""Renders and renditions on a real Dask LocalCluster of two worker processes: the same files as
made here, progress and Cancel through the scheduler, a worker that dies mid-render replaced
without a duplicate or half file, and a clear message for a scheduler that is not there."""

from __future__ import annotations

import os
import re
import socket
from functools import partial
from pathlib import Path

import av
import pytest

from studio.core.cluster import check_cluster, connect
from studio.core.errors import BadInput, Cancelled, StudioError
from studio.core.export.package import PackageParams, build_package
from studio.core.jobs import JobState, run_each
from studio.core.render.encode import RenderParams, render, render_all
from studio.core.timeline.model import Composition, MediaClip, TextClip, Track
from studio.kata.batch import BatchParams
from studio.kata.batch import run as kata_batch
from tests import media
from tests.core.export.conftest import CAMPAIGN, campaign  # noqa: F401 (the fixture)


@pytest.fixture(scope="module")
def client():
    with connect("local", workers=2) as c:
        yield c


def spot(tmp_path, name="Spot", frames=30) -> dict:
    clip = MediaClip(name="bg", path=str(media.mp4(tmp_path / "bg.mp4", size=(64, 48), seconds=1.0)), start=0, duration=frames)
    return Composition(name=name, width=128, height=96, fps=(30, 1), duration=frames, tracks=[
        Track(kind="video", clips=[clip]), Track(kind="text", clips=[TextClip(text=name, start=0, duration=frames, size=30)]),
    ]).to_document()


def frames_in(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_the_cluster_makes_the_same_renditions_as_this_process(client, campaign, tmp_path):  # noqa: F811
    def build(out, pool):
        params = PackageParams(str(campaign.lib.root), CAMPAIGN, ["google", "linkedin"], str(out),
                               spec_ids=["google.rda", "linkedin.single_image"], composition_ids=[campaign.composition_id],
                               asset_ids=[campaign.photo_id], make_zip=False)
        manifest = Path(build_package(params, JobState(), lib=campaign.lib, pool=pool)["manifest"]).read_text()
        return re.sub(r'"created_at": "[^"]+"', "", manifest)

    assert build(tmp_path / "cluster", client) == build(tmp_path / "here", None)


def test_a_batch_reports_progress_and_writes_every_file(client, tmp_path):
    seen = []
    state = JobState(lambda: seen.append(state.progress))
    outs = [tmp_path / "out" / f"{n}.mp4" for n in ("a", "b", "c")]
    outs[0].parent.mkdir()
    results = render_all([RenderParams(None, spot(tmp_path, n), str(o)) for n, o in zip("abc", outs)], state, client)
    assert [r["path"] for r in results] == [str(o) for o in outs]
    shown = [p for p in seen if p is not None]  # None: the status line came before any progress
    assert shown[-1] == 1.0 and any(0 < p < 1 for p in shown)
    assert sorted(p.name for p in outs[0].parent.iterdir()) == ["a.mp4", "b.mp4", "c.mp4"]
    assert all(frames_in(o) == 30 for o in outs)


def test_cancel_stops_the_batch_and_leaves_nothing(client, tmp_path):
    state = JobState()
    state._on_change = lambda: state.cancel() if (state.progress or 0) > 0 else None
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled):
        render_all([RenderParams(None, spot(tmp_path, n, frames=300), str(out / f"{n}.mp4")) for n in "abcd"], state, client)
    assert list(out.iterdir()) == []


class _DiesHalfway:
    """A render's state that ends its worker process (as a crash or the OOM killer would) once the
    render is half written, on the first attempt only: the marker file remembers."""

    def __init__(self, state, marker: Path):
        self.state, self.marker = state, marker

    def __getattr__(self, name):
        return getattr(self.state, name)

    def set_progress(self, done, total=None):
        if done / total > 0.5 and not self.marker.exists():
            self.marker.touch()
            os._exit(1)
        self.state.set_progress(done, total)


def _render_dying_once(job, state):
    params, marker = job
    return render(params, _DiesHalfway(state, Path(marker)))


def test_a_worker_killed_mid_render_is_replaced_and_the_file_is_whole_and_single(client, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    marker = tmp_path / "died"
    # the tag render_all gives a batch: the retry writes to the temporary file the dead worker left
    params = RenderParams(None, spot(tmp_path, frames=60), str(out / "spot.mp4"), temp_tag="batch1")
    [result] = run_each(client, _render_dying_once, [(params, str(marker))], JobState())
    assert marker.exists()  # the first attempt did die
    assert [p.name for p in out.iterdir()] == ["spot.mp4"]
    assert result["path"] == str(out / "spot.mp4") and frames_in(out / "spot.mp4") == 60


def test_a_worker_that_cannot_see_the_library_says_so_and_creates_nothing(client, tmp_path):
    missing = tmp_path / "share" / "lib"  # the shared store not mounted on the worker
    params = RenderParams(str(missing), 1, str(tmp_path / "spot.mp4"))
    with pytest.raises(StudioError, match=rf"The library folder {missing} is not there on .*mount it there, or render on this computer"):
        render_all([params], JobState(), client)
    assert not (tmp_path / "share").exists() and not (tmp_path / "spot.mp4").exists()


def test_a_kata_batch_on_the_cluster_places_as_here(client, tmp_path):
    from tests.cli.test_kata_cli import product_png, saved
    from tests.kata import scenes

    floor = str(saved(tmp_path / "floor.png", scenes.floor_scene()[0]))
    product = str(product_png(tmp_path / "bottle.png"))
    here = kata_batch(BatchParams([floor], [product], str(tmp_path / "here")), JobState())
    there = kata_batch(BatchParams([floor], [product], str(tmp_path / "there")), JobState(), map_each=partial(run_each, client))
    assert [p["zone"] for p in there["pairs"]] == [p["zone"] for p in here["pairs"]] and there["pairs"][0]["path"]
    assert Path(there["pairs"][0]["path"]).read_bytes() == Path(here["pairs"][0]["path"]).read_bytes()


def test_the_settings_check_says_what_the_cluster_has(client):
    found = check_cluster(client.scheduler.address)
    assert (found["workers"], found["threads"]) == (2, 2)


def test_an_unreachable_scheduler_says_which_and_what_to_do():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nobody listens there
    with pytest.raises(StudioError, match=rf"Cannot reach the Dask scheduler at tcp://127.0.0.1:{port} .*Check that the scheduler is running"):
        connect(f"tcp://127.0.0.1:{port}", timeout=1)
    with pytest.raises(BadInput, match="is not a scheduler address; write it as tcp://HOST:8786"):
        connect("nonsense::")
