"""The precomputed metric facts stay equal to a rebuild from the records, whatever the write path,
and the metrics read from them equal the same metrics computed straight from the calls."""

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from mhu.extensions import db
from mhu.models import (
    Agency, Call, CallFact, EvaluationDay, EvaluationGapDay, FollowUp, FollowUpFact, MetricDay, MetricDimDay, MetricStaleDay, MetricTeamDay, MetricTotalDay, Team,
)
from mhu.models.metric import COUNT_COLUMNS, EVALUATION_MEASURES, FILTER_KEYS
from mhu.services import agency_settings, evaluation, metrics
from mhu.services.evaluation.rollup import Keys
from mhu.services.metrics import facts as metric_facts
from mhu.services.demo import generate_demo
from mhu.services.metrics.sql import call_conditions, count_if, day_sums, seconds_between
from tests.factories import at, call_payload, token_for
from tests.support.live import run_together


def snapshot():
    """Every fact row, the day sums added up per day and slice (how rows are split may differ),
    and the dimension rollups, as a reader of the day sums sees them (marked days summed first)."""
    for agency_id in db.session.scalars(sa.select(Agency.id)):
        metric_facts.bring_days_up_to_date(agency_id)
    facts = db.session.execute(sa.select(*CallFact.__table__.columns)).all()
    keys = [MetricDay.agency_id, MetricDay.local_date, *(getattr(MetricDay, key) for key in FILTER_KEYS)]
    days = db.session.execute(
        sa.select(*keys, *(sa.func.sum(getattr(MetricDay, name)) for name in COUNT_COLUMNS)).group_by(*keys)
    ).all()
    totals = db.session.execute(sa.select(*MetricTotalDay.__table__.columns)).all()
    totals += db.session.execute(sa.select(*MetricTeamDay.__table__.columns)).all()
    dimensions = db.session.execute(sa.select(*MetricDimDay.__table__.columns)).all()
    followups = db.session.execute(sa.select(*FollowUpFact.__table__.columns)).all()
    evaluation_keys = [EvaluationDay.agency_id, EvaluationDay.local_date, *(getattr(EvaluationDay, key) for key in Keys._fields)]
    evaluation = db.session.execute(
        sa.select(*evaluation_keys, *(sa.func.sum(getattr(EvaluationDay, name)) for name in EVALUATION_MEASURES))
        .group_by(*evaluation_keys)).all()
    cells = [EvaluationGapDay.agency_id, EvaluationGapDay.local_date, EvaluationGapDay.local_weekday,
             EvaluationGapDay.local_hour, EvaluationGapDay.district]
    evaluation += db.session.execute(sa.select(*cells, sa.func.sum(EvaluationGapDay.calls)).group_by(*cells)).all()
    return [sorted(map(tuple, rows), key=repr) for rows in (facts, days, totals, dimensions, followups, evaluation)]


def rebuilt():
    metric_facts.rebuild()
    db.session.flush()
    return snapshot()


def _person(client, first, last):
    response = client.post("/api/v1/persons", json={"first_name": first, "last_name": last, "date_of_birth": "1980-01-02"})
    assert response.status_code == 201, response.json
    return response.json["id"]


def _call(client, **fields):
    # No referral disposition by default: the referral counted below is added by the test.
    response = client.post("/api/v1/calls", json=call_payload(**{"disposition": "resolved_on_scene", **fields}))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _on(days, **fields):
    """A call's times on day `days` (from the fixed reference time), with other fields."""
    times = {name: at(days=days, minutes=minutes).isoformat()
             for name, minutes in (("received_at", 0), ("dispatched_at", 2), ("arrived_at", 11), ("cleared_at", 55))}
    return {**times, **fields}


def test_every_write_path_leaves_the_facts_equal_to_a_rebuild(make, api):
    _, _, people = make.unit()
    # Eligibility rules, so the evaluation day sums have scope, hours and reasons to keep.
    agency_settings.update_settings(actor=people["admin"], changes={"eligibility": {
        "natures": ["mh_crisis"], "call_types": [], "exclude_risk_flags": ["weapon_gun"],
        "service_hours": {str(day): [[8, 20]] for day in range(5)}}})
    officer, clinician, supervisor = api(people["officer"]), api(people["clinician"]), api(people["supervisor"])
    ana, ben = _person(officer, "Ana", "Reyes"), _person(officer, "Ben", "Okafor")
    # CAD history the unit did not attend: Ana's patrol call 10 days in, a repeat contact of her
    # first call; moving her second call 50 days back makes the first call a repeat in turn.
    _call(officer, **_on(10, person_id=ana, responder_type="patrol_only", not_taken_reason="no_unit_available"))
    flagged = _call(officer, **_on(12, risk_flags=["weapon_gun"], followup_required=False))
    assert officer.patch(f"/api/v1/calls/{flagged}", headers={"If-Match": '"1"'},
                         json={"risk_flags": []}).status_code == 200
    first = _call(officer, person_id=ana)
    second = _call(officer, **_on(20, person_id=ana, dispatched_at=None))
    _call(officer, **_on(25, person_id=ana, disposition="unable_to_locate", followup_required=False))
    voided = _call(officer, **_on(40, person_id=ben))
    _call(officer, **_on(41, followup_required=False))
    officer.post(f"/api/v1/calls/{second}/referrals", json={"referral_type": "sud_treatment"})
    moved = officer.patch(f"/api/v1/calls/{second}", headers={"If-Match": '"1"'},
                          json=_on(-30, disposition="arrest", district="South"))
    assert moved.status_code == 200, moved.json
    followup = clinician.get(f"/api/v1/calls/{first}/followups").json[0]
    clinician.post(f"/api/v1/followups/{followup['id']}/attempts",
                   json={"attempted_at": at(hours=20).isoformat(), "method": "phone", "reached": True,
                         "outcome": "reached_engaged"})
    # Written now, long after the call: a late note, counted on the call's day.
    note = clinician.post(f"/api/v1/calls/{first}/notes", json={"body": "Reached by phone; engaged."})
    assert note.status_code == 201, note.json
    assert officer.delete(f"/api/v1/calls/{voided}", json={"reason": "Entered twice"}).status_code == 200
    merge = supervisor.post(f"/api/v1/persons/{ana}/merge", json={"merge_id": ben})
    assert merge.status_code == 201, merge.json
    db.session.commit()
    merged = snapshot()
    assert merged == rebuilt()
    supervisor.post(f"/api/v1/persons/merges/{merge.json['id']}/undo")
    db.session.commit()

    incremental = snapshot()

    assert incremental == rebuilt()
    facts, days, _, dimensions, followups, evaluation_sums = incremental
    assert len(facts) == 5  # the voided call left the facts, the patrol call never entered them
    everything = metrics.MetricFilters(agency_id=people["admin"].agency_id, date_from=at(days=-60).date(),
                                       date_to=at(days=60).date())
    assert evaluation.funnel(filters=everything)["calls"] == 6 and evaluation_sums
    counts = {name: sum(row[2 + len(FILTER_KEYS) + i] for row in days) for i, name in enumerate(COUNT_COLUMNS)}
    assert counts["calls"] == 5 and counts["located"] == 4
    assert counts["arrest_rate"] == 1 and counts["connection_to_services"] == 1  # the edited, referred call
    assert counts["followups_due"] == 2 and counts["followups_on_time"] == 1  # of the first and second call
    assert counts["followups_due_attempted"] == 1 and counts["followups_due_closed"] == 1
    counted = {}  # (dimension, key) -> calls; rows are (agency, dimension, day, team, key, calls)
    for _, dimension, _, _, key, calls in dimensions:
        counted[dimension, key] = counted.get((dimension, key), 0) + calls
    flow = {key.split("|", 1)[1]: calls for (dimension, key), calls in counted.items() if dimension == "flow"}
    assert flow["resolved_on_scene|reached_engaged"] == 1  # the first call, its follow-up closed
    assert counted["quality:late_notes", ""] == 1
    assert len(followups) == 1  # the completed follow-up of the first call


def test_concurrent_calls_for_one_person_leave_the_chain_equal_to_a_rebuild(live_server, make, api):
    _, team, people = make.unit()
    person = _person(api(people["officer"]), "Cy", "Lund")
    token, team_id = token_for(people["officer"]), team.id
    db.session.commit()
    db.session.remove()
    responses = run_together(8, lambda http, i: http.post(
        f"{live_server}/api/v1/calls", headers={"Authorization": f"Bearer {token}"}, timeout=60,
        json=call_payload(**_on(i * 3, team_id=team_id, person_id=person))))
    assert [r.status_code for r in responses] == [201] * 8, [r.text[:200] for r in responses]

    incremental = snapshot()

    assert incremental == rebuilt()
    gaps = sorted(row.gap_seconds for row in db.session.execute(sa.select(CallFact.gap_seconds)) if row.gap_seconds)
    assert gaps == [3 * 86400] * 7


def _calls_on(agency_id, day) -> int:
    """What a reader of the day sums counts for one day."""
    return day_sums(metrics.MetricFilters(agency_id=agency_id, date_from=day, date_to=day), ["calls"])[0].calls


def test_a_write_marks_its_day_and_the_next_read_sums_it_once_for_everyone(make, api):
    _, team, people = make.unit()
    for _ in range(3):
        _call(api(people["officer"]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MetricStaleDay)) > 0  # marked, not summed

    assert _calls_on(team.agency_id, at().date()) == 3
    db.session.rollback()  # whatever the reading session does next, the sums were committed on their own
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MetricStaleDay)) == 0
    assert snapshot() == rebuilt()


def test_a_transaction_that_wrote_reads_its_own_calls_in_the_day_sums(make):
    _, team, people = make.unit()
    db.session.add(Call(agency_id=team.agency_id, team_id=team.id, created_by_id=people["officer"].id,
                        received_at=at(), incident_number="UNCOMMITTED", call_source="911", nature="welfare_check",
                        sim_intercept=1, local_date=at().date(), local_hour=at().hour, local_weekday=at().weekday()))
    db.session.flush()  # written and marked in this transaction only

    assert _calls_on(team.agency_id, at().date()) == 1
    db.session.rollback()
    assert _calls_on(team.agency_id, at().date()) == 0


@pytest.fixture
def demo():
    """A small demo agency (2,000 calls over two years) and its whole-agency filters."""
    anchor = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    generate_demo(calls=2000, seed=7, now=anchor, password="demo facts pass phrase 1")
    agency = db.session.scalar(sa.select(Agency.id))
    return metrics.MetricFilters(agency_id=agency, date_from=date(2025, 3, 1), date_to=date(2026, 2, 28))


PERIODS = [(date(2025, 3, 1), date(2026, 2, 28)), (date(2025, 6, 10), date(2025, 9, 3)), (date(2026, 2, 1), date(2026, 2, 1))]


def test_whole_agency_repeat_counts_equal_distinct_person_counts(demo):
    every_team = frozenset(db.session.scalars(sa.select(Team.id)))
    for first, last in PERIODS:
        period = demo.with_dates(first, last)
        # Naming every team takes the DISTINCT path over the same contacts.
        counted_distinct = dataclasses.replace(period, team_ids=every_team)

        fast = metrics.repeat_metrics(filters=period)

        assert fast == metrics.repeat_metrics(filters=counted_distinct), (first, last)
        assert fast["repeat_contact_rate"]["numerator"] > 0 or first == last
        for team in every_team:
            # One team reads the team's chain; naming a second (absent) team takes the DISTINCT path.
            one_team = metrics.repeat_metrics(filters=dataclasses.replace(period, team_ids=frozenset([team])))
            assert one_team == metrics.repeat_metrics(
                filters=dataclasses.replace(period, team_ids=frozenset([team, -1]))), (first, last, team)


def test_whole_agency_high_utilizers_equal_persons_grouped_by_contacts(app, demo):
    every_team = frozenset(db.session.scalars(sa.select(Team.id)))
    for last in (date(2026, 2, 28), date(2025, 8, 15), date(2024, 12, 31)):
        period = demo.with_dates(last - timedelta(days=30), last)

        counted = metrics.high_utilizers(filters=period)

        assert counted == metrics.high_utilizers(filters=dataclasses.replace(period, team_ids=every_team)), last
        assert counted > 0 or last.year == 2024


def test_day_sums_equal_rates_counted_straight_from_the_calls(demo):
    team = db.session.scalar(sa.select(sa.func.min(Team.id)))
    columns = []
    for name, (numerator, denominator) in metrics.CALL_RATES.items():
        columns += [count_if(numerator()), count_if(metrics.DENOMINATORS[denominator]())]
    for first, last in PERIODS:
        for period in (demo.with_dates(first, last), dataclasses.replace(demo, team_ids=frozenset([team]))):
            row = db.session.execute(sa.select(sa.func.count(), *columns).where(*call_conditions(period))).one()

            rates = metrics.call_rates(filters=period)

            expected = {"call_volume": row[0]}
            for index, name in enumerate(metrics.CALL_RATES):
                expected[name] = metrics.rate(row[1 + 2 * index], row[2 + 2 * index])
            assert rates == expected, period


def test_followup_facts_equal_follow_ups_counted_straight_from_the_records(demo):
    from mhu.models import FollowUp
    from mhu.services.metrics.people import COMPLETED_OUTCOMES, followup_on_time, recrisis
    from mhu.services.metrics.sql import utc_bounds

    for first, last in PERIODS:
        period = demo.with_dates(first, last)
        start, end = utc_bounds(period)

        def counted(moment, condition):
            return db.session.execute(
                sa.select(count_if(condition), sa.func.count()).select_from(FollowUp).join(Call)
                .where(*call_conditions(period, dates=False), moment >= start, moment < end)).one()

        timely = counted(FollowUp.due_at, followup_on_time())
        completed = counted(FollowUp.closed_at, FollowUp.outcome.in_(COMPLETED_OUTCOMES))

        persons = db.session.execute(
            sa.select(sa.func.count(sa.distinct(sa.case((recrisis(), Call.person_id)))),
                      sa.func.count(sa.distinct(Call.person_id)))
            .select_from(FollowUp).join(Call)
            .where(*call_conditions(period, dates=False), FollowUp.closed_at >= start, FollowUp.closed_at < end,
                   FollowUp.outcome.in_(COMPLETED_OUTCOMES), Call.person_id.is_not(None))).one()

        assert metrics.followup_timeliness(filters=period) == metrics.rate(*timely)
        assert metrics.followup_completion(filters=period) == metrics.rate(*completed)
        assert metrics.recrisis_after_followup(filters=period) == metrics.rate(*persons)
        assert timely[1] > 0 and completed[1] > 0


def test_percentile_walk_equals_percentiles_of_the_sorted_durations(demo):
    one_team = dataclasses.replace(demo, team_ids=frozenset([db.session.scalar(sa.select(sa.func.min(Team.id)))]))
    for period in (demo, one_team):
        for name, (start, end) in metrics.DURATIONS.items():
            values = sorted(float(v) for v in db.session.scalars(sa.select(seconds_between(start, end)).where(
                *call_conditions(period), start.is_not(None), end.is_not(None))))
            assert len(values) > 100

            result = metrics.duration_percentiles(name, filters=period)

            assert result == {"median_seconds": pytest.approx(_percentile(values, 0.5)),
                              "p90_seconds": pytest.approx(_percentile(values, 0.9))}, (name, period)


def _percentile(values, fraction):
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def test_distributions_read_from_the_rollups_equal_the_same_read_from_the_calls(demo, monkeypatch):
    from mhu.services.metrics import breakdowns

    one_team = frozenset([db.session.scalar(sa.select(sa.func.min(Team.id)))])

    def distributions(period):
        return {
            **{name: metrics.breakdown(filters=period, dimension=name)
               for name in (*metrics.BREAKDOWNS, *metrics.EXTRA_BREAKDOWNS)},
            "series": metrics.disposition_series(filters=period),
            "weeks": metrics.disposition_series(filters=period, interval="week"),
            **{measure: metrics.duration_histogram(filters=period, measure=measure)
               for measure in breakdowns.DURATION_SPANS},
            "flow": metrics.outcome_flow(filters=period),
            "quality": metrics.data_quality(filters=period),
            "followups": metrics.followup_status(filters=period, now=datetime(2026, 2, 20, tzinfo=timezone.utc)),
        }

    views = [demo.with_dates(first, last) for first, last in PERIODS]
    views += [dataclasses.replace(view, team_ids=one_team) for view in views]
    from_rollups = [distributions(view) for view in views]
    monkeypatch.setattr(breakdowns, "teams_only", lambda filters: False)
    from_calls = [distributions(view) for view in views]

    for view, rolled, counted in zip(views, from_rollups, from_calls):
        assert rolled == counted, view
    whole_year = from_rollups[0]
    assert sum(row["count"] for row in whole_year["disposition"]) == whole_year["quality"]["calls"] > 1000
    assert len(whole_year["flow"]) > 20 and whole_year["followups"]["attempted"] > 0
    assert from_rollups[3]["quality"]["calls"] < whole_year["quality"]["calls"]  # the team narrowed it


def test_contacts_per_person_and_high_utilizers_equal_contacts_grouped_from_the_calls(app, demo):
    from mhu.models import User
    from mhu.services.metrics.sql import located

    supervisor = db.session.scalar(sa.select(User).where(User.role == "supervisor"))
    one_team = frozenset([db.session.scalar(sa.select(sa.func.min(Team.id)))])
    threshold = app.config["HIGH_UTILIZER_THRESHOLD"]
    for first, last in PERIODS:
        for period in (demo.with_dates(first, last), dataclasses.replace(demo.with_dates(first, last), team_ids=one_team)):
            def grouped(view):
                return dict(db.session.execute(
                    sa.select(Call.person_id, sa.func.count()).where(*call_conditions(view), located(),
                                                                     Call.person_id.is_not(None))
                    .group_by(Call.person_id)).all())

            per_person = grouped(period)
            histogram = {}
            for contacts in per_person.values():
                histogram[min(contacts, 6)] = histogram.get(min(contacts, 6), 0) + 1
            year = period.with_dates(last.replace(year=last.year - 1) + timedelta(days=1), last)
            heavy = {person: contacts for person, contacts in grouped(year).items() if contacts >= threshold}

            listed = metrics.high_utilizer_list(actor=supervisor, filters=period, limit=10_000)

            assert {row["contacts"]: row["persons"] for row in metrics.contacts_per_person(filters=period)} == histogram
            assert {row["person_id"]: row["contacts"] for row in listed} == heavy, period
            assert metrics.high_utilizers(filters=period) == len(heavy)
    assert heavy and histogram


def test_the_demo_load_leaves_facts_equal_to_a_rebuild(demo):
    assert snapshot() == rebuilt()
    assert not metric_facts.is_stale()


@pytest.mark.parametrize("many", [False, True], ids=["a write's few days", "an import's many days"])
def test_day_sums_refreshed_for_a_few_days_or_for_many_equal_a_rebuild(demo, many):
    """A write's refresh (a few days) looks each call's follow-ups up; an import's (more days than
    facts._FEW_DAYS) groups the follow-ups of all its calls at once: both give the rebuild's sums."""
    expected = rebuilt()
    connection = db.session.connection()
    agency_id, = connection.execute(sa.select(Call.agency_id).group_by(Call.agency_id)
                                    .order_by(sa.func.count().desc()).limit(1)).one()
    days = sorted(connection.scalars(sa.select(Call.local_date).distinct()
                                     .join(FollowUp, FollowUp.call_id == Call.id).where(Call.agency_id == agency_id)))
    chosen = days[-(metric_facts._FEW_DAYS + 20):] if many else days[-3:]
    assert (len(chosen) > metric_facts._FEW_DAYS) is many
    for table in (MetricDimDay, MetricDay):
        connection.execute(sa.delete(table.__table__).where(table.agency_id == agency_id, table.local_date.in_(chosen)))

    metric_facts.refresh_days(connection, agency_id, chosen)

    assert snapshot() == expected


def test_refresh_command_rebuilds_only_stale_facts(app, runner, make):
    _, _, people = make.unit()
    db.session.add(Call(**{**_model_fields(), "agency_id": people["officer"].agency_id,
                           "team_id": people["officer"].teams[0].id, "created_by_id": people["officer"].id}))
    db.session.commit()
    db.session.execute(sa.delete(CallFact))  # as after an upgrade that added or changed the facts
    db.session.commit()

    first = runner.invoke(args=["metrics", "refresh", "--if-stale"])
    second = runner.invoke(args=["metrics", "refresh", "--if-stale"])
    stale_after_config_change = []
    for name, changed in (("REPEAT_WINDOW_DAYS", 60), ("HIGH_UTILIZER_THRESHOLD", 3)):
        kept, app.config[name] = app.config[name], changed
        try:
            stale_after_config_change.append(metric_facts.is_stale())
        finally:
            app.config[name] = kept

    assert "rebuilt" in first.output and first.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CallFact)) == 1
    assert "up to date" in second.output
    assert stale_after_config_change == [True, True]


def _model_fields():
    received = at()
    return {"received_at": received, "local_date": date(2026, 3, 10), "local_hour": 9, "local_weekday": 1,
            "call_source": "911", "nature": "mh_crisis", "sim_intercept": 1, "disposition": "resolved_on_scene",
            "arrived_at": received + timedelta(minutes=9)}
