"""Demographics for equity reporting: a person's race/ethnicity and sex, and the one table that
turns the labels other systems write ("B", "Black", "African American") into MHU codes.

Every field is optional: nothing here is ever required to save a person or a call.
"""

from __future__ import annotations

import re

from mhu import enums
from mhu.models import Person, PersonRace

# Labels seen in CAD/RMS exports and spreadsheets, normalised (lower case, non-letters as one
# space), per code. One place: the import mapping and any other reader of outside labels use it.
RACE_LABELS = {
    "american_indian_or_alaska_native": ("i", "ai", "aian", "american indian", "alaska native", "native american",
                                         "american indian or alaska native", "american indian alaska native",
                                         "american indian alaskan native"),
    "asian": ("a", "asian", "asian american"),
    "black_or_african_american": ("b", "black", "african american", "black or african american",
                                  "black african american"),
    "hispanic_or_latino": ("h", "hispanic", "latino", "latina", "latinx", "latine", "hispanic or latino",
                           "hispanic latino"),
    "middle_eastern_or_north_african": ("m", "mena", "middle eastern", "north african", "arab",
                                        "middle eastern or north african", "middle eastern north african"),
    "native_hawaiian_or_other_pacific_islander": ("p", "nhpi", "pi", "native hawaiian", "pacific islander",
                                                  "native hawaiian or other pacific islander",
                                                  "native hawaiian other pacific islander"),
    "white": ("w", "white", "caucasian"),
}
SEX_LABELS = {
    "female": ("f", "female", "woman"),
    "male": ("m", "male", "man"),
    "another": ("x", "another", "other", "intersex"),
    "not_recorded": ("u", "unknown", "not recorded", "not stated", "declined", "refused", "n a", "na"),
}
# Cells that list several categories ("W/H", "Black; White") are split on these.
RACE_SEPARATORS = re.compile(r"\s*(?:[;,/|+&]|\band\b)\s*")
_NON_LETTERS = re.compile(r"[^a-z]+")


def normal_label(text: str) -> str:
    """Lower case, every run of non-letters one space: "African-American " -> "african american"."""
    return _NON_LETTERS.sub(" ", str(text).casefold()).strip()


_RACE_LOOKUP = {normal_label(code): code for code in enums.RACE_ETHNICITY} | {
    normal_label(label): code for code, labels in RACE_LABELS.items() for label in labels}
_SEX_LOOKUP = {normal_label(code): code for code in enums.SEXES} | {
    normal_label(label): code for code, labels in SEX_LABELS.items() for label in labels}


def race_codes(text: str) -> list[str] | None:
    """The OMB codes a cell names, in code order; [] for an empty or "unknown" cell; None when any
    part is not a label we know (the caller reports it)."""
    parts = [normal_label(part) for part in RACE_SEPARATORS.split(str(text))]
    parts = [part for part in parts if part and _SEX_LOOKUP.get(part) != "not_recorded"]
    codes = [_RACE_LOOKUP.get(part) for part in parts]
    if any(code is None for code in codes):
        return None
    return [code for code in enums.RACE_ETHNICITY if code in codes]


def sex_code(text: str) -> str | None:
    """The sex code a cell names; None for a label we do not know."""
    return _SEX_LOOKUP.get(normal_label(text))


def set_race(person: Person, categories) -> None:
    """Replace the person's race/ethnicity categories (duplicates dropped; [] = not recorded)."""
    wanted = set(categories)
    person.race_rows = [row for row in person.race_rows if row.category in wanted] + [
        PersonRace(category=code) for code in enums.RACE_ETHNICITY
        if code in wanted and code not in person.race_ethnicity]
