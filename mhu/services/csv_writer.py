"""The one CSV writer of the app: every CSV MHU produces (exports, rejects, the audit trail,
partner tables, chart downloads) is written here, so every cell is made safe the same way.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by spreadsheet
programs as a formula (CSV injection, OWASP): it gets a leading apostrophe, which Excel,
LibreOffice and Google Sheets show as text. Numbers stay numbers; None is empty; dates and times
are ISO 8601; quoting and embedded separators are the csv module's job. The importer strips the
apostrophe again, so an export re-imports unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """One cell as written: None is empty, booleans true/false, dates ISO 8601, numbers as they
    are, and text that could start a formula prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_rows(header: Iterable | None, rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text one line at a time (header first, if given; RFC 4180 line ends), every cell through
    csv_safe(): a generator, so a response or a file is written while rows are still being read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        writer.writerow([csv_safe(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    if header is not None:
        yield line(header)
    for row in rows:
        yield line(row)


def write_csv(header: Iterable | None, rows: Iterable[Iterable]) -> str:
    """The whole CSV document as one string (small tables: partner tables, chart downloads)."""
    return "".join(write_rows(header, rows))
