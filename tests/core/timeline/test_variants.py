"""Editing aspect variants: a clip's layout in one variant goes to that variant's override (only
what differs from the main layout), resetting drops it, timing and content stay shared, and
variants are added by the reframing job and deleted as one undoable save each."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops.compositions import create_composition, save_composition
from studio.core.timeline import variants
from studio.core.timeline.model import Animated, Composition, MediaClip, TextClip, Track, Transform
from studio.core.timeline.reframe import add_variant
from studio.core.timeline.store import load_composition


@pytest.fixture
def comp(tmp_path) -> Composition:
    Image.new("RGB", (400, 400), (200, 80, 40)).save(tmp_path / "product.png")
    title = TextClip(name="Title", text="Fresh roast", start=0, duration=60, transform=Transform(position=Animated(value=(0.5, 0.3))))
    product = MediaClip(name="Product", path=str(tmp_path / "product.png"), start=10, duration=50)
    story = Composition(name="Story", width=1080, height=1920, duration=60,
                        tracks=[Track(kind="overlay", clips=[product]), Track(kind="text", clips=[title])])
    return add_variant(story, "1x1", lambda clip: Path(clip.path))


def clip(comp: Composition, name: str):
    return next(c for _t, c in comp.clips() if c.name == name)


def differs(comp: Composition, clip_id: str) -> set[str]:
    return variants.overridden(comp.find_clip(clip_id)[1], variants.laid_out(comp, "1x1", clip_id))


def test_a_layout_change_goes_to_the_variant_only(comp):
    title = clip(comp, "Title")
    variants.reset_layout(comp, "1x1", title.id)  # start from the main layout
    assert differs(comp, title.id) == set()

    def to_the_left(c):
        c.transform.position = Animated(value=(0.3, 0.3))
        c.transform.opacity = Animated(value=0.5)

    assert variants.change_layout(comp, "1x1", title.id, to_the_left)
    assert clip(comp, "Title").transform.position.value == (0.5, 0.3)  # the main layout is untouched
    square = clip(comp.for_variant("1x1"), "Title")
    assert (square.transform.position.value, square.transform.opacity.value) == ((0.3, 0.3), 0.5)
    assert differs(comp, title.id) == {"position", "opacity"}
    assert variants.change_layout(comp, "1x1", title.id, lambda c: setattr(c, "wrap_width", 0.6))
    assert differs(comp, title.id) == {"position", "opacity", "wrap_width"}
    assert clip(comp, "Title").wrap_width == 0.8

    # putting it back as the main layout has it leaves no override behind
    def back(c):
        c.transform = clip(comp, "Title").transform.model_copy(deep=True)
        c.wrap_width = 0.8

    assert variants.change_layout(comp, "1x1", title.id, back)
    assert title.id not in variants.find_variant(comp, "1x1").overrides
    assert not variants.change_layout(comp, "1x1", title.id, lambda c: None)  # nothing changed: no step


def test_fit_is_layout_timing_and_content_are_not(comp):
    product = clip(comp, "Product")
    assert variants.change_layout(comp, "1x1", product.id, lambda c: setattr(c, "fit", "cover"))
    assert differs(comp, product.id) >= {"fit"}
    assert clip(comp, "Product").fit == "contain"
    with pytest.raises(ValueError, match="only the layout differs between variants"):
        variants.change_layout(comp, "1x1", product.id, lambda c: setattr(c, "start", 0))
    with pytest.raises(ValueError, match="timing and content in the main layout"):
        variants.change_layout(comp, "1x1", clip(comp, "Title").id, lambda c: setattr(c, "text", "Hi"))


def test_reset_and_delete(comp):
    product = clip(comp, "Product")
    assert product.id in variants.find_variant(comp, "1x1").overrides  # smart reframing moved it
    assert variants.reset_layout(comp, "1x1", product.id)
    assert not variants.reset_layout(comp, "1x1", product.id)
    assert clip(comp.for_variant("1x1"), "Product").transform == product.transform
    variants.delete_variant(comp, "1x1")
    assert comp.variant_names() == ["9x16"]


def test_bad_variant_edits_say_what_to_do(comp):
    with pytest.raises(BadInput, match="has no 4:5 variant; it has 9:16, 1:1"):
        variants.change_layout(comp, "4x5", clip(comp, "Title").id, lambda c: None)
    with pytest.raises(BadInput, match="9:16 is 'Story''s own layout; only the other variants can be deleted"):
        variants.delete_variant(comp, "9x16")
    with pytest.raises(BadInput, match="has no clip nope"):
        variants.change_layout(comp, "1x1", "nope", lambda c: None)
    assert variants.addable(comp) == ["4x5", "16x9"]


def test_the_reframing_job_gives_the_variant_and_a_save_is_one_undo_step(lib, comp, tmp_path):
    story = comp.model_copy(update={"variants": []})
    comp_id = create_composition(lib, story).value
    paths = {c.id: Path(c.path) for _t, c in story.clips() if isinstance(c, MediaClip)}
    variant = variants.reframe(variants.ReframeParams(story, "4x5", paths), JobState())
    assert (variant.name, variant.width, variant.height) == ("4x5", 1080, 1350)
    assert variant == add_variant(story, "4x5", lambda c: Path(c.path)).variants[-1]  # what the CLI stores
    edited = story.model_copy(deep=True)
    edited.tracks[1].clips = []  # the title went while the job ran: its override is not kept
    variants.put_variant(edited, variant)
    assert set(variants.find_variant(edited, "4x5").overrides) <= {clip(story, "Product").id}
    save_composition(lib, comp_id, edited, "Add 4:5 variant")
    assert load_composition(lib, comp_id).variant_names() == ["9x16", "4x5"]
    lib.undo.undo()
    assert load_composition(lib, comp_id).variant_names() == ["9x16"]
    with pytest.raises(BadInput, match="already 9:16"):
        variants.put_variant(edited, variant.model_copy(update={"name": "9x16"}))
