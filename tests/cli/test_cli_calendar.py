"""`studio calendar` as a user runs it (in-process, through studio.cli.main): channels, a CSV import,
the list with warnings, CSV and iCal exports, and the messages for bad input."""

from __future__ import annotations

import json

import icalendar
import pytest

from studio.core.library import Library
from studio.core.ops import organize
from tests.cli.test_cli import studio

SCHEDULE = """channel,title,local_time,kind,headline
Kestrel UK,Launch,2030-06-04 09:00,post,Fresh today
Kestrel UK,Follow-up,2030-06-04 10:00,post,
meta:act_9,Ad,2030-06-05 18:30,ad,Autumn roast
"""


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        brand = organize.create_brand(lib, organize.create_client(lib, "Kestrel").value, "Kestrel Coffee").value
        organize.create_campaign(lib, brand, "Autumn")
    return root


def calendar(library, *argv) -> tuple[int, str, str]:
    out = studio("calendar", *argv, "--library", library)
    return out.returncode, out.stdout, out.stderr


def test_channels_import_list_and_exports(library, tmp_path):
    code, out, err = calendar(library, "channels")
    assert code == 0 and "No channels yet" in out
    code, out, err = calendar(library, "add-channel", "--brand", "kestrel coffee", "--platform", "meta", "--name", "Kestrel UK",
                              "--account", "2200", "--timezone", "Europe/London")
    assert code == 0, err
    assert "Added channel 1 for Kestrel Coffee: Kestrel UK (meta:2200, Europe/London)" in out
    calendar(library, "add-channel", "--brand", "1", "--platform", "meta", "--name", "Kestrel ads", "--account", "act_9",
             "--timezone", "America/New_York", "--min-gap", "30")
    code, out, _ = calendar(library, "channels", "--brand", "Kestrel Coffee", "--json")
    assert [(c["name"], c["timezone"], c["min_gap_minutes"]) for c in json.loads(out)] == [
        ("Kestrel UK", "Europe/London", 120), ("Kestrel ads", "America/New_York", 30)]

    (tmp_path / "schedule.csv").write_text(SCHEDULE, encoding="utf-8")
    code, out, err = calendar(library, "import", tmp_path / "schedule.csv", "--campaign", "Autumn", "--json")
    assert code == 0, err
    assert [(r["line"], r["title"], r["channel"]) for r in json.loads(out)["rows"]] == [
        (2, "Launch", "Kestrel UK"), (3, "Follow-up", "Kestrel UK"), (4, "Ad", "Kestrel ads")]

    code, out, _ = calendar(library, "list", "--from", "2030-06-01", "--to", "2030-06-04", "--json")
    listed = json.loads(out)
    assert [(p["title"], p["local_time"], p["due_at"], p["shown_status"]) for p in listed] == [
        ("Launch", "2030-06-04T09:00:00", "2030-06-04T08:00:00", "draft"), ("Follow-up", "2030-06-04T10:00:00", "2030-06-04T09:00:00", "draft")]
    assert "conflict" in {w["kind"] for w in listed[0]["warnings"]}
    code, out, _ = calendar(library, "list", "--from", "2030-06-01", "--to", "2030-06-30", "--campaign", "Autumn")
    assert "2030-06-05 18:30 America/New_York" in out and "warning: conflict: 'Follow-up' goes out on Kestrel UK 60 min after" in out

    code, out, err = calendar(library, "export", "--campaign", "Autumn", "--ics", tmp_path / "autumn.ics")
    assert code == 0, err
    events = icalendar.Calendar.from_ical((tmp_path / "autumn.ics").read_bytes()).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == ["Ad (Kestrel ads)", "Follow-up (Kestrel UK)", "Launch (Kestrel UK)"]
    code, out, err = calendar(library, "export", "--campaign", "Autumn", "--csv", tmp_path / "autumn.csv", "--json")
    assert code == 0, err
    assert json.loads(out) == {"format": "csv", "out": str(tmp_path / "autumn.csv"), "posts": 3}
    assert (tmp_path / "autumn.csv").read_text(encoding="utf-8").splitlines()[1].startswith("meta:2200,Launch,Kestrel UK,2030-06-04 09:00")


def test_bad_calendar_input_gets_a_message(library, tmp_path):
    code, _, err = calendar(library, "add-channel", "--brand", "Kestrel Coffee", "--platform", "meta", "--name", "UK",
                            "--account", "2200", "--timezone", "Mars/Base")
    assert code == 2 and "'Mars/Base' is not a time zone" in err
    calendar(library, "add-channel", "--brand", "Kestrel Coffee", "--platform", "meta", "--name", "Kestrel UK",
             "--account", "2200", "--timezone", "Europe/London")

    code, _, err = calendar(library, "export", "--campaign", "Autumn", "--ics", tmp_path / "autumn.ics")
    assert code == 2 and "has no posts on the calendar yet" in err and not (tmp_path / "autumn.ics").exists()

    (tmp_path / "bad.csv").write_text("channel,title,local_time\nmyspace:1,Old,2030-06-04 09:00\nKestrel UK,Soon,sometime\n", encoding="utf-8")
    code, out, err = calendar(library, "import", tmp_path / "bad.csv", "--campaign", "Autumn")
    assert code == 2 and out == ""
    assert "row 2: unknown platform 'myspace'" in err and "row 3: 'sometime' is not a time I can read" in err
    code, out, _ = calendar(library, "list", "--from", "2000-01-01", "--to", "2099-12-31")
    assert "No posts from 2000-01-01 to 2099-12-31" in out  # nothing half-imported

    code, _, err = calendar(library, "list", "--from", "June", "--to", "2030-06-30")
    assert code == 2 and "'June' is not a date" in err
    code, _, err = calendar(library, "list", "--from", "2030-06-30", "--to", "2030-06-01")
    assert code == 2 and "before it starts" in err
    code, _, err = calendar(library, "export", "--csv", tmp_path / "x.csv")
    assert code == 2 and "a campaign, or a date range" in err
    code, _, err = calendar(library, "export", "--campaign", "Winter", "--ics", tmp_path / "x.ics")
    assert code == 2 and "There is no campaign 'Winter'" in err
