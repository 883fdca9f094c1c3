"""The one CSV writer: formula-like text is escaped, numbers and plain text are not."""

import csv
import io
from datetime import date

import pytest

from mhu.services.csv_writer import csv_safe, write_csv


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd", "=HYPERLINK(\"http://x\")"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value, written", [
    ("North", "North"), ("a=b", "a=b"), (-3, -3), (2.5, 2.5), (None, ""), (date(2026, 3, 1), "2026-03-01"),
])
def test_plain_text_numbers_and_dates_are_written_as_they_are(value, written):
    assert csv_safe(value) == written


def test_a_document_round_trips_through_a_csv_reader_with_escaped_cells():
    body = write_csv(["district", "calls"], [["=cmd|' /C calc'!A0", 12], ["South, \"old\"", 0]])
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [["district", "calls"], ["'=cmd|' /C calc'!A0", "12"], ["South, \"old\"", "0"]]
    assert body.endswith("\r\n")
