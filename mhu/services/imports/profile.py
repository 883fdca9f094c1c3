"""Mapping profiles, version 1: parse and validate, listing every problem before any row is read.

The contract is in docs/import/README.md. A profile is plain JSON; `parse_profile()` checks it
and returns a `Profile` whose field specs are normalised (column names as lists, map keys and
`when` values normalised, null values split into text and datetimes) for mapping.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mhu import enums

# MHU call fields a profile may fill, by kind. Team, person and injuries are not mapped: the
# team is chosen per import, persons are matched by people, injuries need a structure.
TIME_FIELDS = ("received_at", "dispatched_at", "arrived_at", "cleared_at")
TEXT_FIELDS = {
    "incident_number": 40, "initial_call_type": 40, "final_call_type": 40, "district": 40, "beat": 40,
    "address": 200, "legal_hold_type": 20, "narrative": 20_000,
}
CODE_FIELDS = {
    "call_source": enums.CALL_SOURCES, "nature": enums.NATURES, "arrestable_offense": enums.ARRESTABLE_OFFENSES,
    "transfer_in": enums.TRANSFERS, "transfer_out": enums.TRANSFERS, "force_level": enums.FORCE_LEVELS,
    "disposition": enums.DISPOSITIONS, "responder_type": enums.RESPONDER_TYPES,
    "not_taken_reason": enums.NOT_TAKEN_REASONS,
}
LIST_FIELDS = {"presenting_problems": enums.PRESENTING_PROBLEMS, "risk_flags": enums.RISK_FLAGS}
BOOL_FIELDS = ("cit_officer_on_scene", "followup_required")
NUMBER_FIELDS = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}
INT_FIELDS = {"sim_intercept": enums.SIM_INTERCEPTS}
FIELDS = (*TIME_FIELDS, *TEXT_FIELDS, *CODE_FIELDS, *LIST_FIELDS, *BOOL_FIELDS, *NUMBER_FIELDS, *INT_FIELDS)

TOP_KEYS = {"version", "name", "timezone", "key", "duplicate_keys", "datetime_formats", "null_values",
            "invalid_times", "fields", "description"}
SPEC_KEYS = {"value", "column", "map", "default", "split", "date_column", "time_column", "rules", "when"}
DUPLICATE_KEYS = ("first", "last", "reject")
INVALID_TIMES = ("reject", "clear")
_SPACES = re.compile(r"\s+")


class ProfileError(Exception):
    """The profile cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def normal(value) -> str:
    """The form values are compared in: trimmed, inner whitespace collapsed, case-folded."""
    return _SPACES.sub(" ", str(value)).strip().casefold()


@dataclass
class Spec:
    """One field's mapping, normalised. kind: value | column | datetime_parts | rules | when."""

    kind: str
    value: object = None
    columns: tuple[str, ...] = ()
    map: dict | None = None
    has_default: bool = False
    default: object = None
    split: str | None = None
    date_column: str | None = None
    time_column: str | None = None
    rules: list[Spec] = field(default_factory=list)
    when: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Profile:
    name: str
    timezone: str
    key: tuple[str, ...]
    duplicate_keys: str
    datetime_formats: tuple[str, ...]
    null_text: frozenset[str]
    null_times: frozenset[datetime]
    invalid_times: str
    fields: dict[str, Spec]
    body: dict

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def columns(self) -> set[str]:
        """Every source column the profile reads."""
        names = set(self.key)
        for spec in self.fields.values():
            names |= _spec_columns(spec)
        return names


def _spec_columns(spec: Spec) -> set[str]:
    names = set(spec.columns) | set(spec.when)
    names |= {name for name in (spec.date_column, spec.time_column) if name}
    for rule in spec.rules:
        names |= _spec_columns(rule)
    return names


def load_profile(text: str | bytes) -> Profile:
    """Parse profile JSON text; ProfileError lists every problem."""
    try:
        body = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProfileError([f"not valid JSON: {error}"]) from None
    return parse_profile(body)


def parse_profile(body) -> Profile:
    """Validate a version-1 profile (a decoded JSON object); ProfileError lists every problem."""
    problems: list[str] = []
    if not isinstance(body, dict):
        raise ProfileError(["a profile is a JSON object"])
    for name in sorted(set(body) - TOP_KEYS):
        problems.append(f"unknown key '{name}'")
    if body.get("version") != 1:
        problems.append(f"version: must be 1, not {body.get('version')!r}")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        problems.append("name: required, text of at most 120 characters")
    zone = body.get("timezone")
    if not _is_zone(zone):
        problems.append(f"timezone: {zone!r} is not an IANA time zone (e.g. America/Chicago)")
    key = body.get("key")
    if isinstance(key, str):
        key = [key]
    if not isinstance(key, list) or not key or not all(isinstance(k, str) and k.strip() for k in key):
        problems.append("key: required, a column name or a list of column names")
        key = []
    duplicate_keys = body.get("duplicate_keys", "first")
    if duplicate_keys not in DUPLICATE_KEYS:
        problems.append(f"duplicate_keys: must be one of {', '.join(DUPLICATE_KEYS)}")
    formats = body.get("datetime_formats", [])
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
        problems.append("datetime_formats: a list of strptime formats such as \"%m/%d/%Y %H:%M\"")
        formats = []
    nulls = body.get("null_values", [""])
    if not isinstance(nulls, list) or not all(isinstance(v, str) for v in nulls):
        problems.append("null_values: a list of texts")
        nulls = []
    invalid_times = body.get("invalid_times", "reject")
    if invalid_times not in INVALID_TIMES:
        problems.append(f"invalid_times: must be one of {', '.join(INVALID_TIMES)}")
    fields_body = body.get("fields")
    specs: dict[str, Spec] = {}
    if not isinstance(fields_body, dict) or not fields_body:
        problems.append("fields: required, an object of MHU field name -> field spec")
    else:
        for field_name, raw in fields_body.items():
            if field_name not in FIELDS:
                problems.append(f"fields.{field_name}: unknown MHU field (known: {', '.join(FIELDS)})")
                continue
            spec = _parse_spec(f"fields.{field_name}", field_name, raw, problems, top=True)
            if spec is not None:
                specs[field_name] = spec
        if "received_at" not in fields_body:
            problems.append("fields.received_at: required (every call needs its received time)")
    if problems:
        raise ProfileError(problems)
    null_times = set()
    for value in nulls:
        parsed = parse_naive_datetime(value.strip(), tuple(formats))
        if parsed is not None:
            null_times.add(parsed)
    return Profile(
        name=name.strip(), timezone=zone, key=tuple(k.strip() for k in key), duplicate_keys=duplicate_keys,
        datetime_formats=tuple(formats), null_text=frozenset(normal(v) for v in nulls), null_times=frozenset(null_times),
        invalid_times=invalid_times, fields=specs, body=body,
    )


def _is_zone(name) -> bool:
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _columns(where: str, raw, problems: list[str]) -> tuple[str, ...]:
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        problems.append(f"{where}: a column name or a non-empty list of column names")
        return ()
    return tuple(n.strip() for n in names)


def _parse_spec(where: str, field_name: str, raw, problems: list[str], *, top: bool) -> Spec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a field spec is an object")
        return None
    unknown = set(raw) - SPEC_KEYS
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    shapes = [s for s in ("value", "column", "date_column", "rules") if s in raw]
    if "when" in raw:
        if top:
            problems.append(f"{where}: 'when' belongs inside a rule of 'rules'")
            return None
        return _parse_when(where, field_name, raw, problems)
    if len(shapes) != 1:
        problems.append(f"{where}: give exactly one of value, column, date_column + time_column, rules")
        return None
    shape = shapes[0]
    if shape == "value":
        return Spec(kind="value", value=_constant(where, field_name, raw["value"], problems))
    if shape == "rules":
        if not top:
            problems.append(f"{where}: rules cannot nest")
            return None
        rules = raw["rules"]
        if not isinstance(rules, list) or not rules:
            problems.append(f"{where}.rules: a non-empty list")
            return None
        parsed = [_parse_spec(f"{where}.rules[{i}]", field_name, rule, problems, top=False) for i, rule in enumerate(rules)]
        return Spec(kind="rules", rules=[rule for rule in parsed if rule is not None])
    if shape == "date_column":
        if field_name not in TIME_FIELDS:
            problems.append(f"{where}: date_column and time_column are for times ({', '.join(TIME_FIELDS)})")
        if not isinstance(raw.get("date_column"), str) or not isinstance(raw.get("time_column"), str):
            problems.append(f"{where}: date_column and time_column are both column names")
            return None
        return Spec(kind="datetime_parts", date_column=raw["date_column"].strip(), time_column=raw["time_column"].strip())
    spec = Spec(kind="column", columns=_columns(f"{where}.column", raw["column"], problems))
    if "split" in raw:
        if not isinstance(raw["split"], str) or not raw["split"]:
            problems.append(f"{where}.split: a non-empty separator text")
        elif field_name not in LIST_FIELDS:
            problems.append(f"{where}.split: only list fields ({', '.join(LIST_FIELDS)}) split a cell")
        else:
            spec.split = raw["split"]
    if "map" in raw:
        if not isinstance(raw["map"], dict):
            problems.append(f"{where}.map: an object of source value -> MHU value")
        else:
            spec.map = {normal(source): _constant(f"{where}.map[{source!r}]", field_name, target, problems)
                        for source, target in raw["map"].items()}
    if "default" in raw:
        spec.has_default = True
        spec.default = _constant(f"{where}.default", field_name, raw["default"], problems)
    return spec


def _parse_when(where: str, field_name: str, raw: dict, problems: list[str]) -> Spec | None:
    when = raw["when"]
    if not isinstance(when, dict) or not when:
        problems.append(f"{where}.when: an object of column -> list of values")
        return None
    conditions = {}
    for column, values in when.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, (str, int, float)) for v in values):
            problems.append(f"{where}.when[{column!r}]: a list of values")
            continue
        conditions[column.strip()] = frozenset(normal(v) for v in values)
    if "value" not in raw:
        problems.append(f"{where}: a rule with 'when' gives a 'value'")
        return None
    extra = set(raw) - {"when", "value"}
    if extra:
        problems.append(f"{where}: a 'when' rule has only 'when' and 'value', not {', '.join(sorted(extra))}")
    return Spec(kind="when", when=conditions, value=_constant(where + ".value", field_name, raw["value"], problems))


def _constant(where: str, field_name: str, value, problems: list[str]):
    """A constant of the profile (value, map target, default): checked against the field's type."""
    if value is None:
        return None
    if field_name in LIST_FIELDS:
        values = [_code(v, LIST_FIELDS[field_name]) for v in (value if isinstance(value, list) else [value])]
        bad = [v for v in values if v not in LIST_FIELDS[field_name]]
        if bad:
            problems.append(f"{where}: {', '.join(map(repr, bad))} not a {field_name} code")
        return values
    if field_name in CODE_FIELDS:
        value = _code(value, CODE_FIELDS[field_name])
        if value not in CODE_FIELDS[field_name]:
            problems.append(f"{where}: {value!r} is not a {field_name} code ({', '.join(CODE_FIELDS[field_name])})")
        return value
    if field_name in INT_FIELDS:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or value not in INT_FIELDS[field_name]:
            problems.append(f"{where}: {value!r} is not one of {INT_FIELDS[field_name]}")
        return value
    if field_name in BOOL_FIELDS:
        if isinstance(value, str) and normal(value) in _BOOLEAN_TEXT:
            value = _BOOLEAN_TEXT[normal(value)]
        if not isinstance(value, bool):
            problems.append(f"{where}: true or false")
        return value
    if field_name in NUMBER_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{where}: a number")
        return value
    if field_name in TEXT_FIELDS:
        if not isinstance(value, str) or len(value) > TEXT_FIELDS[field_name]:
            problems.append(f"{where}: text of at most {TEXT_FIELDS[field_name]} characters")
        return value
    if field_name in TIME_FIELDS:
        problems.append(f"{where}: a time comes from columns, not a constant")
    return value


_BOOLEAN_TEXT = {**dict.fromkeys(("y", "yes", "true", "1"), True), **dict.fromkeys(("n", "no", "false", "0"), False)}


def _code(value, codes):
    """A constant written as a code, or as the code's label or words ("Resolved on scene")."""
    if not isinstance(value, str) or value in codes:
        return value
    wanted = normal(value)
    for code in codes:
        if wanted in (normal(code), normal(str(code).replace("_", " ")), normal(enums.label(code))):
            return code
    return value


def parse_naive_datetime(text: str, formats: tuple[str, ...]) -> datetime | None:
    """ISO 8601 first, then each format; None when nothing parses. May return an aware value."""
    if not text:
        return None
    # fromisoformat() reads the year's four ASCII digits first: a text not starting with four
    # digits is not ISO, and raising its ValueError costs more than this test.
    if text[:4].isdigit():
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    for fmt in formats:
        try:
            return strptime(text, fmt)
        except ValueError:
            continue
    return None


# Keys of strptime's match that the fast parser converts itself; any other directive in a format
# (%b, %j, %z, ...) leaves that format to datetime.strptime.
_FAST_KEYS = frozenset("YymdHIpMSf")
_parsers: dict[str, object] = {}


def strptime(text: str, fmt: str) -> datetime:
    """datetime.strptime(text, fmt), several times faster for the usual formats: the same regular
    expression strptime builds for the format (case-insensitive, whitespace runs, one- or two-digit
    fields), compiled once, then the values converted as strptime does. ValueError as strptime."""
    parse = _parsers.get(fmt)
    if parse is None:
        parse = _parsers[fmt] = _compile_format(fmt)
    return parse(text)


def _compile_format(fmt: str):
    import _strptime

    def slow(text):
        return datetime.strptime(text, fmt)

    try:
        locale_time = _strptime._TimeRE_cache.locale_time
        pattern = _strptime._TimeRE_cache.compile(fmt)
        am, pm = locale_time.am_pm[0], locale_time.am_pm[1]
    except Exception:  # a bad directive (strptime says which) or another Python's internals
        return slow
    keys = set(pattern.groupindex)
    if not keys <= _FAST_KEYS or not (keys & {"Y", "y"}) or not {"m", "d"} <= keys or len(pattern.groupindex) != pattern.groups:
        return slow
    match = pattern.match
    # Where each directive's text is in found.groups() (None: not in the format), found once here
    # rather than looked up by name in every text.
    at = {key: number - 1 for key, number in pattern.groupindex.items()}
    at_Y, at_y, at_m, at_d, at_H, at_I, at_p, at_M, at_S, at_f = (at.get(key) for key in "YymdHIpMSf")

    def fast(text):
        found = match(text)
        if found is None or found.end() != len(text):
            raise ValueError(f"time data {text!r} does not match format {fmt!r}")
        values = found.groups()
        if at_Y is not None:
            year = int(values[at_Y])
        else:
            year = int(values[at_y])
            year += 2000 if year <= 68 else 1900
        hour = int(values[at_H]) if at_H is not None else 0
        if at_I is not None:
            hour = int(values[at_I])
            ampm = ((values[at_p] if at_p is not None else None) or "").lower()
            if ampm in ("", am):
                if hour == 12:
                    hour = 0
            elif ampm == pm and hour != 12:
                hour += 12
        minute = int(values[at_M]) if at_M is not None else 0
        second = int(values[at_S]) if at_S is not None else 0
        fraction = 0
        if at_f is not None:
            digits = values[at_f]
            fraction = int(digits + "0" * (6 - len(digits)))
        return datetime(year, int(values[at_m]), int(values[at_d]), hour, minute, second, fraction)
    return fast
