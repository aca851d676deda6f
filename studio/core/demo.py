"""The demo library: a sample client, brand, campaign and media to try the studio with.

`build_demo(lib)` adds the agency's client "Kestrel Coffee Co." with its brand (palette and
logo), the campaign "Autumn Roast Launch", a product cut-out, scene photos (public-domain
photographs in resources/demo) and two short videos. The logo, the cut-out and the videos
are made here by code. Running it again adds only what is missing: the client, brand and
campaign are found by name, the media by name in the campaign (an H.264 encode is not
byte-for-byte repeatable, so the importer's hash check alone would not do). The media, tags,
copy and ad land in one undo step.

It also fills the brand's research profile, a few pages of its site and a competitor's, a brief
for the campaign (studio.core.demo_research) and two weeks of its publishing plan
(studio.core.demo_publish), through their own ops, in the same undo step. And it imports a
Meta and a Google Ads performance report (60 days up to yesterday, a weekly rhythm and one
planted Meta spend spike), written as the platforms' export files into the library's
demo-reports/ folder and read by the real ingest, so Analytics opens filled. Imported facts sit
outside undo (see studio.core.analytics.store); a report already imported is skipped.
"""

from __future__ import annotations

import math
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from sqlalchemy import select

from studio.core.analytics import store as analytics_store
from studio.core.analytics.ingest import IngestParams, ingest
from studio.core.assets import importer
from studio.core.db.models import (
    AdCopyRow,
    Asset,
    AssetTag,
    Brand,
    Campaign,
    Client,
    CompositionRow,
)
from studio.core.demo_ad import NAME as DEMO_AD
from studio.core.demo_ad import demo_ad
from studio.core.demo_publish import add_publishing_plan
from studio.core.demo_research import add_research_and_brief
from studio.core.errors import StudioError
from studio.core.jobs import JobState
from studio.core.ops.tx import one_undo_step
from studio.core.paths import resources_dir

CLIENT = "Kestrel Coffee Co."
BRAND = "Kestrel Coffee"
CAMPAIGN = "Autumn Roast Launch"
ESPRESSO, COPPER, CREAM, FOREST, MUSTARD = "#3B2418", "#B5532A", "#F4E9D8", "#2F5D50", "#E0A83B"
PALETTE = [ESPRESSO, COPPER, CREAM, FOREST, MUSTARD]

# file name -> (role, tags); the photos come from resources/demo, the rest is made here
PHOTOS = {
    "scene-coffee-table.jpg": ("scene", ["scene", "table", "coffee"]),
    "scene-cosy-cat.jpg": ("scene", ["scene", "lifestyle"]),
    "scene-launch.jpg": ("scene", ["scene", "launch"]),
    "backdrop-brick-wall.jpg": ("scene", ["scene", "backdrop"]),
}
MADE = {
    "kestrel-logo.png": ("logo", ["logo", "brand"]),
    "kestrel-autumn-roast-bag.png": ("product", ["product", "cut-out"]),
    "autumn-roast-hero-16x9.mp4": ("video", ["video", "horizontal"]),
    "autumn-roast-story-9x16.mp4": ("video", ["video", "vertical"]),
}
ROLES = {**PHOTOS, **MADE}
FPS, SECONDS, RATE = 24, 3.0, 48000
# The campaign's ad copy: shared by every placement (None) unless a platform or one placement has its own.
COPY = {
    None: {
        "headline": ["Autumn Roast is here", "Slow-roasted, small batch", "Fresh from Kestrel Coffee"],
        "description": ["Caramel and toasted hazelnut notes, roasted in small batches.",
                        "Order the Autumn Roast today: free shipping on your first bag."],
        "primary_text": ["Meet our Autumn Roast: caramel, hazelnut and a warm finish, roasted this week."],
        "short_headline": ["Autumn Roast is here"],
        "long_headline": ["Kestrel Autumn Roast: caramel and hazelnut, roasted in small batches"],
        "business_name": ["Kestrel Coffee"],
        "path1": ["autumn"], "path2": ["roast"],
        "final_url": ["https://kestrel.coffee/autumn-roast"],
        "call_to_action": ["Shop now"],
    },
    "tiktok": {"ad_text": ["Autumn Roast is here: caramel, hazelnut, roasted this week"], "brand_name": ["Kestrel Coffee"]},
    "linkedin": {"intro_text": ["Treat the team to Kestrel's Autumn Roast: small-batch coffee, roasted every week."]},
    "google.youtube_instream": {"headline": ["Autumn Roast is here", "Small batch, roasted weekly"],
                                "description": ["Caramel and hazelnut notes.", "Free shipping on your first bag."]},
}


def build_demo(lib, state: JobState | None = None) -> dict:
    """Add the demo to an open library (again: adds only what is missing). Returns the ids."""
    state = state or JobState()
    merge = f"demo:{uuid.uuid4().hex}"  # everything below, the import included, is one undo step
    client_id, brand_id, campaign_id = _organize(lib, merge)
    with lib.read() as conn:  # what an earlier run left in the campaign is not made again
        by_name = dict(conn.execute(
            select(Asset.name, Asset.id).where(Asset.campaign_id == campaign_id, Asset.name.in_(ROLES), Asset.trashed_at.is_(None))
        ).all())
    wanted = [name for name in ROLES if name not in by_name]
    report = importer.ImportReport()
    if wanted:
        with tempfile.TemporaryDirectory(prefix="studio-demo-") as tmp:
            files = _make_media(Path(tmp), wanted, state)
            state.check()
            state.set_status("Importing the demo media")
            # the import's progress maps onto the last fifth of ours; Cancel is shared
            sub = JobState(lambda: state.set_progress(0.8 + 0.18 * (sub.progress or 0)), state.cancel_event)
            params = importer.ImportParams(str(lib.root), [str(p) for p in files], campaign_id, merge_key=merge)
            report = importer.run(params, sub, lib=lib)
            state.check()

    by_name |= {Path(row["source_path"]).name: row["id"] for row in report.imported}
    by_name |= {Path(s["path"]).name: s["asset_id"] for s in report.skipped if s.get("asset_id")}
    missing = [f"{Path(s['path']).name}: {s['reason']}" for s in report.skipped if not s.get("asset_id")]
    if missing:
        raise StudioError(f"The demo media could not be imported ({', '.join(missing)}); see the log, or reinstall Conext Studio.")
    with lib.read() as conn:
        have = set(map(tuple, conn.execute(select(AssetTag.asset_id, AssetTag.tag).where(AssetTag.asset_id.in_(by_name.values())))))
        logo_now = conn.execute(select(Brand.logo_asset_id).where(Brand.id == brand_id)).scalar()
    with lib.write("Add demo library", merge_key=merge, merge_window=float("inf")) as tx:
        for name, asset_id in by_name.items():
            for tag in ROLES[name][1]:
                if (asset_id, tag) not in have:
                    tx.insert("asset_tags", asset_id=asset_id, tag=tag)
        if logo_now is None:
            tx.update("brands", brand_id, logo_asset_id=by_name["kestrel-logo.png"])
        if not _has_copy(lib, campaign_id):
            for scope, fields in COPY.items():
                for field, texts in fields.items():
                    for position, text in enumerate(texts):
                        tx.insert("ad_copy", campaign_id=campaign_id, scope=scope, field=field, text=text, position=position)
        if not _has_ad(lib, campaign_id):
            ad = demo_ad(by_name)
            tx.insert("compositions", name=ad.name, campaign_id=campaign_id, schema_version=ad.schema_version, document=ad.to_document())
    with one_undo_step("Add demo library", merge):
        add_research_and_brief(lib, brand_id, campaign_id)
        add_publishing_plan(lib, brand_id, campaign_id, by_name)
    state.set_status("Importing the demo performance reports")
    facts = _add_performance(lib, state)
    state.set_progress(1.0)
    state.set_status("Demo library ready")

    assets: dict[str, list[int]] = {}
    for name, (role, _) in ROLES.items():
        assets.setdefault(role, []).append(by_name[name])
    return {
        "client": {"id": client_id, "name": CLIENT},
        "brand": {"id": brand_id, "name": BRAND},
        "campaign": {"id": campaign_id, "name": CAMPAIGN},
        "assets": {"logo": assets["logo"][0], "product": assets["product"][0], "scenes": assets["scene"], "videos": assets["video"]},
        "imported": len(report.imported),
        "performance_facts": facts,
    }


def _has_copy(lib, campaign_id: int) -> bool:
    with lib.read() as conn:
        return conn.execute(select(AdCopyRow.id).where(AdCopyRow.campaign_id == campaign_id)).first() is not None


def _has_ad(lib, campaign_id: int) -> bool:
    with lib.read() as conn:
        found = conn.execute(select(CompositionRow.id).where(CompositionRow.campaign_id == campaign_id, CompositionRow.name == DEMO_AD)).first()
    return found is not None


def _organize(lib, merge: str) -> tuple[int, int, int]:
    """The client, brand and campaign, found by name or created."""
    with lib.read() as conn:
        client_id = conn.execute(select(Client.id).where(Client.name == CLIENT)).scalar()
        brand_id = client_id and conn.execute(
            select(Brand.id).where(Brand.client_id == client_id, Brand.name == BRAND).order_by(Brand.id)
        ).scalar()
        campaign_id = brand_id and conn.execute(
            select(Campaign.id).where(Campaign.brand_id == brand_id, Campaign.name == CAMPAIGN).order_by(Campaign.id)
        ).scalar()
    if client_id and brand_id and campaign_id:
        return client_id, brand_id, campaign_id
    today = date.today()
    with lib.write("Add demo library", merge_key=merge, merge_window=float("inf")) as tx:
        client_id = client_id or tx.insert("clients", name=CLIENT)
        brand_id = brand_id or tx.insert("brands", client_id=client_id, name=BRAND, palette=PALETTE)
        campaign_id = tx.insert(
            "campaigns", brand_id=brand_id, name=CAMPAIGN, starts_on=today - timedelta(days=14), ends_on=today + timedelta(days=75)
        )
    return client_id, brand_id, campaign_id


def _make_media(out: Path, names: list[str], state: JobState) -> list[Path]:
    """The files to import for these demo names: photos from resources/demo, the rest made in out."""
    state.set_status("Drawing the demo product and logo")
    state.set_progress(0.0)
    demo = resources_dir() / "demo"
    files = [demo / name for name in PHOTOS if name in names]
    logo, bag = draw_logo(), draw_product()
    for name, img in (("kestrel-logo.png", logo), ("kestrel-autumn-roast-bag.png", bag)):
        if name in names:
            img.save(out / name)
            files.append(out / name)
    state.set_progress(0.1)
    videos = {
        "autumn-roast-hero-16x9.mp4": lambda: _hero_frames(Image.open(demo / "scene-coffee-table.jpg").convert("RGB"), bag, logo),
        "autumn-roast-story-9x16.mp4": lambda: _story_frames(Image.open(demo / "backdrop-brick-wall.jpg").convert("RGB"), bag),
    }
    for i, (name, frames) in enumerate(videos.items()):
        if name in names:
            state.check()
            state.set_status(f"Rendering the demo video {name}")
            write_video(out / name, frames(), lambda f: state.set_progress(0.1 + 0.35 * (i + f)))
            files.append(out / name)
    return files


# ---- performance reports -------------------------------------------------------------------

REPORTS_DIR = "demo-reports"
PERFORMANCE_DAYS = 60
# platform -> campaign -> (daily spend in USD, cost per click, conversion rate, order value)
PERFORMANCE = {
    "meta": {"Autumn Roast - Prospecting": (140.0, 0.85, 0.030, 38.0), "Autumn Roast - Retargeting": (60.0, 0.60, 0.070, 42.0),
             "Kestrel - Brand Reach": (45.0, 1.10, 0.012, 30.0)},
    "google": {"Search - Brand": (55.0, 0.45, 0.090, 36.0), "Search - Coffee Beans": (120.0, 1.20, 0.040, 34.0),
               "YouTube - Autumn Roast": (80.0, 0.95, 0.010, 33.0)},
}
WEEKDAY_SPEND = (0.92, 0.95, 1.0, 1.02, 1.08, 1.22, 1.15)  # Monday..Sunday: coffee sells at the weekend
SPIKE = ("meta", "Autumn Roast - Prospecting", 5, 3.4)  # platform, campaign, days before the last day, spend factor


def performance_days(today: date | None = None) -> list[date]:
    """The demo reports' days: PERFORMANCE_DAYS up to yesterday."""
    last = (today or date.today()) - timedelta(days=1)
    return [last - timedelta(days=n) for n in range(PERFORMANCE_DAYS - 1, -1, -1)]


def spike_day(today: date | None = None) -> date:
    return performance_days(today)[-1 - SPIKE[2]]


def _performance_rows(platform: str, days: list[date]):
    """(campaign, day, spend, impressions, clicks, purchases, value) per campaign and day, the same for the same days."""
    rng = np.random.default_rng(list(PERFORMANCE).index(platform))  # the same wobbles every day the demo is built
    for campaign, (spend, cpc, rate, order) in PERFORMANCE[platform].items():
        for i, day in enumerate(days):
            growth = 1 + 0.1 * i / len(days)  # the launch ramps up
            usual = spend * growth * WEEKDAY_SPEND[day.weekday()] * rng.normal(1, 0.03)
            clicks = round(usual / cpc * rng.normal(1, 0.05))
            spiked = (platform, campaign) == SPIKE[:2] and i == len(days) - 1 - SPIKE[2]
            day_spend = usual * SPIKE[3] if spiked else usual  # a budget typo: spend jumps, clicks and sales do not
            purchases = int(rng.binomial(clicks, rate))
            yield campaign, day, round(day_spend, 2), clicks * int(rng.integers(38, 46)), clicks, purchases, round(purchases * order * rng.normal(1, 0.08), 2)


def write_meta_report(path: Path, days: list[date]) -> Path:
    """An Ads Manager export (by day, ad level): UTF-8 with a byte-order mark, the totals row first."""
    head = ("Reporting starts,Reporting ends,Campaign name,Ad set name,Ad name,Day,Amount spent (USD),Impressions,Reach,"
            "Frequency,Link clicks,Clicks (all),Purchases,Purchases conversion value")
    rows = list(_performance_rows("meta", days))
    span = f"{days[0]},{days[-1]}"
    sums = [sum(r[k] for r in rows) for k in (2, 3, 4, 5, 6)]
    lines = [head, f"{span},,,,,{sums[0]:.2f},{sums[1]},{sums[1] * 2 // 3},1.5,{sums[2] * 4 // 5},{sums[2]},{sums[3]},{sums[4]:.2f}"]
    for campaign, day, spend, impressions, clicks, purchases, value in rows:
        lines.append(f"{span},{campaign},{campaign} - Broad,Autumn Roast video,{day},{spend:.2f},{impressions},{impressions * 2 // 3},"
                     f"1.5,{clicks * 4 // 5},{clicks},{purchases},{value:.2f}")
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
    return path


def write_google_report(path: Path, days: list[date]) -> Path:
    """A Google Ads campaign report as its UI downloads it: a title and the date range first, numbers with
    thousands separators, a total row last."""
    def quoted(value: str) -> str:
        return f'"{value}"' if "," in value else value

    lines = ["Campaign performance", quoted(f"{days[0]:%B} {days[0].day}, {days[0].year} - {days[-1]:%B} {days[-1].day}, {days[-1].year}"),
             "Campaign,Day,Campaign status,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value"]
    rows = list(_performance_rows("google", days))
    for campaign, day, spend, impressions, clicks, purchases, value in rows:
        lines.append(",".join(quoted(v) for v in (campaign, day.isoformat(), "Enabled", "USD", f"{impressions:,}", f"{clicks:,}",
                                                   f"{spend:,.2f}", f"{purchases:.2f}", f"{value:,.2f}")))
    total = [sum(r[k] for r in rows) for k in (2, 3, 4, 5)]
    lines.append(",".join(quoted(v) for v in ("Total: Account", "--", "--", "USD", f"{total[1]:,}", f"{total[2]:,}", f"{total[0]:,.2f}",
                                               f"{total[3]:.2f}", "--")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _add_performance(lib, state: JobState) -> int:
    """Write the demo reports into the library's demo-reports/ folder and ingest those not imported yet; returns the facts added."""
    folder = Path(lib.root) / REPORTS_DIR
    folder.mkdir(exist_ok=True)
    days = performance_days()
    names = {f"kestrel-meta-ads-{days[-1]}.csv": write_meta_report, f"kestrel-google-ads-{days[-1]}.csv": write_google_report}
    done = {batch.file_name for batch in analytics_store.list_imports(lib)}
    paths = [str(writer(folder / name, days)) for name, writer in names.items() if name not in done]
    if not paths:
        return 0
    reports = ingest(IngestParams(str(lib.root), paths), JobState(cancel_event=state.cancel_event), lib=lib)
    failed = [f"{Path(r.file).name}: {r.error or r.errors}" for r in reports if not r.imported]
    if failed:
        raise StudioError(f"The demo performance reports could not be imported ({'; '.join(failed)}); see the log, or reinstall Conext Studio.")
    return sum(r.rows_added for r in reports)


# ---- drawing ---------------------------------------------------------------------------------

def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=round(size))  # Pillow's bundled Aileron (CC0)


def _text(draw: ImageDraw.ImageDraw, xy, text: str, size: float, fill, *, tracking=0.0, bold=0.0, anchor="mm"):
    """Text centred (or anchored) at xy, with letter spacing and a stroke for weight."""
    font, stroke = _font(size), round(size * bold)
    widths = [font.getlength(c) + size * tracking for c in text]
    total = sum(widths) - size * tracking
    x = xy[0] - {"l": 0, "m": total / 2, "r": total}[anchor[0]]
    for char, width in zip(text, widths):
        draw.text((x, xy[1]), char, font=font, fill=fill, anchor="l" + anchor[1], stroke_width=stroke, stroke_fill=fill)
        x += width


def _bean(size: int, colour, crease) -> Image.Image:
    """A coffee bean, tilted, with its S-shaped crease."""
    img = Image.new("RGBA", (size, size))
    d = ImageDraw.Draw(img)
    w, h = size * 0.62, size * 0.9
    box = ((size - w) / 2, (size - h) / 2, (size + w) / 2, (size + h) / 2)
    d.ellipse(box, fill=colour)
    pts = [(size / 2 + w * 0.13 * math.sin(t * math.pi * 2), box[1] + h * (0.08 + 0.84 * t)) for t in np.linspace(0, 1, 40)]
    d.line(pts, fill=crease, width=max(2, size // 14), joint="curve")
    return img.rotate(-28, resample=Image.Resampling.BICUBIC)


def _badge(size: int) -> Image.Image:
    """The round brand mark: an espresso disc, a copper ring and a cream bean."""
    img = Image.new("RGBA", (size, size))
    d = ImageDraw.Draw(img)
    d.ellipse((0, 0, size - 1, size - 1), fill=_rgb(COPPER))
    ring = size * 0.06
    d.ellipse((ring, ring, size - ring, size - ring), fill=_rgb(ESPRESSO))
    inner = size * 0.11
    d.ellipse((inner, inner, size - inner, size - inner), outline=_rgb(MUSTARD), width=max(1, size // 90))
    bean = _bean(int(size * 0.55), _rgb(CREAM), _rgb(ESPRESSO))
    img.alpha_composite(bean, ((size - bean.width) // 2, (size - bean.height) // 2))
    return img


def draw_logo(scale: int = 3) -> Image.Image:
    """The brand logo (badge and wordmark) on a transparent background, 1000x360."""
    w, h = 1000 * scale, 360 * scale
    img = Image.new("RGBA", (w, h))
    img.alpha_composite(_badge(300 * scale), (30 * scale, 30 * scale))
    d = ImageDraw.Draw(img)
    _text(d, (370 * scale, 170 * scale), "KESTREL", 128 * scale, _rgb(ESPRESSO), tracking=0.06, bold=0.035, anchor="ls")
    _text(d, (374 * scale, 250 * scale), "COFFEE CO.", 58 * scale, _rgb(COPPER), tracking=0.36, bold=0.02, anchor="ls")
    return img.resize((1000, 360), Image.Resampling.LANCZOS)


def _leaf(size: int, colour) -> Image.Image:
    img = Image.new("RGBA", (size, size))
    d = ImageDraw.Draw(img)
    t = np.linspace(0, math.pi, 30)
    half = [(size / 2 + size * 0.28 * math.sin(a) ** 1.3, size * 0.05 + size * 0.9 * a / math.pi) for a in t]
    d.polygon(half + [(size - x, y) for x, y in reversed(half)], fill=colour)
    d.line([(size / 2, size * 0.08), (size / 2, size * 0.98)], fill=_rgb(CREAM), width=max(1, size // 30))
    return img


def draw_product(scale: int = 2) -> Image.Image:
    """A stand-up coffee pouch with its label, cut out (real alpha, anti-aliased), 720x1000."""
    W, H = 720, 1000
    s = scale
    w, h = W * s, H * s
    # silhouette: slightly tapered sides that bulge low, a zigzag crimped top, rounded base
    ys = np.linspace(95, 955, 120)
    half = 272 + 30 * np.sin(np.clip((ys - 95) / 760, 0, 1) * math.pi * 0.62)
    teeth = [(x, 70 + (7 if i % 2 else 0)) for i, x in enumerate(np.linspace(360 - 272, 360 + 272, 69))]
    right = list(zip(360 + half, ys))
    base = [(360 + half[-1] - 30 * (1 - math.cos(a)), 955 + 30 * math.sin(a)) for a in np.linspace(0, math.pi / 2, 8)]
    side = right + base
    outline = teeth + side + [(W - x, y) for x, y in reversed(side)]  # mirrored for the left side
    mask = Image.new("L", (w, h))
    ImageDraw.Draw(mask).polygon([(x * s, y * s) for x, y in outline], fill=255)
    ImageDraw.Draw(mask).polygon([(x * s, y * s) for x, y in ((78, 146), (100, 155), (78, 164))], fill=0)  # tear notch

    img = Image.new("RGB", (w, h), _rgb(COPPER))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, 150 * s), fill=tuple(int(c * 0.86) for c in _rgb(COPPER)))  # the sealed band
    for x in range(96, 640, 9):
        d.line(((x * s, 78 * s), (x * s, 140 * s)), fill=tuple(int(c * 0.78) for c in _rgb(COPPER)), width=s)
    d.ellipse((540 * s, 192 * s, 588 * s, 240 * s), fill=tuple(int(c * 0.8) for c in _rgb(COPPER)))  # degassing valve
    d.ellipse((552 * s, 204 * s, 576 * s, 228 * s), fill=tuple(int(c * 0.65) for c in _rgb(COPPER)))
    _text(d, (360 * s, 230 * s), "SMALL-BATCH  ·  SLOW-ROASTED", 22 * s, _rgb(CREAM), tracking=0.18, bold=0.03)

    # the label
    d.rounded_rectangle((125 * s, 300 * s, 595 * s, 860 * s), radius=26 * s, fill=_rgb(CREAM))
    d.rounded_rectangle((139 * s, 314 * s, 581 * s, 846 * s), radius=18 * s, outline=_rgb(COPPER), width=2 * s)
    badge = _badge(130 * s)
    img.paste(badge, ((360 - 65) * s, 336 * s), badge)
    _text(d, (360 * s, 528 * s), "KESTREL", 74 * s, _rgb(ESPRESSO), tracking=0.1, bold=0.03)
    _text(d, (360 * s, 582 * s), "COFFEE CO.", 28 * s, _rgb(COPPER), tracking=0.42, bold=0.03)
    d.rectangle((125 * s, 622 * s, 595 * s, 702 * s), fill=_rgb(FOREST))
    _text(d, (360 * s, 662 * s), "AUTUMN ROAST", 40 * s, _rgb(CREAM), tracking=0.12, bold=0.03)
    for x, angle, colour in ((154, 30, MUSTARD), (566, -30, COPPER)):
        leaf = _leaf(46 * s, _rgb(colour)).rotate(angle, resample=Image.Resampling.BICUBIC)
        img.paste(leaf, ((x - 23) * s, 639 * s), leaf)
    _text(d, (360 * s, 738 * s), "Medium roast  ·  Whole bean", 25 * s, _rgb(ESPRESSO), bold=0.01)
    _text(d, (360 * s, 772 * s), "Toffee, fig & toasted pecan", 25 * s, _rgb(ESPRESSO), bold=0.01)
    _text(d, (360 * s, 818 * s), "340 g  /  12 oz", 22 * s, _rgb(COPPER), tracking=0.1, bold=0.02)

    # light: a soft highlight left of centre, falling off to the sides (a filled pouch is round)
    u = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    v = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    light = 0.86 + 0.26 * np.exp(-((u - 0.36) / 0.2) ** 2) - 0.5 * np.abs(2 * u - 1) ** 5
    light = light - 0.16 * np.clip((v - 0.9) / 0.1, 0, 1) ** 2 + 0.1 * np.exp(-((v - 0.165) / 0.012) ** 2)
    pillow = np.clip(1 - ((np.abs(2 * u - 1) ** 2 + (1 - np.clip(v / 0.25, 0, 1)) ** 2) - 0.6), 0.75, 1)  # top corners
    grain = np.random.default_rng(7).normal(1, 0.012, (h // s, w // s)).astype(np.float32)
    grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_NEAREST)
    rgb = np.asarray(img, dtype=np.float32) * (light * pillow * grain)[..., None]
    out = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    out.putalpha(mask)
    return out.resize((W, H), Image.Resampling.LANCZOS)


# ---- video -----------------------------------------------------------------------------------

def _ease(t: float) -> float:
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


def _cover(img: Image.Image, size: tuple[int, int], extra: float = 1.25) -> np.ndarray:
    """The image scaled (once, with Lanczos) to cover size*extra, as an RGB array."""
    k = max(size[0] / img.width, size[1] / img.height) * extra
    return np.asarray(img.resize((round(img.width * k), round(img.height * k)), Image.Resampling.LANCZOS))


def _ken_burns(src: np.ndarray, size: tuple[int, int], t: float, zoom: tuple[float, float], pan: tuple[float, float]) -> np.ndarray:
    """A frame of a slow zoom and pan over src: t in 0..1, pan as fractions of the slack."""
    w, h = size
    e = _ease(t) * 0.6 + t * 0.4
    k = max(w / src.shape[1], h / src.shape[0]) * (zoom[0] + (zoom[1] - zoom[0]) * e)
    slack_x, slack_y = src.shape[1] * k - w, src.shape[0] * k - h
    p = pan[0] + (pan[1] - pan[0]) * e
    m = np.float32([[k, 0, -slack_x * p], [0, k, -slack_y * 0.5]])
    return cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _premultiplied(rgba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An RGBA uint8 layer as (premultiplied RGB, alpha in 3 channels), ready for _over."""
    alpha = np.repeat(rgba[..., 3:], 3, axis=2)
    return cv2.multiply(rgba[..., :3], alpha, scale=1 / 255), alpha


def _over(frame: np.ndarray, layer: tuple[np.ndarray, np.ndarray], x: int, y: int, opacity: float = 1.0) -> None:
    """Composite a premultiplied layer onto frame (RGB uint8, in place) at x, y (8-bit cv2 math: fast)."""
    rgb, alpha = layer
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, frame.shape[1]), min(y + h, frame.shape[0])
    if x0 >= x1 or y0 >= y1 or opacity <= 0:
        return
    rgb, alpha = rgb[y0 - y:y1 - y, x0 - x:x1 - x], alpha[y0 - y:y1 - y, x0 - x:x1 - x]
    if opacity < 1:
        rgb, alpha = cv2.convertScaleAbs(rgb, alpha=opacity), cv2.convertScaleAbs(alpha, alpha=opacity)
    region = frame[y0:y1, x0:x1]
    region[:] = cv2.add(cv2.multiply(region, cv2.bitwise_not(alpha), scale=1 / 255), rgb)


def _shadow(width: int, height: int, strength: float = 0.55) -> np.ndarray:
    """A soft contact shadow (RGBA) for a product standing on a surface."""
    img = Image.new("L", (width * 2, height * 4))
    ImageDraw.Draw(img).ellipse((width * 0.5, height * 1.5, width * 1.5, height * 2.5), fill=int(255 * strength))
    img = img.filter(ImageFilter.GaussianBlur(height * 0.45))
    layer = np.zeros((*img.size[::-1], 4), np.uint8)
    layer[..., :3] = _rgb("#1A0F08")
    layer[..., 3] = np.asarray(img)
    return _premultiplied(layer)


def _layer(size, draw_fn) -> tuple[tuple, int, int]:
    """What draw_fn(draw, img) draws on a transparent canvas, cropped: (layer, x, y)."""
    img = Image.new("RGBA", size)
    draw_fn(ImageDraw.Draw(img), img)
    x0, y0, x1, y1 = img.getbbox()
    return _premultiplied(np.asarray(img.crop((x0, y0, x1, y1)))), x0, y0


def _multiplier(factor: np.ndarray) -> np.ndarray:
    """A per-pixel brightness factor (0..1) as uint8 for cv2.multiply (fast)."""
    return np.repeat(np.clip(factor * 255, 0, 255).astype(np.uint8), 3, axis=2)


def _hero_frames(photo: Image.Image, bag: Image.Image, logo: Image.Image, size=(1280, 720)):
    """16:9 hero: slow push-in over the coffee table, the pouch on the table, a headline."""
    w, h = size
    src = _cover(photo, size)
    product = _premultiplied(np.asarray(bag.resize((330, 458), Image.Resampling.LANCZOS)))
    shadow = _shadow(360, 46)
    small_logo = logo.resize((300, 108), Image.Resampling.LANCZOS)
    # darken towards the lower left, where the headline sits
    u = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    v = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    shade = _multiplier(1 - 0.7 * np.clip(1.15 - u * 1.4, 0, 1) * np.clip(v * 1.5 - 0.35, 0, 1) ** 1.2)

    def text(d, img):
        _text(d, (72, 548), "Autumn Roast is here.", 64, _rgb(CREAM), bold=0.03, anchor="ls")
        _text(d, (74, 600), "Small-batch, slow-roasted. Toffee, fig & toasted pecan.", 27, _rgb(CREAM), bold=0.01, anchor="ls")
        d.rounded_rectangle((72, 628, 262, 676), radius=24, fill=_rgb(COPPER))
        _text(d, (167, 653), "SHOP NOW", 21, _rgb(CREAM), tracking=0.16, bold=0.04)
        pill = Image.new("RGBA", (324, 124), _rgb(CREAM))
        rounded = Image.new("L", pill.size)
        ImageDraw.Draw(rounded).rounded_rectangle((0, 0, 323, 123), radius=20, fill=230)
        pill.putalpha(rounded)
        pill.alpha_composite(small_logo, (12, 8))
        img.alpha_composite(pill, (48, 40))

    captions = _layer(size, text)
    n = round(FPS * SECONDS)
    for i in range(n):
        t = i / (n - 1)
        frame = cv2.multiply(_ken_burns(src, size, t, (1.0, 1.12), (0.15, 0.55)), shade, scale=1 / 255)
        drop = round(36 * (1 - _ease(i / (FPS * 0.45))))  # settles onto the table
        _over(frame, shadow, 1010 - 360, 650 - 92 + 8, _ease(i / (FPS * 0.25)))
        _over(frame, product, 1010 - 165, 650 - 458 - drop, _ease(i / (FPS * 0.25)))
        _over(frame, *captions, _ease((i / FPS - 0.05) / 0.3))
        yield frame


def _story_frames(brick: Image.Image, bag: Image.Image, size=(720, 1280)):
    """9:16 story: the pouch on a shelf before a warm brick wall, big type above."""
    w, h = size
    grey = np.asarray(brick.convert("L").filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float32) / 255
    dark, light = np.array(_rgb("#2A160C"), np.float32), np.array(_rgb("#C9773F"), np.float32)
    duotone = Image.fromarray((dark + (light - dark) * grey[..., None] ** 1.2).astype(np.uint8))
    src = _cover(duotone, size, 1.15)
    product = _premultiplied(np.asarray(bag.resize((420, 583), Image.Resampling.LANCZOS)))
    shadow = _shadow(460, 56, 0.7)
    v = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    u = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    vignette = _multiplier(1 - 0.5 * np.clip(np.hypot(u - 0.5, (v - 0.45) * 0.8) * 1.6, 0, 1) ** 2)

    def shelf(d, img):
        d.rectangle((0, 1000, w, h), fill=_rgb(ESPRESSO))
        d.rectangle((0, 1000, w, 1010), fill=_rgb("#5A3A26"))
        _text(d, (w / 2, 1110), "Kestrel Coffee Co.", 34, _rgb(CREAM), bold=0.02)
        d.rounded_rectangle((w / 2 - 120, 1160, w / 2 + 120, 1222), radius=31, fill=_rgb(MUSTARD))
        _text(d, (w / 2, 1192), "ORDER NOW", 24, _rgb(ESPRESSO), tracking=0.16, bold=0.04)

    def headline(d, img):
        _text(d, (w / 2, 150), "NEW SEASONAL BLEND", 26, _rgb(MUSTARD), tracking=0.3, bold=0.03)
        _text(d, (w / 2, 262), "AUTUMN", 124, _rgb(CREAM), tracking=0.06, bold=0.03)
        _text(d, (w / 2, 384), "ROAST", 124, _rgb(CREAM), tracking=0.06, bold=0.03)

    base, captions = _layer(size, shelf), _layer(size, headline)
    n = round(FPS * SECONDS)
    for i in range(n):
        t = i / (n - 1)
        frame = cv2.multiply(_ken_burns(src, size, t, (1.0, 1.1), (0.5, 0.5)), vignette, scale=1 / 255)
        _over(frame, *base)
        drop = round(44 * (1 - _ease(i / (FPS * 0.45))))  # settles onto the shelf
        _over(frame, shadow, (w - 460) // 2 - 230, 1005 - 112 + 4, _ease(i / (FPS * 0.25)))
        _over(frame, product, (w - 420) // 2, 1005 - 583 - drop, _ease(i / (FPS * 0.25)))
        _over(frame, *captions, _ease((i / FPS - 0.05) / 0.3))
        yield frame


def _pad(seconds: float) -> np.ndarray:
    """A soft stereo chord (A major 9) with slow attack and release, float32 (2, n)."""
    t = np.arange(round(seconds * RATE), dtype=np.float64) / RATE
    env = np.minimum(1, t / 0.6) * np.minimum(1, (seconds - t) / 0.8)
    chans = []
    for detune in (0.999, 1.001):  # a touch apart left and right: width
        wave = sum(np.sin(2 * np.pi * f * detune * t) / (k + 1) for k, f in enumerate((110.0, 164.81, 220.0, 277.18, 493.88)))
        chans.append(0.12 * env * wave)
    return np.asarray(chans, dtype=np.float32)


def write_video(path: Path, frames, on_progress=lambda f: None) -> None:
    """H.264 yuv420p + AAC stereo MP4 from RGB frames (FPS, SECONDS long)."""
    n = round(FPS * SECONDS)
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": "21"})
        audio = out.add_stream("aac", rate=RATE, layout="stereo")
        audio.bit_rate = 128_000
        for i, rgb in enumerate(frames):
            if i == 0:
                video.height, video.width = rgb.shape[:2]
                video.pix_fmt = "yuv420p"
            yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)  # BT.601 limited, as swscale would; faster
            out.mux(video.encode(av.VideoFrame.from_ndarray(yuv, format="yuv420p")))
            on_progress((i + 1) / n)
        out.mux(video.encode())
        pcm = _pad(n / FPS)
        for start in range(0, pcm.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm[:, start:start + 1024]), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = RATE, start
            out.mux(audio.encode(frame))
        out.mux(audio.encode())
