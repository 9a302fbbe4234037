"""audit entries about organisations, the access log by edition, webhooks held back while hidden

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entries') as batch:
        batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_audit_entries_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'], ondelete='SET NULL'
        )
        batch.create_index('ix_audit_entries_organisation_id', ['organisation_id', 'id'], unique=False)
    # Deletions of organisations named theirs in the detail until now.
    entries = sa.table('audit_entries', sa.column('id', sa.Integer()), sa.column('action', sa.String()),
                       sa.column('detail', sa.JSON()), sa.column('organisation_id', sa.Integer()))
    connection = op.get_bind()
    deletions = connection.execute(sa.select(entries.c.id, entries.c.detail).where(entries.c.action == 'organisation_deleted')).all()
    for entry_id, detail in deletions:
        remaining = {key: value for key, value in (detail or {}).items() if key != 'organisation_id'}
        connection.execute(
            entries.update().where(entries.c.id == entry_id).values(organisation_id=(detail or {}).get('organisation_id'), detail=remaining)
        )

    with op.batch_alter_table('personal_data_access_log') as batch:
        batch.add_column(sa.Column('edition_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_personal_data_access_log_edition_id_editions'), 'editions', ['edition_id'], ['id'], ondelete='CASCADE'
        )
        batch.create_index('ix_personal_data_access_log_edition_id', ['edition_id', 'id'], unique=False)
    op.execute(
        'UPDATE personal_data_access_log SET edition_id = '
        '(SELECT activities.edition_id FROM activities WHERE activities.id = personal_data_access_log.activity_id)'
    )

    op.add_column('programme_counters', sa.Column('announced_change_number', sa.BigInteger(), nullable=False, server_default='0'))
    # Open programmes announced every change as it happened; hidden ones announce at opening.
    op.execute(
        'UPDATE programme_counters SET announced_change_number = last_change_number '
        'WHERE edition_id IN (SELECT id FROM editions WHERE programme_open)'
    )


def downgrade() -> None:
    with op.batch_alter_table('programme_counters') as batch:
        batch.drop_column('announced_change_number')
    with op.batch_alter_table('personal_data_access_log') as batch:
        batch.drop_index('ix_personal_data_access_log_edition_id')
        batch.drop_constraint(op.f('fk_personal_data_access_log_edition_id_editions'), type_='foreignkey')
        batch.drop_column('edition_id')
    with op.batch_alter_table('audit_entries') as batch:
        batch.drop_index('ix_audit_entries_organisation_id')
        batch.drop_constraint(op.f('fk_audit_entries_organisation_id_organisations'), type_='foreignkey')
        batch.drop_column('organisation_id')
