"""Dimension rollups of the day's calls per team, and the states of the follow-ups due each day.

The facts version moves to 3, so `flask metrics refresh --if-stale` (run by scripts/run.sh and
the deploy steps) fills the new table and columns after this migration.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-03 17:10:00

"""
from alembic import op
import sqlalchemy as sa


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
    for table in ('metric_day', 'metric_total_day'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('followups_due_closed', sa.Integer(), server_default='0', nullable=False))
            batch_op.add_column(sa.Column('followups_due_attempted', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    for table in ('metric_total_day', 'metric_day'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('followups_due_attempted')
            batch_op.drop_column('followups_due_closed')
    op.drop_table('metric_dim_day')
