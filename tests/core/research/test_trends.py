"""Trend momentum from a Google Trends export (and any dated CSV like it), and the files
that are not one."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image

from studio.core.errors import BadInput
from studio.core.research.trends import parse_trends, read_trends, trend_momentum

WEEKS = 26


def google_trends_csv() -> str:
    """A weekly export as Google Trends writes it: preamble, blank line, header with regions,
    "<1" for interest under one."""
    rows = ["Category: All categories", "", "Week,cold brew: (Worldwide),instant coffee: (Worldwide),"
            "oat latte: (Worldwide),decaf: (Worldwide)"]
    rng = np.random.default_rng(3)
    for i in range(WEEKS):
        week = date(2024, 1, 7) + timedelta(weeks=i)
        cold_brew = 30 + 2 * i + rng.integers(-2, 3)  # climbing
        instant = 90 - 2 * i + rng.integers(-2, 3)  # sliding
        oat = "<1" if i < WEEKS - 12 else 4  # nothing, then something
        decaf = 50 + rng.integers(-3, 4)  # flat
        rows.append(f"{week.isoformat()},{cold_brew},{instant},{oat},{decaf}")
    return "\n".join(rows) + "\n"


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "multiTimeline.csv"
    path.write_text(google_trends_csv(), encoding="utf-8")
    return path


def test_a_google_trends_export_is_read(export):
    series = read_trends(export)
    assert list(series.values) == ["cold brew", "instant coffee", "oat latte", "decaf"]
    assert series.step == "week" and len(series.dates) == WEEKS
    assert series.dates[0] == date(2024, 1, 7)
    assert series.values["oat latte"][0] == 0.5  # "<1": some interest, under one
    assert series.values["oat latte"][-1] == 4


def test_momentum_labels_each_term_with_a_reason(export):
    momentum = {m.term: m for m in trend_momentum(read_trends(export))}
    rising, falling, steady, new = (momentum[t] for t in ("cold brew", "instant coffee", "decaf", "oat latte"))
    assert rising.label == "rising" and rising.change > 0.3 and rising.slope == pytest.approx(2, abs=0.5)
    assert falling.label == "falling" and falling.change < -0.2 and falling.slope < -1
    assert steady.label == "steady" and abs(steady.change) < 0.1
    assert new.label == "rising" and new.change == pytest.approx(4 / 0.5 - 1)
    assert all(m.window == 12 for m in momentum.values())  # a quarter of weeks
    assert rising.explanation.startswith("cold brew is rising: the last 12 weeks averaged ")
    assert "up " in rising.explanation and "a week" in rising.explanation
    assert "down " in falling.explanation and "sliding" in falling.explanation
    assert rising.recent_mean == pytest.approx(np.mean(read_trends(export).values["cold brew"][-12:]))


def test_a_shorter_window_can_be_asked_for(export):
    momentum = trend_momentum(read_trends(export), window=4)
    assert all(m.window == 4 for m in momentum)
    with pytest.raises(BadInput, match="does not fit twice in 26 points; choose at most 13"):
        trend_momentum(read_trends(export), window=20)


def test_from_no_interest_to_some_is_rising_and_none_at_all_is_steady():
    text = "Month,flat white,cortado\n" + "".join(
        f"2023-{m:02d},{0 if m < 10 else 12},0\n" for m in range(1, 13))
    series = parse_trends(text)
    assert series.step == "month"
    flat_white, cortado = trend_momentum(series)
    assert flat_white.label == "rising" and flat_white.change is None
    assert "from no measurable interest to an average of 12.0 in the last 3 months" in flat_white.explanation
    assert cortado.label == "steady" and "no measurable interest" in cortado.explanation


def test_a_pytrends_daily_csv_with_its_partial_flag_is_read():
    text = "date,espresso,isPartial\n" + "".join(
        f"{date(2024, 3, 1) + timedelta(days=i)},{40 + i},False\n" for i in range(60))
    series = parse_trends(text)
    assert list(series.values) == ["espresso"] and series.step == "day"
    (espresso,) = trend_momentum(series)
    assert espresso.window == 28 and espresso.label == "rising"


def test_two_regions_of_one_term_keep_their_regions():
    text = "Week,coffee: (United Kingdom),coffee: (Italy)\n" + "".join(
        f"{date(2024, 1, 7) + timedelta(weeks=i)},{i},{i + 1}\n" for i in range(8))
    assert list(parse_trends(text).values) == ["coffee: (United Kingdom)", "coffee: (Italy)"]


@pytest.mark.parametrize("text, message", [
    ("name,email\nAda,ada@example.com\nBob,bob@example.com\n", "not a trends export: no header row followed by dated rows"),
    ("", "not a trends export"),
    ("Week\n2024-01-07\n2024-01-14\n", "not a trends export"),
    ("Week,isPartial\n2024-01-07,False\n2024-01-14,False\n", "dates but no terms"),
    ("Week,coffee\n2024-01-07,12\n2024-01-14,abc\n2024-01-21,3\n2024-01-28,4\n", r"line 3, coffee: 'abc' is not a number"),
    ("Week,coffee\n2024-01-07,12\n2024-01-14,-4\n2024-01-21,3\n2024-01-28,4\n", "'-4' is not an interest value"),
    ("Week,coffee\n2024-01-07,12\nlast week,4\n", "line 3: 'last week' is not a date"),
    ("Week,coffee,tea\n2024-01-07,12,4\n2024-01-14,5\n", "line 3: 2 values where the header has 3"),
    ("Week,coffee\n2024-01-07,12\n2024-01-14,4\n2024-01-21,3\n", "has 3 dated rows; momentum needs at least 4"),
    ("Week,coffee\n2024-01-21,12\n2024-01-14,4\n2024-01-07,3\n2024-01-28,4\n", "the dates are not in order"),
])
def test_what_is_not_a_trends_series_is_named(text, message):
    with pytest.raises(BadInput, match=message):
        parse_trends(text, "upload.csv")


def test_a_picture_or_a_missing_file_is_not_a_trends_export(tmp_path):
    picture = tmp_path / "chart.csv"
    Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).save(picture, format="PNG")
    with pytest.raises(BadInput, match="chart.csv is not a text file"):
        read_trends(picture)
    with pytest.raises(BadInput, match="does not exist: choose the CSV you exported"):
        read_trends(tmp_path / "missing.csv")
