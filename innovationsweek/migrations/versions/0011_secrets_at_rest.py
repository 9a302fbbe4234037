"""secrets at rest: emails keep their secrets only until sent; webhook secrets rotate

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:40:00
"""

import re

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# The links that emails sent before this revision hold in their stored text.
_LINKS = (
    ("cancel link", re.compile(r"\S+/api/v1/registrations/iwr_[A-Za-z0-9_-]+")),
    ("erasure link", re.compile(r"\S+/api/v1/privacy/erasure-requests/[A-Za-z0-9_.-]+")),
)


def upgrade() -> None:
    with op.batch_alter_table('emails') as batch:
        batch.add_column(sa.Column('secrets', sa.JSON(none_as_null=True), nullable=True))
        batch.create_check_constraint(op.f('ck_emails_sent_keeps_no_secrets'), 'sent_at IS NULL OR secrets IS NULL')
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.add_column(sa.Column('previous_secret', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('previous_secret_expires_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True))
        batch.create_check_constraint(
            op.f('ck_webhook_endpoints_previous_secret_expires'),
            '(previous_secret IS NULL) = (previous_secret_expires_at IS NULL)',
        )
    _forget_links_in_sent_emails()


def _forget_links_in_sent_emails() -> None:
    """Stored emails already sent keep their text, but not the working links in it."""
    connection = op.get_bind()
    emails = sa.table('emails', sa.column('id', sa.Integer), sa.column('text', sa.Text), sa.column('sent_at'))
    rows = connection.execute(
        sa.select(emails.c.id, emails.c.text).where(
            emails.c.sent_at.is_not(None),
            sa.or_(emails.c.text.like('%/api/v1/registrations/iwr_%'), emails.c.text.like('%/api/v1/privacy/erasure-requests/%')),
        )
    ).all()
    for email_id, text in rows:
        for name, pattern in _LINKS:
            text = pattern.sub(f"[{name}: only in the email as sent]", text)
        connection.execute(sa.update(emails).where(emails.c.id == email_id).values(text=text))


def downgrade() -> None:
    with op.batch_alter_table('webhook_endpoints') as batch:
        batch.drop_constraint(op.f('ck_webhook_endpoints_previous_secret_expires'), type_='check')
        batch.drop_column('previous_secret_expires_at')
        batch.drop_column('previous_secret')
    with op.batch_alter_table('emails') as batch:
        batch.drop_constraint(op.f('ck_emails_sent_keeps_no_secrets'), type_='check')
        batch.drop_column('secrets')
