"""The shipped spec catalog and a library's own entries laid over it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from studio.core.errors import BadInput
from studio.core.specs.catalog import (
    load_catalog,
    parse_entry,
    remove_entry,
    save_entry,
    shipped_catalog,
)

PLACEMENTS = {
    "meta.feed_image", "meta.feed_video", "meta.stories_image", "meta.stories_video", "meta.reels",
    "google.rsa", "google.rda", "google.pmax", "google.youtube_instream", "google.youtube_bumper",
    "google.youtube_shorts", "tiktok.infeed", "linkedin.single_image", "linkedin.video", "x.image", "x.video",
}


def test_the_catalog_covers_every_placement_the_studio_exports_to():
    assert set(shipped_catalog().entries) == PLACEMENTS


@pytest.mark.parametrize("spec_id", sorted(PLACEMENTS))
def test_every_value_names_a_dated_source(spec_id):
    spec = shipped_catalog().get(spec_id)
    for constraint in spec.constraints_set():
        source = spec.source_for(constraint)
        assert source is not None, constraint
        assert date.fromisoformat(source.checked) <= date.today()
        assert source.url
    for doubtful in spec.unconfirmed:
        assert spec.source_for(doubtful) is not None


def test_an_entry_without_a_source_for_a_value_is_refused():
    entry = shipped_catalog().get("x.video").model_dump(mode="json", exclude_unset=True)
    entry["sources"] = [s for s in entry["sources"] if "fps" not in s["fields"]]
    with pytest.raises(BadInput, match="no source for .*fps"):
        parse_entry(entry)


def test_a_broken_entry_gets_a_message_naming_the_field():
    with pytest.raises(BadInput, match="not valid JSON"):
        parse_entry("{nope")
    entry = shipped_catalog().get("x.video").model_dump(mode="json", exclude_unset=True)
    entry["duration_s"] = "long"
    with pytest.raises(BadInput, match="duration_s"):
        parse_entry(json.dumps(entry))


def test_a_library_override_replaces_a_shipped_entry_and_removing_it_falls_back(lib):
    shipped = shipped_catalog().get("google.youtube_bumper")
    stricter = shipped.model_copy(update={"duration_s": (1.0, 4.0)})
    save_entry(lib, parse_entry(stricter.model_dump(mode="json", exclude_unset=True) | {"duration_s": [1, 4]}))

    catalog = load_catalog(lib)
    assert catalog.get("google.youtube_bumper").duration_s == (1, 4)
    assert catalog.origins["google.youtube_bumper"] == "library override"
    assert shipped_catalog().get("google.youtube_bumper").duration_s == (1, 6)  # the shipped file is untouched

    remove_entry(lib, "google.youtube_bumper")
    assert load_catalog(lib).get("google.youtube_bumper").duration_s == (1, 6)
    lib.undo.undo()
    assert load_catalog(lib).get("google.youtube_bumper").duration_s == (1, 4)


def test_a_library_can_add_its_own_placement(lib):
    entry = shipped_catalog().get("x.image").model_dump(mode="json", exclude_unset=True)
    entry.update(id="x.carousel_card", placement="carousel_card", name="X carousel card")
    save_entry(lib, parse_entry(entry))
    catalog = load_catalog(lib)
    assert catalog.origins["x.carousel_card"] == "library"
    assert len(catalog.entries) == len(PLACEMENTS) + 1


def test_unknown_specs_are_refused_with_the_known_ones_named(lib):
    with pytest.raises(BadInput, match="meta.reels"):
        load_catalog(lib).get("meta.reel")
    with pytest.raises(BadInput, match="shipped specs cannot be removed"):
        remove_entry(lib, "meta.reels")
