"""The background publisher: every scheduled post that is due goes out to its platform, exactly once.

    results = publish_due(lib)                 # or as a job: publish_job(PublishParams(root), state)

Meta and Google Ads posts pass the pre-flight gates (spec, compliance, token expiry: preflight.py),
then are published through their APIs (meta_publish, google_publish); TikTok,
LinkedIn and X posts are uploaded by hand from the ad package, so they are only reported.

Exactly once: each step a platform has done (an image uploaded, a creative created) is written to
publish_steps the moment the platform answers, and a retry resumes after the last written step. For
the moment between the platform's answer and our write (a crash, a timeout), every step first looks
for what it would create, by a name or marker made from the post's idempotency key.

What happened is in the post's Publication (outside undo): publishing while in flight; published
with the platform's ids; failed with the platform's message when it refused for good; waiting with
next_attempt_at after a transient error (5xx, rate limit, timeout; exponential backoff) or an
expired token, and waiting "offline" when the platform could not be reached: those go out on the
first run after the network is back, and their result says they went out late.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from studio.core import audit
from studio.core.changes import logged_write
from studio.core.db.models import Asset, Channel, Post, Publication, PublishStep, utcnow
from studio.core.errors import BadInput, StudioError
from studio.core.jobs import JobState
from studio.core.ops.tx import OpResult, actor

log = logging.getLogger(__name__)

API_PLATFORMS = ("meta", "google")
TITLE = {"meta": "Meta", "google": "Google Ads", "tiktok": "TikTok", "linkedin": "LinkedIn", "x": "X"}
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
OFFLINE = "offline"


class PublishError(StudioError):
    """A platform did not do a step. kind: permanent (refused: the post fails with the platform's
    message), transient (5xx, rate limit, timeout: retried with backoff), auth (the token expired or
    was revoked: retried once a new one is saved), offline (the platform could not be reached)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class PublishResult:
    post_id: int
    title: str
    platform: str
    outcome: str  # published | failed | waiting | skipped | would_publish
    message: str
    external_ids: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"post_id": self.post_id, "title": self.title, "platform": self.platform, "outcome": self.outcome,
                "message": self.message, "external_ids": self.external_ids}


@dataclass
class PublishJob:
    """One due post, read from the library, as the platform modules need it."""

    post_id: int
    key: str  # the post's idempotency key
    kind: str  # post | ad
    title: str
    platform: str
    account: str  # the channel's platform id: a page or act_ id, a Google Ads customer id
    copy: dict
    media: Path | None  # the asset's file
    media_kind: str | None  # image | video
    due_at: datetime  # UTC

    @property
    def marker(self) -> str:
        """The name given to what the studio creates for this post, so a retry can find it."""
        return f"conext-{self.key}"


class Steps:
    """The steps done for one post, written to publish_steps the moment they are done."""

    def __init__(self, lib, post_id: int):
        self.lib, self.post_id = lib, post_id
        with lib.read() as conn:
            rows = conn.execute(select(PublishStep.step, PublishStep.external_id).where(PublishStep.post_id == post_id)).all()
        self.done = dict(rows)

    def run(self, step: str, create: Callable[[], str], find: Callable[[], str | None] | None = None) -> str:
        """The step's external id: the one recorded, else the one find() finds on the platform (made
        by an attempt that crashed before recording it), else a new one from create()."""
        if step not in self.done:
            external_id = (find() if find else None) or create()
            with self.lib.write_lock, self.lib.engine.begin() as conn:
                conn.execute(PublishStep.__table__.insert().values(post_id=self.post_id, step=step, external_id=str(external_id), done_at=utcnow()))
            self.done[step] = str(external_id)
        return self.done[step]


def publish_due(lib, *, now: datetime | None = None, dry_run: bool = False, state: JobState | None = None,
                endpoints: dict | None = None, secrets=None, google_token_uri: str | None = None) -> list[PublishResult]:
    """Publish every scheduled post due at now (UTC, default the clock) that has not gone out and is
    not waiting out a backoff. dry_run: change nothing, say what would go. endpoints: platform -> another
    API address (a local test server); secrets: an unlocked SecretStore (default the user's)."""
    from studio.core.analytics.connectors.changes import Connections

    now = now or utcnow()
    state = state or JobState()
    connections = Connections(secrets=secrets, endpoints=dict(endpoints or {}), google_token_uri=google_token_uri)
    # one publisher per library at a time (the studio's and a `studio publish due`, say): two could both
    # resume a post left "publishing"
    lock = FileLock(lib.root / "publisher.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise PublisherBusy("Another studio or command is publishing from this library right now; "
                            "its posts go out from there. Try again in a minute.") from None
    try:
        jobs = due_posts(lib, now)
        results = []
        for index, (job, publication) in enumerate(jobs):
            state.check()
            state.set_status(f"Publishing {job.title!r} to {TITLE.get(job.platform, job.platform)}")
            results.append(_publish_one(lib, job, publication, connections, now, dry_run))
            state.set_progress(index + 1, len(jobs))
        return results
    finally:
        lock.release()


class PublisherBusy(StudioError):
    """Another publisher has this library: its due posts go out from there."""


@dataclass
class PublishParams:
    library_root: str
    dry_run: bool = False
    endpoints: dict = field(default_factory=dict)
    now: datetime | None = None  # UTC; None: the clock


def publish_job(params: PublishParams, state: JobState) -> list[PublishResult]:
    """publish_due as a job on the library at params.library_root."""
    from studio.core.library import Library

    with Library.open(params.library_root, lock=False) as lib:
        return publish_due(lib, now=params.now, dry_run=params.dry_run, state=state, endpoints=params.endpoints)


def due_posts(lib, now: datetime, *, until: datetime | None = None) -> list[tuple[PublishJob, Publication | None]]:
    """Scheduled posts due by `until` (default now) that have not been published or failed, and whose
    retry time (if any) has come; a publication left "publishing" by a crashed publisher is resumed."""
    waiting_over = or_(Publication.next_attempt_at.is_(None), Publication.next_attempt_at <= now)
    query = (select(Post, Channel, Asset, Publication)
             .join(Channel, Channel.id == Post.channel_id)
             .outerjoin(Asset, Asset.id == Post.asset_id)
             .outerjoin(Publication, Publication.post_id == Post.id)
             .where(Post.status == "scheduled", Post.due_at.is_not(None), Post.due_at <= (until or now),
                    or_(Publication.post_id.is_(None), Publication.status == "publishing",
                        and_(Publication.status == "waiting", waiting_over)))
             .order_by(Post.due_at, Post.id))
    jobs = []
    with Session(lib.engine) as session:
        for post, channel, asset, publication in session.execute(query).all():
            media = lib.media_path(asset.sha256, asset.ext) if asset else None
            jobs.append((PublishJob(post.id, post.idempotency_key, post.kind, post.title, channel.platform, channel.account,
                                    dict(post.copy or {}), media, asset.kind if asset else None, post.due_at), publication))
        session.expunge_all()  # the publications are read after the session closes
    return jobs


def _publish_one(lib, job: PublishJob, publication: Publication | None, connections, now: datetime, dry_run: bool) -> PublishResult:
    platform = TITLE.get(job.platform, job.platform)
    if job.platform not in API_PLATFORMS:
        return PublishResult(job.post_id, job.title, job.platform, "skipped",
                             f"{platform} posts are not published by the studio: upload it from the ad package. It stays scheduled.")
    from studio.core.publishing.preflight import blocking_problems

    blocked = " ".join(p.message for p in blocking_problems(lib, job.post_id))
    if dry_run:
        if blocked:
            return PublishResult(job.post_id, job.title, job.platform, "failed", f"Pre-flight would stop it: {blocked}")
        what = "an ad creative" if job.kind == "ad" else "a post"
        return PublishResult(job.post_id, job.title, job.platform, "would_publish",
                             f"Would publish {what} to {platform} account {job.account} (due {job.due_at:%Y-%m-%d %H:%M} UTC).")
    late = publication is not None and publication.status == "waiting" and publication.error == OFFLINE
    attempts = (publication.attempts if publication else 0) + 1
    if blocked:  # nothing is sent: the post fails with what to fix
        return _not_published(lib, job, PublishError("permanent", f"Pre-flight stopped it: {blocked}"), attempts, now)
    _set_publication(lib, job, "publishing", attempts=attempts, error=None, next_attempt_at=None)
    try:
        external_ids = _send(job, Steps(lib, job.post_id), connections)
    except PublishError as exc:
        return _not_published(lib, job, exc, attempts, now)
    except StudioError as exc:  # missing credentials, a bad account id, a post the platform cannot take
        return _not_published(lib, job, PublishError("permanent", str(exc)), attempts, now)
    except Exception as exc:  # an answer we did not expect: retried later, so one odd post never stops the others
        log.exception("publishing post %s to %s failed", job.post_id, job.platform)
        return _not_published(lib, job, PublishError("transient", f"Publishing failed unexpectedly ({type(exc).__name__}); "
                                                                  "the log file has the details."), attempts, now)
    message = f"Published to {platform}."
    if late:
        message += f" It was due at {job.due_at:%Y-%m-%d %H:%M} UTC while the studio was offline, and went out when it was back."
    _set_publication(lib, job, "published", attempts=attempts, external_ids=external_ids, published_at=utcnow(), error=None,
                     audit_message=message)
    return PublishResult(job.post_id, job.title, job.platform, "published", message, external_ids)


def _send(job: PublishJob, steps: Steps, connections) -> dict:
    if job.platform == "meta":
        from studio.core.publishing import meta_publish

        api, token = connections.meta()
        return meta_publish.publish(api, token, job, steps)
    from studio.core.publishing import google_publish

    return google_publish.publish(*google_publish.connect(connections), job, steps)


def backoff(attempts: int) -> timedelta:
    """The wait before retry number `attempts`: 1, 2, 4 ... minutes, at most an hour."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def _not_published(lib, job: PublishJob, exc: PublishError, attempts: int, now: datetime) -> PublishResult:
    if exc.kind == "permanent":
        _set_publication(lib, job, "failed", attempts=attempts, error=str(exc), audit_message=str(exc))
        return PublishResult(job.post_id, job.title, job.platform, "failed", str(exc))
    if exc.kind == OFFLINE:
        message = f"{exc} It goes out as soon as the studio can reach {TITLE[job.platform]} again."
        _set_publication(lib, job, "waiting", attempts=attempts, error=OFFLINE, next_attempt_at=None, audit_message=message)
        return PublishResult(job.post_id, job.title, job.platform, "waiting", message)
    retry = now + backoff(attempts)
    message = f"{exc} The studio tries again after {retry:%H:%M} UTC."
    _set_publication(lib, job, "waiting", attempts=attempts, error=str(exc), next_attempt_at=retry, audit_message=message)
    return PublishResult(job.post_id, job.title, job.platform, "waiting", message)


def _set_publication(lib, job: PublishJob, status: str, *, audit_message: str | None = None, **fields) -> None:
    """Write the post's publication (and, for an outcome, its audit event) in one transaction."""
    table = Publication.__table__
    values = {"status": status, "updated_at": utcnow(), **fields}
    with logged_write(lib, {"publications"}) as conn:
        if conn.execute(table.update().where(table.c.post_id == job.post_id).values(**values)).rowcount == 0:
            conn.execute(table.insert().values(post_id=job.post_id, **values))
        if audit_message is not None:
            audit.append(conn, actor(), f"Publish {job.title!r} to {TITLE[job.platform]}: {status}", {
                "post_id": job.post_id, "platform": job.platform, "account": job.account, "status": status,
                "attempts": fields.get("attempts"), "external_ids": fields.get("external_ids"), "message": audit_message})


def retry_failed(lib, post_id: int) -> None:
    """Give a post the platform refused another go: it waits for the next run (the user has fixed
    what the platform's message said). The steps it had done stay done. An audit event, not undone."""
    with lib.read() as conn:
        row = conn.execute(select(Post.title, Channel.platform, Channel.account, Publication.status)
                           .join(Channel, Channel.id == Post.channel_id)
                           .outerjoin(Publication, Publication.post_id == Post.id).where(Post.id == post_id)).first()
    if row is None:
        raise BadInput(f"There is no post {post_id}.")
    if row.status != "failed":
        raise BadInput(f"{row.title!r} has not failed to publish, so there is nothing to retry.")
    table = Publication.__table__
    with logged_write(lib, {"publications"}) as conn:
        conn.execute(table.update().where(table.c.post_id == post_id)
                     .values(status="waiting", error=None, next_attempt_at=None, updated_at=utcnow()))
        audit.append(conn, actor(), f"Retry publishing {row.title!r} to {TITLE[row.platform]}",
                     {"post_id": post_id, "platform": row.platform, "account": row.account, "status": "waiting"})
    lib.notify(OpResult(frozenset({"publications"}), post_id, f"Retry {row.title}"))


@contextlib.contextmanager
def reached(platform: str, what: str):
    """Network failures while doing `what`: offline when nothing answered, transient on a timeout (the
    platform may have done it: the next attempt looks for it before doing it again)."""
    import requests

    try:
        yield
    except requests.Timeout:
        raise PublishError("transient", f"{TITLE[platform]} did not answer in time while {what}.") from None
    except requests.ConnectionError:
        raise PublishError(OFFLINE, f"{TITLE[platform]} could not be reached while {what} (offline).") from None
