"""Small-cell suppression: primary hiding of 1-10, complementary hiding so totals reveal nothing."""

from datetime import date, timedelta

from mhu.services.metrics import partner as metrics_partner
from mhu.services.metrics import suppression
from tests.factories import add_call, utc


def recoverable_cells(table: dict) -> list:
    """Hidden cells a reader could work out by subtracting a line's visible cells from its total."""
    keys = table["columns"][1:]
    keys = keys[: keys.index("total") + 1]
    grid = [[row[key] for key in keys] for row in table["rows"]]
    found = []
    for r, row in enumerate(grid):
        if row.count(None) == 1:
            found.append(("row", r))
    for c in range(len(keys)):
        column = [row[c] for row in grid]
        if column.count(None) == 1:
            found.append(("column", c))
    return found


def test_counts_one_to_ten_are_hidden_and_zero_and_eleven_shown():
    table = suppression.suppressed_table(
        row_keys=["2026-01"], column_keys=["A", "B", "C", "D"],
        counts={("2026-01", "A"): 0, ("2026-01", "B"): 1, ("2026-01", "C"): 10, ("2026-01", "D"): 11},
        threshold=11,
    )

    first = table["rows"][0]
    assert first["A"] == 0 and first["B"] is None and first["C"] is None and first["D"] == 11


def test_single_hidden_cell_in_a_row_hides_the_next_smallest_too():
    table = suppression.suppressed_table(
        row_keys=["2026-01", "2026-02"], column_keys=["North", "South", "East"],
        counts={("2026-01", "North"): 5, ("2026-01", "South"): 40, ("2026-01", "East"): 30,
                ("2026-02", "North"): 20, ("2026-02", "South"): 25, ("2026-02", "East"): 50},
        threshold=11,
    )

    january, february, total = table["rows"]
    # North=5 is hidden; the January total (75) would reveal it, so East (30, the smaller) goes too.
    assert january["North"] is None and january["East"] is None and january["South"] == 40
    # The North and East columns now have one hidden cell each; February's smallest there go too.
    assert february["North"] is None and february["East"] is None
    assert total["total"] == 170
    assert recoverable_cells(table) == []


def test_no_hidden_cell_is_recoverable_from_totals_in_a_larger_table():
    counts = {}
    values = [[3, 50, 12, 0], [25, 7, 40, 19], [60, 33, 2, 15], [14, 18, 22, 9]]
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    districts = ["N", "S", "E", "W"]
    for r, month in enumerate(months):
        for c, district in enumerate(districts):
            counts[(month, district)] = values[r][c]

    table = suppression.suppressed_table(row_keys=months, column_keys=districts, counts=counts, threshold=11)

    assert recoverable_cells(table) == []
    shown = [row[d] for row in table["rows"][:-1] for d in districts if row[d] is not None]
    assert all(value == 0 or value >= 11 for value in shown)


def test_rate_is_hidden_when_numerator_or_denominator_is_hidden():
    assert suppression.suppressed_rate(None, 50) is None
    assert suppression.suppressed_rate(20, None) is None
    assert suppression.suppressed_rate(0, 0) is None
    assert suppression.suppressed_rate(20, 50) == 0.4


def test_csv_marks_hidden_cells_and_keeps_columns():
    table = suppression.suppressed_table(
        row_keys=["2026-01"], column_keys=["A", "B"], counts={("2026-01", "A"): 3, ("2026-01", "B"): 30},
        threshold=11,
    )

    lines = suppression.table_csv(table).splitlines()

    assert lines[0] == "month,A,B,total"
    assert lines[1] == "2026-01,suppressed,suppressed,33"


def test_partner_calls_table_suppresses_a_district_whose_total_would_reveal_it(unit):
    agency, _, officer = unit
    agency.districts = [{"name": "North", "beats": []}, {"name": "South", "beats": []}]
    partner = unit_partner(agency)
    for i in range(12):
        add_call(officer, utc(2026, 3, 2, 15) + timedelta(hours=i), district="North")
    for i in range(3):
        add_call(officer, utc(2026, 3, 3, 15) + timedelta(hours=i), district="South")
    for i in range(20):
        add_call(officer, utc(2026, 4, 3, 15) + timedelta(hours=i), district="North")

    table = metrics_partner.calls_by_district(actor=partner, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))

    march, = table["rows"]
    assert march["period"] == "2026-03"
    assert march["South"] is None  # 3 calls
    assert march["North"] is None  # complementary: March total 15 minus North would give South
    shown = [row[key] for row in table["rows"] for key in ("North", "South", "total") if row[key] is not None]
    assert all(value == 0 or value >= 11 for value in shown)


def test_partner_outcome_rates_hidden_with_their_parts(unit):
    agency, _, officer = unit
    partner = unit_partner(agency)
    for i in range(30):
        add_call(officer, utc(2026, 3, 2, 15) + timedelta(minutes=i), disposition="resolved_on_scene")
    for i in range(4):
        add_call(officer, utc(2026, 3, 2, 18) + timedelta(minutes=i), disposition="arrest")

    table = metrics_partner.outcomes(actor=partner, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))

    march = table["rows"][0]
    assert march["calls_arrest_or_citation"] is None
    assert march["jail_diversion_rate"] is None
    assert "narrative" not in table["columns"] and "person_id" not in table["columns"]


def unit_partner(agency):
    from tests.factories import Factory

    return Factory().user("partner", agency)
