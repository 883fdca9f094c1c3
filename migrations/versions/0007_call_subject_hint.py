"""Subject names typed on calls saved without a linked person (the "needs a subject" list).

Revision ID: 0007_call_subject_hint
Revises: 0006
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


# revision identifiers, used by Alembic.
revision = '0007_call_subject_hint'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_subject_hint',
    sa.Column('call_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('typed_date_of_birth', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_call_subject_hint_agency_id_agency')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_subject_hint_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_call_subject_hint_created_by_id_user')),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_call_subject_hint'))
    )
    with op.batch_alter_table('call_subject_hint', schema=None) as batch_op:
        batch_op.create_index('ix_call_subject_hint_creator', ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('call_subject_hint', schema=None) as batch_op:
        batch_op.drop_index('ix_call_subject_hint_creator')
    op.drop_table('call_subject_hint')
