"""The registration form on an activity's page. Flask-WTF gives it its CSRF token; its fields
are held to the API's own rules (``RegistrationCreateSchema``), so a form and a JSON body can
never be checked differently. Here the form's strings become the schema's input, and the
schema's refusals become a message per field in the page's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from innovationsweek.api.guards import NUL
from innovationsweek.api.registrations import RegistrationCreateSchema
from innovationsweek.registrations.service import Participant

TEXT_FIELDS = ("name", "email", "workplace", "position", "phone")
FIELDS = (*TEXT_FIELDS, "photo_consent", "consent")
HONEYPOT = "website"  # the API's name for it too
NOTICE_VERSION = "notice_version"
YES, NO = "yes", "no"

FIELD_LABELS = {
    "name": _l("Name"),
    "email": _l("Email"),
    "workplace": _l("Workplace"),
    "position": _l("Position or role"),
    "phone": _l("Phone (optional)"),
    "photo_consent": _l("Photos and film"),
    "consent": _l("Consent"),
}
# One message per field, covering each way the schema may refuse it (missing, too long, malformed).
FIELD_ERRORS = {
    "name": _l("Enter your name, at most 200 characters."),
    "email": _l("Enter an email address in the right form, like name@example.se."),
    "workplace": _l("Enter your workplace, at most 200 characters."),
    "position": _l("Enter your position or role, at most 200 characters."),
    "phone": _l("Enter a phone number of at most 40 characters: digits, spaces and + ( ) - . / only."),
    "photo_consent": _l("Choose whether you may appear in photos and film."),
    "consent": _l("Tick the box: registering needs your consent to the privacy notice."),
}


class RegistrationForm(FlaskForm):
    """The CSRF token only: the fields' rules are the schema's (see the module's comment)."""


@dataclass(frozen=True)
class Submission:
    values: dict[str, str]  # as typed, to show again when refused
    errors: dict[str, str]  # field -> message, in FIELDS' order; {} when the schema accepts it
    trap_filled: bool  # the honeypot, which people never see, was filled: a bot
    notice_version: str  # the privacy notice's version the visitor was shown

    def participant(self) -> Participant:
        return Participant(
            name=self.values["name"],
            email=self.values["email"],
            workplace=self.values["workplace"],
            position=self.values["position"],
            phone=self.values["phone"] or None,
            photo_consent=self.values["photo_consent"] == YES,
        )


def read_submission(form: Mapping[str, str]) -> Submission:
    values = {name: form.get(name, "").strip() for name in FIELDS}
    refused = set(RegistrationCreateSchema().validate(_schema_input(values)))
    refused |= {name for name, value in values.items() if NUL in value}  # PostgreSQL cannot store it
    return Submission(
        values=values,
        errors={name: str(FIELD_ERRORS[name]) for name in FIELDS if name in refused},
        trap_filled=bool(form.get(HONEYPOT, "").strip()),
        notice_version=form.get(NOTICE_VERSION, ""),
    )


def _schema_input(values: Mapping[str, str]) -> dict[str, object]:
    """The form's strings as the API's JSON would carry them: the photo choice yes or no (anything
    else, or none, is left for the schema to refuse), the consent box ticked or not."""
    data: dict[str, object] = {name: values[name] for name in TEXT_FIELDS}
    data["phone"] = values["phone"] or None
    choice = values["photo_consent"]
    if choice:
        data["photo_consent"] = {YES: True, NO: False}.get(choice, choice)
    data["consent"] = values["consent"] == YES
    return data
