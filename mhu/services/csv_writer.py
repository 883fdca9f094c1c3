"""Writing CSV that is safe to open in a spreadsheet: the one writer for every CSV MHU produces.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by spreadsheet
programs as a formula (CSV injection, OWASP); such text cells get a leading apostrophe. Numbers
(including negative ones such as a longitude) are written as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_safe(value):
    """The value as a spreadsheet will not execute it: text that could start a formula is
    prefixed with an apostrophe; numbers, None and other text pass unchanged."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.match(text):
        return "'" + text
    return text


def write_rows(header: Iterable[str] | None, rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text, one line (header first, if given) at a time, every cell through csv_safe():
    a generator, so a response or a file can be written while rows are still being read."""
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
