"""The coordinators' screens: the weeks they coordinate, the review queue with its filters,
counts, paging and bulk decisions, and one activity's review with its diff, findings, decision,
mail preview and featuring; and who may not open them."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.editions.models import Edition
from innovationsweek.notifications.models import Email
from innovationsweek.organisations.models import Organisation
from tests.conftest import run_jobs
from tests.pages.test_sign_in import csrf_token, sign_in

COORDINATOR = "coordinator@example.org"
ORGANISER = "organiser@example.org"  # owner of Linköpings kommun; coordinates nothing
ADMIN = "admin@example.org"


@pytest.fixture
def week(runtime, demo_data) -> str:
    """The demo's upcoming week (open for submissions, with preset reasons): its slug."""
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(Edition.slug).order_by(Edition.starts_at.desc()).limit(1))


def api_headers(client, email: str) -> dict[str, str]:
    from tests.conftest import PASSWORD

    token = client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def submit_webcasts(client, runtime, slug: str, link_server: str, titles: list[str], *, link: str = "ok") -> list[int]:
    """Webcasts of Linköpings kommun in ``slug``, submitted and checked: each waits for review."""
    headers = api_headers(client, ORGANISER)
    with runtime.database.sessions() as session:
        organisation_id = session.scalar(sa.select(Organisation.id).where(Organisation.name == "Linköpings kommun"))
        starts = session.scalar(sa.select(Edition.starts_at).where(Edition.slug == slug)) + timedelta(days=1, hours=2)
    ids = []
    for number, title in enumerate(titles):
        begins = starts + timedelta(hours=number)
        body = {
            "organisation_id": organisation_id, "title": title, "summary": "Tre kommuner berättar hur de gjorde.",
            "description": "<p>Välkommen!</p>", "format": "webcast", "attendance_mode": "online",
            "starts_at": begins.isoformat(), "ends_at": (begins + timedelta(minutes=45)).isoformat(),
            "online_url": f"{link_server}/{link}/{number}", "languages": ["sv"], "audiences": ["employees"], "themes": ["spread"],
        }
        created = client.post(f"/api/v1/editions/{slug}/activities", json=body, headers=headers)
        assert created.status_code == 201, created.get_json()
        activity_id = created.get_json()["id"]
        assert client.post(f"/api/v1/activities/{activity_id}/submit", headers=headers).status_code == 200
        ids.append(activity_id)
    run_jobs(runtime)
    return ids


def published_activity(runtime, slug: str, title_starts: str) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(
            sa.select(Activity.id).join(Edition).where(Edition.slug == slug, Activity.title.startswith(title_starts))
        )


def submit_edit(client, runtime, activity_id: int, **changes) -> None:
    headers = api_headers(client, ORGANISER)
    current = client.get(f"/api/v1/activities/{activity_id}", headers=headers)
    edited = client.patch(f"/api/v1/activities/{activity_id}", json=changes, headers={**headers, "If-Match": current.headers["ETag"]})
    assert edited.status_code == 200, edited.get_json()
    assert client.post(f"/api/v1/activities/{activity_id}/submit", headers=headers).status_code == 200
    run_jobs(runtime)


def status_of(runtime, activity_id: int) -> tuple[ActivityStatus, str | None]:
    with runtime.database.sessions() as session:
        activity = session.get(Activity, activity_id)
        return activity.status, activity.latest_revision.decision_comment


def emails_sent(runtime) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Email))


# --- the weeks -------------------------------------------------------------------------------


def test_a_coordinator_sees_each_week_with_its_activities_counted_by_status(client, runtime, week, link_server):
    sign_in(client, COORDINATOR)
    before = client.get("/coordinator/?lang=sv")
    assert before.status_code == 200
    assert before.headers["Cache-Control"] == "no-store"
    assert "Innovationsveckan 2019" in before.text
    assert f'href="/coordinator/editions/{week}/queue"' in before.text
    assert "1 väntar på granskning" in before.text  # the demo's Göteborg webinar

    submit_webcasts(client, runtime, week, link_server, ["Webbsändning om tillit"])

    after = client.get("/coordinator/?lang=sv").text
    assert "2 väntar på granskning" in after
    edition_card = after.split(f'/coordinator/editions/{week}/queue')[1].split("</section>")[0]
    assert re.search(r"<dt>Granskas</dt><dd>2</dd>", edition_card)


def test_each_week_shows_its_submission_deadline(client, runtime, week):
    sign_in(client, COORDINATOR)

    page = client.get("/coordinator/?lang=sv").text

    with runtime.database.sessions() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week))
        deadline = edition.submissions_close_at.astimezone(ZoneInfo(edition.timezone))
    card = page.split(f'/coordinator/editions/{week}/queue')[0].rsplit("<section", 1)[1]
    assert f"Sista dag att skicka in: {deadline.day} september {deadline.year} {deadline:%H:%M} (Europe/Stockholm)" in card


def test_someone_who_coordinates_nothing_is_told_so(client, week):
    sign_in(client, ORGANISER)
    response = client.get("/coordinator/?lang=da")
    assert response.status_code == 200
    assert "Du koordinerer ikke nogen uge." in response.text


def test_after_signing_in_a_coordinator_without_organisation_lands_on_coordination(client, week):
    assert sign_in(client, ADMIN).headers["Location"] == "/coordinator/"
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/coordinator/"))})
    assert sign_in(client, ORGANISER).headers["Location"] == "/organiser/"


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_filters_counts_and_pages_as_the_api(client, runtime, week, link_server):
    ids = submit_webcasts(client, runtime, week, link_server, ["Första", "Andra", "Tredje"])
    sign_in(client, COORDINATOR)

    first = client.get(f"/coordinator/editions/{week}/queue?lang=en&limit=2&format=webcast")
    assert first.status_code == 200
    shown = re.findall(r'name="activity_ids" value="(\d+)"', first.text)
    assert len(shown) == 2
    assert "In review <span class=\"count\">(4)</span>" in first.text  # three new and the demo's webinar
    assert "Linköpings kommun" in first.text
    more = re.search(r'<a href="([^"]+)">More</a>', first.text).group(1).replace("&amp;", "&")
    rest = re.findall(r'name="activity_ids" value="(\d+)"', client.get(more).text)
    assert set(shown + rest) == {str(i) for i in ids} | {str(published_activity(runtime, week, "Webbinarium: AI"))}

    by_finding = client.get(f"/coordinator/editions/{week}/queue?lang=en&finding=link_unreachable").text
    assert re.findall(r'name="activity_ids" value="(\d+)"', by_finding) == [str(published_activity(runtime, week, "Webbinarium: AI"))]
    assert "A link does not work" in by_finding

    refused = client.get(f"/coordinator/editions/{week}/queue?lang=sv&state=approvedish&format=talk&region=Skåne")
    assert refused.status_code == 400
    # Each refusal at its field (as on the programme), the summary naming the field and linking to it.
    assert re.search(r'id="filter-state-error">.*Välj ett läge i listan.', refused.text)
    assert re.search(r'id="filter-format-error">.*Välj en form i listan.', refused.text)
    assert 'aria-describedby="filter-state-error"' in refused.text
    assert '<a href="#filter-state">Läge: Välj ett läge i listan.</a>' in refused.text
    assert 'value="Skåne"' in refused.text  # what was typed stays


def test_a_bulk_rejection_with_a_preset_reason_reports_each_activity(client, runtime, week, link_server):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett", "Två", "Tre"])
    sign_in(client, COORDINATOR)
    queue = client.get(f"/coordinator/editions/{week}/queue")
    already = ids[0]
    client.post(
        f"/coordinator/editions/{week}/decisions",
        data={"csrf_token": csrf_token(queue), "activity_ids": [already], "decision": "approve"},
    )

    response = client.post(
        f"/coordinator/editions/{week}/decisions?lang=sv",
        data={"csrf_token": csrf_token(queue), "activity_ids": ids, "decision": "reject", "reason": "off_theme"},
    )

    assert response.status_code == 200
    assert "2 av 3 beslutade." in response.text
    assert "Inte beslutad: den väntar inte längre på granskning (godkänd)." in response.text
    assert status_of(runtime, already)[0] == ActivityStatus.PUBLISHED
    for activity_id in ids[1:]:
        assert status_of(runtime, activity_id) == (ActivityStatus.REJECTED, "Aktiviteten hör inte till veckans tema.")


def test_a_bulk_decision_without_its_csrf_token_or_a_reason_decides_nothing(client, runtime, week, link_server):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett"])
    sign_in(client, COORDINATOR)

    forged = client.post(f"/coordinator/editions/{week}/decisions?lang=da", data={"activity_ids": ids, "decision": "approve"})
    assert forged.status_code == 400
    assert "Formularen var udløbet. Genindlæs siden, og prøv igen." in forged.text
    no_reason = client.post(
        f"/coordinator/editions/{week}/decisions?lang=en",
        data={"csrf_token": csrf_token(client.get(f"/coordinator/editions/{week}/queue")), "activity_ids": ids, "decision": "reject"},
    )
    assert no_reason.status_code == 400
    assert "Tell the organisers why: write a comment or choose a preset reason." in no_reason.text
    assert status_of(runtime, ids[0])[0] == ActivityStatus.IN_REVIEW
    # The queue again, as the coordinator left it: the activity still ticked, "reject" still chosen.
    assert re.search(rf'name="activity_ids" value="{ids[0]}" checked', no_reason.text)
    assert re.search(r'value="reject"[^>]*checked|checked[^>]*value="reject"', no_reason.text)
    assert 'id="comment-error"' in no_reason.text


# --- one activity ------------------------------------------------------------------------------


def test_the_review_of_an_edit_shows_what_changed_field_by_field(client, runtime, week):
    activity_id = published_activity(runtime, week, "Studiebesök")
    submit_edit(client, runtime, activity_id, title="Studiebesök: Digitala medarbetare i hemtjänsten, nu i Norrköping")
    sign_in(client, COORDINATOR)

    page = client.get(f"/coordinator/activities/{activity_id}?lang=en")

    assert page.status_code == 200
    assert "Edit of a published activity" in page.text
    diff = page.text.split('<table class="table diff">')[1].split("</table>")[0]
    rows = re.findall(r'<tr id="field-(\w+)">', diff)
    assert rows == ["title"]  # nothing else changed
    assert "Studiebesök: Digitala medarbetare i hemtjänsten</span>" in diff
    assert "nu i Norrköping</span>" in diff


def test_the_diff_names_organisations_activities_and_themes_not_their_numbers_or_keys(client, runtime, week):
    activity_id = published_activity(runtime, week, "Studiebesök")
    related = published_activity(runtime, week, "Dialogmöte")
    with runtime.database.sessions() as session:
        vinnova = session.scalar(sa.select(Organisation.id).where(Organisation.name == "Vinnova"))
    submit_edit(client, runtime, activity_id, co_organiser_ids=[vinnova], related_activity_ids=[related], themes=["involve"])
    sign_in(client, COORDINATOR)

    page = client.get(f"/coordinator/activities/{activity_id}?lang=sv").text

    def row(field: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", " ", page.split(f'<tr id="field-{field}">')[1].split("</tr>")[0]))

    assert f"Vinnova (nummer {vinnova})" in row("co_organiser_ids")
    assert f"Dialogmöte med invånare om trygghet (nummer {related})" in row("related_activity_ids")
    assert "Involvera" in row("themes") and "involve" not in row("themes")


def test_a_first_submission_shows_every_field_and_its_findings(client, runtime, week, link_server):
    (activity_id,) = submit_webcasts(client, runtime, week, link_server, ["Trasig länk"], link="gone")
    sign_in(client, COORDINATOR)

    page = client.get(f"/coordinator/activities/{activity_id}?lang=en").text

    assert "Everything submitted (first submission)" in page
    assert {"title", "summary", "format", "starts_at", "online_url"} <= set(re.findall(r'<tr id="field-(\w+)">', page))
    link_row = page.split('<tr id="field-online_url">')[1].split("</tr>")[0]
    assert "Warning: A link does not work" in link_row  # the finding next to its field
    assert "Warning" not in page.split('<tr id="field-title">')[1].split("</tr>")[0]

    swedish = client.get(f"/coordinator/activities/{activity_id}?lang=sv").text
    link_row = swedish.split('<tr id="field-online_url">')[1].split("</tr>")[0]
    detail = re.search(r'<span class="finding__detail"([^>]*)>([^<]*)</span>', link_row)
    assert detail.group(1) == ""  # in the page's language, not marked English
    assert re.fullmatch(r"http://\S+/gone/0: servern svarade 404", detail.group(2))


def test_the_mail_preview_shows_what_the_organisers_will_get_and_sends_nothing(client, runtime, week, link_server):
    (activity_id,) = submit_webcasts(client, runtime, week, link_server, ["Förhandsvisning"])
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordinator/activities/{activity_id}")
    sent_before = emails_sent(runtime)

    preview = client.post(
        f"/coordinator/activities/{activity_id}?lang=en",
        data={"csrf_token": csrf_token(page), "decision": "reject", "reason": "more_detail", "comment": "Vem talar?", "action": "preview"},
    )

    assert preview.status_code == 200
    assert "Inte godkänd: Förhandsvisning" in preview.text
    assert "Beskriv närmare vad deltagarna får ut av aktiviteten." in preview.text
    assert "Vem talar?" in preview.text
    assert status_of(runtime, activity_id)[0] == ActivityStatus.IN_REVIEW
    assert emails_sent(runtime) == sent_before


def test_the_preview_of_a_danish_organisations_mail_is_in_danish_and_is_what_is_sent(client, runtime, week, link_server):
    (activity_id,) = submit_webcasts(client, runtime, week, link_server, ["Forhåndsvisning"])
    with runtime.database.unit_of_work() as session:
        session.scalar(sa.select(Organisation).where(Organisation.name == "Linköpings kommun")).country = "DK"
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordinator/activities/{activity_id}")
    chosen = {"csrf_token": csrf_token(page), "decision": "request_changes", "comment": "Hvem taler?"}

    preview = client.post(f"/coordinator/activities/{activity_id}?lang=en", data={**chosen, "action": "preview"})

    assert "Sent to every member of Linköpings kommun, in Danish." in preview.text
    shown = preview.text.split('<div lang="da">')[1].split("</div>")[0]
    assert "Ændringer nødvendige: Forhåndsvisning" in shown
    assert "Koordinatorerne for" in shown and "Hvem taler?" in shown
    client.post(f"/coordinator/activities/{activity_id}", data={**chosen, "action": "decide"})
    with runtime.database.sessions() as session:
        sent = session.scalars(sa.select(Email).where(Email.subject.startswith("Ændringer"))).first()
    assert f"<strong>{sent.subject}</strong>" in shown
    assert sent.text in html.unescape(shown)


def test_approving_goes_back_to_the_queue_with_a_notice(client, runtime, week, link_server):
    (activity_id,) = submit_webcasts(client, runtime, week, link_server, ["Godkänn mig"])
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordinator/activities/{activity_id}")

    decided = client.post(
        f"/coordinator/activities/{activity_id}?lang=en", data={"csrf_token": csrf_token(page), "decision": "approve", "action": "decide",
                                                              "version": re.search(r'name="version" type="hidden" value="(\d+)"', page.text).group(1)},
    )

    assert decided.status_code == 303
    assert decided.headers["Location"] == f"/coordinator/editions/{week}/queue"
    assert "“Godkänn mig”: approved." in client.get(f"/coordinator/editions/{week}/queue?lang=en").text
    assert status_of(runtime, activity_id)[0] == ActivityStatus.PUBLISHED


def test_a_decision_the_state_forbids_or_a_missing_reason_is_explained_and_changes_nothing(client, runtime, week, link_server):
    (activity_id,) = submit_webcasts(client, runtime, week, link_server, ["Redan beslutad"])
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordinator/activities/{activity_id}")
    token = csrf_token(page)

    no_reason = client.post(f"/coordinator/activities/{activity_id}?lang=en", data={"csrf_token": token, "decision": "request_changes", "action": "decide"})
    assert no_reason.status_code == 400
    assert 'id="comment-error"' in no_reason.text

    client.post(f"/coordinator/activities/{activity_id}", data={"csrf_token": token, "decision": "approve", "action": "decide"})
    again = client.post(
        f"/coordinator/activities/{activity_id}?lang=da", data={"csrf_token": token, "decision": "reject", "comment": "Nej", "action": "decide"}
    )
    assert again.status_code == 409
    assert "Ikke besluttet: den venter ikke længere på gennemgang (godkendt)." in again.text
    assert status_of(runtime, activity_id)[0] == ActivityStatus.PUBLISHED


def test_a_decision_without_its_csrf_token_changes_nothing(client, runtime, week, link_server):
    (activity_id,) = submit_webcasts(client, runtime, week, link_server, ["Utan token"])
    sign_in(client, COORDINATOR)
    response = client.post(f"/coordinator/activities/{activity_id}", data={"decision": "approve", "action": "decide"})
    assert response.status_code == 400
    assert status_of(runtime, activity_id)[0] == ActivityStatus.IN_REVIEW


def test_a_coordinator_features_a_published_activity_and_stops_again(client, runtime, week):
    activity_id = published_activity(runtime, week, "Studiebesök")
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordinator/activities/{activity_id}?lang=en")
    assert "Feature it" in page.text

    assert client.post(f"/coordinator/activities/{activity_id}/feature", data={"featured": "1"}).status_code == 400  # no token
    featured = client.post(f"/coordinator/activities/{activity_id}/feature?lang=en", data={"csrf_token": csrf_token(page), "featured": "1"})
    assert featured.status_code == 303
    after = client.get(f"/coordinator/activities/{activity_id}?lang=en").text
    assert "It is featured in the programme." in after
    assert "Stop featuring it" in after
    with runtime.database.sessions() as session:
        assert session.get(Activity, activity_id).featured


# --- who may not -----------------------------------------------------------------------------


def test_an_organiser_gets_the_apis_answers_as_pages(client, runtime, week, link_server):
    (own,) = submit_webcasts(client, runtime, week, link_server, ["Min egen"])
    others = published_activity(runtime, week, "Webbinarium: AI")  # Göteborgs Stad's
    sign_in(client, ORGANISER)

    queue = client.get(f"/coordinator/editions/{week}/queue?lang=sv")
    assert queue.status_code == 403
    assert "Du får inte öppna den här sidan" in queue.text
    assert client.get(f"/coordinator/activities/{own}").status_code == 403  # may see it, not review it
    assert client.get(f"/coordinator/activities/{others}?lang=sv").status_code == 404
    token = csrf_token(client.get("/coordinator/"))
    refused = client.post(f"/coordinator/editions/{week}/decisions", data={"csrf_token": token, "activity_ids": [own], "decision": "approve"})
    assert refused.status_code == 403
    assert status_of(runtime, own)[0] == ActivityStatus.IN_REVIEW


def test_a_signed_out_visitor_is_sent_to_sign_in(client, week):
    for path in ("/coordinator/", f"/coordinator/editions/{week}/queue", "/coordinator/activities/1"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/login?next=")
