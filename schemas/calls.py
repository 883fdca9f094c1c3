"""Call schemas (DESIGN.md section 3: field names are the API contract)."""

from marshmallow import fields, validate

from mhu import enums
from schemas.care import ReferralCreateSchema
from schemas.common import (
    Day, Instant, PageMetaSchema, PageQuerySchema, StrictSchema, enum_field, enum_list, id_field, text,
)


class InjurySchema(StrictSchema):
    party = enum_field(enums.INJURY_PARTIES, required=True)
    severity = enum_field(enums.INJURY_SEVERITIES, required=True)


def _time(**kwargs):
    return Instant(**kwargs)


class CallFieldsSchema(StrictSchema):
    """Fields a client may write; every one optional, as loaded for PATCH."""

    incident_number = text(40, allow_none=True)
    received_at = _time()
    dispatched_at = _time(allow_none=True)
    arrived_at = _time(allow_none=True)
    cleared_at = _time(allow_none=True)
    call_source = enum_field(enums.CALL_SOURCES)
    nature = enum_field(enums.NATURES)
    initial_call_type = text(40, allow_none=True)
    final_call_type = text(40, allow_none=True)
    presenting_problems = enum_list(enums.PRESENTING_PROBLEMS)
    risk_flags = enum_list(enums.RISK_FLAGS)
    sim_intercept = fields.Integer(
        strict=True, validate=validate.OneOf(enums.SIM_INTERCEPTS),
        metadata={"description": "Sequential Intercept Model stage; default 1 when an officer responded, else 0"},
    )
    arrestable_offense = enum_field(enums.ARRESTABLE_OFFENSES)
    team_id = id_field()
    person_id = fields.UUID(allow_none=True)
    district = text(40, allow_none=True)
    beat = text(40, allow_none=True)
    address = text(200, allow_none=True)
    latitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=-180, max=180))
    cit_officer_on_scene = fields.Boolean()
    transfer_in = enum_field(enums.TRANSFERS)
    transfer_out = enum_field(enums.TRANSFERS)
    force_level = enum_field(enums.FORCE_LEVELS)
    injuries = fields.List(fields.Nested(InjurySchema))
    disposition = enum_field(enums.DISPOSITIONS, allow_none=True)
    legal_hold_type = text(20, allow_none=True)
    followup_required = fields.Boolean()
    narrative = text(20_000, allow_none=True)
    responder_type = enum_field(enums.RESPONDER_TYPES, metadata={
        "description": "Who responded; patrol_only: the unit did not attend (the call has no team and stays out "
                       "of the unit's metrics)"})
    not_taken_reason = enum_field(enums.NOT_TAKEN_REASONS, allow_none=True, metadata={
        "description": "Why the unit did not take a call in scope of its eligibility rules"})
    handoff_facility = text(120, allow_none=True, metadata={
        "description": "Emergency department or crisis facility the call ended at"})
    arrived_at_facility = _time(allow_none=True)
    released_at = _time(allow_none=True, metadata={"description": "When the facility released the team"})


def _referrals():
    return fields.List(fields.Nested(ReferralCreateSchema), load_only=True, metadata={
        "description": "Referrals made on the call, recorded with it; a resolved_with_referral or "
                       "referred_to_other_agency disposition needs at least one",
    })


class CallCreateSchema(CallFieldsSchema):
    id = fields.UUID(metadata={"description": "A client may send its own UUID (offline entry)"})
    referrals = _referrals()
    subject_name = text(200, load_only=True, metadata={
        "description": "A subject typed without choosing a person (offline): linked when exactly one "
                       "person matches name and date of birth, else kept for the author's 'needs a subject' list",
    })
    subject_date_of_birth = Day(load_only=True)
    received_at = _time(required=True)
    call_source = enum_field(enums.CALL_SOURCES, required=True)
    nature = enum_field(enums.NATURES, required=True)


class CallUpdateSchema(CallFieldsSchema):
    """PATCH body: any subset of the writable fields; `referrals` adds new referrals."""

    referrals = _referrals()


class CallReadSchema(CallFieldsSchema):
    id = fields.UUID()
    agency_id = fields.Integer()
    version = fields.Integer()
    created_at = _time()
    created_by = fields.Integer()
    updated_at = _time()
    voided_at = _time(allow_none=True)
    void_reason = fields.String(allow_none=True)


class CallVoidSchema(StrictSchema):
    reason = text(500, min_length=3, required=True)


class CallQuerySchema(PageQuerySchema):
    # `from` is a Python keyword, hence data_key.
    date_from = Day(data_key="from", metadata={"description": "First local date (agency time zone), inclusive"})
    date_to = Day(data_key="to", metadata={"description": "Last local date (agency time zone), inclusive"})
    team_id = id_field(strict=False)
    district = text(40)
    disposition = enum_field(enums.DISPOSITIONS)
    sim_intercept = fields.Integer(validate=validate.OneOf(enums.SIM_INTERCEPTS))
    call_source = enum_field(enums.CALL_SOURCES)
    person_id = fields.UUID()
    open = fields.Boolean(metadata={"description": "Only calls missing a disposition or a time"})


class CallExportQuerySchema(CallQuerySchema):
    """The list's filters; paging does not apply to the export (every matching call)."""

    class Meta(CallQuerySchema.Meta):
        exclude = ("page", "per_page")


class CallPageSchema(PageMetaSchema):
    items = fields.List(fields.Nested(CallReadSchema))
