"""The one CSV writer of the app. Every text cell a spreadsheet could run as a formula is
escaped (OWASP CSV injection guidance): a cell starting with `=`, `+`, `-`, `@`, a tab or a
carriage return gets a leading apostrophe, so Excel, LibreOffice and Google Sheets show it as
text. Numbers are written as numbers; quoting and embedded separators are the csv module's job.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str | int | float:
    """One cell as written: None is empty, dates are ISO 8601, risky text gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_rows(header: Sequence, rows: Iterable[Sequence]) -> str:
    """A whole CSV document (RFC 4180 line ends), the header row escaped like every other."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()
