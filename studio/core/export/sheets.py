"""The bulk-upload sheets media buyers import into each platform's own tool.

Headers are fixed lists, documented column by column in docs/export-sheets.md (a test keeps
the two equal). Meta's and Google's columns come from their import formats; TikTok and
LinkedIn publish no column list, so theirs follow their upload forms and are marked
unconfirmed in the documentation and in the package's sheets/README.md. Every ad is written
paused, so an import never puts money behind an ad nobody switched on.

All sheets are UTF-8 with a byte-order mark (what Excel's "CSV UTF-8" writes and what
TikTok's importer asks for), comma separated, CRLF line ends.
"""

from __future__ import annotations

import csv
from pathlib import Path

META_HEADERS = ["Campaign Name", "Campaign Status", "Ad Set Name", "Ad Set Run Status", "Publisher Platforms",
                "Facebook Positions", "Instagram Positions", "Ad Name", "Ad Status", "Title", "Body", "Link",
                "Display Link", "Link Description", "Image File Name", "Video File Name", "Call to Action"]
GOOGLE_HEADERS = (["Campaign", "Ad group", "Ad type"] + [f"Headline {i}" for i in range(1, 16)]
                  + [f"Description {i}" for i in range(1, 5)]
                  + ["Path 1", "Path 2", "Final URL", "Ad status", "Long headline", "Business name", "Asset type", "Asset file"])
TIKTOK_HEADERS = ["Campaign Name", "Ad Group Name", "Ad Name", "Ad Text", "Display Name", "Video File Name",
                  "Call to Action", "Landing Page URL"]
LINKEDIN_HEADERS = ["Campaign Name", "Ad Name", "Ad Format", "Introductory Text", "Headline", "Description",
                    "Destination URL", "Call to Action", "Media File Name"]

# Meta placements -> (publisher platforms, Facebook positions, Instagram positions), as the Marketing API names them.
META_POSITIONS = {
    "feed_image": ("facebook, instagram", "feed", "stream"), "feed_video": ("facebook, instagram", "feed", "stream"),
    "stories_image": ("facebook, instagram", "story", "story"), "stories_video": ("facebook, instagram", "story", "story"),
    "reels": ("facebook, instagram", "facebook_reels", "reels"),
}
# Google asset field types (Google Ads API AssetFieldType) for the shapes the display placements take.
GOOGLE_ASSET_TYPES = {"1.91:1": "MARKETING_IMAGE", "1:1": "SQUARE_MARKETING_IMAGE", "4:5": "PORTRAIT_MARKETING_IMAGE",
                      "16:9": "YOUTUBE_VIDEO", "9:16": "YOUTUBE_VIDEO"}


def _first(copy: dict[str, list[str]], *fields: str) -> str:
    for name in fields:
        if copy.get(name):
            return copy[name][0]
    return ""


def _write(path: Path, headers: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, headers, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def meta_rows(plan, renditions) -> list[dict]:
    copy, rows = plan.copy.get("meta", {}), []
    for r in renditions:
        publishers, facebook, instagram = META_POSITIONS.get(r.spec_id.split(".", 1)[1], ("facebook, instagram", "", ""))
        name = Path(r.path).name
        rows.append({
            "Campaign Name": plan.campaign_name, "Campaign Status": "PAUSED", "Ad Set Name": f"{plan.campaign_name} – {r.spec_id}",
            "Ad Set Run Status": "PAUSED", "Publisher Platforms": publishers, "Facebook Positions": facebook,
            "Instagram Positions": instagram, "Ad Name": Path(name).stem, "Ad Status": "PAUSED",
            "Title": _first(copy, "headline"), "Body": _first(copy, "primary_text"), "Link": _first(copy, "final_url", "link"),
            "Display Link": _first(copy, "display_link"), "Link Description": _first(copy, "description"),
            "Image File Name": name if r.media == "image" else "", "Video File Name": name if r.media == "video" else "",
            "Call to Action": _first(copy, "call_to_action"),
        })
    return rows


def google_rows(plan, renditions) -> list[dict]:
    copy, rows = plan.copy.get("google", {}), []
    ad_group = f"{plan.campaign_name} – search"
    if copy.get("headline") or copy.get("description"):
        row = {"Campaign": plan.campaign_name, "Ad group": ad_group, "Ad type": "Responsive search ad",
               "Path 1": _first(copy, "path1"), "Path 2": _first(copy, "path2"), "Final URL": _first(copy, "final_url"),
               "Ad status": "Paused"}
        row |= {f"Headline {i}": t for i, t in enumerate(copy.get("headline", [])[:15], 1)}
        row |= {f"Description {i}": t for i, t in enumerate(copy.get("description", [])[:4], 1)}
        rows.append(row)
    for r in renditions:
        rows.append({"Campaign": plan.campaign_name, "Ad group": f"{plan.campaign_name} – {r.spec_id}",
                     "Ad type": "Responsive display ad" if r.media == "image" else "Video ad",
                     "Final URL": _first(copy, "final_url"), "Ad status": "Paused",
                     "Long headline": _first(copy, "long_headline") if r.media == "image" else "",
                     "Business name": _first(copy, "business_name") if r.media == "image" else "",
                     "Asset type": GOOGLE_ASSET_TYPES.get(r.ratio, "YOUTUBE_VIDEO" if r.media == "video" else "MARKETING_IMAGE"),
                     "Asset file": Path(r.path).name})
    return rows


def tiktok_rows(plan, renditions) -> list[dict]:
    copy = plan.copy.get("tiktok", {})
    return [{"Campaign Name": plan.campaign_name, "Ad Group Name": f"{plan.campaign_name} – {r.spec_id}",
             "Ad Name": Path(r.path).stem, "Ad Text": _first(copy, "ad_text", "primary_text"),
             "Display Name": _first(copy, "brand_name", "business_name"), "Video File Name": Path(r.path).name,
             "Call to Action": _first(copy, "call_to_action"), "Landing Page URL": _first(copy, "final_url")}
            for r in renditions]


def linkedin_rows(plan, renditions) -> list[dict]:
    copy = plan.copy.get("linkedin", {})
    return [{"Campaign Name": plan.campaign_name, "Ad Name": Path(r.path).stem,
             "Ad Format": "Single image ad" if r.media == "image" else "Video ad",
             "Introductory Text": _first(copy, "intro_text", "primary_text"), "Headline": _first(copy, "headline"),
             "Description": _first(copy, "description"), "Destination URL": _first(copy, "final_url"),
             "Call to Action": _first(copy, "call_to_action"), "Media File Name": Path(r.path).name}
            for r in renditions]


SHEETS = {  # platform -> (file name, headers, rows)
    "meta": ("meta-ads-manager-bulk-import.csv", META_HEADERS, meta_rows),
    "google": ("google-ads-editor.csv", GOOGLE_HEADERS, google_rows),
    "tiktok": ("tiktok-bulk-import.csv", TIKTOK_HEADERS, tiktok_rows),
    "linkedin": ("linkedin-campaign-manager.csv", LINKEDIN_HEADERS, linkedin_rows),
}

README = """# Upload sheets

Import each sheet into the platform's own tool; the files it names are in ../renditions/<platform>/.
Every ad is written paused: switch ads on in the platform once the import is checked.

- meta-ads-manager-bulk-import.csv: Ads Manager ▸ Import ads in bulk. Column names follow Meta's
  import/export sheet; Meta changes its columns by account and version, so export a template from
  the target account if the import complains, and copy the rows over.
- google-ads-editor.csv: Google Ads Editor ▸ Account ▸ Import ▸ From file. Responsive search ad rows
  use the documented Ads Editor columns. The asset rows (Asset type, Asset file) are UNCONFIRMED:
  Google documents no column for attaching files, so add those files in Editor by hand if it ignores them.
- tiktok-bulk-import.csv: UNCONFIRMED columns. TikTok publishes no column list; its importer wants the
  account's own template in the UI's language. Copy these columns into that template.
- linkedin-campaign-manager.csv: UNCONFIRMED columns (LinkedIn publishes no bulk format); a checklist for
  creating the ads in Campaign Manager.

Column by column: docs/export-sheets.md in Conext Studio.
"""


def write_sheets(folder: Path, plan, renditions) -> list[Path]:
    """One sheet per platform that has renditions (or, for Google, search-ad copy), plus a README."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for platform, (name, headers, make_rows) in SHEETS.items():
        if platform not in plan.platforms:
            continue
        rows = make_rows(plan, [r for r in renditions if r.platform == platform])
        if rows:
            written.append(_write(folder / name, headers, rows))
    if written:
        (folder / "README.md").write_text(README, encoding="utf-8", newline="\n")
        written.append(folder / "README.md")
    return written
