"""Reading the small CSV files people bring (journeys, orders): any encoding a spreadsheet saves,
any usual separator, column names in any case and spacing, and numbers as spreadsheets write them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from studio.core.errors import BadInput

COLUMN_SEPARATORS = (",", ";", "\t", "|")


def decode(raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def column_separator(text: str, path: Path) -> str:
    header = text.splitlines()[0]
    counts = {d: header.count(d) for d in COLUMN_SEPARATORS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise BadInput(f"Cannot tell how the columns of {path.name} are separated: its header “{header[:80]}” has "
                       "no comma, semicolon, tab or vertical bar. Save it as CSV with one of those separators.")
    return best


def norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def pick(columns: set[str], names: Sequence[str]) -> str | None:
    return next((n for n in names if n in columns), None)


def numbers(column: pd.Series, name: str) -> np.ndarray:
    """Counts and amounts as written by spreadsheets: decimal commas, thousands separators, blanks."""
    text = column.astype(str).str.strip().str.replace(r"[\s\u00a0']", "", regex=True)
    # the later of `.` and `,` is the decimal mark (1.234,50 and 1,234.50); a lone comma is one
    # too unless it groups thousands (1,234)
    comma_decimal = (text.str.rfind(",") > text.str.rfind(".")) & ~text.str.fullmatch(r"\d{1,3}(,\d{3})+")
    text = text.where(~comma_decimal, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    text = text.str.replace(",", "", regex=False)
    values = pd.to_numeric(text.replace("", "0"), errors="coerce")
    if values.isna().any():
        rows = np.flatnonzero(values.isna().to_numpy())[:5]
        raise BadInput(f"Column {name!r} has values that are not numbers on row(s) "
                       f"{', '.join(str(r + 2) for r in rows)} (e.g. “{column.iloc[rows[0]]}”). Fix them and try again.")
    if (values < 0).any():
        raise BadInput(f"Column {name!r} has negative numbers; counts and values must be zero or more.")
    return values.to_numpy(float)
