"""An edition's settings and logs for its coordinators. The settings page has one form per
section (dates, privacy notice, themes, reminders, trusted organisations, preset reasons), each
saved on its own by the service function the API's PATCH of that part calls (editions or
moderation settings), under the same access rules; the audit log and the personal-data access
log are paged over the service the API's log endpoints use, with the same filters."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from innovationsweek import audit, logs
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.reminders import ReminderSettingsSchema
from innovationsweek.api.schemas import SLUG_PATTERN
from innovationsweek.editions import service as editions
from innovationsweek.editions.models import Edition
from innovationsweek.errors import DomainError, Invalid
from innovationsweek.moderation import service as moderation
from innovationsweek.organisations.service import list_organisations
from innovationsweek.pages.coordinator import coordinated_edition
from innovationsweek.pages.labels import FIELDS
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page
from innovationsweek.reminders.settings import DEFAULTS as REMINDER_DEFAULTS
from innovationsweek.reminders.settings import effective as reminders_in_force

MINUTES = "%Y-%m-%dT%H:%M"
NOTICE_LANGUAGES = {"sv": _l("Swedish text"), "da": _l("Danish text"), "en": _l("English text")}
# The service's refusals of a change (its own words are English), by the field they concern.
DATE_REFUSALS = {
    "ends_at": _l("The week must end after it starts."),
    "submissions_close_at": _l("Submissions must close after they open."),
    "submissions_open_at": _l("Submissions must open before the week starts."),
}
VERSION_TAKEN = _l("This version name was used for another text; choose a new one.")
PAGE_SIZE = 50
DATE_FIELDS = ("starts_at", "ends_at", "submissions_open_at", "submissions_close_at")


def _when(label: Any) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=MINUTES, validators=[InputRequired(_l("Enter a date and a time."))])


class DatesForm(FlaskForm):
    starts_at = _when(_l("The week starts"))
    ends_at = _when(_l("The week ends"))
    submissions_open_at = _when(_l("Submissions open"))
    submissions_close_at = _when(_l("Submission deadline"))

    def changes(self, edition: Edition) -> dict[str, datetime]:
        """The four moments, read in the edition's time zone."""
        zone = ZoneInfo(edition.timezone)
        return {name: self[name].data.replace(tzinfo=zone) for name in DATE_FIELDS}


class PrivacyNoticeForm(FlaskForm):
    current: str | None = None  # the version in use: a new text must not reuse its name
    version = StringField(
        _l("New version"),
        validators=[InputRequired(_l("Name the new version.")), Length(max=40, message=_l("Write at most 40 characters."))],
    )
    sv = TextAreaField(NOTICE_LANGUAGES["sv"], validators=[Length(max=10_000, message=_l("Write at most 10,000 characters."))])
    da = TextAreaField(NOTICE_LANGUAGES["da"], validators=[Length(max=10_000, message=_l("Write at most 10,000 characters."))])
    en = TextAreaField(NOTICE_LANGUAGES["en"], validators=[Length(max=10_000, message=_l("Write at most 10,000 characters."))])

    def validate_sv(self, field: TextAreaField) -> None:
        if not any((self[language].data or "").strip() for language in NOTICE_LANGUAGES):
            raise ValidationError(_("Write the notice in at least one language."))

    def validate_version(self, field: StringField) -> None:
        if self.current is not None and field.data.strip() == self.current:
            raise ValidationError(_("A new text needs a new version name."))

    def changes(self) -> dict[str, Any]:
        texts = {language: self[language].data.strip() for language in NOTICE_LANGUAGES if (self[language].data or "").strip()}
        return {"privacy_notice": texts, "privacy_notice_version": self.version.data.strip()}


class CheckboxesField(SelectMultipleField):
    option_widget = CheckboxInput()  # the template lays the options out


class TrustForm(FlaskForm):
    fast_lane = BooleanField(_l("Approve trusted organisations' activities at once when the checks find nothing"))
    trusted = CheckboxesField(_l("Trusted organisations"), coerce=int, choices=[])

    def offer_organisations(self) -> TrustForm:
        self.trusted.choices = [(organisation.id, organisation.name) for organisation in list_organisations(db(), current_actor())]
        return self

    def changes(self) -> dict[str, Any]:
        return {"fast_lane": self.fast_lane.data, "trusted_organisation_ids": self.trusted.data}


def _texts(limit: int, message: Any) -> dict[str, TextAreaField]:
    return {f"text_{language}": TextAreaField(label, validators=[Length(max=limit, message=message)]) for language, label in NOTICE_LANGUAGES.items()}


class KeyedTextsForm(FlaskForm):
    """A list of keyed texts per language (preset reasons, themes): the chosen ones removed, and
    a new one added when its key is given."""

    setting = ""  # the edition's or moderation settings' field
    text_name = ""  # the texts' name in each item
    taken: Any  # the refusals, in each kind's words
    unwritten: Any
    items: list[dict[str, Any]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix=self.setting, **kwargs)  # two of them share the page

    def offer(self, items: list[dict[str, Any]]) -> KeyedTextsForm:
        self.items = items
        self.remove.choices = [(item["key"], item["key"]) for item in items]
        return self

    def validate_key(self, field: StringField) -> None:
        key = (field.data or "").strip()
        if key and key in {item["key"] for item in self.items}:
            raise ValidationError(str(self.taken))
        if key and not self._texts():
            raise ValidationError(str(self.unwritten))

    def _texts(self) -> dict[str, str]:
        return {language: text.strip() for language in NOTICE_LANGUAGES if (text := self[f"text_{language}"].data or "").strip()}

    def changes(self) -> dict[str, Any]:
        kept = [item for item in self.items if item["key"] not in (self.remove.data or [])]
        key = (self.key.data or "").strip()
        return {self.setting: kept + ([{"key": key, self.text_name: self._texts()}] if key else [])}


class ReasonsForm(KeyedTextsForm):
    setting, text_name = "reasons", "text"
    taken = _l("There is a reason with this key already.")
    unwritten = _l("Write the reason in at least one language.")
    remove = CheckboxesField(_l("Remove these reasons"), choices=[])
    key = StringField(_l("Key of a new reason"), validators=[Optional(), Length(max=40, message=_l("Write at most 40 characters."))])
    locals().update(_texts(1000, _l("Write at most 1,000 characters.")))


class ThemesForm(KeyedTextsForm):
    setting, text_name = "themes", "label"
    taken = _l("There is a theme with this key already.")
    unwritten = _l("Name the theme in at least one language.")
    remove = CheckboxesField(_l("Remove these themes"), choices=[])
    key = StringField(
        _l("Key of a new theme"),
        validators=[
            Optional(), Length(max=40, message=_l("Write at most 40 characters.")),
            Regexp(f"^{SLUG_PATTERN}$", message=_l("Use lower-case letters, digits and dashes.")),
        ],
    )
    locals().update(_texts(100, _l("Write at most 100 characters.")))


REMINDER_KINDS = {
    "participant": _l("To participants, before the activity"),
    "draft_deadline": _l("To organisers of drafts, before the submission deadline"),
    "changes_requested": _l("To organisers asked for changes"),
    "pre_event": _l("To organisers, before the activity"),
    "post_event": _l("To organisers, after the activity"),
    "coordinator_digest": _l("To coordinators, the review queue once a day"),
}
DAYS_LABELS = {"days_before": _l("Days before"), "days_after": _l("Days after")}
WHOLE_DAYS = _l("Give one to five different whole days, separated by commas, such as 14, 3.")


def days_key(kind: str) -> str | None:
    """Whether the kind counts days before or after (the coordinators' digest counts none)."""
    return next((key for key in DAYS_LABELS if key in REMINDER_DEFAULTS[kind]), None)


class RemindersForm(FlaskForm):
    """Each kind of reminder: on or off, on which days, at what hour of the week's time zone."""

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> RemindersForm:
        data = {}
        for kind, values in reminders_in_force(stored).items():
            data[f"{kind}_enabled"] = values["enabled"]
            data[f"{kind}_hour"] = values["hour"]
            if (key := days_key(kind)) is not None:
                data[f"{kind}_days"] = ", ".join(str(day) for day in values[key])
        return cls(formdata=None, data=data)

    def kinds(self) -> list[tuple[str, Any, list[Any]]]:
        """Each kind with its label and its fields, for the template."""
        names = ("enabled", "days", "hour")
        return [(kind, label, [self[f"{kind}_{name}"] for name in names if f"{kind}_{name}" in self]) for kind, label in REMINDER_KINDS.items()]

    def changes(self) -> dict[str, Any] | None:
        """The settings as the API's schema loads them, or None with the refusals at their fields."""
        settings: dict[str, Any] = {}
        for kind in REMINDER_KINDS:
            settings[kind] = {"enabled": self[f"{kind}_enabled"].data, "hour": self[f"{kind}_hour"].data}
            if (key := days_key(kind)) is not None:
                settings[kind][key] = self._days(self[f"{kind}_days"])
        refused = ReminderSettingsSchema().validate(settings)
        for kind, fields in refused.items():
            for name in fields:
                self[f"{kind}_days" if name in DAYS_LABELS else f"{kind}_{name}"].errors = [str(WHOLE_DAYS if name in DAYS_LABELS else _("Give an hour from 0 to 23."))]
        return None if refused else ReminderSettingsSchema().load(settings)

    @staticmethod
    def _days(field: StringField) -> list[Any]:
        """The days as numbers where they are numbers; the schema refuses the rest."""
        return [int(day) if day.strip().isdigit() else day.strip() for day in (field.data or "").split(",") if day.strip()]


for _kind in REMINDER_KINDS:
    setattr(RemindersForm, f"{_kind}_enabled", BooleanField(_l("Send")))
    if (_key := days_key(_kind)) is not None:
        setattr(RemindersForm, f"{_kind}_days", StringField(DAYS_LABELS[_key]))
    setattr(RemindersForm, f"{_kind}_hour", IntegerField(_l("Hour"), validators=[InputRequired(_l("Give an hour from 0 to 23."))]))


class LogFilterForm(FlaskForm):
    """The API's filters of both logs; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    action = StringField(_l("Action"), validators=[Optional(), Length(max=64, message=_l("Enter at most 64 characters."))])
    activity_id = IntegerField(
        _l("Activity number"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("Enter an activity's number."))]
    )
    written_from = DateField(_l("From"), validators=[Optional()])
    written_to = DateField(_l("To (inclusive)"), validators=[Optional()])

    def validate_written_to(self, field: DateField) -> None:
        if field.data and self.written_from.data and field.data < self.written_from.data:
            raise ValidationError(_("The end must not be before the start."))

    def filters(self, edition: Edition) -> logs.LogFilters:
        """The filters, whole days in the edition's time zone."""
        zone = ZoneInfo(edition.timezone)
        start = self.written_from.data
        end = self.written_to.data
        return logs.LogFilters(
            activity_id=self.activity_id.data,
            action=(self.action.data or "").strip() or None,
            written_from=datetime.combine(start, time(), zone) if start else None,
            written_to=datetime.combine(end + timedelta(days=1), time(), zone) if end else None,
        )


# --- the settings ------------------------------------------------------------------------------


@bp.get("/coordinator/editions/<slug:slug>/settings")
@signed_in
def edition_settings(slug: str) -> Response:
    edition = coordinated_edition(slug)
    return _settings_page(edition, status=200)


@bp.post("/coordinator/editions/<slug:slug>/settings/dates")
@signed_in
def save_dates(slug: str) -> BaseResponse:
    edition = coordinated_edition(slug)
    form = DatesForm()
    if not form.validate():
        return _settings_page(edition, status=400, dates=form)
    try:
        editions.update_edition(db(), current_actor(), slug, form.changes(edition))
    except Invalid as error:
        edition = _undo(slug)
        _show_refusal(form, error, DATE_REFUSALS)
        return _settings_page(edition, status=422, dates=form)
    flash(_("The dates are saved."))
    return redirect(url_for("pages.edition_settings", slug=slug) + "#dates")


@bp.post("/coordinator/editions/<slug:slug>/settings/privacy-notice")
@signed_in
def save_privacy_notice(slug: str) -> BaseResponse:
    edition = coordinated_edition(slug)
    form = PrivacyNoticeForm()
    form.current = edition.privacy_notice_version
    if not form.validate():
        return _settings_page(edition, status=400, notice=form)
    try:
        editions.update_edition(db(), current_actor(), slug, form.changes())
    except DomainError as error:
        edition = _undo(slug)
        _show_refusal(form, error, {"privacy_notice_version": VERSION_TAKEN}, form_field={"privacy_notice_version": "version"})
        return _settings_page(edition, status=422, notice=form)
    flash(_("Version %(version)s of the privacy notice is in use.", version=form.version.data.strip()))
    return redirect(url_for("pages.edition_settings", slug=slug) + "#privacy-notice")


@bp.post("/coordinator/editions/<slug:slug>/settings/reminders")
@signed_in
def save_reminders(slug: str) -> BaseResponse:
    edition = coordinated_edition(slug)
    form = RemindersForm()
    changes = form.changes() if form.validate() else None
    if changes is None:
        return _settings_page(edition, status=400, reminders=form)
    editions.update_edition(db(), current_actor(), slug, {"reminder_settings": changes})
    flash(_("The reminders are saved."))
    return redirect(url_for("pages.edition_settings", slug=slug) + "#reminders")


@bp.post("/coordinator/editions/<slug:slug>/settings/themes")
@signed_in
def save_themes(slug: str) -> BaseResponse:
    form = ThemesForm().offer(coordinated_edition(slug).themes or [])
    return _save_section(slug, form, "themes", _("The themes are saved."), editions.update_edition)


@bp.post("/coordinator/editions/<slug:slug>/settings/trust")
@signed_in
def save_trust(slug: str) -> BaseResponse:
    form = TrustForm().offer_organisations()
    return _save_section(slug, form, "trust", _("The trusted organisations are saved."), moderation.update_moderation_settings)


@bp.post("/coordinator/editions/<slug:slug>/settings/reasons")
@signed_in
def save_reasons(slug: str) -> BaseResponse:
    form = ReasonsForm().offer(moderation.moderation_settings(db(), current_actor(), slug).reasons)
    return _save_section(slug, form, "reasons", _("The preset reasons are saved."), moderation.update_moderation_settings)


def _save_section(slug: str, form: TrustForm | KeyedTextsForm, section: str, saved: str, update: Callable[..., Any]) -> BaseResponse:
    """One section's form, saved by the service function the API's PATCH of it calls."""
    edition = coordinated_edition(slug)
    if not form.validate():
        return _settings_page(edition, status=400, **{section: form})
    try:
        update(db(), current_actor(), slug, form.changes())
    except Invalid as error:
        edition = _undo(slug)
        _show_refusal(form, error, {})
        return _settings_page(edition, status=422, **{section: form})
    flash(saved)
    return redirect(url_for("pages.edition_settings", slug=slug) + f"#{section}")


def _settings_page(
    edition: Edition,
    *,
    status: int,
    dates: DatesForm | None = None,
    notice: PrivacyNoticeForm | None = None,
    reminders: RemindersForm | None = None,
    trust: TrustForm | None = None,
    reasons: ReasonsForm | None = None,
    themes: ThemesForm | None = None,
) -> Response:
    """The page with each section's form: the one just sent as typed, the others as saved."""
    settings = moderation.moderation_settings(db(), current_actor(), edition.slug)
    if reminders is None:
        reminders = RemindersForm.of(edition.reminder_settings)
    if trust is None:
        trust = TrustForm(formdata=None, fast_lane=settings.fast_lane, trusted=settings.trusted_organisation_ids).offer_organisations()
    if reasons is None:
        reasons = ReasonsForm(formdata=None).offer(settings.reasons)
    if themes is None:
        themes = ThemesForm(formdata=None).offer(edition.themes or [])
    if dates is None:
        zone = ZoneInfo(edition.timezone)
        saved = {name: getattr(edition, name).astimezone(zone).replace(tzinfo=None) for name in DATE_FIELDS}
        dates = DatesForm(formdata=None, data=saved)
    if notice is None:
        notice = PrivacyNoticeForm(formdata=None, data=edition.privacy_notice)  # the texts in use, to edit
    earlier = [kept for kept in editions.privacy_notice_versions(db(), current_actor(), edition.slug) if kept.version != edition.privacy_notice_version]
    return render_page(
        "coordinator/settings.html", status, edition=edition, dates=dates, notice=notice, reminders=reminders, trust=trust, reasons=reasons, themes=themes,
        notice_languages=NOTICE_LANGUAGES, earlier_notices=earlier,
        sign_out=sign_out_form(),
    )


def _undo(slug: str) -> Edition:
    """The change was refused after the edition took it: forget it before showing the page."""
    db().rollback()
    return coordinated_edition(slug)


def _show_refusal(form: FlaskForm, error: DomainError, messages: dict[str, Any], form_field: dict[str, str] | None = None) -> None:
    """The service's refusal next to the field it concerns (``form_field`` names it where the
    form calls it otherwise), or as the form's problem."""
    field = getattr(error, "field", None)
    shown = (form_field or {}).get(field, field)
    if field in messages and shown in form:
        form[shown].errors = [str(messages[field])]
    else:
        form.form_errors.append(_("The change was not saved: %(reason)s", reason=str(error)))


# --- the logs ----------------------------------------------------------------------------------


@bp.get("/coordinator/editions/<slug:slug>/audit")
@signed_in
def edition_audit(slug: str) -> Response:
    return _log_page(slug, logs.edition_audit_log, "coordinator/audit.html")


@bp.get("/coordinator/editions/<slug:slug>/access-log")
@signed_in
def edition_access(slug: str) -> Response:
    return _log_page(slug, logs.edition_access_log, "coordinator/access_log.html")


def _log_page(slug: str, read: Any, template: str) -> Response:
    edition = coordinated_edition(slug)
    form = LogFilterForm(request.args)
    if request.args and not form.validate():
        return render_page(template, 400, edition=edition, form=form, page=None, more=None, sign_out=sign_out_form(), fields=FIELDS)
    try:
        page = read(db(), current_actor(), slug, form.filters(edition), cursor=request.args.get("cursor") or None, limit=PAGE_SIZE)
    except Invalid:  # a damaged cursor: the list has to start again
        form.form_errors.append(_("This list has changed; start again from its first page."))
        return render_page(template, 400, edition=edition, form=form, page=None, more=None, sign_out=sign_out_form(), fields=FIELDS)
    more = url_for(request.endpoint, slug=slug, **{**request.args.to_dict(), "cursor": page.next_cursor}) if page.next_cursor else None
    return render_page(template, 200, edition=edition, form=form, page=page, more=more, sign_out=sign_out_form(), fields=FIELDS, who=who)


def who(actor_label: str) -> str:
    """Who acted, as the log's row names them: the log stores the automated checks in English."""
    return _("automated checks") if actor_label == audit.SYSTEM else actor_label
