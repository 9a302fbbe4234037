"""Migration 0009: links reported before report material was moderated go to the coordinators
instead of staying public unreviewed."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from innovationsweek import demo, migrate
from innovationsweek.activities.models import Activity
from innovationsweek.reports.models import ActivityReport
from tests.conftest import DATABASE_URL, PASSWORD


def test_reports_from_before_moderation_wait_for_review_and_leave_the_programme():
    server = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = f"iw_test_report_migration_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(make_url(DATABASE_URL).set(database=name))
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            demo.load_demo(session, password=PASSWORD)
            session.flush()
            activity_id = session.scalar(sa.select(Activity.id).where(Activity.approved_revision_id.is_not(None)).limit(1))
            session.add(ActivityReport(activity_id=activity_id, links=[{"title": "Bilder", "url": "https://example.org/b.pdf"}]))
            session.commit()
        migrate.downgrade(engine, "0007")  # the links as they were stored before 0009
        publications_before = _publications(engine, activity_id)

        migrate.upgrade(engine)

        with engine.connect() as connection:
            # (The demo's own report, on Linköping's study visit, is converted alike.)
            mine = {"id": activity_id}
            revisions = connection.execute(sa.text("SELECT id, activity_id, number, state FROM report_revisions WHERE activity_id = :id"), mine).all()
            assert [tuple(row)[1:] for row in revisions] == [(activity_id, 1, "in_review")]
            assert connection.scalar(sa.text("SELECT approved_revision_id FROM activity_reports WHERE activity_id = :id"), mine) is None
            codes = connection.execute(sa.text("SELECT code FROM findings WHERE report_revision_id = :id"), {"id": revisions[0].id})
            assert codes.scalars().all() == ["check_failed"]
        assert _publications(engine, activity_id) == publications_before + 1  # its entry drops the links
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def _publications(engine: sa.Engine, activity_id: int) -> int:
    with engine.connect() as connection:
        jobs = connection.execute(sa.text("SELECT args FROM outbox WHERE job = 'publish_activity'")).scalars().all()
    return jobs.count([activity_id])
