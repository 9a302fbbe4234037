"""The organisers' screens for one of their activities: who registered (and the spreadsheet of
them), and the report after the event. Over the registrations and reports services and their
access rules, as the API's participants and report operations are; every read of personal data
is logged by the service."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import FieldList, Form, FormField, IntegerField, StringField, TextAreaField
from wtforms.validators import URL, Length, NumberRange, Optional, ValidationError

from innovationsweek.activities import service as activities
from innovationsweek.activities.models import Activity
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.registrations import participants_download
from innovationsweek.errors import Conflict, Forbidden, Invalid
from innovationsweek.registrations import service as registrations
from innovationsweek.registrations.models import Registration, RegistrationStatus
from innovationsweek.reports import service as reports
from innovationsweek.pages.coordinator import valid_form
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page

# Links the form offers beyond those already reported (the API takes at most 20).
EMPTY_LINK_ROWS = 3
MAX_LINKS = 20
COUNT = [Optional(), NumberRange(min=0, max=10_000_000, message=_l("A whole number from 0 up."))]


class LinkForm(Form):
    title = StringField(_l("Title of the link"), validators=[Length(max=200)])
    url = StringField(_l("Address (https://…)"), validators=[Optional(), URL(message=_l("A web address that starts with https://.")), Length(max=2000)])

    def validate_title(self, field: StringField) -> None:
        if self.url.data and not (field.data or "").strip():
            raise ValidationError(_("Give the link a title, such as “Slides (PDF)”."))


class ReportForm(FlaskForm):
    participants_in_person = IntegerField(_l("Came in person"), validators=COUNT)
    participants_online = IntegerField(_l("Followed online"), validators=COUNT)
    links = FieldList(FormField(LinkForm), max_entries=MAX_LINKS)
    how_to_reuse = TextAreaField(_l("How others can reuse it"), validators=[Length(max=5000)])

    def material(self) -> dict[str, Any]:
        """The report as the service (and the API's schema) takes it; rows without an address are left out."""
        return {
            "participants_in_person": self.participants_in_person.data,
            "participants_online": self.participants_online.data,
            "links": [{"title": row.title.data.strip(), "url": row.url.data.strip()} for row in self.links if row.url.data],
            "how_to_reuse": self.how_to_reuse.data or "",
        }


def members_only(view: Callable[..., BaseResponse]) -> Callable[..., BaseResponse]:
    """What the API answers 403, as a page: signed in, but not a member of the host organisation.
    (The blueprint's own handler speaks of coordinators.)"""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> BaseResponse:
        try:
            return view(*args, **kwargs)
        except Forbidden:
            return render_page(
                "error.html", 403, heading=_("You may not open this page"), message=_("Only members of the host organisation may see this.")
            )

    return guarded


# --- participants ------------------------------------------------------------------------------


@bp.get("/organiser/activities/<id:activity_id>/participants")
@signed_in
@members_only
def participants_page(activity_id: int) -> Response:
    items = registrations.list_registrations(db(), current_actor(), activity_id)
    activity = _activity(activity_id)
    return render_page(
        "organiser/participants.html",
        200,
        activity=activity,
        edition=activity.edition,
        confirmed=[item for item in items if item.status == RegistrationStatus.CONFIRMED],
        waitlist=[item for item in items if item.status == RegistrationStatus.WAITLISTED],
        cancelled=sum(item.status == RegistrationStatus.CANCELLED for item in items),
        starts_at=_starts_at(activity),
        sign_out=sign_out_form(),
    )


@bp.get("/organiser/activities/<id:activity_id>/participants.csv")
@signed_in
@members_only
def participants_export(activity_id: int) -> Response:
    """The API's spreadsheet, built at once: one activity's participants take well under a second,
    so a download needs neither progress nor a job."""
    items: list[Registration] = registrations.list_registrations(db(), current_actor(), activity_id, export=True)
    activity = _activity(activity_id)
    return participants_download(items, activity_id, ZoneInfo(activity.edition.timezone))


# --- the report after the event ---------------------------------------------------------------


@bp.route("/organiser/activities/<id:activity_id>/report", methods=["GET", "POST"])
@signed_in
@members_only
def report_page(activity_id: int) -> BaseResponse:
    report = reports.get_report(db(), current_actor(), activity_id)
    activity = _activity(activity_id)
    if request.method == "GET":
        form = ReportForm(formdata=None, data=_form_data(report))
        _offer_empty_rows(form)
        return _report_page(activity, report, form, 200)
    form = ReportForm()
    if not valid_form(form):
        return _report_page(activity, report, form, 400)
    try:
        reports.save_report(db(), current_actor(), activity_id, **form.material())
    except (Conflict, Invalid) as refusal:
        form.form_errors.append(_refused(refusal))
        return _report_page(activity, report, form, 409 if isinstance(refusal, Conflict) else 400)
    flash(_("The report is saved. Changed links and text are shown in the programme once a coordinator approves them."))
    return redirect(url_for("pages.report_page", activity_id=activity_id), 303)


def _report_page(activity: Activity, report: Any, form: ReportForm, status: int) -> Response:
    return render_page(
        "organiser/report.html",
        status,
        activity=activity,
        edition=activity.edition,
        report=report,
        form=form,
        starts_at=_starts_at(activity),
        can_report=_reportable(activity),
        sign_out=sign_out_form(),
    )


def _form_data(report: Any) -> dict[str, Any]:
    return {
        "participants_in_person": report.participants_in_person,
        "participants_online": report.participants_online,
        "links": list(report.links or []),
        "how_to_reuse": report.how_to_reuse or "",
    }


def _offer_empty_rows(form: ReportForm) -> None:
    """Room for more links without JavaScript: a few empty rows after those reported."""
    for _row in range(min(EMPTY_LINK_ROWS, MAX_LINKS - len(form.links))):
        form.links.append_entry()


def _refused(refusal: Conflict | Invalid) -> str:
    """Why the service refused the report, in the page's language (its own words are English)."""
    if isinstance(refusal, Conflict):
        return _("You can report once the activity has taken place, and only on a published activity.")
    return _("A link was refused: check that each address is a public web page (https://…).")


# --- helpers -----------------------------------------------------------------------------------


def _activity(activity_id: int) -> Activity:
    """The activity the service let the organiser see, its edition's time zone for every time shown."""
    activity = activities.get_activity(db(), current_actor(), activity_id)
    g.edition = activity.edition
    return activity


def _starts_at(activity: Activity) -> datetime | None:
    return reports.starts_at_of(activity) if activity.approved_revision is not None else None


def _reportable(activity: Activity) -> bool:
    """Whether the form is worth showing: the service's own rule, asked before it is filled in."""
    try:
        reports.ensure_reportable(activity)
    except Conflict:
        return False
    return True
