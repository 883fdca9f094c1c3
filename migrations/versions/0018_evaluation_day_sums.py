"""Evaluation day sums: every call of a day (patrol-only included) counted per eligibility-funnel
group, and the not-taken in-scope calls per weekday, hour and district, so the Evaluation page adds
up a few thousand rows instead of scanning a year of calls; and each call fact's hand-off facility
and seconds, so hand-off percentiles walk an index instead of the calls.

The rows are filled by `flask metrics refresh` (FACTS_VERSION 6 marks the facts stale; scripts/run.sh
and the deploy steps run `flask metrics refresh --if-stale`).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 08:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

MEASURES = (
    "calls", "located", "arrestable", "with_person", "arrest_rate", "use_of_force_rate", "injury_rate", "ed_use",
    "repeat_call_share", "diversion_from_arrest", "arrestable_arrests", "resolved_in_community", "ems_transport",
)


def upgrade():
    op.create_table(
        'evaluation_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('unit', sa.Boolean(), nullable=False),
        sa.Column('listed', sa.Boolean(), nullable=False),
        sa.Column('excluded', sa.Boolean(), nullable=False),
        sa.Column('within_hours', sa.Boolean(), nullable=False),
        sa.Column('requested', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_evaluation_day_agency_id_agency')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_day')),
    )
    op.create_index('ix_evaluation_day_agency_date', 'evaluation_day', ['agency_id', 'local_date'])
    op.create_table(
        'evaluation_gap_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('local_weekday', sa.SmallInteger(), nullable=False),
        sa.Column('local_hour', sa.SmallInteger(), nullable=False),
        sa.Column('district', sa.String(length=40), nullable=True),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_evaluation_gap_day_agency_id_agency')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_gap_day')),
    )
    op.create_index('ix_evaluation_gap_day_agency_date', 'evaluation_gap_day', ['agency_id', 'local_date'])
    with op.batch_alter_table('call_fact') as batch:
        batch.add_column(sa.Column('handoff_facility', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('handoff_seconds', sa.Integer(), nullable=True))
    handed_off = sa.text('handoff_seconds IS NOT NULL')
    op.create_index('ix_call_fact_handoff', 'call_fact', ['agency_id', 'handoff_facility', 'handoff_seconds', 'local_date'],
                    sqlite_where=handed_off, postgresql_where=handed_off)
    op.create_index('ix_call_fact_handoff_overall', 'call_fact', ['agency_id', 'handoff_seconds', 'local_date'],
                    sqlite_where=handed_off, postgresql_where=handed_off)


def downgrade():
    op.drop_index('ix_call_fact_handoff_overall', table_name='call_fact')
    op.drop_index('ix_call_fact_handoff', table_name='call_fact')
    with op.batch_alter_table('call_fact') as batch:
        batch.drop_column('handoff_seconds')
        batch.drop_column('handoff_facility')
    op.drop_index('ix_evaluation_gap_day_agency_date', table_name='evaluation_gap_day')
    op.drop_table('evaluation_gap_day')
    op.drop_index('ix_evaluation_day_agency_date', table_name='evaluation_day')
    op.drop_table('evaluation_day')
