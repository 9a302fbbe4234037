"""reuse across editions: what an activity builds on, the published reuse links, and the
solutions' columns of the programme

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 18:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activities') as batch:
        batch.add_column(sa.Column('featured_solution', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('reuses', sa.JSON(), server_default='[]', nullable=False))
    with op.batch_alter_table('programme_entries') as batch:
        batch.add_column(sa.Column('has_material', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('featured_solution', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'reuse_links',
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('reused_id', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('activity_id <> reused_id', name=op.f('ck_reuse_links_not_itself')),
        sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_reuse_links_activity_id_activities'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reused_id'], ['activities.id'], name=op.f('fk_reuse_links_reused_id_activities'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('activity_id', 'reused_id', name=op.f('pk_reuse_links')),
    )
    op.create_index(op.f('ix_reuse_links_reused_id'), 'reuse_links', ['reused_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_reuse_links_reused_id'), table_name='reuse_links')
    op.drop_table('reuse_links')
    with op.batch_alter_table('programme_entries') as batch:
        batch.drop_column('featured_solution')
        batch.drop_column('has_material')
    with op.batch_alter_table('activities') as batch:
        batch.drop_column('reuses')
        batch.drop_column('featured_solution')
