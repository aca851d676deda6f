"""Creative checks on real files made here: rendered text read by the real OCR models, real
tones measured, real videos decoded, all through the shipped media rules."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from studio.core.compliance import ocr
from studio.core.compliance.engine import Context, check_media
from studio.core.compliance.media_checks import load_media
from studio.core.errors import BadInput
from tests.core.specs.media import image
from tests.media import mp4, tone, wav

FONT = "DejaVuSans-Bold.ttf"
BLUE = (40, 90, 160)


def poster(path: Path, texts, size=(1080, 1920), background=BLUE) -> list[tuple[int, int, int, int]]:
    """A picture with each (x, y, text, font size) drawn in white; returns where each text was drawn."""
    img = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(img)
    boxes = []
    for x, y, text, px in texts:
        font = ImageFont.truetype(FONT, px)
        draw.text((x, y), text, font=font, fill="white")
        boxes.append(draw.textbbox((x, y), text, font=font))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return boxes


def text_video(path: Path, scenes, size=(540, 960), fps: int = 10) -> Path:
    """An H.264 video without sound: each scene (seconds, texts) a still poster for that long."""
    pictures = []
    for n, (seconds, texts) in enumerate(scenes):
        poster(path.with_suffix(f".{n}.png"), texts, size)
        pictures += [np.asarray(Image.open(path.with_suffix(f".{n}.png")).convert("RGB"))] * round(seconds * fps)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i, pixels in enumerate(pictures):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def findings(path, platform, rule_prefix, **context):
    return [f for f in check_media(Path(path), platform, context=Context(platform=platform, **context))
            if f.rule_id.startswith(rule_prefix)]


def inside(box, outer, slack=0.35):
    """box lies within outer, give or take slack × outer's height (OCR boxes have a margin)."""
    pad = slack * (outer[3] - outer[1])
    return box[0] >= outer[0] - pad and box[1] >= outer[1] - pad and box[2] <= outer[2] + pad and box[3] <= outer[3] + pad


# ---- OCR ----------------------------------------------------------------------------------
def test_ocr_reads_rendered_text_with_its_box(tmp_path):
    drawn = poster(tmp_path / "sale.png", [(100, 800, "SUMMER SALE 50% OFF", 72)])[0]
    media = load_media(tmp_path / "sale.png", Context())
    assert media.kinds == {"image"} and media.size == (1080, 1920)
    lines = media.text_lines()
    assert len(lines) == 1
    assert lines[0].text.replace(" ", "") == "SUMMERSALE50%OFF"
    assert lines[0].frame is None and lines[0].score > 0.8
    assert inside(lines[0].box, drawn) and inside(drawn, lines[0].box)  # the box fits the text both ways
    assert media.text_lines() == lines  # read once, kept


def test_text_read_in_a_picture_goes_through_the_copy_rules(tmp_path):
    drawn = poster(tmp_path / "claim.png", [(100, 800, "Guaranteed results", 72)])[0]
    claims = findings(tmp_path / "claim.png", "meta", "claims.")
    assert claims and all(f.field == "image_text" and f.span and inside(f.box, drawn) for f in claims)
    assert "Guaranteed" in claims[0].excerpt


def test_the_engine_is_made_once_for_all_threads(monkeypatch):
    monkeypatch.setattr(ocr, "_engine", None)  # as in a fresh process (the one made here is dropped after)
    engines = []
    threads = [threading.Thread(target=lambda: engines.append(ocr.engine())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(engines) == 4 and all(e is engines[0] for e in engines)


def test_a_picture_without_text_reads_nothing(tmp_path):
    media = load_media(image(tmp_path / "plain.png", (640, 480)), Context())
    assert media.text_lines() == []


# ---- safe zones and coverage -----------------------------------------------------------------
def test_text_in_the_reels_bottom_margin_is_flagged_where_it_is(tmp_path):
    # Reels keep the bottom 35 % clear: y > 1248 of 1920. The middle line is safe.
    _middle, bottom = poster(tmp_path / "reel.png", [(100, 800, "New collection", 64), (100, 1600, "Shop the drop", 64)])
    hits = findings(tmp_path / "reel.png", "meta", "media.safe_zone", spec_id="meta.reels")
    assert [h.excerpt for h in hits] == ["Shop the drop"]
    assert hits[0].severity == "warning" and "bottom 35%" in hits[0].message
    assert inside(hits[0].box, bottom) and hits[0].box[1] > 1248
    assert hits[0].hint and hits[0].source


def test_a_known_logo_in_the_top_margin_is_flagged(tmp_path):
    poster(tmp_path / "story.png", [(100, 900, "Hello", 64)])
    hits = findings(tmp_path / "story.png", "meta", "media.safe_zone", spec_id="meta.stories_image", logo_box=(440, 40, 640, 160))
    assert [(h.excerpt, h.box) for h in hits] == [("logo", (440, 40, 640, 160))]


def test_no_safe_zone_without_a_placement_that_has_one(tmp_path):
    poster(tmp_path / "feed.png", [(100, 1600, "Shop the drop", 64)])
    assert findings(tmp_path / "feed.png", "meta", "media.safe_zone") == []
    assert findings(tmp_path / "feed.png", "meta", "media.safe_zone", spec_id="meta.feed_image") == []


def test_text_in_a_video_is_read_per_frame_and_flagged_with_its_frame(tmp_path):
    path = text_video(tmp_path / "reel.mp4", [(3.0, [(40, 880, "Swipe for more", 40)])])
    media = load_media(path, Context())
    assert media.kinds == {"video", "audio"} and not media.has_audio
    assert [f.index for f in media.frames] == [0, 10, 20, 29]  # first, one a second, last
    lines = media.text_lines()
    assert [line.text for line in lines] == ["Swipe for more"] and lines[0].frame == 0  # once, not per frame
    hits = findings(path, "tiktok", "media.safe_zone", spec_id="tiktok.infeed")
    assert len(hits) == 1 and hits[0].frame == 0 and hits[0].box[1] > 960 * (1 - 0.229)


def test_a_changed_price_on_a_still_background_is_read_again(tmp_path):
    path = text_video(tmp_path / "price.mp4", [(1.0, [(60, 400, "Now 50% off", 48)]), (2.0, [(60, 400, "Now 40% off", 48)])])
    media = load_media(path, Context())
    assert [(line.text, line.frame) for line in media.text_lines()] == [("Now 50% off", 0), ("Now 40% off", 10)]
    lines = media.lines_by_frame()
    assert lines[2] is lines[1]  # the frames after the change show the same picture: not read again


def test_heavy_text_coverage_is_flagged_and_a_headline_is_not(tmp_path):
    poster(tmp_path / "wall.png", [(30, 60 + 150 * i, f"{word} DEAL", 120) for i, word in enumerate(["BIG", "HUGE", "MEGA", "SUPER"])],
           size=(1080, 1080))
    poster(tmp_path / "headline.png", [(100, 500, "Summer is here", 56)], size=(1080, 1080))
    wall = findings(tmp_path / "wall.png", "meta", "media.text_coverage")
    assert len(wall) == 1 and int(wall[0].message.split("Text covers ")[1].split("%")[0]) > 20
    assert findings(tmp_path / "headline.png", "meta", "media.text_coverage") == []


# ---- brand ---------------------------------------------------------------------------------
def flat(path: Path, colours_and_shares, size=(400, 400)) -> Path:
    """Vertical stripes of each colour, each a share of the width."""
    pixels = np.zeros((size[1], size[0], 3), np.uint8)
    x = 0
    for colour, share in colours_and_shares:
        w = round(share * size[0])
        pixels[:, x:x + w] = colour
        x += w
    pixels[:, x:] = colours_and_shares[-1][0]
    Image.fromarray(pixels).save(path)
    return path


def test_palette_passes_brand_colours_and_neutrals_and_flags_an_off_brand_one(tmp_path):
    brand = ("#E4002B", "#1D1D1B")
    on = flat(tmp_path / "on.png", [((228, 0, 43), 0.6), ((255, 255, 255), 0.3), ((226, 6, 48), 0.1)])
    off = flat(tmp_path / "off.png", [((0, 166, 81), 0.7), ((228, 0, 43), 0.3)])
    assert findings(on, "meta", "media.palette", palette=brand) == []
    hits = findings(off, "meta", "media.palette", palette=brand)
    assert len(hits) == 1
    assert hits[0].excerpt == "#00A651" and "fills 70% of the picture" in hits[0].message
    assert float(hits[0].message.split("ΔE ")[1].split(" ")[0]) > 40
    assert findings(off, "meta", "media.palette") == []  # no palette declared: nothing to compare with


def test_a_palette_colour_that_is_not_a_colour_is_named(tmp_path):
    with pytest.raises(BadInput, match="'red-ish' is not a #RRGGBB"):
        findings(flat(tmp_path / "a.png", [((0, 166, 81), 1.0)]), "meta", "media.palette", palette=("#E4002B", "red-ish"))


def test_text_in_the_logo_clear_space_is_flagged_and_text_further_away_is_not(tmp_path):
    logo = (100, 100, 400, 220)  # 120 px high: 30 px clear space
    near = poster(tmp_path / "near.png", [(100, 232, "Fresh deals", 48)], size=(1080, 1080))[0]
    poster(tmp_path / "far.png", [(100, 700, "Fresh deals", 48)], size=(1080, 1080))
    hits = findings(tmp_path / "near.png", "meta", "media.logo_clear_space", logo_box=logo)
    assert len(hits) == 1 and hits[0].excerpt == "Fresh deals" and inside(hits[0].box, near) and "30 px" in hits[0].message
    assert findings(tmp_path / "far.png", "meta", "media.logo_clear_space", logo_box=logo) == []


def test_a_busy_background_around_the_logo_is_flagged(tmp_path):
    rng = np.random.default_rng(3)
    pixels = np.full((600, 600, 3), 230, np.uint8)
    pixels[60:240, 60:420] = rng.integers(0, 256, (180, 360, 1), np.uint8).repeat(3, 2)  # noise all around the logo
    pixels[100:200, 100:380] = (228, 0, 43)  # the logo, a flat red block
    Image.fromarray(pixels).save(tmp_path / "busy.png")
    hits = findings(tmp_path / "busy.png", "meta", "media.logo_clear_space", logo_box=(100, 100, 380, 200))
    assert [h.excerpt for h in hits] == ["busy background"] and "edges on" in hits[0].message
    calm = findings(tmp_path / "busy.png", "meta", "media.logo_clear_space", logo_box=(100, 400, 380, 500))
    assert calm == []


def test_a_logo_box_outside_the_picture_is_refused(tmp_path):
    path = flat(tmp_path / "a.png", [((0, 166, 81), 1.0)])
    assert load_media(path, Context(logo_box=(10, 10, 50, 50))).size == (400, 400)
    with pytest.raises(BadInput, match="logo box .* is not inside the 400×400 picture"):  # the same file again, kept loaded
        load_media(path, Context(logo_box=(300, 300, 500, 380)))


# ---- sound ---------------------------------------------------------------------------------
def test_loud_and_quiet_tones_are_flagged_and_one_at_the_target_is_not(tmp_path):
    loud = wav(tmp_path / "loud.wav", tone(3, amp=0.99))  # about 0 LUFS, true peak over -1 dBTP
    quiet = wav(tmp_path / "quiet.wav", tone(3, amp=0.01))  # about -40 LUFS
    right = wav(tmp_path / "right.wav", tone(3, freq=997, amp=0.2))  # about -14 LUFS
    assert load_media(loud, Context()).kinds == {"audio"}
    loud_hits = findings(loud, "meta", "media.loudness")
    assert {h.excerpt.split()[1] for h in loud_hits} == {"LUFS", "dBTP"}
    assert any("louder than the -14 LUFS" in h.message for h in loud_hits)
    quiet_hits = findings(quiet, "meta", "media.loudness")
    assert len(quiet_hits) == 1 and "quieter" in quiet_hits[0].message and "Turn the mix up" in quiet_hits[0].hint
    assert findings(right, "meta", "media.loudness") == []


def test_the_sound_of_a_video_is_measured(tmp_path):
    path = mp4(tmp_path / "with-sound.mp4", seconds=2.0)  # a 0.2 tone: about -14 LUFS
    media = load_media(path, Context())
    assert media.has_audio and media.audio().shape[0] == 2
    assert findings(path, "meta", "media.loudness") == []


def test_a_video_without_sound_is_reported_only_where_sound_is_required(tmp_path):
    path = mp4(tmp_path / "silent.mp4", seconds=1.0, audio=False)
    assert load_media(path, Context()).audio() is None
    assert findings(path, "meta", "media.") == []  # no crash, and nothing to say for Meta
    required = findings(path, "tiktok", "media.sound_required")
    assert len(required) == 1 and required[0].severity == "error" and "has no sound track" in required[0].message


# ---- the placement's spec and bad files ------------------------------------------------------
def test_the_spec_check_maps_the_catalog_findings(tmp_path):
    square = image(tmp_path / "square.png", (1080, 1080))
    tall = image(tmp_path / "tall.png", (1080, 1920))
    errors = findings(square, "meta", "media.spec.error", spec_id="meta.stories_image")
    assert len(errors) == 1 and "1080×1080" in errors[0].message and errors[0].excerpt == "ratio" and errors[0].hint
    assert findings(tall, "meta", "media.spec", spec_id="meta.stories_image") == []
    small = image(tmp_path / "small.png", (540, 960))  # 9:16, but under the recommended 1080×1920: a warning only
    assert [(f.rule_id, f.severity, f.excerpt) for f in findings(small, "meta", "media.spec", spec_id="meta.stories_image")] == [
        ("media.spec.warning", "warning", "recommended_size")]
    with pytest.raises(BadInput, match="There is no spec 'meta.nope'"):
        findings(tall, "meta", "media.spec", spec_id="meta.nope")


def test_a_file_that_is_not_media_is_refused_with_what_to_do(tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("these are meeting notes, not a picture\n" * 20)
    with pytest.raises(BadInput, match=r"notes.png: cannot be read as an image, video or audio file.*Choose an image"):
        load_media(fake, Context())
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(BadInput, match="empty"):
        load_media(tmp_path / "empty.jpg", Context())
    with pytest.raises(BadInput, match="is not a file"):
        load_media(tmp_path / "missing.mp4", Context())
