"""The Publish workspace's calendar on a real library: posts on their days in their channel's zone,
drag-reschedule and Ctrl+Z, a drag into the past refused, assets dropped into posts, the post
dialog's truncated preview, and the list's sorting."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt

from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.ops import organize
from studio.core.ops import publishing as ops
from studio.core.publishing import calendar
from studio.core.publishing.timezones import now_local
from studio.core.queries import list_assets
from studio.ui.context import ASSET_IDS_MIME
from studio.ui.workspaces.publish.calendar_model import (
    POST_ID_MIME,
    post_mime,
    post_tooltip,
)
from studio.ui.workspaces.publish.list_view import TITLE, WHEN
from studio.ui.workspaces.publish.month_view import month_grid_start
from studio.ui.workspaces.publish.view import PublishView
from tests import media
from tests.ui.creative_fixtures import drag_and_drop

AUCKLAND, LOS_ANGELES = "Pacific/Auckland", "America/Los_Angeles"
LONG_TEXT = ("Our autumn roast is here: slow-roasted beans from the hills of Huila, notes of dark cherry and cocoa, "
             "and a finish that lingers. Order before Friday for free delivery.")


def next_month_day(n: int) -> date:
    """A day well in the future, inside next month's grid."""
    first = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    return first + timedelta(days=n)


@pytest.fixture
def place(lib, ctx):
    client = organize.create_client(lib, "Kestrel").value
    brand = organize.create_brand(lib, client, "Kestrel Coffee").value
    campaign = organize.create_campaign(lib, brand, "Autumn roast").value
    meta = ops.add_channel(lib, brand, "meta", "Kestrel NZ (Facebook)", "act_1", AUCKLAND).value
    linkedin = ops.add_channel(lib, brand, "linkedin", "Kestrel US (LinkedIn)", "li_2", LOS_ANGELES).value
    ctx.set_campaign(campaign)
    return {"brand": brand, "campaign": campaign, "meta": meta, "linkedin": linkedin}


@pytest.fixture
def view(ctx, qtbot, place):
    widget = PublishView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 820)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_mode("month")
    return widget


def post_on(lib, place, channel: str, title: str, local: datetime | None, **kwargs) -> int:
    return ops.create_post(lib, place["campaign"], place[channel], title, local_time=local, **kwargs).value


def show_month_of(view, qtbot, day: date) -> None:
    view.anchor = day
    view.refresh()
    assert month_grid_start(day) <= day


def test_month_shows_posts_on_their_days_in_the_channels_zone(view, lib, place, qtbot, tmp_path):
    day = next_month_day(9)
    # 08:00 in Auckland is the evening before in UTC; 20:00 in Los Angeles is the next morning in UTC
    early = post_on(lib, place, "meta", "Morning roast", datetime.combine(day, time(8, 0)), spec_id="meta.feed_image",
                    copy={"primary_text": LONG_TEXT, "headline": "Autumn roast, slow and dark"})
    late = post_on(lib, place, "linkedin", "Evening roast", datetime.combine(day, time(20, 0)))
    post_on(lib, place, "meta", "Weekend pour-over", datetime.combine(day + timedelta(days=2), time(10, 30)))
    post_on(lib, place, "linkedin", "Brew guide", None)
    show_month_of(view, qtbot, day)

    assert calendar.get_post(lib, early).due_at.date() == day - timedelta(days=1)
    assert calendar.get_post(lib, late).due_at.date() == day + timedelta(days=1)
    cell = view.month.cell_rect(day)
    for post_id in (early, late):
        assert cell.contains(view.month.chip_rect(post_id))
    assert view.unscheduled.count() == 1 and view.unscheduled.item(0).text().startswith("Brew guide")
    assert not view.hint.isVisible()
    assert "Pacific/Auckland" in post_tooltip(view.post(early))

    shot = tmp_path / "publish_month.png"
    assert view.grab().save(str(shot))
    view.show_day(day)
    view.set_mode("week")
    assert view.mode_actions["week"].isChecked() and not view.mode_actions["month"].isChecked()
    assert view.week.column_rect(day.weekday()).contains(view.week.chip_rect(early))
    assert view.grab().save(str(tmp_path / "publish_week.png"))


def test_drag_reschedule_then_ctrl_z_puts_it_back(view, lib, place, qtbot, make_window):
    window = make_window()
    day = next_month_day(9)
    post_id = post_on(lib, place, "meta", "Morning roast", datetime.combine(day, time(8, 0)))
    show_month_of(view, qtbot, day)
    later = day + timedelta(days=3)

    drag_and_drop(view.month, post_mime(post_id), view.month.cell_rect(later).center())
    assert calendar.get_post(lib, post_id).local_time == datetime.combine(later, time(8, 0))  # the time of day kept
    qtbot.waitUntil(lambda: view.month.cell_rect(later).contains(view.month.chip_rect(post_id)))
    assert "Ctrl+Z" in view.message.text()

    qtbot.waitUntil(lambda: window.undo_action.text() == "Undo Reschedule post")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: calendar.get_post(lib, post_id).local_time == datetime.combine(day, time(8, 0)))
    qtbot.waitUntil(lambda: view.month.cell_rect(day).contains(view.month.chip_rect(post_id)))


def test_a_drag_into_the_past_is_refused_with_the_message(view, lib, place, qtbot):
    tomorrow = now_local(AUCKLAND).date() + timedelta(days=1)
    post_id = post_on(lib, place, "meta", "Morning roast", datetime.combine(tomorrow, time(9, 0)))
    yesterday = tomorrow - timedelta(days=2)
    view.show_day(yesterday)
    grid = view.day
    target = QPoint(grid.column_rect(0).center().x(), grid.y_of(time(12, 0)) + 2)

    drag_and_drop(grid, post_mime(post_id), target)
    assert "is in the past for this channel" in view.message.text()
    assert calendar.get_post(lib, post_id).local_time == datetime.combine(tomorrow, time(9, 0))  # nothing moved
    view.show_day(tomorrow)
    assert grid.chip_rect(post_id) is not None  # still where it was


def test_dropping_an_asset_creates_a_post(view, lib, ctx, place, qtbot, tmp_path):
    still = media.jpeg(tmp_path / "shoot" / "roast.jpg", size=(320, 320))
    report = importer.run(importer.ImportParams(str(lib.root), [str(still)]), JobState(), lib=lib)
    assert not report.skipped
    asset = list_assets(lib)[0]
    day = next_month_day(12)
    view.show_day(day)
    view.channel_filter.setCurrentIndex(view.channel_filter.findData(place["meta"]))  # drops go to the filtered channel
    mime = QMimeData()
    mime.setData(ASSET_IDS_MIME, json.dumps([asset.id]).encode())
    assert not mime.hasFormat(POST_ID_MIME)

    drag_and_drop(view.day, mime, QPoint(view.day.column_rect(0).center().x(), view.day.y_of(time(14, 30)) + 3))
    posts = calendar.list_posts(lib, day, day, campaign_id=place["campaign"])
    assert [(p.title, p.asset_id, p.channel_id, p.spec_id, p.local_time, p.status) for p in posts] == [
        ("roast", asset.id, place["meta"], "meta.feed_image", datetime.combine(day, time(14, 30)), "draft")]
    qtbot.waitUntil(lambda: view.day.chip_rect(posts[0].id) is not None)
    assert "Made a draft post of 'roast'" in view.message.text()


def test_the_post_dialog_shows_a_truncated_preview(view, lib, place, qtbot, tmp_path):
    day = next_month_day(9)
    local = datetime.combine(day, time(8, 0))
    post_id = post_on(lib, place, "meta", "Morning roast", local, spec_id="meta.feed_image",
                      copy={"primary_text": LONG_TEXT, "headline": "Autumn roast"})
    show_month_of(view, qtbot, day)
    view.open_post(post_id)
    dialog = view.dialog
    qtbot.waitExposed(dialog)

    preview = dialog.preview
    assert preview.cuts == {"primary_text": True, "headline": False}
    assert LONG_TEXT[:125].rstrip() in preview.body.text() and "See more" in preview.body.text()
    assert "free delivery" not in preview.body.text()  # past Meta's 125 characters
    offset = local.replace(tzinfo=ZoneInfo(AUCKLAND)).utcoffset()
    assert f"Pacific/Auckland, UTC+{int(offset.total_seconds() // 3600):02d}:00" in dialog.zone.text()

    headline = next(f for f in dialog.copy_fields if f.field.name == "headline")
    headline.editor.setText("A very long autumn headline that Meta cuts off in the feed")
    assert preview.cuts["headline"] and "cut at 40 in view" in headline.count.text()
    assert "A very long autumn headline that Meta cu…" in preview.footer.text()
    assert dialog.submit_button.isEnabled() and not dialog.schedule_button.isEnabled()

    shot = tmp_path / "publish_dialog.png"
    assert dialog.grab().save(str(shot))
    qtbot.mouseClick(dialog.submit_button, Qt.LeftButton)
    assert calendar.get_post(lib, post_id).status == "in_review"
    assert calendar.get_post(lib, post_id).copy["headline"].startswith("A very long")
    dialog.close()


def test_list_view_sorts_by_its_columns(view, lib, place, qtbot):
    day = next_month_day(3)
    for title, offset in (("Bravo", 2), ("Alpha", 5), ("Charlie", 0)):
        post_on(lib, place, "meta", title, datetime.combine(day + timedelta(days=offset), time(9, 0)))
    post_on(lib, place, "meta", "Delta", None)
    show_month_of(view, qtbot, day)
    view.set_mode("list")
    table = view.list

    def titles():
        return [view.post(i).title for i in table.ids_in_order()]

    assert titles() == ["Charlie", "Bravo", "Alpha", "Delta"]  # by time, the unscheduled last
    table.sortByColumn(TITLE, Qt.AscendingOrder)
    assert titles() == ["Alpha", "Bravo", "Charlie", "Delta"]
    table.sortByColumn(WHEN, Qt.DescendingOrder)
    assert titles() == ["Delta", "Alpha", "Bravo", "Charlie"]


def test_keys_move_the_selection_and_delete_is_undoable(view, lib, place, qtbot):
    day = next_month_day(9)
    first = post_on(lib, place, "meta", "First", datetime.combine(day, time(9, 0)))
    second = post_on(lib, place, "meta", "Second", datetime.combine(day + timedelta(days=1), time(9, 0)))
    show_month_of(view, qtbot, day)
    view.month.setFocus()
    qtbot.keyClick(view.month, Qt.Key_Right)
    assert view.selected == first
    qtbot.keyClick(view.month, Qt.Key_Right)
    assert view.selected == second
    qtbot.keyClick(view.month, Qt.Key_Delete)
    qtbot.waitUntil(lambda: view.month.chip_rect(second) is None)
    assert [p.id for p in calendar.list_posts(lib, day, day + timedelta(days=1))] == [first]
    lib.undo.undo()  # Ctrl+Z in the studio
    qtbot.waitUntil(lambda: view.month.chip_rect(second) is not None)


def test_enter_opens_the_selected_post(view, lib, place, qtbot):
    day = next_month_day(9)
    post_id = post_on(lib, place, "meta", "First", datetime.combine(day, time(9, 0)))
    show_month_of(view, qtbot, day)
    view.month.setFocus()
    qtbot.mouseClick(view.month, Qt.LeftButton, pos=view.month.chip_rect(post_id).center())
    assert view.selected == post_id
    qtbot.keyClick(view.month, Qt.Key_Return)
    assert view.dialog is not None and view.dialog.post.id == post_id
    view.dialog.close()


def test_unscheduled_posts_are_dragged_on_or_queued(view, lib, place, qtbot):
    ops.update_channel(lib, place["meta"], slots=[{"weekday": 2, "time": "09:30"}])
    dragged = post_on(lib, place, "meta", "Dragged", None)
    queued = post_on(lib, place, "meta", "Queued", None)
    day = next_month_day(9)
    show_month_of(view, qtbot, day)
    assert view.unscheduled.count() == 2 and not view.queue_action.isEnabled()

    item = view.unscheduled.item(0)
    assert item.data(Qt.UserRole) == dragged
    drag_and_drop(view.month, view.unscheduled.mimeData([item]), view.month.cell_rect(day).center())
    assert calendar.get_post(lib, dragged).local_time == datetime.combine(day, time(9, 0))

    qtbot.waitUntil(lambda: view.unscheduled.count() == 1)
    view.unscheduled.setCurrentRow(0)
    assert view.selected == queued and view.queue_action.isEnabled()
    view.queue_action.trigger()
    slot = calendar.get_post(lib, queued).local_time
    now = now_local(AUCKLAND)
    assert (slot.weekday(), slot.time()) == (2, time(9, 30)) and now < slot <= now + timedelta(days=7)
    assert "Queued 'Queued'" in view.message.text()


def spring_forward_day(tz_name: str) -> date:
    """The next day whose 02:30 does not exist in the zone (its clocks jump from 02:00 to 03:00)."""
    tz = ZoneInfo(tz_name)
    day = date.today() + timedelta(days=1)
    while True:
        wall = datetime.combine(day, time(2, 30))
        if wall.replace(tzinfo=tz).astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != wall:
            return day
        day += timedelta(days=1)


def test_a_drop_into_the_daylight_saving_gap_is_refused(view, lib, place, qtbot):
    gap_day = spring_forward_day(LOS_ANGELES)
    post_id = post_on(lib, place, "linkedin", "Evening roast", datetime.combine(gap_day, time(20, 0)))
    view.show_day(gap_day)
    target = QPoint(view.day.column_rect(0).center().x(), view.day.y_of(time(2, 30)) + 2)

    drag_and_drop(view.day, post_mime(post_id), target)
    assert "does not exist in America/Los_Angeles" in view.message.text()
    assert calendar.get_post(lib, post_id).local_time == datetime.combine(gap_day, time(20, 0))


def test_the_workspace_opens_from_the_sidebar_and_remembers_its_view(make_window, place, qtbot):
    import studio.ui.workspaces.publish  # noqa: F401 - registers the workspace
    from studio.ui.shell import registry

    spec = next(s for s in registry.workspaces() if s.key == "publish")
    assert (spec.title, spec.order, spec.shortcut) == ("Publish", 40, "Ctrl+4")
    window = make_window(workspaces=[spec], initial_workspace="publish")
    view = window.views["publish"]
    assert isinstance(view, PublishView)
    view.mode_actions["list"].trigger()
    assert view.pages.currentWidget() is view.list
    again = PublishView(view.ctx)
    qtbot.addWidget(again)
    assert again.mode == "list"  # remembered


def test_the_post_dialog_asks_for_what_the_publisher_needs(view, lib, place, qtbot):
    """A Meta ad needs the page it runs as and its link; a field taken several times is one text a line."""
    local = datetime.combine(next_month_day(10), time(9, 0))
    post_id = post_on(lib, place, "meta", "Roast ad", local, kind="ad", spec_id="meta.feed_image",
                      copy={"primary_text": "Roasted this week."})
    view.open_post(post_id)
    dialog = view.dialog
    qtbot.waitExposed(dialog)
    assert set(dialog.details) == {"page_id", "link"}
    dialog.details["page_id"].setText("104857600123")
    dialog.details["link"].setText("https://kestrel.example/roast")
    dialog.kind.setCurrentIndex(dialog.kind.findData("post"))  # a page post runs as the channel's page: no details
    assert dialog.details == {}
    dialog.kind.setCurrentIndex(dialog.kind.findData("ad"))
    assert dialog.details["page_id"].text() == "104857600123"  # kept while the dialog is open
    dialog.save_button.click()
    copy = calendar.get_post(lib, post_id).copy
    assert copy["page_id"] == "104857600123" and copy["link"] == "https://kestrel.example/roast"

    from studio.core.specs.catalog import shipped_catalog
    from studio.ui.workspaces.publish.post_dialog import CopyField

    headlines = CopyField(next(f for f in shipped_catalog().entries["google.rsa"].text_fields if f.name == "headline"), "")
    headlines.editor.setPlainText("Autumn Roast is here\nRoasted in Leeds")
    assert headlines.count.text().startswith("2 of 3–15 · longest 20 / 30")  # one short of what Google needs


def test_a_post_the_platform_refused_can_be_retried_from_its_dialog(view, lib, place, qtbot):
    from sqlalchemy import select

    from studio.core.db.models import AuditEvent, utcnow
    from studio.core.publishing import publisher

    local = (now_local(AUCKLAND) + timedelta(hours=2)).replace(second=0, microsecond=0)
    post_id = post_on(lib, place, "meta", "Flash sale", local)
    ops.submit_post(lib, post_id)
    ops.decide_post(lib, post_id, "Ana", "approved")
    ops.schedule_post(lib, post_id)
    [result] = publisher.publish_due(lib, now=utcnow() + timedelta(hours=3))  # no Meta key in this studio: refused
    assert result.outcome == "failed"
    with pytest.raises(Exception, match="nothing to retry"):
        publisher.retry_failed(lib, post_on(lib, place, "meta", "Draft", None))

    view.open_post(post_id)
    dialog = view.dialog
    qtbot.waitExposed(dialog)
    assert dialog.retry_button.isVisible() and not dialog.schedule_button.isEnabled()
    dialog.retry_button.click()
    post = calendar.get_post(lib, post_id)
    assert post.publication_status == "waiting" and post.error is None and not dialog.retry_button.isVisible()
    assert [job.post_id for job, _ in publisher.due_posts(lib, utcnow() + timedelta(hours=3))] == [post_id]  # goes again
    with lib.read() as conn:
        assert "Retry publishing 'Flash sale' to Meta" in conn.execute(select(AuditEvent.action)).scalars().all()
    dialog.close()


def test_a_composition_dragged_from_the_tray_becomes_a_post(view, lib, place, qtbot):
    from studio.core.ops.compositions import create_composition
    from studio.core.timeline.model import Composition

    comp = create_composition(lib, Composition(name="Autumn story 9x16"), place["campaign"]).value
    qtbot.waitUntil(lambda: view.compositions.count() == 1)  # the tray follows the library
    assert view.compositions.isVisibleTo(view) and view.compositions.item(0).text() == "Autumn story 9x16"
    mime = view.compositions.mimeData([view.compositions.item(0)])
    day = next_month_day(14)
    view.show_day(day)
    view.channel_filter.setCurrentIndex(view.channel_filter.findData(place["meta"]))
    drag_and_drop(view.day, mime, QPoint(view.day.column_rect(0).center().x(), view.day.y_of(time(18, 0)) + 3))
    [post] = calendar.list_posts(lib, day, day, campaign_id=place["campaign"])
    assert (post.title, post.composition_id, post.asset_id, post.local_time) == (
        "Autumn story 9x16", comp, None, datetime.combine(day, time(18, 0)))
    assert post.spec_id == "meta.feed_video"  # the channel's first video placement
    lib.undo.undo()
    assert calendar.list_posts(lib, day, day, campaign_id=place["campaign"]) == []
