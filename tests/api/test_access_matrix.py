"""Every operation x every kind of caller: those in the operation's ``x-roles`` succeed, the
others get 401 (nobody signed in), 404 (a signed-in person who may not see the activity the
operation is on: it answers as if it did not exist) or 403. The roles come from the served OpenAPI document, so a
new operation without an entry in RECIPES fails here until someone says how to call it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from innovationsweek.accounts.models import AccessToken, User
from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, Format, Revision, RevisionState
from innovationsweek.activities.service import content_of
from innovationsweek.programme import service as programme
from innovationsweek.credentials import PARTNER_KEY_PREFIX, USER_TOKEN_PREFIX, new_secret, secret_hash
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.organisations.models import MemberRole, Membership, Organisation, OrganisationKind
from innovationsweek.partners.models import Partner
from tests.api.test_openapi import operations
from tests.conftest import PASSWORD

LATER_WEEK = "matrix-next-year"
CALLERS = ("public", "account", "organiser", "coordinator", "admin", "partner")
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)  # once: hashing per test would dominate the run
_unique = itertools.count()


@dataclass
class World:
    """One of everything an operation can be called on, and a credential per kind of caller."""

    organisation_id: int
    member_id: int
    coordinator_id: int
    other_partner_id: int
    draft_id: int
    in_review_id: int
    published_id: int
    credentials: dict[str, str]
    slug: str = "matrix-week"
    webhook_id: int = 0  # the partner's endpoint, see webhook_world
    delivery_id: int = 0
    registration_activity_id: int = 0  # takes registrations here, see registration_world
    erasure_link: str = ""  # signed with the app's key, see privacy_world
    invited_activity_id: int = 0  # another host names the organisation co-organiser, see co_organiser_world


def edition_body(slug: str) -> dict:
    return {
        "slug": slug,
        "name": {"en": "Matrix week"},
        "theme": {"en": "Access"},
        "timezone": "Europe/Stockholm",
        "starts_at": "2030-09-30T08:00:00+02:00",
        "ends_at": "2030-10-04T16:00:00+02:00",
        "submissions_open_at": "2030-04-01T00:00:00+02:00",
        "submissions_close_at": "2030-09-20T00:00:00+02:00",
    }


Recipe = Callable[[World], tuple[str, dict | None] | tuple[str, dict | None, dict[str, str]]]
RECIPES: dict[str, Recipe] = {
    "GET /health": lambda w: ("/health", None),
    "POST /api/v1/auth/register": lambda w: (
        "/api/v1/auth/register",
        {"email": f"new-{next(_unique)}@example.org", "password": PASSWORD, "name": "New"},
    ),
    "POST /api/v1/auth/tokens": lambda w: ("/api/v1/auth/tokens", {"email": "account@example.org", "password": PASSWORD}),
    "DELETE /api/v1/auth/tokens/current": lambda w: ("/api/v1/auth/tokens/current", None),
    "GET /api/v1/auth/me": lambda w: ("/api/v1/auth/me", None),
    "PATCH /api/v1/auth/me": lambda w: ("/api/v1/auth/me", {"language": "da"}),
    "GET /api/v1/users": lambda w: ("/api/v1/users", None),
    "GET /api/v1/organisations": lambda w: ("/api/v1/organisations", None),
    "POST /api/v1/organisations": lambda w: (
        "/api/v1/organisations",
        {"name": f"Kommun {next(_unique)}", "kind": "municipality", "country": "SE"},
    ),
    "GET /api/v1/organisations/{organisation_id}": lambda w: (f"/api/v1/organisations/{w.organisation_id}", None),
    "PATCH /api/v1/organisations/{organisation_id}": lambda w: (
        f"/api/v1/organisations/{w.organisation_id}",
        {"region": "Östergötland"},
    ),
    "GET /api/v1/organisations/{organisation_id}/members": lambda w: (
        f"/api/v1/organisations/{w.organisation_id}/members",
        None,
    ),
    "POST /api/v1/organisations/{organisation_id}/members": lambda w: (
        f"/api/v1/organisations/{w.organisation_id}/members",
        {"email": "account@example.org", "role": "member"},
    ),
    "DELETE /api/v1/organisations/{organisation_id}/members/{user_id}": lambda w: (
        f"/api/v1/organisations/{w.organisation_id}/members/{w.member_id}",
        None,
    ),
    "GET /api/v1/editions": lambda w: ("/api/v1/editions", None),
    "POST /api/v1/editions": lambda w: ("/api/v1/editions", edition_body(f"next-week-{next(_unique)}")),
    "GET /api/v1/editions/{slug}": lambda w: (f"/api/v1/editions/{w.slug}", None),
    "PATCH /api/v1/editions/{slug}": lambda w: (f"/api/v1/editions/{w.slug}", {"programme_open": True}),
    "GET /api/v1/editions/{slug}/coordinators": lambda w: (f"/api/v1/editions/{w.slug}/coordinators", None),
    "POST /api/v1/editions/{slug}/coordinators": lambda w: (
        f"/api/v1/editions/{w.slug}/coordinators",
        {"email": "account@example.org"},
    ),
    "GET /api/v1/editions/{slug}/privacy-notice-versions": lambda w: (f"/api/v1/editions/{w.slug}/privacy-notice-versions", None),
    "DELETE /api/v1/editions/{slug}/coordinators/{user_id}": lambda w: (
        f"/api/v1/editions/{w.slug}/coordinators/{w.coordinator_id}",
        None,
    ),
    "GET /api/v1/editions/{slug}/activities": lambda w: (f"/api/v1/editions/{w.slug}/activities", None),
    "POST /api/v1/editions/{slug}/activities": lambda w: (
        f"/api/v1/editions/{w.slug}/activities",
        {
            "organisation_id": w.organisation_id,
            "title": "Webbsändning",
            "format": "webcast",
            "attendance_mode": "online",
            "starts_at": "2030-10-01T10:00:00+02:00",
            "ends_at": "2030-10-01T11:00:00+02:00",
        },
    ),
    "GET /api/v1/activities/{activity_id}": lambda w: (f"/api/v1/activities/{w.draft_id}", None),
    "PATCH /api/v1/activities/{activity_id}": lambda w: (
        f"/api/v1/activities/{w.draft_id}",
        {"title": "Ny titel"},
        {"If-Match": '"v1"'},
    ),
    "DELETE /api/v1/activities/{activity_id}": lambda w: (f"/api/v1/activities/{w.draft_id}", None),
    "POST /api/v1/activities/{activity_id}/submit": lambda w: (f"/api/v1/activities/{w.draft_id}/submit", None),
    "POST /api/v1/activities/{activity_id}/withdraw": lambda w: (f"/api/v1/activities/{w.draft_id}/withdraw", None),
    "POST /api/v1/activities/{activity_id}/cancel": lambda w: (
        f"/api/v1/activities/{w.published_id}/cancel",
        {"reason": "Sjuk talare"},
    ),
    "GET /api/v1/activities/{activity_id}/revisions": lambda w: (f"/api/v1/activities/{w.in_review_id}/revisions", None),
    "GET /api/v1/editions/{slug}/review-queue": lambda w: (f"/api/v1/editions/{w.slug}/review-queue", None),
    "POST /api/v1/activities/{activity_id}/review": lambda w: (
        f"/api/v1/activities/{w.in_review_id}/review",
        {"decision": "approve"},
    ),
    "POST /api/v1/editions/{slug}/review-queue/decisions": lambda w: (
        f"/api/v1/editions/{w.slug}/review-queue/decisions",
        {"activity_ids": [w.in_review_id], "decision": "approve"},
    ),
    "GET /api/v1/editions/{slug}/moderation-settings": lambda w: (f"/api/v1/editions/{w.slug}/moderation-settings", None),
    "PATCH /api/v1/editions/{slug}/moderation-settings": lambda w: (
        f"/api/v1/editions/{w.slug}/moderation-settings",
        {"fast_lane": True},
    ),
    "POST /api/v1/activities/{activity_id}/feature": lambda w: (
        f"/api/v1/activities/{w.published_id}/feature",
        {"featured": True},
    ),
    "GET /api/v1/solutions": lambda w: ("/api/v1/solutions", None),
    "POST /api/v1/activities/{activity_id}/feature-solution": lambda w: (
        f"/api/v1/activities/{w.published_id}/feature-solution",
        {"featured": True},
    ),
    "POST /api/v1/activities/{activity_id}/copy": lambda w: (f"/api/v1/activities/{w.published_id}/copy", {"edition": LATER_WEEK}),
    "GET /api/v1/editions/{slug}/programme": lambda w: (f"/api/v1/editions/{w.slug}/programme", None),
    "GET /api/v1/editions/{slug}/programme.ics": lambda w: (f"/api/v1/editions/{w.slug}/programme.ics", None),
    "GET /api/v1/editions/{slug}/programme.atom": lambda w: (f"/api/v1/editions/{w.slug}/programme.atom", None),
    "GET /api/v1/editions/{slug}/feed": lambda w: (f"/api/v1/editions/{w.slug}/feed", None),
    "GET /api/v1/editions/{slug}/statistics": lambda w: (f"/api/v1/editions/{w.slug}/statistics", None),
    "GET /api/v1/programme/activities/{activity_id}": lambda w: (f"/api/v1/programme/activities/{w.published_id}", None),
    "GET /api/v1/programme/activities/{activity_id}.ics": lambda w: (
        f"/api/v1/programme/activities/{w.published_id}.ics",
        None,
    ),
    "GET /api/v1/editions/{slug}/audit-log": lambda w: (f"/api/v1/editions/{w.slug}/audit-log", None),
    "GET /api/v1/organisations/{organisation_id}/audit-log": lambda w: (f"/api/v1/organisations/{w.organisation_id}/audit-log", None),
    "GET /api/v1/audit-log": lambda w: ("/api/v1/audit-log", None),
    "GET /api/v1/editions/{slug}/access-log": lambda w: (f"/api/v1/editions/{w.slug}/access-log", None),
    "GET /api/v1/access-log": lambda w: ("/api/v1/access-log", None),
    "GET /api/v1/partners": lambda w: ("/api/v1/partners", None),
    "POST /api/v1/partners": lambda w: ("/api/v1/partners", {"name": "Partner", "contact_email": "p@example.org"}),
    "DELETE /api/v1/partners/{partner_id}": lambda w: (f"/api/v1/partners/{w.other_partner_id}", None),
}


# --- webhooks: the partner's endpoint with one finished delivery ---------------------------
HOOKS = "/api/v1/webhooks"
RECIPES.update(
    {
        "GET /api/v1/webhooks": lambda w: (HOOKS, None),
        "POST /api/v1/webhooks": lambda w: (HOOKS, {"url": "https://partner.example/hooks", "events": ["activity.published"]}),
        "GET /api/v1/webhooks/{endpoint_id}": lambda w: (f"{HOOKS}/{w.webhook_id}", None),
        "DELETE /api/v1/webhooks/{endpoint_id}": lambda w: (f"{HOOKS}/{w.webhook_id}", None),
        "POST /api/v1/webhooks/{endpoint_id}/enable": lambda w: (f"{HOOKS}/{w.webhook_id}/enable", None),
        "POST /api/v1/webhooks/{endpoint_id}/secret": lambda w: (f"{HOOKS}/{w.webhook_id}/secret", None),
        "GET /api/v1/webhooks/{endpoint_id}/deliveries": lambda w: (f"{HOOKS}/{w.webhook_id}/deliveries", None),
        "POST /api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver": lambda w: (
            f"{HOOKS}/{w.webhook_id}/deliveries/{w.delivery_id}/redeliver",
            None,
        ),
    }
)


def webhook_world(session, partner: Partner) -> dict[str, int]:
    from innovationsweek.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint(
        partner_id=partner.id,
        url="https://partner.example/hooks",
        events=["activity.published"],
        secret="whsec_dGVzdA==",
    )
    session.add(endpoint)
    session.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id="msg_matrix",
        event="activity.published",
        activity_id=1,
        change_number=1,
        payload="{}",
        status=DeliveryStatus.SUCCEEDED,
        attempts=1,
        scheduled_attempts=1,
    )
    session.add(delivery)
    session.flush()
    return {"webhook_id": endpoint.id, "delivery_id": delivery.id}
# --- end of webhooks ---


# --- reports: on the published activity, moved into the past (a report follows the activity) --
def _taken_place(w: World) -> int:
    from innovationsweek import runtime

    with runtime.current().database.unit_of_work() as session:
        revision = session.get_one(Activity, w.published_id).approved_revision
        revision.content = {**revision.content, "starts_at": "2020-10-01T10:00:00+02:00", "ends_at": "2020-10-01T11:00:00+02:00"}
    return w.published_id


def _report_in_review(w: World) -> int:
    from innovationsweek import runtime
    from innovationsweek.reports.models import ActivityReport, ReportRevision

    material = {"links": [{"title": "Bilder", "url": "https://example.org/bilder.pdf"}], "how_to_reuse": "", "how_to_reuse_was_sanitised": False}
    with runtime.current().database.unit_of_work() as session:
        report = ActivityReport(activity_id=w.published_id, links=material["links"])
        report.revisions.append(ReportRevision(number=1, state=RevisionState.IN_REVIEW, content=material))
        session.add(report)
    return w.published_id


RECIPES.update(
    {
        "GET /api/v1/activities/{activity_id}/report": lambda w: (f"/api/v1/activities/{w.published_id}/report", None),
        "GET /api/v1/editions/{slug}/review-queue/reports": lambda w: (f"/api/v1/editions/{w.slug}/review-queue/reports", None),
        "POST /api/v1/activities/{activity_id}/report/review": lambda w: (
            f"/api/v1/activities/{_report_in_review(w)}/report/review",
            {"decision": "approve"},
        ),
        "PUT /api/v1/activities/{activity_id}/report": lambda w: (
            f"/api/v1/activities/{_taken_place(w)}/report",
            {"participants_in_person": 12, "links": [{"title": "Bilder", "url": "https://example.org/bilder.pdf"}]},
        ),
    }
)
# --- end of reports ---


# --- privacy: erasure links for an address, account and organisation deletion ---------------
def _erasure_link(secret_key: str) -> str:
    from innovationsweek.privacy.service import erasure_token

    return f"/api/v1/privacy/erasure-requests/{erasure_token('participant@example.org', secret_key=secret_key)}"


# --- signing up: the link a sign-up mails ---------------------------------------------------
def _sign_up_link() -> str:
    from innovationsweek import runtime
    from innovationsweek.accounts.service import sign_up

    links: list[str] = []

    def link_for(token: str, language: str) -> str:
        links.append(f"/api/v1/auth/sign-ups/{token}")
        return links[-1]

    with runtime.current().database.unit_of_work() as session:
        sign_up(session, email=f"new-{next(_unique)}@example.org", password=PASSWORD, name="New", language="en", link_for=link_for)
    return links[0]


RECIPES.update(
    {
        "GET /api/v1/auth/sign-ups/{token}": lambda w: (_sign_up_link(), None),
        "POST /api/v1/auth/sign-ups/{token}/confirm": lambda w: (f"{_sign_up_link()}/confirm", None),
    }
)


RECIPES.update(
    {
        "POST /api/v1/privacy/data-requests": lambda w: ("/api/v1/privacy/data-requests", {"email": "participant@example.org"}),
        "POST /api/v1/privacy/erasure-requests": lambda w: ("/api/v1/privacy/erasure-requests", {"email": "participant@example.org"}),
        "GET /api/v1/privacy/erasure-requests/{token}": lambda w: (w.erasure_link, None),
        "POST /api/v1/privacy/erasure-requests/{token}/confirm": lambda w: (f"{w.erasure_link}/confirm", None),
        # Every signed-in person may delete their own account: the organiser shares ownership
        # (privacy_world), or as the last owner of an organisation with members they would get 409.
        "DELETE /api/v1/auth/me": lambda w: ("/api/v1/auth/me", {"password": PASSWORD}),
        "DELETE /api/v1/users/{user_id}": lambda w: (f"/api/v1/users/{w.member_id}", None),
        "DELETE /api/v1/organisations/{organisation_id}": lambda w: (f"/api/v1/organisations/{w.organisation_id}", None),
    }
)


def privacy_world(session, organisation: Organisation) -> None:
    co_owner = User(email="co-owner@example.org", name="Co-owner", password_hash=PASSWORD_HASH)
    organisation.memberships.append(Membership(user=co_owner, role=MemberRole.OWNER))
    session.flush()
# --- end of privacy ---


# --- co-organisers: another host names the organiser's organisation, which has not answered --
RECIPES.update(
    {
        "GET /api/v1/organisations/{organisation_id}/co-organiser-invitations": lambda w: (
            f"/api/v1/organisations/{w.organisation_id}/co-organiser-invitations",
            None,
        ),
        "POST /api/v1/activities/{activity_id}/co-organisers/{organisation_id}/accept": lambda w: (
            f"/api/v1/activities/{w.invited_activity_id}/co-organisers/{w.organisation_id}/accept",
            None,
        ),
        "POST /api/v1/activities/{activity_id}/co-organisers/{organisation_id}/decline": lambda w: (
            f"/api/v1/activities/{w.invited_activity_id}/co-organisers/{w.organisation_id}/decline",
            None,
        ),
    }
)


def co_organiser_world(session, edition: Edition, organisation: Organisation) -> dict[str, int]:
    from innovationsweek.activities.models import CoOrganiser

    host = Organisation(name="Umeå kommun", kind=OrganisationKind.MUNICIPALITY, country="SE")
    activity = _activity(edition, host, "Med medarrangör")
    activity.co_organisers.append(CoOrganiser(organisation=organisation))
    session.add(activity)
    session.flush()
    return {"invited_activity_id": activity.id}
# --- end of co-organisers ---


# --- registrations: an activity taking registrations here, with one registration ------------
REGISTRATION_LINK = "/api/v1/registrations/iwr_matrix-cancel-token"
RECIPES.update(
    {
        "POST /api/v1/programme/activities/{activity_id}/registrations": lambda w: (
            f"/api/v1/programme/activities/{w.registration_activity_id}/registrations",
            {"name": "Anna", "email": "anna@example.org", "workplace": "Kommun", "position": "Chef", "photo_consent": True, "consent": True},
        ),
        "GET /api/v1/registrations/{cancel_token}": lambda w: (REGISTRATION_LINK, None),
        "DELETE /api/v1/registrations/{cancel_token}": lambda w: (REGISTRATION_LINK, None),
        "GET /api/v1/activities/{activity_id}/registrations": lambda w: (
            f"/api/v1/activities/{w.registration_activity_id}/registrations",
            None,
        ),
        "GET /api/v1/activities/{activity_id}/registrations/summary": lambda w: (
            f"/api/v1/activities/{w.registration_activity_id}/registrations/summary",
            None,
        ),
        "POST /api/v1/activities/{activity_id}/registration/close": lambda w: (
            f"/api/v1/activities/{w.registration_activity_id}/registration/close",
            None,
        ),
        "POST /api/v1/activities/{activity_id}/registration/open": lambda w: (
            f"/api/v1/activities/{w.registration_activity_id}/registration/open",
            None,
        ),
    }
)


def registration_world(session, edition: Edition, organisation: Organisation) -> dict[str, int]:
    from innovationsweek.activities.models import RegistrationMode
    from innovationsweek.registrations.models import Registration, RegistrationStatus

    edition.privacy_notice = {"sv": "Vi behandlar dina uppgifter för att genomföra aktiviteten."}
    activity = _activity(edition, organisation, "Workshop med anmälan")
    activity.registration_mode, activity.registration_capacity = RegistrationMode.INTERNAL, 10
    session.add(activity)
    session.flush()
    activity.status = ActivityStatus.PUBLISHED
    activity.approved_revision = Revision(activity=activity, number=1, state=RevisionState.APPROVED, content=content_of(activity))
    session.flush()
    programme.publish(session, activity.id)
    session.add(
        Registration(
            activity_id=activity.id,
            edition_id=edition.id,
            status=RegistrationStatus.CONFIRMED,
            name="Registrerad",
            email="registered@example.org",
            workplace="Kommun",
            position="Chef",
            photo_consent=False,
            language="sv",
            consent_text=edition.privacy_notice["sv"],
            consent_version=edition.privacy_notice_version or "1",
            cancel_token_hash=secret_hash(REGISTRATION_LINK.rsplit("/", 1)[1]),
        )
    )
    session.flush()
    return {"registration_activity_id": activity.id}
# --- end of registrations ---


@pytest.fixture(scope="module")
def spec(database_url, redis_url, tmp_path_factory):
    from innovationsweek.app import create_app
    from innovationsweek.config import Settings

    app = create_app(Settings(instance_path=tmp_path_factory.mktemp("spec")))
    return dict(operations(app.test_client().get("/api/openapi.json").get_json()))


@pytest.fixture
def world(runtime) -> World:
    with runtime.database.unit_of_work() as session:
        users = {
            role: User(email=f"{role}@example.org", name=role.title(), password_hash=PASSWORD_HASH, is_admin=role == "admin")
            for role in ("account", "organiser", "coordinator", "admin", "member")
        }
        edition = Edition(slug="matrix-week", programme_open=True, **_edition_fields())
        edition.coordinators.append(EditionCoordinator(user=users["coordinator"]))
        organisation = Organisation(name="Linköpings kommun", kind=OrganisationKind.MUNICIPALITY, country="SE")
        organisation.memberships += [
            Membership(user=users["organiser"], role=MemberRole.OWNER),
            Membership(user=users["member"], role=MemberRole.MEMBER),
        ]
        partner_key = new_secret(PARTNER_KEY_PREFIX)
        partners = [
            Partner(name="Reader", contact_email="r@example.org", key_hash=secret_hash(partner_key), key_hint="iwp_"),
            Partner(name="Other", contact_email="o@example.org", key_hash=secret_hash("other"), key_hint="iwp_"),
        ]
        later = Edition(slug=LATER_WEEK, programme_open=False, **_edition_fields())  # to copy activities into
        later.starts_at, later.ends_at = later.starts_at + timedelta(days=365), later.ends_at + timedelta(days=365)
        session.add_all([*users.values(), edition, later, organisation, *partners])
        credentials = {"partner": partner_key}
        for role in ("account", "organiser", "coordinator", "admin"):
            token = new_secret(USER_TOKEN_PREFIX)
            session.add(AccessToken(user=users[role], token_hash=secret_hash(token), expires_at=utcnow() + timedelta(hours=1)))
            credentials[role] = token
        session.flush()
        draft, in_review, published = (_activity(edition, organisation, title) for title in ("Utkast", "Granskas", "Publicerad"))
        session.add_all([draft, in_review, published])
        session.flush()
        in_review.status = ActivityStatus.IN_REVIEW
        session.add(Revision(activity=in_review, number=1, state=RevisionState.IN_REVIEW, content=content_of(in_review)))
        published.status = ActivityStatus.PUBLISHED
        published.approved_revision = Revision(activity=published, number=1, state=RevisionState.APPROVED, content=content_of(published))
        session.flush()
        programme.publish(session, published.id)
        privacy_world(session, organisation)
        return World(
            draft_id=draft.id,
            in_review_id=in_review.id,
            published_id=published.id,
            organisation_id=organisation.id,
            member_id=users["member"].id,
            coordinator_id=users["coordinator"].id,
            other_partner_id=partners[1].id,
            **webhook_world(session, partners[0]),
            **registration_world(session, edition, organisation),
            **co_organiser_world(session, edition, organisation),
            credentials=credentials,
            erasure_link=_erasure_link(runtime.settings.secret_key),
        )


def _activity(edition: Edition, organisation: Organisation, title: str) -> Activity:
    fields = _edition_fields()
    return Activity(
        edition=edition,
        organisation=organisation,
        status=ActivityStatus.DRAFT,
        title=title,
        format=Format.WEBCAST,
        attendance_mode=AttendanceMode.ONLINE,
        starts_at=fields["starts_at"] + timedelta(hours=2),
        ends_at=fields["starts_at"] + timedelta(hours=3),
    )


def _edition_fields() -> dict:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    stockholm = ZoneInfo("Europe/Stockholm")
    return {
        "name": {"en": "Matrix week"},
        "theme": {"en": "Access"},
        "themes": [{"key": "spread", "label": {"en": "Spread"}}],
        "timezone": "Europe/Stockholm",
        "starts_at": datetime(2030, 9, 30, 8, tzinfo=stockholm),
        "ends_at": datetime(2030, 10, 4, 16, tzinfo=stockholm),
        "submissions_open_at": datetime(2020, 4, 1, tzinfo=stockholm),
        "submissions_close_at": datetime(2030, 9, 20, tzinfo=stockholm),
    }


def test_every_operation_has_a_recipe(spec):
    missing = set(spec) - set(RECIPES)
    assert not missing, f"add a recipe to RECIPES for {sorted(missing)}"
    assert not set(RECIPES) - set(spec), "RECIPES names operations the API no longer has"


def caller_is_allowed(caller: str, roles: list[str]) -> bool:
    """``public`` admits everyone; ``account`` admits every signed-in person."""
    signed_in_person = caller in ("account", "organiser", "coordinator", "admin")
    return "public" in roles or caller in roles or ("account" in roles and signed_in_person)


def expected_refusal(caller: str, operation: str) -> int:
    if caller == "public":
        return 401
    # "account" belongs to no organisation of the world's activities and coordinates nothing.
    path = operation.split(" ", 1)[1]
    # Answering a co-organiser invitation is refused for not owning the invited organisation,
    # before the activity is looked at: a 403 that tells nothing about the activity.
    if caller == "account" and path.startswith("/api/v1/activities/{activity_id}") and "/co-organisers/" not in path:
        return 404
    return 403


@pytest.mark.parametrize("operation", sorted(RECIPES))
@pytest.mark.parametrize("caller", CALLERS)
def test_only_declared_roles_may_call(operation, caller, spec, world, client):
    method, _ = operation.split(" ", 1)
    url, body, *extra = RECIPES[operation](world)
    headers = {"Authorization": f"Bearer {world.credentials[caller]}"} if caller != "public" else {}
    headers.update(*extra)
    response = client.open(url, method=method, json=body, headers=headers)
    roles = spec[operation]["x-roles"]
    if caller_is_allowed(caller, roles):
        redirected = response.status_code == 303 and "303" in spec[operation]["responses"]  # as documented
        assert response.status_code < 300 or redirected, f"{caller} should be able to {operation}: {response.get_data(as_text=True)}"
    else:
        expected = expected_refusal(caller, operation)
        assert response.status_code == expected, f"{caller} on {operation}: {response.get_data(as_text=True)}"
        assert response.mimetype == "application/problem+json"
