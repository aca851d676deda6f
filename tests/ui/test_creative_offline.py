"""Clips whose media is missing look offline on the timeline (red, hatched, "Offline", a
tooltip with the path and the reason) and offer Relink media…, which asks the view to relink."""

from __future__ import annotations

from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from studio.core.ops import assets as asset_ops
from studio.core.timeline.model import MediaClip
from tests.ui.creative_fixtures import (  # noqa: F401 - fixtures
    WAIT_MS, assets, clip_by_id, creative, new_comp, track_of, undo_and_wait,
)
from tests.ui.timeline_helpers import clip_point, menu_entries, right_click


def add_missing_file_clip(view) -> str:
    """A clip from an exchanged (OTIO) timeline whose file is on a drive that is not here."""
    clip = MediaClip(name="Hero shot.mov", path="/Volumes/Shoot/Hero shot.mov", start=200, duration=45)

    def change(comp):
        video = next(t for t in comp.tracks if t.kind == "video")
        video.clips = [*video.clips, clip]

    assert view.controller.edit("Add clip", change)
    return clip.id


def test_a_clip_whose_file_is_missing_is_offline_with_its_path_and_reason(qtbot, creative, ctx, assets):
    new_comp(creative)
    [fine] = creative.controller.add_assets([assets["still"].id], track_of(creative, "overlay").id, 0)
    clip_id = add_missing_file_clip(creative)
    tl = creative.timeline
    assert set(tl.offline) == {clip_id}
    assert tl._clip_colour(clip_by_id(creative, clip_id)).name() != tl._clip_colour(clip_by_id(creative, fine)).name()
    pos = clip_point(creative, clip_id)
    QApplication.sendEvent(tl.viewport(), QHelpEvent(QHelpEvent.ToolTip, pos, tl.viewport().mapToGlobal(pos)))
    tip = QToolTip.text()
    assert "Offline: Hero shot.mov" in tip and "/Volumes/Shoot/Hero shot.mov" in tip and "The file is missing" in tip
    assert "Relink media…" not in menu_entries(creative, clip_point(creative, fine))
    with qtbot.waitSignal(tl.relink_requested) as relink:
        right_click(qtbot, creative, pos, "Relink media…")
    assert relink.args == [clip_id]


def test_a_clip_goes_offline_when_its_asset_is_trashed_and_back_with_undo(qtbot, creative, ctx, assets):
    new_comp(creative)
    [clip_id] = creative.controller.add_assets([assets["spot"].id], track_of(creative, "video").id, 0)
    tl = creative.timeline
    assert tl.offline == {}
    asset_ops.trash_assets(ctx.lib, [assets["spot"].id])
    qtbot.waitUntil(lambda: clip_id in tl.offline, timeout=WAIT_MS)
    assert tl.offline[clip_id]["reason"] == "the asset is in the trash"
    assert "Relink media…" in menu_entries(creative, clip_point(creative, clip_id))
    undo_and_wait(qtbot, creative, ctx, lambda: tl.offline == {})
