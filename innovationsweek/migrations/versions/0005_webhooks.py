"""webhooks: partners' endpoints, their deliveries and every attempt

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:16:50.115949
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=80), nullable=False),
    sa.Column('disabled_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=500), nullable=True),
    sa.Column('created_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(disabled_at IS NULL) = (disabled_reason IS NULL)', name=op.f('ck_webhook_endpoints_disabled_with_reason')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_webhook_endpoints_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_index(op.f('ix_webhook_endpoints_partner_id'), 'webhook_endpoints', ['partner_id'], unique=False)
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('event', sa.Enum('activity.published', 'activity.updated', 'activity.cancelled', 'activity.deleted', name='webhookevent', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('change_number', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'succeeded', 'failed', name='deliverystatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('scheduled_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('redelivery', sa.Boolean(), nullable=False),
    sa.Column('created_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint("(status = 'pending') = (next_attempt_at IS NOT NULL)", name=op.f('ck_webhook_deliveries_pending_has_next_attempt')),
    sa.CheckConstraint('scheduled_attempts >= 0 AND scheduled_attempts <= attempts', name=op.f('ck_webhook_deliveries_attempts_counted')),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('message_id', name=op.f('uq_webhook_deliveries_message_id'))
    )
    op.create_index('ix_webhook_deliveries_due', 'webhook_deliveries', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.create_index('ix_webhook_deliveries_log', 'webhook_deliveries', ['endpoint_id', 'id'], unique=False)
    op.create_table('webhook_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('attempted_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('failure', sa.String(length=40), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('retry_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts')),
    sa.UniqueConstraint('delivery_id', 'number', name='uq_webhook_attempts_delivery_number')
    )


def downgrade() -> None:
    op.drop_table('webhook_attempts')
    op.drop_index('ix_webhook_deliveries_log', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_due', table_name='webhook_deliveries', postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
    op.drop_table('webhook_deliveries')
    op.drop_index(op.f('ix_webhook_endpoints_partner_id'), table_name='webhook_endpoints')
    op.drop_table('webhook_endpoints')
