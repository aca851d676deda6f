"""The calendar's ops on a real library: channels, posts, the approval round, scheduling, the
publisher's posts left alone, and undo of each step."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from studio.core.db.models import AuditEvent, Post, PostDecision, Publication, utcnow
from studio.core.errors import BadInput
from studio.core.ops import publishing as ops
from studio.core.publishing.calendar import get_post, list_channels, post_history
from tests.core.publishing.calendar_fixtures import (
    LONDON_FOLD,
    LONDON_GAP,
    MORNING,
    NEW_YORK_GAP,
    approved_post,
    cal,  # noqa: F401 - the fixture
)


def _count_posts(lib) -> int:
    with lib.read() as conn:
        return conn.execute(select(func.count()).select_from(Post)).scalar()


def _publish_state(lib, post_id: int, status: str) -> None:
    """What the publisher writes (outside the undo log) when it takes a post."""
    with lib.write_lock, lib.engine.begin() as conn:
        conn.execute(insert(Publication).values(post_id=post_id, status=status, attempts=1, external_ids={}, updated_at=utcnow()))


# ---- channels ---------------------------------------------------------------------------------
def test_channels_are_checked_and_listed(cal):
    with pytest.raises(BadInput, match="'myspace' is not a platform.*meta, google"):
        ops.add_channel(cal.lib, cal.brand, "myspace", "Old", "1", "Europe/London")
    with pytest.raises(BadInput, match="IANA"):
        ops.add_channel(cal.lib, cal.brand, "meta", "Page", "9", "London")
    with pytest.raises(BadInput, match="already has the meta account 2200 as channel 'Kestrel UK'"):
        ops.add_channel(cal.lib, cal.brand, "meta", "Again", "2200", "Europe/London")
    with pytest.raises(BadInput, match="token's expiry"):
        ops.update_channel(cal.lib, cal.london, token_expires_at="tomorrow")
    with pytest.raises(BadInput, match="has no colour"):
        ops.update_channel(cal.lib, cal.london, colour="red")
    with pytest.raises(BadInput, match="weekday"):
        ops.add_channel(cal.lib, cal.brand, "tiktok", "TT", "kt", "Europe/Paris", slots=[{"weekday": 9, "time": "09:00"}])
    tt = ops.add_channel(cal.lib, cal.brand, "tiktok", "TT", "kt", "Europe/Paris", slots=[{"weekday": 4, "time": "18:30"}]).value
    channels = {c.id: c for c in list_channels(cal.lib, cal.brand)}
    assert set(channels) == {cal.london, cal.new_york, tt}
    assert (channels[tt].timezone, channels[tt].slots, channels[tt].min_gap_minutes) == ("Europe/Paris", [{"weekday": 4, "time": "18:30"}], 120)


def test_a_new_time_zone_keeps_wall_clocks_and_moves_due_times_in_one_undoable_step(cal):
    post = ops.create_post(cal.lib, cal.campaign, cal.london, "Launch", local_time=MORNING).value
    assert get_post(cal.lib, post).due_at == datetime(2030, 6, 4, 8, 0)  # BST
    ops.update_channel(cal.lib, cal.london, timezone="America/New_York")
    moved = get_post(cal.lib, post)
    assert (moved.local_time, moved.due_at, moved.timezone) == (MORNING, datetime(2030, 6, 4, 13, 0), "America/New_York")
    cal.lib.undo.undo()
    back = get_post(cal.lib, post)
    assert (back.due_at, back.timezone) == (datetime(2030, 6, 4, 8, 0), "Europe/London")


def test_a_new_time_zone_in_which_a_post_would_not_exist_is_refused(cal):
    ops.create_post(cal.lib, cal.campaign, cal.london, "At 02:30", local_time=NEW_YORK_GAP).value  # fine in London
    with pytest.raises(BadInput, match="'At 02:30'.*does not exist in America/New_York.*Reschedule it first"):
        ops.update_channel(cal.lib, cal.london, timezone="America/New_York")
    assert list_channels(cal.lib, cal.brand)[0].timezone == "Europe/London"


def test_removing_a_channel_takes_its_posts_and_undo_brings_them_back(cal):
    post = approved_post(cal)
    ops.add_post_comment(cal.lib, post, "Ana", "Nice crop")
    ops.remove_channel(cal.lib, cal.london)
    assert _count_posts(cal.lib) == 0
    cal.lib.undo.undo()
    assert get_post(cal.lib, post).status == "approved"
    assert [e.kind for e in post_history(cal.lib, post)] == ["decision", "comment"]
    _publish_state(cal.lib, post, "failed")
    with pytest.raises(BadInput, match="publisher has worked on"):
        ops.remove_channel(cal.lib, cal.london)


# ---- posts and time ---------------------------------------------------------------------------
def test_a_post_in_the_past_is_refused_with_the_channels_now_and_nothing_is_written(cal):
    now_ny = datetime.now(ZoneInfo("America/New_York")).replace(tzinfo=None)
    with pytest.raises(BadInput) as err:
        ops.create_post(cal.lib, cal.campaign, cal.new_york, "Late", local_time=now_ny - timedelta(hours=1))
    assert "in the past" in str(err.value) and f"it is {now_ny:%Y-%m-%d}" in str(err.value) and "America/New_York" in str(err.value)
    assert _count_posts(cal.lib) == 0
    post = ops.create_post(cal.lib, cal.campaign, cal.new_york, "Later").value  # no time: off the calendar
    with pytest.raises(BadInput, match="in the past"):
        ops.reschedule_post(cal.lib, post, now_ny - timedelta(minutes=1))
    assert get_post(cal.lib, post).local_time is None


@pytest.mark.parametrize(("channel", "gap"), [("london", LONDON_GAP), ("new_york", NEW_YORK_GAP)])
def test_a_time_in_a_spring_gap_is_refused_with_suggestions(cal, channel, gap):
    with pytest.raises(BadInput, match="does not exist.*Choose"):
        ops.create_post(cal.lib, cal.campaign, getattr(cal, channel), "Gap", local_time=gap)
    assert _count_posts(cal.lib) == 0


def test_a_time_in_the_autumn_fold_takes_the_first_occurrence_and_the_label_says_so(cal):
    result = ops.create_post(cal.lib, cal.campaign, cal.london, "Fold", local_time=LONDON_FOLD)
    assert "happens twice" in result.label and "first one" in result.label
    post = get_post(cal.lib, result.value)
    assert (post.local_time, post.due_at) == (LONDON_FOLD, datetime(2030, 10, 27, 0, 30))


def test_reschedule_is_one_undo_step(cal):
    post = ops.create_post(cal.lib, cal.campaign, cal.london, "Launch", local_time=MORNING).value
    ops.reschedule_post(cal.lib, post, datetime(2030, 12, 1, 17, 45))
    moved = get_post(cal.lib, post)
    assert (moved.local_time, moved.due_at) == (datetime(2030, 12, 1, 17, 45), datetime(2030, 12, 1, 17, 45))  # GMT
    assert cal.lib.undo.undo_label() == "Reschedule post"
    cal.lib.undo.undo()
    back = get_post(cal.lib, post)
    assert (back.local_time, back.due_at) == (MORNING, datetime(2030, 6, 4, 8, 0))
    cal.lib.undo.redo()
    assert get_post(cal.lib, post).local_time == datetime(2030, 12, 1, 17, 45)


def test_bad_post_fields_are_refused(cal):
    with pytest.raises(BadInput, match="cannot be empty"):
        ops.create_post(cal.lib, cal.campaign, cal.london, "  ")
    with pytest.raises(BadInput, match="post or ad"):
        ops.create_post(cal.lib, cal.campaign, cal.london, "X", kind="story")
    with pytest.raises(BadInput, match="no asset 999"):
        ops.create_post(cal.lib, cal.campaign, cal.london, "X", asset_id=999)
    with pytest.raises(BadInput, match="no channel 999"):
        ops.create_post(cal.lib, cal.campaign, 999, "X")
    post = ops.create_post(cal.lib, cal.campaign, cal.london, "X").value
    with pytest.raises(BadInput, match="has no colour"):
        ops.update_post(cal.lib, post, colour="red")
    assert _count_posts(cal.lib) == 1


# ---- approvals and scheduling ----------------------------------------------------------------
def test_every_reviewer_must_approve_before_scheduling_and_decisions_are_audited(cal):
    ops.set_reviewers(cal.lib, cal.campaign, ["Ana", "Ben"])
    post = ops.create_post(cal.lib, cal.campaign, cal.london, "Launch", local_time=MORNING).value
    with pytest.raises(BadInput, match="Only an approved post can be scheduled; 'Launch' is draft"):
        ops.schedule_post(cal.lib, post)
    ops.submit_post(cal.lib, post)
    assert ops.decide_post(cal.lib, post, "Ana", "approved", note="Good").value == "in_review"
    with pytest.raises(BadInput, match=r"is in review \(waiting for Ben\)"):
        ops.schedule_post(cal.lib, post)
    with pytest.raises(BadInput, match="Zoe is not a reviewer.*Ana, Ben"):
        ops.decide_post(cal.lib, post, "Zoe", "approved")
    assert ops.decide_post(cal.lib, post, "Ben", "approved").value == "approved"
    ops.schedule_post(cal.lib, post)
    assert get_post(cal.lib, post).status == "scheduled"
    with cal.lib.read() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)).all()
    decisions = [(e.details["reviewer"], e.details["decision"], e.details["note"]) for e in events if e.action.startswith("Post approved")]
    assert decisions == [("Ana", "approved", "Good"), ("Ben", "approved", None)]
    assert events[-1].action == "Schedule post" and events[-1].details["post"] == post


def test_a_rejection_sends_the_post_back_to_draft_and_starts_a_new_round(cal):
    ops.set_reviewers(cal.lib, cal.campaign, ["Ana", "Ben"])
    post = ops.create_post(cal.lib, cal.campaign, cal.london, "Launch", local_time=MORNING).value
    ops.submit_post(cal.lib, post)
    ops.decide_post(cal.lib, post, "Ana", "approved")
    assert ops.decide_post(cal.lib, post, "Ben", "rejected", note="Wrong logo").value == "draft"
    with cal.lib.read() as conn:
        audit = conn.execute(select(AuditEvent.details).order_by(AuditEvent.id.desc())).scalars().first()
    assert (audit["decision"], audit["note"], audit["status"]) == ("rejected", "Wrong logo", "draft")
    ops.submit_post(cal.lib, post)
    assert ops.decide_post(cal.lib, post, "Ben", "approved").value == "in_review"  # Ana's earlier approval no longer counts
    assert ops.decide_post(cal.lib, post, "Ana", "approved").value == "approved"
    history = post_history(cal.lib, post)
    assert [(e.author, e.decision) for e in history] == [("Ana", "approved"), ("Ben", "rejected"), ("Ben", "approved"), ("Ana", "approved")]


def test_changing_an_approved_or_scheduled_posts_content_sends_it_back_to_review(cal):
    post = approved_post(cal)
    renamed = ops.update_post(cal.lib, post, title="Launch day")  # the title is not what reviewers approve
    assert get_post(cal.lib, post).status == "approved" and "review" not in renamed.label
    ops.schedule_post(cal.lib, post)
    result = ops.update_post(cal.lib, post, copy={"headline": "New words"})
    assert "'Launch day' was scheduled; it changed, so it is back in review" in result.label
    assert get_post(cal.lib, post).status == "in_review"
    assert ops.decide_post(cal.lib, post, "Ana", "approved").value == "approved"  # a fresh approval in the new round
    result = ops.reschedule_post(cal.lib, post, datetime(2030, 6, 5, 9, 0))
    assert "back in review" in result.label and get_post(cal.lib, post).status == "in_review"
    cal.lib.undo.undo()
    assert get_post(cal.lib, post).status == "approved"


def test_scheduling_needs_a_future_time(cal):
    post = approved_post(cal, local_time=None)
    with pytest.raises(BadInput, match="has no time yet"):
        ops.schedule_post(cal.lib, post)


def test_posts_the_publisher_has_touched_are_not_edited_or_deleted_only_cancelled(cal):
    post = approved_post(cal)
    ops.schedule_post(cal.lib, post)
    _publish_state(cal.lib, post, "publishing")
    for attempt in (lambda: ops.reschedule_post(cal.lib, post, datetime(2030, 7, 1, 9, 0)),
                    lambda: ops.update_post(cal.lib, post, title="Other"),
                    lambda: ops.delete_post(cal.lib, post),
                    lambda: ops.decide_post(cal.lib, post, "Ana", "rejected")):
        with pytest.raises(BadInput, match="cancel it instead"):
            attempt()
    assert get_post(cal.lib, post).local_time == MORNING
    ops.cancel_post(cal.lib, post)
    assert get_post(cal.lib, post).status == "cancelled"


def test_a_post_with_any_publication_is_not_deleted_and_a_published_one_not_cancelled(cal):
    failed, published = approved_post(cal, "A"), approved_post(cal, "B", local_time=MORNING + timedelta(hours=5))
    _publish_state(cal.lib, failed, "failed")
    _publish_state(cal.lib, published, "published")
    with pytest.raises(BadInput, match="it is failed"):
        ops.delete_post(cal.lib, failed)
    with pytest.raises(BadInput, match="published already"):
        ops.cancel_post(cal.lib, published)
    assert get_post(cal.lib, published).shown_status == "published"


def test_delete_takes_decisions_and_comments_and_undo_restores_them(cal):
    post = approved_post(cal)
    ops.add_post_comment(cal.lib, post, "Ben", "Ship it")
    ops.delete_post(cal.lib, post)
    with cal.lib.read() as conn:
        assert conn.execute(select(func.count()).select_from(PostDecision)).scalar() == 0
    with pytest.raises(BadInput, match="no post"):
        get_post(cal.lib, post)
    cal.lib.undo.undo()
    assert [(e.author, e.kind, e.text) for e in post_history(cal.lib, post)] == [("Ana", "decision", ""), ("Ben", "comment", "Ship it")]


def test_create_posts_is_all_or_nothing(cal):
    good = {"channel_id": cal.london, "title": "One", "local_time": MORNING}
    with pytest.raises(BadInput, match="does not exist"):
        ops.create_posts(cal.lib, cal.campaign, [good, {"channel_id": cal.london, "title": "Two", "local_time": LONDON_GAP}])
    assert _count_posts(cal.lib) == 0
    ids = ops.create_posts(cal.lib, cal.campaign, [good, {"channel_id": cal.new_york, "title": "Two"}]).value
    assert len(ids) == 2
    cal.lib.undo.undo()
    assert _count_posts(cal.lib) == 0
