"""Create compositions from a brief's deliverables: sizes and lengths from the spec catalog, in the
brief's campaign, one undoable step."""

from __future__ import annotations

import pytest

from studio.core.briefs.compositions import create_compositions_from_deliverables
from studio.core.errors import BadInput
from studio.core.ops import briefs as ops
from studio.core.timeline.store import list_compositions, load_composition


def test_one_empty_composition_per_piece_in_the_campaign(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Autumn", place.campaign_id).value
    ops.set_deliverables(lib, brief_id, [{"spec_id": "google.youtube_bumper", "count": 2}, {"spec_id": "meta.feed_image"},
                                         {"spec_id": "google.rsa", "notes": "search"}])
    created = create_compositions_from_deliverables(lib, brief_id).value
    assert created.skipped == (("google.rsa", "Google responsive search ad has no picture size (a text placement)"),)
    comps = [load_composition(lib, i) for i in created.ids]
    assert [(c.name, c.width, c.height, c.seconds(c.duration)) for c in comps] == [
        ("Autumn — YouTube bumper #1", 1920, 1080, 6.0), ("Autumn — YouTube bumper #2", 1920, 1080, 6.0),
        ("Autumn — Meta feed image", 1440, 754, 15.0)]
    assert [t.kind for t in comps[0].tracks] == ["video", "overlay", "text", "audio"] and not list(comps[0].clips())
    assert {i.campaign_id for i in list_compositions(lib)} == {place.campaign_id}
    assert lib.undo.undo_label() == "New compositions for Autumn"
    lib.undo.undo()  # all of them in one step
    assert list_compositions(lib) == []


def test_without_a_campaign_or_deliverables_nothing_is_made(lib, place):
    brief_id = ops.create_brief(lib, place.brand_id, "Autumn").value
    ops.set_deliverables(lib, brief_id, [{"spec_id": "meta.reels"}])
    with pytest.raises(BadInput, match="has no campaign.*set the brief's campaign first"):
        create_compositions_from_deliverables(lib, brief_id)
    ops.set_brief_campaign(lib, brief_id, place.campaign_id)
    ops.set_deliverables(lib, brief_id, [])
    with pytest.raises(BadInput, match="no deliverables yet"):
        create_compositions_from_deliverables(lib, brief_id)
    ops.set_deliverables(lib, brief_id, [{"spec_id": "google.rsa"}])
    with pytest.raises(BadInput, match="None of the deliverables has a placement with a picture size: google.rsa"):
        create_compositions_from_deliverables(lib, brief_id)
    assert list_compositions(lib) == []
