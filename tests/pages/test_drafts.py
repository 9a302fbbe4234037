"""The organisers' activity screens: a draft typed, refused with its values kept and each error
at its field, saved, submitted, its findings at their fields after the checks, a change request
answered, a published activity cancelled; and what an organiser of another organisation gets."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.editions.models import Edition
from innovationsweek.moderation import service as moderation
from innovationsweek.organisations.models import MemberRole, Membership, Organisation, OrganisationKind
from tests.conftest import run_jobs
from tests.pages.test_coordinator import COORDINATOR, ORGANISER, week  # noqa: F401
from tests.pages.test_sign_in import csrf_token, sign_in

OTHER = "annan@example.org"  # an organiser of Norrköpings kommun only


@pytest.fixture
def other_organiser(runtime, people, demo_data) -> str:
    user = people.create(OTHER)
    with runtime.database.unit_of_work() as session:
        organisation = Organisation(name="Norrköpings kommun", kind=OrganisationKind.MUNICIPALITY, country="SE")
        session.add(organisation)
        session.flush()
        session.add(Membership(organisation_id=organisation.id, user_id=user.id, role=MemberRole.OWNER))
    return OTHER


def linkoping(runtime) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(Organisation.id).where(Organisation.name == "Linköpings kommun"))


def local_start(runtime, slug: str) -> str:
    """The second day of the week at 10:00, as a datetime-local input holds it."""
    with runtime.database.sessions() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == slug))
        day = edition.starts_at.astimezone(ZoneInfo(edition.timezone)) + timedelta(days=1)
    return day.strftime("%Y-%m-%dT10:00")


def draft_form(runtime, slug: str, **changes) -> dict:
    starts = local_start(runtime, slug)
    form = {
        "organisation_id": str(linkoping(runtime)), "title": "Workshop om tjänstedesign", "summary": "Vi provar metoderna tillsammans.",
        "description": "<p>Välkommen!</p>", "format": "workshop", "attendance_mode": "in_person",
        "starts_at": starts, "ends_at": starts.replace("T10:00", "T12:00"),
        "venue_name": "Stadshuset", "venue_address": "Drottninggatan 45", "venue_municipality": "Linköping", "venue_region": "Östergötland",
        "online_url": "", "languages": ["sv"], "audiences": ["employees"], "themes": ["spread"],
        "registration_mode": "internal", "registration_capacity": "30", "registration_url": "",
    }
    return {**form, **changes}


def create_draft(client, runtime, slug: str, **changes) -> int:
    page = client.get(f"/organiser/activities/new?edition={slug}&lang=en")
    saved = client.post(f"/organiser/activities/new?edition={slug}&lang=en", data={**draft_form(runtime, slug, **changes), "csrf_token": csrf_token(page)})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    return int(saved.headers["Location"].rsplit("/", 1)[1])


def post_edit(client, activity_id: int, form: dict, action: str = "save"):
    page = client.get(f"/organiser/activities/{activity_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    return client.post(f"/organiser/activities/{activity_id}?lang=en", data={**form, "action": action, "version": version, "csrf_token": csrf_token(page)})


def decided_draft(client, runtime, people, slug: str, **decision) -> int:
    """A draft of the signed-in organiser's, submitted through its form, checked and decided on."""
    sign_in(client, ORGANISER)
    activity_id = create_draft(client, runtime, slug)
    assert post_edit(client, activity_id, draft_form(runtime, slug), action="submit").status_code == 303
    run_jobs(runtime)
    with runtime.database.unit_of_work() as session:
        moderation.decide(session, people.actor(COORDINATOR), activity_id, **decision)
    return activity_id


def stored(runtime, activity_id: int) -> Activity:
    with runtime.database.sessions() as session:
        activity = session.get(Activity, activity_id)
        session.expunge(activity)
        return activity


def field_error(page, field: str) -> str:
    """The message shown next to ``field`` (its error paragraph)."""
    match = re.search(rf'id="{field}-error"><span class="visually-hidden">[^<]*</span> ([^<]*)</p>', page.text)
    assert match, f"no error at {field}"
    return match.group(1)


def test_the_new_draft_form_shows_the_deadline_in_the_weeks_time_zone(client, runtime, week):
    sign_in(client, ORGANISER)

    page = client.get(f"/organiser/activities/new?edition={week}&lang=en")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    with runtime.database.sessions() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week))
        deadline = edition.submissions_close_at.astimezone(ZoneInfo(edition.timezone))
    assert f"{deadline:%H:%M} (Europe/Stockholm)" in page.text
    assert "Deadline for submissions" in page.text
    for name in ("title", "summary", "description", "format", "attendance_mode", "starts_at", "ends_at", "venue_name", "online_url",
                 "languages", "audiences", "themes", "registration_mode", "registration_capacity", "organisation_id"):
        assert f'id="{name}"' in page.text, name


def test_in_swedish_the_format_list_uses_the_word_of_its_label(client, week):
    sign_in(client, ORGANISER)

    page = client.get(f"/organiser/activities/new?edition={week}&lang=sv").text

    chooser = re.search(r'<select id="format".*?</select>', page, re.S).group(0)
    assert '<label for="format">Form</label>' in page
    assert ">Välj en form</option>" in chooser  # not "format" under the label "Form"


def test_someone_of_no_organisation_is_shown_the_way_to_one_not_a_form_that_cannot_be_saved(client, people, week):
    people.create("ensam@example.org")
    sign_in(client, "ensam@example.org")

    page = client.get(f"/organiser/activities/new?edition={week}&lang=en")

    assert page.status_code == 200
    assert 'id="title"' not in page.text
    assert 'href="/organiser/organisations/">Create your organisation first' in page.text


def test_without_a_week_the_organiser_chooses_one(client, week):
    sign_in(client, ORGANISER)

    page = client.get("/organiser/activities/new?lang=en")

    assert f'/organiser/activities/new?edition={week}' in page.text
    assert "Deadline for submissions: " in page.text and "08:00 (Europe/Stockholm)" in page.text


def test_a_saved_draft_holds_what_was_typed_in_the_weeks_time_zone(client, runtime, week):
    sign_in(client, ORGANISER)

    activity_id = create_draft(client, runtime, week)

    activity = stored(runtime, activity_id)
    assert activity.status == ActivityStatus.DRAFT
    assert activity.title == "Workshop om tjänstedesign"
    assert activity.venue["municipality"] == "Linköping"
    assert activity.registration_capacity == 30
    assert activity.starts_at.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%H:%M") == "10:00"
    page = client.get(f"/organiser/activities/{activity_id}?lang=en")
    assert "Your draft is saved." in page.text
    assert f'value="{local_start(runtime, week)}"' in page.text


def test_an_invalid_draft_is_shown_again_as_typed_with_each_error_at_its_field(client, runtime, week):
    sign_in(client, ORGANISER)
    page = client.get(f"/organiser/activities/new?edition={week}&lang=en")
    form = draft_form(runtime, week, title="", starts_at="tomorrow", registration_capacity="0", summary="Kort sammanfattning")

    refused = client.post(f"/organiser/activities/new?edition={week}&lang=en", data={**form, "csrf_token": csrf_token(page)})

    assert refused.status_code == 422
    assert field_error(refused, "title") == "Enter a title, at most 200 characters."
    assert field_error(refused, "starts_at") == "Enter when it starts, as a date and a time."
    assert "Enter the number of places" in field_error(refused, "registration_capacity")
    summary = refused.text[refused.text.index('class="error-summary"'):]
    for field in ("title", "starts_at", "registration_capacity"):
        assert f'href="#{field}"' in summary
    assert 'value="tomorrow"' in refused.text and "Kort sammanfattning" in refused.text
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.title == "")) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.summary == "Kort sammanfattning")) == 0


def test_the_services_rules_are_the_forms_an_end_before_the_start_is_refused_at_the_end(client, runtime, week):
    sign_in(client, ORGANISER)
    activity_id = create_draft(client, runtime, week)
    form = draft_form(runtime, week, title="Ny titel")
    form["ends_at"] = form["starts_at"].replace("T10:00", "T09:00")

    refused = post_edit(client, activity_id, form)

    assert refused.status_code == 422
    assert field_error(refused, "ends_at") == "Enter when it ends, as a date and a time after the start."
    assert 'value="Ny titel"' in refused.text
    assert stored(runtime, activity_id).title == "Workshop om tjänstedesign"


def test_a_blocking_finding_shows_at_its_field_and_the_fixed_draft_goes_to_review(client, runtime, week):
    sign_in(client, ORGANISER)
    no_venue = {f"venue_{part}": "" for part in ("name", "address", "municipality", "region")}
    activity_id = create_draft(client, runtime, week, **no_venue)

    submitted = post_edit(client, activity_id, draft_form(runtime, week, **no_venue), action="submit")
    assert submitted.status_code == 303
    run_jobs(runtime)

    page = client.get(f"/organiser/activities/{activity_id}?lang=en")
    venue = page.text[page.text.index('id="venue_name"'):page.text.index('id="venue_address"')]
    assert "Blocking: No complete venue" in venue
    assert stored(runtime, activity_id).status == ActivityStatus.CHANGES_REQUESTED  # a blocking finding sends it back

    resubmitted = post_edit(client, activity_id, draft_form(runtime, week), action="submit")
    assert resubmitted.status_code == 303
    run_jobs(runtime)

    assert stored(runtime, activity_id).status == ActivityStatus.IN_REVIEW
    assert "No complete venue" not in client.get(f"/organiser/activities/{activity_id}?lang=en").text


def test_a_finding_reads_in_the_pages_language_with_the_weeks_times_as_the_page_writes_them(client, runtime, week):
    sign_in(client, ORGANISER)
    before_the_week = {"starts_at": "2027-09-29T10:00", "ends_at": "2027-09-29T12:00", "description": "<p>Hej<script>x</script></p>"}
    activity_id = create_draft(client, runtime, week, **before_the_week)
    assert post_edit(client, activity_id, draft_form(runtime, week, **before_the_week), action="submit").status_code == 303
    run_jobs(runtime)

    page = client.get(f"/organiser/activities/{activity_id}?lang=sv").text

    starts = page[page.index('id="starts_at"'):page.index('id="ends_at"')]
    assert "Hindrande: Utanför veckan" in starts
    assert "Den måste äga rum under veckan: 4 okt. 2027 08:00 – 8 okt. 2027 16:00." in starts  # not UTC in ISO 8601
    assert "+00:00" not in page
    description = page[page.index('id="description"'):page.index('id="format"')]
    assert "En del HTML i fältet beskrivning" in description and 'lang="en"' not in description
    assert "Gör ändringarna som efterfrågas" in page  # the checks asked, not the coordinators
    assert "samordnarnas begäran" not in page


def test_a_change_request_is_shown_and_answered_by_an_edit_and_a_new_submission(client, runtime, people, week):
    activity_id = decided_draft(client, runtime, people, week, decision="request_changes", comment="Skriv vem som leder workshoppen.")

    page = client.get(f"/organiser/activities/{activity_id}?lang=en")
    assert "The coordinators ask for changes" in page.text
    assert "Skriv vem som leder workshoppen." in page.text

    answered = post_edit(client, activity_id, draft_form(runtime, week, summary="Anna Berg leder workshoppen."), action="submit")
    assert answered.status_code == 303
    run_jobs(runtime)

    activity = stored(runtime, activity_id)
    assert activity.status == ActivityStatus.IN_REVIEW
    assert activity.summary == "Anna Berg leder workshoppen."


def test_a_published_activity_is_cancelled_with_a_reason_but_not_with_a_link(client, runtime, people, week):
    activity_id = decided_draft(client, runtime, people, week, decision="approve")
    run_jobs(runtime)  # the publish job
    page = client.get(f"/organiser/activities/{activity_id}?lang=en")

    refused = client.post(
        f"/organiser/activities/{activity_id}/cancel?lang=en", data={"reason": "Se https://example.org", "csrf_token": csrf_token(page)}
    )
    assert refused.status_code == 422
    assert field_error(refused, "reason").startswith("Tell the participants why")
    assert stored(runtime, activity_id).status == ActivityStatus.PUBLISHED

    cancelled = client.post(f"/organiser/activities/{activity_id}/cancel?lang=en", data={"reason": "Föreläsaren är sjuk.", "csrf_token": csrf_token(page)})
    assert cancelled.status_code == 303
    activity = stored(runtime, activity_id)
    assert (activity.status, activity.cancellation_reason) == (ActivityStatus.CANCELLED, "Föreläsaren är sjuk.")
    after = client.get(f"/organiser/activities/{activity_id}?lang=en").text
    assert after.count("its participants were told") + after.count("its participants are told") == 1  # said once, not twice
    assert "the participants are emailed it now" in after


def test_an_organiser_of_another_organisation_gets_what_the_api_gives(client, runtime, people, week, other_organiser):
    sign_in(client, ORGANISER)
    activity_id = create_draft(client, runtime, week)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/organiser/"))})
    api = client.get(f"/api/v1/activities/{activity_id}", headers=people.headers(OTHER))
    sign_in(client, OTHER)

    page = client.get(f"/organiser/activities/{activity_id}")
    token = csrf_token(client.get(f"/organiser/activities/new?edition={week}"))
    edit = client.post(f"/organiser/activities/{activity_id}", data={**draft_form(runtime, week, title="Kapad"), "csrf_token": token})
    foreign = client.post(f"/organiser/activities/new?edition={week}&lang=en", data={**draft_form(runtime, week, title="Kapad"), "csrf_token": token})

    assert api.status_code == page.status_code == edit.status_code == 404
    assert foreign.status_code == 403  # another organisation as host, as the API answers
    assert "You can only create activities for organisations you are a member of." in foreign.text
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.title == "Kapad")) == 0


def test_the_home_page_links_each_activity_and_a_new_one(client, runtime, week):
    sign_in(client, ORGANISER)
    activity_id = create_draft(client, runtime, week)

    home = client.get("/organiser/?lang=en")

    assert f'href="/organiser/activities/{activity_id}"' in home.text
    assert 'href="/organiser/activities/new"' in home.text


def test_an_edit_made_to_an_older_version_is_refused_and_kept_on_the_page(client, runtime, week):
    sign_in(client, ORGANISER)
    activity_id = create_draft(client, runtime, week)
    page = client.get(f"/organiser/activities/{activity_id}")
    old = {"version": re.search(r'name="version" value="(\d+)"', page.text).group(1), "csrf_token": csrf_token(page), "action": "save"}
    assert client.post(f"/organiser/activities/{activity_id}", data={**draft_form(runtime, week, title="Först"), **old}).status_code == 303

    late = client.post(f"/organiser/activities/{activity_id}?lang=en", data={**draft_form(runtime, week, title="Sist"), **old})

    assert late.status_code == 409
    assert "Someone changed this activity since you opened it." in late.text
    assert 'value="Sist"' in late.text
    assert stored(runtime, activity_id).title == "Först"


def co_organisers_of(runtime, activity_id: int) -> list[int]:
    with runtime.database.sessions() as session:
        return session.get(Activity, activity_id).co_organiser_ids


def organisation_named(runtime, name: str) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def test_the_form_holds_every_field_of_the_activity_and_saves_them(client, runtime, week):
    sign_in(client, ORGANISER)
    umea = organisation_named(runtime, "Umeå kommun")
    other_id = create_draft(client, runtime, week, title="Parallell workshop i Norrköping")

    activity_id = create_draft(
        client, runtime, week, venue_latitude="58.41", venue_longitude="15.62", topics="tjänstedesign, medborgardialog",
        contact_name="Anna Berg", contact_email="anna.berg@example.org", contact_phone="013-20 00 00", contact_email_public="yes",
        photo_notice="Vi fotograferar under workshoppen.", co_organiser_ids_add=str(umea), related_activity_ids_add=str(other_id),
    )

    activity = stored(runtime, activity_id)
    assert (activity.venue_latitude, activity.venue_longitude) == (58.41, 15.62)
    assert activity.topics == ["tjänstedesign", "medborgardialog"]
    assert activity.contact == {"name": "Anna Berg", "email": "anna.berg@example.org", "phone": "013-20 00 00", "email_public": True}
    assert activity.photo_notice == "Vi fotograferar under workshoppen."
    assert co_organisers_of(runtime, activity_id) == [umea]
    page = client.get(f"/organiser/activities/{activity_id}?lang=en")
    assert "Umeå kommun (invited, no answer yet)" in page.text
    assert re.search(rf'name="related_activity_ids" value="{other_id}" checked', page.text)
    assert 'value="tjänstedesign, medborgardialog"' in page.text
    assert client.get(f"/organiser/activities/{other_id}").text.count(f'name="related_activity_ids" value="{activity_id}" checked') == 1


def test_saving_the_form_again_keeps_what_it_shows_and_an_unticked_co_organiser_is_removed(client, runtime, week):
    sign_in(client, ORGANISER)
    umea = organisation_named(runtime, "Umeå kommun")
    activity_id = create_draft(client, runtime, week, venue_latitude="58.41", venue_longitude="15.62", co_organiser_ids_add=str(umea))

    saved = post_edit(client, activity_id, draft_form(runtime, week, title="Ny titel", venue_latitude="58.41", venue_longitude="15.62"))

    assert saved.status_code == 303
    activity = stored(runtime, activity_id)
    assert (activity.title, activity.venue_latitude, co_organisers_of(runtime, activity_id)) == ("Ny titel", 58.41, [])


def test_refused_contact_and_topics_are_shown_at_their_fields_with_everything_typed_kept(client, runtime, week):
    sign_in(client, ORGANISER)
    page = client.get(f"/organiser/activities/new?edition={week}&lang=en")
    umea = organisation_named(runtime, "Umeå kommun")
    form = draft_form(
        runtime, week, contact_email="inte en adress", topics="ok, " + "x" * 61, venue_latitude="norr",
        photo_notice="Vi filmar.", co_organiser_ids_add=str(umea), related_activity_ids_add="abc",
    )

    refused = client.post(f"/organiser/activities/new?edition={week}&lang=en", data={**form, "csrf_token": csrf_token(page)})

    assert refused.status_code == 422
    assert field_error(refused, "contact_email") == "Enter an email address such as name@example.org."
    assert field_error(refused, "topics").startswith("Enter at most 20 topics")
    assert field_error(refused, "venue_latitude").startswith("Enter the latitude")
    assert field_error(refused, "related_activity_ids").startswith("Choose at most 20 related activities")
    assert 'value="inte en adress"' in refused.text and "Vi filmar." in refused.text and 'value="abc"' in refused.text
    assert re.search(rf'<option value="{umea}" selected>', refused.text)
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.photo_notice == "Vi filmar.")) == 0


def test_the_host_cannot_be_its_own_co_organiser(client, runtime, week):
    sign_in(client, ORGANISER)
    activity_id = create_draft(client, runtime, week)

    refused = post_edit(client, activity_id, draft_form(runtime, week, co_organiser_ids_add=str(linkoping(runtime))))

    assert refused.status_code == 422
    assert field_error(refused, "co_organiser_ids").startswith("Choose at most 20 organisations from the list, other than the host")
    assert co_organisers_of(runtime, activity_id) == []


def test_a_co_organiser_sees_the_activity_on_its_home_read_only_and_may_not_change_it(client, runtime, week, other_organiser):
    sign_in(client, ORGANISER)
    norrkoping = organisation_named(runtime, "Norrköpings kommun")
    activity_id = create_draft(client, runtime, week, co_organiser_ids_add=str(norrkoping))
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/organiser/"))})
    sign_in(client, OTHER)
    page = client.get("/organiser/organisations/?lang=en")
    client.post(f"/organiser/organisations/{norrkoping}/invitations/{activity_id}/accept", data={"csrf_token": csrf_token(page)})

    home = client.get("/organiser/?lang=en")
    shown = client.get(f"/organiser/activities/{activity_id}?lang=en")
    changed = client.post(f"/organiser/activities/{activity_id}?lang=en", data={**draft_form(runtime, week, title="Ändrad"), "csrf_token": csrf_token(shown)})

    co_organised = home.text[home.text.index("Activities you co-organise"):]
    assert f'href="/organiser/activities/{activity_id}"' in co_organised and "Host: Linköpings kommun" in co_organised
    assert shown.status_code == 200
    assert "Only members of Linköpings kommun, its host, change this activity" in shown.text
    assert '<fieldset class="plain" disabled>' in shown.text and "Save the draft" not in shown.text
    assert changed.status_code == 403
    assert stored(runtime, activity_id).title == "Workshop om tjänstedesign"
