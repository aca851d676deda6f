"""Publishing one post to Meta through facebook-business (calls go through the API's own session,
so FacebookSession.GRAPH, a proxy or a local test server, is where everything goes: the SDK's
video_uploader would send videos to graph-video.facebook.com whatever GRAPH says).

An ad (kind "ad", channel account act_…): the image (AdImage, by its bytes) or the video (AdVideo),
then an AdCreative named conext-<key> with an object_story_spec on copy["page_id"] linking to
copy["link"]. A page post (kind "post", channel account the page id): an unpublished photo, then
the feed post with it attached; or the video with its description; or the text alone.

Every creating step first looks for what an earlier, crashed attempt made: the creative and the
video by their name, the feed post by the photo it carries (or its text) among the page's posts
since it was due. An image upload needs no look: Meta keys ad images by their content hash.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
from datetime import UTC

from studio.core.analytics.connectors import redact
from studio.core.analytics.connectors.meta import _AUTH, _RATE, account_id
from studio.core.errors import BadInput
from studio.core.publishing.publisher import PublishError, PublishJob, Steps, reached

log = logging.getLogger(__name__)


def publish(api, token: str, job: PublishJob, steps: Steps) -> dict[str, str]:
    """Do the post's remaining steps; returns the ids Meta gave (the "creative" or the "post")."""
    if job.kind == "ad":
        return _ad(api, token, job, steps)
    return _page_post(api, token, job, steps)


def check_token(api, token: str) -> str:
    """The name Meta knows the token by (GET /me): a cheap call that proves it is accepted."""
    return _call(api, token, "GET", ("me",), {"fields": "id,name"}, "checking the access token")["name"]


def message(job: PublishJob) -> str:
    return job.copy.get("primary_text") or job.copy.get("text") or job.title


def _ad(api, token: str, job: PublishJob, steps: Steps) -> dict[str, str]:
    account = account_id(job.account)
    page, link = job.copy.get("page_id"), job.copy.get("link")
    if not page or not link:
        raise BadInput(f"The ad {job.title!r} needs the Facebook page it runs as and the address it links to: set its page_id "
                       "and link fields in the post's copy.")
    if job.media is None:
        raise BadInput(f"The ad {job.title!r} has no image or video: attach its exported creative to the post.")
    if job.media_kind == "video":
        video = steps.run("video", lambda: _upload_video(api, token, (account, "advideos"), job, {"title": job.marker}),
                          lambda: _find_named(api, token, (account, "advideos"), "title", job.marker))
        spec = {"page_id": page, "video_data": {"video_id": video, "message": message(job), "title": job.copy.get("headline", ""),
                                                "call_to_action": {"type": "LEARN_MORE", "value": {"link": link}}}}
    else:
        image = steps.run("image", lambda: _upload_image(api, token, account, job))
        spec = {"page_id": page, "link_data": {"image_hash": image, "link": link, "message": message(job),
                                               "name": job.copy.get("headline", "")}}
    creative = steps.run("creative", lambda: _call(api, token, "POST", (account, "adcreatives"), {
        "name": job.marker, "object_story_spec": json.dumps(spec)}, f"creating the ad creative in {account}")["id"],
        lambda: _find_named(api, token, (account, "adcreatives"), "name", job.marker))
    return {"creative": creative}


def _page_post(api, token: str, job: PublishJob, steps: Steps) -> dict[str, str]:
    page = job.account.strip()
    if job.media is not None and job.media_kind == "video":
        post = steps.run("post", lambda: _upload_video(api, token, (page, "videos"), job, {"description": message(job), "title": job.title}),
                         lambda: _find_post(api, token, page, "videos", lambda p: p.get("description") == message(job), job))
        return {"post": post}
    params = {"message": message(job)}
    photo = None
    if job.media is not None:
        # an unpublished photo made twice by a crashed attempt is never seen; only the feed post must be one
        photo = steps.run("photo", lambda: _call(api, token, "POST", (page, "photos"), {"published": "false"}, f"uploading the photo to page {page}",
                                                 files={"source": job.media})["id"])
        params["attached_media"] = json.dumps([{"media_fbid": photo}])

    def same(p: dict) -> bool:
        if photo is None:
            return p.get("message") == params["message"]
        return any(a.get("target", {}).get("id") == photo for a in p.get("attachments", {}).get("data", []))

    post = steps.run("post", lambda: _call(api, token, "POST", (page, "feed"), params, f"posting to page {page}")["id"],
                     lambda: _find_post(api, token, page, "feed", same, job))
    return {"post": post, **({"photo": photo} if photo else {})}


def _upload_image(api, token: str, account: str, job: PublishJob) -> str:
    body = _call(api, token, "POST", (account, "adimages"), {"bytes": base64.b64encode(job.media.read_bytes()).decode(), "name": job.marker},
                 f"uploading the image to {account}")
    return next(iter(body["images"].values()))["hash"]


def _upload_video(api, token: str, path: tuple, job: PublishJob, params: dict) -> str:
    return _call(api, token, "POST", path, params, f"uploading the video to {path[0]}", files={"source": job.media})["id"]


def _find_named(api, token: str, path: tuple, field: str, name: str) -> str | None:
    body = _call(api, token, "GET", path, {"fields": f"id,{field}", "filtering": json.dumps([{"field": field, "operator": "EQUAL", "value": name}])},
                 f"looking for {name} in {path[0]}")
    return next((item["id"] for item in body.get("data", []) if item.get(field) == name), None)


def _find_post(api, token: str, page: str, edge: str, same, job: PublishJob) -> str | None:
    """A post on the page since the post was due (a minute's slack for clocks) that `same` accepts."""
    since = int(job.due_at.replace(tzinfo=UTC).timestamp()) - 60
    body = _call(api, token, "GET", (page, edge), {"fields": "id,message,description,created_time,attachments{target{id}}", "since": since,
                                                   "limit": 50}, f"looking for the post on page {page}")
    return next((p["id"] for p in body.get("data", []) if same(p)), None)


def _call(api, token: str, method: str, path: tuple, params: dict, what: str, files: dict | None = None) -> dict:
    opened = {}
    with meta_publish_errors(what, token), contextlib.ExitStack() as stack:
        for name, file in (files or {}).items():
            opened[name] = stack.enter_context(open(file, "rb"))
        return api.call(method, path, params=params, files=opened or None).json()


@contextlib.contextmanager
def meta_publish_errors(what: str, token: str):
    """Meta's refusals as PublishErrors: the token (auth), limits and 5xx (transient), the rest
    permanent with Meta's own message; never the token in a message."""
    from facebook_business.exceptions import FacebookRequestError

    try:
        with reached("meta", what):
            yield
    except FacebookRequestError as exc:
        body = exc.body() if isinstance(exc.body(), dict) else {}
        error = body.get("error", {})
        said = redact(str(error.get("error_user_msg") or exc.api_error_message() or exc.http_status()), [token])
        code = exc.api_error_code()
        log.info("Meta refused %s: HTTP %s, code %s, %s", what, exc.http_status(), code, said)
        if code in _AUTH:
            raise PublishError("auth", f"Meta did not accept the access token while {what} ({said}). Make a new system-user token "
                                       "in Meta Business Settings and save it in Settings ▸ Accounts & keys.") from None
        if code in _RATE or exc.http_status() == 429 or exc.http_status() >= 500 or error.get("is_transient"):
            raise PublishError("transient", f"Meta could not do it just now while {what} ({said}).") from None
        raise PublishError("permanent", f"Meta refused {what}: {said}") from None
