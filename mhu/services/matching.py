"""Fuzzy person matching: who, among the agency's persons, is the subject the team is meeting?

Two steps, so a search stays fast with ~50k persons per agency:

1. `candidate_query` narrows in SQL: the keyed hash (exact name + date of birth), plausible dates
   of birth (same, day/month swapped, one part mistyped), and names sharing an initial with any
   token of the query or of its nickname variants (first or last name, so swapped names are kept).
2. `rank_candidates` scores the remainder with rapidfuzz over normalised names (accents, hyphens,
   case and spacing removed by `normalise_name`), nicknames mapped to one formal name, token order
   ignored (swapped first/last), plus a date-of-birth similarity.

Known limit: a name mistyped in the first letter of every token is only found through its date of
birth.
"""

import hashlib
import hmac
import unicodedata
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from rapidfuzz import fuzz, process

from mhu.extensions import db
from mhu.models import Person, PersonIdentity


def normalise_name(name: str) -> str:
    """Lower case, accents and punctuation removed, single spaces: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in letters.lower())
    return " ".join(cleaned.split())


def match_key(first_name: str, last_name: str, date_of_birth: date | None) -> str | None:
    """Keyed hash of normalised name + date of birth; None without a date of birth."""
    if date_of_birth is None:
        return None
    secret = (current_app.config.get("PERSON_MATCH_KEY") or current_app.config["SECRET_KEY"]).encode()
    message = f"{normalise_name(first_name)}|{normalise_name(last_name)}|{date_of_birth.isoformat()}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


NAME_WEIGHT = 0.7
DOB_WEIGHT = 0.3
MIN_SCORE = 60.0
# Nickname matches score just below a literal match, so "Bob Smith" ranks a "Bob" above a "Robert".
NICKNAME_FACTOR = 0.97
# A query that is a subset of a longer name ("Maria Garcia" for "Maria Garcia Lopez") is likely, not certain.
SUBSET_FACTOR = 0.95

# formal name -> common nicknames and short forms (English usage; extend as the agency needs).
NICKNAMES = {
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "william": ("bill", "billy", "will", "willy", "liam"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "libby"),
    "james": ("jim", "jimmy", "jamie"),
    "katherine": ("kate", "katie", "kathy", "kat", "kitty", "catherine", "kathryn", "cathy"),
    "michael": ("mike", "mikey", "mick", "mickey"),
    "richard": ("rick", "ricky", "dick", "rich", "richie"),
    "thomas": ("tom", "tommy"),
    "joseph": ("joe", "joey"),
    "charles": ("charlie", "chuck", "chas"),
    "christopher": ("chris", "kit", "topher"),
    "daniel": ("dan", "danny"),
    "matthew": ("matt", "matty"),
    "anthony": ("tony",),
    "edward": ("ed", "eddie", "ted", "ned"),
    "steven": ("steve", "stevie", "stephen"),
    "andrew": ("andy", "drew"),
    "joshua": ("josh",),
    "benjamin": ("ben", "benny"),
    "samuel": ("sam", "sammy"),
    "alexander": ("alex", "al", "xander", "sasha"),
    "nicholas": ("nick", "nicky"),
    "jonathan": ("jon", "johnny"),
    "john": ("jack", "johnny"),
    "david": ("dave", "davey"),
    "timothy": ("tim", "timmy"),
    "patrick": ("pat", "paddy"),
    "margaret": ("maggie", "meg", "peggy", "marge"),
    "jennifer": ("jen", "jenny"),
    "patricia": ("patty", "trish", "tricia"),
    "susan": ("sue", "susie"),
    "deborah": ("deb", "debbie"),
    "rebecca": ("becky", "becca"),
    "victoria": ("vicky", "tori"),
    "jessica": ("jess", "jessie"),
    "samantha": ("sam", "sammy"),
    "abigail": ("abby", "gail"),
    "dorothy": ("dot", "dottie"),
    "gregory": ("greg",),
    "kenneth": ("ken", "kenny"),
    "ronald": ("ron", "ronnie"),
    "donald": ("don", "donnie"),
    "gerald": ("gerry", "jerry"),
    "francisco": ("paco", "pancho", "frank"),
    "jose": ("pepe",),
    "alejandro": ("alex", "ale"),
    "guillermo": ("memo", "billy"),
}
# Letters people and dispatchers confuse at the start of a name (Katherine/Catherine, Geoff/Jeff).
INITIAL_EQUIVALENTS = {"c": "ck", "k": "kc", "g": "gj", "j": "jg", "i": "iy", "y": "yi", "s": "sz", "z": "zs", "f": "fp", "p": "pf"}

_FORMAL = {}
for _formal, _nicks in NICKNAMES.items():
    _FORMAL.setdefault(_formal, _formal)
    for _nick in _nicks:
        _FORMAL.setdefault(_nick, _formal)  # the first formal listed wins for shared nicknames (sam)


def canonical_name(normalised: str) -> str:
    """Each token replaced by its formal name: 'bob smith' -> 'robert smith'."""
    return " ".join(_FORMAL.get(token, token) for token in normalised.split())


def name_variants(token: str) -> set[str]:
    """A token, its formal name and that name's nicknames."""
    formal = _FORMAL.get(token, token)
    return {token, formal, *NICKNAMES.get(formal, ())}


def name_initials(normalised: str) -> set[str]:
    """First letters a matching name may start any of its tokens with."""
    return set().union(*(_token_initials(token) for token in normalised.split()))


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dob_similarity(wanted: date, candidate: date | None) -> float:
    """1 for the same date, 0.9 for swapped day/month, 0.6 for one part mistyped, else 0."""
    if candidate is None:
        return 0.0
    if wanted == candidate:
        return 1.0
    if wanted.year == candidate.year and wanted.month == candidate.day and wanted.day == candidate.month:
        return 0.9
    same = sum((wanted.year == candidate.year, wanted.month == candidate.month, wanted.day == candidate.day))
    return 0.6 if same == 2 else 0.0


def _dob_conditions(dob: date) -> list:
    """Plausible dates of birth as plain comparisons (no per-row date functions)."""
    column = PersonIdentity.date_of_birth
    plausible = {dob, _valid_date(dob.year, dob.day, dob.month)}
    plausible |= {_valid_date(dob.year, month, dob.day) for month in range(1, 13)}  # month mistyped
    years = {dob.year + delta for delta in range(-10, 11)}
    years.add(int(str(dob.year)[:2] + str(dob.year)[3] + str(dob.year)[2]))  # 1987 typed 1978
    plausible |= {_valid_date(year, dob.month, dob.day) for year in years}  # year mistyped
    plausible.discard(None)
    month_start = dob.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return [column.in_(sorted(plausible)), column.between(month_start, month_end)]  # or the day mistyped


def _starts_any(column, letters, *, first_token: bool):
    if first_token:
        return sa.func.substr(column, 1, 1).in_(sorted(letters))
    return sa.or_(*(column.like(f"% {letter}%") for letter in sorted(letters)))


def _token_initials(token: str) -> set[str]:
    initials = set()
    for variant in name_variants(token):
        initials.update(INITIAL_EQUIVALENTS.get(variant[0], variant[0]))
    return initials


def _name_conditions(normalised: str, *, broad: bool) -> list:
    """Blocking on initials: first and last token both (in either order), or, broad, any one of them."""
    tokens = normalised.split()
    name = PersonIdentity.search_name
    aliases_text = sa.func.lower(sa.cast(PersonIdentity.aliases, sa.String))
    if broad or len(tokens) == 1:
        letters = name_initials(normalised)
        return [
            _starts_any(name, letters, first_token=True), _starts_any(name, letters, first_token=False),
            sa.or_(*(aliases_text.like(f'%"{letter}%') for letter in sorted(letters))),
        ]
    first, last = _token_initials(tokens[0]), _token_initials(tokens[-1])
    return [
        sa.and_(_starts_any(name, first, first_token=True), _starts_any(name, last, first_token=False)),
        sa.and_(_starts_any(name, last, first_token=True), _starts_any(name, first, first_token=False)),
        sa.and_(
            sa.or_(*(aliases_text.like(f'%"{letter}%') for letter in sorted(first | last))),
            sa.or_(*(aliases_text.like(f"% {letter}%") for letter in sorted(first | last))),
        ),
    ]


def candidate_query(
    *, agency_id: int, name: str | None, date_of_birth: date | None, exact_key: str | None, broad: bool = False,
) -> sa.Select:
    """Rows (person_id, search_name, aliases, date_of_birth, match_key) worth scoring."""
    conditions = []
    if exact_key:
        conditions.append(PersonIdentity.match_key == exact_key)
    if date_of_birth:
        conditions += _dob_conditions(date_of_birth)
    normalised = normalise_name(name) if name else ""
    if normalised:
        conditions += _name_conditions(normalised, broad=broad)
    return (
        sa.select(PersonIdentity.person_id, PersonIdentity.search_name, PersonIdentity.aliases,
                  PersonIdentity.date_of_birth, PersonIdentity.match_key)
        .join(Person, Person.id == PersonIdentity.person_id)
        .where(Person.agency_id == agency_id, Person.merged_into_id.is_(None), sa.or_(*conditions or [sa.false()]))
    )


def candidate_rows(
    *, agency_id: int, name: str | None, date_of_birth: date | None, exact_key: str | None, broad: bool = False,
) -> list:
    """The SQL-narrowed candidates for a search."""
    return db.session.execute(candidate_query(
        agency_id=agency_id, name=name, date_of_birth=date_of_birth, exact_key=exact_key, broad=broad,
    )).all()


def find_candidates(*, agency_id: int, name: str | None, date_of_birth: date | None, exact_key: str | None, limit: int):
    """Ranked [(person_id, score, exact)]: tight blocking first, broadened when it finds no strong match."""
    rows = candidate_rows(agency_id=agency_id, name=name, date_of_birth=date_of_birth, exact_key=exact_key)
    ranked = rank_candidates(rows, name=name, date_of_birth=date_of_birth, exact_key=exact_key, limit=limit)
    if name and len(normalise_name(name).split()) > 1 and len(ranked) < limit:
        # A mistyped initial escapes the tight block; when it leaves the list short, one wider pass.
        rows = candidate_rows(agency_id=agency_id, name=name, date_of_birth=date_of_birth, exact_key=exact_key, broad=True)
        ranked = rank_candidates(rows, name=name, date_of_birth=date_of_birth, exact_key=exact_key, limit=limit)
    return ranked


def _best_scores(query: str, choices: list[str], owners: list[int], factor: float, best: dict) -> None:
    """Fold rapidfuzz scores of `query` against `choices` into best[owner] (max over scorers)."""
    if not choices:
        return
    squashed_query = query.replace(" ", "")
    squashed = [c.replace(" ", "") for c in choices]
    passes = (
        (query, choices, fuzz.token_sort_ratio, 1.0),  # typos, swapped first/last
        (query, choices, fuzz.token_set_ratio, SUBSET_FACTOR),  # middle names, double surnames
        (squashed_query, squashed, fuzz.ratio, 1.0),  # "Mc Donald" vs "McDonald"
    )
    for wanted, pool, scorer, weight in passes:
        for _, score, index in process.extract(wanted, pool, scorer=scorer, limit=None, score_cutoff=40):
            owner = owners[index]
            value = score * weight * factor
            if value > best.get(owner, 0.0):
                best[owner] = value


def name_scores(wanted: str, rows) -> dict:
    """{row index: 0-100} name similarity against each row's name and aliases, nicknames resolved."""
    choices, owners = [], []
    for index, row in enumerate(rows):
        for candidate in (row[1], *(normalise_name(a) for a in row[2] or [])):
            if candidate:
                choices.append(candidate)
                owners.append(index)
    best: dict = {}
    _best_scores(wanted, choices, owners, 1.0, best)
    _best_scores(canonical_name(wanted), [canonical_name(c) for c in choices], owners, NICKNAME_FACTOR, best)
    return best


def rank_candidates(rows, *, name, date_of_birth, exact_key, limit):
    """[(person_id, score, exact)] best first, for rows of (person_id, search_name, aliases, dob, match_key)."""
    wanted = normalise_name(name) if name else ""
    names = name_scores(wanted, rows) if wanted else {}
    scored = []
    for index, (person_id, _, _, dob, key) in enumerate(rows):
        if exact_key is not None and key == exact_key:
            scored.append((person_id, 100.0, True))
            continue
        dob_score = 100 * dob_similarity(date_of_birth, dob) if date_of_birth else 0.0
        if wanted and date_of_birth:
            score = NAME_WEIGHT * names.get(index, 0.0) + DOB_WEIGHT * dob_score
        elif wanted:
            score = names.get(index, 0.0)
        else:
            score = dob_score
        if score >= MIN_SCORE:
            scored.append((person_id, round(score, 1), False))
    scored.sort(key=lambda item: (-item[1], str(item[0])))
    return scored[:limit]
