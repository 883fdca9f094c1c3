"""Source keys: the unique index leads with the key, so a chunk's key lookup probes it once per
key. Led by the agency and the profile, PostgreSQL could walk all of their keys and test each
against the chunk's 10,000 (a cost growing with every key imported; bench/README.md "Import").

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 22:00:00

"""
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_key') as batch:
        batch.drop_constraint('uq_import_key_agency_id_profile_name_key', type_='unique')
        batch.create_unique_constraint('uq_import_key_key_agency_id_profile_name', ['key', 'agency_id', 'profile_name'])


def downgrade():
    with op.batch_alter_table('import_key') as batch:
        batch.drop_constraint('uq_import_key_key_agency_id_profile_name', type_='unique')
        batch.create_unique_constraint('uq_import_key_agency_id_profile_name_key', ['agency_id', 'profile_name', 'key'])
