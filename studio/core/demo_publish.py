"""The demo campaign's publishing plan: a Facebook page, an Instagram-and-Facebook ad account, a
Google Ads account and a TikTok account for the brand, each in its own time zone, and the next
two weeks of posts in every state a plan goes through (draft, in review, approved, scheduled),
so the Publish workspace opens on a real-looking calendar. Written through the ops; running it
again adds only what is missing. Times are set from the day the demo is built, so they are in
the future."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from studio.core.ops.publishing import add_channel, create_posts, decide_post, schedule_post, set_reviewers, submit_post
from studio.core.publishing.calendar import list_channels, list_posts

REVIEWER = "Maya Okafor (client)"
CHANNELS = [  # platform, name, account, time zone, queue slots
    ("meta", "Kestrel Coffee (Facebook page)", "104857600123", "Europe/London",
     [{"weekday": d, "time": "08:00"} for d in (0, 2, 4)]),
    ("meta", "Kestrel ads (Meta ad account)", "act_2718281828", "Europe/London", []),
    ("google", "Kestrel Google Ads", "123-456-7890", "Europe/London", []),
    ("tiktok", "@kestrelcoffee (TikTok)", "kestrelcoffee", "America/New_York", [{"weekday": 3, "time": "19:00"}]),
]
# (channel index, days from tomorrow, local time, title, asset file, placement, copy, how far it goes)
POSTS = [
    (0, 0, "08:00", "Roast day: the Autumn Roast is out", "scene-coffee-table.jpg", "meta.feed_image",
     {"primary_text": "Roasted this week, on your doorstep by Friday. The Autumn Roast: caramel, hazelnut, a warm finish.",
      "headline": "Autumn Roast is here"}, "scheduled"),
    (1, 1, "12:00", "Autumn Roast: story ad", "autumn-roast-story-9x16.mp4", "meta.reels",
     {"primary_text": "Meet our Autumn Roast: caramel, hazelnut and a warm finish, roasted this week."}, "approved"),
    (2, 2, "07:30", "Search: Autumn Roast launch", None, "google.rsa",
     {"headline": "Autumn Roast is here", "description": "Caramel and hazelnut notes, roasted in small batches."}, "in_review"),
    (3, 3, "19:00", "Behind the roaster (TikTok)", "autumn-roast-story-9x16.mp4", "tiktok.infeed",
     {"ad_text": "Autumn Roast is here: caramel, hazelnut, roasted this week"}, "draft"),
    (0, 6, "08:00", "Brew guide: the perfect cafetière", "scene-launch.jpg", "meta.feed_image",
     {"primary_text": "Four minutes, coarse grind, water just off the boil. That's it."}, "draft"),
    (0, 9, "08:00", "Subscriptions: never run out", "backdrop-brick-wall.jpg", "meta.feed_image",
     {"primary_text": "A fresh bag every two or four weeks, roasted the week it ships. Skip or pause any time."}, "draft"),
]


def add_publishing_plan(lib, brand_id: int, campaign_id: int, assets: dict[str, int], today: date | None = None) -> None:
    channels = {c.name: c.id for c in list_channels(lib, brand_id)}
    for platform, name, account, zone, slots in CHANNELS:
        if name not in channels:
            channels[name] = add_channel(lib, brand_id, platform, name, account, zone, slots=slots).value
    today = today or date.today()
    if list_posts(lib, today - timedelta(days=365), today + timedelta(days=365), campaign_id=campaign_id,
                  include_unscheduled=True, with_warnings=False):
        return
    set_reviewers(lib, campaign_id, [REVIEWER])
    start = today + timedelta(days=1)
    wanted = [dict(channel_id=channels[CHANNELS[ch][1]], title=title, asset_id=assets.get(asset), spec_id=spec,
                   kind="ad" if spec.startswith("google") or CHANNELS[ch][0] == "tiktok" else "post", copy=copy,
                   local_time=datetime.combine(start + timedelta(days=days), time.fromisoformat(at)))
              for ch, days, at, title, asset, spec, copy, _stage in POSTS]
    ids = create_posts(lib, campaign_id, wanted, label="Add the demo publishing plan").value
    for post_id, (*_, stage) in zip(ids, POSTS):
        if stage == "draft":
            continue
        submit_post(lib, post_id)
        if stage in ("approved", "scheduled"):
            decide_post(lib, post_id, REVIEWER, "approved", "Lovely, go ahead.")
        if stage == "scheduled":
            schedule_post(lib, post_id)
