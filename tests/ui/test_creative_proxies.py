"""Preview proxies are queued by themselves for heavy videos (one job per source, in the jobs
panel with Cancel), and the viewer reads a proxy as soon as it is made; proxies can be
switched off for the preview, and that is remembered."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PySide6.QtCore import QSettings

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.queries import list_assets
from studio.core.render.media import MediaResolver
from studio.core.render.proxy import proxy_path
from studio.ui.shell.jobs_panel import JobsPanel
from tests import media
from tests.ui.creative_fixtures import WAIT_MS, creative, new_comp  # noqa: F401 - fixtures


def wide_video(path, frames=50):
    """1296 px wide: over the 1280 px rule, so previews want a proxy."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1296, 96, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(frames):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(np.full((96, 1296, 3), i * 5, np.uint8), format="rgb24")))
        out.mux(stream.encode(None))
    return path


@pytest.fixture
def heavy(ctx, tmp_path):
    """name -> AssetInfo: two heavy videos and a light one, imported into the library."""
    folder = tmp_path / "shoot"
    folder.mkdir()
    files = [wide_video(folder / "wide.mp4"), wide_video(folder / "pan.mp4", frames=40), media.mp4(folder / "small.mp4")]
    report = importer.run(importer.ImportParams(str(ctx.lib.root), [str(f) for f in files]), JobState(), lib=ctx.lib)
    assert not report.skipped, report.skipped
    return {a.name: a for a in list_assets(ctx.lib)}


def proxy_jobs(ctx):
    return [j for j in ctx.runner.jobs.values() if j.title.startswith("Preview proxy")]


def source(ctx, asset):
    return ctx.lib.media_path(asset.sha256, asset.ext)


def test_heavy_videos_get_one_proxy_job_each_and_the_viewer_reads_the_proxy(qtbot, creative, ctx, heavy):
    new_comp(creative)
    c = creative.controller
    c.add_assets([heavy["wide.mp4"].id, heavy["small.mp4"].id], None, 0)
    c.add_assets([heavy["wide.mp4"].id], None, 200)  # the same source again, while its job is under way
    jobs = proxy_jobs(ctx)
    assert [(j.title, j.lane) for j in jobs] == [("Preview proxy of wide.mp4", "cpu")]  # none for the light one
    qtbot.waitUntil(lambda: jobs[0].finished, timeout=WAIT_MS)
    assert jobs[0].status == "done", jobs[0].error
    assert proxy_path(source(ctx, heavy["wide.mp4"]), ctx.lib.root / "proxies").exists()

    viewer = creative.viewer
    qtbot.waitUntil(lambda: viewer.proxy_label.isVisible(), timeout=WAIT_MS)  # the evaluator reloaded and reads it
    assert viewer.proxy_label.toolTip().startswith("2 clips are previewed from a proxy")
    c.add_text("Title")  # later edits queue nothing more
    assert len(proxy_jobs(ctx)) == 1
    # final renders read the originals (core never uses proxies unless asked)
    assert MediaResolver(ctx.lib).path(c.composition.tracks[0].clips[0]) == source(ctx, heavy["wide.mp4"])


def test_a_cancelled_proxy_is_not_queued_again_and_the_original_is_previewed(qtbot, creative, ctx, heavy):
    panel = JobsPanel(ctx)
    qtbot.addWidget(panel)
    new_comp(creative)
    creative.controller.add_assets([heavy["pan.mp4"].id], None, 0)
    [job] = proxy_jobs(ctx)
    qtbot.waitUntil(lambda: job.id in panel.rows, timeout=WAIT_MS)
    row = panel.rows[job.id]
    assert row.cancel_button.isEnabled()
    row.cancel_button.click()  # the user's Cancel in the jobs panel
    qtbot.waitUntil(lambda: job.finished, timeout=WAIT_MS)
    assert job.status == "cancelled"
    assert not proxy_path(source(ctx, heavy["pan.mp4"]), ctx.lib.root / "proxies").exists()
    creative.controller.add_assets([heavy["pan.mp4"].id], None, 100)
    creative.controller.add_text("Title")
    assert proxy_jobs(ctx) == [job]
    qtbot.waitUntil(lambda: creative.viewer.shown_frame == 0 and creative.viewer.canvas.image is not None, timeout=WAIT_MS)
    assert not creative.viewer.proxy_label.isVisible()


def test_proxies_can_be_switched_off_for_the_preview_and_it_is_remembered(qtbot, creative, ctx, heavy):
    viewer = creative.viewer
    viewer.proxies_button.click()  # off: nothing is queued, the preview reads originals
    assert QSettings().value("viewer/proxies", type=bool) is False
    new_comp(creative)
    creative.controller.add_assets([heavy["wide.mp4"].id], None, 0)
    assert proxy_jobs(ctx) == []

    viewer.proxies_button.click()  # on again: the open composition's heavy source gets its proxy
    [job] = proxy_jobs(ctx)
    qtbot.waitUntil(lambda: job.finished and viewer.proxy_label.isVisible(), timeout=WAIT_MS)
    viewer.proxies_button.click()
    qtbot.waitUntil(lambda: not viewer.proxy_label.isVisible(), timeout=WAIT_MS)

    from studio.ui.workspaces.creative.viewer import ViewerWidget

    again = ViewerWidget(ctx, creative.controller)
    qtbot.addWidget(again)
    try:
        assert not again.proxies_button.isChecked() and not again.use_proxies and not again.proxies.enabled
    finally:
        again.shutdown()
