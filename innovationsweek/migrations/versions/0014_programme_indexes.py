"""an index for each programme filter, and full-text search of the programme on PostgreSQL

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 16:20:00
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# innovationsweek.programme.models when this was written
FILTERED_COLUMNS = ('format', 'attendance_mode', 'region', 'municipality', 'organisation_kind', 'featured', 'cancelled')
SEARCH_VECTOR = " || ".join(f"to_tsvector('{name}'::regconfig, search_text)" for name in ('swedish', 'danish', 'simple'))


def upgrade() -> None:
    for column in FILTERED_COLUMNS:
        op.create_index(
            f'ix_programme_entries_by_{column}', 'programme_entries', ['edition_id', 'state', column, 'starts_at', 'activity_id']
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE INDEX ix_programme_entries_words ON programme_entries USING gin (({SEARCH_VECTOR}))')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_programme_entries_words', table_name='programme_entries')
    for column in reversed(FILTERED_COLUMNS):
        op.drop_index(f'ix_programme_entries_by_{column}', table_name='programme_entries')
