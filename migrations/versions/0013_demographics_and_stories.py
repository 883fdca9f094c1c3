"""Equity reporting and stories: person.sex, person_race (OMB categories, several per person), call_story
(a de-identified summary a supervisor approves for sharing).

Revision ID: 0013
Revises: 0016
Create Date: 2026-12-03 16:50:04.628646

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


revision = '0013'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_race',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('category', sa.Enum('american_indian_or_alaska_native', 'asian', 'black_or_african_american', 'hispanic_or_latino', 'middle_eastern_or_north_african', 'native_hawaiian_or_other_pacific_islander', 'white', name='race_ethnicity', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_race_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'category', name=op.f('pk_person_race'))
    )
    op.create_table('call_story',
    sa.Column('call_id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=600), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'withdrawn', name='story_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=False),
    sa.Column('written_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', mhu.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(summary) <= 600', name=op.f('ck_call_story_summary_length')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_call_story_agency_id_agency')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_call_story_approved_by_id_user')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_story_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['written_by_id'], ['user.id'], name=op.f('fk_call_story_written_by_id_user')),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_call_story'))
    )
    with op.batch_alter_table('call_story', schema=None) as batch_op:
        batch_op.create_index('ix_call_story_agency_status', ['agency_id', 'status'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sex', sa.Enum('female', 'male', 'another', 'not_recorded', name='sex', native_enum=False, create_constraint=True), server_default='not_recorded', nullable=False))



def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        # The enum's CHECK names the column: on SQLite the rebuilt table would keep it otherwise.
        batch_op.drop_constraint(op.f('ck_person_sex'), type_='check')
        batch_op.drop_column('sex')

    with op.batch_alter_table('call_story', schema=None) as batch_op:
        batch_op.drop_index('ix_call_story_agency_status')

    op.drop_table('call_story')
    op.drop_table('person_race')
