"""Reading source files as they come: CSV in any common encoding and delimiter, or XLSX.

Rows are streamed (never the whole file in memory) as lists of cell texts. CSV: the encoding is
sniffed (a BOM, else UTF-8 if the start decodes as UTF-8, else Windows-1252, else Latin-1), the
delimiter is the most frequent of `, ; tab |` in the header line (or the one an Excel `sep=X`
line above the header names; that line is skipped), Windows and old Mac line ends and blank
lines are tolerated. XLSX: the first sheet (or the named one), read-only; dates, times
and numbers become text the mapping reads (ISO 8601, integral numbers without ".0").
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
_EXCEL_SEP = re.compile(r"^\ufeff?sep=(.)$", re.IGNORECASE)
# Cells larger than the csv module's 128 KiB default occur in narrative columns.
csv.field_size_limit(16 * 1024 * 1024)


class FileError(Exception):
    """The file cannot be read as a table."""


class Table:
    """A source file: its header and its rows, read again from disk on every `rows()` call."""

    def __init__(self, path: str | Path, sheet: str | None = None):
        self.path = Path(path)
        self.sheet = sheet
        self.is_xlsx = self.path.suffix.lower() in (".xlsx", ".xlsm") or _looks_like_zip(self.path)
        if self.is_xlsx:
            self.encoding, self.delimiter, self.skips_sep_line = None, None, False
        else:
            self.encoding, self.delimiter, self.skips_sep_line = _sniff_csv(self.path)
        first = next(self._records(), None)
        if first is None:
            raise FileError("the file has no header row")
        self.header = [cell.strip().lstrip("\ufeff").strip() for cell in first[1]]
        if not any(self.header):
            raise FileError("the file's first row (the header) is empty")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number in the file, cells) for every non-blank row after the header."""
        records = self._records()
        next(records, None)
        return records

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        source = self._xlsx_records() if self.is_xlsx else self._csv_records()
        for number, cells in source:
            if any(map(str.strip, cells)):  # not blank (map: no Python frame per cell)
                yield number, cells

    def _csv_records(self):
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            skipped = 0
            if self.skips_sep_line:
                handle.readline()
                skipped = 1  # row numbers stay those of the file, as a spreadsheet shows them
            try:
                for cells in reader:
                    yield reader.line_num + skipped, cells
            except csv.Error as error:
                raise FileError(f"line {reader.line_num + skipped}: {error}") from None

    def _xlsx_records(self):
        try:
            import openpyxl
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
            raise FileError(f"not a readable XLSX workbook: {error}") from None
        try:
            if self.sheet is not None:
                if self.sheet not in workbook.sheetnames:
                    raise FileError(f"no sheet named {self.sheet!r} (sheets: {', '.join(workbook.sheetnames)})")
                sheet = workbook[self.sheet]
            else:
                sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(value) for value in values]
        finally:
            workbook.close()


def _looks_like_zip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _sniff_csv(path: Path) -> tuple[str, str, bool]:
    """(encoding, delimiter, whether the first line is Excel's `sep=X` hint)."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    encoding = sniff_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    lines = text.splitlines()
    hint = _EXCEL_SEP.match(lines[0].strip(" ")) if lines else None  # not strip(): the separator may be a tab
    if hint:
        return encoding, hint.group(1), True
    header = next((line for line in lines if line.strip()), "")
    delimiter = max(DELIMITERS, key=header.count) if header else ","
    return encoding, delimiter, False


def sniff_encoding(sample: bytes) -> str:
    """utf-8-sig (with or without a BOM), utf-16 with a BOM, else cp1252, else latin-1."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is not an error
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_rejects(handle: io.TextIOBase, header: list[str], rejects) -> None:
    """The rejected rows as CSV: the original columns plus `mhu_errors`."""
    from mhu.services.csv_writer import write_rows

    for line in write_rows([*header, "mhu_errors"], ([*cells, reasons] for cells, reasons in rejects)):
        handle.write(line)
