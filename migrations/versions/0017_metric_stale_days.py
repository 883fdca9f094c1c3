"""Days whose day sums a write changed and no read has summed yet: a call's write marks its days
instead of summing them in its own transaction.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-04 02:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'metric_stale_day',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_metric_stale_day_agency_id_agency')),
        sa.PrimaryKeyConstraint('agency_id', 'local_date', name=op.f('pk_metric_stale_day')),
    )


def downgrade():
    # Days still marked keep their old sums in the older release: run `flask metrics refresh` after.
    op.drop_table('metric_stale_day')
