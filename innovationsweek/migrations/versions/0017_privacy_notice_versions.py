"""every version of an edition's privacy notice, kept in its own table

Until now an edition held only the notice in use; earlier texts were only in the audit log's
before and after values. The versions are filled from that log: the text an edition had first
(from its creation), then each text a change put in use, with its time and who did it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 19:00:00
"""

from datetime import datetime
from typing import Any

from alembic import op
import sqlalchemy as sa

from innovationsweek.db import UTCDateTime


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

NOTICE_FIELDS = ('privacy_notice', 'privacy_notice_version')
editions = sa.table(
    'editions', sa.column('id', sa.Integer), sa.column('privacy_notice', sa.JSON), sa.column('privacy_notice_version', sa.String),
    sa.column('created_at', UTCDateTime()), sa.column('updated_at', UTCDateTime()),
)
audit_entries = sa.table(
    'audit_entries', sa.column('id', sa.Integer), sa.column('edition_id', sa.Integer), sa.column('action', sa.String),
    sa.column('at', UTCDateTime()), sa.column('actor_id', sa.Integer), sa.column('detail', sa.JSON),
)
notice_versions = sa.table(
    'privacy_notice_versions', sa.column('edition_id', sa.Integer), sa.column('version', sa.String), sa.column('texts', sa.JSON),
    sa.column('published_at', UTCDateTime()), sa.column('published_by_id', sa.Integer),
)


def upgrade() -> None:
    op.create_table(
        'privacy_notice_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], name=op.f('fk_privacy_notice_versions_edition_id_editions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_privacy_notice_versions_published_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice_versions')),
        sa.UniqueConstraint('edition_id', 'version', name=op.f('uq_privacy_notice_versions_edition_id')),
    )
    connection = op.get_bind()
    kept = [row for edition in connection.execute(sa.select(editions).order_by(editions.c.id)).mappings() for row in _versions(connection, edition)]
    if kept:
        connection.execute(sa.insert(notice_versions), kept)


def _versions(connection: sa.Connection, edition: Any) -> list[dict[str, Any]]:
    """The edition's notices in the order they were in use, one row per version name."""
    changes = [
        (entry.at, entry.actor_id, {name: change for name, change in (entry.detail or {}).get('changes', {}).items() if name in NOTICE_FIELDS})
        for entry in connection.execute(
            sa.select(audit_entries)
            .where(audit_entries.c.edition_id == edition['id'], audit_entries.c.action == 'edition_changed')
            .order_by(audit_entries.c.id)
        )
    ]
    changes = [change for change in changes if change[2]]
    current = {name: edition[name] for name in NOTICE_FIELDS}
    first = {name: changes[0][2][name]['before'] if changes and name in changes[0][2] else None for name in NOTICE_FIELDS}
    state = {name: current[name] if first[name] is None else first[name] for name in NOTICE_FIELDS}
    used: list[tuple[datetime, int | None, dict[str, Any]]] = [(edition['created_at'], None, dict(state))]
    for at, actor_id, changed in changes:
        state.update({name: change['after'] for name, change in changed.items()})
        used.append((at, actor_id, dict(state)))
    if used[-1][2] != current:  # changed outside the service: in use since the edition's last change
        used.append((edition['updated_at'], None, current))
    by_version = {
        notice['privacy_notice_version']: {
            'edition_id': edition['id'], 'version': notice['privacy_notice_version'], 'texts': notice['privacy_notice'],
            'published_at': at, 'published_by_id': actor_id,
        }
        for at, actor_id, notice in used
        if notice['privacy_notice']
    }
    return list(by_version.values())


def downgrade() -> None:
    op.drop_table('privacy_notice_versions')
