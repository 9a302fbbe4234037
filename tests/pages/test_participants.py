"""The organisers' screens for one activity: its participants (and their spreadsheet, every read
logged) and the report after the event; and who may not open them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from innovationsweek.accounts import service as accounts
from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import Membership, MemberRole, Organisation
from innovationsweek.registrations.models import PersonalDataAccess, Registration, RegistrationStatus
from innovationsweek.reports.models import ActivityReport
from tests.conftest import PASSWORD
from tests.pages.test_sign_in import csrf_token, sign_in

ORGANISER = "organiser@example.org"  # owner of Linköpings kommun
STRANGER = "umea@example.org"  # an organiser of Umeå kommun


def linkoping_activity(runtime, *, past: bool) -> int:
    """A published activity of Linköpings kommun, in the past week or the coming one."""
    with runtime.database.sessions() as session:
        order = Edition.starts_at.asc() if past else Edition.starts_at.desc()
        edition_id = session.scalar(sa.select(Edition.id).order_by(order).limit(1))
        return session.scalar(
            sa.select(Activity.id).join(Organisation)
            .where(Activity.edition_id == edition_id, Organisation.name == "Linköpings kommun", Activity.status == ActivityStatus.PUBLISHED)
            .order_by(Activity.id).limit(1)
        )


@pytest.fixture
def coming(client, runtime, demo_data) -> int:
    """The coming activity with Åsa Ek and Bo Lind confirmed and Cecilia Berg and Dan Holm
    waiting, in that order (the demo's capacity is 25: the waitlist is set in the database)."""
    activity_id = linkoping_activity(runtime, past=False)
    for name, photo, language in (("Åsa Ek", True, "sv"), ("Bo Lind", False, "en"), ("Cecilia Berg", True, "da"), ("Dan Holm", True, "sv")):
        body = {
            "name": name, "email": f"{name.split()[-1].lower()}@example.org", "workplace": "=Region Östergötland",
            "position": "Utvecklare", "phone": None, "photo_consent": photo, "consent": True, "language": language,
        }
        answer = client.post(f"/api/v1/programme/activities/{activity_id}/registrations", json=body)
        assert answer.status_code == 201, answer.get_json()
    with runtime.database.unit_of_work() as session:
        session.execute(
            sa.update(Registration).where(Registration.name.in_(["Cecilia Berg", "Dan Holm"])).values(status=RegistrationStatus.WAITLISTED)
        )
    return activity_id


@pytest.fixture
def stranger(runtime, demo_data) -> str:
    with runtime.database.unit_of_work() as session:
        user = accounts.register(session, email=STRANGER, password=PASSWORD, name="Ulla Umeå")
        umea = session.scalar(sa.select(Organisation).where(Organisation.name == "Umeå kommun"))
        session.add(Membership(organisation=umea, user=user, role=MemberRole.OWNER))
    return STRANGER


def access_log(runtime) -> list[tuple[str, int, int]]:
    with runtime.database.sessions() as session:
        rows = session.execute(sa.select(PersonalDataAccess.action, PersonalDataAccess.activity_id, PersonalDataAccess.records).order_by(PersonalDataAccess.id))
        return [tuple(row) for row in rows]


def rows_of(page, caption: str) -> list[str]:
    """The body rows of the table with ``caption``, each as its cells' text joined by |."""
    table = page.text.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        "|".join(" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S))
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_organiser_sees_who_has_a_seat_and_who_waits_in_line_and_the_read_is_logged(client, runtime, coming):
    sign_in(client, ORGANISER)
    page = client.get(f"/organiser/activities/{coming}/participants?lang=en")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "<dt>Submission deadline</dt>" in page.text  # the week's, as on every organiser's screen
    assert rows_of(page, "Confirmed participants") == [
        f"Åsa Ek|=Region Östergötland Utvecklare|ek@example.org|yes|{_registered(page)}|Swedish",
        f"Bo Lind|=Region Östergötland Utvecklare|lind@example.org|no|{_registered(page)}|English",
    ]
    waiting = rows_of(page, "The waitlist, first in line first")
    assert [row.split("|")[:2] for row in waiting] == [["1", "Cecilia Berg"], ["2", "Dan Holm"]]
    assert waiting[0].endswith("|Danish")
    # The activity starts at 13:00 in Linköping (11:00 UTC in October): times are the week's.
    assert re.search(r"<dt>Takes place</dt><dd>Tue, October \d+, \d{4} 13:00</dd>", page.text)
    assert "Europe/Stockholm" in page.text
    assert access_log(runtime) == [("list", coming, 4)]


def _registered(page) -> str:
    return re.search(r"<td>([^<]*\d\d:\d\d)</td>", page.text).group(1)


def test_the_spreadsheet_is_the_apis_and_its_download_is_logged_as_an_export(client, runtime, people, coming):
    sign_in(client, ORGANISER)
    download = client.get(f"/organiser/activities/{coming}/participants.csv")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == f'attachment; filename="registrations-{coming}.csv"'
    api = client.get(f"/api/v1/activities/{coming}/registrations?format=csv", headers=people.headers(ORGANISER))
    assert download.data == api.data
    lines = download.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "name;email;workplace;position;phone;photo consent;status;registered at;consent version"
    assert lines[1].startswith("Åsa Ek;ek@example.org;'=Region Östergötland;Utvecklare;;yes;confirmed;")
    assert lines[3].startswith("Cecilia Berg;") and ";waitlisted;" in lines[3]
    assert [row[0] for row in access_log(runtime)] == ["export", "export"]


def test_the_home_links_a_published_activity_to_its_participants_and_report(client, coming):
    sign_in(client, ORGANISER)
    home = client.get("/organiser/?lang=en")
    assert f'href="/organiser/activities/{coming}/participants"' in home.text
    assert f'href="/organiser/activities/{coming}/report"' in home.text


@pytest.mark.parametrize("screen", ["participants", "participants.csv", "report"])
def test_an_organiser_of_another_organisation_may_not_open_them_as_the_api_answers(client, runtime, people, coming, stranger, screen):
    api = client.get(f"/api/v1/activities/{coming}/registrations", headers=people.headers(stranger))
    sign_in(client, stranger)
    page = client.get(f"/organiser/activities/{coming}/{screen}?lang=en")
    assert page.status_code == api.status_code == 404
    assert "Åsa Ek" not in page.text
    assert access_log(runtime) == []


@pytest.mark.parametrize("screen", ["participants", "participants.csv"])
def test_the_weeks_coordinator_sees_no_personal_data_either(client, runtime, coming, screen):
    sign_in(client, "coordinator@example.org")
    page = client.get(f"/organiser/activities/{coming}/{screen}?lang=en")
    assert page.status_code == 403
    assert "Only members of the host organisation may see this." in page.text and "Åsa Ek" not in page.text
    assert access_log(runtime) == []


def test_signed_out_the_screens_ask_to_sign_in(client, coming):
    page = client.get(f"/organiser/activities/{coming}/participants")
    assert page.status_code in (302, 303)
    assert "/login" in page.headers["Location"] or "sign" in page.headers["Location"]


def test_the_report_after_the_event_is_saved_and_shown_again(client, runtime, demo_data):
    past = linkoping_activity(runtime, past=True)
    sign_in(client, ORGANISER)
    form = client.get(f"/organiser/activities/{past}/report?lang=en")
    assert form.status_code == 200
    assert "September 30, 2019 – October 4, 2019" in form.text.replace("\u202f", " ").replace("\u2009", " ")
    saved = client.post(
        f"/organiser/activities/{past}/report?lang=en",
        data={
            "csrf_token": csrf_token(form), "participants_in_person": "42", "participants_online": "",
            "links-0-title": "Bilder (PDF)", "links-0-url": "https://example.org/bilder.pdf", "links-1-title": "", "links-1-url": "",
            "how_to_reuse": "Kopiera mallen.",
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "The report is saved." in saved.text
    assert 'value="42"' in saved.text and 'value="https://example.org/bilder.pdf"' in saved.text and "Kopiera mallen." in saved.text
    with runtime.database.sessions() as session:
        report = session.get(ActivityReport, past)
        assert (report.participants_in_person, report.participants_online) == (42, None)
        assert report.links == [{"title": "Bilder (PDF)", "url": "https://example.org/bilder.pdf"}]


def test_an_invalid_report_keeps_what_was_typed_says_why_next_to_each_field_and_saves_nothing(client, runtime, demo_data):
    past = linkoping_activity(runtime, past=True)
    before = saved_report(runtime, past)  # the demo's study visit has one already, with material
    sign_in(client, ORGANISER)
    form = client.get(f"/organiser/activities/{past}/report?lang=en")
    refused = client.post(
        f"/organiser/activities/{past}/report?lang=en",
        data={
            "csrf_token": csrf_token(form), "participants_in_person": "-3", "participants_online": "7",
            "links-0-title": "", "links-0-url": "ftp:/bilder", "how_to_reuse": "Kopiera mallen.",
        },
    )
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert 'id="participants_in_person-error"' in refused.text and "A whole number from 0 up." in refused.text
    assert 'id="links-0-url-error"' in refused.text and "A web address that starts with https://." in refused.text
    assert 'href="#links-0-url"' in refused.text
    assert 'value="-3"' in refused.text and 'value="7"' in refused.text and 'value="ftp:/bilder"' in refused.text
    assert "Kopiera mallen." in refused.text
    assert saved_report(runtime, past) == before


def saved_report(runtime, activity_id: int) -> tuple | None:
    with runtime.database.sessions() as session:
        report = session.get(ActivityReport, activity_id)
        return report and (report.participants_in_person, report.participants_online, report.links, report.how_to_reuse, len(report.revisions))


def test_before_the_event_there_is_no_report_to_give(client, runtime, coming):
    sign_in(client, ORGANISER)
    page = client.get(f"/organiser/activities/{coming}/report?lang=en")
    assert page.status_code == 200
    assert "You can report once the activity has taken place" in page.text
    assert "Save the report" not in page.text
    refused = client.post(
        f"/organiser/activities/{coming}/report?lang=en",
        data={"csrf_token": csrf_token(client.get(f"/organiser/activities/{coming}/participants")), "participants_in_person": "3"},
    )
    assert refused.status_code == 409
    with runtime.database.sessions() as session:
        assert session.get(ActivityReport, coming) is None
