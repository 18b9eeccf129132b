"""csv_series reader: one numeric column of a CSV file (plus an optional date column) as a series.

Readers only read: every problem is a UserError naming the file (and the line where it applies).
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from suite.errors import UserError

DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y/%m/%d", "%d.%m.%Y", "%Y")  # after ISO 8601 ("1949-01" is the airline data)


@dataclass
class Series:
    values: list[float]  # in file order, or date order when a date column is given
    dates: list[str] = field(default_factory=list)  # as written in the file ([] without a date column)
    notes: list[str] = field(default_factory=list)  # sentences for the caller to log


def check_file(path, key: str = "data.path") -> Path:
    if path in (None, ""):
        raise UserError(f"{key} is not set: set {key}=<file.csv>")
    p = Path(str(path)).expanduser().absolute()
    if not p.is_file():
        raise UserError(f"{key} '{path}' {'is not a file' if p.exists() else 'does not exist'}: set {key}=<file.csv>")
    return p


def _parse_date(text: str) -> datetime | None:
    """ISO 8601 first, then the formats real exports use; None when none fits."""
    parsers = [datetime.fromisoformat] + [lambda t, f=fmt: datetime.strptime(t, f) for fmt in DATE_FORMATS]
    for parse in parsers:
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def read_csv_series(path, column: str, date_column: str | None = None, *, key: str = "data.path") -> Series:
    """The `column` of a CSV with a header row; rows are sorted by `date_column` when it is given.

    A cell that is empty or not a number is an error naming the file and line: a silent gap
    would shift every later step of a time series.
    """
    path = check_file(path, key)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # -sig: files saved by Excel start with a BOM
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise UserError(f"{path} line {line}: not UTF-8 text ({e.reason}): save it as UTF-8 CSV") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise UserError(f"{path} is not a readable CSV file ({e}): save it as comma-separated values") from e
    if not rows or not any(c.strip() for c in rows[0]):
        raise UserError(f"{path} is empty: expected a header row naming the columns, then one row per time step")
    header = [c.strip() for c in rows[0]]
    col = _index(path, header, column, "data.column", key)
    dcol = _index(path, header, date_column, "data.date_column", key) if date_column else None
    values, dates = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue  # blank lines (often one at the end) carry no time step
        cell = row[col].strip() if col < len(row) else ""
        try:
            value = float(cell)
        except ValueError:
            raise UserError(f"{path} line {line}: column '{column}' holds {cell!r}, not a number: fix or remove"
                            f" that row") from None
        if not math.isfinite(value):  # float() reads 'nan' and 'inf': a window holding one poisons training
            raise UserError(f"{path} line {line}: column '{column}' holds {cell!r}, not a finite number: fill in "
                            f"the missing value (e.g. interpolate) or remove that row")
        values.append(value)
        if dcol is not None:
            dates.append(row[dcol].strip() if dcol < len(row) else "")
    if not values:
        raise UserError(f"{path} has a header but no data rows: add one row per time step")
    notes = []
    if dcol is not None:
        parsed = []
        for i, d in enumerate(dates):
            when = _parse_date(d)
            if when is None:
                raise UserError(f"{path} line {_line_of(rows, i)}: '{date_column}' holds {d!r}, not a date: use"
                                f" e.g. 1949-01 or 1949-01-31")
            parsed.append(when)
        order = sorted(range(len(values)), key=parsed.__getitem__)
        if order != list(range(len(values))):
            values, dates = [values[i] for i in order], [dates[i] for i in order]
            notes.append(f"{path.name}: rows were not in date order; sorted them by '{date_column}'")
    return Series(values, dates, notes)


def _index(path: Path, header: list[str], name: str, column_key: str, path_key: str) -> int:
    if name in header:
        return header.index(name)
    fix = (f"set {column_key}=<one of them>" if path_key == "data.path"  # training: the user picks the column
           else f"the checkpoint was trained on '{name}': give a CSV with that column")
    raise UserError(f"{path} has no column '{name}' (columns: {', '.join(header)}): {fix}")


def _line_of(rows: list[list[str]], k: int) -> int:
    """File line of the k-th data row (blank rows skipped)."""
    seen = -1
    for line, row in enumerate(rows[1:], start=2):
        if any(c.strip() for c in row):
            seen += 1
            if seen == k:
                return line
    return len(rows)
