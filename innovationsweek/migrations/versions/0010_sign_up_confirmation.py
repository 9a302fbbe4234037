"""sign-ups waiting for their address to be confirmed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:30:00.000000
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_sign_ups_email_lowercase')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ups')),
    sa.UniqueConstraint('email', name=op.f('uq_sign_ups_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_ups_token_hash'))
    )


def downgrade() -> None:
    op.drop_table('sign_ups')
