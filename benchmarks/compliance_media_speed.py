"""Media compliance speed against the issue's goals, with plain rapidocr as the peer:

- one 1080x1920 image with OCR, every shipped media rule and the copy rules on the text read:
  goal under 1.5 s;
- a 30 s 1080x1920 video (moving picture, text that changes every 10 s, sound): goal under 10 s.

The peer is rapidocr-onnxruntime with its default settings on the same picture (for the video:
OCR alone on the same sampled frames, decoding not counted). Files are made once in a
temporary folder.

    python benchmarks/compliance_media_speed.py [--repeats 3] [--workdir DIR]

--workdir keeps the test files there and reuses them on the next run (making the video takes minutes).

Figures are medians of the repeats after a warm-up (the OCR models load once per process; the
cold load is printed on its own). Ratios: goal / measured (above 1 meets it) and ours / peer.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from studio.core.compliance import ocr
from studio.core.compliance.engine import Context, check_media
from studio.core.compliance.media import load_media
from studio.core.compliance.media_checks import loaded_media

PHOTO = Path(__file__).resolve().parents[1] / "tests" / "data" / "astronaut-wide.jpg"
SIZE = (1080, 1920)
GOALS = {"image_s": 1.5, "video_s": 10.0}
CONTEXT = {"palette": ("#E4002B", "#1D1D1B", "#FFFFFF"), "logo_box": (60, 300, 360, 420), "brand_names": ("ACME",)}


def median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@lru_cache(maxsize=1)
def _photo() -> Image.Image:
    photo = Image.open(PHOTO).convert("RGB")
    return photo.resize((round(photo.width * SIZE[1] / photo.height), SIZE[1]))


def background(shift: int = 0) -> Image.Image:
    """A 1080x1920 window on the photo, panned by shift pixels."""
    photo = _photo()
    x = shift % max(1, photo.width - SIZE[0])
    return photo.crop((x, 0, x + SIZE[0], SIZE[1]))


@lru_cache(maxsize=8)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(name, size)


def dress(img: Image.Image, headline: str) -> Image.Image:
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 300, 360, 420), fill=(228, 0, 43))
    draw.text((90, 330), "ACME", font=_font("DejaVuSans-Bold.ttf", 64), fill="white")
    draw.text((80, 820), headline, font=_font("DejaVuSans-Bold.ttf", 76), fill="white", stroke_width=3, stroke_fill="black")
    draw.text((80, 1500), "shop.example.com", font=_font("DejaVuSans-Bold.ttf", 52), fill="white", stroke_width=2, stroke_fill="black")
    draw.text((80, 1800), "Terms apply. Ends Sunday.", font=_font("DejaVuSans.ttf", 30), fill="white")
    return img


def make_video(path: Path, seconds: int = 30, fps: int = 24) -> None:
    headlines = ["SUMMER SALE 50% OFF", "Free delivery today", "Shop the collection"]
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        stream.options = {"preset": "veryfast", "g": str(2 * fps)}
        sound = out.add_stream("aac", rate=48000, layout="stereo")
        for i in range(seconds * fps):
            img = dress(background(shift=i * 4), headlines[min(len(headlines) - 1, i // (10 * fps))])
            frame = av.VideoFrame.from_ndarray(np.asarray(img), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
        n = seconds * 48000
        wave = (0.2 * np.sin(2 * np.pi * 440 * np.arange(n) / 48000)).astype(np.float32)
        for start in range(0, n, 1024):
            frame = av.AudioFrame.from_ndarray(np.stack([wave[start:start + 1024]] * 2), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            out.mux(sound.encode(frame))
        out.mux(sound.encode())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workdir", type=Path, help="keep the test files here (default: a temporary folder)")
    args = ap.parse_args()

    from rapidocr_onnxruntime import RapidOCR

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        image_path, video_path = folder / "story.png", folder / "reel.mp4"
        dress(background(), "SUMMER SALE 50% OFF").save(image_path)
        if not video_path.is_file():
            print("making the 30 s test video…", flush=True)
            make_video(video_path)

        started = time.perf_counter()
        ocr.engine()
        cold = time.perf_counter() - started
        peer = RapidOCR()

        def ours_image():
            loaded_media.cache_clear()  # every run reads the file and its text afresh
            return check_media(image_path, "meta", context=Context(platform="meta", spec_id="meta.stories_image", **CONTEXT))

        def ours_video():
            loaded_media.cache_clear()
            return check_media(video_path, "meta", context=Context(platform="meta", spec_id="meta.reels", **CONTEXT))

        bgr = np.ascontiguousarray(np.asarray(Image.open(image_path).convert("RGB"))[..., ::-1])
        frames = load_media(video_path).frames

        image_s = median_seconds(ours_image, args.repeats)
        peer_image_s = median_seconds(lambda: peer(bgr), args.repeats)
        video_s = median_seconds(ours_video, args.repeats)
        peer_video_s = median_seconds(lambda: [peer(np.ascontiguousarray(f.pixels[..., ::-1])) for f in frames], max(1, args.repeats // 2))
        image_findings, video_findings = ours_image(), ours_video()

    print(f"Media compliance speed ({args.repeats} repeats, medians; OCR models loaded once in {cold:.2f} s)")
    rows = [("1080x1920 image, all rules", image_s, peer_image_s, GOALS["image_s"], len(image_findings)),
            (f"30 s 1080x1920 video ({len(frames)} frames)", video_s, peer_video_s, GOALS["video_s"], len(video_findings))]
    for what, ours, theirs, goal, found in rows:
        verdict = "meets goal" if ours <= goal else "misses goal"
        print(f"  {what:<36} {ours:6.2f} s  goal ratio {goal / ours:5.2f}x  {verdict}; "
              f"plain rapidocr {theirs:6.2f} s (ours/peer {ours / theirs:4.2f}); {found} findings")


if __name__ == "__main__":
    main()
