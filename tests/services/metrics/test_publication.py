"""The publication grid against an attacker: fetch every published table of a year, then solve for
the hidden cells by elimination over every sum the tables imply and by interval bounds from
non-negativity. Nothing hidden may be recovered; with per-table suppression alone, much is."""

import random
from datetime import timedelta
from fractions import Fraction

from mhu.extensions import db
from mhu.services.metrics import publication
from tests.factories import add_call, utc

DISTRICTS = ["North", "South", "East", "Harbor"]
SMALL = [0, 1, 2, 3, 5, 12]


def _reduced(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """Reduced row echelon form of an augmented matrix (last column: the constants)."""
    rows = [list(row) for row in matrix]
    rank = 0
    for c in range(len(rows[0]) - 1 if rows else 0):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][c]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        rows[rank] = [v / rows[rank][c] for v in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][c]:
                factor = rows[r][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank])]
        rank += 1
    return rows[:rank]


def attack(published: dict, categories: list[str], relations: list | None = None) -> dict:
    """Hidden cells the attacker pins down: {cell: value}. Written apart from the service's own
    audit: a cell is determined when the reduced sums over the hidden cells name it alone; then
    bounds 0 <= x are propagated through every sum."""
    hidden = sorted(cell for cell, value in published.items() if value is None)
    index = {cell: i for i, cell in enumerate(hidden)}
    equations = []
    for total, *parts in (relations if relations is not None else publication.equations(categories)):
        row, constant = [Fraction(0)] * len(hidden), Fraction(0)
        for cell, sign in [(total, -1), *((part, 1) for part in parts)]:
            if published[cell] is None:
                row[index[cell]] += sign
            else:
                constant -= sign * published[cell]
        if any(row):
            equations.append((row, constant))
    found = {}
    if equations:
        # A cell is determined exactly when its row of the reduced system names it alone.
        for row in _reduced([row + [constant] for row, constant in equations]):
            named = [j for j, value in enumerate(row[:-1]) if value]
            if len(named) == 1:
                found[hidden[named[0]]] = row[-1]
    low = {cell: found.get(cell, 0) for cell in hidden}
    high = {cell: found.get(cell, float("inf")) for cell in hidden}
    changed = True
    while changed:
        changed = False
        for row, constant in equations:
            members = [(hidden[j], a) for j, a in enumerate(row) if a]
            for cell, a in members:
                others = [(o, b) for o, b in members if o != cell]
                lo = constant - sum(b * (high[o] if b > 0 else low[o]) for o, b in others)
                hi = constant - sum(b * (low[o] if b > 0 else high[o]) for o, b in others)
                lo, hi = sorted((lo / a, hi / a))
                if lo > low[cell]:
                    low[cell], changed = lo, True
                if hi < high[cell]:
                    high[cell], changed = hi, True
    found.update({cell: low[cell] for cell in hidden if low[cell] == high[cell]})
    return found


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
