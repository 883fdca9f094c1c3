"""Import batch schemas (the upload is multipart; this documents its parts)."""

from marshmallow import Schema, fields

from mhu.models.imports import BATCH_STATUSES
from schemas.common import enum_field


class ImportStartSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary",
                                               "description": "CSV (any common encoding and delimiter) or XLSX"})
    profile = fields.String(metadata={"description": "A stored or shipped profile's name, or the profile JSON"})
    profile_file = fields.Raw(metadata={"type": "string", "format": "binary", "description": "The profile as a JSON file"})
    dry_run = fields.Boolean(metadata={"description": "Map and count every row, write nothing"})
    team_id = fields.Integer(metadata={"description": "Team the calls are recorded for (default: the agency's first)"})
    sheet = fields.String(metadata={"description": "XLSX: the sheet to read (default: the first)"})


class ImportCountsSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    skipped = fields.Integer(metadata={"description": "Rows repeating a key, left out by duplicate_keys"})
    warnings = fields.Integer(metadata={"description": "Imported rows with a warning (a time cleared, a date without time)"})


class ImportBatchSchema(Schema):
    id = fields.UUID()
    status = enum_field(BATCH_STATUSES)
    dry_run = fields.Boolean()
    filename = fields.String()
    profile_name = fields.String()
    team_id = fields.Integer()
    rows_done = fields.Integer()
    rows_total = fields.Integer(allow_none=True)
    counts = fields.Method("get_counts", metadata={"description": "created, updated, unchanged, rejected, skipped, warnings"})
    errors = fields.List(fields.Dict(), metadata={"description": "The first 100 rows with errors or warnings"})
    error_summary = fields.Dict(metadata={"description": "Each reason and how many rows had it"})
    preview = fields.List(fields.Dict(), metadata={"description": "The first 20 mapped rows and what they do"})
    failure = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(format="iso")
    finished_at = fields.AwareDateTime(format="iso", allow_none=True)
    undone_at = fields.AwareDateTime(format="iso", allow_none=True)

    def get_counts(self, batch):
        return batch.counts()
