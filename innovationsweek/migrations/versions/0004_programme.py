"""programme entries, tags and change counters; featured activities; outbox completion

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:12:24.164732
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme_counters',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('last_change_number', sa.BigInteger(), nullable=False),
    sa.Column('last_changed_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_programme_counters_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', name=op.f('pk_programme_counters'))
    )
    op.create_table('programme_entries',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('change_number', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.Enum('updated', 'deleted', name='entrystate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('modified_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('starts_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ends_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('featured', sa.Boolean(), nullable=False),
    sa.Column('format', sa.Enum('lecture', 'study_visit', 'workshop', 'exhibition', 'dialogue_meeting', 'webcast', 'other', name='format', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('attendance_mode', sa.Enum('in_person', 'online', 'hybrid', name='attendancemode', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('municipality', sa.String(length=100), nullable=True),
    sa.Column('organisation_kind', sa.Enum('municipality', 'region', 'state_agency', 'company', 'academia', 'civil_society', 'national_coordinator', 'other', name='organisationkind', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_programme_entries_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_programme_entries_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['activity_revisions.id'], name=op.f('fk_programme_entries_revision_id_activity_revisions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_programme_entries')),
    sa.UniqueConstraint('edition_id', 'change_number', name='uq_programme_entries_edition_change')
    )
    op.create_index('ix_programme_entries_listing', 'programme_entries', ['edition_id', 'state', 'starts_at', 'activity_id'], unique=False)
    op.create_table('programme_tags',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['programme_entries.activity_id'], name=op.f('fk_programme_tags_activity_id_programme_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'kind', 'value', name=op.f('pk_programme_tags'))
    )
    op.create_index('ix_programme_tags_lookup', 'programme_tags', ['kind', 'value', 'activity_id'], unique=False)
    op.add_column('outbox', sa.Column('completed_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index('ix_outbox_unfinished', 'outbox', ['enqueued_at'], unique=False, postgresql_where=sa.text('completed_at IS NULL'), sqlite_where=sa.text('completed_at IS NULL'))
    # Existing activities are not featured.
    op.add_column('activities', sa.Column('featured', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('activities', 'featured')
    op.drop_index('ix_outbox_unfinished', table_name='outbox', postgresql_where=sa.text('completed_at IS NULL'), sqlite_where=sa.text('completed_at IS NULL'))
    op.drop_column('outbox', 'completed_at')
    op.drop_index('ix_programme_tags_lookup', table_name='programme_tags')
    op.drop_table('programme_tags')
    op.drop_index('ix_programme_entries_listing', table_name='programme_entries')
    op.drop_table('programme_entries')
    op.drop_table('programme_counters')

