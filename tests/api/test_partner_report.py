"""The partner report: built from the publication grid only, it prints no count from 1 to
threshold - 1 and no number that lets one be worked out (the trust work's attacker over every number
of the HTML and the PDF: the outcome grid alone, and the district, SIM intercept and demographic
tables together, as they share their totals), carries the partner API's numbers, prints the
approved stories only, and is refused to the wrong roles."""

import io
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from mhu import enums
from mhu.extensions import db
from mhu.models import AuditEvent
from mhu.reports import partner as drawing
from mhu.services import persons as person_service
from mhu.services import stories
from mhu.services.metrics import demographics, publication
from mhu.services.reports import parse_period
from mhu.services.reports.partner import GROUP_KEYS, partner_report
from tests.factories import add_call, utc
from tests.support.attacker import attack

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DISTRICTS = ["North", "South", "Harbor"]
DISPOSITIONS = ["resolved_on_scene", "voluntary_transport_ed", "emergency_detention", "arrest", "unable_to_locate",
                "no_action_possible", "resolved_with_referral"]
# Numbers that are not counts: dates, times, period names, page numbers, the "<11" label, percentages,
# "13 months", the constant of "1 − x" in definitions; column titles: the SIM intercepts' numbers
# ("1 · Law enforcement") and the age bands ("18–24", "Under 18", "65 and over").
NOT_COUNTS = [r"\d{4}-\d{2}-\d{2}", r"\d{4}-Q[1-4]", r"\d{4}-\d{2}", r"\bQ[1-4]\b", r"\d{2}:\d{2}",
              r"Page \d+ of \d+", r"<\d+", r"\d+(?:\.\d+)? ?%", r"\d+\.\d+ pp", r"\b13 months", r"\b1 −",
              r"\b(?:19|20)\d{2}\b", r"\b[0-5] · ", r"\b\d{2} ?[–-] ?\d{2}\b", r"Under 18\b", r"\b65 and over"]
# The tables that share the district table's per-period total and are suppressed with it.
JOINED = ("sim_intercept", *demographics.DEMOGRAPHIC_DIMENSIONS)
STORIES = ["A woman in crisis at a bus shelter accepted a ride to the crisis centre and a peer visit the next day.",
           "A veteran sleeping in a park agreed to a clinic appointment; the team drove him there."]
DRAFT = "A teenager in crisis at school was calmed and went home with a parent."


@pytest.fixture
def grid_agency(make):
    """Calls from March 2025 to December 2026 in many small cells, over configured districts and free text."""
    agency, _, people = make.unit()
    agency.districts = [{"name": name, "beats": []} for name in DISTRICTS]
    db.session.commit()
    chance = random.Random(14)
    persons = [person_service.create_person(actor=people["officer"], data={
        "first_name": f"P{i}", "last_name": "Grid", "sex": chance.choice(enums.SEXES),
        "race_ethnicity": chance.choice([[], ["white"], ["black_or_african_american"], ["asian", "white"]]),
        "date_of_birth": chance.choice([None, date(1990, 6, 1), date(1960, 1, 1), date(2010, 2, 2)])})
        for i in range(12)]
    for year, month in [(2025, m) for m in range(3, 13)] + [(2026, m) for m in range(1, 13)]:
        for district in [*DISTRICTS, "Unlisted"]:
            for i in range(chance.choice([0, 1, 2, 4, 12])):
                person = chance.choice([*persons, None])
                add_call(people["officer"], utc(year, month, 3, 12) + timedelta(minutes=7 * i),
                         district=district, disposition=chance.choice(DISPOSITIONS),
                         sim_intercept=chance.choice([0, 1, 1, 2, 3]), person_id=person.id if person else None)
    for day, text in zip((5, 6), STORIES):
        call = add_call(people["officer"], utc(2026, 3, day, 15), district="North")
        stories.save_draft(actor=people["officer"], call=call, summary=text)
        stories.approve(actor=people["supervisor"], call=call)
    stories.save_draft(actor=people["officer"], call=add_call(people["officer"], utc(2026, 3, 7, 15)), summary=DRAFT)
    return agency, people


class CellReader(HTMLParser):
    """The report's count cells (td[data-cell]) and its text without charts."""

    def __init__(self):
        super().__init__()
        self.cells, self.text, self._cell, self._svg = {}, [], None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._svg += tag == "svg"
        if tag == "td" and "data-cell" in attrs:
            self._cell = attrs["data-cell"]

    def handle_endtag(self, tag):
        self._svg -= tag == "svg"
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._svg:
            return
        self.text.append(data)
        if self._cell and data.strip():
            value = data.strip()
            self.cells[self._cell] = None if value.startswith("<") else int(value.replace(",", ""))


def grid_cell(label: str) -> tuple[int, str]:
    """2026-03 -> (2026, M03), 2026-Q1 -> (2026, Q1), 2026 -> (2026, Y)."""
    if len(label) == 4:
        return int(label), publication.YEAR
    year, rest = label.split("-")
    return int(year), (rest if rest.startswith("Q") else f"M{rest}")


def published_grids(cells: dict) -> dict:
    """{(year, table): {grid cell: value or None}} of the district and outcome tables; cells the
    report does not print are unknown (None)."""
    categories = {"districts": [*DISTRICTS, "other"], "outcomes": list(GROUP_KEYS)}
    grids = {}
    for key, value in cells.items():
        label, table, column = key.split("|")
        if table not in categories:
            continue
        year, period = grid_cell(label)
        grid = grids.setdefault((year, table), {
            (p, c): None for p in publication.PERIODS for c in [*categories[table], publication.TOTAL]})
        assert grid.get((period, column), "same") in (None, value)  # a cell printed twice reads the same
        grid[(period, column)] = value
    return {key: (grid, categories[key[1]]) for key, grid in grids.items()}


def year_grid(client, year: int, table: str) -> dict:
    """Every cell of a year's grid as the partner API publishes it (None: suppressed)."""
    name = "calls_by_district" if table == "districts" else "outcomes"
    body = client.get(f"/api/v1/partner/metrics/{name}?from={year}-01-01&to={year}-12-31").json
    columns = [*DISTRICTS, "other", publication.TOTAL] if table == "districts" else [*GROUP_KEYS, publication.TOTAL]
    return {(grid_cell(row["period"])[1], column): row[column] for row in body["rows"] for column in columns}


def joined_cells(cells: dict) -> tuple[dict, list]:
    """The district, intercept and demographic tables as one set of cells per year, keyed
    (year, period, "table:column") with the shared per-period total as "total", every cell the
    report does not print unknown (None); and every sum between them (test_demographics_partner).
    A table of which the report prints nothing in a year is left out for that year: all unknown, its
    sums add an unknown per equation and pin nothing down (and would slow the attacker)."""
    categories = {"district": [*DISTRICTS, "other"], **{name: list(demographics.PARTNER_DIMENSIONS[name])
                                                       for name in JOINED}}
    printed = {(grid_cell(key.split("|")[0])[0], "district" if key.split("|")[1] == "districts" else key.split("|")[1])
               for key in cells}
    tables = {(year, name) for year, name in printed if name in categories}
    joined = {(year, p, c if c == publication.TOTAL else f"{name}:{c}"): None for year, name in tables
              for p in publication.PERIODS for c in [*categories[name], publication.TOTAL]}
    for key, value in cells.items():
        label, table, column = key.split("|")
        name = "district" if table == "districts" else table
        if name not in categories:
            continue
        year, period = grid_cell(label)
        cell = (year, period, column if column == publication.TOTAL else f"{name}:{column}")
        assert joined[cell] in (None, value), cell  # a total printed by several tables reads the same
        joined[cell] = value
    relations = [[(year, p, c if c == publication.TOTAL else f"{name}:{c}") for p, c in relation]
                 for year, name in tables for relation in publication.equations(categories[name])]
    return joined, relations


def joined_year(client, year: int) -> dict:
    """Every cell of a year's district, intercept and demographic tables as the partner API publishes them."""
    cells = {(year, period, column if column == publication.TOTAL else f"district:{column}"): value
             for (period, column), value in year_grid(client, year, "districts").items()}
    body = client.get(f"/api/v1/partner/metrics/demographics?from={year}-01-01&to={year}-12-31").json
    for name in JOINED:
        for row in body["tables"][name]["rows"]:
            for column in body["tables"][name]["columns"][1:]:
                cell = (year, grid_cell(row["period"])[1], column if column == publication.TOTAL else f"{name}:{column}")
                assert cells.setdefault(cell, row[column]) == row[column], cell
    return cells


PAIR = re.compile(r"(\d[\d,]*) (?:/|of) (\d[\d,]*)")


def counts_in(text: str, agency_name: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Every integer of the text that is not a date, time, period, page number, label or percentage:
    the rates' "numerator / denominator" (or "of") pairs, and the other numbers."""
    text = " ".join(text.replace(agency_name, " ").split())
    for pattern in NOT_COUNTS:
        text = re.sub(pattern, " ", text)
    pairs = [(int(a.replace(",", "")), int(b.replace(",", ""))) for a, b in PAIR.findall(text)]
    text = PAIR.sub(" ", text)
    return [int(token.replace(",", "")) for token in re.findall(r"\d[\d,]*", text)], pairs


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_no_number_of_the_report_reveals_a_small_count(api, grid_agency):
    agency, people = grid_agency
    for period in ("2026-03", "2026"):
        check_report(api(people["partner"]), agency, period)


def check_report(client, agency, period):
    html = client.get(f"/api/v1/reports/partner?period={period}&format=html").get_data(as_text=True)
    pdf = client.get(f"/api/v1/reports/partner?period={period}&format=pdf").data

    reader = CellReader()
    reader.feed(html)
    printed = {value for value in reader.cells.values() if value is not None}
    hidden = [key for key, value in reader.cells.items() if value is None]
    assert hidden and printed  # the data has small cells, and they show as "<11"
    for (year, table), (grid, categories) in published_grids(reader.cells).items():
        # What the attacker pins down from the report alone may only be cells the grid publishes anyway
        # (a quarter from its three printed months), never a suppressed one.
        whole = year_grid(client, year, table)
        recovered = attack(grid, categories)
        assert all(whole[cell] is not None and whole[cell] == value for cell, value in recovered.items()), \
            (year, table, {cell: value for cell, value in recovered.items() if whole[cell] is None})
    # The district, intercept and demographic tables together: what the attacker pins down are only
    # cells the partner API publishes anyway (a quarter's total from its three printed months, for the
    # trend and the comparisons), never a suppressed one; over the year's report, nothing at all.
    joined, relations = joined_cells(reader.cells)
    recovered = attack(joined, [], relations)
    whole = {}
    for year in {year for year, _, _ in recovered}:  # the district grid alone is cheaper to fetch, when it is enough
        whole.update({(year, p, c if c == publication.TOTAL else f"district:{c}"): value
                      for (p, c), value in year_grid(client, year, "districts").items()})
        if any(cell not in whole for cell in recovered if cell[0] == year):
            whole.update(joined_year(client, year))
    assert not [cell for cell, value in recovered.items() if whole[cell] != value], period
    assert period != "2026" or not [cell for cell in recovered if cell[0] == 2026]
    for name in JOINED:
        assert any(key.split("|")[1] == name and value is None for key, value in reader.cells.items()), name
    assert all(story in html for story in STORIES) and DRAFT not in html
    for text, source in ((" ".join(reader.text), "html"), (pdf_text(pdf), "pdf")):
        numbers, pairs = counts_in(text, agency.name)
        assert numbers and (pairs or period != "2026"), source
        small = [n for n in [*numbers, *(n for pair in pairs for n in pair)] if 0 < n < 11]
        assert not small, (source, small)
        assert {d for _, d in pairs} <= printed, source  # rates over printed denominators
        assert set(numbers) <= printed | {0, 11, 25, 50, 75, 100}, (source, set(numbers) - printed)  # axis ticks
    assert "Unlisted" not in html


def test_counting_catches_a_small_number():
    # Positive control for counts_in: a small count in a table row is seen; dates and labels are not.
    text = "Agency 7 2026-03 12 <11 7 45.5 % (5 of 11) Page 1 of 3 2026-12-03 17:05 UTC 13 / 20"
    assert counts_in(text, "Agency 7") == ([12, 7], [(5, 11), (13, 20)])


def test_pdf_carries_the_numbers_of_the_partner_api(api, grid_agency):
    agency, people = grid_agency
    client = api(people["partner"])
    query = "from=2026-01-01&to=2026-03-31"
    districts = client.get(f"/api/v1/partner/metrics/calls_by_district?{query}").json
    outcomes = client.get(f"/api/v1/partner/metrics/outcomes?{query}").json
    joined = client.get(f"/api/v1/partner/metrics/demographics?{query}").json["tables"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "partner-report-pdf-first-page.png"

    body = drawing.render_pdf(partner_report(agency_id=agency.id, period=parse_period("2026-Q1")),
                              screenshot=str(shot))

    text = " ".join(pdf_text(body).split())

    def cell(value):
        return "<11" if value is None else f"{value:,}"

    for row in districts["rows"]:
        assert " ".join([row["period"], *(cell(row[c]) for c in districts["columns"][1:])]) in text, row
    for row in outcomes["rows"]:
        counts = [cell(row[c]) for c in [*GROUP_KEYS, "total"]]
        rates = [("suppressed" if row[k] is None else f"{100 * row[k]:.1f} %")
                 for k in ("jail_diversion_rate", "resolved_in_community", "ed_use")]
        assert " ".join([row["period"], *counts, *rates]) in text, row
    for name in JOINED:  # the intercept and demographic tables
        for row in joined[name]["rows"]:
            assert " ".join([row["period"], *(cell(row[c]) for c in joined[name]["columns"][1:])]) in text, (name, row)
    assert "Sequential Intercept Model" in text and "Who the unit served" in text and STORIES[0][:40] in text
    assert "Page 1 of" in text and agency.name in text and "Q1 2026" in text and "Generated" in text
    assert "Counts above zero and below 11 are hidden" in text
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("role", ["partner", "supervisor"])
def test_partners_and_supervisors_get_the_partner_report(api, make, role):
    _, _, people = make.unit()

    response = api(people[role]).get("/api/v1/reports/partner?period=2026-03", headers={"Accept": "application/pdf"})

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "reports.partner.read")).all()
    assert actions == ["reports.partner.read"]


@pytest.mark.parametrize("role", ["officer", "clinician", "admin"])
def test_other_roles_are_refused_the_partner_report(api, make, role):
    _, _, people = make.unit()

    assert api(people[role]).get("/api/v1/reports/partner?period=2026-03").status_code == 403


def test_partners_are_refused_the_command_report(api, make):
    _, _, people = make.unit()

    assert api(people["partner"]).get("/api/v1/reports/command?period=2026-03&format=html").status_code == 403
    assert api(people["partner"]).get("/api/v1/reports/jmhcp?fiscal_year=2026&quarter=1").status_code == 403


def test_letter_paper_and_html_with_the_threshold_of_the_agency(api, make):
    agency, _, people = make.unit()
    agency.suppression_threshold = 5
    for i in range(3):
        add_call(people["officer"], utc(2026, 3, 2, 15) + timedelta(hours=i))
    client = api(people["partner"])

    pdf = client.get("/api/v1/reports/partner?period=2026-03&format=pdf&paper=letter")
    html = client.get("/api/v1/reports/partner?period=2026-03&format=html").get_data(as_text=True)

    first = PdfReader(io.BytesIO(pdf.data)).pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (612, 792)
    assert 'data-cell="2026-03|districts|total" title="Suppressed: Counts above zero and below 5' in html
    assert "&lt;5</td>" in html and "&lt;11" not in html
    assert "Fewer than 5 crisis calls in March 2026" in html
    assert '<td class="num">–</td>' in html  # March 2025 had no located calls: no rate, not "suppressed"


@pytest.mark.parametrize("query, message", [("period=2026-13", "Month 13"), ("period=soon", "a quarter (2026-Q3)"),
                                            ("period=2026-03&format=xls", "format"), ("", "period")])
def test_bad_queries_are_422_with_the_field_named(api, make, query, message):
    _, _, people = make.unit()

    response = api(people["partner"]).get(f"/api/v1/reports/partner?{query}")

    assert response.status_code == 422 and message in str(response.json)
