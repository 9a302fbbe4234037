"""a deleted organisation frees its name; the webhook delivery log is purged by age

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


@contextmanager
def sqlite_rebuilds_without_cascades() -> Iterator[None]:
    """SQLite changes a table's constraints by rebuilding it, and dropping the old table while
    foreign keys are on deletes every row that refers to it (members, activities' co-organisers)
    by their ON DELETE CASCADE. The pragma that turns them off works only outside a transaction:
    what earlier migrations of this run did is committed first (with their version), and the
    connection, left without foreign keys, is closed rather than reused."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    pooled = bind.connection
    if pooled.dbapi_connection.in_transaction:
        pooled.dbapi_connection.commit()
    pooled.dbapi_connection.execute('PRAGMA foreign_keys=OFF')
    pooled.invalidate(soft=True)
    yield
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').all()
    if broken:
        raise RuntimeError(f'rows refer to rows that no longer exist: {broken[:5]}')


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
