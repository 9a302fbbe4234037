"""the programme's filters answered from its indexes, and one search term per distinct stem
(PostgreSQL)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 02:30:00
"""

from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# innovationsweek.programme.models when this was written.
FILTERED_COLUMNS = ('format', 'attendance_mode', 'region', 'municipality', 'organisation_kind', 'featured', 'cancelled')
COVERED = ', '.join((*FILTERED_COLUMNS, 'tag_words'))
INDEXES = {
    'ix_programme_entries_listing': ['edition_id', 'state', 'starts_at', 'activity_id'],
    **{f'ix_programme_entries_by_{column}': ['edition_id', 'state', column, 'starts_at', 'activity_id'] for column in FILTERED_COLUMNS},
}
# A word's prefix query in each of innovationsweek.programme.models.SEARCH_CONFIGURATIONS, each
# distinct term once: the planner counts a term it is given three times as three, thinks a
# common word three times as common as it is, and reads the whole table instead of the index.
SEARCH_QUERY = """
CREATE FUNCTION programme_search_query(word text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_agg(DISTINCT term, ' | ')::tsquery FROM (
    SELECT to_tsquery(configuration, word || ':*')::text AS term
    FROM unnest(ARRAY['swedish', 'danish', 'simple']::regconfig[]) AS configuration
  ) AS terms WHERE term <> ''
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(SEARCH_QUERY)
    for name, columns in INDEXES.items():
        _remake(name, columns, f' INCLUDE ({COVERED})')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, columns in INDEXES.items():
        _remake(name, columns, '')
    op.execute('DROP FUNCTION programme_search_query(text)')


def _remake(name: str, columns: list[str], include: str) -> None:
    op.drop_index(name, table_name='programme_entries')
    op.execute(f'CREATE INDEX {name} ON programme_entries ({", ".join(columns)}){include}')
