"""The organisers' activity screens: a draft's form, saving it as typed, submitting it for the
automated checks and review, answering a change request, cancelling a published activity.

The form's values are held to the API's own schema (``ActivityCreateSchema``) and saved through
the same service calls as the API's (create, update, submit, cancel), with their access rules:
another organisation's activity is a 404, as in the API. Times are typed in the edition's time
zone (datetime-local inputs) and become the instants the schema expects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from innovationsweek.activities import service as activities
from innovationsweek.activities.lifecycle import IllegalTransition, allowed_events
from innovationsweek.activities.models import Activity, CoOrganiserStatus, RegistrationMode
from innovationsweek.api.activities import ActivityCreateSchema, CancelSchema
from innovationsweek.api.context import current_actor, db
from innovationsweek.db import utcnow
from innovationsweek.editions.models import LANGUAGES, Edition
from innovationsweek.editions.service import get_edition, list_editions
from innovationsweek.errors import Conflict, DomainError, Forbidden, Invalid, PreconditionFailed
from innovationsweek.organisations import service as organisations
from innovationsweek.organisations.models import Organisation
import innovationsweek.pages.labels as labels
from innovationsweek.pages.coordinator import REGISTRATION_MODES, solution_links
from innovationsweek.pages.organiser import STATUSES
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page, use_edition

VENUE_PARTS = ("name", "address", "municipality", "region", "latitude", "longitude")
COORDINATES = ("latitude", "longitude")
CONTACT_PARTS = ("name", "email", "phone")
# Organisations and activities already named are checkboxes (untick to remove); one more is added
# by a field of its own (``..._add``), kept as typed when the form is refused.
NAMED_LISTS = ("co_organiser_ids", "related_activity_ids")
LIST_FIELDS = ("languages", "audiences", "themes", *NAMED_LISTS, "reuses")
TEXT_FIELDS = (
    "organisation_id", "title", "summary", "description", "format", "attendance_mode", "starts_at", "ends_at",
    *(f"venue_{part}" for part in VENUE_PARTS), "online_url", "topics",
    *(f"contact_{part}" for part in CONTACT_PARTS), "contact_email_public", "photo_notice",
    "registration_mode", "registration_capacity", "registration_url", *(f"{name}_add" for name in NAMED_LISTS),
)
LOCAL_TIME = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends
CHECKED = "yes"  # a ticked checkbox's value

# Each form field's label, in the form's order (the error summary lists refusals in it).
FORM_LABELS = {
    "organisation_id": _l("Organisation"),
    **{name: labels.FIELDS[name] for name in ("title", "summary", "description", "format", "attendance_mode", "starts_at", "ends_at")},
    "venue_name": _l("Venue name"),
    "venue_address": _l("Street address"),
    "venue_municipality": _l("Municipality"),
    "venue_region": _l("Region"),
    "venue_latitude": _l("Latitude"),
    "venue_longitude": _l("Longitude"),
    **{name: labels.FIELDS[name] for name in ("online_url", "languages", "audiences", "themes", "topics")},
    "contact_name": _l("Contact person"),
    "contact_email": _l("Contact email address"),
    "contact_phone": _l("Contact phone number"),
    "contact_email_public": _l("Show the contact email address in the public programme"),
    "photo_notice": _l("Notice about photos and film"),
    "registration_mode": _l("Registration"),
    "registration_capacity": _l("Number of places"),
    "registration_url": _l("Registration link"),
    "co_organiser_ids": labels.FIELDS["co_organiser_ids"],
    "co_organiser_ids_add": _l("Invite an organisation to co-organise"),
    "related_activity_ids": labels.FIELDS["related_activity_ids"],
    "related_activity_ids_add": _l("Add a related activity by its number"),
    "reuses": labels.FIELDS["reuses"],
    "reason": _l("Why it is cancelled"),
}
# One message per field, covering each way the schema or the service may refuse it.
FIELD_ERRORS = {
    "organisation_id": _l("Choose one of your organisations."),
    "title": _l("Enter a title, at most 200 characters."),
    "summary": _l("Enter a summary of at most 600 characters."),
    "description": _l("Enter a description of at most 20,000 characters."),
    "format": _l("Choose a format from the list."),
    "attendance_mode": _l("Choose how people take part."),
    "starts_at": _l("Enter when it starts, as a date and a time."),
    "ends_at": _l("Enter when it ends, as a date and a time after the start."),
    "venue_name": _l("Enter the venue's name, at most 200 characters."),
    "venue_address": _l("Enter the address, at most 300 characters."),
    "venue_municipality": _l("Enter the municipality, at most 100 characters."),
    "venue_region": _l("Enter the region, at most 100 characters."),
    "venue_latitude": _l("Enter the latitude as a number from -90 to 90, such as 58.41."),
    "venue_longitude": _l("Enter the longitude as a number from -180 to 180, such as 15.62."),
    "online_url": _l("Enter a public web address starting with https:// or http://."),
    "languages": _l("Choose languages from the list."),
    "audiences": _l("Choose audiences from the list."),
    "themes": _l("Choose themes of this week from the list."),
    "topics": _l("Enter at most 20 topics separated by commas, each at most 60 characters."),
    "contact_name": _l("Enter the contact person's name, at most 200 characters."),
    "contact_email": _l("Enter an email address such as name@example.org."),
    "contact_phone": _l("Enter a phone number of at most 40 characters."),
    "photo_notice": _l("Write at most 1,000 characters."),
    "registration_mode": _l("Choose how people register."),
    "registration_capacity": _l("Enter the number of places (1 to 100,000) only when people register here."),
    "registration_url": _l("Enter the public registration link only when people register on your site."),
    "co_organiser_ids": _l("Choose at most 20 organisations from the list, other than the host."),
    "related_activity_ids": _l("Choose at most 20 related activities of the same week, from the list or by their number."),
    "reuses": _l("Build only on published activities that took place before this one."),
}
# Where the schema's and the service's names for a field (and the checks' findings) show in the form.
FORM_FIELD = {
    "venue": "venue_name",
    "contact": "contact_name",
    "registration": "registration_mode",
    "registration.capacity": "registration_capacity",
    "registration.url": "registration_url",
}
CO_ORGANISER_ANSWERS = {
    CoOrganiserStatus.PENDING: _l("invited, no answer yet"),
    CoOrganiserStatus.ACCEPTED: _l("accepted"),
    CoOrganiserStatus.DECLINED: _l("declined"),
}
EXPIRED = _l("The form had expired. Send it again.")
CANCEL_ERROR = _l("Tell the participants why, in plain text without links: at most 2,000 characters.")


class DraftForm(FlaskForm):
    """The CSRF token only: the fields' rules are the API schema's (see the module's comment)."""


# --- the screens -------------------------------------------------------------------------------


@bp.get("/organiser/activities/new")
@signed_in
def new_draft() -> Response:
    slug = request.args.get("edition", "").strip()
    if not organisations.memberships_of(db(), current_actor().require_user()):
        # Not a form that cannot be saved (reached by a bookmark or /solutions' "build on this"):
        # the way to an organisation first.
        return render_page("organiser/choose_edition.html", 200, editions=[], member=False, sign_out=sign_out_form())
    if not slug:
        return render_page("organiser/choose_edition.html", 200, editions=_open_editions(), member=True, sign_out=sign_out_form())
    edition = use_edition(get_edition(db(), slug))
    return _draft_page(edition, None, _initial_values(edition), {}, status=200)


@bp.post("/organiser/activities/new")
@signed_in
def create_draft() -> BaseResponse:
    edition = use_edition(get_edition(db(), request.args.get("edition", "")))
    values = read_values(request.form)
    refused = _refused(edition, None, values)
    if refused is not None:
        return refused
    try:
        activity = activities.create_activity(db(), current_actor(), edition.slug, _loaded(edition, values))
    except Invalid as error:
        return _draft_page(edition, None, values, _service_error(error), status=422)
    except Forbidden:  # the API's 403, in words about the host chosen
        return render_page(
            "error.html", 403, heading=_("You may not open this page"),
            message=_("You can only create activities for organisations you are a member of."),
        )
    flash(_("Your draft is saved."))
    return redirect(url_for("pages.edit_draft", activity_id=activity.id), 303)


@bp.get("/organiser/activities/<id:activity_id>")
@signed_in
def edit_draft(activity_id: int) -> Response:
    activity = activities.get_activity(db(), current_actor(), activity_id)
    edition = use_edition(activity.edition)
    values = values_of(activity)
    values["reuses"] = list(dict.fromkeys([*values["reuses"], *_build_on()]))  # from "build on this" of /solutions
    return _draft_page(edition, activity, values, {}, status=200)


@bp.post("/organiser/activities/<id:activity_id>")
@signed_in
def save_draft(activity_id: int) -> BaseResponse:
    """Save the typed values; with ``action=submit``, submit them too (the answer to a change
    request is such an edit and a new submission, as in the API)."""
    activity = activities.get_activity(db(), current_actor(), activity_id)
    edition = use_edition(activity.edition)
    values = read_values(request.form)
    refused = _refused(edition, activity, values)
    if refused is not None:
        return refused
    body = {name: value for name, value in _loaded(edition, values).items() if name != "organisation_id"}
    try:
        if _changed(activity):
            activities.update_activity(db(), current_actor(), activity_id, body, expected_version=_version())
        if request.form.get("action") == "submit":
            activities.submit(db(), current_actor(), activity_id)
    except Invalid as error:
        return _draft_page(edition, activity, values, _service_error(error), status=422)
    except (Conflict, PreconditionFailed) as error:
        # Nothing is kept (a refused submission may have half happened); the form keeps the values.
        db().rollback()
        return _draft_page(edition, activity, values, {}, status=409, problem=refusal(error, activity))
    flash(_("It is submitted: the automatic checks run first.") if request.form.get("action") == "submit" else _("Your draft is saved."))
    return redirect(url_for("pages.edit_draft", activity_id=activity_id), 303)


@bp.post("/organiser/activities/<id:activity_id>/cancel")
@signed_in
def cancel_activity(activity_id: int) -> BaseResponse:
    activity = activities.get_activity(db(), current_actor(), activity_id)
    edition = use_edition(activity.edition)
    reason = request.form.get("reason", "").strip()
    if not DraftForm().validate():
        return _draft_page(edition, activity, values_of(activity), {}, status=400, problem=EXPIRED)
    if CancelSchema().validate({"reason": reason}):
        return _draft_page(edition, activity, values_of(activity), {"reason": str(CANCEL_ERROR)}, status=422, reason=reason)
    try:
        activities.cancel(db(), current_actor(), activity_id, reason=reason, expected_version=_version())
    except Invalid:
        return _draft_page(edition, activity, values_of(activity), {"reason": str(CANCEL_ERROR)}, status=422, reason=reason)
    except (Conflict, PreconditionFailed) as error:
        return _draft_page(edition, activity, values_of(activity), {}, status=409, problem=refusal(error, activity))
    # Not the status line's words again (it says the same right above): what happens now.
    flash(_("Your cancellation is saved: the programme shows your reason, and the participants are emailed it now."))
    return redirect(url_for("pages.edit_draft", activity_id=activity_id), 303)


def _refused(edition: Edition, activity: Activity | None, values: Mapping[str, Any]) -> Response | None:
    """The form again, as typed, if its token expired or the API's schema refuses a value."""
    if not DraftForm().validate():
        return _draft_page(edition, activity, values, {}, status=400, problem=EXPIRED)
    errors = _form_errors(edition, values)
    return _draft_page(edition, activity, values, errors, status=422) if errors else None


# --- the form's values -------------------------------------------------------------------------


def read_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as typed: strings, and lists for the checkboxes."""
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    values.update({name: form.getlist(name) for name in LIST_FIELDS})
    return values


def values_of(activity: Activity) -> dict[str, Any]:
    """A saved activity as its form shows it."""
    venue = activity.venue or {}
    contact = activity.contact
    values = dict.fromkeys(TEXT_FIELDS, "")
    values.update({
        "organisation_id": str(activity.organisation_id),
        "title": activity.title,
        "summary": activity.summary,
        "description": activity.description,
        "format": activity.format.value,
        "attendance_mode": activity.attendance_mode.value,
        "starts_at": _local_input(activity.edition, activity.starts_at),
        "ends_at": _local_input(activity.edition, activity.ends_at),
        **{f"venue_{part}": _typed(venue.get(part)) for part in VENUE_PARTS},
        "online_url": activity.online_url or "",
        "topics": ", ".join(activity.topics),
        **{f"contact_{part}": contact[part] or "" for part in CONTACT_PARTS},
        "contact_email_public": CHECKED if contact["email_public"] else "",
        "photo_notice": activity.photo_notice or "",
        "registration_mode": activity.registration_mode.value,
        "registration_capacity": str(activity.registration_capacity or ""),
        "registration_url": activity.registration_url or "",
        "languages": list(activity.languages),
        "audiences": list(activity.audiences),
        "themes": list(activity.themes),
        "co_organiser_ids": [str(i) for i in activity.co_organiser_ids],
        "related_activity_ids": [str(i) for i in activity.related_activity_ids],
        "reuses": [str(i) for i in activity.reuses],
    })
    return values


def _typed(value: Any) -> str:
    """A stored value as an input holds it (a coordinate as written, not as ``None``)."""
    return "" if value is None else str(value)


def _initial_values(edition: Edition) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values.update({name: [] for name in LIST_FIELDS})
    memberships = organisations.memberships_of(db(), current_actor().require_user())
    if len(memberships) == 1:
        values["organisation_id"] = str(memberships[0].organisation_id)
    values["registration_mode"] = RegistrationMode.NONE.value
    values["reuses"] = _build_on()
    return values


def _body(edition: Edition, values: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values as the API's JSON body would carry them."""
    venue = {part: _typed_number(values[f"venue_{part}"]) if part in COORDINATES else values[f"venue_{part}"] for part in VENUE_PARTS if values[f"venue_{part}"]}
    registration = {"mode": values["registration_mode"] or None}
    if values["registration_capacity"]:
        registration["capacity"] = _typed_number(values["registration_capacity"])
    if values["registration_url"]:
        registration["url"] = values["registration_url"]
    contact = {part: values[f"contact_{part}"] or None for part in CONTACT_PARTS}
    return {
        "organisation_id": _typed_number(values["organisation_id"]) if values["organisation_id"] else None,
        "title": values["title"],
        "summary": values["summary"],
        "description": values["description"],
        "format": values["format"] or None,
        "attendance_mode": values["attendance_mode"] or None,
        "starts_at": _instant(edition, values["starts_at"]),
        "ends_at": _instant(edition, values["ends_at"]),
        "venue": venue or None,
        "online_url": values["online_url"] or None,
        "languages": values["languages"],
        "audiences": values["audiences"],
        "themes": values["themes"],
        "topics": topics_of(values["topics"]),
        "contact": {**contact, "email_public": values["contact_email_public"] == CHECKED},
        "photo_notice": values["photo_notice"] or None,
        "registration": registration,
        **{name: [_typed_number(i) for i in named(values, name)] for name in NAMED_LISTS},
        "reuses": [_typed_number(i) for i in values["reuses"]],
    }


def _typed_number(text: str) -> int | float | str:
    """A number typed in a field as JSON would carry it (the API's schema takes no number as
    text); anything else as typed, for the schema to refuse at its field."""
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            continue
    return text


def topics_of(typed: str) -> list[str]:
    """The topics typed in one field, separated by commas."""
    return [topic.strip() for topic in typed.split(",") if topic.strip()]


def named(values: Mapping[str, Any], name: str) -> list[str]:
    """The ticked ones of a named list, and the one added by its own field."""
    added = values[f"{name}_add"]
    return [*values[name], added] if added and added not in values[name] else list(values[name])


def _loaded(edition: Edition, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as the API's schema loads them: every field of the activity, as the form holds them all."""
    return ActivityCreateSchema().load(_body(edition, values))


def _form_errors(edition: Edition, values: Mapping[str, Any]) -> dict[str, str]:
    """What the API's schema refuses, as a message per form field."""
    refused = ActivityCreateSchema().validate(_body(edition, values))
    names = set()
    for name, problem in refused.items():
        if isinstance(problem, dict) and name in ("venue", "contact"):
            names |= {f"{name}_{part}" for part in problem}
        elif isinstance(problem, dict) and name == "registration":
            names |= {FORM_FIELD.get(f"registration.{part}", "registration_mode") for part in problem}
        else:
            names.add(FORM_FIELD.get(name, name))
    return {name: str(FIELD_ERRORS[name]) for name in FORM_LABELS if name in names}


def _service_error(error: Invalid) -> dict[str, str]:
    """The field the service refused, its message; what the service half changed is undone first
    (the page's own queries would otherwise flush it)."""
    db().rollback()
    name = FORM_FIELD.get(error.field, error.field)
    return {name: str(FIELD_ERRORS.get(name, _("Check this value.")))}


def _instant(edition: Edition, typed: str) -> str | None:
    """A datetime-local value in the edition's time zone as ISO 8601 with its offset; anything
    else as typed, for the schema to refuse."""
    try:
        moment = datetime.strptime(typed, LOCAL_TIME)
    except ValueError:
        return typed or None
    return moment.replace(tzinfo=ZoneInfo(edition.timezone)).isoformat()


def _local_input(edition: Edition, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(edition.timezone)).strftime(LOCAL_TIME)


def _changed(activity: Activity) -> bool:
    """Whether the form differs from the saved activity (submitting an unchanged draft is no edit)."""
    return read_values(MultiDict(_as_pairs(values_of(activity)))) != read_values(request.form)


def _as_pairs(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(name, item) for name, value in values.items() for item in (value if isinstance(value, list) else [value])]


def _version() -> int | None:
    version = request.form.get("version", "")
    return int(version) if version.isdigit() and len(version) < 10 else None


def refusal(error: DomainError, activity: Activity) -> str:
    """Why the service refused, in the page's language (its own words are English)."""
    if isinstance(error, PreconditionFailed):
        return _("Someone changed this activity since you opened it. Reload the page and make your change again.")
    if isinstance(error, IllegalTransition):
        return _("This cannot be done now: its status is %(status)s.", status=str(STATUSES[activity.status][0]).lower())
    return _("It cannot be submitted now: %(reason)s", reason=error.detail)


# --- the page ----------------------------------------------------------------------------------


def _draft_page(
    edition: Edition, activity: Activity | None, values: Mapping[str, Any], errors: Mapping[str, str], *, status: int, **extra: Any
) -> Response:
    revision = activity.latest_revision if activity is not None else None
    findings: dict[str | None, list[Any]] = {}
    for finding in revision.findings if revision is not None else []:
        name = FORM_FIELD.get(finding.field or "", finding.field)
        findings.setdefault(name if name in FORM_LABELS else None, []).append(finding)
    return render_page(
        "organiser/draft.html", status, edition=edition, activity=activity, values=values, errors=errors, form=DraftForm(formdata=None),
        revision=revision, findings=findings, actions=allowed_events(activity.status) if activity else ["submit"],
        may_change=activity is None or activities.may_change(db(), current_actor(), activity),
        options=_options(edition, activity, values), copy_weeks=_copy_weeks(activity), draft_labels=FORM_LABELS, statuses=STATUSES, severities=labels.SEVERITIES,
        finding_name=labels.finding_name, sign_out=sign_out_form(), **extra,
    )


def _options(edition: Edition, activity: Activity | None, values: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Each choice's (value, label) pairs, in the page's language."""
    language = str(get_locale())
    mine = [m.organisation for m in organisations.memberships_of(db(), current_actor().require_user())]
    return {
        "organisation_id": [("", _("Choose an organisation")), *((str(o.id), o.name) for o in mine)],
        "format": [("", _("Choose a format")), *((key.value, str(label)) for key, label in labels.FORMATS.items())],
        "attendance_mode": [("", _("Choose how people take part")), *((key.value, str(label)) for key, label in labels.ATTENDANCE_MODES.items())],
        "languages": [(code, labels.language_name(code)) for code in LANGUAGES],
        "audiences": [(key.value, str(label)) for key, label in labels.AUDIENCES.items()],
        "themes": [(theme["key"], labels.in_language(theme.get("label"), language)) for theme in edition.themes or []],
        "registration_mode": [(key.value, str(label)) for key, label in REGISTRATION_MODES.items()],
        "co_organiser_ids": _named_organisations(activity, values["co_organiser_ids"]),
        "co_organiser_ids_add": [("", _("No other organisation")), *_invitable(activity, values)],
        "related_activity_ids": _related_choices(edition, activity, values["related_activity_ids"]),
        "reuses": _reuse_choices(activity, values),
    }


def _named_organisations(activity: Activity | None, chosen: list[str]) -> list[tuple[str, str]]:
    """The co-organisers named, each with its answer (a newly named one is invited on saving)."""
    answers = {str(link.organisation_id): link.status for link in activity.co_organisers} if activity is not None else {}
    shown = []
    for organisation in _organisations(chosen):
        answer = answers.get(str(organisation.id))
        # Outside the f-string: Babel's extractor does not read calls inside one.
        state = CO_ORGANISER_ANSWERS[answer] if answer else _("invited on saving")
        shown.append((str(organisation.id), f"{organisation.name} ({state})"))
    return shown


def _invitable(activity: Activity | None, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every organisation that could be invited: not the host, not named already."""
    taken = {*values["co_organiser_ids"], values["organisation_id"]}
    every = organisations.list_organisations(db(), current_actor())
    return [(str(o.id), f"{o.name} ({o.country})") for o in every if str(o.id) not in taken]


def _organisations(ids: list[str]) -> list[Organisation]:
    wanted = [int(i) for i in ids if i.isdigit() and len(i) < 10]
    return [found for i in wanted if (found := db().get(Organisation, i)) is not None]


def _related_choices(edition: Edition, activity: Activity | None, chosen: list[str]) -> list[tuple[str, str]]:
    """The caller's organisations' other activities in the same week, and those already related:
    another organisation's activity (related by its number) by its public title only."""
    mine = activities.activities_of_my_organisations(db(), current_actor())
    offered = [(str(other.id), other.title) for other in mine if other.edition_id == edition.id and (activity is None or other.id != activity.id)]
    ids = {value for value, _title in offered}
    others = [int(i) for i in chosen if i.isdigit() and len(i) < 10 and i not in ids]
    return offered + [(str(i), _public_title(db().get(Activity, i), i)) for i in others]


def _public_title(other: Activity | None, activity_id: int) -> str:
    approved = other.approved_revision if other is not None else None
    return approved.content["title"] if approved is not None else _("Activity %(id)s", id=activity_id)


def _build_on() -> list[str]:
    """The solution a visitor chose on /solutions to build on (``?build_on=``), if any."""
    chosen = request.args.get("build_on", "")
    return [chosen] if chosen.isdigit() and len(chosen) < 10 else []


def _reuse_choices(activity: Activity | None, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the activity builds on, saved or chosen, each named as the programme names it."""
    ids = list(dict.fromkeys([*(activity.reuses if activity else []), *(int(i) for i in values.get("reuses", []) if i.isdigit() and len(i) < 10)]))
    shown = solution_links(ids)
    return [(str(i), shown[i].text if i in shown else f"#{i}") for i in ids]


def _copy_weeks(activity: Activity | None) -> list[tuple[str, str]]:
    """The weeks an activity can be copied forward into: every later one."""
    if activity is None:
        return []
    language = str(get_locale())
    return [
        (edition.slug, labels.in_language(edition.name, language))
        for edition in list_editions(db())
        if edition.starts_at > activity.edition.starts_at
    ]


def _open_editions() -> list[Edition]:
    now = utcnow()
    return [edition for edition in list_editions(db()) if edition.submissions_close_at > now]
