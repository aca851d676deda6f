"""Ad copy saved from what an editor read: copy_versions (the lines' versions, read before the
texts), a save inside edited_from that a colleague overtook, and its Keep mine line by line."""

from __future__ import annotations

import pytest

from studio.core.errors import ConflictError
from studio.core.ops import organize
from studio.core.ops.copy import campaign_copy, copy_versions, set_copy
from studio.core.ops.tx import edited_from


@pytest.fixture
def campaigns(lib):
    brand = organize.create_brand(lib, organize.create_client(lib, "Kestrel").value, "Kestrel").value
    return [organize.create_campaign(lib, brand, name).value for name in ("Autumn", "Winter")]


def headlines(lib, campaign_id):
    return campaign_copy(lib, campaign_id)[None]["headline"]


def test_copy_versions_are_the_campaigns_lines_and_follow_their_saves(lib, campaigns):
    autumn, winter = campaigns
    set_copy(lib, autumn, "headline", ["Roast", "Batch"])
    set_copy(lib, autumn, "description", ["Slow roasted"], "google")
    set_copy(lib, winter, "headline", ["Cocoa"])
    seen = copy_versions(lib, autumn)
    assert seen.pop(("ad_copy", None)) == 0  # every line of the campaign was read: one not here was made since
    assert len(seen) == 3 and set(seen.values()) == {1} and all(table == "ad_copy" for table, _pk in seen)
    set_copy(lib, autumn, "headline", ["Roast", "Small batch"])
    assert sorted(copy_versions(lib, autumn).values()) == [0, 1, 1, 2]
    assert copy_versions(lib, 999) == {("ad_copy", None): 0}


def test_a_save_over_a_colleagues_line_is_refused_and_keep_mine_lays_the_changed_lines_on_theirs(lib, other, campaigns):
    autumn = campaigns[0]
    set_copy(lib, autumn, "headline", ["Roast", "Batch", "Fresh"])
    seen, loaded = copy_versions(lib, autumn), headlines(lib, autumn)
    set_copy(other, autumn, "headline", ["Bob's roast", "Batch", "Fresh"])
    with pytest.raises(ConflictError) as lost, edited_from(seen):
        set_copy(lib, autumn, "headline", ["Roast", "Small batch", "Fresh"], loaded=loaded)
    assert headlines(lib, autumn) == ["Bob's roast", "Batch", "Fresh"]  # nothing of Alice's written yet
    lost.value.keep_mine()
    assert headlines(lib, autumn) == ["Bob's roast", "Small batch", "Fresh"]


def test_keep_mine_writes_the_editors_lines_whole_when_they_no_longer_pair_up(lib, other, campaigns):
    autumn = campaigns[0]
    set_copy(lib, autumn, "headline", ["Roast", "Batch"])
    seen, loaded = copy_versions(lib, autumn), headlines(lib, autumn)
    set_copy(other, autumn, "headline", ["Bob's roast"])
    with pytest.raises(ConflictError) as lost, edited_from(seen):
        set_copy(lib, autumn, "headline", ["Roast", "Batch", "Beans"], loaded=loaded)
    lost.value.keep_mine()
    assert headlines(lib, autumn) == ["Roast", "Batch", "Beans"]


def test_a_line_a_colleague_added_since_is_not_deleted_by_a_shorter_save(lib, other, campaigns):
    autumn = campaigns[0]
    set_copy(lib, autumn, "headline", ["Roast"])
    seen, loaded = copy_versions(lib, autumn), headlines(lib, autumn)
    set_copy(other, autumn, "headline", ["Roast", "Bob's new line"])
    with pytest.raises(ConflictError) as lost, edited_from(seen):  # Alice's editor still shows one line
        set_copy(lib, autumn, "headline", ["Dark roast"], loaded=loaded)
    assert lost.value.by == "Bob" and headlines(lib, autumn) == ["Roast", "Bob's new line"]
    lost.value.keep_mine()  # Alice chose hers: her one line
    assert headlines(lib, autumn) == ["Dark roast"]
