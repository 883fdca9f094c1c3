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
import uuid
from array import array
from bisect import bisect
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app

from mhu.extensions import db
from mhu.models import (
    Agency, Call, CallInjury, CallPresentingProblem, CallRiskFlag, FollowUp, FollowUpAttempt,
    Person, PersonIdentity, Referral, Team, User,
)
from mhu.models.types import utcnow
from mhu.services import ServiceError, audit
from mhu.services import demo_vocab as V
from mhu.services.calls import local_parts
from mhu.services.persons import match_key, normalise_name
from mhu.services.users import create_user, get_or_create_agency

DAY = 86_400
HOUR = 3_600
OPEN_WINDOW_HOURS = 36  # calls this recent may still be open (no disposition, not cleared)
INSERT_ORDER = ("call", "problem", "flag", "injury", "referral", "followup", "attempt")
TABLES = {
    "person": Person.__table__, "identity": PersonIdentity.__table__, "call": Call.__table__,
    "problem": CallPresentingProblem.__table__, "flag": CallRiskFlag.__table__,
    "injury": CallInjury.__table__, "referral": Referral.__table__,
    "followup": FollowUp.__table__, "attempt": FollowUpAttempt.__table__,
}


class Weighted:
    """A weighted choice drawn with one random number and a bisect (random.choices is slower)."""

    __slots__ = ("values", "cum", "total")

    def __init__(self, pairs):
        pairs = list(pairs)
        self.values = [value for value, _ in pairs]
        self.cum, total = [], 0.0
        for _, weight in pairs:
            total += weight
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.values[bisect(self.cum, rng.random() * self.total)]


W = {name: Weighted(getattr(V, name)) for name in (
    "AGE_BANDS", "GENDERS", "HOUSING", "SAFETY_FLAGS", "CONTACT_PROFILES", "CALL_SOURCES",
    "CLINICIAN_SOURCES", "NATURES", "PROBLEMS", "DISPOSITIONS", "CLINICIAN_DISPOSITIONS",
    "LEGAL_HOLDS", "OFFENSES_WHEN_CHARGED", "OFFENSES_OTHERWISE", "FORCE_ARREST",
    "FORCE_DETENTION", "FORCE_OTHER", "INJURY_SEVERITY", "SELF_HARM_SEVERITY", "REFERRAL_GENERAL",
    "REFERRAL_STATUS_SETTLED", "FOLLOWUP_METHODS", "CLOSING_OUTCOMES",
)}
W["HOURS"] = Weighted(enumerate(V.HOUR_WEIGHTS))
W["DISTRICTS"] = Weighted(zip(range(len(V.DISTRICTS)), V.DISTRICT_WEIGHTS))
PROBLEM_INDEX = {name: i for i, name in enumerate(W["PROBLEMS"].values)}
AGE_INDEX = {name: i for i, (name, _) in enumerate(V.AGE_BANDS)}
HOUSING_INDEX = {name: i for i, (name, _) in enumerate(V.HOUSING)}
PHYSICAL_FORCE = frozenset({"physical_control", "less_lethal", "deadly_force"})


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


class _Generator:
    def __init__(self, *, rng: random.Random, anchor: datetime, years: int, chunk_size: int):
        self.rng = rng
        self.anchor = anchor
        self.anchor_ts = int(anchor.timestamp())
        self.chunk_size = chunk_size
        self.zone_name = V.AGENCY_TIMEZONE
        self.zone = ZoneInfo(self.zone_name)
        self.due_seconds = int(current_app.config["FOLLOWUP_DUE_HOURS"]) * HOUR
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

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _moment(self, day_index: int) -> int:
        """A received time (epoch seconds) on that local day, at a typical hour, never future."""
        rng, day = self.rng, self.days[day_index]
        local = datetime.combine(day, time(W["HOURS"].pick(rng), rng.randrange(60), rng.randrange(60)), self.zone)
        moment = int(local.timestamp())
        while moment > self.anchor_ts:
            moment -= DAY
        return moment

    def _when(self, epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, timezone.utc)

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
        persons, identities = [], []
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
            })
            identities.append(self._identity(person_id, gender, age_band, flags, heavy, anchor_day))
            if len(persons) >= self.chunk_size:
                self._insert("person", persons)
                self._insert("identity", identities)
        self._insert("person", persons)
        self._insert("identity", identities)
        self.counts["persons"] = n

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

    def _call(self, received_ts: int, owner: int) -> None:
        rng = self.rng
        received = self._when(received_ts)
        local_date, local_hour, local_weekday = local_parts(received, self.zone_name)
        clinician_only = 8 <= local_hour < 20 and rng.random() < 0.16
        team_id = self.clinician_team if clinician_only else rng.choice(self.co_teams)
        if owner >= 0:
            age = V.AGE_BANDS[self.person_age[owner]][0]
            housing = V.HOUSING[self.person_housing[owner]][0]
            veteran, assaultive = self.person_veteran[owner], self.person_assaultive[owner]
            district = self.person_district[owner] if rng.random() < 0.85 else W["DISTRICTS"].pick(rng)
            person_id = uuid.UUID(bytes=bytes(self.person_ids[owner * 16:owner * 16 + 16]))
        else:
            age, housing, veteran, assaultive = "unknown", "unknown", 0, 0
            district, person_id = W["DISTRICTS"].pick(rng), None
        source = W["CLINICIAN_SOURCES" if clinician_only else "CALL_SOURCES"].pick(rng)
        nature = "follow_up" if source == "scheduled_follow_up" else W["NATURES"].pick(rng)
        if clinician_only and nature in ("criminal", "domestic", "trespass", "disturbance"):
            nature = "mh_crisis"
        problems = self._problems(owner, nature)
        flags = self._risk_flags(nature, problems, age, housing, veteran, assaultive)

        dispatched, arrived, cleared = self._times(received_ts, source, nature)
        is_open = cleared is None or (self.anchor_ts - received_ts < OPEN_WINDOW_HOURS * HOUR and rng.random() < 0.45)
        if is_open:
            cleared = None
            disposition = None
            self.counts["open_calls"] += 1
        else:
            disposition = W["CLINICIAN_DISPOSITIONS" if clinician_only else "DISPOSITIONS"].pick(rng)
            if rng.random() < 0.006:  # data quality: a closed call whose disposition was never entered
                disposition = None
            if arrived is not None and rng.random() < 0.01:
                arrived = None
        charged = disposition in ("arrest", "citation_or_summons")
        offense = "none" if clinician_only else W["OFFENSES_WHEN_CHARGED" if charged else "OFFENSES_OTHERWISE"].pick(rng)
        force = "none"
        if not clinician_only and not is_open:
            force = W["FORCE_ARREST" if disposition == "arrest" else
                      "FORCE_DETENTION" if disposition == "emergency_detention" else "FORCE_OTHER"].pick(rng)
        call_id = self._uuid()
        self._injuries(call_id, force, nature)
        initial = None if source == "scheduled_follow_up" and rng.random() < 0.5 else V.CALL_TYPES[nature]
        final = None if is_open else (rng.choice(V.RECLASSIFIED_TO) if rng.random() < 0.14 else initial)
        creator = self.users["clinician" if clinician_only else "officer"]
        created_ts = min(self.anchor_ts, (cleared or arrived or received_ts) + rng.randint(120, 2400))
        created = self._when(created_ts)
        voided_at = None
        if not is_open and rng.random() < 0.007 and created_ts + DAY <= self.anchor_ts:
            voided_at = self._when(created_ts + rng.randint(HOUR, DAY))
            self.counts["voided"] += 1
        followup_required = self._needs_followup(disposition, nature, source)
        dname, prefix, beats, lat, lon = V.DISTRICTS[district]
        year = local_date.year % 100
        self.sequence[year] = self.sequence.get(year, 0) + 1
        self.rows["call"].append({
            "id": call_id, "agency_id": self.agency.id, "team_id": team_id, "person_id": person_id,
            "incident_number": f"RPD{year:02d}-{self.sequence[year]:06d}",
            "received_at": received, "dispatched_at": self._when_or_none(dispatched),
            "arrived_at": self._when_or_none(arrived), "cleared_at": self._when_or_none(cleared),
            "local_date": local_date, "local_hour": local_hour, "local_weekday": local_weekday,
            "call_source": source, "nature": nature, "initial_call_type": initial,
            "final_call_type": final, "sim_intercept": self._intercept(clinician_only, source),
            "arrestable_offense": offense, "district": dname, "beat": f"{prefix}{rng.randint(1, beats)}",
            "address": None if rng.random() < 0.03 else f"{rng.randint(100, 9899)} {rng.choice(V.STREETS)}",
            "latitude": None if rng.random() < 0.04 else round(lat + rng.gauss(0, 0.012), 5),
            "longitude": None if rng.random() < 0.04 else round(lon + rng.gauss(0, 0.012), 5),
            "cit_officer_on_scene": (not clinician_only) and rng.random() < 0.86,
            "transfer_in": self._transfer_in(source), "transfer_out": self._transfer_out(disposition),
            "force_level": force, "disposition": disposition,
            "legal_hold_type": W["LEGAL_HOLDS"].pick(rng) if disposition == "emergency_detention" else None,
            "followup_required": followup_required,
            "narrative": V.NARRATIVES.get(disposition) if rng.random() < 0.75 else None,
            # Voiding is an update, and the version column counts updates.
            "version": 2 if voided_at else 1, "created_at": created, "created_by_id": creator,
            "updated_at": voided_at or created, "updated_by_id": None, "voided_at": voided_at,
            "voided_by_id": self.users["supervisor"] if voided_at else None,
            "void_reason": rng.choice(V.VOID_REASONS) if voided_at else None,
        })
        self.rows["problem"].extend({"call_id": call_id, "problem": p} for p in problems)
        self.rows["flag"].extend({"call_id": call_id, "flag": f} for f in flags)
        self.counts["calls"] += 1
        if not voided_at and disposition is not None:
            self._referrals(call_id, disposition, offense, problems, flags, created_ts, creator)
        if followup_required:
            base = cleared or received_ts
            self._followup(call_id, team_id, base, created_ts, creator, attempts=voided_at is None)

    def _when_or_none(self, epoch):
        return None if epoch is None else self._when(epoch)

    def _problems(self, owner: int, nature: str) -> list[str]:
        rng, values = self.rng, W["PROBLEMS"].values
        problems = {values[self.person_problem[owner]] if owner >= 0 and rng.random() < 0.7 else W["PROBLEMS"].pick(rng)}
        if rng.random() < 0.45:
            problems.add(W["PROBLEMS"].pick(rng))
        if rng.random() < 0.12:
            problems.add(W["PROBLEMS"].pick(rng))
        if nature in ("suicide_threat", "suicide_attempt"):
            problems.add("suicidal_ideation")
        if nature == "suicide_attempt" and rng.random() < 0.5:
            problems.add("self_harm")
        if nature == "intoxicated_person":
            problems.add("substance_use")
        if len(problems) > 1:
            problems.discard("unknown")
        return sorted(problems)

    def _risk_flags(self, nature, problems, age, housing, veteran, assaultive) -> list[str]:
        rng = self.rng
        chances = {"weapon_gun": 0.015, "weapon_knife": 0.04, "weapon_other": 0.02,
                   "violence_toward_others": 0.07, "overdose_or_naloxone": 0.02, "medical_emergency": 0.03,
                   "suicide_risk_current": 0.7 if nature.startswith("suicide") else 0.05,
                   "intoxicated": 0.6 if nature == "intoxicated_person" or "substance_use" in problems else 0.1}
        flags = {flag for flag, chance in chances.items() if rng.random() < chance}
        for flag, present in (("juvenile", age == "under_18"), ("older_adult", age == "65_plus"),
                              ("veteran", veteran == 1), ("unsheltered", housing == "unsheltered"),
                              ("prior_assaultive_history", assaultive == 1)):
            if present and rng.random() < 0.85:
                flags.add(flag)
        return sorted(flags)

    def _times(self, received: int, source: str, nature: str):
        """Dispatch 1-10 min, arrival 5-25 min later, 20-90 min on scene; none in the future."""
        rng = self.rng
        delay = rng.randint(0, 60) if source in ("on_view", "officer_request") else int(60 + 540 * rng.random() ** 1.6)
        dispatched = received + delay
        arrived = dispatched + int(rng.triangular(300, 1500, 600))
        on_scene = rng.triangular(1200, 5400, 4000 if nature.startswith("suicide") else 2400)
        cleared = arrived + int(on_scene)
        future = [t for t in (dispatched, arrived, cleared) if t > self.anchor_ts]
        if future:
            dispatched, arrived, cleared = (None if t > self.anchor_ts else t for t in (dispatched, arrived, cleared))
        return dispatched, arrived, cleared

    def _intercept(self, clinician_only: bool, source: str) -> int:
        if clinician_only:
            return 0
        if source == "court_or_jail":
            return 3 if self.rng.random() < 0.6 else 2
        roll = self.rng.random()
        return 4 if roll < 0.015 else 5 if roll < 0.03 else 1

    def _transfer_in(self, source: str) -> str:
        if source == "988_transfer":
            return "988"
        if source == "crisis_line":
            return "crisis_line"
        if source in ("911", "text_911") and self.rng.random() < 0.25:
            return "911"
        return "ems" if self.rng.random() < 0.01 else "none"

    def _transfer_out(self, disposition) -> str:
        if disposition == "handoff_mobile_crisis":
            return "mobile_crisis"
        if disposition == "ems_medical_transport":
            return "ems"
        roll = self.rng.random()
        return "988" if roll < 0.03 else "crisis_line" if roll < 0.05 else "none"

    def _injuries(self, call_id, force: str, nature: str) -> None:
        rng, rows = self.rng, self.rows["injury"]
        if force in PHYSICAL_FORCE:
            if rng.random() < 0.35:
                rows.append({"call_id": call_id, "party": "subject", "severity": W["INJURY_SEVERITY"].pick(rng)})
            if rng.random() < 0.1:
                rows.append({"call_id": call_id, "party": "officer", "severity": rng.choice(("complaint_of_pain", "minor"))})
        elif nature == "suicide_attempt" and rng.random() < 0.4:
            rows.append({"call_id": call_id, "party": "subject", "severity": W["SELF_HARM_SEVERITY"].pick(rng)})
        elif rng.random() < 0.002:
            rows.append({"call_id": call_id, "party": rng.choice(("subject", "bystander", "clinician")), "severity": "minor"})

    def _needs_followup(self, disposition, nature, source) -> bool:
        chance = {"emergency_detention": 0.6, "resolved_with_referral": 0.5, "voluntary_transport_ed": 0.4,
                  "voluntary_transport_crisis_facility": 0.45, "unable_to_locate": 0.1,
                  "arrest": 0.15}.get(disposition, 0.18)
        if nature.startswith("suicide"):
            chance += 0.25
        if source == "scheduled_follow_up":
            chance = 0.5
        return self.rng.random() < chance

    def _referrals(self, call_id, disposition, offense, problems, flags, created_ts, creator) -> None:
        rng = self.rng
        if disposition == "resolved_with_referral":
            count = 2 if rng.random() < 0.3 else 1
        elif disposition in ("unable_to_locate", "no_action_possible"):
            return
        else:
            count = 1 if rng.random() < (0.22 if disposition in ("arrest", "citation_or_summons") else 0.27) else 0
        suggestions = [kind for kind, present in (
            ("sud_treatment", "substance_use" in problems or "co_occurring" in problems),
            ("veteran_services", "veteran" in flags), ("housing_shelter", "unsheltered" in flags),
            ("safety_plan_988", "suicidal_ideation" in problems), ("idd_services", "developmental_disability" in problems),
            ("prebooking_diversion", offense != "none" and disposition != "arrest"),
            ("court_diversion", disposition == "citation_or_summons"),
        ) if present and rng.random() < 0.45]
        kinds = list(dict.fromkeys(suggestions + [W["REFERRAL_GENERAL"].pick(rng) for _ in range(count)]))[:count]
        age_days = (self.anchor_ts - created_ts) / DAY
        for kind in kinds:
            if age_days < 3:
                status = "made"
            elif age_days < 14:
                status = rng.choice(("made", "made", "accepted", "accepted", "declined", "linked"))
            else:
                status = W["REFERRAL_STATUS_SETTLED"].pick(rng)
            created = self._when(created_ts)
            updated = created if status == "made" else self._when(
                min(self.anchor_ts, created_ts + rng.randint(DAY, 10 * DAY)))
            self.rows["referral"].append({
                "id": self._uuid(), "call_id": call_id, "agency_id": self.agency.id, "referral_type": kind,
                "partner": V.REFERRAL_PARTNERS[kind], "warm_handoff": rng.random() < 0.35, "status": status,
                "version": 1 if status == "made" else 2, "created_at": created, "created_by_id": creator,
                "updated_at": updated,
            })
            self.counts["referrals"] += 1

    def _followup(self, call_id, team_id, base: int, created_ts: int, creator: int, *, attempts: bool) -> None:
        """A follow-up due FOLLOWUP_DUE_HOURS after the call cleared, with the attempts made so far."""
        rng = self.rng
        assignee = self.users["clinician"] if team_id in self.clinician_teams else None
        worker = assignee or creator
        followup_id = self._uuid()
        planned = []  # (time, reached, outcome)
        roll = rng.random()
        if attempts and roll < 0.93:
            first = base + (rng.randint(2 * HOUR, 47 * HOUR) if roll < 0.78 else rng.randint(48 * HOUR, 120 * HOUR))
            if rng.random() < 0.12:
                outcomes = [None, None, "no_contact_after_attempts"]
            else:
                outcome = W["CLOSING_OUTCOMES"].pick(rng)
                outcomes = [None] * (0 if rng.random() < 0.55 else rng.randint(1, 2)) + [outcome]
            moment = first
            for outcome in outcomes:
                planned.append((moment, outcome in V.REACHED_OUTCOMES, outcome))
                moment += rng.randint(6 * HOUR, 72 * HOUR)
        made = [attempt for attempt in planned if attempt[0] <= self.anchor_ts]
        closing = made[-1] if made and made[-1][2] else None
        for moment, reached, outcome in made:
            self.rows["attempt"].append({
                "id": self._uuid(), "followup_id": followup_id, "attempted_at": self._when(moment),
                "method": W["FOLLOWUP_METHODS"].pick(rng), "reached": reached, "outcome": outcome,
                "created_at": self._when(moment), "created_by_id": worker,
            })
        created = self._when(created_ts)
        # As record_attempt keeps them: count, earliest attempt, outcome and closing time of the
        # attempt that carried an outcome, and one version bump per attempt.
        self.rows["followup"].append({
            "id": followup_id, "call_id": call_id, "agency_id": self.agency.id, "team_id": team_id,
            "assigned_to_id": assignee, "due_at": self._when(base + self.due_seconds),
            "first_attempt_at": self._when(made[0][0]) if made else None, "attempt_count": len(made),
            "outcome": closing[2] if closing else None,
            "closed_at": self._when(closing[0]) if closing else None,
            "version": 1 + len(made), "created_at": created, "created_by_id": creator,
            "updated_at": self._when(made[-1][0]) if made else created,
        })
        self.counts["followups"] += 1
        self.counts["attempts"] += len(made)
