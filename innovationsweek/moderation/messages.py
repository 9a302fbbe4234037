"""What the organisers of an activity are told about a decision on it, or on its report's
material: by a coordinator, or by the automated checks (the fast lane approves, a blocking
finding asks for changes). One mail in one language, the host organisation's
(:func:`innovationsweek.editions.models.organisation_language`), written as the participants'
mails are (:mod:`innovationsweek.registrations.messages`). Plain functions of plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from innovationsweek.moderation.checks import told
from innovationsweek.registrations.messages import Mail
from innovationsweek.translations import translations


@dataclass(frozen=True)
class Decision:
    """What was decided on which version of which activity, and why."""

    decision: str  # approve, request_changes, reject; changes_requested when the checks blocked it
    title: str
    edition: str  # the edition's name in the mail's language
    activity_id: int
    number: int  # the version decided on
    comment: str | None  # the coordinator's reason, as the organisers are told it
    blocking: Sequence[str]  # what the checks found that must be fixed


def activity_decided(decision: Decision, language: str) -> Mail:
    """The decision on a submitted version of the activity."""
    _ = translations(language).gettext
    values = {"title": decision.title, "edition": decision.edition}
    changes = _("Changes needed: %(title)s")
    subjects = {
        "approve": _("Approved: %(title)s"),
        "changes_requested": changes,
        "request_changes": changes,
        "reject": _("Not approved: %(title)s"),
    }
    openings = {
        "approve": _("Your activity “%(title)s” is approved and is now part of the programme of %(edition)s."),
        "changes_requested": _("The automated checks found something to fix in “%(title)s” before it can be reviewed."),
        "request_changes": _("The coordinators of %(edition)s ask you to change “%(title)s” before it can be approved."),
        "reject": _("The coordinators of %(edition)s have not approved “%(title)s”."),
    }
    reference = _("Activity %(id)d, version %(number)d.")
    return _mail(decision, language, subjects[decision.decision] % values, openings[decision.decision] % values, reference)


def report_decided(decision: Decision, language: str) -> Mail:
    """The decision on a submitted version of the material in the activity's report."""
    _ = translations(language).gettext
    values = {"title": decision.title, "edition": decision.edition}
    changes = _("The report needs changes: %(title)s")
    subjects = {
        "approve": _("Report approved: %(title)s"),
        "changes_requested": changes,
        "request_changes": changes,
        "reject": _("Report not approved: %(title)s"),
    }
    openings = {
        "approve": _("The material in your report on “%(title)s” is approved and now shown in the programme of %(edition)s."),
        "changes_requested": _("The automated checks found something to fix in the report on “%(title)s” before it can be reviewed."),
        "request_changes": _("The coordinators of %(edition)s ask you to change the report on “%(title)s” before the material can be shown."),
        "reject": _("The coordinators of %(edition)s have not approved the material in the report on “%(title)s”."),
    }
    reference = _("Report on activity %(id)d, version %(number)d.")
    return _mail(decision, language, subjects[decision.decision] % values, openings[decision.decision] % values, reference)


# activity_decided or report_decided: which of the two the organisers are told about.
MailWriter = Callable[[Decision, str], Mail]


def _mail(decision: Decision, language: str, subject: str, opening: str, reference: str) -> Mail:
    lines = [opening, "", *explained(decision.comment, decision.blocking, language)]
    lines.append(reference % {"id": decision.activity_id, "number": decision.number})
    return Mail(subject, "\n".join(lines))


def explained(comment: str | None, blocking: Sequence[str], language: str) -> list[str]:
    """The coordinator's comment and what the checks found to fix, each followed by a blank line.
    A finding's message is told in ``language`` (:func:`innovationsweek.moderation.checks.told`)."""
    _ = translations(language).gettext
    lines = []
    if comment:
        lines += [_("Comment:"), comment, ""]
    if blocking:
        lines += [_("To fix:"), *["- " + told(message, language) for message in blocking], ""]
    return lines
