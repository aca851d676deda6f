"""Pre-flight: what would stop a post from going out, found before it is due.

    problems = preflight(lib, post_id)           # [Problem("error", "The token expires ...")]
    report = preflight_due(lib, hours=24)        # every scheduled post due in the next 24 hours

Checks: the platform's credentials are saved and the platform accepts them (a cheap call: Meta
GET /me, Google Ads listAccessibleCustomers); the creative passes its placement's spec; its
compliance check has no open (unwaived) errors; the channel's token does not expire before the
post is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.core.db.models import Asset, Channel, Post, utcnow
from studio.core.errors import BadInput, StudioError
from studio.core.publishing.publisher import (
    API_PLATFORMS,
    TITLE,
    PublishError,
    due_posts,
)


@dataclass(frozen=True)
class Problem:
    severity: str  # error | warning
    message: str

    def as_dict(self) -> dict:
        return {"severity": self.severity, "message": self.message}


@dataclass
class PreflightReport:
    post_id: int
    title: str
    platform: str
    due_at: datetime
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"post_id": self.post_id, "title": self.title, "platform": self.platform, "due_at": self.due_at.isoformat(),
                "problems": [p.as_dict() for p in self.problems]}


def preflight(lib, post_id: int, *, secrets=None, endpoints: dict | None = None, google_token_uri: str | None = None) -> list[Problem]:
    """What would stop the post from going out (errors) or may (warnings); [] when nothing."""
    platform, problems = _post_problems(lib, post_id)
    if platform not in API_PLATFORMS:
        return problems
    return _access(platform, _connections(secrets, endpoints, google_token_uri)) + problems


def preflight_due(lib, *, hours: float = 24, now: datetime | None = None, secrets=None, endpoints: dict | None = None,
                  google_token_uri: str | None = None) -> list[PreflightReport]:
    """preflight() for every scheduled post due within `hours` that has not gone out; each
    platform's credentials are checked once for all its posts."""
    if hours <= 0:
        raise BadInput(f"Look ahead a positive number of hours, not {hours}.")
    now = now or utcnow()
    connections = _connections(secrets, endpoints, google_token_uri)
    access: dict[str, list[Problem]] = {}
    reports = []
    for job, _publication in due_posts(lib, now, until=now + timedelta(hours=hours)):
        if job.platform in API_PLATFORMS and job.platform not in access:
            access[job.platform] = _access(job.platform, connections)
        problems = access.get(job.platform, []) + _post_problems(lib, job.post_id)[1]
        reports.append(PreflightReport(job.post_id, job.title, job.platform, job.due_at, problems))
    return reports


def blocking_problems(lib, post_id: int) -> list[Problem]:
    """The errors that stop the publisher sending the post (the gates that need no network: the
    creative's spec, open compliance errors, the token's expiry)."""
    return [p for p in _post_problems(lib, post_id)[1] if p.severity == "error"]


def _connections(secrets, endpoints, google_token_uri):
    from studio.core.analytics.connectors.changes import Connections

    return Connections(secrets=secrets, endpoints=dict(endpoints or {}), google_token_uri=google_token_uri)


def _post_problems(lib, post_id: int) -> tuple[str, list[Problem]]:
    """The post's platform, and what is wrong with its timing and its creative."""
    with Session(lib.engine) as session:
        row = session.execute(select(Post, Channel, Asset).join(Channel, Channel.id == Post.channel_id)
                           .outerjoin(Asset, Asset.id == Post.asset_id).where(Post.id == post_id)).first()
    if row is None:
        raise BadInput(f"There is no post {post_id}; list the calendar to see the posts there are.")
    post, channel, asset = row
    return channel.platform, _timing(post, channel) + _creative(lib, post, channel, asset)


def _timing(post: Post, channel: Channel) -> list[Problem]:
    if post.status != "scheduled" or post.due_at is None:
        return [Problem("warning", f"{post.title!r} is {post.status.replace('_', ' ')}, not scheduled: it does not go out until it is.")]
    if channel.token_expires_at is not None and channel.token_expires_at <= post.due_at:
        return [Problem("error", f"The {TITLE[channel.platform]} token of {channel.name} expires at {channel.token_expires_at:%Y-%m-%d %H:%M} UTC, "
                                 f"before {post.title!r} is due ({post.due_at:%Y-%m-%d %H:%M} UTC). Save a new token in Settings ▸ Accounts & keys.")]
    return []


def _creative(lib, post: Post, channel: Channel, asset: Asset | None) -> list[Problem]:
    from studio.core.compliance.store import findings_for

    if asset is None:  # a Google search ad is text; a Meta ad and anything made from a composition needs the file
        if (post.kind == "ad" and channel.platform == "meta") or post.composition_id is not None:
            return [Problem("error", f"{post.title!r} has no exported creative: export its composition and attach the file to the post.")]
        return []
    problems = []
    media = lib.media_path(asset.sha256, asset.ext)
    if post.spec_id:
        from studio.core.specs.catalog import load_catalog
        from studio.core.specs.probe import probe_file
        from studio.core.specs.validate import check_file

        spec = load_catalog(lib).get(post.spec_id)
        problems += [Problem(f.severity, f"{asset.name} does not fit {spec.name}: {f.message} {f.hint}")
                     for f in check_file(probe_file(media, measure_loudness=False), spec)]
    problems += [Problem("error", f"{asset.name} has an open compliance error: {f.finding.message} Fix it, or waive it in Compliance.")
                 for f in findings_for(lib, [f"asset:{asset.id}"]) if f.blocking]
    return problems


def _access(platform: str, connections) -> list[Problem]:
    """The platform's credentials: saved, and accepted by a cheap call."""
    try:
        if platform == "meta":
            from studio.core.publishing.meta_publish import check_token

            check_token(*connections.meta())
        else:
            from studio.core.publishing.google_publish import check_access, connect

            check_access(*connect(connections))
    except PublishError as exc:
        return [Problem("warning" if exc.kind in ("offline", "transient") else "error", str(exc))]
    except StudioError as exc:
        return [Problem("error", str(exc))]
    return []
