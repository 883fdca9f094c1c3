"""The profile contract, one semantic at a time: parse_profile() and Mapper.map() on small rows."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mhu.services.imports.mapping import Mapper
from mhu.services.imports.profile import ProfileError, parse_profile

CHICAGO = ZoneInfo("America/Chicago")


def profile(fields=None, **top):
    body = {"version": 1, "name": "Test", "timezone": "America/Chicago", "key": ["ID"],
            "fields": {"received_at": {"column": "Received"}, **(fields or {})}, **top}
    return parse_profile(body)


def mapped(header, cells, fields=None, **top):
    return Mapper(profile(fields, **top), header).map(cells)


# -- parsing ------------------------------------------------------------------------------------

def test_a_malformed_profile_lists_every_problem():
    with pytest.raises(ProfileError) as caught:
        parse_profile({"version": 3, "timezone": "Nowhere/City", "key": [], "duplicate_keys": "middle",
                       "invalid_times": "ignore", "extra": 1,
                       "fields": {"colour": {"value": "red"}, "disposition": {"value": "jailed"},
                                  "district": {"column": "A", "value": "B"},
                                  "nature": {"rules": [{"when": {"X": ["y"]}}]}}})
    problems = "\n".join(caught.value.problems)
    for expected in ("unknown key 'extra'", "version: must be 1", "name: required", "timezone: 'Nowhere/City'",
                     "key: required", "duplicate_keys: must be one of", "invalid_times: must be one of",
                     "fields.colour: unknown MHU field", "'jailed' is not a disposition code",
                     "fields.district: give exactly one of", "gives a 'value'", "fields.received_at: required"):
        assert expected in problems


def test_the_issue_example_profile_is_valid():
    from pathlib import Path
    import json

    body = json.loads((Path(__file__).resolve().parents[2] / "fixtures/imports/county-profile.json").read_text())
    assert parse_profile(body).name == "County mobile crisis export"


def test_a_column_missing_from_the_file_is_refused_before_any_row():
    with pytest.raises(ProfileError) as caught:
        Mapper(profile({"district": {"column": "City"}}), ["ID", "Received"])
    assert "column 'City' is not in the file" in caught.value.problems[0]


# -- values -------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["Engaged client", "Engaged  Client", "ENGAGED CLIENT", "  engaged client "])
def test_map_compares_trimmed_collapsed_casefolded_values(variant):
    row = mapped(["ID", "Received", "Outcome"], ["1", "2026-03-01 10:00", variant],
                 {"disposition": {"column": "Outcome", "map": {"Engaged client": "resolved_on_scene"}}})
    assert row.errors == [] and row.fields["disposition"] == "resolved_on_scene"


def test_a_value_absent_from_map_takes_the_default_or_rejects_the_row():
    header = ["ID", "Received", "City"]
    with_default = {"district": {"column": "City", "map": {"Eugene": "Eugene", "Unknown": None}, "default": "Other"}}
    without = {"district": {"column": "City", "map": {"Eugene": "Eugene"}}}

    assert mapped(header, ["1", "2026-03-01", "Salem"], with_default).fields["district"] == "Other"
    assert mapped(header, ["1", "2026-03-01", "unknown"], with_default).fields["district"] is None
    assert mapped(header, ["1", "2026-03-01", "Salem"], without).errors == ["district: no mapping for 'Salem'"]


def test_without_map_a_value_must_be_an_mhu_code():
    header = ["ID", "Received", "Source"]
    fields = {"call_source": {"column": "Source"}}
    assert mapped(header, ["1", "2026-03-01", "On View"], fields).fields["call_source"] == "on_view"
    assert mapped(header, ["1", "2026-03-01", "radio"], fields).errors == [
        "call_source: 'radio' is not an MHU call_source code"]


@pytest.mark.parametrize("text, value", [("Y", True), ("n", False), ("Yes", True), ("NO", False), ("true", True),
                                         ("False", False), ("1", True), ("0", False)])
def test_booleans_accept_yes_no_true_false_one_zero(text, value):
    row = mapped(["ID", "Received", "CIT"], ["1", "2026-03-01", text], {"cit_officer_on_scene": {"column": "CIT"}})
    assert row.fields["cit_officer_on_scene"] is value


@pytest.mark.parametrize("text, value", [("n/a", None), (" N/A ", None), ("N\tA", None), ("SS", None), ("\u1e9e", None),
                                         ("1900-01-01", None), ("Nb", "Nb"), ("S", "S"), ("1901", "1901")])
def test_null_values_match_whatever_the_case_spacing_or_case_folding(text, value):
    row = mapped(["ID", "Received", "City"], ["1", "2026-03-01", text], {"district": {"column": "City"}},
                 null_values=["", "N/A", "n  a", "\u00df", "1900-01-01"])
    assert row.fields["district"] == value


def test_one_mapper_gives_a_repeated_value_the_same_answer_on_every_row():
    header = ["ID", "Received", "Outcome", "Source", "Clear Date", "Clear Time"]
    mapper = Mapper(profile({"disposition": {"column": "Outcome", "map": {"Arrest": "arrest"}},
                             "call_source": {"column": "Source", "map": {"E911": "911"}, "default": "non_emergency"},
                             "cleared_at": {"date_column": "Clear Date", "time_column": "Clear Time"}},
                            null_values=["", "1900-01-01"]), header)
    for time_text, cleared in (("10:00", (10, 0)), ("11:30:15", (11, 30, 15)), ("10:00", (10, 0))):
        row = mapper.map(["1", "2026-03-01 09:00", "Jail", "Walk-in", "03/01/2026", time_text])
        assert row.errors == ["disposition: no mapping for 'Jail'"]
        assert row.fields["call_source"] == "non_emergency"
        assert row.fields["cleared_at"] == datetime(2026, 3, 1, *cleared, tzinfo=CHICAGO)
        row = mapper.map(["2", "2026-03-01 09:00", " ARREST ", "e911", "1900-01-01", "10:00"])
        assert row.errors == [] and row.fields["disposition"] == "arrest" and row.fields["call_source"] == "911"
        assert row.fields["cleared_at"] is None


def test_several_columns_give_a_scalar_its_first_non_empty_value():
    row = mapped(["ID", "Request", "Dispatch"], ["1", "N/A", "2026-03-01 10:05"],
                 {"received_at": {"column": ["Request", "Dispatch"]}}, null_values=["", "N/A"])
    assert row.fields["received_at"] == datetime(2026, 3, 1, 10, 5, tzinfo=CHICAGO)


def test_list_fields_take_every_value_split_mapped_and_deduplicated():
    row = mapped(["ID", "Received", "R1", "R2"], ["1", "2026-03-01", "Paranoia; Voices", "paranoia|Drugs"],
                 {"presenting_problems": {"column": ["R1", "R2"], "split": ";",
                                          "map": {"Paranoia": "psychotic_symptoms", "Voices": "psychotic_symptoms",
                                                  "Paranoia|Drugs": ["psychotic_symptoms", "substance_use"]}}})
    assert row.errors == []
    assert row.fields["presenting_problems"] == ["psychotic_symptoms", "substance_use"]


def test_rules_first_match_wins_and_a_when_rule_beats_a_contradictory_column():
    fields = {"disposition": {"rules": [
        {"when": {"End Point": ["Unable to locate"]}, "value": "unable_to_locate"},
        {"column": "Disposition", "map": {"Arrest": "arrest"}}]}}
    header = ["ID", "Received", "End Point", "Disposition"]
    assert mapped(header, ["1", "2026-03-01", "unable to  LOCATE", "Arrest"], fields).fields["disposition"] == "unable_to_locate"
    assert mapped(header, ["1", "2026-03-01", "", "Arrest"], fields).fields["disposition"] == "arrest"
    assert mapped(header, ["1", "2026-03-01", "", ""], fields).fields["disposition"] is None


# -- times --------------------------------------------------------------------------------------

def test_iso_8601_then_the_formats_naive_times_local_to_the_profile_zone_offsets_kept():
    header = ["ID", "Received", "Dispatched"]
    fields = {"dispatched_at": {"column": "Dispatched"}}
    row = mapped(header, ["1", "03/01/2026 10:00 PM", "2026-03-02T05:30:00+01:00"], fields,
                 datetime_formats=["%m/%d/%Y %I:%M %p"])
    assert row.fields["received_at"] == datetime(2026, 3, 1, 22, tzinfo=CHICAGO)
    assert row.fields["dispatched_at"] == datetime(2026, 3, 2, 5, 30, tzinfo=timezone(timedelta(hours=1)))


def test_iso_8601_is_read_before_the_formats_in_every_form_it_takes():
    header = ["ID", "Received", "Dispatched", "Arrived"]
    fields = {"dispatched_at": {"column": "Dispatched"}, "arrived_at": {"column": "Arrived"}}
    row = mapped(header, ["1", "20260301T1000", "2026-W09-7 10:05", "03/01/2026 10:10"], fields,
                 datetime_formats=["%Y%m%dT%H%M", "%m/%d/%Y %H:%M"])
    assert row.errors == [] and row.warnings == []
    assert [row.fields[name] for name in ("received_at", "dispatched_at", "arrived_at")] == [
        datetime(2026, 3, 1, 10, minute, tzinfo=CHICAGO) for minute in (0, 5, 10)]


def test_a_time_column_with_an_offset_keeps_it_and_one_without_takes_the_profile_zone():
    header = ["ID", "Received", "Clear Date", "Clear Time"]
    fields = {"cleared_at": {"date_column": "Clear Date", "time_column": "Clear Time"}}
    with_offset = mapped(header, ["1", "2026-03-01", "03/01/2026", "23:00+01:00"], fields).fields["cleared_at"]
    assert with_offset == datetime(2026, 3, 1, 23, tzinfo=timezone(timedelta(hours=1)))
    assert with_offset.tzinfo == timezone(timedelta(hours=1))
    assert mapped(header, ["1", "2026-03-01", "03/01/2026", "11:00 PM"], fields).fields["cleared_at"].tzinfo is CHICAGO


def test_a_date_and_a_time_column_combine_and_a_placeholder_date_is_null():
    header = ["ID", "Received", "Clear Date", "Clear Time"]
    fields = {"cleared_at": {"date_column": "Clear Date", "time_column": "Clear Time"}}
    nulls = {"null_values": ["", "1900-01-01T00:00:00"]}
    assert mapped(header, ["1", "2026-03-01", "2026-03-01", "16:33:00"], fields, **nulls).fields["cleared_at"] == \
        datetime(2026, 3, 1, 16, 33, tzinfo=CHICAGO)
    assert mapped(header, ["1", "2026-03-01", "1900-01-01", "00:00:00"], fields, **nulls).fields["cleared_at"] is None


def test_a_date_only_time_lands_at_midnight_with_a_warning():
    row = mapped(["ID", "Received"], ["1", "2026-03-01"])
    assert row.fields["received_at"] == datetime(2026, 3, 1, tzinfo=CHICAGO)
    assert row.warnings == ["received_at: '2026-03-01' has no time of day; taken as 00:00"]


def test_times_out_of_order_reject_the_row_by_default():
    row = mapped(["ID", "Received", "Arrived", "Cleared"], ["1", "2026-03-01 10:00", "2026-03-01 09:00", "2026-03-01 09:30"],
                 {"arrived_at": {"column": "Arrived"}, "cleared_at": {"column": "Cleared"}})
    assert row.errors == ["arrived_at: 2026-03-01T09:00:00-06:00 is earlier than received_at 2026-03-01T10:00:00-06:00",
                          "cleared_at: 2026-03-01T09:30:00-06:00 is earlier than received_at 2026-03-01T10:00:00-06:00"]


def test_times_out_of_order_are_cleared_with_a_warning_when_the_profile_says_clear():
    row = mapped(["ID", "Received", "Arrived", "Cleared"], ["1", "2026-03-01 10:00", "2026-03-01 09:00", "2026-03-01 11:00"],
                 {"arrived_at": {"column": "Arrived"}, "cleared_at": {"column": "Cleared"}}, invalid_times="clear")
    assert row.errors == []
    assert row.fields["arrived_at"] is None and row.fields["cleared_at"] == datetime(2026, 3, 1, 11, tzinfo=CHICAGO)
    assert len(row.warnings) == 1 and row.warnings[0].startswith("arrived_at:")


def test_received_at_is_required():
    row = mapped(["ID", "Received"], ["1", ""])
    assert row.errors == ["received_at: required, and the row has no value for it"]


@pytest.mark.parametrize("fmt", ["%m/%d/%Y %I:%M:%S %p", "%m/%d/%y %H:%M", "%d.%m.%Y", "%Y%m%d %H%M%S.%f", "%b %d %Y %H:%M"])
def test_datetime_formats_read_exactly_as_strptime_reads_them(fmt):
    """profile.strptime compiles a format once; it must accept and refuse what strptime does."""
    from mhu.services.imports.profile import strptime

    texts = ["03/01/2026 12:05:09 AM", "3/1/2026 12:05:09 pm", "03/01/26 13:05", "3/1/26  9:05", "01.03.2026",
             "1.3.2026", "20260301 130509.5", "20260301 130509.123456", "Mar 01 2026 10:00", "mar 1 2026 9:00",
             "02/30/2026 10:00:00 AM", "13/01/2026 01:00:00 PM", "03/01/2026 13:05:09 PM", "03/01/2026", "",
             " 03/01/2026 10:00:00 AM", "03/01/2026 10:00:00 AM x", "31.02.2026", "29.02.2024"]
    for text in texts:
        try:
            expected = datetime.strptime(text, fmt)
        except ValueError:
            expected = ValueError
        try:
            got = strptime(text, fmt)
        except ValueError:
            got = ValueError
        assert got == expected, text
