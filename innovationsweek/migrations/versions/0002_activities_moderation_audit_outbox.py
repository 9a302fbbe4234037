"""activities, revisions, findings, moderation settings, audit log, outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:45:50.737587
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=80), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('created_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('run_after', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('enqueued_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    op.create_index('ix_outbox_pending', 'outbox', ['id'], unique=False, postgresql_where=sa.text('enqueued_at IS NULL'), sqlite_where=sa.text('enqueued_at IS NULL'))
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'in_review', 'changes_requested', 'published', 'rejected', 'withdrawn', 'cancelled', name='activitystatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=600), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_was_sanitised', sa.Boolean(), nullable=False),
    sa.Column('format', sa.Enum('lecture', 'study_visit', 'workshop', 'exhibition', 'dialogue_meeting', 'webcast', 'other', name='format', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attendance_mode', sa.Enum('in_person', 'online', 'hybrid', name='attendancemode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('venue_name', sa.String(length=200), nullable=True),
    sa.Column('venue_address', sa.String(length=300), nullable=True),
    sa.Column('venue_municipality', sa.String(length=100), nullable=True),
    sa.Column('venue_region', sa.String(length=100), nullable=True),
    sa.Column('venue_latitude', sa.Double(), nullable=True),
    sa.Column('venue_longitude', sa.Double(), nullable=True),
    sa.Column('online_url', sa.String(length=2000), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('audiences', sa.JSON(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_email_public', sa.Boolean(), nullable=False),
    sa.Column('registration_mode', sa.Enum('none', 'external', 'internal', name='registrationmode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('registration_capacity', sa.Integer(), nullable=True),
    sa.Column('registration_url', sa.String(length=2000), nullable=True),
    sa.Column('photo_notice', sa.String(length=1000), nullable=True),
    sa.Column('cancellation_reason', sa.String(length=2000), nullable=True),
    sa.Column('approved_revision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_activities_ends_after_start')),
    sa.CheckConstraint('registration_capacity IS NULL OR registration_capacity > 0', name=op.f('ck_activities_capacity_positive')),
    sa.CheckConstraint('venue_latitude IS NULL OR (venue_latitude BETWEEN -90 AND 90)', name=op.f('ck_activities_latitude_range')),
    sa.CheckConstraint('venue_longitude IS NULL OR (venue_longitude BETWEEN -180 AND 180)', name=op.f('ck_activities_longitude_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_activities_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_activities_edition_id_editions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_activities_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    op.create_index('ix_activities_edition_status', 'activities', ['edition_id', 'status'], unique=False)
    op.create_index('ix_activities_organisation_starts', 'activities', ['organisation_id', 'starts_at'], unique=False)
    op.create_table('moderation_settings',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('fast_lane', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_moderation_settings_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', name=op.f('pk_moderation_settings'))
    )
    op.create_table('activity_co_organisers',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_co_organisers_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_activity_co_organisers_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'organisation_id', name=op.f('pk_activity_co_organisers'))
    )
    op.create_index(op.f('ix_activity_co_organisers_organisation_id'), 'activity_co_organisers', ['organisation_id'], unique=False)
    op.create_table('activity_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('checking', 'in_review', 'changes_requested', 'approved', 'rejected', 'superseded', name='revisionstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('submitted_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_revisions_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_activity_revisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_activity_revisions_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_revisions')),
    sa.UniqueConstraint('activity_id', 'number', name='uq_activity_revisions_activity_number')
    )
    op.create_index('ix_activity_revisions_state_submitted', 'activity_revisions', ['state', 'submitted_at'], unique=False)
    # activities and activity_revisions refer to each other: this side is added once both exist.
    with op.batch_alter_table('activities') as batch:
        batch.create_foreign_key(
            op.f('fk_activities_approved_revision_id_activity_revisions'),
            'activity_revisions', ['approved_revision_id'], ['id'], ondelete='SET NULL',
        )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_audit_entries_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_audit_entries_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    op.create_index(op.f('ix_audit_entries_activity_id'), 'audit_entries', ['activity_id'], unique=False)
    op.create_index('ix_audit_entries_edition_at', 'audit_entries', ['edition_id', 'at'], unique=False)
    op.create_table('related_activities',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('related_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('activity_id < related_id', name=op.f('ck_related_activities_ordered_pair')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_related_activities_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['related_id'], ['activities.id'], name=op.f('fk_related_activities_related_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'related_id', name=op.f('pk_related_activities'))
    )
    op.create_index(op.f('ix_related_activities_related_id'), 'related_activities', ['related_id'], unique=False)
    op.create_table('trusted_organisations',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['moderation_settings.edition_id'], name=op.f('fk_trusted_organisations_edition_id_moderation_settings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_trusted_organisations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'organisation_id', name=op.f('pk_trusted_organisations'))
    )
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.Enum('block', 'warn', 'info', name='severity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['activity_revisions.id'], name=op.f('fk_findings_revision_id_activity_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    op.create_index('ix_findings_code', 'findings', ['code'], unique=False)
    op.create_index(op.f('ix_findings_revision_id'), 'findings', ['revision_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activities') as batch:
        batch.drop_constraint(op.f('fk_activities_approved_revision_id_activity_revisions'), type_='foreignkey')
    op.drop_index(op.f('ix_findings_revision_id'), table_name='findings')
    op.drop_index('ix_findings_code', table_name='findings')
    op.drop_table('findings')
    op.drop_table('trusted_organisations')
    op.drop_index(op.f('ix_related_activities_related_id'), table_name='related_activities')
    op.drop_table('related_activities')
    op.drop_index('ix_audit_entries_edition_at', table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_activity_id'), table_name='audit_entries')
    op.drop_table('audit_entries')
    op.drop_index('ix_activity_revisions_state_submitted', table_name='activity_revisions')
    op.drop_table('activity_revisions')
    op.drop_index(op.f('ix_activity_co_organisers_organisation_id'), table_name='activity_co_organisers')
    op.drop_table('activity_co_organisers')
    op.drop_table('moderation_settings')
    op.drop_index('ix_activities_organisation_starts', table_name='activities')
    op.drop_index('ix_activities_edition_status', table_name='activities')
    op.drop_table('activities')
    op.drop_index('ix_outbox_pending', table_name='outbox', postgresql_where=sa.text('enqueued_at IS NULL'), sqlite_where=sa.text('enqueued_at IS NULL'))
    op.drop_table('outbox')

