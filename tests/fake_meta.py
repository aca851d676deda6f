"""A local stand-in for the Meta Graph API's ads edges, reached through the real facebook-business
SDK (FacebookSession.GRAPH pointed here): /act_N/insights with cursor paging, or as asynchronous
report runs (POST /act_N/insights, then GET /<run id> moves through `run_progress` a status check at
a time, and GET /<run id>/insights pages the rows once it is done); /act_N/campaigns,
and POST /<campaign id> updates with execution_options=["validate_only"]; /me; and what the
publisher makes: ad images, ad videos, ad creatives (listed with a name filter), page photos,
videos and feed posts (listed since a time). It records every request, and every object made in
`created`, so tests can assert what the SDK sent and how often; it can answer the next creates with
errors (`fail_next`, per edge), refuse every create (`reject`), and hold its answer to one kind of create
after making it (`hold`: the window in which a killed publisher has not recorded the step)."""

from __future__ import annotations

import contextlib
import email.parser
import hashlib
import itertools
import json
import threading
import time
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
    created: list[dict] = field(default_factory=list)  # {"edge", "node", "id", "params", "at"}: every object made
    fail_next: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)  # edge -> (HTTP status, error) for its next creates
    reject: dict | None = None  # when set, every create is refused with this error (HTTP 400)
    hold: str | None = None  # an edge ("adcreatives"): a create there is made, then its answer waits hold_seconds
    hold_seconds: float = 30.0
    holding: threading.Event = field(default_factory=threading.Event)  # set when a held create has been made
    run_progress: tuple[int, ...] = (0, 40, 100)  # a report run's percent at each status check; it stays at the last
    run_fails: str | None = None  # "Job Failed" or "Job Skipped": a run ends so at its last step instead of completing
    run_error: str = ""  # the error_message a failed run carries
    runs: dict[str, dict] = field(default_factory=dict)  # report run id -> {"account", "rows", "fields", "checks"}
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    def made(self, edge: str) -> list[dict]:
        return [c for c in self.created if c["edge"] == edge]

    def request(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        self.seen.append({"method": method, "path": path, "params": params})
        if params.get("access_token") != self.token:
            return 400, {"error": EXPIRED}
        if self.error:
            return 400, {"error": self.error}
        parts = path.strip("/").split("/")[1:]  # without the version
        if parts == ["me"]:
            return 200, {"id": "1001", "name": "Agency Publisher"}
        if len(parts) == 2 and parts[1] in _CREATED:
            return self._create(parts[0], parts[1], params) if method == "POST" else self._list(parts[0], parts[1], params)
        if len(parts) == 2 and parts[1] == "insights":
            if method == "POST":
                return self._start_run(parts[0], params)
            if parts[0] in self.runs:
                return self._page(self.runs[parts[0]]["rows"], self.runs[parts[0]]["fields"], params)
            return self._insights(parts[0], params)
        if method == "GET" and len(parts) == 1 and parts[0] in self.runs:
            return self._check_run(parts[0])
        if method == "GET" and len(parts) == 2 and parts[1] == "campaigns":
            return 200, {"data": self.campaigns.get(parts[0], []), "paging": {"cursors": {"before": "b", "after": "a"}}}
        if method == "GET" and len(parts) == 1 and parts[0].startswith("act_"):
            return 200, {"id": parts[0], "currency": self.currency}
        if method == "POST" and len(parts) == 1:
            return self._update(parts[0], params)
        return 404, {"error": {"message": f"Unknown path {path}", "type": "GraphMethodException", "code": 100}}

    def _create(self, node: str, edge: str, params: dict) -> tuple[int, dict]:
        if self.fail_next.get(edge):
            code, error = self.fail_next[edge].pop(0)
            return code, {"error": error}
        if self.reject:
            return 400, {"error": self.reject}
        made = {"edge": edge, "node": node, "id": f"{node}_{next(self._ids)}" if edge == "feed" else str(next(self._ids)),
                "params": {k: v for k, v in params.items() if k not in ("access_token", "_path", "source", "bytes")}, "at": int(time.time())}
        self.created.append(made)
        if edge == self.hold:
            self.holding.set()
            time.sleep(self.hold_seconds)
        if edge == "adimages":
            digest = hashlib.md5(params["bytes"].encode()).hexdigest()
            return 200, {"images": {params.get("name", "image"): {"hash": digest, "url": f"{self.url}/img/{digest}"}}}
        return 200, {"id": made["id"]}

    def _list(self, node: str, edge: str, params: dict) -> tuple[int, dict]:
        items = [{"id": c["id"], "created_time": c["at"], **c["params"]}
                 for c in self.created if c["node"] == node and c["edge"] == edge and c["at"] >= int(params.get("since") or 0)]
        for item in items:
            if "attached_media" in item:
                item["attachments"] = {"data": [{"target": {"id": m["media_fbid"]}} for m in json.loads(item.pop("attached_media"))]}
        for rule in json.loads(params.get("filtering") or "[]"):
            items = [i for i in items if i.get(rule["field"]) == rule["value"]]
        return 200, {"data": items[::-1], "paging": {"cursors": {"before": "b", "after": "a"}}}

    def _rows(self, account: str, params: dict) -> list[dict]:
        window = json.loads(params["time_range"])
        return [r for r in self.insights.get(account, []) if window["since"] <= r["date_start"] <= window["until"]]

    def _insights(self, account: str, params: dict) -> tuple[int, dict]:
        return self._page(self._rows(account, params), params["fields"].split(","), params)

    def _start_run(self, account: str, params: dict) -> tuple[int, dict]:
        run_id = str(next(self._ids))
        self.runs[run_id] = {"account": account, "rows": self._rows(account, params), "fields": json.loads(params["fields"]), "checks": 0}
        return 200, {"report_run_id": run_id}

    def _check_run(self, run_id: str) -> tuple[int, dict]:
        run = self.runs[run_id]
        step = min(run["checks"], len(self.run_progress) - 1)
        run["checks"] += 1
        percent = self.run_progress[step]
        if self.run_fails and step == len(self.run_progress) - 1:
            status = self.run_fails
        else:
            status = "Job Completed" if percent >= 100 else "Job Running" if percent else "Job Not Started"
        body = {"id": run_id, "account_id": run["account"].removeprefix("act_"), "async_status": status, "async_percent_completion": percent}
        if status == "Job Failed" and self.run_error:
            body["error_message"] = self.run_error
        return 200, body

    def _page(self, rows: list[dict], fields: list[str], params: dict) -> tuple[int, dict]:
        start = int(params.get("after") or 0)
        page = rows[start:start + self.page_size]
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


_CREATED = {"adimages", "advideos", "adcreatives", "photos", "videos", "feed"}  # the edges a publisher creates on


class _Handler(JsonHandler):
    fake: FakeMeta

    def do_GET(self):
        self._answer(dict(parse_qsl(urlsplit(self.path).query)))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type") or ""
        if content_type.startswith("multipart/form-data"):  # an upload: the form fields, and each file's name -> its size
            message = email.parser.BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
            form = {part.get_param("name", header="content-disposition"): (
                len(part.get_payload(decode=True)) if part.get_filename() else part.get_payload(decode=True).decode())
                for part in message.get_payload()}
        else:
            form = dict(parse_qsl(body.decode()))
        self._answer({**dict(parse_qsl(urlsplit(self.path).query)), **form})

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
