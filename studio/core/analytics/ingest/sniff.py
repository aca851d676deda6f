"""Reading a report file as it comes: encoding from the byte-order mark or null bytes, the
header row found by known header words (so title, date-range and preamble lines are
skipped), the separator that splits that row best. XLSX: the sheet whose header matches.

    sniffed = sniff(path, score)                       # the header row, found among the first lines
    table = read_table(sniffed, text_cols, other_cols)  # the body, by column position
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from studio.core.errors import BadInput

SEPARATORS = ("\t", ";", ",", "|")
HEAD_LINES = 60  # preambles are a few lines; a header further down is not a report we know
MIN_KNOWN = 2  # header words a row needs to count as the header


@dataclass
class Sniffed:
    """What was found before reading the body: the header row and how to read the rest."""

    name: str
    header: list[str]
    header_index: int  # 0-based line (or sheet row) of the header
    digest: Future  # of the file's sha256, hashed on another core while the body is read
    encoding: str = ""
    separator: str = ""
    body: bytes = b""  # the file as UTF-8 (text files)
    sheet: str | None = None
    sheet_rows: list | None = None  # the rows after the header (XLSX)

    @property
    def sha256(self) -> str:
        return self.digest.result().hexdigest()


@dataclass
class RawTable:
    """The cells of the columns asked for, by position; `lines` are the file's 1-based line numbers."""

    cells: pd.DataFrame
    lines: pd.Series


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:400]:  # UTF-16 without a BOM: the nulls sit beside ASCII letters
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        return "utf-8" if exc.start > len(head) - 4 else "cp1252"  # a character cut at the sample's end is fine


def split_line(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep), [])


def normalize_header(cell) -> str:
    return " ".join(str(cell or "").replace("\ufeff", "").replace("\u00a0", " ").split()).lower()


def find_header(rows: list[list[str]], score: Callable[[list[str]], int]) -> int | None:
    """The index of the first row that scores MIN_KNOWN or more known header words (the best
    score wins among the first rows, so a title that shares one word is passed over)."""
    best, best_score = None, MIN_KNOWN - 1
    for i, row in enumerate(rows[:HEAD_LINES]):
        s = score(row)
        if s > best_score:
            best, best_score = i, s
    return best


_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-sha256")
_READERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-reader")
PARALLEL_BYTES = 8 << 20  # bodies bigger than this are read in two halves at once
_CONTENT = re.compile(rb"[^\x00\r\n\t ,;\xef\xbb\xbf\xff\xfe]")  # a byte that is not blank, a separator or a BOM


def sniff(path: Path, score: Callable[[list[str]], int]) -> Sniffed:
    """score(header cells) -> how many are known header words (of any source or mapping)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path} cannot be read ({exc.strerror or exc}).") from None
    if not _CONTENT.search(data):  # (a search stops at the first cell; stripping would copy the whole file)
        raise BadInput(f"{path.name} is empty: download the report again, with at least one day of data. Nothing was imported.")
    sha = _HASHING.submit(hashlib.sha256, data)  # hashlib lets go of the GIL for big data
    if data[:4] == b"PK\x03\x04":
        return _sniff_xlsx(path, data, sha, score)
    return _sniff_text(path, data, sha, score)


def _sniff_text(path: Path, data: bytes, sha: Future, score) -> Sniffed:
    encoding = _encoding(data[:65536])
    body = data if encoding.startswith("utf-8") else data.decode(encoding, errors="replace").encode("utf-8")
    head = body[:200_000].decode("utf-8-sig", errors="replace").splitlines()[:HEAD_LINES]
    best = None  # (score, -line, sep)
    for sep in SEPARATORS:
        rows = [split_line(line, sep) for line in head]
        i = find_header(rows, score)
        if i is not None and (best is None or (score(rows[i]), -i) > best[:2]):
            best = (score(rows[i]), -i, sep)
    if best is None:
        raise BadInput(
            f"{path.name} has no header row this studio knows (looked at its first {HEAD_LINES} lines). "
            "If it is a report from another source, give a column mapping with --mapping MAPPING.json "
            '({"platform": "…", "columns": {"date": "…", "campaign": "…", "spend": "…"}}). Nothing was imported.'
        )
    header_index, sep = -best[1], best[2]
    return Sniffed(path.name, split_line(head[header_index], sep), header_index, sha, encoding, sep, body)


def read_table(sniffed: Sniffed, text_columns: list[int], other_columns: list[int], *, numbers_as_text: bool = False) -> RawTable:
    """The body's cells of these columns: text columns as categories (a report repeats its names and
    dates a million times: each distinct value is read once, and grouping by them later costs next to
    nothing), the others as pandas reads them (plain numbers natively, anything odd as strings for
    studio.core.analytics.ingest.normalize) or, with numbers_as_text, all as strings."""
    if sniffed.sheet_rows is not None:
        return _xlsx_table(sniffed, text_columns + other_columns)
    wanted = sorted(set(text_columns + other_columns))
    dtype = {c: "category" for c in text_columns} | ({c: str for c in other_columns} if numbers_as_text else {})
    options = dict(sep=sniffed.separator, header=None, names=range(len(sniffed.header)), usecols=wanted, dtype=dtype,
                   keep_default_na=False, na_values=[""], skip_blank_lines=False, engine="c", index_col=False, on_bad_lines="error")
    try:
        halves = _halves(sniffed)
        try:
            cells = _joined(list(_READERS.map(lambda half: pd.read_csv(io.BytesIO(half), **options), halves))) if halves else None
        except pd.errors.ParserError:
            cells = None  # read it again whole: the message then names the file's own line
        if cells is None:
            cells = pd.read_csv(io.BytesIO(sniffed.body), skiprows=sniffed.header_index + 1, encoding="utf-8-sig", **options)
    except pd.errors.ParserError as exc:
        raise BadInput(_parser_message(sniffed, exc)) from None
    _check_last_line(sniffed)
    return _without_blank_rows(cells, sniffed.header_index)


def _halves(sniffed: Sniffed) -> tuple[bytes, bytes] | None:
    """A big body's rows in two halves cut at a line break, to be read on two cores at once (pandas'
    C parser lets go of the GIL while it splits cells). None when the body is small, or where a
    cut could fall inside a quoted cell (an odd number of quotes before it) or miss a line."""
    body, start = sniffed.body, 0
    for _ in range(sniffed.header_index + 1):  # past the preamble and the header
        start = body.find(b"\n", start) + 1
        if start == 0:
            return None
    if len(body) - start < PARALLEL_BYTES:
        return None
    cut = body.find(b"\n", start + (len(body) - start) // 2) + 1
    if cut in (0, len(body)) or body.count(b'"', 0, cut) % 2 or b"\r" in body[cut - 2:cut]:
        return None
    return body[start:cut], body[cut:]


def _joined(halves: list[pd.DataFrame]) -> pd.DataFrame:
    """The two halves' rows as one table; text columns stay categorical over both halves' values."""
    first, second = halves
    columns = {}
    for column in first.columns:
        a, b = first[column], second[column]
        if isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype):
            columns[column] = pd.Series(union_categoricals([a, b], sort_categories=True))  # as one read sorts them
        else:
            columns[column] = pd.concat([a, b], ignore_index=True)
    return pd.DataFrame(columns)


def _without_blank_rows(cells: pd.DataFrame, header_index: int) -> RawTable:
    lines = pd.Series(range(header_index + 2, header_index + 2 + len(cells)))
    blank = cells.iloc[:, 0].isna().to_numpy().copy() if len(cells.columns) else np.zeros(len(cells), dtype=bool)
    if blank.any():  # (only rows empty in the first column are looked at whole)
        blank[blank] = cells[blank].isna().all(axis=1).to_numpy()
    if blank.any():
        return RawTable(cells[~blank].reset_index(drop=True), lines[~blank].reset_index(drop=True))
    return RawTable(cells, lines)


def _parser_message(sniffed: Sniffed, exc: Exception) -> str:
    message = str(exc).strip()
    if "EOF inside string" in message:
        return (f"{sniffed.name} ends inside a quoted value: the file looks truncated (cut off while it downloaded). "
                "Download the report again; nothing was imported.")
    return f"{sniffed.name} cannot be read as a table ({message}; the header is line {sniffed.header_index + 1}). Nothing was imported."


def _check_last_line(sniffed: Sniffed) -> None:
    """A download cut off mid-row leaves a last line, without its line break, with fewer cells than the header."""
    if sniffed.body.endswith(b"\n"):
        return
    last = sniffed.body[-65536:].rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    cells, columns = split_line(last, sniffed.separator), len(sniffed.header)
    if len(cells) < columns:
        line = sniffed.body.count(b"\n") + 1
        raise BadInput(f"{sniffed.name} line {line} has {len(cells)} of {columns} columns and the file ends there: it looks "
                       "truncated (cut off while it downloaded). Download the report again; nothing was imported.")


def _sniff_xlsx(path: Path, data: bytes, sha: Future, score) -> Sniffed:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any damage in the zip or its XML
        raise BadInput(f"{path.name} looks like an Excel workbook but cannot be opened ({exc}). Save it again from Excel.") from None
    try:
        for sheet in book.worksheets:
            rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(max_row=HEAD_LINES, values_only=True)]
            header_index = find_header(rows, score)
            if header_index is not None:
                body = [list(r) for r in sheet.iter_rows(min_row=header_index + 2, values_only=True)]
                return Sniffed(path.name, rows[header_index], header_index, sha, sheet=sheet.title, sheet_rows=body)
        names = ", ".join(repr(s.title) for s in book.worksheets)
    finally:
        book.close()
    raise BadInput(f"None of the sheets in {path.name} ({names}) has a report header this studio knows. Keep the report's "
                   "own sheet, or give a column mapping with --mapping MAPPING.json. Nothing was imported.")


def _xlsx_table(sniffed: Sniffed, columns: list[int]) -> RawTable:
    width = len(sniffed.header)
    rows = [(r + [None] * width)[:width] for r in sniffed.sheet_rows]
    cells = pd.DataFrame(rows, columns=range(width), dtype=object)[sorted(set(columns))].replace({"": None})
    return _without_blank_rows(cells, sniffed.header_index)
