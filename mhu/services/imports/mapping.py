"""One source row -> MHU call fields, as a profile says (docs/import/README.md).

`Mapper(profile, header)` resolves the profile's columns against the file's header once (a
missing column is a ProfileError before any row is read) and compiles each field spec into a
small function, so mapping a row is a handful of dict lookups. `Mapper.map(row)` returns the
fields with every problem of the row (reasons such as `disposition: no mapping for 'x'`) and
its warnings (a time cleared by `invalid_times: clear`, a date without a time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache

from mhu import enums
from mhu.services.csv_writer import FORMULA_STARTS
from mhu.services.imports.profile import (
    BOOL_FIELDS, CODE_FIELDS, INT_FIELDS, LIST_FIELDS, NUMBER_FIELDS, TEXT_FIELDS, TIME_FIELDS, Profile,
    ProfileError, Spec, normal, parse_naive_datetime, strptime,
)

TRUE = frozenset({"y", "yes", "true", "1"})
FALSE = frozenset({"n", "no", "false", "0"})
TIME_OF_DAY_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%H%M", "%H:%M:%S.%f")
_DATE_ONLY = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\s*$")
_DATE_ONLY_LONGEST = 10  # 2023-12-31 or 12/31/2023
_MISSING = object()
_UNSEEN = object()
_cached_normal = lru_cache(maxsize=20_000)(normal)
_UNUSUAL_SPACE = re.compile(r"\s\s|[^\S ]")
_REMEMBERED = 4096
_REMEMBERED_DAYS = 20_000  # over 50 years of distinct dates


def norm(text: str) -> str:
    """normal(), fast for the usual cell: only text with runs of spaces or other whitespace needs
    the regular expression (most cells are unique times, so a cache alone would not help)."""
    if _UNUSUAL_SPACE.search(text):
        return _cached_normal(text)
    return text.strip().casefold()


def remembered(function, limit: int = _REMEMBERED):
    """function(text), kept for the first `limit` distinct texts: a column of codes repeats a
    handful of spellings, and looking one up costs a fraction of norm(). A column of unique
    values fills the memo and then costs one more lookup per cell."""
    memo: dict[str, object] = {}

    def recall(text: str):
        value = memo.get(text, _UNSEEN)
        if value is _UNSEEN:
            value = function(text)
            if len(memo) < limit:
                memo[text] = value
        return value
    return recall


@dataclass
class MappedRow:
    fields: dict
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def code_lookup(codes) -> dict[str, object]:
    """Accepted spellings of each code: the code itself and its label, compared normalised."""
    lookup = {}
    for code in codes:
        lookup[norm(str(code))] = code
        lookup[norm(enums.label(code))] = code
        lookup[norm(str(code).replace("_", " "))] = code
    return lookup


class Mapper:
    """A profile bound to one file's header."""

    def __init__(self, profile: Profile, header: list[str]):
        self.profile = profile
        self.header = header
        positions = {}
        for index, name in enumerate(header):
            positions.setdefault(norm(name), index)
        missing = sorted(name for name in profile.columns() if norm(name) not in positions)
        if missing:
            raise ProfileError([f"column '{name}' is not in the file" for name in missing]
                               + [f"the file's columns are: {', '.join(h for h in header if h)}"])
        self._positions = positions
        self._null_length = max((len(value) for value in profile.null_text), default=0)
        self._zone = profile.zone
        self._key_columns = [positions[norm(name)] for name in profile.key]
        self._cell = self._cell_reader()
        self._fields = tuple((name, self._compile(name, spec)) for name, spec in profile.fields.items())
        self._times = tuple(name for name in TIME_FIELDS if name in profile.fields)

    # -- cells -------------------------------------------------------------------------------

    def index(self, column: str) -> int:
        return self._positions[norm(column)]

    def _cell_reader(self):
        null_length, null_text = self._null_length, self.profile.null_text
        # norm(text) of a trimmed text begins with its first character case-folded (case folding
        # goes character by character), so a cell whose first character folds to no null value's
        # first character is not one: that answer, kept per character, spares most cells norm().
        null_starts = {value[0] for value in null_text if value}
        may_start_null: dict[str, bool] = {}

        def cell(row: list[str], index: int) -> str:
            """The cell's text, trimmed; "" when it is empty or one of the profile's null values."""
            text = row[index].strip() if index < len(row) else ""
            if not text:
                return ""
            # Only a cell as short as the longest null value (or with runs of spaces) can be one.
            if len(text) <= null_length or "  " in text:
                first = text[0]
                starts = may_start_null.get(first)
                if starts is None:
                    starts = may_start_null[first] = first.casefold()[0] in null_starts
                if starts and norm(text) in null_text:
                    return ""
            return text
        return cell

    def key(self, row: list[str]) -> str | None:
        """The row's source key (key columns joined by the unit separator), None when empty."""
        parts = [row[i].strip() if i < len(row) else "" for i in self._key_columns]
        if not any(parts):
            return None
        return "\x1f".join(parts)

    # -- the row -----------------------------------------------------------------------------

    def map(self, row: list[str]) -> MappedRow:
        fields = {}
        result = MappedRow(fields, [], [])
        for name, compute in self._fields:
            value = compute(row, result)
            fields[name] = None if value is _MISSING else value
        self._check_times(result)
        return result

    def _check_times(self, result: MappedRow) -> None:
        """received <= dispatched <= arrived <= cleared: a time earlier than the latest earlier
        time kept is invalid (rejected, or cleared with a warning)."""
        fields = result.fields
        if fields.get("received_at") is None:
            if not any(e.startswith("received_at:") for e in result.errors):
                result.errors.append("received_at: required, and the row has no value for it")
            return
        latest_name, latest = None, None
        for name in self._times:  # the profile's time fields, in TIME_FIELDS' order
            moment = fields[name]
            if moment is None:
                continue
            if latest is not None and moment < latest:
                message = f"{name}: {moment.isoformat()} is earlier than {latest_name} {latest.isoformat()}"
                if self.profile.invalid_times == "clear":
                    fields[name] = None
                    result.warnings.append(message + "; cleared")
                else:
                    result.errors.append(message)
                continue
            latest_name, latest = name, moment

    # -- compiling field specs ---------------------------------------------------------------

    def _compile(self, name: str, spec: Spec):
        convert = self._converter(name)
        if spec.kind == "value":
            constant = spec.value
            return lambda row, result: constant
        if spec.kind == "datetime_parts":
            return self._datetime_parts(name, spec)
        if spec.kind == "rules":
            rules = [self._rule(name, rule, convert) for rule in spec.rules]

            def first_rule(row, result):
                for rule in rules:
                    value = rule(row, result)
                    if value is not _MISSING and value is not None:
                        return value
                return _MISSING
            return first_rule
        return self._column(name, spec, convert)

    def _rule(self, name: str, spec: Spec, convert):
        if spec.kind == "when":
            conditions = [(self.index(column), values) for column, values in spec.when.items()]
            constant, folded = spec.value, remembered(norm)

            def when(row, result):
                for index, values in conditions:
                    if folded(self._cell(row, index)) not in values:
                        return _MISSING
                return constant
            return when
        return self._compile(name, spec)

    def _column(self, name: str, spec: Spec, convert):
        indexes = [self.index(column) for column in spec.columns]
        lookup, has_default, default, cell = spec.map, spec.has_default, spec.default, self._cell
        find = remembered(lambda text: lookup.get(norm(text), _MISSING))

        def mapped(text: str, result: MappedRow):
            target = find(text)
            if target is _MISSING:
                if has_default:
                    return default
                result.errors.append(f"{name}: no mapping for '{text}'")
                return _MISSING
            return target
        translate = convert if lookup is None else mapped

        if name in LIST_FIELDS:
            separator, folded = spec.split, remembered(norm)

            def union(row, result):
                values = []
                for index in indexes:
                    text = self._cell(row, index)
                    if not text:
                        continue
                    for piece in (text.split(separator) if separator else (text,)):
                        piece = piece.strip()
                        if not piece or folded(piece) in self.profile.null_text:
                            continue
                        value = translate(piece, result)
                        if value is _MISSING or value is None:
                            continue
                        values.extend(value if isinstance(value, list) else [value])
                return list(dict.fromkeys(values))
            return union

        if len(indexes) == 1:
            only = indexes[0]

            def one_column(row, result):
                text = cell(row, only)
                return translate(text, result) if text else _MISSING
            return one_column

        def first_non_empty(row, result):
            for index in indexes:
                text = cell(row, index)
                if text:
                    return translate(text, result)
            return _MISSING
        return first_non_empty

    def _converter(self, name: str):
        """Text -> the field's value when no map is given: a valid MHU value, or an error."""
        if name in TIME_FIELDS:
            return self._datetime(name)
        if name in TEXT_FIELDS:
            limit = TEXT_FIELDS[name]

            def text_value(text, result):
                if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
                    text = text[1:]  # csv_writer.csv_safe's guard against spreadsheet formulas
                if len(text) > limit:
                    if name == "incident_number":
                        result.errors.append(f"{name}: longer than {limit} characters")
                        return _MISSING
                    result.warnings.append(f"{name}: longer than {limit} characters; cut to {limit}")
                    return text[:limit]
                return text
            return text_value
        if name in BOOL_FIELDS:
            folded = remembered(norm)

            def boolean(text, result):
                value = folded(text)
                if value in TRUE:
                    return True
                if value in FALSE:
                    return False
                result.errors.append(f"{name}: '{text}' is not yes or no (Y/N, yes/no, true/false, 1/0)")
                return _MISSING
            return boolean
        if name in NUMBER_FIELDS:
            low, high = NUMBER_FIELDS[name]

            def number(text, result):
                try:
                    value = float(text)
                except ValueError:
                    value = None
                if value is None or not low <= value <= high:
                    result.errors.append(f"{name}: '{text}' is not a number from {low:g} to {high:g}")
                    return _MISSING
                return value
            return number
        choices = CODE_FIELDS.get(name) or LIST_FIELDS.get(name) or INT_FIELDS.get(name)
        lookup = code_lookup(choices)
        find = remembered(lambda text: lookup.get(norm(text), _MISSING))

        def code(text, result):
            value = find(text)
            if value is _MISSING and name in INT_FIELDS:
                try:
                    number = float(text)
                    value = int(number) if number.is_integer() and int(number) in choices else _MISSING
                except ValueError:
                    pass
            if value is _MISSING:
                result.errors.append(f"{name}: '{text}' is not an MHU {name} code")
            return value
        return code

    # -- times -------------------------------------------------------------------------------

    def _datetime(self, name: str):
        """Text (a trimmed cell) -> the field's aware datetime, or an error."""
        formats, null_times, zone = self.profile.datetime_formats, self.profile.null_times, self._zone

        def moment_of(text: str, result: MappedRow):
            moment = parse_naive_datetime(text, formats)
            # A trimmed text longer than _DATE_ONLY_LONGEST cannot match: the expression is skipped.
            date_only = len(text) <= _DATE_ONLY_LONGEST and _DATE_ONLY.match(text)
            if moment is None and date_only:
                day = _date_part(text, formats)
                moment = datetime.combine(day, time()) if day is not None else None
            if moment is None:
                result.errors.append(f"{name}: cannot read '{text}' as a date and time")
                return _MISSING
            if moment.tzinfo is None and moment in null_times:
                return _MISSING
            if date_only:
                result.warnings.append(f"{name}: '{text}' has no time of day; taken as 00:00")
            return moment if moment.tzinfo is not None else _in_zone(moment, zone)
        return moment_of

    def _datetime_parts(self, name: str, spec: Spec):
        date_index, time_index = self.index(spec.date_column), self.index(spec.time_column)
        formats, null_times, zone = self.profile.datetime_formats, self.profile.null_times, self._zone
        cell = self._cell

        def midnight_of(text: str):
            """The date's midnight (naive) and whether it is a null value; None when no date."""
            day = _date_part(text, formats)
            if day is None:
                return None
            midnight = datetime.combine(day, time())
            return midnight, midnight in null_times
        # Dates repeat (a few thousand days in any export), times hardly do: only dates are kept.
        midnight_of = remembered(midnight_of, limit=_REMEMBERED_DAYS)

        def combined(row, result):
            date_text, time_text = cell(row, date_index), cell(row, time_index)
            if not date_text:
                return _MISSING
            found = midnight_of(date_text)
            if found is None:
                result.errors.append(f"{name}: cannot read '{date_text}' as a date")
                return _MISSING
            midnight, is_null = found
            if is_null:
                return _MISSING
            if not time_text:
                result.warnings.append(f"{name}: '{date_text}' has no time of day; taken as 00:00")
                return _in_zone(midnight, zone)
            clock = _time_part(time_text, formats)
            if clock is None:
                result.errors.append(f"{name}: cannot read '{time_text}' as a time of day")
                return _MISSING
            # An offset in the time of day is kept; otherwise the profile's zone, as in _datetime.
            return datetime.combine(midnight, clock, clock.tzinfo if clock.tzinfo is not None else zone)
        return combined


def _in_zone(moment: datetime, zone) -> datetime:
    """moment.replace(tzinfo=zone), about six times faster on Python 3.11 (a time cell's most
    costly step with replace())."""
    return datetime.combine(moment, moment.time(), zone)


def _date_part(text: str, formats) -> date | None:
    moment = parse_naive_datetime(text, formats)
    if moment is not None:
        return moment.date()
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _time_part(text: str, formats) -> time | None:
    try:
        return time.fromisoformat(text)
    except ValueError:
        pass
    for fmt in TIME_OF_DAY_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    moment = parse_naive_datetime(text, formats)
    return moment.time() if moment is not None else None
