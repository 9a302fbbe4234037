"""reminders and activity reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 19:43:41.523287
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity_reports',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('participants_in_person', sa.Integer(), nullable=True),
    sa.Column('participants_online', sa.Integer(), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('submitted_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('participants_in_person IS NULL OR participants_in_person >= 0', name=op.f('ck_activity_reports_in_person_not_negative')),
    sa.CheckConstraint('participants_online IS NULL OR participants_online >= 0', name=op.f('ck_activity_reports_online_not_negative')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_reports_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_activity_reports_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_activity_reports'))
    )
    op.create_table('reminder_plans',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('activity_version', sa.Integer(), nullable=False),
    sa.Column('edition_key', sa.String(length=64), nullable=False),
    sa.Column('planned_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_reminder_plans_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_reminder_plans'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('participant', 'draft_deadline', 'changes_requested', 'pre_event', 'post_event', 'coordinator_digest', name='reminderkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('due_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=40), nullable=True),
    sa.Column('created_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'coordinator_digest') = (activity_id IS NULL)", name=op.f('ck_reminders_activity_unless_digest')),
    sa.CheckConstraint("(kind = 'coordinator_digest') = (user_id IS NOT NULL)", name=op.f('ck_reminders_digest_has_coordinator')),
    sa.CheckConstraint("(kind = 'participant') = (registration_id IS NOT NULL)", name=op.f('ck_reminders_participant_has_registration')),
    sa.CheckConstraint('sent_at IS NULL OR cancelled_at IS NULL', name=op.f('ck_reminders_sent_or_cancelled')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_reminders_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_reminders_edition_id_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_reminders_registration_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('subject', name=op.f('uq_reminders_subject'))
    )
    op.create_index(op.f('ix_reminders_activity_id'), 'reminders', ['activity_id'], unique=False)
    op.create_index('ix_reminders_due', 'reminders', ['due_at'], unique=False, postgresql_where=sa.text('sent_at IS NULL AND cancelled_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND cancelled_at IS NULL'))
    op.create_index(op.f('ix_reminders_edition_id'), 'reminders', ['edition_id'], unique=False)
    op.create_index(op.f('ix_reminders_registration_id'), 'reminders', ['registration_id'], unique=False)
    op.create_index(op.f('ix_reminders_user_id'), 'reminders', ['user_id'], unique=False)
    op.add_column('editions', sa.Column('reminder_settings', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    op.drop_column('editions', 'reminder_settings')
    op.drop_index(op.f('ix_reminders_user_id'), table_name='reminders')
    op.drop_index(op.f('ix_reminders_registration_id'), table_name='reminders')
    op.drop_index(op.f('ix_reminders_edition_id'), table_name='reminders')
    op.drop_index('ix_reminders_due', table_name='reminders', postgresql_where=sa.text('sent_at IS NULL AND cancelled_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL AND cancelled_at IS NULL'))
    op.drop_index(op.f('ix_reminders_activity_id'), table_name='reminders')
    op.drop_table('reminders')
    op.drop_table('reminder_plans')
    op.drop_table('activity_reports')
