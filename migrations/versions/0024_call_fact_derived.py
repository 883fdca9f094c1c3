"""Call facts: no foreign key on their call. A fact is derived from its call by the one writer of
the table (services/metrics/facts.py), which selects the call in the same statement, and calls
are never deleted (they are voided); a full rebuild (`flask --app wsgi metrics refresh`)
replaces an agency's facts wholesale. Checking the call again for each of a million imported
facts cost about 4 s of the import's end-of-batch refresh (bench/README.md "Import").

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 02:40:00

"""
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('call_fact') as batch:
        batch.drop_constraint('fk_call_fact_call_id_call', type_='foreignkey')


def downgrade():
    op.execute('DELETE FROM call_fact WHERE call_id NOT IN (SELECT id FROM call)')
    with op.batch_alter_table('call_fact') as batch:
        batch.create_foreign_key('fk_call_fact_call_id_call', 'call', ['call_id'], ['id'], ondelete='CASCADE')
