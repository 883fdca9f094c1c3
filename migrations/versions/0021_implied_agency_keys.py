"""Call facts and source keys: no foreign key on their agency. Each row's agency is its call's,
and the call's own foreign key (through call_id, which they keep) already holds it; checking it
again for every row cost about 3 s each of a million-row import (bench/README.md "Import").

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 00:15:00

"""
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

IMPLIED = ('call_fact', 'import_key')


def upgrade():
    for table in IMPLIED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'fk_{table}_agency_id_agency', type_='foreignkey')


def downgrade():
    for table in IMPLIED:
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(f'fk_{table}_agency_id_agency', 'agency', ['agency_id'], ['id'])
