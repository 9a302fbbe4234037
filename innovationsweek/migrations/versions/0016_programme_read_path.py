"""what the programme's reads need, stored when an entry is written: its search words
(PostgreSQL) and its calendar event

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 19:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# innovationsweek.programme.models when this was written
SEARCH_VECTOR = " || ".join(f"to_tsvector('{name}'::regconfig, coalesce(search_text, ''))" for name in ('swedish', 'danish', 'simple'))
OLD_SEARCH_VECTOR = " || ".join(f"to_tsvector('{name}'::regconfig, search_text)" for name in ('swedish', 'danish', 'simple'))


def upgrade() -> None:
    op.add_column('programme_entries', sa.Column('calendar_event', sa.Text(), nullable=True))
    op.add_column('programme_entries', sa.Column('calendar_base_url', sa.String(length=500), nullable=True))
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_programme_entries_words', table_name='programme_entries')
    op.execute(f'ALTER TABLE programme_entries ADD COLUMN search_words tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED')
    op.execute('CREATE INDEX ix_programme_entries_words ON programme_entries USING gin (search_words)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_programme_entries_words', table_name='programme_entries')
        op.drop_column('programme_entries', 'search_words')
        op.execute(f'CREATE INDEX ix_programme_entries_words ON programme_entries USING gin (({OLD_SEARCH_VECTOR}))')
    with op.batch_alter_table('programme_entries') as table:
        table.drop_column('calendar_base_url')
        table.drop_column('calendar_event')
