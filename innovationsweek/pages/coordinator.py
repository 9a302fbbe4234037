"""The coordinators' screens: the editions they coordinate, the review queue with bulk decisions,
and one activity's review (its changes since the approved version, the findings, the decision
with a preview of the organisers' mail, featuring). Over the moderation service and its access
rules, as the API's moderation operations are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import marshmallow as ma
from flask import Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from innovationsweek.activities.lifecycle import IllegalTransition
from innovationsweek.activities import service as activities
from innovationsweek.activities.models import RegistrationMode, RevisionState
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.moderation import ReviewQuerySchema
from innovationsweek.editions.models import Edition
from innovationsweek.editions.service import get_edition, require_coordinator
from innovationsweek.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, PreconditionFailed
from innovationsweek.moderation import bulk
from innovationsweek.moderation import service as moderation
from innovationsweek.organisations import service as organisations
from innovationsweek.organisations.models import OrganisationKind
import innovationsweek.pages.labels as labels
from innovationsweek.pages.i18n import localised_skeleton, page_language
from innovationsweek.pages.labels import FIELDS, FINDINGS, SEVERITIES, finding_name, in_language
from innovationsweek.pages.organiser import STATUSES
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page, use_edition
from innovationsweek.registrations.messages import Mail
from innovationsweek.solutions import links as reuse

DECISIONS = {
    "approve": _l("Approve"),
    "request_changes": _l("Request changes"),
    "reject": _l("Reject"),
}
# Where a submitted version stands, as the queue's tabs say it.
REVISION_STATES = {
    RevisionState.IN_REVIEW: _l("In review"),
    RevisionState.CHECKING: _l("Being checked"),
    RevisionState.CHANGES_REQUESTED: _l("Changes requested"),
    RevisionState.APPROVED: _l("Approved"),
    RevisionState.REJECTED: _l("Rejected"),
    RevisionState.SUPERSEDED: _l("Replaced or withdrawn"),
}
ORGANISATION_KINDS = {
    OrganisationKind.MUNICIPALITY: _l("Municipality"),
    OrganisationKind.REGION: _l("Region"),
    OrganisationKind.STATE_AGENCY: _l("State agency"),
    OrganisationKind.NATIONAL_COORDINATOR: _l("National coordinator"),
    OrganisationKind.ACADEMIA: _l("Academia"),
    OrganisationKind.COMPANY: _l("Company"),
    OrganisationKind.CIVIL_SOCIETY: _l("Civil society"),
    OrganisationKind.OTHER: _l("Other kind of organisation"),
}
# The fields whose items are activities' or organisations' numbers (see _names).
NUMBERED = ("reuses", "co_organiser_ids", "related_activity_ids")
# The parts of a venue, a contact and a registration, as their lines are labelled.
PARTS = {
    "name": _l("name"),
    "address": _l("address"),
    "municipality": _l("municipality"),
    "region": _l("region"),
    "latitude": _l("latitude"),
    "longitude": _l("longitude"),
    "email": _l("email"),
    "phone": _l("phone"),
    "email_public": _l("email shown in the programme"),
    "mode": _l("how"),
    "capacity": _l("places"),
    "url": _l("link"),
}
REGISTRATION_MODES = {
    RegistrationMode.NONE: _l("no registration"),
    RegistrationMode.EXTERNAL: _l("on the organiser's site"),
    RegistrationMode.INTERNAL: _l("here, with places and a waitlist"),
}
QUEUE_FILTERS = ("state", "region", "format", "organisation_kind", "finding")
FILTER_LABELS = {
    "state": _l("State"), "region": _l("Region"), "format": _l("Format"), "organisation_kind": _l("Kind of organisation"), "finding": _l("Finding"),
}
FILTER_ERRORS = {
    "state": _l("Choose a state from the list."),
    "region": _l("Enter at most 100 characters."),
    "format": _l("Choose a format from the list."),
    "organisation_kind": _l("Choose a kind of organisation from the list."),
    "finding": _l("Enter at most 64 characters."),
    "cursor": _l("This list has changed; start again from its first page."),
    "limit": _l("Show between 1 and 200 at a time."),
}
LARGEST_ID = 2**31 - 1  # the id columns' range: a larger number names no activity
MOST_AT_ONCE = 500
# More than this many are decided by a job, with a page showing its progress: deciding one takes
# a few queries and a mail, so a few hundred would keep the browser waiting too long.
DECIDED_WHILE_WAITING = 50


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice(key, label) for key, label in DECISIONS.items()], validators=[InputRequired(_l("Choose a decision."))])
    reason = SelectField(_l("Preset reason"), choices=[], default="")
    comment = TextAreaField(
        _l("Comment to the organisers"), validators=[Length(max=5000, message=_l("Write at most 5,000 characters."))]
    )

    def offer_reasons(self, slug: str) -> DecisionForm:
        settings = moderation.moderation_settings(db(), current_actor(), slug)
        language = page_language().language
        self.reason.choices = [
            SelectChoice("", _("No preset reason")),
            *(SelectChoice(reason["key"], in_language(reason["text"], language)) for reason in settings.reasons),
        ]
        return self

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data not in (None, "approve") and not (field.data or "").strip() and not self.reason.data:
            raise ValidationError(_("Tell the organisers why: write a comment or choose a preset reason."))

    def chosen(self) -> dict[str, Any]:
        return {"decision": self.decision.data, "reason": self.reason.data or None, "comment": self.comment.data or None}


class ReviewForm(DecisionForm):
    version = HiddenField()


class BulkDecisionForm(DecisionForm):
    activity_ids = SelectMultipleField(
        _l("Activities"), coerce=int, validate_choice=False, validators=[InputRequired(_l("Choose at least one activity."))]
    )

    def validate_activity_ids(self, field: SelectMultipleField) -> None:
        if len(field.data) > MOST_AT_ONCE:
            raise ValidationError(_("Choose at most %(count)s activities at once.", count=MOST_AT_ONCE))
        if any(not 0 < activity_id <= LARGEST_ID for activity_id in field.data):
            raise ValidationError(_("Choose activities from the list."))


class FeatureForm(FlaskForm):
    featured = HiddenField()


# --- the editions ----------------------------------------------------------------------------


@bp.get("/coordinator/")
@signed_in
def coordinator_home() -> Response:
    return render_page(
        "coordinator/home.html", 200, overviews=moderation.coordinated_editions(db(), current_actor()), statuses=STATUSES,
        sign_out=sign_out_form(),
    )


# --- the review queue --------------------------------------------------------------------------


@bp.get("/coordinator/editions/<slug:slug>/queue")
@signed_in
def review_queue(slug: str) -> Response:
    edition = coordinated_edition(slug)
    form = BulkDecisionForm(formdata=None).offer_reasons(slug)
    return _queue_page(edition, form, status=200)


@bp.post("/coordinator/editions/<slug:slug>/decisions")
@signed_in
def bulk_decision(slug: str) -> Response:
    edition = coordinated_edition(slug)
    form = BulkDecisionForm().offer_reasons(slug)
    if not valid_form(form):  # the queue again, with what was ticked and chosen, the refusals at their fields
        return _queue_page(edition, form, status=400)
    if len(form.activity_ids.data) > current_app.config.get("BULK_DECISIONS_WHILE_WAITING", DECIDED_WHILE_WAITING):
        started = bulk.start(db(), current_actor(), slug, form.activity_ids.data, **form.chosen())
        return redirect(url_for("pages.bulk_decision_progress", bulk_id=started.id), 303)
    results = moderation.decide_many(db(), current_actor(), slug, form.activity_ids.data, **form.chosen())
    return render_page(
        "coordinator/decisions.html", 200, edition=edition, results=[_outcome(result) for result in results],
        sign_out=sign_out_form(),
    )


@bp.get("/coordinator/jobs/<id:bulk_id>")
@signed_in
def bulk_decision_progress(bulk_id: int) -> Response:
    """How far a bulk decision made by a job has come, and each outcome so far."""
    found = bulk.get(db(), current_actor(), bulk_id)
    return render_page(
        "coordinator/decisions.html", 200, edition=use_edition(found.edition), progress=found,
        results=[_outcome(result) for result in bulk.results(found)], sign_out=sign_out_form(),
    )


def _queue_page(edition: Edition, form: BulkDecisionForm, *, status: int) -> Response:
    values = {name: request.args.get(name, "").strip() for name in QUEUE_FILTERS}
    arguments = {name: value for name in (*QUEUE_FILTERS, "cursor", "limit") if (value := request.args.get(name, "").strip())}
    refused = ReviewQuerySchema(unknown=ma.EXCLUDE).validate(arguments)
    if refused:
        # A filter's refusal goes to its field; the paging's (cursor, limit) has no field to go to.
        errors = {name: str(FILTER_ERRORS[name]) for name in QUEUE_FILTERS if name in refused}
        problem = " ".join(str(FILTER_ERRORS[name]) for name in ("cursor", "limit") if name in refused) or None
        return render_page(
            "coordinator/queue.html", 400, edition=edition, form=form, values=values, errors=errors, problem=problem, page=None, counts={},
            sign_out=sign_out_form(), **_queue_labels(),
        )
    query = ReviewQuerySchema(unknown=ma.EXCLUDE).load(arguments)
    actor = current_actor()
    page = moderation.review_queue(db(), actor, edition.slug, **query)
    filters = {name: query[name] for name in ("region", "format", "organisation_kind", "finding") if name in query}
    counts = moderation.review_counts(db(), actor, edition.slug, **filters)
    more = _queue_url(edition, {**request.args.to_dict(), "cursor": page.next_cursor}) if page.next_cursor else None
    tabs = [(state, _queue_url(edition, {**values, "state": state.value})) for state in REVISION_STATES]
    return render_page(
        "coordinator/queue.html", status, edition=edition, form=form, values=values, errors={}, page=page, counts=counts,
        chosen_state=query["state"], more=more, tabs=tabs, sign_out=sign_out_form(), **_queue_labels(),
    )


def _queue_url(edition: Edition, args: dict[str, str]) -> str:
    return url_for("pages.review_queue", slug=edition.slug, **{name: value for name, value in args.items() if value})


def _queue_labels() -> dict[str, Any]:
    return {
        "revision_states": REVISION_STATES, "organisation_kinds": ORGANISATION_KINDS, "findings": FINDINGS, "severities": SEVERITIES,
        "finding_name": finding_name, "starts": _starts, "filter_labels": FILTER_LABELS,
    }


def _outcome(result: moderation.DecisionResult) -> dict[str, Any]:
    """One activity of a bulk decision as the coordinator reads it: done, or why not."""
    if result.error is None:
        activity = activities.get_activity(db(), current_actor(), result.id)
        return {"id": result.id, "title": activity.title, "done": True, "message": STATUSES[activity.status][0]}
    # Only a refusal on the state or the reason names an activity the coordinator may see.
    shown = isinstance(result.error, Conflict | Invalid)
    title = activities.get_activity(db(), current_actor(), result.id).title if shown else None
    return {"id": result.id, "title": title, "done": False, "message": refusal(result.error)}


def refusal(error: DomainError) -> str:
    """Why the service refused a decision, in the page's language (its own words are English)."""
    if isinstance(error, IllegalTransition):
        state = REVISION_STATES.get(RevisionState(error.extra["state"]), error.extra["state"])
        return _("Not decided: it is no longer waiting for review (%(state)s).", state=str(state).lower())
    if isinstance(error, NotFound):
        return _("Not decided: there is no such submitted activity in this week.")
    if isinstance(error, PreconditionFailed):
        return _("Not decided: it changed since you opened it. Look at it again.")
    if isinstance(error, Invalid):
        return _("Not decided: tell the organisers why, with a comment or a preset reason from the list.")
    if isinstance(error, Forbidden):
        return _("Not decided: only the week's coordinators may decide on it.")
    return _("Not decided.")


# --- one activity ------------------------------------------------------------------------------


@bp.route("/coordinator/activities/<id:activity_id>", methods=["GET", "POST"])
@signed_in
def review_activity(activity_id: int) -> BaseResponse:
    review = moderation.review_of(db(), current_actor(), activity_id)
    use_edition(review.activity.edition)
    slug = review.activity.edition.slug
    if request.method == "GET":
        form = ReviewForm(formdata=None, version=review.activity.version).offer_reasons(slug)
        preview = moderation.decision_mail(review.activity, review.revision, "approve", comment=None)
        return _review_page(review, form, preview, status=200)
    form = ReviewForm().offer_reasons(slug)
    if not valid_form(form):
        return _review_page(review, form, None, status=400)
    try:
        if request.form.get("action") == "preview":
            return _review_page(review, form, moderation.preview_decision(db(), current_actor(), activity_id, **form.chosen()), status=200)
        activity = moderation.decide(db(), current_actor(), activity_id, expected_version=_version(form), **form.chosen())
    except DomainError as error:
        form.form_errors.append(refusal(error))
        return _review_page(review, form, None, status=409 if not isinstance(error, Invalid) else 400)
    flash(_("“%(title)s”: %(status)s.", title=activity.title, status=_decided(form.decision.data)))
    return redirect(url_for("pages.review_queue", slug=activity.edition.slug), 303)


@bp.post("/coordinator/activities/<id:activity_id>/feature")
@signed_in
def feature_activity(activity_id: int) -> BaseResponse:
    form = FeatureForm()
    review = moderation.review_of(db(), current_actor(), activity_id)  # 404 and 403 as the screen's
    if not form.validate():
        use_edition(review.activity.edition)
        return render_page("error.html", 400, heading=_("The form had expired"), message=_("Go back, reload the page and try again."))
    featured = form.featured.data == "1"
    moderation.feature(db(), current_actor(), activity_id, featured=featured)
    flash(_("It is featured in the programme.") if featured else _("It is no longer featured."))
    return redirect(url_for("pages.review_activity", activity_id=activity_id), 303)


def _review_page(review: moderation.Review, form: ReviewForm, preview: Mail | None, *, status: int) -> Response:
    findings_by_field: dict[str | None, list[Any]] = {}
    for finding in review.revision.findings:
        findings_by_field.setdefault(finding.field if finding.field in FIELDS else None, []).append(finding)
    changed = {change.field for change in review.changes}
    unchanged = [(name, found) for name, found in findings_by_field.items() if name is not None and name not in changed]
    return render_page(
        "coordinator/review.html", status, review=review, activity=review.activity, edition=review.activity.edition, form=form,
        preview=preview, mail_language=moderation.organisers_language(review.activity), findings_by_field=findings_by_field,
        unchanged=unchanged, field_names=FIELDS, feature_form=FeatureForm(formdata=None),
        sign_out=sign_out_form(), shown=partial(shown_value, names=_names(review)), **_queue_labels(),
    )


def _names(review: moderation.Review) -> dict[str, Mapping[Any, str | Link]]:
    """What either version names by a number or a key, by its name: the activities it builds on
    (linked), its co-organisers, its related activities and the edition's themes (a coordinator
    cannot tell what "35" or "involve" is). One query per kind for the whole diff."""
    numbers = {
        field: {int(i) for change in review.changes if change.field == field for i in (*(change.before or []), *(change.after or []))}
        for field in NUMBERED
    }
    edition = review.activity.edition
    language = page_language().language
    return {
        "reuses": solution_links(numbers["reuses"]),
        "co_organiser_ids": organisations.names_of(db(), numbers["co_organiser_ids"]),
        "related_activity_ids": activities.titles_in_edition(db(), current_actor(), edition, numbers["related_activity_ids"]),
        "themes": {theme["key"]: in_language(theme.get("label"), language) or theme["key"] for theme in edition.themes or []},
    }


def valid_form(form: FlaskForm) -> bool:
    """Whether the form is valid (every signed-in screen's form); a refused CSRF token is said in
    the page's language (Flask-WTF's own words are English, and name no field the person can fix)."""
    if form.validate():
        return True
    if form.csrf_token.errors:
        form.csrf_token.errors = []
        form.form_errors.append(_("The form had expired. Reload the page and try again."))
    return False


def _decided(decision: str) -> str:
    return {"approve": _("approved"), "request_changes": _("changes requested"), "reject": _("rejected")}[decision]


def _version(form: ReviewForm) -> int | None:
    version = str(form.version.data or "")
    return int(version) if version.isdigit() and len(version) < 10 else None


# --- helpers -----------------------------------------------------------------------------------


def coordinated_edition(slug: str) -> Edition:
    """The edition, if the signed-in person coordinates it (403 otherwise, as the API answers)."""
    edition = get_edition(db(), slug)
    require_coordinator(current_actor(), edition)
    return use_edition(edition)


def _starts(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class Link:
    text: str
    url: str


def solution_links(ids: Iterable[int]) -> dict[int, Link]:
    """The public activities among ``ids`` by id, each named by its title, organiser and week in
    the page's language and linked to its public page: one query for all of them."""
    language = page_language().language
    return {
        found["id"]: Link(
            _("%(title)s (%(organiser)s, %(edition)s)", title=found["title"], organiser=found["organiser"], edition=in_language(week, language)),
            url_for("pages.activity_page", activity_id=found["id"]),
        )
        for found, week in reuse.named_references(db(), set(ids))
    }


def shown_value(field: str, value: Any, *, names: Mapping[str, Mapping[Any, str | Link]]) -> list[str | Link]:
    """A revision's field as lines a coordinator reads ([] for an empty field); what it names by a
    number or a key by its name (``names``, see :func:`_names`), the activities it builds on as
    links (those that are public)."""
    if value in (None, "", [], {}):
        return []
    if field == "reuses":
        return [names["reuses"].get(int(i)) or _("Activity %(id)s (not in a public programme)", id=i) for i in value]
    if field in ("co_organiser_ids", "related_activity_ids"):
        return [_("%(name)s (number %(id)s)", name=names[field][int(i)], id=i) if int(i) in names[field] else str(i) for i in value]
    if field == "themes":
        return [str(names["themes"].get(item, item)) for item in value]
    if field == "format":
        return [str(labels.FORMATS.get(value, value))]
    if field == "attendance_mode":
        return [str(labels.ATTENDANCE_MODES.get(value, value))]
    if field == "audiences":
        return [str(labels.AUDIENCES.get(item, item)) for item in value]
    if field == "languages":
        return [labels.language_name(item) for item in value]
    if field in ("starts_at", "ends_at"):
        moment = _starts(value)
        return [f"{localised_skeleton(moment, 'yMMMEd')} {localised_skeleton(moment, 'Hm')}"]
    if field == "registration":
        value = {**value, "mode": REGISTRATION_MODES.get(value.get("mode"), value.get("mode"))}
    if field in ("venue", "contact", "registration"):
        return [f"{PARTS.get(key, key)}: {_yes(item)}" for key, item in value.items() if item not in (None, "", False)]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def _yes(value: Any) -> str:
    return str(_("yes")) if value is True else str(value)
