"""What a participant is told when they ask for their data or for its erasure: one mail in one
language, the one they last registered in, written as the registration mails are
(:mod:`innovationsweek.registrations.messages`). No Flask and no database: the registrations are
loaded already, with their activities and editions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_date

from innovationsweek.registrations.messages import Mail, greeting, moment, period
from innovationsweek.registrations.models import RegistrationStatus
from innovationsweek.translations import translations

if TYPE_CHECKING:
    from innovationsweek.activities.models import Activity
    from innovationsweek.registrations.models import Registration


def their_language(registrations: Sequence[Registration]) -> str:
    """The language to write in: that of the newest registration (``registrations`` oldest first)."""
    return registrations[-1].language


def data_held(registrations: Sequence[Registration], language: str) -> Mail:
    """Every registration made with one address, each with all we hold of it, and when it goes."""
    _ = translations(language).gettext
    lines = [
        greeting(language, None),
        "",
        _("You asked for the personal data we hold about you. Here is every registration made with this email address."),
        "",
    ]
    for number, registration in enumerate(registrations, start=1):
        lines += [*_registration_lines(number, registration, language), ""]
    lines.append(_("You may ask us to erase this data at any time."))
    return Mail(_("The personal data we hold about you"), "\n".join(lines))


def _registration_lines(number: int, registration: Registration, language: str) -> list[str]:
    _ = translations(language).gettext
    edition = registration.activity.edition
    zone = ZoneInfo(edition.timezone)
    title, starts_at, ends_at = _public_face(registration.activity)
    erased_by = (ends_at + timedelta(days=edition.retention_days)).astimezone(zone).date()

    def at(instant: datetime) -> str:
        return moment(instant.astimezone(zone), language)

    lines = [
        f"{number}. {title}",
        _("When: %(when)s") % {"when": period(starts_at, ends_at, zone, language)},
        _("Status: %(status)s") % {"status": _status(registration.status, language)},
        _("Registered: %(when)s") % {"when": at(registration.created_at)},
    ]
    if registration.promoted_at is not None:
        lines.append(_("Moved up from the waitlist: %(when)s") % {"when": at(registration.promoted_at)})
    if registration.cancelled_at is not None:
        lines.append(_("Cancelled: %(when)s") % {"when": at(registration.cancelled_at)})
    lines += [
        _("Name: %(value)s") % {"value": registration.name},
        _("Email: %(value)s") % {"value": registration.email},
        _("Workplace: %(value)s") % {"value": registration.workplace or "-"},
        _("Position: %(value)s") % {"value": registration.position or "-"},
        _("Phone: %(value)s") % {"value": registration.phone or "-"},
        _("Photos and film: %(value)s") % {"value": _("yes") if registration.photo_consent else _("no")},
        _("Consent: version %(version)s, %(when)s") % {"version": registration.consent_version, "when": at(registration.consented_at)},
        _("Consent text:"),
        *(f"  {line}" for line in registration.consent_text.splitlines()),
        _("Erased by: %(day)s") % {"day": format_date(erased_by, "long", locale=language)},
    ]
    return [lines[0], *(f"   {line}" for line in lines[1:])]


def _status(status: RegistrationStatus, language: str) -> str:
    _ = translations(language).gettext
    labels = {
        RegistrationStatus.CONFIRMED: _("registered, with a seat"),
        RegistrationStatus.WAITLISTED: _("on the waitlist"),
        RegistrationStatus.CANCELLED: _("cancelled"),
    }
    return labels[status]


def _public_face(activity: Activity) -> tuple[str, datetime, datetime]:
    """Title and times as the participant saw them: the approved version where there is one
    (the organiser's unreviewed edits are not theirs to read)."""
    revision = activity.approved_revision
    if revision is None:
        return activity.title, activity.starts_at, activity.ends_at
    content = revision.content
    return content["title"], datetime.fromisoformat(content["starts_at"]), datetime.fromisoformat(content["ends_at"])


def erasure_requested(held: int, language: str, *, link: str, lifetime: timedelta) -> Mail:
    """The link that confirms erasing the ``held`` registrations; it works for ``lifetime``."""
    translation = translations(language)
    _, ngettext = translation.gettext, translation.ngettext
    hours = int(lifetime.total_seconds() // 3600)
    lines = [
        greeting(language, None),
        "",
        ngettext(
            "Someone (we hope you) asked us to erase the personal data of %(num)d registration made with this email address. "
            "Open the link and confirm:",
            "Someone (we hope you) asked us to erase the personal data of %(num)d registrations made with this email address. "
            "Open the link and confirm:",
            held,
        )
        % {"num": held},
        "",
        link,
        "",
        ngettext(
            "The link works for %(num)d hour. Places on activities still to come are then given up.",
            "The link works for %(num)d hours. Places on activities still to come are then given up.",
            hours,
        )
        % {"num": hours},
        _("Did not ask for this? Then do nothing: your data stays as it is."),
    ]
    return Mail(_("Confirm the erasure of your data"), "\n".join(lines))
