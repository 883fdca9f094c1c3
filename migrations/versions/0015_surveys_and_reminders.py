"""Anonymous surveys (invitations by token hash, answers keeping agency, team and month only, a
per-address throttle) and the follow-up reminder ledger (one row per follow-up and kind).

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03 17:00:00

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_throttle',
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('window_start', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('address_hash', name=op.f('pk_survey_throttle'))
    )
    op.create_table('survey_response',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('respected', sa.SmallInteger(), nullable=True),
    sa.Column('safer', sa.SmallInteger(), nullable=True),
    sa.Column('helped', sa.SmallInteger(), nullable=True),
    sa.Column('would_call_again', sa.SmallInteger(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('comment_state', sa.Enum('pending', 'approved', 'rejected', name='survey_comment_state', native_enum=False, create_constraint=True), nullable=True),
    sa.CheckConstraint('helped BETWEEN 1 AND 5', name=op.f('ck_survey_response_helped_scale')),
    sa.CheckConstraint('respected BETWEEN 1 AND 5', name=op.f('ck_survey_response_respected_scale')),
    sa.CheckConstraint('safer BETWEEN 1 AND 5', name=op.f('ck_survey_response_safer_scale')),
    sa.CheckConstraint('would_call_again BETWEEN 1 AND 5', name=op.f('ck_survey_response_would_call_again_scale')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_survey_response_agency_id_agency')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_survey_response_team_id_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_agency_month', ['agency_id', 'month'], unique=False)

    op.create_table('survey_invitation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('call_id', sa.Uuid(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_survey_invitation_agency_id_agency')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_survey_invitation_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_survey_invitation_issued_by_id_user')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_survey_invitation_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitation_token_hash'))
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_call_id'), ['call_id'], unique=False)

    op.create_table('followup_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('followup_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.Enum('due_soon', 'overdue', name='reminder_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', mhu.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', mhu.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['followup_id'], ['followup.id'], name=op.f('fk_followup_reminder_followup_id_followup'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_followup_reminder_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_reminder')),
    sa.UniqueConstraint('followup_id', 'kind', name=op.f('uq_followup_reminder_followup_id_kind'))
    )
    with op.batch_alter_table('followup_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_reminder_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('followup_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_reminder_user_id'))

    op.drop_table('followup_reminder')
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_call_id'))
        batch_op.drop_index(batch_op.f('ix_survey_invitation_agency_id'))

    op.drop_table('survey_invitation')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_response_agency_month')

    op.drop_table('survey_response')
    op.drop_table('survey_throttle')
