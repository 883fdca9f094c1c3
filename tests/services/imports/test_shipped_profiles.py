"""The example profiles shipped in docs/import/ are valid and read their sources."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import Call
from mhu.services import imports
from mhu.services.imports.profile import parse_profile

ROOT = Path(__file__).resolve().parents[3]
SEATTLE = ROOT / "docs" / "import" / "seattle-crisis-data.json"
LA = ZoneInfo("America/Los_Angeles")


def test_every_shipped_profile_parses(app):
    for path in (ROOT / "docs" / "import").glob("*.json"):
        assert parse_profile(json.loads(path.read_text())).name
    assert set(imports.shipped_profiles()) == {"mhu-export", "Seattle Police Crisis Data"}


def test_the_seattle_crisis_data_profile_reads_its_export(unit):
    agency, team, officer = unit
    source = ROOT / "tests" / "fixtures" / "imports" / "seattle-crisis-sample.csv"
    batch = imports.create_batch(actor=officer, agency=agency, team=team,
                                 profile=parse_profile(json.loads(SEATTLE.read_text())), source=source,
                                 filename=source.name)

    imports.run(batch)

    assert batch.counts() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 1, "skipped": 1, "warnings": 1}
    assert batch.errors[-1] == {"row": 6, "errors": ["disposition: no mapping for 'Petition Filed'"]}
    calls = {c.incident_number: c for c in db.session.scalars(sa.select(Call))}
    first, detained, not_found = calls["1001"], calls["1002"], calls["1003"]
    assert first.received_at == datetime(2022, 5, 15, 16, 33, tzinfo=LA)
    assert (first.disposition, first.cit_officer_on_scene, first.risk_flags, first.beat, first.district) == (
        "arrest", True, ["veteran"], "B1", "North")
    assert detained.received_at == datetime(2022, 5, 16, 21, 10, tzinfo=LA)  # placeholder reported date
    assert (detained.disposition, detained.legal_hold_type, detained.force_level, detained.call_source) == (
        "emergency_detention", "ITA", "physical_control", "on_view")
    assert detained.district is None and detained.initial_call_type == "SUICIDE - IP/JO SUICIDAL PERSON AND ATTE"  # cut to 40, warned
    assert not_found.received_at == datetime(2022, 5, 17, 8, 5, tzinfo=LA)
    assert (not_found.disposition, not_found.call_source) == ("unable_to_locate", "non_emergency")
