"""a deleted organisation frees its name; the webhook delivery log is purged by age

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 10:00:00
"""

from alembic import op
import sqlalchemy as sa

from innovationsweek.migrate import sqlite_rebuilds_without_cascades


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with sqlite_rebuilds_without_cascades(), op.batch_alter_table('organisations') as batch_op:
        batch_op.drop_constraint('uq_organisations_country_name', type_='unique')
    op.create_index(
        'uq_organisations_country_name',
        'organisations',
        ['country', 'name'],
        unique=True,
        postgresql_where=sa.text('deleted_at IS NULL'),
        sqlite_where=sa.text('deleted_at IS NULL'),
    )
    op.create_index('ix_webhook_deliveries_created_at', 'webhook_deliveries', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_webhook_deliveries_created_at', table_name='webhook_deliveries')
    # Fails while a deleted organisation and a live one share a name: rename one first.
    op.drop_index('uq_organisations_country_name', table_name='organisations')
    with sqlite_rebuilds_without_cascades(), op.batch_alter_table('organisations') as batch_op:
        batch_op.create_unique_constraint('uq_organisations_country_name', ['country', 'name'])
