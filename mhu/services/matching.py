"""Fuzzy person matching: names compared with rapidfuzz, dates of birth with typo tolerance."""

from datetime import date

from rapidfuzz import fuzz

from mhu.services.persons import normalise_name

NAME_WEIGHT = 0.7
DOB_WEIGHT = 0.3
MIN_SCORE = 55.0


def dob_similarity(wanted: date, candidate: date | None) -> float:
    """1 for the same date, partial credit for a swapped day/month or a one-field typo."""
    if candidate is None:
        return 0.0
    if wanted == candidate:
        return 1.0
    if wanted.year == candidate.year and wanted.month == candidate.day and wanted.day == candidate.month:
        return 0.85
    same = sum((wanted.year == candidate.year, wanted.month == candidate.month, wanted.day == candidate.day))
    return 0.6 if same == 2 else 0.0


def name_similarity(wanted: str, search_name: str, aliases) -> float:
    """Best of token-set and plain ratio against the name and each alias, 0-100."""
    best = 0.0
    for candidate in [search_name, *(normalise_name(a) for a in aliases or [])]:
        score = max(fuzz.token_sort_ratio(wanted, candidate), fuzz.WRatio(wanted, candidate) * 0.95)
        best = max(best, score)
    return best


def rank_candidates(rows, *, name, date_of_birth, exact_key, limit):
    """[(person_id, score, exact)] for rows of (person_id, search_name, aliases, dob, match_key)."""
    wanted = normalise_name(name) if name else None
    scored = []
    for person_id, search_name, aliases, dob, key in rows:
        exact = exact_key is not None and key == exact_key
        if exact:
            scored.append((person_id, 100.0, True))
            continue
        if wanted and date_of_birth:
            score = NAME_WEIGHT * name_similarity(wanted, search_name, aliases) + DOB_WEIGHT * 100 * dob_similarity(date_of_birth, dob)
        elif wanted:
            score = name_similarity(wanted, search_name, aliases)
        else:
            score = 100 * dob_similarity(date_of_birth, dob)
        if score >= MIN_SCORE:
            scored.append((person_id, round(score, 1), False))
    scored.sort(key=lambda item: (-item[1], str(item[0])))
    return scored[:limit]
