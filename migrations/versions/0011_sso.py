"""Single sign-on: an OpenID Connect provider per agency, provider accounts linked to users.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:10:00

"""
from alembic import op
import sqlalchemy as sa

import mhu.models.types


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_sso',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret_sealed', sa.String(length=1024), nullable=False),
    sa.Column('role_claim', sa.String(length=100), nullable=True),
    sa.Column('role_map', sa.JSON(), nullable=False),
    sa.Column('local_passwords_disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_agency_sso_agency_id_agency'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_sso')),
    sa.UniqueConstraint('agency_id', name=op.f('uq_agency_sso_agency_id'))
    )
    op.create_table('sso_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', mhu.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sso_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_sso_identity_issuer_subject'))
    )
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identity_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identity_user_id'))
    op.drop_table('sso_identity')
    op.drop_table('agency_sso')
