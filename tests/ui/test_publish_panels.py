"""The Publish workspace's side panels over a real library: channels added in the dialog (with a
time zone and queue slots) and taken back by Undo; the approval round in the approvals panel with
the core's refusals shown and each decision in the audit trail; the best-time heat map from an
hourly rollup with clickable suggested slots; the publisher status with nothing due; a CSV import
with a bad row that shows the per-row report and imports nothing."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import select

from studio.core.db.models import AuditEvent, utcnow
from studio.core.ops import publishing as ops
from studio.core.ops.organize import create_brand, create_campaign, create_client
from studio.core.publishing import publisher
from studio.core.publishing.calendar import get_post, list_channels, list_posts
from studio.core.publishing.timezones import now_local
from studio.ui.workspaces.publish.approvals_panel import ApprovalsPanel
from studio.ui.workspaces.publish.best_time_panel import BestTimePanel
from studio.ui.workspaces.publish.channels_dialog import ChannelsDialog
from studio.ui.workspaces.publish.publisher_status import PublisherStatus
from studio.ui.workspaces.publish.transfer import (
    FOLDER_KEY,
    export_ical,
    export_schedule,
    import_schedule,
)
from tests.core.analytics.test_hourly_ingest import meta_hourly_csv
from tests.core.analytics.test_ingest import meta_csv, run_ingest

WAIT_MS = 30_000  # reads off the GUI thread on a busy 2-core machine
ZONE = "America/New_York"


@pytest.fixture
def brand_id(lib):
    return create_brand(lib, create_client(lib, "Kestrel").value, "Kestrel Coffee").value


@pytest.fixture
def campaign_id(lib, brand_id):
    return create_campaign(lib, brand_id, "Spring roast").value


@pytest.fixture
def channel_id(lib, brand_id):
    return ops.add_channel(lib, brand_id, "meta", "Kestrel (Facebook page)", "act_1", ZONE).value


@pytest.fixture
def post_id(lib, campaign_id, channel_id):
    when = (now_local(ZONE) + timedelta(days=3)).replace(hour=10, minute=0, second=0)
    return ops.create_post(lib, campaign_id, channel_id, "Spring roast teaser", local_time=when).value


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.LeftButton)


# ---- channels ------------------------------------------------------------------------------------
def test_a_channel_added_with_a_zone_and_slots_is_saved_and_undo_removes_it(ctx, lib, brand_id, qtbot):
    dialog = ChannelsDialog(ctx, brand_id)
    qtbot.addWidget(dialog)
    assert dialog.empty.isVisibleTo(dialog) and dialog.save_button.text() == "Add channel"
    dialog.platform.setCurrentIndex(dialog.platform.findData("linkedin"))
    qtbot.keyClicks(dialog.name, "Kestrel on LinkedIn")
    qtbot.keyClicks(dialog.account, "urn:li:organization:42")
    dialog.timezone.lineEdit().clear()
    qtbot.keyClicks(dialog.timezone.lineEdit(), "Asia/Tokyo")  # the searchable combo: typing finds the zone
    assert dialog.timezone.currentText() == "Asia/Tokyo"
    dialog.min_gap.setValue(90)
    dialog.slots.add_slot(1, datetime(2026, 1, 1, 9, 30).time())
    dialog.slots.add_slot(3, datetime(2026, 1, 1, 19, 0).time())
    click(qtbot, dialog.save_button)

    assert dialog.error.text() == ""
    [channel] = list_channels(lib, brand_id)
    assert (channel.platform, channel.name, channel.timezone, channel.min_gap_minutes) == ("linkedin", "Kestrel on LinkedIn", "Asia/Tokyo", 90)
    assert channel.slots == [{"weekday": 1, "time": "09:30"}, {"weekday": 3, "time": "19:00"}]
    assert dialog.list.count() == 1 and dialog.save_button.text() == "Save"

    lib.undo.undo()  # Edit ▸ Undo
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=WAIT_MS)
    assert list_channels(lib, brand_id) == [] and dialog.channel_id is None


def test_editing_a_channel_saves_its_fields_and_a_refusal_is_shown(ctx, lib, brand_id, channel_id, qtbot):
    dialog = ChannelsDialog(ctx, brand_id)
    qtbot.addWidget(dialog)
    assert dialog.channel_id == channel_id and dialog.timezone.currentText() == ZONE
    assert not dialog.platform.isEnabled()  # another platform is another channel
    dialog.token_known.setChecked(True)
    dialog.token_expiry.setDateTime(dialog.token_expiry.dateTime().addDays(10))
    dialog.slots.add_slot(4, datetime(2026, 1, 1, 12, 0).time())
    click(qtbot, dialog.save_button)
    [channel] = list_channels(lib, brand_id)
    assert channel.slots == [{"weekday": 4, "time": "12:00"}] and channel.token_expires_at is not None

    dialog.name.clear()  # a channel needs a name: the core refuses, nothing changes
    click(qtbot, dialog.save_button)
    assert "name" in dialog.error.text()
    assert list_channels(lib, brand_id)[0].name == "Kestrel (Facebook page)"

    dialog._show(channel_id)
    click(qtbot, dialog.remove_button)
    assert list_channels(lib, brand_id) == [] and dialog.list.count() == 0
    lib.undo.undo()  # Edit ▸ Undo brings the channel back, slots and all
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=WAIT_MS)
    assert list_channels(lib, brand_id)[0].slots == [{"weekday": 4, "time": "12:00"}]


# ---- approvals -----------------------------------------------------------------------------------
def decision_events(lib) -> list[dict]:
    with lib.read() as conn:
        rows = conn.execute(select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)).all()
    return [details for _action, details in rows if details.get("decision")]


def test_the_approval_round_shows_refusals_records_decisions_and_schedules(ctx, lib, post_id, qtbot):
    panel = ApprovalsPanel(ctx)
    qtbot.addWidget(panel)
    assert panel.empty.isVisibleTo(panel)
    panel.set_post(post_id)
    assert not panel.empty.isVisibleTo(panel) and "Spring roast teaser" in panel.title.text()
    assert not panel.buttons["schedule"].isEnabled()  # a draft cannot be scheduled

    panel.reviewers.setText("Ana, Ben")
    click(qtbot, panel.save_reviewers_button)
    assert "Ana" in panel.standing.text() and "Ben" in panel.standing.text()

    panel.name.setEditText("Ana")
    click(qtbot, panel.buttons["approve"])  # a draft is not in review yet: the core says so
    assert "submit it for review first" in panel.error.text()
    assert get_post(lib, post_id).status == "draft"

    click(qtbot, panel.buttons["submit"])
    assert panel.error.text() == "" and get_post(lib, post_id).status == "in_review"
    click(qtbot, panel.buttons["approve"])
    assert get_post(lib, post_id).status == "in_review"  # Ben has not approved yet
    panel.name.setEditText("Ben")
    panel.note.setPlainText("The price is wrong in the headline.")
    click(qtbot, panel.buttons["reject"])
    assert get_post(lib, post_id).status == "draft"
    texts = [panel.history.item(i).text() for i in range(panel.history.count())]
    assert any("Rejected by Ben" in t and "price is wrong" in t for t in texts)
    assert any("Approved by Ana" in t for t in texts)
    assert [(e["reviewer"], e["decision"]) for e in decision_events(lib)] == [("Ana", "approved"), ("Ben", "rejected")]
    assert decision_events(lib)[1]["note"] == "The price is wrong in the headline."

    panel.name.setEditText("Cleo")  # not a reviewer of the campaign
    click(qtbot, panel.buttons["submit"])
    click(qtbot, panel.buttons["approve"])
    assert "not a reviewer" in panel.error.text()
    for name in ("Ana", "Ben"):
        panel.name.setEditText(name)
        click(qtbot, panel.buttons["approve"])
    assert get_post(lib, post_id).status == "approved" and panel.status.text() == "Approved"
    click(qtbot, panel.buttons["schedule"])
    assert get_post(lib, post_id).status == "scheduled" and not panel.buttons["schedule"].isEnabled()


def test_a_comment_goes_into_the_history(ctx, lib, post_id, qtbot):
    panel = ApprovalsPanel(ctx)
    qtbot.addWidget(panel)
    panel.set_post(post_id)
    panel.name.setEditText("Ana")
    click(qtbot, panel.buttons["comment"])  # an empty comment: the core's message
    assert panel.error.text() != ""
    panel.note.setPlainText("Can we try a warmer crop?")
    click(qtbot, panel.buttons["comment"])
    assert panel.note.toPlainText() == "" and "warmer crop" in panel.history.item(0).text()


# ---- best time -----------------------------------------------------------------------------------
def import_hourly_report(lib, tmp_path) -> None:
    """Four weeks of a Meta report by time of day for act_1 where Thursdays 19:00-21:00 are clearly
    best, imported as the user would."""
    rows, start = [], date.today() - timedelta(weeks=4)
    for offset in range(4 * 7):
        day = start + timedelta(days=offset)
        for hour in range(24):
            best = day.weekday() == 3 and 19 <= hour <= 21
            rows.append(("Spring", "Ad 1", day.isoformat(), hour, 10.0, 2000, 120 if best else 20, 0))
    [report] = run_ingest(lib, meta_hourly_csv(tmp_path / "hourly.csv", rows, account="act_1"))
    assert report.imported and report.errors == []


def test_the_heat_map_renders_an_hourly_rollup_and_a_chip_gives_its_slot(ctx, lib, channel_id, tmp_path, qtbot):
    panel = BestTimePanel(ctx)
    qtbot.addWidget(panel)
    assert "Pick a channel" in panel.note.text()
    import_hourly_report(lib, tmp_path)
    with qtbot.waitSignal(panel.drawn, timeout=WAIT_MS):
        panel.set_channel(channel_id)
    values = panel.image.image
    assert values.shape == (7, 24) and np.nanargmax(values) // 24 == 3  # the best cell is a Thursday
    assert panel.heat.source == "hourly reports"
    low, high = panel.bar.levels()
    assert low < high
    chips = panel.chips.findChildren(type(panel.chips.layout().itemAt(0).widget()))
    assert len(chips) == len(panel.slots) > 0 and chips[0].text().startswith("Thu ")
    with qtbot.waitSignal(panel.slot_chosen) as chosen:
        qtbot.mouseClick(chips[0], Qt.LeftButton)
    assert (chosen.args[0].weekday, chosen.args[0].hour in (19, 20, 21)) == (3, True)

    with qtbot.waitSignal(panel.drawn, timeout=WAIT_MS):  # another metric: the map is read again
        panel.metric_picker.setCurrentIndex(panel.metric_picker.findData("cpc"))
    assert panel.heat.metric == "cpc" and not panel.heat.higher_is_better


def test_with_daily_reports_only_the_map_says_it_knows_weekdays_only(ctx, lib, channel_id, tmp_path, qtbot):
    days = [date.today() - timedelta(days=d) for d in range(1, 29)]
    run_ingest(lib, meta_csv(tmp_path / "daily.csv", [("Spring", "Set A", "Ad 1", d.isoformat(), 10.0, 2000, 1500, 30, 40, 1, 20.0)
                                                      for d in days]))
    panel = BestTimePanel(ctx)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.drawn, timeout=WAIT_MS):
        panel.set_channel(channel_id)
    assert "weekdays only" in panel.note.text() and "hour of day" in panel.note.text()
    assert np.isnan(panel.image.image).all()  # no hour is drawn that the reports do not tell


# ---- publisher status ----------------------------------------------------------------------------
def test_the_publisher_status_with_nothing_due_says_so(ctx, lib, post_id, qtbot):
    status = PublisherStatus(ctx)
    qtbot.addWidget(status)
    qtbot.waitUntil(lambda: status.counts.text() != "", timeout=WAIT_MS)
    assert "No posts scheduled" in status.next.text()  # the post is a draft
    assert status.counts.text() == "0 waiting to retry · 0 failed" and not status.failed.isVisibleTo(status)
    with qtbot.waitSignal(status.ran, timeout=WAIT_MS) as ran:
        click(qtbot, status.publish_button)
        assert status.publish_now() is None  # never two publish jobs at once
        assert not status.publish_button.isEnabled()
    assert ran.args[0].status == "done" and ran.args[0].result == ([], set())
    assert "nothing was due" in status.last_run.text() and status.publish_button.isEnabled()


def test_the_publisher_status_names_the_next_scheduled_post(ctx, lib, post_id, qtbot):
    ops.submit_post(lib, post_id)
    ops.decide_post(lib, post_id, "Ana", "approved")
    ops.schedule_post(lib, post_id)
    status = PublisherStatus(ctx)
    qtbot.addWidget(status)
    qtbot.waitUntil(lambda: status.next.text().startswith("Next:"), timeout=WAIT_MS)
    assert "Spring roast teaser" in status.next.text() and "10:00" in status.next.text() and ZONE in status.next.text()


def test_failed_posts_show_the_reason_and_posts_back_from_offline_get_a_notice(ctx, lib, campaign_id, channel_id, qtbot):
    when = (now_local(ZONE) + timedelta(hours=2)).replace(second=0, microsecond=0)
    post = ops.create_post(lib, campaign_id, channel_id, "Flash sale", local_time=when).value
    ops.submit_post(lib, post)
    ops.decide_post(lib, post, "Ana", "approved")
    ops.schedule_post(lib, post)
    [result] = publisher.publish_due(lib, now=utcnow() + timedelta(hours=3))  # no Meta key in this studio: refused
    assert result.outcome == "failed"
    status = PublisherStatus(ctx)
    qtbot.addWidget(status)
    qtbot.waitUntil(lambda: status.failed.isVisibleTo(status), timeout=WAIT_MS)
    assert "Flash sale" in status.failed.text() and html.escape(result.message) in status.failed.text()
    assert status.counts.text() == "0 waiting to retry · 1 failed"

    said = []
    ctx.bus.notification.connect(lambda level, text: said.append((level, text)))
    status.publisher.announce([publisher.PublishResult(41, "Morning latte", "meta", "published", "Published to Meta."),
                               publisher.PublishResult(42, "Evening ad", "google", "failed", "AD_TEXT_TOO_LONG: headline 1")],
                              waiting_before={41})  # post 41 waited for the network
    assert said == [("info", "The network is back: 1 post(s) that waited went out (Morning latte)."),
                    ("error", "Evening ad was not published on google: AD_TEXT_TOO_LONG: headline 1")]


# ---- import ----------------------------------------------------------------------------------------
def test_a_csv_import_with_a_bad_row_shows_the_report_and_imports_nothing(ctx, lib, campaign_id, channel_id, tmp_path, qtbot):
    when = (now_local(ZONE) + timedelta(days=5)).strftime("%Y-%m-%d 09:00")
    path = tmp_path / "schedule.csv"
    path.write_text("channel,title,local_time\n"
                    f"Kestrel (Facebook page),Good row,{when}\n"
                    f"myspace:123,Bad platform,{when}\n"
                    "Kestrel (Facebook page),Bad time,next tuesday-ish\n", encoding="utf-8")
    ctx.current_campaign_id = campaign_id
    report = import_schedule(ctx, None, path=path)
    qtbot.addWidget(report)
    text = report.report.toPlainText()
    assert "3" in text and "4" in text  # the bad rows, by their line
    assert "myspace" in text
    assert list_posts(lib, date.today(), date.today() + timedelta(days=30), include_unscheduled=True) == []
    assert "Nothing imported" in report.windowTitle()


def test_exports_write_the_schedule_and_the_calendar_and_remember_the_folder(ctx, lib, brand_id, campaign_id, post_id, tmp_path, qtbot):
    said = []
    ctx.bus.notification.connect(lambda level, text: said.append((level, text)))
    out = tmp_path / "out"
    out.mkdir()
    ctx.current_campaign_id = create_campaign(lib, brand_id, "Nothing planned").value
    assert export_ical(ctx, None, path=out / "empty.ics") is None  # no posts: the core's message, no file
    assert said[-1][0] == "warning" and "no posts" in said[-1][1] and not (out / "empty.ics").exists()

    ctx.current_campaign_id = campaign_id
    ics = export_ical(ctx, None, path=out / "spring.ics")
    assert "BEGIN:VEVENT" in ics.read_text() and "Spring roast teaser" in ics.read_text()
    csv_path = export_schedule(ctx, None, path=out / "spring.csv")
    assert "Spring roast teaser" in csv_path.read_text() and said[-1] == ("info", "1 posts exported to spring.csv.")
    assert QSettings().value(FOLDER_KEY) == str(out)


def test_moving_the_schedule_needs_a_campaign(ctx, tmp_path):
    said = []
    ctx.bus.notification.connect(lambda level, text: said.append(text))
    assert import_schedule(ctx, None, path=tmp_path / "x.csv") is None
    assert "Pick a campaign" in said[-1]


def test_the_studio_publisher_runs_on_its_own_timer_with_no_publish_view(ctx, qtbot):
    from studio.ui.background_publisher import publisher_of

    runner = publisher_of(ctx)
    assert publisher_of(ctx) is runner  # one per studio
    runner.timer.setInterval(50)
    runner.start()
    runs = []
    runner.ran.connect(runs.append)
    qtbot.waitUntil(lambda: len(runs) >= 2, timeout=WAIT_MS)  # again and again, no workspace shown
    runner.timer.stop()
    assert all(job.status == "done" and job.result == ([], set()) for job in runs)
