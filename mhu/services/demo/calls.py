"""Demo data, part two: the rows of one call and what follows it (referrals, follow-ups).

`CallWriter` is mixed into the generator in `services/demo.py`, which holds the random stream,
the anchor time, the users and teams, and the row buffers these methods fill.
"""

import random
import uuid
from bisect import bisect
from datetime import datetime, timezone

from mhu.services.demo import vocab as V
from mhu.services.localtime import local_parts

DAY = 86_400
HOUR = 3_600
OPEN_WINDOW_HOURS = 36  # calls this recent may still be open (no disposition, not cleared)


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
    "AGE_BANDS", "GENDERS", "RACE", "HOUSING", "SAFETY_FLAGS", "CONTACT_PROFILES", "CALL_SOURCES",
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


class CallWriter:
    """Builds the rows of one call and its referrals, follow-up and attempts."""

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _when(self, epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, timezone.utc)

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
