"""bulk decisions too large to make in one request, made by a job

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'bulk_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('activity_ids', sa.JSON(), nullable=False),
        sa.Column('outcomes', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_bulk_decisions_edition_id_editions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bulk_decisions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_decisions')),
    )
    op.create_index(op.f('ix_bulk_decisions_edition_id'), 'bulk_decisions', ['edition_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_bulk_decisions_edition_id'), table_name='bulk_decisions')
    op.drop_table('bulk_decisions')
