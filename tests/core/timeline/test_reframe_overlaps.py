"""Smart reframing moves stacked elements apart: going from 9:16 to 1:1, a headline above a
product above a logo would overlap; in the new variant they do not, they stay inside the safe
zone and in their order, and the 9:16 layout is untouched. Boxes are measured from the pixels
the real renderer draws for each element alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.render.evaluate import FrameEvaluator
from studio.core.render.media import MediaResolver
from studio.core.timeline.model import (
    Animated, Composition, MediaClip, ShapeClip, TextClip, Track, Transform,
)
from studio.core.timeline.reframe import SAFE_ZONES, add_variant


def at(x: float, y: float, scale: float = 1.0) -> Transform:
    return Transform(position=Animated(value=(x, y)), scale=Animated(value=scale))


def picture(path: Path, size, colour) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def drawn_box(comp: Composition, clip_id: str, frame: int = 45) -> tuple[float, float, float, float]:
    """Where the renderer draws one clip (alone, on a clear canvas): (x0, y0, x1, y1) in canvas fractions."""
    alone = comp.model_copy(deep=True, update={"background": "#00000000"})
    for _track, clip in alone.clips():
        clip.enabled = clip.id == clip_id
    with FrameEvaluator(alone, MediaResolver(), backend="cpu") as evaluator:
        alpha = evaluator.frame(frame)[..., 3]
    ys, xs = np.nonzero(alpha > 8)
    h, w = alpha.shape
    return xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture
def story(tmp_path) -> Composition:
    """A 9:16 story: headline, product and logo stacked one above another, all on screen together."""
    headline = TextClip(name="Headline", text="Autumn Roast is here.", size=86, start=0, duration=90, transform=at(0.5, 0.28))
    product = MediaClip(name="Product", path=str(picture(tmp_path / "bag.png", (600, 900), (200, 90, 40))), start=0, duration=90,
                        transform=at(0.5, 0.57, 0.55))
    logo = MediaClip(name="Logo", path=str(picture(tmp_path / "logo.png", (400, 200), (60, 40, 30))), start=0, duration=90,
                     transform=at(0.5, 0.87, 0.4))
    scene = MediaClip(name="Scene", path=str(picture(tmp_path / "wall.jpg", (1600, 900), (90, 90, 90))), start=0, duration=90, fit="cover")
    return Composition(name="Story", width=1080, height=1920, duration=90, tracks=[
        Track(kind="video", clips=[scene]), Track(kind="overlay", clips=[product, logo]), Track(kind="text", clips=[headline])])


def ids(comp: Composition, *names: str) -> list[str]:
    return [next(c.id for _t, c in comp.clips() if c.name == name) for name in names]


def test_stacked_elements_do_not_overlap_in_a_square_variant(story):
    headline, product, logo = ids(story, "Headline", "Product", "Logo")
    # Laid out at the same fractions on a square canvas, they would overlap:
    naive = story.model_copy(update={"height": 1080})
    assert overlap(drawn_box(naive, headline), drawn_box(naive, product))
    assert overlap(drawn_box(naive, product), drawn_box(naive, logo))

    result = add_variant(story, "1x1", lambda clip: Path(clip.path))
    square = result.for_variant("1x1")
    boxes = {clip_id: drawn_box(square, clip_id) for clip_id in (headline, product, logo)}
    for a, b in ((headline, product), (product, logo), (headline, logo)):
        assert not overlap(boxes[a], boxes[b]), (boxes[a], boxes[b])
    left, top, right, bottom = SAFE_ZONES["1x1"]
    for x0, y0, x1, y1 in boxes.values():
        assert left <= x0 and x1 <= 1 - right and top <= y0 and y1 <= 1 - bottom
    assert boxes[headline][3] <= boxes[product][1] and boxes[product][3] <= boxes[logo][1]  # still in their order
    # the stack is taller than the safe zone at full size, so it was scaled down a little, all alike
    scales = [square.find_clip(i)[1].transform.scale.value / story.find_clip(i)[1].transform.scale.value for i in (headline, product, logo)]
    assert 0.8 < scales[0] < 1 and scales == pytest.approx([scales[0]] * 3)
    # the 9:16 layout is untouched, and the same input gives the same layout
    assert result.for_variant("9x16").model_copy(update={"variants": []}) == story
    assert add_variant(story, "1x1", lambda clip: Path(clip.path)) == result


def test_a_caption_on_its_button_moves_with_it(story):
    """Elements that overlapped by much in the original layout were layered on purpose."""
    button = ShapeClip(name="Button", shape="rounded_rectangle", size=(0.5, 0.065), start=0, duration=90, transform=at(0.5, 0.87))
    caption = TextClip(name="CTA", text="ORDER NOW", size=52, start=0, duration=90, transform=at(0.5, 0.87))
    story.tracks[1].clips = [c for c in story.tracks[1].clips if c.name != "Logo"] + [button]  # the button where the logo was
    story.tracks[2].clips = [*story.tracks[2].clips, caption]
    square = add_variant(story, "1x1", lambda clip: Path(clip.path)).for_variant("1x1")
    button_box, caption_box = drawn_box(square, button.id), drawn_box(square, caption.id)
    assert button_box[0] < caption_box[0] and caption_box[2] < button_box[2]  # the caption is still on its button
    assert button_box[1] < caption_box[1] and caption_box[3] < button_box[3]
    for other in ids(square, "Headline", "Product"):
        assert not overlap(drawn_box(square, other), button_box)


def test_elements_on_screen_at_different_times_keep_their_place(tmp_path):
    first = TextClip(name="First", text="Fresh", size=120, start=0, duration=45, transform=at(0.5, 0.5))
    second = TextClip(name="Second", text="Roasted", size=120, start=45, duration=45, transform=at(0.5, 0.5))
    comp = Composition(name="Cards", width=1080, height=1920, duration=90, tracks=[Track(kind="text", clips=[first, second])])
    square = add_variant(comp, "1x1", lambda clip: None).for_variant("1x1")
    assert square.find_clip(first.id)[1].transform.position.value == (0.5, 0.5)
    assert square.find_clip(second.id)[1].transform.position.value == (0.5, 0.5)
