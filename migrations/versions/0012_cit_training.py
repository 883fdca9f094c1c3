"""CIT training roster: completed courses per officer (course, hours, date, certifying body).

Revision ID: 0012
Revises: 0008_call_district_index
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


revision = '0012'
down_revision = '0008_call_district_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cit_training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('certifying_body', sa.String(length=200), nullable=True),
    sa.Column('created_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('hours > 0 AND hours <= 1000', name=op.f('ck_cit_training_hours_range')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_cit_training_agency_id_agency')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_cit_training_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_cit_training_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cit_training')),
    sa.UniqueConstraint('user_id', 'course', 'completed_on', name=op.f('uq_cit_training_user_id_course_completed_on'))
    )
    with op.batch_alter_table('cit_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cit_training_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cit_training_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cit_training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cit_training_user_id'))
        batch_op.drop_index(batch_op.f('ix_cit_training_agency_id'))
    op.drop_table('cit_training')
