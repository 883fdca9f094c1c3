"""Index person_identity.date_of_birth for date-of-birth searches and matcher blocking.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 20:05:00

"""
from alembic import op

import mhu.models.types  # noqa: F401  (kept for autogenerate's rendered types)

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_identity_date_of_birth'), ['date_of_birth'], unique=False)


def downgrade():
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_identity_date_of_birth'))
