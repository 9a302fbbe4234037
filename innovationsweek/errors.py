"""Errors the service layer raises. The API maps each to one HTTP status, in one place."""

from __future__ import annotations

from collections.abc import Sequence

from babel.lists import format_list
from flask_babel import LazyString, force_locale, get_locale
from flask_babel import lazy_gettext as _l

# A detail is a lazy message (``_l("... %(name)s ...", name=value)``): the API writes it in the
# language the caller's ``Accept-Language`` chose, a page in the page's. Every raise site passes
# one (tests/test_translations.py checks the sources); a plain string would be shown as it is.
Message = str | LazyString


class DomainError(Exception):
    """Base of every rule the service layer refuses. ``detail`` is safe to show to the caller."""

    def __init__(self, detail: Message, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotAuthenticated(DomainError):
    """The caller must identify itself (no, expired or revoked credentials)."""


class Forbidden(DomainError):
    """The caller is known but may not do this."""


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, an illegal transition)."""


class Invalid(DomainError):
    """A value passed the schema but breaks a rule; ``field`` names it, in the body or, with
    ``in_query``, in the query string."""

    def __init__(self, detail: Message, field: str, *, in_query: bool = False) -> None:
        super().__init__(detail, **({"parameter": field} if in_query else {"field": field}))
        self.field = field


class PreconditionFailed(DomainError):
    """The caller's copy is stale (its ``If-Match`` names an older version)."""


class PreconditionRequired(DomainError):
    """The change needs ``If-Match``, so that nobody overwrites what they have not seen."""


def non_blank(text: str, field: str) -> str:
    """``text`` without surrounding white space; a blank one is refused, naming ``field``."""
    stripped = text.strip()
    if not stripped:
        raise Invalid(_l("This may not be blank."), field=field)
    return stripped


def any_of(items: Sequence[Message]) -> LazyString:
    """``items`` as one alternative in the language it is written in: "links or HTML", "länkar
    eller HTML", "links eller HTML"."""
    return LazyString(lambda: format_list([str(item) for item in items], style="or", locale=get_locale() or "en"))


def in_english(message: Message) -> str:
    """``message`` written in English, in or out of a request: for a record that keeps why
    something was refused (its reader is told in their own language from the error's kind)."""
    with force_locale("en"):
        return str(message)
