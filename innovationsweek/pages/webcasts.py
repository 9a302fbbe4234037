"""National webcasts: a coordinator adds one to the week, hosted by a national organisation they
belong to (a national coordinator or a state agency, shown on top of the programme). It is an
activity like any other, created and submitted through the activities service as the API's
POST /editions/{slug}/activities and /submit do, so it is checked and then approved in the queue;
coordinators may add it after the submission window has closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput

from innovationsweek.activities import service as activities
from innovationsweek.activities.models import AttendanceMode, Format
from innovationsweek.api.activities import ActivityCreateSchema
from innovationsweek.api.context import current_actor, db
from innovationsweek.editions.models import LANGUAGES, Edition
from innovationsweek.errors import Invalid
import innovationsweek.pages.labels as labels
from innovationsweek.pages.coordinator import coordinated_edition
from innovationsweek.pages.labels import FIELDS
from innovationsweek.pages.i18n import page_language
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page
from innovationsweek.organisations.service import memberships_of
from innovationsweek.programme.service import NATIONAL_KINDS

FORM_FIELDS = ("organisation_id", "title", "summary", "description", "starts_at", "ends_at", "online_url", "languages", "audiences", "themes")
# What the API's schema may refuse in a field, said once per field in the page's language.
SCHEMA_ERRORS = {
    "online_url": _l("Enter a public link that starts with https:// or http://, at most 2,000 characters."),
    "ends_at": _l("Enter when it ends, after it starts."),
    "themes": _l("Choose themes from the list."),
}


class Checkboxes(SelectMultipleField):
    """Boxes to tick, laid out by the template in a fieldset. A value not offered is refused in
    the page's language (WTForms' own words are English)."""

    option_widget = CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        offered = {value for value, _label in self.choices}
        if any(value not in offered for value in self.data or []):
            raise ValidationError(_("Choose from the list."))


class HostField(SelectField):
    def pre_validate(self, form: FlaskForm) -> None:
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_("Choose the host."))


class LocalTimeField(DateTimeLocalField):
    """A date and time in the week's time zone; one message, in the page's language, whether it
    is missing or malformed."""

    def __init__(self, label: Any, message: Any, **kwargs: Any) -> None:
        super().__init__(label, format="%Y-%m-%dT%H:%M", validators=[InputRequired(message)], **kwargs)
        self.message = message

    def post_validate(self, form: FlaskForm, validation_stopped: bool) -> None:
        if self.errors:
            self.errors = [str(self.message)]


class WebcastForm(FlaskForm):
    organisation_id = HostField(_l("Host"), choices=[])
    title = StringField(FIELDS["title"], validators=[InputRequired(_l("Enter a title.")), Length(max=200, message=_l("Write at most 200 characters."))])
    summary = TextAreaField(FIELDS["summary"], validators=[Length(max=600, message=_l("Write at most 600 characters."))])
    description = TextAreaField(FIELDS["description"], validators=[Length(max=20_000, message=_l("Write at most 20,000 characters."))])
    starts_at = LocalTimeField(FIELDS["starts_at"], _l("Enter when it starts, as date and time."))
    ends_at = LocalTimeField(FIELDS["ends_at"], _l("Enter when it ends, as date and time."))
    online_url = URLField(FIELDS["online_url"], validators=[InputRequired(_l("Enter the link where people watch it."))])
    languages = Checkboxes(FIELDS["languages"], choices=[])
    audiences = Checkboxes(FIELDS["audiences"], choices=[])
    themes = Checkboxes(FIELDS["themes"], choices=[])

    def offer_choices(self, edition: Edition) -> WebcastForm:
        language = page_language().language
        hosts = [m.organisation for m in memberships_of(db(), current_actor().require_user()) if m.organisation.kind in NATIONAL_KINDS]
        self.organisation_id.choices = [(str(host.id), host.name) for host in hosts]
        self.languages.choices = [(code, labels.language_name(code)) for code in LANGUAGES]
        self.audiences.choices = [(audience.value, str(name)) for audience, name in labels.AUDIENCES.items()]
        self.themes.choices = [(theme["key"], labels.in_language(theme.get("label"), language)) for theme in edition.themes or []]
        return self

    def body(self, edition: Edition) -> dict[str, Any]:
        """The activity as the API's JSON would carry it (times in the week's time zone); what the
        form refused is carried as None, for the schema to refuse too."""
        zone = ZoneInfo(edition.timezone)
        return {
            "organisation_id": int(self.organisation_id.data) if str(self.organisation_id.data).isdigit() else None, "title": (self.title.data or "").strip(), "summary": self.summary.data or "",
            "description": self.description.data or "", "format": Format.WEBCAST.value, "attendance_mode": AttendanceMode.ONLINE.value,
            "starts_at": _local(self.starts_at.data, zone), "ends_at": _local(self.ends_at.data, zone),
            "online_url": (self.online_url.data or "").strip() or None, "languages": self.languages.data, "audiences": self.audiences.data,
            "themes": self.themes.data,
        }


@bp.route("/coordinator/editions/<slug:slug>/webcasts/new", methods=["GET", "POST"])
@signed_in
def new_webcast(slug: str) -> BaseResponse:
    edition = coordinated_edition(slug)
    form = WebcastForm().offer_choices(edition)
    if not form.is_submitted():
        return _form_page(edition, form, 200)
    if not _accepted(form, edition):
        return _form_page(edition, form, 400)
    try:
        activity = activities.create_activity(db(), current_actor(), slug, ActivityCreateSchema().load(form.body(edition)))
        activities.submit(db(), current_actor(), activity.id)
    except Invalid as error:
        _refuse(form, error.field)
        db().rollback()
        return _form_page(edition, form, 400)
    flash(_("“%(title)s” is added. It is being checked; then approve it in the review queue.", title=activity.title))
    return redirect(url_for("pages.review_activity", activity_id=activity.id), 303)


def _accepted(form: WebcastForm, edition: Edition) -> bool:
    """The form's own checks, then the API's schema over the same values, each refusal next to
    its field."""
    if not form.validate() and form.csrf_token.errors:
        form.csrf_token.errors = []
        form.form_errors.append(_("The form had expired. Reload the page and try again."))
        return False
    for name in ActivityCreateSchema().validate(form.body(edition)):
        _refuse(form, name)
    if form.starts_at.data and form.ends_at.data and form.ends_at.data <= form.starts_at.data:
        _refuse(form, "ends_at")
    return not form.errors


def _refuse(form: WebcastForm, name: str | None) -> None:
    field = form[name.split(".")[0]] if name and name.split(".")[0] in FORM_FIELDS else None
    message = str(SCHEMA_ERRORS.get(name or "", _l("Check this value.")))
    if field is None:
        form.form_errors.append(message)
    elif not field.errors:
        field.errors = [*field.errors, message]


def _form_page(edition: Edition, form: WebcastForm, status: int) -> Response:
    return render_page("coordinator/webcast.html", status, edition=edition, form=form, sign_out=sign_out_form())


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.replace(tzinfo=zone).isoformat() if moment else None
