"""report material is moderated: report revisions, findings of either kind of revision

Reports saved before this migration had their links public without review. Their links become
a first revision waiting for a coordinator (with a finding saying the checks did not run), and
nothing of them is approved; each activity is re-published through the outbox, so that its
programme entry drops the links until a coordinator approves them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:30:00
"""

from alembic import op
import sqlalchemy as sa
import innovationsweek.db


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

NOT_CHECKED = "The automated checks could not run: the material was reported before reports were moderated."


def upgrade() -> None:
    op.create_table('report_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('checking', 'in_review', 'changes_requested', 'approved', 'rejected', 'superseded', name='revisionstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('submitted_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', innovationsweek.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity_reports.activity_id'], name=op.f('fk_report_revisions_activity_id_activity_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_report_revisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_report_revisions_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_revisions')),
    sa.UniqueConstraint('activity_id', 'number', name='uq_report_revisions_activity_number')
    )
    op.create_index('ix_report_revisions_state_submitted', 'report_revisions', ['state', 'submitted_at'], unique=False)
    with op.batch_alter_table('activity_reports') as batch:
        batch.add_column(sa.Column('how_to_reuse', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('approved_revision_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_activity_reports_approved_revision_id_report_revisions'),
            'report_revisions', ['approved_revision_id'], ['id'], ondelete='SET NULL',
        )
    with op.batch_alter_table('findings') as batch:
        batch.add_column(sa.Column('report_revision_id', sa.Integer(), nullable=True))
        batch.alter_column('revision_id', existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key(
            op.f('fk_findings_report_revision_id_report_revisions'),
            'report_revisions', ['report_revision_id'], ['id'], ondelete='CASCADE',
        )
        batch.create_index(op.f('ix_findings_report_revision_id'), ['report_revision_id'], unique=False)
        batch.create_check_constraint(
            op.f('ck_findings_of_one_revision'), '(revision_id IS NULL) <> (report_revision_id IS NULL)'
        )
    _queue_unreviewed_reports()


def _queue_unreviewed_reports() -> None:
    connection = op.get_bind()
    reports = sa.table(
        'activity_reports', sa.column('activity_id'), sa.column('links', sa.JSON()),
        sa.column('submitted_at'), sa.column('submitted_by_id'),
    )
    revisions = sa.table(
        'report_revisions', sa.column('id'), sa.column('activity_id'), sa.column('number'), sa.column('state'),
        sa.column('content', sa.JSON()), sa.column('submitted_at'), sa.column('submitted_by_id'),
    )
    findings = sa.table(
        'findings', sa.column('report_revision_id'), sa.column('code'), sa.column('severity'),
        sa.column('message'), sa.column('field'),
    )
    outbox = sa.table(
        'outbox', sa.column('job'), sa.column('args', sa.JSON()),
        sa.column('created_at', innovationsweek.db.UTCDateTime(timezone=True)),
    )
    for report in connection.execute(sa.select(reports)).all():
        if not report.links:
            continue
        content = {"links": report.links, "how_to_reuse": "", "how_to_reuse_was_sanitised": False}
        revision_id = connection.execute(
            sa.insert(revisions).values(
                activity_id=report.activity_id, number=1, state='in_review', content=content,
                submitted_at=report.submitted_at, submitted_by_id=report.submitted_by_id,
            ).returning(revisions.c.id)
        ).scalar_one()
        connection.execute(
            sa.insert(findings).values(
                report_revision_id=revision_id, code='check_failed', severity='warn', message=NOT_CHECKED, field=None
            )
        )
        connection.execute(
            sa.insert(outbox).values(job='publish_activity', args=[report.activity_id], created_at=innovationsweek.db.utcnow())
        )


def downgrade() -> None:
    op.execute("DELETE FROM findings WHERE report_revision_id IS NOT NULL")
    with op.batch_alter_table('findings') as batch:
        batch.drop_constraint(op.f('ck_findings_of_one_revision'), type_='check')
        batch.drop_index(op.f('ix_findings_report_revision_id'))
        batch.drop_constraint(op.f('fk_findings_report_revision_id_report_revisions'), type_='foreignkey')
        batch.alter_column('revision_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('report_revision_id')
    with op.batch_alter_table('activity_reports') as batch:
        batch.drop_constraint(op.f('fk_activity_reports_approved_revision_id_report_revisions'), type_='foreignkey')
        batch.drop_column('approved_revision_id')
        batch.drop_column('how_to_reuse')
    op.drop_index('ix_report_revisions_state_submitted', table_name='report_revisions')
    op.drop_table('report_revisions')
