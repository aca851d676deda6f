"""The demo brand's research and brief: a profile, a few pages of its own site and a competitor's
in the knowledge base, and a filled brief for the demo campaign, so the Research and Briefs
workspaces open with something to work on. Written through the ops; running it again adds
only what is missing."""

from __future__ import annotations

from studio.core.briefs.sections import list_briefs
from studio.core.ops.briefs import create_brief, save_section, save_version, set_deliverables
from studio.core.ops.research import add_research_documents, set_brand_profile
from studio.core.research.profile import get_brand_profile, list_documents

COMPETITOR = "Northwind Roasters"
PROFILE = {
    "website": "https://kestrel.coffee",
    "fonts": ["Playfair Display", "Inter"],
    "voice": ["warm", "plain-spoken", "a little cheeky", "never shouty"],
    "key_messages": ["Roasted this week, delivered fresh", "Every bag carries its roast date",
                     "Small batches, traceable farms"],
    "audiences": ["home baristas", "office managers who order for the team", "gift buyers in the autumn"],
    "competitors": [{"name": COMPETITOR, "website": "https://northwind.example"}],
}
OWN_PAGES = {
    "About Kestrel": (
        "Kestrel Coffee has roasted in Leeds since 2011. We buy green coffee from farms we know by name, "
        "roast it in small batches every Tuesday and Friday, and post it the same day.\n\n"
        "Every bag carries its roast date, because coffee is at its best between four days and four weeks after roasting."),
    "How we roast": (
        "Our roaster takes twelve kilos at a time. Each batch is cupped before it is bagged: if it does not taste right, "
        "it does not go out.\n\nThe Autumn Roast is a blend of a washed Colombian and a natural Ethiopian, taken a little "
        "darker for caramel and toasted hazelnut notes with a warm, long finish."),
    "Subscriptions": (
        "A subscription brings a fresh bag every two or four weeks, roasted the week it ships. Skip or pause any time. "
        "Office plans deliver to the team on Mondays, with free shipping over two kilos."),
}
COMPETITOR_PAGES = {
    "Northwind: our coffee": (
        "Northwind Roasters brings bold, dark coffee to supermarkets nationwide. Our signature espresso is roasted "
        "for strength and consistency, and sold in value packs.\n\nFind us in the coffee aisle: big flavour, great price."),
}
BRIEF_TITLE = "Autumn Roast launch brief"
SECTIONS = {
    "objective": "Sell **2,000 bags** of the Autumn Roast in its first six weeks, and grow subscriptions by 10 %.",
    "background": "Kestrel's autumn blends sell out every year, but most buyers are existing customers. "
                  "Supermarket \"artisan\" ranges now copy our look at a lower price.",
    "audience": "Home baristas aged 25–45 who care where coffee comes from, and office managers who order for the team.",
    "insight": "People can taste when coffee was roasted last week, not last season.",
    "proposition": "Autumn Roast: caramel and hazelnut, roasted this week.",
    "reasons_to_believe": "- Every bag carries its roast date\n- Roasted in small batches every Tuesday and Friday\n"
                          "- Traceable farms in Colombia and Ethiopia",
    "tone": "Warm, plain-spoken, a little cheeky; never shouty, no exclamation marks.",
    "mandatories": "Logo on every piece. \"Free shipping on your first bag\" only with the terms link.",
    "channels": "Meta (feed and Reels), Google Search, TikTok.",
    "budget": "£18,000 across six weeks: 60 % Meta, 25 % Google, 15 % TikTok.",
    "timeline": "Briefing 1 September; creative review 15 September; launch 1 October.",
    "kpis": "Cost per purchase under £9; ROAS above 3; 400 new subscriptions.",
}
DELIVERABLES = [
    {"spec_id": "meta.feed_image", "count": 2, "notes": "product on the coffee table scene"},
    {"spec_id": "meta.reels", "count": 1, "notes": "the 9:16 story cut"},
    {"spec_id": "google.rsa", "count": 1, "notes": "headlines on freshness"},
]


def add_research_and_brief(lib, brand_id: int, campaign_id: int) -> None:
    profile = get_brand_profile(lib, brand_id)
    missing = {k: v for k, v in PROFILE.items() if not getattr(profile, k)}
    if missing:
        set_brand_profile(lib, brand_id, **missing)
    if not list_documents(lib, brand_id):
        add_research_documents(lib, brand_id, _pages(OWN_PAGES, "kestrel.coffee"))
        add_research_documents(lib, brand_id, _pages(COMPETITOR_PAGES, "northwind.example"), competitor=COMPETITOR)
    if not list_briefs(lib, campaign_id=campaign_id):
        brief_id = create_brief(lib, brand_id, BRIEF_TITLE, campaign_id).value
        for key, text in SECTIONS.items():
            save_section(lib, brief_id, key, text)
        set_deliverables(lib, brief_id, DELIVERABLES)
        save_version(lib, brief_id, "First draft for the team", author="Demo")


def _pages(pages: dict[str, str], site: str) -> list[dict]:
    return [{"title": title, "text": text, "kind": "page", "source": f"https://{site}/{title.lower().replace(' ', '-').replace(':', '')}"}
            for title, text in pages.items()]
