"""Login attempts per source address, counted atomically (services/login_limits.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:10:00

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('source_ip', sa.String(length=64), nullable=False),
    sa.Column('window_start', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source_ip', name=op.f('pk_login_throttle'))
    )


def downgrade():
    op.drop_table('login_throttle')
