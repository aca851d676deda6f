"""A local stand-in for the Meta Graph API's ads edges, reached through the real facebook-business
SDK (FacebookSession.GRAPH pointed here): /act_N/insights with cursor paging, /act_N/campaigns,
and POST /<campaign id> updates with execution_options=["validate_only"]. It records every
request so tests can assert what the SDK sent and in which order."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import JsonHandler, serving

EXPIRED = {"message": "Error validating access token: Session has expired on Friday, 20-Nov-26.", "type": "OAuthException",
           "code": 190, "error_subcode": 463}
RATE_LIMITED = {"message": "User request limit reached", "type": "OAuthException", "code": 17, "error_subcode": 2446079}


@dataclass
class FakeMeta:
    token: str
    insights: dict[str, list[dict]] = field(default_factory=dict)  # "act_N" -> rows as Meta returns them
    campaigns: dict[str, list[dict]] = field(default_factory=dict)  # "act_N" -> {"id", "name", "status", "daily_budget"}
    currency: str = "EUR"  # every account's
    page_size: int = 3
    min_daily_budget: int = 100  # minor units: a lower budget is refused, dry run or not
    error: dict | None = None  # when set, every request gets this error
    seen: list[dict] = field(default_factory=list)  # {"method", "path", "params"} in order
    url: str = ""

    def request(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        self.seen.append({"method": method, "path": path, "params": params})
        if params.get("access_token") != self.token:
            return 400, {"error": EXPIRED}
        if self.error:
            return 400, {"error": self.error}
        parts = path.strip("/").split("/")[1:]  # without the version
        if method == "GET" and len(parts) == 2 and parts[1] == "insights":
            return self._insights(parts[0], params)
        if method == "GET" and len(parts) == 2 and parts[1] == "campaigns":
            return 200, {"data": self.campaigns.get(parts[0], []), "paging": {"cursors": {"before": "b", "after": "a"}}}
        if method == "GET" and len(parts) == 1 and parts[0].startswith("act_"):
            return 200, {"id": parts[0], "currency": self.currency}
        if method == "POST" and len(parts) == 1:
            return self._update(parts[0], params)
        return 404, {"error": {"message": f"Unknown path {path}", "type": "GraphMethodException", "code": 100}}

    def _insights(self, account: str, params: dict) -> tuple[int, dict]:
        window = json.loads(params["time_range"])
        rows = [r for r in self.insights.get(account, []) if window["since"] <= r["date_start"] <= window["until"]]
        start = int(params.get("after") or 0)
        page = rows[start:start + self.page_size]
        fields = params["fields"].split(",")
        body = {"data": [{k: v for k, v in r.items() if k in fields or k == "date_stop"} for r in page],
                "paging": {"cursors": {"before": str(start), "after": str(start + len(page))}}}
        if start + len(page) < len(rows):
            body["paging"]["next"] = f"{self.url}{urlsplit(params['_path']).path}?after={start + len(page)}"
        return 200, body

    def _update(self, campaign_id: str, params: dict) -> tuple[int, dict]:
        campaign = next((c for cs in self.campaigns.values() for c in cs if c["id"] == campaign_id), None)
        if campaign is None:
            return 400, {"error": {"message": f"Unsupported post request. Object with ID '{campaign_id}' does not exist", "code": 100}}
        if "daily_budget" in params and int(params["daily_budget"]) < self.min_daily_budget:
            return 400, {"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100, "error_subcode": 1885272,
                                   "error_user_msg": "Your budget is too low."}}
        if "validate_only" not in params.get("execution_options", ""):
            campaign.update({k: params[k] for k in ("status", "daily_budget") if k in params})
        return 200, {"success": True}


class _Handler(JsonHandler):
    fake: FakeMeta

    def do_GET(self):
        self._answer(dict(parse_qsl(urlsplit(self.path).query)))

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self._answer({**dict(parse_qsl(urlsplit(self.path).query)), **dict(parse_qsl(self.rfile.read(length).decode()))})

    def _answer(self, params: dict) -> None:
        path = urlsplit(self.path).path
        code, body = self.fake.request(self.command, path, {**params, "_path": path})
        self.send_json(code, body)


@contextlib.contextmanager
def fake_meta(fake: FakeMeta) -> Iterator[FakeMeta]:
    """Serve fake on 127.0.0.1; fake.url is its address (the SDK's GRAPH)."""
    with serving(type("Handler", (_Handler,), {"fake": fake})) as fake.url:
        yield fake


def insight(account: str, campaign: str, ad_set: str, ad: str, day: str, spend: float, impressions: int, clicks: int,
            purchases: int = 0, value: float = 0.0, currency: str = "EUR") -> dict:
    """One insights row as the Graph API writes it (numbers as strings)."""
    row = {"account_name": account, "account_currency": currency, "campaign_name": campaign, "adset_name": ad_set, "ad_name": ad,
           "date_start": day, "date_stop": day, "spend": f"{spend:.2f}", "impressions": str(impressions), "reach": str(impressions // 2),
           "clicks": str(clicks), "inline_link_clicks": str(clicks - 1), "video_play_actions": [{"action_type": "video_view", "value": "7"}]}
    if purchases:
        row["actions"] = [{"action_type": "link_click", "value": str(clicks)},
                          {"action_type": "offsite_conversion.fb_pixel_purchase", "value": str(purchases)},
                          {"action_type": "purchase", "value": str(purchases)}]
        row["action_values"] = [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": f"{value:.2f}"},
                                {"action_type": "purchase", "value": f"{value:.2f}"}]
    return row
