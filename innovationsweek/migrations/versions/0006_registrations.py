"""registrations, personal data access log, privacy notices, deleted organisations

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 19:32:42.328944
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('personal_data_access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=200), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_personal_data_access_log_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_personal_data_access_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_access_log'))
    )
    op.create_index('ix_personal_data_access_log_activity_at', 'personal_data_access_log', ['activity_id', 'at'], unique=False)
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'cancelled', name='registrationstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('workplace', sa.String(length=200), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('erased_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('photo_consent', sa.Boolean(), nullable=False),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('consent_version', sa.String(length=40), nullable=False),
    sa.Column('consented_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancel_token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('promoted_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(erased_at IS NULL) = (email IS NOT NULL)', name=op.f('ck_registrations_email_until_erased')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_registrations_email_lowercase')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_registrations_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_registrations_edition_id_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('cancel_token_hash', name=op.f('uq_registrations_cancel_token_hash'))
    )
    op.create_index('ix_registrations_activity_status', 'registrations', ['activity_id', 'status', 'id'], unique=False)
    op.create_index(op.f('ix_registrations_edition_id'), 'registrations', ['edition_id'], unique=False)
    op.create_index('ix_registrations_email', 'registrations', ['email'], unique=False)
    op.create_index('uq_registrations_active_email', 'registrations', ['activity_id', 'email'], unique=True, postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))
    op.add_column('activities', sa.Column('registration_closed', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('editions', sa.Column('privacy_notice', sa.JSON(), nullable=False, server_default='{}'))
    op.add_column('editions', sa.Column('privacy_notice_version', sa.String(length=40), nullable=False, server_default='1'))
    op.add_column('organisations', sa.Column('deleted_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('organisations', 'deleted_at')
    op.drop_column('editions', 'privacy_notice_version')
    op.drop_column('editions', 'privacy_notice')
    op.drop_column('activities', 'registration_closed')
    op.drop_index('uq_registrations_active_email', table_name='registrations', postgresql_where=sa.text("status <> 'cancelled'"), sqlite_where=sa.text("status <> 'cancelled'"))
    op.drop_index('ix_registrations_email', table_name='registrations')
    op.drop_index(op.f('ix_registrations_edition_id'), table_name='registrations')
    op.drop_index('ix_registrations_activity_status', table_name='registrations')
    op.drop_table('registrations')
    op.drop_index('ix_personal_data_access_log_activity_at', table_name='personal_data_access_log')
    op.drop_table('personal_data_access_log')

