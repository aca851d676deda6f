"""Ops on the publishing calendar, each one undoable step: channels; posts (create, edit, reschedule,
delete, cancel); the approval round (reviewers, submit, decide, comments) and scheduling.

The rules: a time must be in the future in the channel's zone and must exist there (see
publishing.timezones); a post the publisher has touched (a publication publishing or published)
is not edited, rescheduled or deleted, only cancelled; only an approved post can be scheduled;
changing an approved or scheduled post's creative, copy or time sends it back to review, and the
returned OpResult's label says so. Approvals given before a post went back (or was rejected) no
longer count: each round starts at the post's latest "reopened" comment or rejection."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from studio.core.db.models import (
    Asset,
    Brand,
    Campaign,
    CampaignReviewer,
    Channel,
    CompositionRow,
    Post,
    PostComment,
    PostDecision,
    Publication,
    utcnow,
)
from studio.core.errors import BadInput
from studio.core.ops.tx import OpResult, Tx, actor
from studio.core.publishing.timezones import check_future, to_utc, zone

PLATFORMS = ("meta", "google", "tiktok", "linkedin", "x")
KINDS = ("post", "ad")
DECISIONS = ("approved", "rejected")
STUDIO = "Conext Studio"  # the author of the comments the studio itself writes into a post's history
REOPENED = "Changed after approval; back in review: earlier approvals no longer count."
_CONTENT = ("asset_id", "composition_id", "spec_id", "copy", "local_time", "channel_id")  # what reviewers approved
_POST_FIELDS = ("title", "kind", *_CONTENT)
_CHANNEL_FIELDS = ("name", "account", "timezone", "min_gap_minutes", "slots", "token_expires_at")


def _text(value, what: str, limit: int) -> str:
    if value is not None and not isinstance(value, str):
        raise BadInput(f"The {what} must be text, not {value!r}.")
    value = (value or "").strip()
    if not value:
        raise BadInput(f"A {what} cannot be empty.")
    if len(value) > limit:
        raise BadInput(f"The {what} is {len(value)} characters long; keep it to {limit}.")
    return value


def _with_notes(result: OpResult, notes: list[str]) -> OpResult:
    """The op's result with its notes after the label (the undo entry keeps the plain label)."""
    if not notes:
        return result
    return dataclasses.replace(result, label=f"{result.label} — {' '.join(notes)}")


# ---- channels ---------------------------------------------------------------------------------
def _check_platform(platform: str) -> str:
    platform = (platform or "").strip().lower()
    if platform not in PLATFORMS:
        raise BadInput(f"{platform!r} is not a platform the studio publishes to; use one of: {', '.join(PLATFORMS)}.")
    return platform


def _check_gap(minutes) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= 7 * 24 * 60:
        raise BadInput(f"The minimum gap between posts must be a whole number of minutes from 0 to {7 * 24 * 60}, not {minutes!r}.")
    return minutes


def _check_slots(slots) -> list[dict]:
    clean = []
    for slot in slots or ():
        try:
            weekday, time = int(slot["weekday"]), datetime.strptime(str(slot["time"]), "%H:%M").strftime("%H:%M")
        except (KeyError, TypeError, ValueError):
            raise BadInput(f"A posting slot is {{'weekday': 0..6, 'time': 'HH:MM'}}, not {slot!r}.") from None
        if not 0 <= weekday <= 6:
            raise BadInput(f"A slot's weekday runs from 0 (Monday) to 6 (Sunday), not {weekday}.")
        clean.append({"weekday": weekday, "time": time})
    return sorted(clean, key=lambda s: (s["weekday"], s["time"]))


def _check_expiry(value) -> datetime | None:
    """A token's expiry as naive UTC (an aware time is converted)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise BadInput(f"A token's expiry is a date and time in UTC (or none), not {value!r}.")
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _channel(conn, channel_id: int):
    row = conn.execute(select(*Channel.__table__.c).where(Channel.id == channel_id)).first()
    if row is None:
        raise BadInput(f"There is no channel {channel_id}; `studio calendar channels` lists the ones there are.")
    return row


def _unique_account(conn, brand_id: int, platform: str, account: str, channel_id: int | None = None) -> None:
    other = conn.execute(select(Channel.id, Channel.name).where(
        Channel.brand_id == brand_id, Channel.platform == platform, Channel.account == account)).first()
    if other is not None and other.id != channel_id:
        raise BadInput(f"The brand already has the {platform} account {account} as channel {other.name!r}; use that one.")


def add_channel(lib, brand_id: int, platform: str, name: str, account: str, timezone: str, *,
                min_gap_minutes: int = 120, slots=(), token_expires_at: datetime | None = None) -> OpResult:
    """A brand's account on a platform, with its time zone; value: its id."""
    platform, name = _check_platform(platform), _text(name, "channel name", 200)
    account, timezone = _text(account, "account id", 100), zone(timezone).key
    values = dict(min_gap_minutes=_check_gap(min_gap_minutes), slots=_check_slots(slots), token_expires_at=_check_expiry(token_expires_at))
    with lib.write(f"Add channel {name}") as tx:
        if tx.conn.execute(select(Brand.id).where(Brand.id == brand_id)).first() is None:
            raise BadInput(f"There is no brand {brand_id}; create the brand first, or pick one from the brands there are.")
        _unique_account(tx.conn, brand_id, platform, account)
        tx.value = tx.insert("channels", brand_id=brand_id, platform=platform, name=name, account=account,
                             timezone=timezone, created_at=utcnow(), **values)
    return tx.result


def update_channel(lib, channel_id: int, **fields) -> OpResult:
    """Change a channel's name, account, timezone, min_gap_minutes, slots or token_expires_at.
    A new time zone keeps every post's wall clock and moves its due_at with it, in the same step."""
    unknown = set(fields) - set(_CHANNEL_FIELDS)
    if unknown or not fields:
        raise BadInput(f"A channel has no {', '.join(sorted(unknown)) or 'such field'}; change one of: {', '.join(_CHANNEL_FIELDS)}.")
    clean = dict(fields)
    if "name" in clean:
        clean["name"] = _text(clean["name"], "channel name", 200)
    if "account" in clean:
        clean["account"] = _text(clean["account"], "account id", 100)
    if "timezone" in clean:
        clean["timezone"] = zone(clean["timezone"]).key
    if "min_gap_minutes" in clean:
        _check_gap(clean["min_gap_minutes"])
    if "slots" in clean:
        clean["slots"] = _check_slots(clean["slots"])
    if "token_expires_at" in clean:
        clean["token_expires_at"] = _check_expiry(clean["token_expires_at"])
    with lib.write("Edit channel") as tx:
        channel = _channel(tx.conn, channel_id)
        if "account" in clean:
            _unique_account(tx.conn, channel.brand_id, channel.platform, clean["account"], channel_id)
        tx.update("channels", channel_id, **clean)
        notes = []
        if clean.get("timezone", channel.timezone) != channel.timezone:
            notes = _move_due_times(tx, channel_id, clean["timezone"])
            tx.note(channel=channel_id, timezone=clean["timezone"])
    return _with_notes(tx.result, notes)


def _move_due_times(tx: Tx, channel_id: int, tz_name: str) -> list[str]:
    """Recompute due_at of the channel's posts that have not gone out, for its new zone."""
    notes = []
    rows = tx.conn.execute(select(Post.id, Post.title, Post.local_time).where(
        Post.channel_id == channel_id, Post.local_time.is_not(None), Post.id.not_in(_touched_ids()))).all()
    for post_id, title, local in rows:
        try:
            due, note = to_utc(local, tz_name)
        except BadInput as exc:
            raise BadInput(f"Post {title!r}: {exc} Reschedule it first, then change the time zone.") from None
        tx.update("posts", post_id, due_at=due)
        if note:
            notes.append(f"{title!r}: {note}")
    return notes


def remove_channel(lib, channel_id: int) -> OpResult:
    """Remove a channel with its posts (undo brings them back). A channel with a post the
    publisher has touched stays: those posts are history."""
    with lib.write("Remove channel") as tx:
        channel = _channel(tx.conn, channel_id)
        post_ids = tx.conn.execute(select(Post.id).where(Post.channel_id == channel_id)).scalars().all()
        if tx.conn.execute(select(Publication.post_id).where(Publication.post_id.in_(post_ids))).first():
            raise BadInput(f"Channel {channel.name!r} has posts the publisher has worked on; they stay as history. "
                           "Cancel its scheduled posts instead of removing the channel.")
        for post_id in post_ids:
            _delete_post_rows(tx, post_id)
        tx.delete("channels", channel_id)
        tx.note(channel=channel_id, name=channel.name)
    return tx.result


# ---- posts ------------------------------------------------------------------------------------
def _post(conn, post_id: int):
    row = conn.execute(select(*Post.__table__.c).where(Post.id == post_id)).first()
    if row is None:
        raise BadInput(f"There is no post {post_id}; it may have been deleted (undo brings it back).")
    return row


def _touched_ids():
    return select(Publication.post_id).where(Publication.status.in_(("publishing", "published")))


def _publication(conn, post_id: int) -> str | None:
    return conn.execute(select(Publication.status).where(Publication.post_id == post_id)).scalar()


def _refuse_if_touched(conn, post, doing: str) -> None:
    status = _publication(conn, post.id)
    if status in ("publishing", "published"):
        raise BadInput(f"{post.title!r} is {status} already, so it cannot be {doing}; cancel it instead "
                       "(and remove it on the platform if it went out).")


def _check_refs(conn, post_fields: dict, campaign_id: int) -> None:
    """The channel, asset and composition a post names exist (the channel on the campaign's brand)."""
    brand_id = conn.execute(select(Campaign.brand_id).where(Campaign.id == campaign_id)).scalar()
    if "channel_id" in post_fields:
        channel = _channel(conn, post_fields["channel_id"])
        if channel.brand_id != brand_id:
            raise BadInput(f"Channel {channel.name!r} belongs to another brand; post on one of the campaign's brand's channels.")
    for key, model, what in (("asset_id", Asset, "asset"), ("composition_id", CompositionRow, "composition")):
        ref = post_fields.get(key)
        if ref is not None and conn.execute(select(model.id).where(model.id == ref)).first() is None:
            raise BadInput(f"There is no {what} {ref} in the library; pick one that is there.")


def _clean_post_fields(fields: dict) -> dict:
    unknown = set(fields) - set(_POST_FIELDS)
    if unknown:
        raise BadInput(f"A post has no {', '.join(sorted(unknown))}; change one of: {', '.join(_POST_FIELDS)}.")
    clean = dict(fields)
    if "title" in clean:
        clean["title"] = _text(clean["title"], "post title", 300)
    if "kind" in clean and clean["kind"] not in KINDS:
        raise BadInput(f"{clean['kind']!r} is not a kind of post; use post or ad.")
    if "copy" in clean:
        copy = clean["copy"] or {}
        if not isinstance(copy, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in copy.items()):
            raise BadInput("A post's copy is a mapping of field names (headline, primary_text, ...) to text.")
        clean["copy"] = {k: v for k, v in copy.items() if v.strip()}
    if clean.get("local_time") is not None:
        if not isinstance(clean["local_time"], datetime):
            raise BadInput(f"A post's time is a date and time, not {clean['local_time']!r}.")
        clean["local_time"] = clean["local_time"].replace(tzinfo=None, second=0, microsecond=0)
    return clean


def _timing(conn, channel_id: int, local_time: datetime | None) -> tuple[datetime | None, list[str]]:
    """due_at for a wall clock on a channel (None when not on the calendar) and any note."""
    if local_time is None:
        return None, []
    tz_name = _channel(conn, channel_id).timezone
    check_future(local_time, tz_name)
    due, note = to_utc(local_time, tz_name)
    return due, [note] if note else []


def create_post(lib, campaign_id: int, channel_id: int, title: str, *, kind: str = "post", asset_id: int | None = None,
                composition_id: int | None = None, spec_id: str | None = None, copy: dict | None = None,
                local_time: datetime | None = None) -> OpResult:
    """A draft post on a channel, on the calendar when local_time (the channel's wall clock) is
    given; value: its id."""
    fields = dict(channel_id=channel_id, title=title, kind=kind, asset_id=asset_id, composition_id=composition_id,
                  spec_id=spec_id, copy=copy, local_time=local_time)
    result = create_posts(lib, campaign_id, [fields], label=f"New post {(title or '').strip()}")
    return dataclasses.replace(result, value=result.value[0])


def create_posts(lib, campaign_id: int, posts: list[dict], *, label: str | None = None) -> OpResult:
    """Draft posts (each a dict of create_post's arguments, channel_id included) as one undo step:
    all or none. Value: their ids in order; a time that happens twice is noted in the label."""
    cleaned = [_clean_post_fields(dict(kind="post") | fields) for fields in posts]
    if not cleaned:
        raise BadInput("There are no posts to add.")
    for fields in cleaned:
        if "channel_id" not in fields or "title" not in fields:
            raise BadInput("Every new post needs a channel and a title.")
    with lib.write(label or f"Add {len(cleaned)} posts") as tx:
        if tx.conn.execute(select(Campaign.id).where(Campaign.id == campaign_id)).first() is None:
            raise BadInput(f"There is no campaign {campaign_id}; create it first, or pick one there is.")
        ids, notes = [], []
        for fields in cleaned:
            _check_refs(tx.conn, fields, campaign_id)
            due, timing_notes = _timing(tx.conn, fields["channel_id"], fields.get("local_time"))
            ids.append(tx.insert("posts", campaign_id=campaign_id, status="draft", due_at=due,
                                 idempotency_key=str(uuid.uuid4()), created_at=utcnow(), **fields))
            notes += timing_notes
        tx.value = ids
    return _with_notes(tx.result, notes)


def _edit(lib, post_id: int, fields: dict, label: str, expected_version: int | None = None) -> OpResult:
    """Write changed fields of a post; an approved or scheduled post whose content changed goes
    back to review. Value: the notes (also in the label). expected_version: the version the
    fields were edited from; a post someone else changed since is not overwritten (ConflictError)."""
    with lib.write(label) as tx:
        post = _post(tx.conn, post_id)
        changed = {k: v for k, v in fields.items() if getattr(post, k) != v}
        tx.value = notes = []
        if changed:
            notes = _apply_edit(tx, post, changed, expected_version)
    return _with_notes(tx.result, notes)


def _apply_edit(tx: Tx, post, changed: dict, expected_version: int | None = None) -> list[str]:
    """Write `changed` (the fields that differ) and return the notes."""
    _refuse_if_touched(tx.conn, post, "changed")
    if post.status == "cancelled":
        raise BadInput(f"{post.title!r} is cancelled; make a new post instead of editing it.")
    _check_refs(tx.conn, changed, post.campaign_id)
    notes = []
    post_id = post.id
    if "local_time" in changed or "channel_id" in changed:
        channel_id = changed.get("channel_id", post.channel_id)
        changed["due_at"], notes = _timing(tx.conn, channel_id, changed.get("local_time", post.local_time))
    if post.status in ("approved", "scheduled") and set(changed) & set(_CONTENT):
        changed["status"] = "in_review"
        _comment(tx, post_id, STUDIO, REOPENED)
        notes.append(f"{post.title!r} was {post.status}; it changed, so it is back in review and needs approving again.")
        tx.note(post=post_id, reopened=True)
    tx.update("posts", post_id, expected_version=expected_version, **changed)
    tx.value = notes
    return notes


def update_post(lib, post_id: int, *, expected_version: int | None = None, **fields) -> OpResult:
    """Change a post's title, kind, asset_id, composition_id, spec_id, copy, local_time or channel_id.
    expected_version: the version of the post the fields were edited from (PostView.version)."""
    return _edit(lib, post_id, _clean_post_fields(fields), "Edit post", expected_version)


def reschedule_post(lib, post_id: int, local_time: datetime | None) -> OpResult:
    """Move a post to another wall-clock time on its channel (None: off the calendar)."""
    return _edit(lib, post_id, _clean_post_fields({"local_time": local_time}), "Reschedule post")


def _delete_post_rows(tx: Tx, post_id: int) -> None:
    for model in (PostDecision, PostComment):
        for (row_id,) in tx.conn.execute(select(model.id).where(model.post_id == post_id)):
            tx.delete(model.__tablename__, row_id)
    tx.delete("posts", post_id)


def delete_post(lib, post_id: int) -> OpResult:
    """Delete a post with its decisions and comments (undo restores them). A post the publisher
    has worked on in any way stays; cancel it instead."""
    with lib.write("Delete post") as tx:
        post = _post(tx.conn, post_id)
        status = _publication(tx.conn, post_id)
        if status is not None:
            raise BadInput(f"The publisher has worked on {post.title!r} (it is {status}), so it stays as a record; cancel it instead.")
        _delete_post_rows(tx, post_id)
        tx.note(post=post_id, title=post.title)
    return tx.result


def cancel_post(lib, post_id: int) -> OpResult:
    """Take a post out of the publisher's hands; it stays on the calendar as cancelled."""
    with lib.write("Cancel post") as tx:
        post = _post(tx.conn, post_id)
        if _publication(tx.conn, post_id) == "published":
            raise BadInput(f"{post.title!r} is published already; cancelling cannot take it back. Remove it on the platform.")
        if post.status != "cancelled":
            tx.update("posts", post_id, status="cancelled")
            tx.note(post=post_id, status="cancelled")
    return tx.result


# ---- approvals and scheduling ----------------------------------------------------------------
def set_reviewers(lib, campaign_id: int, names) -> OpResult:
    """The people whose approval every post of the campaign needs (empty: anyone's approval will do)."""
    wanted = []
    for name in names:
        name = _text(name, "reviewer's name", 200)
        if name not in wanted:
            wanted.append(name)
    with lib.write("Set campaign reviewers") as tx:
        if tx.conn.execute(select(Campaign.id).where(Campaign.id == campaign_id)).first() is None:
            raise BadInput(f"There is no campaign {campaign_id}; pick one there is.")
        current = set(_reviewers(tx.conn, campaign_id))
        for name in current - set(wanted):
            tx.delete("campaign_reviewers", [campaign_id, name])
        for name in wanted:
            if name not in current:
                tx.insert("campaign_reviewers", campaign_id=campaign_id, name=name)
        tx.note(campaign=campaign_id, reviewers=wanted)
    return tx.result


def _reviewers(conn, campaign_id: int) -> list[str]:
    return list(conn.execute(select(CampaignReviewer.name).where(CampaignReviewer.campaign_id == campaign_id)
                             .order_by(CampaignReviewer.name)).scalars())


def _comment(tx: Tx, post_id: int, author: str, text: str) -> int:
    return tx.insert("post_comments", post_id=post_id, author=author, text=text, at=utcnow())


def submit_post(lib, post_id: int) -> OpResult:
    """Send a draft post to review."""
    with lib.write("Submit post for review") as tx:
        post = _post(tx.conn, post_id)
        if post.status != "draft":
            raise BadInput(f"{post.title!r} is {post.status.replace('_', ' ')}; only a draft goes to review.")
        tx.update("posts", post_id, status="in_review")
        tx.note(post=post_id, status="in_review")
    return tx.result


def _round_start(conn, post_id: int) -> datetime:
    """When the post's current approval round began: its latest rejection or reopening."""
    return max(
        [*conn.execute(select(PostDecision.at).where(PostDecision.post_id == post_id, PostDecision.decision == "rejected")).scalars(),
         *conn.execute(select(PostComment.at).where(PostComment.post_id == post_id, PostComment.author == STUDIO,
                                                    PostComment.text == REOPENED)).scalars()],
        default=datetime.min)


def approvals_pending(conn, post) -> list[str]:
    """The reviewers whose approval of the post's current round is still missing (empty when the
    campaign has none: one approval is enough then)."""
    approved = set(conn.execute(select(PostDecision.reviewer).where(
        PostDecision.post_id == post.id, PostDecision.decision == "approved",
        PostDecision.at > _round_start(conn, post.id))).scalars())
    return [name for name in _reviewers(conn, post.campaign_id) if name not in approved]


def decide_post(lib, post_id: int, reviewer: str, decision: str, note: str | None = None) -> OpResult:
    """A reviewer approves or rejects a post in review. The post is approved once every reviewer of
    the campaign has approved it (or on the first approval when the campaign names none); a
    rejection sends it back to draft. Every decision is an audit event."""
    if decision not in DECISIONS:
        raise BadInput(f"{decision!r} is not a decision; use approved or rejected.")
    reviewer = _text(reviewer, "reviewer's name", 200)
    with lib.write(f"Post {decision} by {reviewer}") as tx:
        post = _post(tx.conn, post_id)
        if post.status not in ("in_review", "approved", "scheduled"):
            raise BadInput(f"{post.title!r} is {post.status.replace('_', ' ')}; submit it for review first.")
        _refuse_if_touched(tx.conn, post, "reviewed")
        reviewers = _reviewers(tx.conn, post.campaign_id)
        if reviewers and reviewer not in reviewers:
            raise BadInput(f"{reviewer} is not a reviewer of this campaign; its reviewers are {', '.join(reviewers)}.")
        # strictly after the round's start, even on a coarse clock, so the decision counts in it
        at = max(utcnow(), _round_start(tx.conn, post_id) + timedelta(microseconds=1))
        tx.insert("post_decisions", post_id=post_id, reviewer=reviewer, decision=decision,
                  note=(note or "").strip() or None, at=at)
        if decision == "rejected":
            status = "draft"
        elif post.status == "in_review" and not approvals_pending(tx.conn, post):
            status = "approved"
        else:
            status = post.status
        if status != post.status:
            tx.update("posts", post_id, status=status)
        tx.note(post=post_id, title=post.title, reviewer=reviewer, decision=decision, note=note, status=status)
        tx.value = status
    return tx.result


def add_post_comment(lib, post_id: int, author: str | None, text: str) -> OpResult:
    """A comment in the post's review thread; value: its id."""
    text = _text(text, "comment", 20_000)
    author = (author or "").strip() or actor()
    with lib.write("Comment on post") as tx:
        _post(tx.conn, post_id)
        tx.value = _comment(tx, post_id, author[:200], text)
    return tx.result


def schedule_post(lib, post_id: int) -> OpResult:
    """Hand an approved post with a future time to the publisher."""
    with lib.write("Schedule post") as tx:
        post = _post(tx.conn, post_id)
        if post.status != "scheduled":
            _schedule(tx, post)
    return tx.result


def _schedule(tx: Tx, post) -> None:
    _refuse_if_touched(tx.conn, post, "scheduled again")
    if post.status != "approved":
        pending = approvals_pending(tx.conn, post) if post.status == "in_review" else []
        waiting = f" (waiting for {', '.join(pending)})" if pending else ""
        raise BadInput(f"Only an approved post can be scheduled; {post.title!r} is {post.status.replace('_', ' ')}{waiting}.")
    if post.local_time is None:
        raise BadInput(f"{post.title!r} has no time yet; put it on the calendar first.")
    check_future(post.local_time, _channel(tx.conn, post.channel_id).timezone)
    tx.update("posts", post.id, status="scheduled")
    tx.note(post=post.id, status="scheduled", due_at=post.due_at.isoformat())
