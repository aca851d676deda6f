"""Cell values as report downloads write them, turned into numbers and dates.

Numbers: "1 234,56" (NBSP or narrow NBSP thousands, decimal comma), "1.234,56", "1,234.56",
"1,234" (quoted thousands), "6.00%", "< 10%" (kept as the bound), "--" and "" (no value),
currency signs. The decimal mark is decided once per column from its values, because
"1,234" alone could be either. Dates: several formats, the first that reads the whole
column wins, in the source's order of preference (M/D/YYYY before D/M/YYYY for LinkedIn).
Every value that cannot be read becomes a RowError naming its line, column and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_ERRORS = 200  # per column: enough to see the pattern, not a million lines of it
EMPTY = {"", "--", "-", "—", "n/a", "N/A"}
_DECIMAL_COMMA = r"\d,\d{1,2}(?:%)?$|\.\d{3},"  # "12,5", "1.234,56"
_DECIMAL_POINT = r"\d\.\d{1,2}(?:%)?$|,\d{3}\.|\d\.\d{4,}$"  # "12.5", "1,234.56", "0.12345"
_NOISE = r"[\s\u00a0\u202f'’$€£¥₹<>≤≥]"  # thousands spaces and apostrophes, currency signs, bounds

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%b %d, %Y", "%d %b %Y", "%Y%m%d")
MONTH_FIRST = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%b %d, %Y", "%d %b %Y", "%Y%m%d")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    why: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "why": self.why}


def factorized(values: pd.Series, *, missing_too: bool = True) -> tuple[np.ndarray, pd.Index]:
    """pd.factorize(values, use_na_sentinel=not missing_too), where a categorical column gives its
    own codes and categories (no pass over a million rows to hash them; unused categories come too)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return pd.factorize(values, use_na_sentinel=not missing_too)
    codes, categories = values.cat.codes.to_numpy(), values.cat.categories
    if not missing_too:
        return codes, categories
    return np.where(codes < 0, len(categories), codes), pd.Index([*categories, np.nan], dtype=object)


def per_unique(values: pd.Series, fn) -> pd.Series:
    """fn(distinct values) mapped back onto every row: a report repeats its names, dates and
    currencies a million times, so each string is stripped or parsed once."""
    codes, uniques = factorized(values)
    mapped = pd.Series(fn(pd.Series(uniques)))
    return pd.Series(mapped.to_numpy()[codes], index=values.index)


def coded(values: pd.Series, fn, *, ordered: bool = False) -> pd.Series:
    """fn(distinct values) mapped back onto every row as a categorical column: the rows keep small
    integer codes, so grouping, hashing and de-duplicating them later costs next to nothing.
    Missing values stay missing (fn never sees them); ordered sorts the categories (min and max work)."""
    codes, uniques = factorized(values, missing_too=False)
    mapped_codes, categories = pd.factorize(pd.Series(fn(pd.Series(uniques))), sort=ordered)  # fn may merge values or blank them
    row_codes = np.append(mapped_codes, -1)[codes]  # code -1 (missing) picks the -1 appended
    return pd.Series(pd.Categorical.from_codes(row_codes, categories, ordered=ordered), index=values.index)


def filled(values: pd.Series, value: str) -> pd.Series:
    """Missing cells as value, a categorical column staying one."""
    if isinstance(values.dtype, pd.CategoricalDtype) and value not in values.cat.categories:
        values = values.cat.add_categories([value])
    return values.fillna(value)


def stripped(values: pd.Series) -> pd.Series:
    """Text cells without surrounding spaces, coded; missing where empty."""
    return coded(values, lambda u: u.astype(str).str.strip().replace("", np.nan))


def decimal_comma(text: pd.Series, default: bool) -> bool:
    """Whether this column writes decimals with a comma, judged from its values."""
    if text.str.contains(_DECIMAL_COMMA, regex=True, na=False).any():
        return True
    if text.str.contains(_DECIMAL_POINT, regex=True, na=False).any():
        return False
    return default


def numbers(values: pd.Series, column: str, lines: np.ndarray, *, comma_default: bool, errors: list[RowError]) -> pd.Series:
    """Floats (NaN where the report has no value); unreadable cells are added to errors."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    codes, uniques = factorized(values)
    text = pd.Series(uniques, dtype=object).map(lambda v: v if isinstance(v, str) or pd.isna(v) else repr(v)).str.strip()
    empty = text.isna() | text.isin(EMPTY)
    cleaned = text.mask(empty).str.replace(_NOISE, "", regex=True)
    percent = cleaned.str.endswith("%", na=False)
    cleaned = cleaned.str.rstrip("%")
    if decimal_comma(text.mask(empty), comma_default):
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = cleaned.str.replace(",", "", regex=False)
    result = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    result = result.where(~percent, result / 100)
    bad = (result.isna() & ~empty).to_numpy()[codes]
    for i in np.flatnonzero(bad)[:MAX_ERRORS]:
        errors.append(RowError(int(lines[i]), column, f"{str(values.iloc[i]).strip()!r} is not a number"))
    return pd.Series(result.to_numpy()[codes], index=values.index)


def _parse_dates(text: pd.Series, formats) -> pd.Series:
    """The first format that reads every value (else the one that reads most)."""
    present = int(text.notna().sum())
    best, best_count = None, -1
    for fmt in formats:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        count = int(parsed.notna().sum())
        if count > best_count:
            best, best_count = parsed, count
        if count == present:
            break
    return best


def dates(values: pd.Series, column: str, lines: np.ndarray, *, formats=DATE_FORMATS, errors: list[RowError]) -> pd.Series:
    """datetime64 days; the format is the first of `formats` that reads every value (else the
    one that reads most), and each value it cannot read is an error."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed, missing = values.dt.normalize(), values.isna()
    else:
        codes, uniques = factorized(values)
        text = pd.Series(uniques, dtype=object).astype("string").str.strip()
        text = text.str.replace(r"[T ]\d{1,2}:\d{2}(:\d{2})?.*$", "", regex=True)  # "2026-11-03 00:00:00" from Excel
        text = text.mask(text.isin(EMPTY))
        unique_dates = _parse_dates(text, formats)
        parsed = pd.Series(unique_dates.to_numpy()[codes], index=values.index)
        missing = pd.Series(text.isna().to_numpy()[codes], index=values.index)
    bad = parsed.isna()
    example = parsed.dropna().iloc[0].strftime("%Y-%m-%d") if parsed.notna().any() else "2026-11-03"
    for i in np.flatnonzero(bad.to_numpy())[:MAX_ERRORS]:
        raw = values.iloc[i]
        why = "has no date" if missing.iloc[i] else f"{str(raw).strip()!r} is not a date this column's format can read (like {example})"
        errors.append(RowError(int(lines[i]), column, why))
    return parsed
