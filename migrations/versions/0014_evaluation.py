"""Program evaluation: who responded, why a call was not taken, facility hand-off times; per-agency
eligibility rules and unit costs; per-team program start date. Patrol-only calls carry no team.

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None

RESPONDER_TYPES = ('co_responder', 'clinician_only', 'officer_only_cit', 'patrol_only')
NOT_TAKEN_REASONS = ('no_unit_available', 'outside_hours', 'safety_exclusion', 'not_requested', 'cancelled', 'other')


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responder_type', sa.Enum(*RESPONDER_TYPES, name='responder_type', native_enum=False, create_constraint=True), server_default='co_responder', nullable=False))
        batch_op.add_column(sa.Column('not_taken_reason', sa.Enum(*NOT_TAKEN_REASONS, name='not_taken_reason', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('handoff_facility', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('arrived_at_facility', mhu.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('released_at', mhu.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('team_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint('team_unless_patrol', "team_id IS NOT NULL OR responder_type = 'patrol_only'")
        batch_op.create_index('ix_call_agency_responder_date', ['agency_id', 'responder_type', 'local_date'], unique=False)
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligibility', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('unit_costs', sa.JSON(), nullable=True))
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('program_start_date', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('program_start_date')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('unit_costs')
        batch_op.drop_column('eligibility')
    op.execute("DELETE FROM call WHERE team_id IS NULL")
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_agency_responder_date')
        batch_op.drop_constraint('team_unless_patrol', type_='check')
        batch_op.drop_constraint('not_taken_reason', type_='check')
        batch_op.drop_constraint('responder_type', type_='check')
        batch_op.alter_column('team_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('released_at')
        batch_op.drop_column('arrived_at_facility')
        batch_op.drop_column('handoff_facility')
        batch_op.drop_column('not_taken_reason')
        batch_op.drop_column('responder_type')
