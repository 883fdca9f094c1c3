"""Source keys on the call row: an imported call's profile, key, creating batch and last batch
become columns of `call` (unique per agency and profile, only imported calls indexed), and the
`import_key` table goes. Each key row was written beside its call anyway, with four indexes and
a foreign-key check of its own: about 11 s of a million-row import's database work on
PostgreSQL, against about 2.5 s for the call's two new partial indexes (bench/README.md
"Import"). Every key had exactly one call and every call at most one key (both are only ever
created together), so the rows move across one to one.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 02:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

MOVED = [('profile_name', 'source_profile'), ('key', 'source_key'),
         ('created_batch_id', 'created_batch_id'), ('last_batch_id', 'last_batch_id')]


def upgrade():
    op.add_column('call', sa.Column('source_profile', sa.String(length=120), nullable=True))
    op.add_column('call', sa.Column('source_key', sa.String(length=255), nullable=True))
    op.add_column('call', sa.Column('created_batch_id', sa.Uuid(), nullable=True))
    op.add_column('call', sa.Column('last_batch_id', sa.Uuid(), nullable=True))
    assignments = ', '.join(f'{column} = (SELECT k.{old} FROM import_key AS k WHERE k.call_id = call.id)'
                            for old, column in MOVED)
    op.execute(f'UPDATE call SET {assignments} WHERE id IN (SELECT call_id FROM import_key)')
    op.create_index('uq_call_source_key', 'call', ['source_key', 'agency_id', 'source_profile'], unique=True,
                    sqlite_where=sa.text('source_key IS NOT NULL'),
                    postgresql_where=sa.text('source_key IS NOT NULL'))
    op.create_index('ix_call_created_batch', 'call', ['created_batch_id'],
                    sqlite_where=sa.text('created_batch_id IS NOT NULL'),
                    postgresql_where=sa.text('created_batch_id IS NOT NULL'))
    op.drop_table('import_key')


def downgrade():
    op.create_table(
        'import_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('profile_name', sa.String(length=120), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('call_id', sa.Uuid(), nullable=False),
        sa.Column('created_batch_id', sa.Uuid(), nullable=True),
        sa.Column('last_batch_id', sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_import_key_call_id_call'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_key')),
        sa.UniqueConstraint('key', 'agency_id', 'profile_name', name=op.f('uq_import_key_key_agency_id_profile_name')),
    )
    op.create_index(op.f('ix_import_key_call_id'), 'import_key', ['call_id'])
    op.create_index(op.f('ix_import_key_created_batch_id'), 'import_key', ['created_batch_id'])
    op.execute('INSERT INTO import_key (agency_id, profile_name, key, call_id, created_batch_id, last_batch_id)'
               ' SELECT agency_id, source_profile, source_key, id, created_batch_id, last_batch_id FROM call'
               ' WHERE source_key IS NOT NULL ORDER BY created_at, id')
    op.drop_index('ix_call_created_batch', table_name='call')
    op.drop_index('uq_call_source_key', table_name='call')
    with op.batch_alter_table('call') as batch:
        for _, column in reversed(MOVED):
            batch.drop_column(column)
