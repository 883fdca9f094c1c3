"""Index call (agency_id, district): the dashboard's district list reads it by index skips.

Revision ID: 0008_call_district_index
Revises: 0009
Create Date: 2026-12-03 14:50:00

"""
from alembic import op

revision = '0008_call_district_index'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_agency_district', ['agency_id', 'district'], unique=False)


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_agency_district')
