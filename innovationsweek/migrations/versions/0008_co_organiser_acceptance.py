"""co-organisers accept before they show or get access

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:09:44.182379
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Organisations named before were never asked: they start as invited, like new ones. The
    # table is rebuilt so that SQLite, too, gets the CHECK on the status.
    with op.batch_alter_table('activity_co_organisers', recreate='always') as batch:
        batch.add_column(sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='coorganiserstatus', native_enum=False, create_constraint=True, length=32), nullable=False, server_default='pending'))
        batch.add_column(sa.Column('invited_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('answered_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True))
    op.execute(sa.text('UPDATE activity_co_organisers SET invited_at = CURRENT_TIMESTAMP'))
    with op.batch_alter_table('activity_co_organisers') as batch:
        batch.alter_column('status', server_default=None)
        batch.alter_column('invited_at', nullable=False)


def downgrade() -> None:
    op.drop_column('activity_co_organisers', 'answered_at')
    op.drop_column('activity_co_organisers', 'invited_at')
    op.drop_column('activity_co_organisers', 'status')
