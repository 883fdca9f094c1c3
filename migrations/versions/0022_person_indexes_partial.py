"""Person indexes hold only rows with a person: a call's (person_id, received_at), and the five
call-fact indexes only contacts are read by (each such query says contact_person_id IS NOT NULL,
which both databases take as implied by person_id = ..., IN and joins on it too). A call without
a person, such as most of an imported CAD history, no longer gets entries in them: about 1.5 s of a
million-row import's writes and 5 s of its facts (bench/README.md "Import").

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 00:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

CONTACT_COUNT_CAP = 6  # models/metric.py, as of this migration
FILTER_KEYS = ['team_id', 'district', 'call_source', 'sim_intercept']
INDEXES = [
    ('call', 'ix_call_person_received', ['person_id', 'received_at'], 'person_id IS NOT NULL'),
    ('call_fact', 'ix_call_fact_contacts', ['agency_id', 'local_date', 'previous_contact_date', 'previous_repeat_date',
                                            'gap_seconds', 'contact_person_id', *FILTER_KEYS],
     'contact_person_id IS NOT NULL'),
    ('call_fact', 'ix_call_fact_utilizers', ['agency_id', 'local_date', 'utilizer_first_date', 'utilizer_before_date'],
     'contact_person_id IS NOT NULL'),
    ('call_fact', 'ix_call_fact_person', ['contact_person_id', 'received_at'], 'contact_person_id IS NOT NULL'),
    ('call_fact', 'ix_call_fact_contact_counts',
     ['agency_id', 'local_date', 'contact_person_id', 'previous_contact_date',
      *(f'earlier_contact_date_{back}' for back in range(2, CONTACT_COUNT_CAP + 1))],
     'contact_person_id IS NOT NULL'),
    ('call_fact', 'ix_call_fact_team_contacts', ['agency_id', 'team_id', 'local_date', 'team_previous_contact_date',
                                                 'team_previous_repeat_date', 'gap_seconds', 'contact_person_id'],
     'contact_person_id IS NOT NULL'),
]


def upgrade():
    for table, name, columns, where in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade():
    for table, name, columns, _ in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
