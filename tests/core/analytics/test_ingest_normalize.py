"""Numbers and dates as report downloads write them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio.core.analytics.ingest.normalize import MONTH_FIRST, dates, numbers


def read_numbers(values, comma_default=False):
    errors = []
    out = numbers(pd.Series(values, dtype=object), "Cost", np.arange(2, 2 + len(values)), comma_default=comma_default, errors=errors)
    return [None if pd.isna(v) else round(v, 6) for v in out], errors


@pytest.mark.parametrize("values, expected", [
    (["1\u00a0234,56", "12,5", "0,99"], [1234.56, 12.5, 0.99]),  # NBSP thousands, decimal comma
    (["1\u202f234,5", "3"], [1234.5, 3.0]),  # narrow NBSP (French since 2019)
    (["1.234,56", "10.000"], [1234.56, 10000.0]),  # dots for thousands where the decimal mark is a comma
    (["1,234.56", "1,000"], [1234.56, 1000.0]),
    (["1,234", "900"], [1234.0, 900.0]),  # Google's quoted thousands
    (["6.00%", "< 10%", "> 90%"], [0.06, 0.1, 0.9]),
    (["--", "", None, "5"], [None, None, None, 5.0]),
    (["$1,020.50", "€3", "1'234.5"], [1020.5, 3.0, 1234.5]),
])
def test_numbers(values, expected):
    assert read_numbers(values) == (expected, [])


def test_the_decimal_mark_of_an_undecided_column_follows_the_file():
    assert read_numbers(["1.234", "10.000"], comma_default=True)[0] == [1234.0, 10000.0]
    assert read_numbers(["1.234", "10.000"], comma_default=False)[0] == [1.234, 10.0]


def test_a_bad_number_names_its_line():
    values, errors = read_numbers(["12", "twelve", "1.2.3"])
    assert values == [12.0, None, None]
    assert [(e.line, e.column, e.why) for e in errors] == [(3, "Cost", "'twelve' is not a number"), (4, "Cost", "'1.2.3' is not a number")]


def read_dates(values, formats=None):
    errors = []
    kwargs = {"formats": formats} if formats else {}
    out = dates(pd.Series(values, dtype=object), "Day", np.arange(2, 2 + len(values)), errors=errors, **kwargs)
    return [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in out], [(e.line, e.why) for e in errors]


@pytest.mark.parametrize("values, expected", [
    (["2026-11-03", "2026-11-30"], ["2026-11-03", "2026-11-30"]),
    (["03/11/2026", "30/11/2026"], ["2026-11-03", "2026-11-30"]),
    (["03.11.2026"], ["2026-11-03"]),
    (["Nov 3, 2026"], ["2026-11-03"]),
    (["2026-11-03 00:00:00"], ["2026-11-03"]),  # as Excel hands dates over
])
def test_dates(values, expected):
    assert read_dates(values) == (expected, [])


def test_month_first_sources_read_ambiguous_dates_month_first():
    assert read_dates(["11/3/2026", "11/12/2026"], MONTH_FIRST)[0] == ["2026-11-03", "2026-11-12"]
    assert read_dates(["11/3/2026", "11/12/2026"])[0] == ["2026-03-11", "2026-12-11"]  # day first elsewhere


def test_a_bad_date_names_its_line_and_why():
    assert read_dates(["2026-11-03", "", "31/02/2026"]) == (["2026-11-03", None, None], [
        (3, "has no date"), (4, "'31/02/2026' is not a date this column's format can read (like 2026-11-03)")])
