"""The demo's ready-made ad: a 5.5 s vertical story for the Kestrel Coffee campaign on the
demo's own pictures (a slow push-in on each, a crossfade, the product popping in, copy, a
call to action)."""

from __future__ import annotations

from studio.core.timeline.model import (
    Animated, Composition, Keyframe, MediaClip, ShapeClip, Stroke, TextClip, Track, Transform, Transition,
)

NAME = "Autumn Roast — 5 s story"
ESPRESSO, COPPER = "#3B2418", "#B5532A"


def at(x: float, y: float, scale: float = 1.0, **animated) -> Transform:
    return Transform(position=Animated(value=(x, y)), scale=Animated(value=scale), **animated)


def demo_ad(ids: dict[str, int]) -> Composition:
    """ids: asset ids by demo file name."""
    push_in = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=1.0, easing="ease_in_out"), Keyframe(frame=90, value=1.12)])
    table = MediaClip(name="Coffee table", asset_id=ids["scene-coffee-table.jpg"], start=0, duration=90, fit="cover",
                      transform=Transform(scale=push_in))
    wall = MediaClip(name="Brick wall", asset_id=ids["backdrop-brick-wall.jpg"], start=75, duration=90, fit="cover",
                     transform=Transform(scale=push_in))
    pop_in = Animated(value=0.5, keyframes=[Keyframe(frame=0, value=0.38, easing="ease_out"), Keyframe(frame=24, value=0.5)])
    fade_in = Animated(value=1.0, keyframes=[Keyframe(frame=0, value=0.0), Keyframe(frame=12, value=1.0)])
    product = MediaClip(name="Product", asset_id=ids["kestrel-autumn-roast-bag.png"], start=20, duration=145,
                        transform=Transform(position=Animated(value=(0.5, 0.52)), scale=pop_in, opacity=fade_in))
    logo = MediaClip(name="Logo", asset_id=ids["kestrel-logo.png"], start=0, duration=165, transform=at(0.5, 0.18, 0.42))
    headline = TextClip(name="Headline", text="Autumn Roast is here.", start=30, duration=135, size=86,
                        stroke=Stroke(width=5, colour=ESPRESSO), transform=at(0.5, 0.29))
    button = ShapeClip(name="Button", shape="rounded_rectangle", start=60, duration=105, size=(0.5, 0.065), fill=COPPER, radius=40,
                       transform=at(0.5, 0.755))
    label = TextClip(name="Call to action", text="ORDER NOW", start=60, duration=105, size=52, transform=at(0.5, 0.755))
    return Composition(
        name=NAME, width=1080, height=1920, fps=(30, 1), duration=165, background="#1B120D",
        tracks=[
            Track(kind="video", name="Backdrop", clips=[table, wall], transitions=[Transition(a=table.id, b=wall.id, duration=15)]),
            Track(kind="overlay", name="Product", clips=[product]),
            Track(kind="overlay", name="Logo", clips=[logo]),
            Track(kind="overlay", name="Button", clips=[button]),
            Track(kind="text", name="Headline", clips=[headline]),
            Track(kind="text", name="Call to action", clips=[label]),
        ],
    )
