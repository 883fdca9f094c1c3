"""The publication grid against an attacker: fetch every published table of a year, then solve for
the hidden cells by elimination over every sum the tables imply and by interval bounds from
non-negativity. Nothing hidden may be recovered; with per-table suppression alone, much is."""

import random
from datetime import timedelta

from mhu.extensions import db
from mhu.services.metrics import publication
from tests.factories import add_call, utc
from tests.support.attacker import attack

DISTRICTS = ["North", "South", "East", "Harbor"]
SMALL = [0, 1, 2, 3, 5, 12]


def _cells(table: dict, year: int) -> dict:
    """The grid cells a published table shows, keyed like publication's cells."""
    cells = {}
    for row in table["rows"]:
        label = row["period"]
        period = publication.YEAR if label == str(year) else (label[5:] if "Q" in label else f"M{label[5:]}")
        for column in table["columns"][1:]:
            cells[(period, column)] = row[column]
    return cells


def test_the_attacker_recovers_nothing_from_every_published_table_of_a_year(make, api):
    agency, team, people = make.unit()
    agency.districts = [{"name": name, "beats": []} for name in DISTRICTS]
    db.session.commit()
    chance = random.Random(2026)
    for month in range(1, 13):
        for district in [*DISTRICTS, "Unlisted free text"]:
            for i in range(chance.choice(SMALL)):
                add_call(people["officer"], utc(2026, month, 3, 12) + timedelta(minutes=7 * i), district=district)
    client = api(people["partner"])
    periods = ([f"from=2026-{m:02d}-01&to=2026-{m:02d}-{[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]}"
                for m in range(1, 13)]
               + [f"from=2026-{3 * q - 2:02d}-01&to=2026-{3 * q:02d}-{[31, 30, 30, 31][q - 1]}" for q in range(1, 5)]
               + ["from=2026-01-01&to=2026-12-31"])

    published = {}
    for period in periods:
        table = client.get(f"/api/v1/partner/metrics/calls_by_district?{period}").json
        for cell, value in _cells(table, 2026).items():
            assert published.setdefault(cell, value) == value  # every answer shows a cell the same way
    categories = [*DISTRICTS, "other"]
    recovered = attack(published, categories)
    hidden = sum(value is None for value in published.values())

    print(f"\n{hidden} hidden cells of {len(published)}; attacker recovered {len(recovered)}")
    assert "Unlisted free text" not in str(published)
    assert len(published) == len(publication.PERIODS) * (len(categories) + 1)
    assert hidden > 0 and recovered == {}


def test_per_table_suppression_alone_lets_the_attacker_recover_cells():
    # Positive control for the attacker: primary suppression only (what each table hid by itself).
    chance = random.Random(7)
    categories = ["North", "South", "East"]
    monthly = {(m, c): chance.choice(SMALL) for m in publication.MONTHS for c in categories}
    values = publication.build(monthly, categories)
    primary = {cell: (None if 0 < value < 11 else value) for cell, value in values.items()}
    recovered = attack(primary, categories)
    assert recovered and all(values[cell] == value for cell, value in recovered.items())
    suppressed = publication.grid(monthly, categories, threshold=11)
    assert attack(suppressed.published(), categories) == {}
