"""Persons: create, search for likely matches, read with contact history, update."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from mhu.api.common import (
    actor, documented_errors, etag_headers, idempotent, if_match_documented, or_404, required_if_match,
)
from mhu.auth import policy, requires
from mhu.services import persons
from schemas.persons import (
    PersonCandidateSchema, PersonCreateSchema, PersonMergeReadSchema, PersonMergeSchema, PersonReadSchema,
    PersonSearchQuerySchema, PersonUpdateSchema,
)

blp = Blueprint("persons", __name__, url_prefix="/api/v1/persons", description="Subjects and identity records")


def person_body(person, *, contacts=None, count=None) -> dict:
    """A person flattened with its identity record, for roles that may identify people."""
    identity = person.identity
    body = {
        "id": person.id, "gender": person.gender, "veteran": person.veteran,
        "housing_status": person.housing_status, "age_band": person.age_band,
        "sex": person.sex, "race_ethnicity": person.race_ethnicity,
        "merged_into_id": person.merged_into_id, "version": person.version, "created_at": person.created_at,
        "first_name": identity.first_name, "last_name": identity.last_name,
        "date_of_birth": identity.date_of_birth, "aliases": identity.aliases,
        "safety_flags": identity.safety_flags, "response_plan": identity.response_plan,
    }
    if contacts is not None:
        body["contacts"] = [
            {"call_id": c.id, "received_at": c.received_at, "nature": c.nature, "disposition": c.disposition,
             "risk_flags": c.risk_flags, "force_level": c.force_level}
            for c in contacts
        ]
    if count is not None:
        body["contact_count"] = count
    return body


@blp.route("")
class PersonCollection(MethodView):
    @requires(policy.can_identify_persons)
    @blp.arguments(PersonSearchQuerySchema, location="query")
    @blp.response(200, PersonCandidateSchema(many=True))
    @documented_errors(blp, 401, 403, 422)
    def get(self, query):
        """Likely matches for a name and/or date of birth, best first, with prior contacts."""
        ranked = persons.search_persons(
            actor=actor(), name=query.get("name"), date_of_birth=query.get("date_of_birth"), limit=query["limit"]
        )
        ids = [person.id for person, _, _ in ranked]
        history = persons.contact_history(person_ids=ids, limit=5)
        counts = persons.contact_counts(person_ids=ids)
        return [
            {**person_body(person, contacts=history[person.id], count=counts.get(person.id, 0)),
             "score": score, "exact_match": exact}
            for person, score, exact in ranked
        ]

    @requires(policy.can_identify_persons, policy.can_create_records)
    @idempotent
    @blp.arguments(PersonCreateSchema)
    @blp.response(201, PersonReadSchema)
    @documented_errors(blp, 401, 403)
    def post(self, data):
        """Create a person with an identity record."""
        person = persons.create_person(actor=actor(), data=data)
        headers = {"Location": url_for("persons.PersonItem", person_id=person.id), **etag_headers(person)}
        return person_body(person, contacts=[], count=0), headers


@blp.route("/<uuid:person_id>")
class PersonItem(MethodView):
    @requires(policy.can_identify_persons)
    @blp.response(200, PersonReadSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, person_id):
        """A person with identity, safety flags and contact history."""
        person = or_404(persons.read_person(actor=actor(), person_id=person_id))
        history = persons.contact_history(person_ids=[person.id], limit=50)[person.id]
        count = persons.contact_counts(person_ids=[person.id]).get(person.id, 0)
        return person_body(person, contacts=history, count=count), etag_headers(person)

    @requires(policy.can_identify_persons, policy.can_create_records)
    @blp.arguments(PersonUpdateSchema)
    @blp.response(200, PersonReadSchema)
    @if_match_documented(blp)
    @documented_errors(blp, 401, 403, 404, 409, 412, 428)
    def patch(self, data, person_id):
        """Change a person's attributes or identity; If-Match required."""
        person = or_404(persons.get_person(actor=actor(), person_id=person_id))
        person = persons.update_person(actor=actor(), person=person, data=data, expected_version=required_if_match())
        return person_body(person), etag_headers(person)


@blp.route("/<uuid:person_id>/merge")
class PersonMergeView(MethodView):
    @requires(policy.can_merge_persons)
    @blp.arguments(PersonMergeSchema)
    @blp.response(201, PersonMergeReadSchema)
    @documented_errors(blp, 401, 403, 404, 409, 422)
    def post(self, data, person_id):
        """Merge the person `merge_id` into this one (supervisors); its calls move here."""
        survivor = or_404(persons.get_person(actor=actor(), person_id=person_id))
        merged = or_404(persons.get_person(actor=actor(), person_id=data["merge_id"]))
        return persons.merge_persons(actor=actor(), survivor=survivor, merged=merged)


@blp.route("/merges/<int(max=2147483647):merge_id>/undo")
class PersonMergeUndo(MethodView):
    @requires(policy.can_merge_persons)
    @blp.response(200, PersonMergeReadSchema)
    @documented_errors(blp, 401, 403, 404, 409)
    def post(self, merge_id):
        """Undo a merge (supervisors): exactly the calls it moved go back."""
        merge = or_404(persons.get_merge(actor=actor(), merge_id=merge_id))
        return persons.undo_merge(actor=actor(), merge=merge)
