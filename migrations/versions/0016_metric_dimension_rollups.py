"""Day sums per team, dimension rollups of the day's calls per team, the states of the follow-ups due each day, and the
completed follow-ups' re-crisis facts, and the contacts' chains per team.

The facts version moves to 3, so `flask metrics refresh --if-stale` (run by scripts/run.sh and
the deploy steps) fills the new table and columns after this migration.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-03 17:10:00

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'metric_dim_day',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('dimension', sa.String(length=40), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_metric_dim_day_agency_id_agency')),
        sa.PrimaryKeyConstraint('agency_id', 'dimension', 'local_date', 'team_id', 'key', name=op.f('pk_metric_dim_day')),
        sqlite_with_rowid=False,
    )
    counts = ['calls', 'located', 'arrestable', 'typed', 'arrest_rate', 'jail_diversion_rate', 'diversion_from_arrest',
              'resolved_in_community', 'ed_use', 'emergency_detention_rate', 'connection_to_services',
              'use_of_force_rate', 'injury_rate', 'cit_presence', 'call_type_reclassified', 'followups_due',
              'followups_on_time', 'followups_closed', 'followups_completed', 'followups_due_closed',
              'followups_due_attempted', 'with_response', 'with_response_from_received', 'with_on_scene']
    op.create_table(
        'metric_team_day',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in counts),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_metric_team_day_agency_id_agency')),
        sa.PrimaryKeyConstraint('agency_id', 'team_id', 'local_date', name=op.f('pk_metric_team_day')),
    )
    op.create_table(
        'followup_fact',
        sa.Column('followup_id', sa.Uuid(), nullable=False),
        sa.Column('call_id', sa.Uuid(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('closed_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('person_id', sa.Uuid(), nullable=False),
        sa.Column('recrisis', sa.Boolean(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('district', sa.String(length=40), nullable=True),
        sa.Column('call_source', sa.String(length=40), nullable=False),
        sa.Column('sim_intercept', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_followup_fact_agency_id_agency')),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_followup_fact_call_id_call'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['followup_id'], ['followup.id'], name=op.f('fk_followup_fact_followup_id_followup'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('followup_id', name=op.f('pk_followup_fact')),
    )
    with op.batch_alter_table('followup_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_fact_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_followup_fact_closed', ['agency_id', 'closed_at', 'person_id', 'recrisis', 'team_id',
                                                          'district', 'call_source', 'sim_intercept'], unique=False)
        batch_op.create_index('ix_followup_fact_person', ['person_id'], unique=False)
    with op.batch_alter_table('call_fact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_previous_contact_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('team_previous_repeat_date', sa.Date(), nullable=True))
        batch_op.create_index('ix_call_fact_team_contacts', ['agency_id', 'team_id', 'local_date',
                                                             'team_previous_contact_date', 'team_previous_repeat_date',
                                                             'gap_seconds', 'contact_person_id'], unique=False)
    for table in ('metric_day', 'metric_total_day'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('followups_due_closed', sa.Integer(), server_default='0', nullable=False))
            batch_op.add_column(sa.Column('followups_due_attempted', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    for table in ('metric_total_day', 'metric_day'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('followups_due_attempted')
            batch_op.drop_column('followups_due_closed')
    with op.batch_alter_table('call_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_call_fact_team_contacts')
        batch_op.drop_column('team_previous_repeat_date')
        batch_op.drop_column('team_previous_contact_date')
    op.drop_table('followup_fact')
    op.drop_table('metric_team_day')
    op.drop_table('metric_dim_day')
