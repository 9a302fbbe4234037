"""accounts and sign-ups keep the language their person chose

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 02:00:00
"""

from alembic import op
import sqlalchemy as sa

from innovationsweek.migrate import sqlite_rebuilds_without_cascades


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

LANGUAGES = ('sv', 'da', 'en')  # innovationsweek.editions.models.LANGUAGES when this was written
KNOWN = f"language IN ({', '.join(repr(code) for code in LANGUAGES)})"


def upgrade() -> None:
    # A check constraint rebuilds the table on SQLite: without cascades, or every membership goes.
    # Empty for the accounts made so far: their mails keep following the organisation's or the
    # edition's language until the person picks one.
    for table in ('users', 'sign_ups'):
        with sqlite_rebuilds_without_cascades(), op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('language', sa.String(length=2), nullable=True))
            batch.create_check_constraint(op.f(f'ck_{table}_language_known'), KNOWN)


def downgrade() -> None:
    for table in ('users', 'sign_ups'):
        with sqlite_rebuilds_without_cascades(), op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f'ck_{table}_language_known'), type_='check')
            batch.drop_column('language')
