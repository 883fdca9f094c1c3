"""The one table that turns outside labels for race/ethnicity and sex into MHU codes."""

import pytest

from mhu.services.demographics import race_codes, sex_code


@pytest.mark.parametrize("text, codes", [
    ("B", ["black_or_african_american"]),
    ("Black", ["black_or_african_american"]),
    ("African-American", ["black_or_african_american"]),
    ("H", ["hispanic_or_latino"]),
    ("Hispanic", ["hispanic_or_latino"]),
    ("W/H", ["hispanic_or_latino", "white"]),
    ("White; Asian", ["asian", "white"]),
    ("Native Hawaiian or Other Pacific Islander", ["native_hawaiian_or_other_pacific_islander"]),
    ("MENA", ["middle_eastern_or_north_african"]),
    ("american_indian_or_alaska_native", ["american_indian_or_alaska_native"]),
    ("Unknown", []),
    ("", []),
])
def test_race_labels_map_to_omb_codes(text, codes):
    assert race_codes(text) == codes


def test_an_unknown_race_label_is_reported_not_guessed():
    assert race_codes("Martian") is None
    assert race_codes("White/Martian") is None


@pytest.mark.parametrize("text, code", [("F", "female"), ("Male", "male"), ("X", "another"), ("U", "not_recorded"),
                                        ("not recorded", "not_recorded"), ("robot", None)])
def test_sex_labels_map_to_codes(text, code):
    assert sex_code(text) == code
