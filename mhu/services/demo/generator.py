"""Demo data: two years of a mid-size Mental Health Unit's work, fast and reproducible.

One seed gives the same rows (ids included) for the same anchor time. Rows go in through bulk
Core inserts in chunks, and per-call state is held in compact arrays, so a million calls fit in
modest memory. Derived fields are computed by the same functions the services use
(`local_parts`, `normalise_name`, `match_key`), and follow-up bookkeeping mirrors
`services/care.py: record_attempt` exactly.
"""

import math
import random
import secrets
import time as clock
from array import array
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from mhu.extensions import db
from mhu.models import (
    Agency, Call, CallInjury, CallPresentingProblem, CallRiskFlag, FollowUp, FollowUpAttempt,
    Person, PersonIdentity, PersonRace, Referral, Team, User,
)
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit
from mhu.services.metrics import facts as metric_facts
from mhu.services.demo import surveys as demo_surveys
from mhu.services.demo import vocab as V
from mhu.services.demo.evaluation import add_evaluation_data
from mhu.services.demo.calls import (
    AGE_INDEX, DAY, HOUSING_INDEX, OPEN_WINDOW_HOURS, PROBLEM_INDEX, W, CallWriter, Weighted,
)
from mhu.services.matching import match_key, normalise_name
from mhu.services.agencies import get_or_create_agency
from mhu.services.care import followup_window
from mhu.services.users import create_user

__all__ = ["OPEN_WINDOW_HOURS", "demo_exists", "demo_users", "generate_demo"]

INSERT_ORDER = ("call", "problem", "flag", "injury", "referral", "followup", "attempt")
TABLES = {
    "person": Person.__table__, "identity": PersonIdentity.__table__, "call": Call.__table__,
    "problem": CallPresentingProblem.__table__, "flag": CallRiskFlag.__table__,
    "injury": CallInjury.__table__, "referral": Referral.__table__,
    "followup": FollowUp.__table__, "attempt": FollowUpAttempt.__table__,
    "race": PersonRace.__table__,
}


def demo_exists() -> bool:
    """Whether demo data (the demo agency or any demo user) is already in the database."""
    agency = db.session.scalar(sa.select(Agency.id).where(Agency.name == V.AGENCY_NAME))
    user = db.session.scalar(sa.select(User.id).where(User.email.in_(V.DEMO_EMAILS)).limit(1))
    return agency is not None or user is not None


def demo_users() -> list[User]:
    """The demo users present, in role order."""
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(V.DEMO_EMAILS)))}
    return [users[email] for email in V.DEMO_EMAILS if email in users]


def generate_demo(
    *, calls: int, seed: int, years: int = 2, now: datetime | None = None,
    password: str | None = None, chunk_size: int = 10_000, progress=None,
) -> dict:
    """Load the demo agency, teams, users, persons and calls in one transaction; a summary."""
    if calls < 1:
        raise ServiceError("Give a positive number of calls.", {"calls": ["Must be at least 1."]})
    if not 1 <= years <= 10:
        raise ServiceError("Give 1 to 10 years.", {"years": ["Must be between 1 and 10."]})
    if demo_exists():
        raise ServiceError("Demo data is already loaded.", status=409)
    started = clock.perf_counter()
    generated = password is None
    password = password or secrets.token_urlsafe(15)
    # The hour, not the second: reruns within the hour reproduce the same rows.
    anchor = (now or utcnow()).astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    generator = _Generator(rng=random.Random(seed), anchor=anchor, years=years, chunk_size=chunk_size)
    cache_size = _enlarge_sqlite_cache()
    try:
        generator.setup(password=password)
        generator.plan(calls)
        generator.insert_persons()
        generator.insert_calls(progress)
        # Its own random stream, so the calls stay the same rows they were before surveys existed.
        generator.counts["survey_answers"] = demo_surveys.insert_answers(
            rng=random.Random(f"surveys-{seed}"), agency_id=generator.agency.id)
        add_evaluation_data(generator)
        # The rows went in with Core inserts, which the after-flush refresh does not see.
        metric_facts.rebuild()
        audit.record(action="demo.load", actor=None, object_type="agency", object_id=generator.agency.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()  # all or nothing: a half-loaded demo would block the next attempt
        raise
    finally:
        _restore_sqlite_cache(cache_size)
    return {
        **generator.counts, "agency": V.AGENCY_NAME, "seed": seed, "years": years,
        "anchor": anchor.isoformat(), "password": password, "password_generated": generated,
        "users": [(u.role, u.email) for u in demo_users()],
        "seconds": round(clock.perf_counter() - started, 2),
    }


def _enlarge_sqlite_cache() -> int | None:
    """Give SQLite a 64 MiB page cache for the load (indexes on random UUIDs thrash the default 2 MiB)."""
    if db.session.get_bind().dialect.name != "sqlite":
        return None
    previous = db.session.execute(sa.text("PRAGMA cache_size")).scalar()
    db.session.execute(sa.text("PRAGMA cache_size=-65536"))
    return previous


def _restore_sqlite_cache(previous: int | None) -> None:
    if previous is not None:
        db.session.execute(sa.text(f"PRAGMA cache_size={int(previous)}"))


class _Generator(CallWriter):
    """One demo load: the random stream, the period, the compact per-person and per-call arrays."""

    def __init__(self, *, rng: random.Random, anchor: datetime, years: int, chunk_size: int):
        self.rng = rng
        self.anchor = anchor
        self.anchor_ts = int(anchor.timestamp())
        self.chunk_size = chunk_size
        self.zone_name = V.AGENCY_TIMEZONE
        self.zone = ZoneInfo(self.zone_name)
        self.due_seconds = int(followup_window().total_seconds())
        last_day = anchor.astimezone(self.zone).date()
        first_day = last_day - relativedelta(years=years) + timedelta(days=1)
        self.days = [first_day + timedelta(days=d) for d in range(((last_day - first_day).days + 1))]
        self.day_pick = Weighted((d, self._day_weight(d, day)) for d, day in enumerate(self.days))
        self.counts = dict.fromkeys(
            ("calls", "persons", "referrals", "followups", "attempts", "voided", "open_calls"), 0
        )

    def _day_weight(self, index: int, day) -> float:
        growth = 0.8 + 0.4 * index / max(1, len(self.days) - 1)  # the program grows over time
        season = 1 + 0.1 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 200) / 365)  # summer peak
        return V.WEEKDAY_WEIGHTS[day.weekday()] * growth * season
    def _moment(self, day_index: int) -> int:
        """A received time (epoch seconds) on that local day, at a typical hour, never future."""
        rng, day = self.rng, self.days[day_index]
        local = datetime.combine(day, time(W["HOURS"].pick(rng), rng.randrange(60), rng.randrange(60)), self.zone)
        moment = int(local.timestamp())
        while moment > self.anchor_ts:
            moment -= DAY
        return moment
    # -- agency, teams and users ---------------------------------------------------------------

    def setup(self, *, password: str) -> None:
        self.agency = get_or_create_agency(name=V.AGENCY_NAME, timezone=V.AGENCY_TIMEZONE)
        teams = [Team(agency=self.agency, name=name, kind="co_responder") for name in V.CO_RESPONDER_TEAMS]
        teams.append(Team(agency=self.agency, name=V.CLINICIAN_TEAM, kind="clinician_only"))
        db.session.add_all(teams)
        db.session.flush()
        self.co_teams = [team.id for team in teams[:-1]]
        self.clinician_team = teams[-1].id
        home = teams[0]
        self.users = {}
        for role, email, name, cit_level in V.DEMO_USERS:
            member_of = {"officer": [home], "clinician": [teams[-1], home]}.get(role, [])
            self.users[role] = create_user(
                email=email, password=password, role=role, agency=self.agency, display_name=name,
                cit_level=cit_level, teams=member_of,
            ).id
        self.clinician_teams = {home.id, teams[-1].id}

    # -- who calls, and when -------------------------------------------------------------------

    def plan(self, calls: int) -> None:
        """Per-person call counts and every call's received time, in compact arrays."""
        rng = self.rng
        persons = calls // 3
        cap = calls - max(1, calls // 20)  # at least 5 % of calls have an unidentified subject
        counts = array("H", (rng.randint(*W["CONTACT_PROFILES"].pick(rng)) for _ in range(persons)))
        total = sum(counts)
        order = list(range(persons))
        rng.shuffle(order)
        while total > cap:
            trimmed = total
            for i in order:
                if counts[i] > 1 and total > cap:
                    counts[i] -= 1
                    total -= 1
            if trimmed == total:
                break
        self.contact_counts = counts
        self.times, self.owners, self.first_seen = array("q"), array("i"), array("q")
        for person in range(persons):
            first = self.anchor_ts
            for day in self._person_days(counts[person]):
                moment = self._moment(day)
                self.times.append(moment)
                self.owners.append(person)
                first = min(first, moment)
            self.first_seen.append(first)
        for _ in range(calls - len(self.times)):
            self.times.append(self._moment(self.day_pick.pick(self.rng)))
            self.owners.append(-1)

    def _person_days(self, count: int) -> list[int]:
        """Days of a person's calls: clustered, heavier users at shorter gaps."""
        rng, last = self.rng, len(self.days) - 1
        mean_gap = next(gap for limit, gap in V.REPEAT_GAP_DAYS if count <= limit)
        first = self.day_pick.pick(rng)
        days, forward, backward = [first], first, first
        for _ in range(count - 1):
            gap = int(rng.expovariate(1 / mean_gap))
            if forward + gap <= last:
                forward += gap
                days.append(forward)
            elif backward - gap >= 0:
                backward -= gap
                days.append(backward)
            else:
                days.append(rng.randrange(last + 1))
        return days

    # -- persons -------------------------------------------------------------------------------

    def insert_persons(self) -> None:
        rng, anchor_day = self.rng, self.anchor.date()
        n = len(self.contact_counts)
        self.person_ids = bytearray()
        self.person_age = array("b")
        self.person_housing = array("b")
        self.person_veteran = array("b")
        self.person_district = array("b")
        self.person_problem = array("b")
        self.person_assaultive = array("b")
        persons, identities, races = [], [], []
        # Demographics draw from their own generator (seeded from the main one's state without
        # advancing it), so adding them left every other demo row as it was.
        equity = random.Random(hash(rng.getstate()[1]))
        for i in range(n):
            heavy = self.contact_counts[i] >= 7
            person_id = self._uuid()
            self.person_ids += person_id.bytes
            age_band = W["AGE_BANDS"].pick(rng)
            gender = W["GENDERS"].pick(rng)
            housing = "unsheltered" if heavy and rng.random() < 0.3 else W["HOUSING"].pick(rng)
            roll = rng.random()
            veteran = True if roll < 0.07 else (False if roll < 0.87 else None)
            flags = []
            if rng.random() < (0.35 if heavy else 0.09):
                flags = sorted({W["SAFETY_FLAGS"].pick(rng) for _ in range(rng.randint(1, 2))})
            self.person_age.append(AGE_INDEX[age_band])
            self.person_housing.append(HOUSING_INDEX[housing])
            self.person_veteran.append(1 if veteran else 0)
            self.person_district.append(W["DISTRICTS"].pick(rng))
            self.person_problem.append(PROBLEM_INDEX[W["PROBLEMS"].pick(rng)])
            self.person_assaultive.append(1 if "assaultive_history" in flags else 0)
            created = self._when(min(self.first_seen[i] + 600, self.anchor_ts))
            persons.append({
                "id": person_id, "agency_id": self.agency.id, "age_band": age_band, "gender": gender,
                "veteran": veteran, "housing_status": housing, "merged_into_id": None, "version": 1,
                "created_at": created, "created_by_id": self.users["officer"], "updated_at": created,
                "sex": self._sex(equity, gender),
            })
            races += [{"person_id": person_id, "category": code} for code in self._races(equity)]
            identities.append(self._identity(person_id, gender, age_band, flags, heavy, anchor_day))
            if len(persons) >= self.chunk_size:
                self._insert("person", persons)
                self._insert("identity", identities)
                self._insert("race", races)
        self._insert("person", persons)
        self._insert("identity", identities)
        self._insert("race", races)
        self.counts["persons"] = n

    @staticmethod
    def _sex(equity: random.Random, gender: str) -> str:
        if equity.random() < V.SEX_NOT_RECORDED:
            return "not_recorded"
        return {"female": "female", "male": "male", "unknown": "not_recorded"}.get(gender, "another")

    @staticmethod
    def _races(equity: random.Random) -> list[str]:
        race = W["RACE"].pick(equity)
        if race == "not_recorded":
            return []
        if race == "two":
            first = second = W["RACE"].pick(equity)
            while first in ("two", "not_recorded"):
                first = W["RACE"].pick(equity)
            while second in ("two", "not_recorded", first):
                second = W["RACE"].pick(equity)
            return sorted((first, second))
        return [race]

    def _identity(self, person_id, gender, age_band, flags, heavy, anchor_day) -> dict:
        rng = self.rng
        names = {"male": V.FIRST_NAMES_MALE, "female": V.FIRST_NAMES_FEMALE}.get(
            gender, V.FIRST_NAMES_MALE + V.FIRST_NAMES_FEMALE)
        first, last = rng.choice(names), rng.choice(V.LAST_NAMES)
        aliases = []
        if first in V.NICKNAMES and rng.random() < 0.4:
            aliases.append(f"{V.NICKNAMES[first]} {last}")
        if rng.random() < 0.05:
            aliases.append(f"{first} {rng.choice(V.LAST_NAMES)}")  # a former or family name
        if rng.random() < (0.15 if heavy else 0.02):
            aliases.append(rng.choice(V.STREET_NAMES))
        dob = None
        if rng.random() < 0.92:
            low, high = V.AGE_RANGES[age_band]
            dob = anchor_day - timedelta(days=int((rng.randint(low, high) + rng.random()) * 365.25))
        plan = None
        if heavy and rng.random() < 0.6:
            plan = ("Known to the unit. Approach calmly, introduce the clinician first, offer water; "
                    "responds well to a familiar face. Case manager at County Behavioral Health.")
        return {
            "person_id": person_id, "first_name": first, "last_name": last, "aliases": aliases,
            "date_of_birth": dob, "safety_flags": flags, "response_plan": plan,
            "search_name": normalise_name(f"{first} {last}"), "match_key": match_key(first, last, dob),
        }

    # -- calls and what follows them -------------------------------------------------------------

    def insert_calls(self, progress) -> None:
        order = sorted(range(len(self.times)), key=self.times.__getitem__)
        self.rows = {name: [] for name in INSERT_ORDER}
        self.sequence = {}
        total = len(order)
        for done, index in enumerate(order, start=1):
            self._call(self.times[index], self.owners[index])
            if len(self.rows["call"]) >= self.chunk_size:
                self._flush_calls()
                if progress:
                    progress(done, total)
        self._flush_calls()
        if progress:
            progress(total, total)
        del self.times, self.owners, self.first_seen

    def _flush_calls(self) -> None:
        for name in INSERT_ORDER:
            self._insert(name, self.rows[name])

    def _insert(self, name: str, rows: list) -> None:
        if rows:
            db.session.execute(sa.insert(TABLES[name]), rows)
            rows.clear()
