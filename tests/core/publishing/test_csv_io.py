"""Bulk CSV import (all or nothing, one undo step, a report per row) and the schedule's CSV export."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from studio.core.assets import importer
from studio.core.db.models import Post
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops import organize
from studio.core.ops import publishing as ops
from studio.core.publishing.calendar import list_posts
from studio.core.publishing.csv_io import export_csv, import_csv, schedule_csv
from tests import media
from tests.core.publishing.calendar_fixtures import LONDON_FOLD, MORNING, cal  # noqa: F401 - the fixture

GOOD = """channel,title,local time,kind,asset,spec,headline,primary_text
Kestrel UK,Launch,2030-06-04 09:00,post,latte.jpg,meta.feed_image,Fresh today,Our autumn roast is here.
google:123-456-7890,Search ad,04/06/2030 10:30,ad,,google.rsa,Beans roasted this morning,
meta:2200,Fold,2030-10-27 01:30,,,,,
Kestrel UK,Someday,,,,,,
"""


def _write(tmp_path, text: str, name: str = "schedule.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(lib) -> int:
    with lib.read() as conn:
        return conn.execute(select(func.count()).select_from(Post)).scalar()


@pytest.fixture
def latte(cal, tmp_path) -> int:
    report = importer.run(importer.ImportParams(str(cal.lib.root), [str(media.jpeg(tmp_path / "latte.jpg"))], cal.campaign), JobState(), lib=cal.lib)
    return report.imported[0]["id"]


def test_a_bulk_schedule_imports_as_drafts_in_one_undo_step(cal, latte, tmp_path):
    result = import_csv(cal.lib, _write(tmp_path, GOOD), "Autumn")
    report = result.value
    assert [(r.line, r.title, r.channel, r.local_time) for r in report.rows] == [
        (2, "Launch", "Kestrel UK", "2030-06-04 09:00"), (3, "Search ad", "Kestrel US search", "2030-06-04 10:30"),
        (4, "Fold", "Kestrel UK", "2030-10-27 01:30"), (5, "Someday", "Kestrel UK", "")]
    assert "happens twice" in report.rows[2].note and "happens twice" in result.label
    posts = {p.title: p for p in list_posts(cal.lib, date(2030, 1, 1), date(2030, 12, 31), include_unscheduled=True, with_warnings=False)}
    launch, search = posts["Launch"], posts["Search ad"]
    assert (launch.asset_id, launch.spec_id, launch.copy, launch.status) == (latte, "meta.feed_image",
                                                                            {"headline": "Fresh today", "primary_text": "Our autumn roast is here."}, "draft")
    assert (launch.due_at, search.kind, search.due_at) == (datetime(2030, 6, 4, 8, 0), "ad", datetime(2030, 6, 4, 14, 30))
    assert (posts["Fold"].due_at, posts["Someday"].local_time) == (datetime(2030, 10, 27, 0, 30), None)
    assert cal.lib.undo.undo_label() == "Import 4 posts from schedule.csv"
    cal.lib.undo.undo()
    assert _count(cal.lib) == 0


def test_bad_rows_are_all_reported_and_nothing_is_imported(cal, latte, tmp_path):
    text = """channel;title;local_time;asset
Kestrel UK;Fine;2030-06-04 09:00;latte.jpg
myspace:42;Old network;2030-06-04 09:00;
Kestrel Mars;Nowhere;2030-06-04 09:00;
Kestrel UK;When?;next tuesday-ish;
Kestrel UK;Too late;2020-01-01 09:00;
Kestrel UK;No such picture;2030-06-05 09:00;mocha.jpg
Kestrel US search;In the gap;2030-03-10 02:30;
Kestrel UK;;2030-06-04 09:00;
"""
    with pytest.raises(BadInput) as err:
        import_csv(cal.lib, _write(tmp_path, text), cal.campaign)
    message = str(err.value)
    assert message.startswith("Nothing was imported from schedule.csv: 7 of 8 rows need fixing.")
    for expected in ("row 3: unknown platform 'myspace'; use one of meta, google",
                     "row 4: no channel 'Kestrel Mars' on the campaign's brand; its channels: Kestrel UK (meta:2200)",
                     "row 5: 'next tuesday-ish' is not a time I can read",
                     "row 6: 2020-01-01 09:00 is in the past for this channel: it is ",
                     "row 7: no asset named 'mocha.jpg' in the library",
                     "row 8: 2030-03-10 02:30 does not exist in America/New_York",
                     "row 9: no title"):
        assert expected in message
    assert "row 2" not in message
    assert _count(cal.lib) == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("", "needs the columns channel, title; its header is: (empty)"),
    ("name,when\nLaunch,2030-06-04 09:00\n", "needs the columns channel, title; its header is: name, when"),
    ("channel,title\n", "has a header but no rows"),
])
def test_files_without_the_needed_columns_or_rows_are_refused(cal, tmp_path, text, expected):
    with pytest.raises(BadInput, match=expected.replace("(", r"\(").replace(")", r"\)")):
        import_csv(cal.lib, _write(tmp_path, text), cal.campaign)


def test_a_missing_file_and_an_unknown_campaign_are_refused(cal, tmp_path):
    with pytest.raises(BadInput, match="There is no file"):
        import_csv(cal.lib, tmp_path / "nope.csv", cal.campaign)
    with pytest.raises(BadInput, match="There is no campaign 'Winter'. Campaigns: Autumn"):
        import_csv(cal.lib, _write(tmp_path, GOOD), "Winter")


def test_the_export_imports_again_into_another_campaign(cal, latte, tmp_path):
    import_csv(cal.lib, _write(tmp_path, GOOD), cal.campaign)
    out = tmp_path / "out.csv"
    assert export_csv(cal.lib, out, campaign_id=cal.campaign) == 4
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["title"] for r in rows] == ["Launch", "Search ad", "Fold", "Someday"]  # by time, those without one last
    assert (rows[0]["channel"], rows[0]["timezone"], rows[0]["due_utc"], rows[0]["asset"], rows[0]["status"]) == (
        "meta:2200", "Europe/London", "2030-06-04 08:00", "latte.jpg", "draft")
    assert list(rows[0])[-2:] == ["headline", "primary_text"]
    brand = organize.create_campaign(cal.lib, cal.brand, "Winter").value
    again = import_csv(cal.lib, out, "Winter").value
    assert len(again.rows) == 4
    copied = {p.title: p for p in list_posts(cal.lib, date(2030, 1, 1), date(2030, 12, 31), campaign_id=brand, include_unscheduled=True,
                                             with_warnings=False)}
    assert copied["Launch"].copy == {"headline": "Fresh today", "primary_text": "Our autumn roast is here."}
    assert copied["Fold"].due_at == datetime(2030, 10, 27, 0, 30)


def test_the_export_of_a_date_range_and_what_it_needs(cal):
    ops.create_post(cal.lib, cal.campaign, cal.london, "June", local_time=MORNING)
    ops.create_post(cal.lib, cal.campaign, cal.london, "October", local_time=LONDON_FOLD)
    text, count = schedule_csv(cal.lib, date_from=date(2030, 6, 1), date_to=date(2030, 6, 30))
    assert count == 1 and "June" in text and "October" not in text
    with pytest.raises(BadInput, match="a campaign, or a date range"):
        schedule_csv(cal.lib, date_from=date(2030, 6, 1))
    with pytest.raises(BadInput, match="does not exist; create it"):
        export_csv(cal.lib, cal.lib.root / "no" / "such" / "x.csv", campaign_id=cal.campaign)
