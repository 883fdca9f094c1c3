"""Call facts: the dates of each contact's 2nd to 6th earlier contact of the same person, so the
contacts-per-person histogram counts persons from one covering index instead of grouping a
period's contacts by person.

Filled by `flask metrics refresh` (FACTS_VERSION 7 marks the facts stale).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 08:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BACK = range(2, 7)


def upgrade():
    with op.batch_alter_table('call_fact') as batch:
        for back in BACK:
            batch.add_column(sa.Column(f'earlier_contact_date_{back}', sa.Date(), nullable=True))
    op.create_index('ix_call_fact_contact_counts', 'call_fact',
                    ['agency_id', 'local_date', 'contact_person_id', 'previous_contact_date',
                     *(f'earlier_contact_date_{back}' for back in BACK)])


def downgrade():
    op.drop_index('ix_call_fact_contact_counts', table_name='call_fact')
    with op.batch_alter_table('call_fact') as batch:
        for back in BACK:
            batch.drop_column(f'earlier_contact_date_{back}')
