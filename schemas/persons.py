"""Person schemas: de-identified attributes plus the identity record for roles that identify."""

from marshmallow import fields, validate

from mhu import enums
from schemas.common import Day, StrictSchema, enum_field, enum_list, text


class PersonCreateSchema(StrictSchema):
    first_name = text(80, required=True)
    last_name = text(80, required=True)
    date_of_birth = Day(allow_none=True)
    aliases = fields.List(text(120), validate=validate.Length(max=20))
    gender = enum_field(enums.GENDERS)
    veteran = fields.Boolean(allow_none=True)
    housing_status = enum_field(enums.HOUSING_STATUSES)
    age_band = enum_field(enums.AGE_BANDS)
    safety_flags = enum_list(enums.SAFETY_FLAGS)
    response_plan = text(5000, allow_none=True)
    sex = enum_field(enums.SEXES, metadata={"description": "Optional, for equity reporting; default not_recorded"})
    race_ethnicity = enum_list(enums.RACE_ETHNICITY, validate=validate.Length(max=len(enums.RACE_ETHNICITY)),
                               metadata={"description": "Optional OMB categories, several allowed; [] = not recorded"})


class PersonUpdateSchema(PersonCreateSchema):
    first_name = text(80)
    last_name = text(80)


class ContactSchema(StrictSchema):
    """One prior call, as shown to the team before they arrive."""

    call_id = fields.UUID()
    received_at = fields.AwareDateTime(format="iso")
    nature = fields.String()
    disposition = fields.String(allow_none=True)
    risk_flags = fields.List(fields.String())
    force_level = fields.String()


class PersonReadSchema(StrictSchema):
    id = fields.UUID()
    first_name = fields.String()
    last_name = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    aliases = fields.List(fields.String())
    gender = fields.String()
    veteran = fields.Boolean(allow_none=True)
    housing_status = fields.String()
    age_band = fields.String()
    safety_flags = fields.List(fields.String())
    response_plan = fields.String(allow_none=True)
    sex = fields.String()
    race_ethnicity = fields.List(fields.String())
    merged_into_id = fields.UUID(allow_none=True)
    version = fields.Integer()
    created_at = fields.AwareDateTime(format="iso")
    contact_count = fields.Integer()
    contacts = fields.List(fields.Nested(ContactSchema))


class PersonCandidateSchema(PersonReadSchema):
    score = fields.Float(metadata={"description": "Match score 0-100, higher is more likely the same person"})
    exact_match = fields.Boolean(metadata={"description": "Name and date of birth match exactly"})


class PersonSearchQuerySchema(StrictSchema):
    name = text(160, min_length=1)
    date_of_birth = Day()
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class PersonMergeSchema(StrictSchema):
    merge_id = fields.UUID(required=True, metadata={"description": "The person folded into this one"})


class PersonMergeReadSchema(StrictSchema):
    id = fields.Integer()
    survivor_id = fields.UUID()
    merged_id = fields.UUID()
    moved_call_ids = fields.List(fields.String())
    merged_at = fields.AwareDateTime(format="iso")
    undone_at = fields.AwareDateTime(format="iso", allow_none=True)
