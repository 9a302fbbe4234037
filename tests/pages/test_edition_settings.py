"""A week's settings and logs for its coordinators: the dates and a new privacy notice version,
each saved on its own (shown, stored, audited), bad input kept and refused, the audit log and
the personal-data access log with their filters and paging; and who may not open them."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from innovationsweek.audit import AuditEntry
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.moderation.models import ModerationSettings
from innovationsweek.organisations.models import Organisation
from innovationsweek.registrations.models import PersonalDataAccess
from tests.pages.test_coordinator import COORDINATOR, ORGANISER, submit_webcasts, week  # noqa: F401 (a fixture)
from tests.pages.test_sign_in import csrf_token, sign_in


def edition(runtime, slug: str) -> Edition:
    with runtime.database.sessions() as session:
        found = session.scalar(sa.select(Edition).where(Edition.slug == slug))
        session.expunge(found)
        return found


def audited(runtime, slug: str) -> list[AuditEntry]:
    with runtime.database.sessions() as session:
        edition_id = session.scalar(sa.select(Edition.id).where(Edition.slug == slug))
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.edition_id == edition_id, AuditEntry.action == "edition_changed")))


def dates_form(week: str, **changed: str) -> dict[str, str]:
    return {
        "starts_at": "2026-09-28T08:00", "ends_at": "2026-10-02T17:00",
        "submissions_open_at": "2026-03-01T00:00", "submissions_close_at": "2026-09-01T23:59", **changed,
    }


@pytest.fixture
def coordinator(client, week):  # noqa: F811
    sign_in(client, COORDINATOR)
    return client


def test_the_dates_are_saved_in_the_weeks_time_zone_shown_and_audited(coordinator, runtime, week):  # noqa: F811
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    assert settings.status_code == 200 and settings.headers["Cache-Control"] == "no-store"
    assert re.search(r"<title>Inställningar – [^<]*</title>", settings.text)
    form = {**dates_form(week), "csrf_token": csrf_token(settings)}

    saved = coordinator.post(f"/coordinator/editions/{week}/settings/dates", data=form, follow_redirects=True)

    assert saved.status_code == 200
    assert 'value="2026-09-01T23:59"' in saved.text
    stored = edition(runtime, week)
    zone = ZoneInfo(stored.timezone)
    assert stored.submissions_close_at == datetime(2026, 9, 1, 23, 59, tzinfo=zone)
    assert stored.starts_at == datetime(2026, 9, 28, 8, 0, tzinfo=zone)
    assert any("submissions_close_at" in entry.detail["changes"] for entry in audited(runtime, week))


def test_a_week_ending_before_it_starts_is_refused_next_to_its_field_and_changes_nothing(coordinator, runtime, week):  # noqa: F811
    before = edition(runtime, week)
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {**dates_form(week, ends_at="2026-09-27T08:00"), "csrf_token": csrf_token(settings)}

    refused = coordinator.post(f"/coordinator/editions/{week}/settings/dates", data=form)

    assert refused.status_code == 422
    assert "Veckan måste sluta efter att den börjar." in refused.text
    assert 'href="#ends_at"' in refused.text and 'value="2026-09-27T08:00"' in refused.text
    after = edition(runtime, week)
    assert (after.starts_at, after.ends_at) == (before.starts_at, before.ends_at)
    assert audited(runtime, week) == []


def test_a_date_that_is_no_date_is_kept_as_typed_and_refused(coordinator, runtime, week):  # noqa: F811
    before = edition(runtime, week)
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {**dates_form(week, starts_at="next monday"), "csrf_token": csrf_token(settings)}

    refused = coordinator.post(f"/coordinator/editions/{week}/settings/dates", data=form)

    assert refused.status_code == 400
    assert 'value="next monday"' in refused.text and 'href="#starts_at"' in refused.text
    assert edition(runtime, week).starts_at == before.starts_at


def test_a_new_privacy_notice_version_is_in_use_and_audited(coordinator, runtime, week):  # noqa: F811
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {"version": "2026-12", "sv": "Vi sparar ditt namn.", "da": "", "en": "We keep your name.", "csrf_token": csrf_token(settings)}

    saved = coordinator.post(f"/coordinator/editions/{week}/settings/privacy-notice", data=form, follow_redirects=True)

    assert "Vi sparar ditt namn." in saved.text and "2026-12" in saved.text
    stored = edition(runtime, week)
    assert stored.privacy_notice_version == "2026-12"
    assert stored.privacy_notice == {"sv": "Vi sparar ditt namn.", "en": "We keep your name."}
    assert any("privacy_notice_version" in entry.detail["changes"] for entry in audited(runtime, week))


def test_a_notice_reusing_the_version_in_use_is_refused_and_kept(coordinator, runtime, week):  # noqa: F811
    before = edition(runtime, week)
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {"version": before.privacy_notice_version, "sv": "Ny text", "da": "", "en": "", "csrf_token": csrf_token(settings)}

    refused = coordinator.post(f"/coordinator/editions/{week}/settings/privacy-notice", data=form)

    assert refused.status_code == 400
    assert 'href="#version"' in refused.text and "Ny text</textarea>" in refused.text
    assert edition(runtime, week).privacy_notice == before.privacy_notice


def publish_notice(coordinator, week: str, version: str, sv: str, **kwargs):  # noqa: F811
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {"version": version, "sv": sv, "da": "", "en": "", "csrf_token": csrf_token(settings)}
    return coordinator.post(f"/coordinator/editions/{week}/settings/privacy-notice?lang=en", data=form, **kwargs)


def earlier_versions(page) -> str:
    return page.text[page.text.index("Earlier versions"):page.text.index("A new version")]


def test_the_versions_replaced_are_listed_with_their_texts_and_the_one_in_use_is_not(coordinator, runtime, week):  # noqa: F811
    first = edition(runtime, week)
    assert "There are no earlier versions." in earlier_versions(coordinator.get(f"/coordinator/editions/{week}/settings?lang=en"))

    publish_notice(coordinator, week, "2026-12", "Vi sparar ditt namn.")
    publish_notice(coordinator, week, "2027-01", "Vi sparar ditt namn och din e-post.")
    page = coordinator.get(f"/coordinator/editions/{week}/settings?lang=en")

    earlier = earlier_versions(page)
    assert f"Version {first.privacy_notice_version}, in use from" in earlier and first.privacy_notice["sv"] in earlier
    assert "Version 2026-12, in use from" in earlier and "Vi sparar ditt namn.</dd>" in earlier
    assert "2027-01" not in earlier
    assert "Version 2027-01, in use" in page.text


def test_an_earlier_version_name_for_another_text_is_refused_at_the_version(coordinator, runtime, week):  # noqa: F811
    first = edition(runtime, week)
    publish_notice(coordinator, week, "2026-12", "Vi sparar ditt namn.")

    refused = publish_notice(coordinator, week, first.privacy_notice_version, "En annan text.")

    assert refused.status_code == 422
    assert "This version name was used for another text; choose a new one." in refused.text
    assert 'href="#version"' in refused.text and "En annan text.</textarea>" in refused.text
    assert edition(runtime, week).privacy_notice_version == "2026-12"


@pytest.mark.parametrize("path", ["settings", "audit", "access-log"])
def test_an_organiser_may_not_open_a_weeks_settings_or_logs(client, week, path):  # noqa: F811
    sign_in(client, ORGANISER)
    assert client.get(f"/coordinator/editions/{week}/{path}").status_code == 403


def test_a_coordinator_of_another_week_may_not_change_this_one(coordinator, runtime, week):  # noqa: F811
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    with runtime.database.sessions() as session:
        edition_id = session.scalar(sa.select(Edition.id).where(Edition.slug == week))
        session.execute(sa.delete(EditionCoordinator).where(EditionCoordinator.edition_id == edition_id))
        session.commit()
    form = {**dates_form(week), "csrf_token": csrf_token(settings)}

    assert coordinator.post(f"/coordinator/editions/{week}/settings/dates", data=form).status_code == 403
    assert coordinator.get(f"/coordinator/editions/{week}/audit").status_code == 403
    assert audited(runtime, week) == []


def test_the_audit_log_lists_the_change_and_filters_by_action(coordinator, runtime, week):  # noqa: F811
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    coordinator.post(f"/coordinator/editions/{week}/settings/dates", data={**dates_form(week), "csrf_token": csrf_token(settings)})

    log = coordinator.get(f"/coordinator/editions/{week}/audit?action=edition_changed")

    assert log.status_code == 200
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", log.text, re.S)
    assert len(rows) == 1 and "edition_changed" in rows[0] and "submissions_close_at" in rows[0]
    assert "Inga poster." in coordinator.get(f"/coordinator/editions/{week}/audit?action=nothing_like_it").text


def test_the_access_log_pages_and_refuses_a_backwards_range(coordinator, runtime, week):  # noqa: F811
    with runtime.database.sessions() as session:
        edition_id = session.scalar(sa.select(Edition.id).where(Edition.slug == week))
        session.add_all(
            PersonalDataAccess(edition_id=edition_id, actor_label=f"Reader {number}", action="export", records=number) for number in range(55)
        )
        session.commit()

    first = coordinator.get(f"/coordinator/editions/{week}/access-log?action=export")
    assert first.status_code == 200 and "Reader 0<" in first.text and "Reader 49<" in first.text and "Reader 50<" not in first.text
    more = re.search(r'href="([^"]*cursor=[^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = coordinator.get(more)
    assert "Reader 54<" in second.text and "Reader 49<" not in second.text

    refused = coordinator.get(f"/coordinator/editions/{week}/access-log?written_from=2026-05-02&written_to=2026-05-01")
    assert refused.status_code == 400 and 'href="#written_to"' in refused.text


def moderation_settings(runtime, slug: str) -> tuple[bool, list[int], list[dict]]:
    with runtime.database.sessions() as session:
        edition_id = session.scalar(sa.select(Edition.id).where(Edition.slug == slug))
        settings = session.get(ModerationSettings, edition_id)
        return (settings.fast_lane, settings.trusted_organisation_ids, settings.reasons) if settings else (False, [], [])


def moderation_audited(runtime) -> list[AuditEntry]:
    with runtime.database.sessions() as session:
        return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "moderation_settings_changed")))


def test_trusted_organisations_and_the_fast_lane_are_saved_and_audited(coordinator, runtime, week):  # noqa: F811
    with runtime.database.sessions() as session:
        linkoping = session.scalar(sa.select(Organisation.id).where(Organisation.name == "Linköpings kommun"))
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {"fast_lane": "y", "trusted": [str(linkoping)], "csrf_token": csrf_token(settings)}

    saved = coordinator.post(f"/coordinator/editions/{week}/settings/trust", data=form, follow_redirects=True)

    assert re.search(rf'checked[^>]*value="{linkoping}"|value="{linkoping}"[^>]*checked', saved.text)
    assert moderation_settings(runtime, week)[:2] == (True, [linkoping])
    assert moderation_audited(runtime)


def test_a_preset_reason_is_added_and_one_removed(coordinator, runtime, week):  # noqa: F811
    before = moderation_settings(runtime, week)[2]
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    assert f'name="reasons-remove" value="{before[0]["key"]}"' in settings.text  # each one listed, to remove
    form = {"reasons-remove": [before[0]["key"]], "reasons-key": "no-host", "reasons-text_sv": "Ingen arrangör anges.",
            "reasons-csrf_token": csrf_token(settings)}

    saved = coordinator.post(f"/coordinator/editions/{week}/settings/reasons", data=form, follow_redirects=True)

    assert "Ingen arrangör anges." in saved.text
    reasons = moderation_settings(runtime, week)[2]
    assert [reason["key"] for reason in reasons] == [reason["key"] for reason in before[1:]] + ["no-host"]
    assert moderation_audited(runtime)


def test_a_preset_reason_with_a_key_in_use_is_refused_and_kept(coordinator, runtime, week):  # noqa: F811
    before = moderation_settings(runtime, week)[2]
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {"reasons-key": before[0]["key"], "reasons-text_sv": "Samma nyckel", "reasons-csrf_token": csrf_token(settings)}

    refused = coordinator.post(f"/coordinator/editions/{week}/settings/reasons", data=form)

    assert refused.status_code == 400 and 'href="#reasons-key"' in refused.text and "Samma nyckel</textarea>" in refused.text
    assert moderation_settings(runtime, week)[2] == before and not moderation_audited(runtime)


def reminders_form(settings) -> dict[str, str]:
    """The reminders' form as the page fills it in."""
    fields = re.findall(r'name="((?:participant|draft_deadline|changes_requested|pre_event|post_event|coordinator_digest)_\w+)"[^>]*?value="([^"]*)"', settings.text)
    form = {name: value for name, value in fields if not name.endswith("_enabled")}
    form.update({name: "y" for name, _ in fields if name.endswith("_enabled")})
    return {**form, "csrf_token": csrf_token(settings)}


def test_the_reminders_are_saved_and_audited(coordinator, runtime, week):  # noqa: F811
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {**reminders_form(settings), "draft_deadline_days": "14, 3", "post_event_hour": "16"}
    del form["pre_event_enabled"]

    saved = coordinator.post(f"/coordinator/editions/{week}/settings/reminders", data=form, follow_redirects=True)

    assert saved.status_code == 200 and 'value="14, 3"' in saved.text
    stored = edition(runtime, week).reminder_settings
    assert stored["draft_deadline"]["days_before"] == [14, 3] and stored["post_event"]["hour"] == 16
    assert stored["pre_event"]["enabled"] is False
    assert any("reminder_settings" in entry.detail["changes"] for entry in audited(runtime, week))


def test_reminder_days_that_are_no_days_are_kept_and_refused(coordinator, runtime, week):  # noqa: F811
    before = edition(runtime, week).reminder_settings
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    form = {**reminders_form(settings), "draft_deadline_days": "14, soon", "post_event_hour": "25"}

    refused = coordinator.post(f"/coordinator/editions/{week}/settings/reminders", data=form)

    assert refused.status_code == 400
    assert 'href="#draft_deadline_days"' in refused.text and 'value="14, soon"' in refused.text
    assert 'href="#post_event_hour"' in refused.text and 'value="25"' in refused.text
    assert edition(runtime, week).reminder_settings == before and audited(runtime, week) == []


def test_a_theme_is_added_and_one_removed_and_a_bad_key_is_refused(coordinator, runtime, week):  # noqa: F811
    before = edition(runtime, week).themes
    settings = coordinator.get(f"/coordinator/editions/{week}/settings")
    refused = coordinator.post(
        f"/coordinator/editions/{week}/settings/themes",
        data={"themes-key": "Öppna data", "themes-text_sv": "Öppna data", "themes-csrf_token": csrf_token(settings)},
    )
    assert refused.status_code == 400 and 'href="#themes-key"' in refused.text and 'value="Öppna data"' in refused.text
    assert edition(runtime, week).themes == before

    form = {"themes-remove": [before[0]["key"]], "themes-key": "open-data", "themes-text_sv": "Öppna data", "themes-text_en": "Open data",
            "themes-csrf_token": csrf_token(settings)}
    saved = coordinator.post(f"/coordinator/editions/{week}/settings/themes", data=form, follow_redirects=True)

    assert "<code>open-data</code>: Öppna data" in saved.text
    themes = edition(runtime, week).themes
    assert [theme["key"] for theme in themes] == [theme["key"] for theme in before[1:]] + ["open-data"]
    assert themes[-1]["label"] == {"sv": "Öppna data", "en": "Open data"}
    assert any("themes" in entry.detail["changes"] for entry in audited(runtime, week))


def test_the_key_hints_give_an_example_of_their_own_kind(coordinator, week):  # noqa: F811
    page = coordinator.get(f"/coordinator/editions/{week}/settings?lang=en").text

    assert 'id="themes-key-hint">A short name, such as digital-welfare.' in page  # a theme, not a reason's "outside-week"
    assert 'id="reasons-key-hint">A short name, such as outside-week.' in page


def test_the_audit_log_names_the_automated_checks_in_the_pages_language(client, runtime, week, link_server):  # noqa: F811
    submit_webcasts(client, runtime, week, link_server, ["Kontrollerad sändning"])
    sign_in(client, COORDINATOR)

    log = client.get(f"/coordinator/editions/{week}/audit?action=checks_passed&lang=sv")

    rows = re.findall(r"<tr>\s*<td>.*?</tr>", log.text, re.S)
    assert rows and all("automatiska kontroller" in row for row in rows)
    assert "automated checks" not in log.text
