"""the programme's languages, audiences and themes as one indexed array per entry (PostgreSQL)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 22:40:00
"""

from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# innovationsweek.programme.service.TAG_KINDS when this was written: the field of the entry's
# data, and the kind its words are prefixed with.
TAG_WORDS = """
CREATE FUNCTION programme_tag_words(data json) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(word), '{}') FROM (
    SELECT 'language:' || json_array_elements_text(data->'languages') AS word
    UNION ALL SELECT 'audience:' || json_array_elements_text(data->'audiences')
    UNION ALL SELECT 'theme:' || json_array_elements_text(data->'themes')
  ) AS words
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(TAG_WORDS)
    op.execute('ALTER TABLE programme_entries ADD COLUMN tag_words text[] GENERATED ALWAYS AS (programme_tag_words(data)) STORED')
    op.execute('CREATE INDEX ix_programme_entries_tags ON programme_entries USING gin (tag_words)')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_programme_entries_tags', table_name='programme_entries')
    op.drop_column('programme_entries', 'tag_words')
    op.execute('DROP FUNCTION programme_tag_words(json)')
