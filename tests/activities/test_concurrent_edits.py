"""Two colleagues save the same version of an activity at the same moment, in two real
PostgreSQL transactions: one change wins, the other is told to reload (412), nothing is lost
and nothing is a 500."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from innovationsweek.activities import service as activities
from tests.activities.test_activities import create

WAITING_ON_A_ROW_LOCK = sa.text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


def wait_until_blocked(runtime, thread: threading.Thread) -> None:
    """Until another transaction of this database waits for a lock (or ``thread`` has ended)."""
    with runtime.database.engine.connect() as connection:
        while thread.is_alive() and not connection.scalar(WAITING_ON_A_ROW_LOCK):
            connection.rollback()  # a fresh snapshot of pg_stat_activity on each look
            time.sleep(0.01)


def test_a_save_racing_a_colleagues_save_of_the_same_version_gets_412(client, runtime, week, people):
    created = create(client, week)
    url = f"/api/v1/activities/{created.get_json()['id']}"
    answers = {}

    def olga_saves() -> None:
        answers["olga"] = client.patch(url, json={"title": "Olgas titel"}, headers={**week.organiser, "If-Match": created.headers["ETag"]})

    olga = threading.Thread(target=olga_saves)
    with runtime.database.sessions() as kims_request:
        # Kim's save of version 1 has reached the database but is not committed yet.
        activities.update_activity(kims_request, people.actor("kim@linkoping.se"), created.get_json()["id"], {"title": "Kims titel"}, expected_version=1)
        olga.start()
        wait_until_blocked(runtime, olga)  # Olga's request also read version 1 and now waits for Kim's row
        kims_request.commit()
    olga.join()

    response = answers["olga"]
    assert response.status_code == 412, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    current = client.get(url, headers=week.organiser)
    assert current.get_json()["title"] == "Kims titel"
    assert current.headers["ETag"] == '"v2"'


def test_a_racing_save_without_if_match_gets_409(client, runtime, week, people):
    created = create(client, week)
    activity_id = created.get_json()["id"]
    answers = {}

    def olga_submits() -> None:
        answers["olga"] = client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)

    olga = threading.Thread(target=olga_submits)
    with runtime.database.sessions() as kims_request:
        activities.update_activity(kims_request, people.actor("kim@linkoping.se"), activity_id, {"title": "Kims titel"}, expected_version=1)
        olga.start()
        wait_until_blocked(runtime, olga)
        kims_request.commit()
    olga.join()

    response = answers["olga"]
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()["status"] == "draft"
