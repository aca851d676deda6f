"""The composition document: validation, keyframes, storage with undo, OTIO exchange."""

from __future__ import annotations

import json

import opentimelineio as otio
import pytest

from studio.core.errors import BadInput
from studio.core.ops import compositions as ops
from studio.core.ops import organize
from studio.core.timeline.easing import ease
from studio.core.timeline.model import (
    Animated, Composition, Keyframe, MediaClip, ShapeClip, TextClip, Track, Transition, Transform,
)
from studio.core.timeline.otio_io import export_otio, import_otio
from studio.core.timeline.store import list_compositions, load_composition


def sample() -> Composition:
    a = MediaClip(name="bg", path="/media/a.mp4", start=0, duration=90, fit="cover")
    b = MediaClip(name="bg2", path="/media/b.mp4", start=75, duration=90, source_in=2.0)
    video = Track(kind="video", clips=[a, b], transitions=[Transition(a=a.id, b=b.id, duration=15)])
    grow = Transform(scale=Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.8, easing="ease_out"), Keyframe(frame=30, value=1.0)]))
    overlay = Track(kind="overlay", clips=[MediaClip(name="product", asset_id=7, start=10, duration=100, transform=grow)])
    text = Track(kind="text", clips=[TextClip(text="Autumn Roast is here", start=0, duration=60), ShapeClip(start=0, duration=30)])
    music = Track(kind="audio", clips=[MediaClip(name="music", path="/media/bed.wav", start=0, duration=165, fade_out=1.0)])
    return Composition(name="Launch 9x16", duration=165, tracks=[video, overlay, text, music])


def test_document_round_trip_is_exact():
    comp = sample()
    doc = json.loads(json.dumps(comp.to_document()))
    assert Composition.from_document(doc) == comp
    assert doc["schema_version"] == 1


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["tracks"][0]["clips"][0].update(duration=0), "at least one frame"),
        (lambda d: d["tracks"][0]["clips"][0].update(duration=-5), "at least one frame"),
        (lambda d: d["tracks"][0]["clips"][0].update(start=-1), "greater than or equal to 0"),
        (lambda d: d.update(width=1081), "even width and height"),
        (lambda d: d.update(fps=[0, 1]), "frame rate"),
        (lambda d: d["tracks"][0]["clips"][1].update(start=80), "overlap by exactly 15 frames"),
        (lambda d: d["tracks"][0]["clips"][0].update(speed=0), "greater than 0"),
        (lambda d: d["tracks"][2]["clips"][0].update(colour="red"), "should match pattern"),
    ],
)
def test_bad_documents_are_refused_with_the_place_and_reason(change, message):
    doc = sample().to_document()
    change(doc)
    with pytest.raises(BadInput, match=message):
        Composition.from_document(doc)


def test_keyframes_interpolate_with_easing():
    prop = Animated(value=0.0, keyframes=[Keyframe(frame=10, value=0.0, easing="ease_in_out"), Keyframe(frame=20, value=10.0, easing="hold"), Keyframe(frame=30, value=20.0)])
    assert prop.at(0) == 0.0 and prop.at(10) == 0.0 and prop.at(20) == 10.0
    assert prop.at(15) == pytest.approx(5.0, abs=1e-3)  # symmetric easing: the middle is the middle
    assert prop.at(12) < 2.0  # eases in: slower than linear at the start
    assert prop.at(29) == 10.0 and prop.at(30) == 20.0  # hold until the next keyframe
    pos = Animated(value=(0.5, 0.5), keyframes=[Keyframe(frame=0, value=(0.0, 0.0)), Keyframe(frame=10, value=(1.0, 0.5))])
    assert pos.at(5) == pytest.approx((0.5, 0.25))
    assert ease("bezier", 0.5, (0.0, 0.0, 1.0, 1.0)) == pytest.approx(0.5, abs=1e-4)


def test_stored_in_the_library_with_undo(lib):
    client = organize.create_client(lib, "Acme").value
    campaign = organize.create_campaign(lib, organize.create_brand(lib, client, "Roast").value, "Launch").value
    comp = sample()
    comp_id = ops.create_composition(lib, comp, campaign).value
    assert [c.name for c in list_compositions(lib, campaign)] == ["Launch 9x16"]
    info = list_compositions(lib)[0]
    assert (info.width, info.height, info.fps, info.duration_s) == (1080, 1920, 30.0, 5.5)

    edited = load_composition(lib, comp_id)
    edited.tracks[1].clips[0].start = 20
    ops.save_composition(lib, comp_id, edited, "Move clip", merge_key="drag")
    edited.tracks[1].clips[0].start = 25
    ops.save_composition(lib, comp_id, edited, "Move clip", merge_key="drag")
    assert load_composition(lib, comp_id).tracks[1].clips[0].start == 25
    lib.undo.undo()  # the whole drag is one step
    assert load_composition(lib, comp_id) == comp

    organize.delete_campaign(lib, campaign)
    assert list_compositions(lib)[0].campaign_id is None
    lib.undo.undo()
    assert list_compositions(lib)[0].campaign_id == campaign

    with pytest.raises(BadInput, match="no composition 999"):
        load_composition(lib, 999)


def test_otio_round_trip_is_lossless(tmp_path):
    comp = sample()
    path = export_otio(comp, lambda clip: clip.path, tmp_path / "ad.otio")
    assert import_otio(path) == comp


def test_otio_is_standard_for_other_editors(tmp_path):
    comp = sample()
    path = export_otio(comp, lambda clip: clip.path, tmp_path / "ad.otio")
    timeline = otio.adapters.read_from_file(str(path))
    video = timeline.tracks[0]
    kinds = [type(item).__name__ for item in video]
    assert kinds == ["Clip", "Transition", "Clip"]
    first, transition, second = video
    # The overlap 75..90 becomes a cut at 82 with the transition around it.
    assert first.source_range.duration.value == 82 and second.source_range.duration.value == 165 - 82
    assert (transition.in_offset.value, transition.out_offset.value) == (7, 8)
    assert second.source_range.start_time.value == pytest.approx(2.0 * 30 + 7)
    assert first.media_reference.target_url.endswith("/media/a.mp4")

    del timeline.metadata["conext"]  # as another editor would hand it back
    otio.adapters.write_to_file(timeline, str(tmp_path / "plain.otio"))
    back = import_otio(tmp_path / "plain.otio")
    a, b = back.tracks[0].clips
    assert (a.start, a.end, b.start, b.end) == (0, 90, 75, 165)
    assert b.source_in == pytest.approx(2.0)
    assert back.tracks[0].transitions[0].duration == 15
    assert back.tracks[-1].kind == "audio" and back.tracks[-1].clips[0].path == "/media/bed.wav"


def test_not_an_otio_file(tmp_path):
    bad = tmp_path / "x.otio"
    bad.write_text("{ not json")
    with pytest.raises(BadInput, match="not an OpenTimelineIO file"):
        import_otio(bad)
