"""PostgreSQL: the call's references (agency, team, person, its three users) and its code lists'
reference to the call are checked once per statement, by triggers that see the statement's rows
together, instead of by foreign keys, which PostgreSQL checks with a query per row: 14 s of a
million-row import's 59 s (bench/README.md "Import"). mhu/models/references.py has the rules (the
same locks, refusals and cascade as the foreign keys) and the statements. SQLite keeps the
foreign keys: nothing changes there.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 06:00:00

"""
from alembic import op

from mhu.models.references import Reference, postgresql_create, postgresql_drop

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

# The references as this revision made them (models may change the list later; this one stays).
REFERENCES = (
    Reference("call", "agency_id", "agency"),
    Reference("call", "team_id", "team"),
    Reference("call", "person_id", "person", key_type="uuid"),
    Reference("call", "created_by_id", "user"),
    Reference("call", "updated_by_id", "user"),
    Reference("call", "voided_by_id", "user"),
    Reference("call_presenting_problem", "call_id", "call", cascade=True, key_type="uuid"),
    Reference("call_risk_flag", "call_id", "call", cascade=True, key_type="uuid"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for ref in REFERENCES:
        op.drop_constraint(ref.name, ref.table, type_="foreignkey")
    for statement in postgresql_create(REFERENCES):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in postgresql_drop(REFERENCES):
        op.execute(statement)
    for ref in REFERENCES:
        op.create_foreign_key(ref.name, ref.table, ref.parent, [ref.column], ["id"],
                              ondelete="CASCADE" if ref.cascade else None)
